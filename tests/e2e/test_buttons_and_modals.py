"""Buttons, modals and the account type-ahead end to end: "did you mean…?", the log modals, the account
card's buttons, the account picker and sharing a pyramid.

Every test checks what was stored and what the bot sent back (HTTP answer, response URL or Web API call).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from bot.db import Database
from bot.domain.stages import Step
from tests.support.database import account_named, activities_of, all_accounts, row_counts
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_TEAM, OTHER_USER, USER
from tests.support.slack_driver import SlackDriver, find_button, option, text_of

TODAY = date(2026, 11, 22)


# --------------------------------------------------------------------------------------------- helpers


def log_values(
    account: str,
    kind: str,
    on: str | None = "2026-11-22",
    *,
    note: str | None = None,
    amount: str | None = None,
    revisit: str | None = None,
    deal: bool = False,
) -> dict[str, dict[str, Any]]:
    """A log modal's state.values, shaped as Slack sends them (optional inputs present but empty)."""
    values: dict[str, dict[str, Any]] = {
        "account": {"account_select": {"type": "external_select", "selected_option": option(account)}},
        "kind": {"kind": {"type": "radio_buttons", "selected_option": option(kind)}},
        "date": {"date": {"type": "datepicker", "selected_date": on}},
        "note": {"note": {"type": "plain_text_input", "value": note}},
    }
    if deal:
        values["amount"] = {"amount": {"type": "plain_text_input", "value": amount}}
        values["revisit"] = {"revisit": {"type": "datepicker", "selected_date": revisit}}
    return values


def opened_view(slack: FakeSlack, count: int = 1) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the views.open call's body, its view) of the `count`-th modal opened."""
    call = slack.wait_for("views.open", count=count)[count - 1]
    return call.body, call.body["view"]


def open_meeting_modal(driver: SlackDriver, slack: FakeSlack, command: str = "/meeting") -> dict[str, Any]:
    opened_before = len(slack.calls_to("views.open"))
    sent, _ = driver.command(command, "")
    assert sent.status == 200
    _, view = opened_view(slack, opened_before + 1)
    return view


# --------------------------------------------------------------------------------------------- near match


def ask_about_acme_tradin(
    driver: SlackDriver, db: Database, text: str = "Acme Tradin visit"
) -> dict[str, Any]:
    driver.run("/meeting", '"Acme Trading" visit 2026-11-01')
    question = driver.run("/meeting", text)
    assert "No account is called *Acme Tradin*. Did you mean one of these?" in text_of(question)
    # Nothing is logged while the question is open; the request is parked.
    counts = row_counts(db)
    assert (counts["Account"], counts["Activity"], counts["PendingRequest"]) == (1, 1, 1)
    return question


def test_near_match_use_logs_on_the_existing_account_once(driver: SlackDriver, db: Database) -> None:
    question = ask_about_acme_tradin(driver, db)
    acme = account_named(db, "Acme Trading")
    use, _ = find_button(question, "near_match_use_0")
    assert json.loads(use["value"])["a"] == acme.id
    assert use["text"]["text"] == "Use Acme Trading"
    create, _ = find_button(question, "near_match_create")
    assert create["text"]["text"] == 'Create "Acme Tradin"'

    sent, key = driver.press(question, "near_match_use_0")
    assert sent.status == 200
    answer = driver.reply(key)

    assert answer.get("replace_original") is True, answer
    assert "Logged a visit with *Acme Trading* on 2026-11-22" in text_of(answer), text_of(answer)
    assert "Moved up: 1.3 met once → 2.1 met twice" in text_of(answer)
    activities = activities_of(db, acme.id)
    assert [a.occurred_on for a in activities] == [date(2026, 11, 1), TODAY]
    assert activities[-1].request_key and activities[-1].request_key.startswith("command:")
    assert account_named(db, "Acme Trading").step == Step.MET_TWICE.value
    assert row_counts(db) == {"Account": 1, "Activity": 2, "StepChange": 2, "PendingRequest": 0}

    # A second press of the same button does nothing more and says so.
    sent, key = driver.press(question, "near_match_use_0")
    again = driver.reply(key)
    assert "That choice has already been made." in text_of(again)
    assert row_counts(db) == {"Account": 1, "Activity": 2, "StepChange": 2, "PendingRequest": 0}
    # ...nor does the other button of the answered question.
    sent, key = driver.press(question, "near_match_create")
    assert "already been made" in text_of(driver.reply(key))
    assert row_counts(db) == {"Account": 1, "Activity": 2, "StepChange": 2, "PendingRequest": 0}


