"""Logging in plain words end to end (issue 14): a DM to the bot, a mention of it and the message
shortcut, through signed events and interaction payloads against the fake Web API. Nothing is stored
until the author presses *Log all*; pressing twice stores once; a retried event is previewed once;
*Cancel* and another user's press store nothing.

The clock stands at Sunday 2026-11-22 10:00 Asia/Tokyo; OTHER_USER's Slack locale is Japanese.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

from bot.db import Database
from bot.interactions import LOG_SHORTCUT, PREVIEW_CANCEL, PREVIEW_CONFIRM
from bot.services import accounts
from tests.support.database import activities_of, all_accounts, every_row, followups
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_USER, TEAM, USER
from tests.support.slack_driver import (
    Sent,
    SlackDriver,
    eventually,
    find_button,
    interaction,
    press_in,
    settle,
    text_of,
)

DM = "D" + OTHER_USER
NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


def make_account(db: Database, name: str, owner: str) -> None:
    with db.transaction() as session:
        accounts.create_account(session, TEAM, name, owner, now=NOW, today=date(2026, 11, 1))


def event(kind: str, user: str, text: str, channel: str, ts: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "event_callback",
        "team_id": TEAM,
        "api_app_id": "A0PYRAMID",
        "event": {
            "type": kind,
            "user": user,
            "text": text,
            "channel": channel,
            "ts": ts,
            "event_ts": ts,
            **extra,
        },
        "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": 1,
        "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
    }


def direct_message(driver: SlackDriver, text: str, ts: str = "1763770000.000100", **headers: str) -> Sent:
    body = event("message", OTHER_USER, text, DM, ts, channel_type="im")
    sent = driver.event(body, headers=headers or None)
    assert sent.status == 200, sent
    return sent


def dm_posts(slack: FakeSlack) -> list[dict[str, Any]]:
    return [c.body for c in slack.calls_to("chat.postMessage") if c.body.get("channel") == DM]


def the_preview(slack: FakeSlack) -> dict[str, Any]:
    assert eventually(lambda: dm_posts(slack)), [c.method for c in slack.calls]
    [posted] = dm_posts(slack)
    return {**posted, "ts": "1763770001.000200"}


def test_a_dm_is_previewed_and_stored_only_on_log_all_once(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    make_account(db, "山田商事", OTHER_USER)
    before = every_row(db)
    direct_message(driver, "昨日山田商事の部長と会食。来月提案予定")
    preview = the_preview(slack)
    body = text_of(preview)
    assert "*山田商事*" in body and "会食" in body, body
    assert "「すべて記録」を押すまで何も記録しません" in body, body
    find_button(preview, PREVIEW_CONFIRM)
    settle(slack)
    assert every_row(db) == {**before, "previews": 1}  # only the preview is parked

    _sent, key = press_in(driver, preview, DM, PREVIEW_CONFIRM, user=OTHER_USER)
    stored = driver.reply(key)
    assert stored.get("replace_original") is True, stored
    assert "11/21(土)" in text_of(stored), text_of(stored)
    [yamada] = all_accounts(db)
    assert [(a.kind, a.occurred_on) for a in activities_of(db, yamada.id)] == [("meal", date(2026, 11, 21))]
    assert [(f.due_on, f.note) for f in followups(db)] == [(date(2026, 12, 1), "提案")]

    settle(slack)
    _sent, again = press_in(driver, preview, DM, PREVIEW_CONFIRM, user=OTHER_USER)
    assert "回答済み" in text_of(driver.reply(again))
    assert len(activities_of(db, yamada.id)) == 1
    assert len(followups(db)) == 1


def test_a_retried_event_is_previewed_once(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    make_account(db, "山田商事", OTHER_USER)
    direct_message(driver, "今日山田商事に訪問", ts="1763770000.000300")
    direct_message(
        driver,
        "今日山田商事に訪問",
        ts="1763770000.000300",
        **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    settle(slack)
    assert len(dm_posts(slack)) == 1


def test_only_the_author_can_log_the_preview(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    make_account(db, "山田商事", OTHER_USER)
    direct_message(driver, "今日山田商事に訪問")
    preview = the_preview(slack)
    settle(slack)
    before = every_row(db)
    _sent, key = press_in(driver, preview, DM, PREVIEW_CONFIRM, user=USER)
    assert "Only the person who wrote the message" in text_of(driver.reply(key))
    assert every_row(db) == before


def test_a_mention_previews_to_the_rep_alone_and_a_new_company_is_created_only_on_confirm(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    body = event(
        "app_mention",
        OTHER_USER,
        "<@UBOT> 今日株式会社ABC物流に訪問、見積提出",
        "C0SALES",
        "1763770000.000400",
    )
    assert driver.event(body).status == 200
    assert eventually(lambda: slack.calls_to("chat.postEphemeral"))
    [ephemeral] = [c.body for c in slack.calls_to("chat.postEphemeral")]
    assert (ephemeral["channel"], ephemeral["user"]) == ("C0SALES", OTHER_USER)
    assert "ABC物流" in text_of(ephemeral) and "新しい取引先" in text_of(ephemeral), text_of(ephemeral)
    settle(slack)
    assert all_accounts(db) == []

    _sent, key = driver.press(ephemeral, PREVIEW_CONFIRM, user=OTHER_USER)
    driver.reply(key)
    [created] = all_accounts(db)
    assert created.owner_id == OTHER_USER
    assert {a.kind for a in activities_of(db, created.id)} >= {"proposed"}


def test_the_message_shortcut_reads_that_message_and_cancel_stores_nothing(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    make_account(db, "Acme", USER)
    key = uuid.uuid4().hex[:10]
    payload = {
        **interaction("message_action", USER, TEAM),
        "callback_id": LOG_SHORTCUT,
        "channel": {"id": "C0SALES", "name": "sales"},
        "message": {
            "type": "message",
            "user": "U0CUSTOMER",
            "ts": "1763770000.000500",
            "text": "Had lunch with Acme yesterday",
        },
        "response_url": slack.response_url(key),
        "message_ts": "1763770000.000500",
    }
    assert driver.payload(payload).status == 200
    preview = driver.reply(key)
    assert preview.get("response_type") == "ephemeral"
    assert "*Acme*" in text_of(preview) and "meal" in text_of(preview), text_of(preview)
    settle(slack)
    before = every_row(db)

    _sent, cancelled = driver.press(preview, PREVIEW_CANCEL)
    assert "nothing was stored" in text_of(driver.reply(cancelled))
    assert every_row(db) == {**before, "previews": 0}


def test_a_message_with_nothing_to_log_says_so(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    direct_message(driver, "おはようございます！今日もよろしくお願いします")
    preview = the_preview(slack)
    assert "記録する内容が見つかりませんでした" in text_of(preview), text_of(preview)
    assert not any(block.get("type") == "actions" for block in preview.get("blocks", []))


def test_the_bots_own_posts_and_edits_are_not_read(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    own = event("message", "UBOT", "Logged", DM, "1763770000.000600", channel_type="im", bot_id="B0BOT")
    edited = event(
        "message", OTHER_USER, "x", DM, "1763770000.000700", channel_type="im", subtype="message_changed"
    )
    for body in (own, edited):
        assert driver.event(body).status == 200
    settle(slack)
    assert dm_posts(slack) == []
    assert json.dumps(every_row(db)).count('"previews": 0') == 1
