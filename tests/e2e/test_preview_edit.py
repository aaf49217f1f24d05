"""*Edit* on an item of a preview (issue 14): a modal prefilled with the item; a submission checked as
the commands check a log (refused inline, nothing changed), else the parked preview's item replaced and
the preview message rewritten; *Log all* then stores the edited values. Only the author may edit; an
answered preview says so. Nothing is stored but the preview until *Log all*.

The clock stands at Sunday 2026-11-22 10:00 Asia/Tokyo; OTHER_USER's Slack locale is Japanese.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.db import Database
from bot.interactions import (
    PREVIEW_ADD,
    PREVIEW_CONFIRM,
    PREVIEW_EDIT,
    PREVIEW_ITEM_CALLBACK,
    preview_item_value,
)
from bot.services import previews
from tests.e2e.test_plain_words import DM, direct_message, event, make_account, the_preview
from tests.support.database import activities_of, all_accounts, every_row, followups
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_USER, TEAM, USER
from tests.support.slack_driver import SlackDriver, eventually, find_button, press_in, settle, text_of


def activity_values(
    account: str, kind: str, day: str, amount: str | None = None, note: str | None = None
) -> dict[str, dict[str, Any]]:
    return {
        "account": {"account_name": {"type": "plain_text_input", "value": account}},
        "kind": {"kind": {"type": "static_select", "selected_option": {"value": kind}}},
        "date": {"date": {"type": "datepicker", "selected_date": day}},
        "amount": {"amount": {"type": "plain_text_input", "value": amount}},
        "note": {"note": {"type": "plain_text_input", "value": note}},
    }


def preview_id(preview: dict[str, Any]) -> str:
    element, _ = find_button(preview, PREVIEW_CONFIRM)
    return str(element["value"])


def opened(slack: FakeSlack, count: int = 1) -> dict[str, Any]:
    view: dict[str, Any] = slack.wait_for("views.open", count=count)[count - 1].body["view"]
    return view


def edit_item(
    driver: SlackDriver, slack: FakeSlack, preview: dict[str, Any], value: str | None = None, count: int = 1
) -> dict[str, Any]:
    """*Edit* pressed by the preview's author (on its first item, or the one `value` names): the modal
    opened, the `count`-th views.open of the test."""
    press_in(driver, preview, DM, PREVIEW_EDIT, user=OTHER_USER, value=value)
    return opened(slack, count)


def element_of(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    [block] = [block for block in view["blocks"] if block.get("block_id") == block_id]
    element: dict[str, Any] = block["element"]
    return element


def parked(db: Database, preview: str) -> previews.Parked | None:
    with db.transaction() as session:
        return previews.peek(session, TEAM, preview)


def yamada_preview(driver: SlackDriver, slack: FakeSlack, db: Database) -> dict[str, Any]:
    make_account(db, "山田商事", OTHER_USER)
    direct_message(driver, "昨日山田商事の部長と会食。来月提案予定")
    preview = the_preview(slack)
    settle(slack)
    return preview


def test_edit_opens_a_modal_prefilled_with_the_item(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    preview = yamada_preview(driver, slack, db)
    edits = [
        block["accessory"]
        for block in preview["blocks"]
        if block.get("accessory", {}).get("action_id") == PREVIEW_EDIT
    ]
    assert [json.loads(e["value"])["k"] for e in edits] == ["activity", "followup"], edits
    assert edits[0]["text"]["text"] == "修正"

    view = edit_item(driver, slack, preview)
    assert view["callback_id"] == PREVIEW_ITEM_CALLBACK
    assert element_of(view, "account")["initial_value"] == "山田商事"
    assert element_of(view, "kind")["initial_option"]["value"] == "meal"
    assert element_of(view, "date")["initial_date"] == "2026-11-21"
    metadata = json.loads(view["private_metadata"])
    assert metadata == {"p": preview_id(preview), "k": "activity", "i": 0, "c": DM, "t": preview["ts"]}

    followup = preview_item_value(preview_id(preview), "followup", 0)
    view = edit_item(driver, slack, preview, followup, count=2)
    assert element_of(view, "date")["initial_date"] == "2026-12-01"
    assert element_of(view, "note")["initial_value"] == "提案"


def test_a_bad_date_is_refused_inline_and_changes_nothing(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    preview = yamada_preview(driver, slack, db)
    view = edit_item(driver, slack, preview)
    before, payload = every_row(db), parked(db, preview_id(preview))

    answer = driver.submit(
        view, activity_values("山田商事", "visit", "2026-11-23", amount="12x"), user=OTHER_USER
    )
    errors = answer.json()["errors"]
    assert answer.json()["response_action"] == "errors"
    assert set(errors) == {"date", "amount"}, errors
    assert "2026-11-23" in errors["date"] and "未来" in errors["date"], errors

    settle(slack)
    assert every_row(db) == before
    assert parked(db, preview_id(preview)) == payload
    assert slack.calls_to("chat.update") == []


def test_a_good_edit_rewrites_the_preview_and_log_all_stores_the_edited_values(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    preview = yamada_preview(driver, slack, db)
    view = edit_item(driver, slack, preview)
    before = every_row(db)

    values = activity_values("山田商事", "visit", "2026-11-20", amount="120万", note="部長と面談")
    answer = driver.submit(view, values, user=OTHER_USER)
    assert not answer.body or answer.json().get("response_action") is None, answer
    [update] = [c.body for c in slack.wait_for("chat.update")]
    assert (update["channel"], update["ts"]) == (DM, preview["ts"])
    body = text_of(update)
    assert "修正しました" in body and "訪問" in body and "部長と面談" in body, body
    assert "会食" not in body, body
    settle(slack)
    assert every_row(db) == before  # only the parked preview changed

    rewritten = {**update, "ts": preview["ts"]}
    _sent, key = press_in(driver, rewritten, DM, PREVIEW_CONFIRM, user=OTHER_USER)
    driver.reply(key)
    [yamada] = all_accounts(db)
    assert [(a.kind, a.occurred_on, a.amount, a.note) for a in activities_of(db, yamada.id)] == [
        ("visit", date(2026, 11, 20), 1_200_000, "部長と面談")
    ]
    assert [f.due_on for f in followups(db)] == [date(2026, 12, 1)]


def test_a_follow_up_edit_moves_its_date_and_a_past_date_is_refused(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    preview = yamada_preview(driver, slack, db)
    followup = preview_item_value(preview_id(preview), "followup", 0)
    view = edit_item(driver, slack, preview, followup)

    def values(day: str) -> dict[str, dict[str, Any]]:
        return {
            "account": {"account_name": {"type": "plain_text_input", "value": "山田商事"}},
            "date": {"date": {"type": "datepicker", "selected_date": day}},
            "note": {"note": {"type": "plain_text_input", "value": "見積を再提出"}},
        }

    refused = driver.submit(view, values("2026-11-21"), user=OTHER_USER)
    assert set(refused.json()["errors"]) == {"date"}
    driver.submit(view, values("2026-11-27"), user=OTHER_USER)
    slack.wait_for("chat.update")
    settle(slack)

    _sent, key = press_in(driver, preview, DM, PREVIEW_CONFIRM, user=OTHER_USER)
    driver.reply(key)
    assert [(f.due_on, f.note) for f in followups(db)] == [(date(2026, 11, 27), "見積を再提出")]


def test_another_users_edit_is_refused(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    preview = yamada_preview(driver, slack, db)
    _sent, key = press_in(driver, preview, DM, PREVIEW_EDIT, user=USER)
    assert "Only the person who wrote the message" in text_of(driver.reply(key))
    settle(slack)
    assert slack.calls_to("views.open") == []

    # A modal opened by the author, submitted by someone else (a forged submission): refused too.
    view = edit_item(driver, slack, preview)
    payload = parked(db, preview_id(preview))
    answer = driver.submit(view, activity_values("山田商事", "visit", "2026-11-20"), user=USER)
    assert "Only the person who wrote the message" in answer.json()["errors"]["account"]
    assert parked(db, preview_id(preview)) == payload


def test_editing_an_answered_preview_says_so(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    preview = yamada_preview(driver, slack, db)
    view = edit_item(driver, slack, preview)
    _sent, key = press_in(driver, preview, DM, PREVIEW_CONFIRM, user=OTHER_USER)
    driver.reply(key)
    settle(slack)
    stored = every_row(db)

    answer = driver.submit(view, activity_values("山田商事", "visit", "2026-11-20"), user=OTHER_USER)
    assert "回答済み" in answer.json()["errors"]["account"], answer.json()
    _sent, again = press_in(driver, preview, DM, PREVIEW_EDIT, user=OTHER_USER)
    assert "回答済み" in text_of(driver.reply(again))
    settle(slack)
    assert every_row(db) == stored
    assert len(slack.calls_to("views.open")) == 1


def test_an_ephemeral_preview_is_rewritten_through_the_response_url_and_a_new_name_is_a_new_account(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    make_account(db, "山田商事", OTHER_USER)
    body = event("app_mention", OTHER_USER, "<@UBOT> 今日山田商事に訪問", "C0SALES", "1763770000.000400")
    assert driver.event(body).status == 200
    assert eventually(lambda: slack.calls_to("chat.postEphemeral"))
    [preview] = [c.body for c in slack.calls_to("chat.postEphemeral")]
    settle(slack)

    _sent, key = driver.press(preview, PREVIEW_EDIT, user=OTHER_USER)
    view = opened(slack)
    assert "r" in json.loads(view["private_metadata"])
    driver.submit(view, activity_values("株式会社青葉", "call", "2026-11-22"), user=OTHER_USER)
    rewritten = driver.reply(key)
    assert rewritten.get("replace_original") is True, rewritten
    assert "株式会社青葉" in text_of(rewritten) and "新しい取引先" in text_of(rewritten), text_of(rewritten)
    settle(slack)
    assert [a.name for a in all_accounts(db)] == ["山田商事"]

    _sent, confirmed = driver.press(rewritten, PREVIEW_CONFIRM, user=OTHER_USER)
    driver.reply(confirmed)
    [created] = [a for a in all_accounts(db) if a.name != "山田商事"]
    assert created.name == "株式会社青葉"
    assert [(a.kind, a.occurred_on) for a in activities_of(db, created.id)] == [("call", date(2026, 11, 22))]


def test_add_turns_an_unread_sentence_into_an_item_with_what_was_understood(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    make_account(db, "山田商事", OTHER_USER)
    direct_message(driver, "今日山田に訪問。来週提案予定")
    preview = the_preview(slack)
    settle(slack)
    adds = [
        b["accessory"] for b in preview["blocks"] if b.get("accessory", {}).get("action_id") == PREVIEW_ADD
    ]
    assert [a["text"]["text"] for a in adds] == ["追加", "追加"], preview["blocks"]
    assert not any(block.get("type") == "actions" for block in preview["blocks"])  # nothing to log yet
    before = every_row(db)

    press_in(driver, preview, DM, PREVIEW_ADD, user=OTHER_USER, value=adds[0]["value"])
    view = opened(slack)
    assert "initial_value" not in element_of(view, "account")
    assert element_of(view, "kind")["initial_option"]["value"] == "visit"
    assert element_of(view, "date")["initial_date"] == "2026-11-22"
    assert element_of(view, "note")["initial_value"] == "今日山田に訪問"
    assert set(
        driver.submit(view, activity_values("", "visit", "2026-11-22"), user=OTHER_USER).json()["errors"]
    ) == {"account"}
    driver.submit(
        view, activity_values("山田商事", "visit", "2026-11-22", note="今日山田に訪問"), user=OTHER_USER
    )
    [update] = [c.body for c in slack.wait_for("chat.update")]
    find_button(update, PREVIEW_CONFIRM)
    assert text_of(update).count("❓") == 1 and "来週提案予定" in text_of(update), text_of(update)
    [left] = [
        b["accessory"] for b in update["blocks"] if b.get("accessory", {}).get("action_id") == PREVIEW_ADD
    ]
    settle(slack)
    assert every_row(db) == before

    # The sentence resolved already: its stale *Add* changes nothing.
    _sent, stale = press_in(driver, preview, DM, PREVIEW_ADD, user=OTHER_USER, value=adds[0]["value"])
    assert "回答済み" in text_of(driver.reply(stale))

    rewritten = {**update, "ts": preview["ts"]}
    press_in(driver, rewritten, DM, PREVIEW_ADD, user=OTHER_USER, value=left["value"])
    view = opened(slack, 2)
    assert element_of(view, "date")["initial_date"] == "2026-11-23"
    assert element_of(view, "note")["initial_value"] == "提案"
    driver.submit(
        view,
        {
            "account": {"account_name": {"type": "plain_text_input", "value": "山田商事"}},
            "date": {"date": {"type": "datepicker", "selected_date": "2026-11-24"}},
            "note": {"note": {"type": "plain_text_input", "value": "提案"}},
        },
        user=OTHER_USER,
    )
    slack.wait_for("chat.update", count=2)
    settle(slack)

    _sent, key = press_in(driver, rewritten, DM, PREVIEW_CONFIRM, user=OTHER_USER)
    driver.reply(key)
    [yamada] = all_accounts(db)
    assert [(a.kind, a.occurred_on) for a in activities_of(db, yamada.id)] == [("visit", date(2026, 11, 22))]
    assert [(f.due_on, f.note) for f in followups(db)] == [(date(2026, 11, 24), "提案")]