def test_near_match_create_makes_the_new_account(driver: SlackDriver, db: Database) -> None:
    question = ask_about_acme_tradin(driver, db, "Acme Tradin call -- different company")

    _, key = driver.press(question, "near_match_create")
    answer = driver.reply(key)

    new = account_named(db, "Acme Tradin")
    [activity] = activities_of(db, new.id)
    assert (activity.kind, activity.note, new.owner_id, new.step) == (
        "call",
        "different company",
        USER,
        "remote",
    )
    assert len(activities_of(db, account_named(db, "Acme Trading").id)) == 1
    assert answer.get("replace_original") is True
    assert "New account *Acme Tradin* created" in text_of(answer), text_of(answer)
    assert row_counts(db)["PendingRequest"] == 0

    _, key = driver.press(question, "near_match_create")
    assert "already been made" in text_of(driver.reply(key))
    assert len(all_accounts(db)) == 2


def test_near_match_for_a_deal_in_japanese_keeps_the_amount(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "アクメ商事 訪問", user=OTHER_USER)
    question = driver.run("/deal", "アクメ商 受注 120万 -- 初回", user=OTHER_USER)
    assert "*アクメ商* という取引先はありません。こちらのことでしょうか？" in text_of(question)
    use, _ = find_button(question, "near_match_use_0")
    assert use["text"]["text"] == "アクメ商事 に記録"

    _, key = driver.press(question, "near_match_use_0", user=OTHER_USER)
    answer = driver.reply(key)

    account = account_named(db, "アクメ商事")
    won = activities_of(db, account.id)[-1]
    assert (won.kind, won.amount, won.note, won.user_id) == ("won", 1_200_000, "初回", OTHER_USER)
    assert account.step == Step.WON.value
    assert "金額：120万円" in text_of(answer)
    assert len(all_accounts(db)) == 1


# --------------------------------------------------------------------------------------------- log modals


def test_meeting_with_no_text_opens_a_modal_and_its_submission_logs(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    sent, key = driver.command("/meeting", "", trigger_id="trig.modal-1", channel="C0DEALS")
    assert sent.status == 200
    call, view = opened_view(slack)
    assert call["trigger_id"] == "trig.modal-1"
    assert view["callback_id"] == "log_meeting"
    assert [b["block_id"] for b in view["blocks"]] == ["account", "kind", "date", "note"]
    assert view["blocks"][0]["element"]["type"] == "external_select"
    assert view["blocks"][0]["element"]["action_id"] == "account_select"
    assert view["blocks"][2]["element"]["initial_date"] == "2026-11-22"
    assert json.loads(view["private_metadata"]) == {"channel": "C0DEALS"}
    assert row_counts(db)["Account"] == 0

    answer = driver.submit(view, log_values("new:Globex", "meal", "2026-11-20", note="lunch with the CFO"))
    assert answer.status == 200
    assert not answer.body or answer.json().get("response_action") is None, answer

    [posted] = slack.wait_for("chat.postEphemeral")
    assert (posted.body["channel"], posted.body["user"]) == ("C0DEALS", USER)
    body = text_of(posted.body)
    assert "Logged a meal with *Globex* on 2026-11-20" in body, body
    assert "lunch with the CFO" in body
    globex = account_named(db, "Globex")
    [activity] = activities_of(db, globex.id)
    assert (activity.kind, activity.occurred_on, activity.note) == (
        "meal",
        date(2026, 11, 20),
        "lunch with the CFO",
    )
    assert activity.request_key and activity.request_key.startswith("view:")
    assert globex.step == Step.DINED.value
    assert slack.calls_to("response_url") == []  # the result went to the channel, not a response URL


def test_modal_with_a_future_date_is_refused_inline(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    view = open_meeting_modal(driver, slack)

    answer = driver.submit(view, log_values("new:Globex", "visit", "2026-11-23"))

    assert answer.status == 200
    assert answer.json()["response_action"] == "errors"
    assert set(answer.json()["errors"]) == {"date"}
    assert "2026-11-23 is in the future" in answer.json()["errors"]["date"]
    assert row_counts(db) == {"Account": 0, "Activity": 0, "StepChange": 0, "PendingRequest": 0}
    assert slack.calls_to("chat.postEphemeral") == []


@pytest.mark.parametrize(
    ("values", "block", "message"),
    [
        (log_values("new:Globex", "won", deal=True, amount="12abc"), "amount", '"12abc" is not an amount'),
        (
            log_values("new:Globex", "won", deal=True, revisit="2027-01-01"),
            "revisit",
            "goes with a lost deal",
        ),
        (log_values("new:Globex", "lost", deal=True, revisit="2026-11-01"), "revisit", "is in the past"),
        (log_values("new:Globex", "visit", deal=True), "kind", "Say what happened"),
        (log_values("new:Globex", "won", deal=True, note="n" * 1001), "note", "the limit is 1000"),
    ],
)
def test_deal_modal_bad_fields_are_refused_inline(
    driver: SlackDriver, slack: FakeSlack, db: Database, values: dict[str, Any], block: str, message: str
) -> None:
    view = open_meeting_modal(driver, slack, "/deal")
    assert view["callback_id"] == "log_deal"

    answer = driver.submit(view, values)

    assert answer.json()["response_action"] == "errors", answer
    assert message in answer.json()["errors"][block], answer.json()
    assert row_counts(db) == {"Account": 0, "Activity": 0, "StepChange": 0, "PendingRequest": 0}


def test_deal_modal_with_a_japanese_amount(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    view = open_meeting_modal(driver, slack, "/deal")
    blocks = [b["block_id"] for b in view["blocks"]]
    assert blocks == ["account", "kind", "date", "amount", "revisit", "lost_reason", "note"]

    answer = driver.submit(view, log_values("new:Initech", "won", "2026-11-21", amount="120万", deal=True))
    assert answer.status == 200

    [posted] = slack.wait_for("chat.postEphemeral")
    assert "Amount: ¥1,200,000" in text_of(posted.body)
    assert "Moved up: 1.1 name only → 3.1 one deal won" in text_of(posted.body)
    initech = account_named(db, "Initech")
    [activity] = activities_of(db, initech.id)
    assert (activity.kind, activity.amount, activity.occurred_on) == ("won", 1_200_000, date(2026, 11, 21))
    assert type(activity.amount) is int


def test_the_same_view_submitted_twice_stores_one_activity(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    view = open_meeting_modal(driver, slack)
    values = log_values("new:Globex", "visit")

    driver.submit(view, values, view_id="V0SAME")
    slack.wait_for("chat.postEphemeral", count=1)
    driver.submit(view, values, view_id="V0SAME")
    second = slack.wait_for("chat.postEphemeral", count=2)[1]

    assert row_counts(db) == {"Account": 1, "Activity": 1, "StepChange": 1, "PendingRequest": 0}
    assert account_named(db, "Globex").in_person_meetings == 1
    assert "Already logged" in text_of(second.body), text_of(second.body)

    # A different view (another modal) is another log.
    driver.submit(view, values, view_id="V0OTHER")
    slack.wait_for("chat.postEphemeral", count=3)
    assert row_counts(db)["Activity"] == 2


def test_modal_result_falls_back_to_a_dm_when_the_channel_refuses(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    view = open_meeting_modal(driver, slack)
    slack.fail_next("chat.postEphemeral", status=200, retry_after=None, error="channel_not_found")

    driver.submit(view, log_values("new:Globex", "call"))

    [dm] = slack.wait_for("chat.postMessage")
    assert dm.body["channel"] == USER
    assert "Logged a call with *Globex*" in text_of(dm.body)
    assert row_counts(db)["Activity"] == 1


def test_modal_in_japanese_for_the_japanese_user(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    sent, _ = driver.command("/deal", "", user=OTHER_USER)
    _, view = opened_view(slack)
    assert view["title"]["text"] == "商談結果を記録"
    kinds = [o["text"]["text"] for o in view["blocks"][1]["element"]["options"]]
    assert kinds == ["提案", "受注", "失注"]

    driver.submit(view, log_values("new:アクメ商事", "proposed", deal=True), user=OTHER_USER)
    [posted] = slack.wait_for("chat.postEphemeral")
    assert "*アクメ商事* の提案を11/22(日)付けで記録しました。" in text_of(posted.body)
    assert account_named(db, "アクメ商事").step == Step.PROPOSED.value


@pytest.mark.parametrize(
    ("user", "apology"),
    [
        (USER, "Sorry, something went wrong and nothing was stored."),
        pytest.param(OTHER_USER, "申し訳ありません。エラーが発生したため、何も保存していません（エラーID："),
    ],
)
def test_a_modal_that_cannot_open_gets_an_apology_in_the_users_language(
    driver: SlackDriver, slack: FakeSlack, db: Database, user: str, apology: str
) -> None:
    # Slack refuses a trigger older than 3 seconds.
    slack.fail_next("views.open", status=200, retry_after=None, error="expired_trigger_id")

    sent, key = driver.command("/meeting", "", user=user)
    reply = driver.reply(key)

    assert sent.status == 200
    assert reply["response_type"] == "ephemeral"
    assert apology in text_of(reply), text_of(reply)
    assert row_counts(db) == {"Account": 0, "Activity": 0, "StepChange": 0, "PendingRequest": 0}


# --------------------------------------------------------------------------------------------- card buttons


def test_card_buttons_open_the_log_modals_with_the_account_preselected(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    driver.run("/meeting", "Acme visit")
    card = driver.run("/account", "Acme")
    acme = account_named(db, "Acme")

    sent, _ = driver.press(card, "open_log_meeting")
    assert sent.status == 200
    call, view = opened_view(slack)
    assert call["trigger_id"].startswith("trig.")
    assert view["callback_id"] == "log_meeting"
    initial = view["blocks"][0]["element"]["initial_option"]
    assert initial["value"] == str(acme.id)
    assert initial["text"]["text"] == "Acme"

    driver.submit(view, log_values(initial["value"], "visit", note="second visit"))
    [posted] = slack.wait_for("chat.postEphemeral")
    assert "New stage: Acquaintance → Prospect!" in text_of(posted.body)
    assert [a.kind for a in activities_of(db, acme.id)] == ["visit", "visit"]
    assert account_named(db, "Acme").step == Step.MET_TWICE.value

    driver.press(card, "open_log_deal")
    _, deal_view = opened_view(slack, 2)
    assert deal_view["callback_id"] == "log_deal"
    assert deal_view["blocks"][0]["element"]["initial_option"]["value"] == str(acme.id)
    assert len(all_accounts(db)) == 1


def test_show_account_button_of_the_which_account_question(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme Trading visit")
    question = driver.run("/account", "Acme Tradin")

    _, key = driver.press(question, "show_account_0")
    card = driver.reply(key)

    assert card.get("replace_original") is True
    assert card["blocks"][0]["text"]["text"] == "Acme Trading"
    assert "*Step* 1.3 met once" in text_of(card)
    assert row_counts(db)["Account"] == 1


# --------------------------------------------------------------------------------------------- type-ahead


def test_account_typeahead_lists_only_the_team_and_offers_a_new_account(
    driver: SlackDriver, db: Database
) -> None:
    driver.run("/meeting", "Acme Trading visit")
    driver.run("/meeting", "Acme Foods visit")
    driver.run("/meeting", "Globex visit")
    driver.run("/meeting", "Acme Global visit", team=OTHER_TEAM)
    ours = {a.name: str(a.id) for a in all_accounts(db)}
    [theirs] = all_accounts(db, OTHER_TEAM)

    answer = driver.options("account_select", "acme")

    assert answer.status == 200
    options = answer.json()["options"]
    values = [o["value"] for o in options]
    assert values[0] == "new:acme"
    assert "New account: acme" in options[0]["text"]["text"]
    assert sorted(values[1:]) == sorted([ours["Acme Trading"], ours["Acme Foods"]])
    assert str(theirs.id) not in values
    assert ours["Globex"] not in values

    # The exact name is not offered as new; the other team sees only its own account.
    exact = [o["value"] for o in driver.options("account_select", "Acme Foods").json()["options"]]
    assert exact == [ours["Acme Foods"]]
    other = [o["value"] for o in driver.options("account_select", "acme", team=OTHER_TEAM).json()["options"]]
    assert other == ["new:acme", str(theirs.id)]
    assert row_counts(db)["Account"] == 4  # asking stores nothing


# --------------------------------------------------------------------------------------------- sharing


def test_share_pyramid_posts_it_in_the_channel(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")
    driver.run("/deal", "Globex won")
    mine = driver.run("/pyramid")
    assert mine["response_type"] == "ephemeral"

    sent, key = driver.press(mine, "share_pyramid")
    assert sent.status == 200
    shared = driver.reply(key)

    assert shared["response_type"] == "in_channel", shared
    assert shared.get("replace_original") is False
    assert shared["text"] == "Team pyramid — 4: 0 · 3: 1 · 2: 0 · 1: 1"
    assert "Shared by <@U0REP1>" in text_of(shared)
    with pytest.raises(AssertionError):
        find_button(shared, "share_pyramid")  # the channel's copy cannot be shared again
    assert row_counts(db)["Account"] == 2


def test_a_shared_personal_pyramid_names_its_owner(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")
    mine = driver.run("/pyramid", "me")
    assert mine["text"].startswith("Your pyramid")

    _, key = driver.press(mine, "share_pyramid")
    shared = driver.reply(key)

    assert shared["response_type"] == "in_channel"
    assert shared["text"].startswith("Pyramid of <@U0REP1>"), shared["text"]


# --------------------------------------------------------------------------------------------- account picker


def test_account_with_no_text_opens_the_picker_and_submitting_posts_the_card(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    driver.run("/deal", "Acme won 1.2M")
    acme = account_named(db, "Acme")
    sent, _ = driver.command("/account", "", trigger_id="trig.picker")
    assert sent.status == 200
    call, view = opened_view(slack)
    assert call["trigger_id"] == "trig.picker"
    assert view["callback_id"] == "show_account"
    assert view["blocks"][0]["element"]["action_id"] == "account_select"

    # Choosing "new account" in the picker is refused inline: the picker only opens existing accounts.
    refused = driver.submit(view, {"account": {"account_select": {"selected_option": option("new:Nope")}}})
    assert refused.json()["response_action"] == "errors"
    assert "account" in refused.json()["errors"]

    answer = driver.submit(view, {"account": {"account_select": {"selected_option": option(str(acme.id))}}})
    assert answer.status == 200
    [posted] = slack.wait_for("chat.postEphemeral")
    assert (posted.body["channel"], posted.body["user"]) == ("C0SALES", USER)
    assert posted.body["blocks"][0]["text"]["text"] == "Acme"
    assert "*Step* 3.1 one deal won" in text_of(posted.body)
    assert "won deal ¥1,200,000" in text_of(posted.body)
    find_button(posted.body, "open_log_meeting")
    assert row_counts(db) == {"Account": 1, "Activity": 1, "StepChange": 1, "PendingRequest": 0}
