"""The App Home tab end to end (issue): published on app_home_opened with the rep's own pyramid, the
follow-ups due with their buttons, pending recoveries and lapsing accounts, and quick buttons to log;
republished after the rep's actions, including a press of Done on the home tab itself.

The clock stands at Sunday 2026-11-22 10:00 Asia/Tokyo; both users are in Tokyo.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import pytest
from slack_sdk.models.views import View
from sqlalchemy import select

from bot.db import Database
from bot.models import Account
from tests.support import factories
from tests.support.database import followup_named, the_recovery
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_TEAM, OTHER_USER, TEAM, USER
from tests.support.slack_driver import (
    Sent,
    SlackDriver,
    drawn_pyramid,
    eventually,
    find_button,
    press_home,
    settle,
    text_of,
)

T = TypeVar("T")
NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)


# --------------------------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def _every_published_view_is_valid(driver: SlackDriver, slack: FakeSlack) -> Iterator[None]:
    """Whatever a test does, every home the bot published passes the SDK's Block Kit validation."""
    yield
    settle(slack)
    for call in slack.calls_to("views.publish"):
        assert_valid_home(call.body["view"])


def assert_valid_home(view: dict[str, Any]) -> None:
    assert view["type"] == "home"
    assert len(view["blocks"]) <= 100
    View(**view).validate_json()
    block_ids = [block["block_id"] for block in view["blocks"] if block.get("block_id")]
    assert len(block_ids) == len(set(block_ids)), block_ids


def open_home(driver: SlackDriver, user: str = USER, team: str = TEAM, tab: str = "home") -> Sent:
    body = {
        "type": "event_callback",
        "team_id": team,
        "api_app_id": "A0PYRAMID",
        "event": {"type": "app_home_opened", "user": user, "channel": "D0X", "tab": tab, "event_ts": "1.2"},
        "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": 1,
    }
    sent = driver.post(json.dumps(body), content_type="application/json")
    assert sent.status == 200, sent
    return sent


def publishes(slack: FakeSlack, user: str = USER) -> list[dict[str, Any]]:
    return [c.body for c in slack.calls_to("views.publish") if c.body.get("user_id") == user]


def next_home(slack: FakeSlack, before: int, user: str = USER, timeout: float = 5.0) -> dict[str, Any]:
    """The view of the first publish for `user` after the `before` ones already seen."""
    assert eventually(lambda: len(publishes(slack, user)) > before, timeout), (
        f"no views.publish for {user}; calls: {[c.method for c in slack.calls]}"
    )
    return publishes(slack, user)[before]["view"]


def home_of(driver: SlackDriver, slack: FakeSlack, user: str = USER) -> dict[str, Any]:
    settle(slack)
    before = len(publishes(slack, user))
    open_home(driver, user)
    return next_home(slack, before, user)


def block_ids(view: dict[str, Any]) -> set[str]:
    return {block["block_id"] for block in view["blocks"] if block.get("block_id")}


def drawn_stages(view: dict[str, Any]) -> dict[int, int]:
    drawing = drawn_pyramid(view)
    found = {}
    for line in drawing.strip("`\n").splitlines():
        match = re.search(r"(\d+)  (\d) \S", line)
        if match:
            found[int(match[2])] = int(match[1])
    return found


def run_all(driver: SlackDriver, slack: FakeSlack, commands: list[tuple[str, str, str]]) -> None:
    for command, text, user in commands:
        reply = text_of(driver.run(command, text, user=user))
        assert any(
            word in reply for word in ("Logged", "記録", "scheduled", "設定しました", "Recovery opened")
        ), reply
        assert "Did you mean" not in reply and "もしかして" not in reply, reply
    settle(slack)


def build_book(driver: SlackDriver, slack: FakeSlack) -> None:
    """USER: Acme (acquaintance) with a follow-up due today, one next week and an open recovery; Greenfield, a
    prospect quiet since Sep 15 (lapsing); Bluewater, a customer quiet since Jul 1 (dormant).
    OTHER_USER: Kawasaki (acquaintance) with a follow-up due today, in their own home only."""
    run_all(
        driver,
        slack,
        [
            ("/meeting", "Acme visit", USER),
            ("/deal", "Bluewater won 2026-07-01", USER),
            ("/deal", "Greenfield proposed 2026-09-15", USER),
            ("/followup", "Acme today -- send the brochure", USER),
            ("/followup", "Acme 2026-11-30 -- next week", USER),
            ("/trouble", "Acme -- wrong invoice", USER),
            ("/meeting", "Kawasaki visit", OTHER_USER),
            ("/followup", "Kawasaki today -- theirs", OTHER_USER),
        ],
    )


# ------------------------------------------------------------------------------------------- opening the tab


def test_opening_the_home_tab_publishes_the_reps_own_home(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    build_book(driver, slack)
    view = home_of(driver, slack)
    last = slack.calls_to("views.publish")[-1].body
    assert (last["user_id"], last["view"]) == (USER, view)
    text = text_of(view)

    # Their own pyramid: Acme and Greenfield; Bluewater, quiet past a customer's 90 days, is dormant:
    # beside the pyramid as a win-back candidate. Not OTHER_USER's Kawasaki.
    assert drawn_stages(view) == {4: 0, 3: 0, 2: 1, 1: 1}
    assert "Beside the pyramid: 1 dormant (stage 3: 1), 0 lost" in text
    assert "Kawasaki" not in text
    assert "Your pyramid" in text

    # The follow-up due today, with its buttons; not the one due next week, nor OTHER_USER's.
    brochure, later = followup_named(db, "send the brochure"), followup_named(db, "next week")
    assert f"fu_{brochure.id}" in block_ids(view)
    assert f"fu_{later.id}" not in block_ids(view)
    done, _ = find_button(view, "followup_done")
    assert done["value"] == str(brochure.id)
    actions = next(b for b in view["blocks"] if b.get("block_id") == f"fu_{brochure.id}_actions")
    assert [e["action_id"] for e in actions["elements"]] == [
        "followup_done",
        "followup_snooze",
        "followup_reschedule",
    ]
    assert "send the brochure" in text

    # The pending recovery, with its buttons.
    recovery = the_recovery(db)
    assert f"rc_{recovery.id}" in block_ids(view)
    assert "wrong invoice" in text
    responded, _ = find_button(view, "recovery_responded")
    assert responded["value"] == str(recovery.id)

    # Lapsing accounts: the quiet prospect and the dormant customer; not Acme, touched today.
    assert "Accounts going quiet (2)" in text, text
    assert "*Greenfield*" in text and "*Bluewater*" in text

    # Quick buttons to log a meeting or a deal, with no account chosen.
    meeting, _ = find_button(view, "open_log_meeting")
    deal, _ = find_button(view, "open_log_deal")
    assert "value" not in meeting and "value" not in deal  # Slack drops an empty value: none is sent
    assert_valid_home(view)


def test_the_other_rep_gets_their_own_home_in_their_language(driver: SlackDriver, slack: FakeSlack) -> None:
    build_book(driver, slack)
    view = home_of(driver, slack, OTHER_USER)
    text = text_of(view)
    assert drawn_stages(view) == {4: 0, 3: 0, 2: 0, 1: 1}
    assert "あなたのピラミッド" in text
    assert "theirs" in text
    assert "Acme" not in text and "Greenfield" not in text
    assert_valid_home(view)


def test_a_rep_with_nothing_gets_an_empty_home_with_the_quick_buttons(
    driver: SlackDriver, slack: FakeSlack
) -> None:
    view = home_of(driver, slack)
    text = text_of(view)
    assert "No accounts yet" in text
    assert "Nothing due today." in text
    find_button(view, "open_log_meeting")
    find_button(view, "open_log_deal")
    assert_valid_home(view)


def test_only_the_home_tab_is_published(driver: SlackDriver, slack: FakeSlack) -> None:
    open_home(driver, tab="messages")
    settle(slack)
    time.sleep(0.1)
    assert slack.calls_to("views.publish") == []


def test_the_home_is_scoped_to_the_team(driver: SlackDriver, slack: FakeSlack) -> None:
    build_book(driver, slack)
    before = len(publishes(slack))
    open_home(driver, team=OTHER_TEAM)
    view = next_home(slack, before)
    assert "No accounts yet" in text_of(view)
    assert "*Acme*" not in text_of(view)
    assert "wrong invoice" not in text_of(view)
    assert "Follow-ups due (0)" in text_of(view)


# --------------------------------------------------------------------------------------------- actions


def test_done_on_the_home_tab_marks_it_done_and_republishes_without_it(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    build_book(driver, slack)
    view = home_of(driver, slack)
    brochure = followup_named(db, "send the brochure")
    before = len(publishes(slack))
    responses = len(slack.calls_to("response_url"))

    press_home(driver, view, "followup_done", value=str(brochure.id))
    updated = next_home(slack, before)

    done = followup_named(db, "send the brochure")
    assert done.status == "done"
    assert done.done_by == USER
    assert f"fu_{brochure.id}" not in block_ids(updated)
    assert f"fu_{brochure.id}_actions" not in block_ids(updated)
    assert "Nothing due today." in text_of(updated)
    # The rest of the home is still there.
    assert f"rc_{the_recovery(db).id}" in block_ids(updated)
    assert drawn_stages(updated) == drawn_stages(view)
    # No message to rewrite and no response URL: nothing else was called.
    settle(slack)
    assert slack.calls_to("chat.update") == []
    assert len(slack.calls_to("response_url")) == responses
    assert followup_named(db, "next week").status == "open"


def test_a_recovery_button_on_the_home_tab_moves_it_and_republishes(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    build_book(driver, slack)
    view = home_of(driver, slack)
    recovery = the_recovery(db)
    before = len(publishes(slack))

    press_home(driver, view, "recovery_responded", value=str(recovery.id))
    updated = next_home(slack, before)

    assert the_recovery(db).status == "responded"
    # Still pending: the second half asks the next delivery's date (no one-click Recovered).
    find_button(updated, "recovery_delivery_on")
    assert "recovery_recovered" not in str(updated)
    with pytest.raises(AssertionError):
        find_button(updated, "recovery_responded")


def test_logging_a_meeting_republishes_the_reps_home(driver: SlackDriver, slack: FakeSlack) -> None:
    build_book(driver, slack)
    before = len(publishes(slack))
    others = len(publishes(slack, OTHER_USER))
    driver.run("/meeting", "Ironworks visit")
    view = next_home(slack, before)
    assert drawn_stages(view) == {4: 0, 3: 0, 2: 1, 1: 2}  # Bluewater is dormant
    settle(slack)
    assert len(publishes(slack, OTHER_USER)) == others  # only the rep who acted


def test_logging_a_deal_republishes_the_home_of_the_rep_who_logged_it(
    driver: SlackDriver, slack: FakeSlack
) -> None:
    build_book(driver, slack)
    before = len(publishes(slack, OTHER_USER))
    driver.run("/deal", "Kawasaki won", user=OTHER_USER)
    view = next_home(slack, before, OTHER_USER)
    assert drawn_stages(view) == {4: 0, 3: 1, 2: 0, 1: 0}


def test_a_duplicate_delivery_does_not_republish(driver: SlackDriver, slack: FakeSlack) -> None:
    driver.run("/meeting", "Ironworks visit", trigger_id="trig.once")
    next_home(slack, 0)
    settle(slack)
    driver.run("/meeting", "Ironworks visit", trigger_id="trig.once")
    settle(slack)
    time.sleep(0.1)
    assert len(publishes(slack)) == 1


def test_the_quick_log_button_opens_an_empty_modal(driver: SlackDriver, slack: FakeSlack) -> None:
    build_book(driver, slack)
    view = home_of(driver, slack)
    for action_id, callback in (("open_log_meeting", "meeting"), ("open_log_deal", "deal")):
        before = len(slack.calls_to("views.open"))
        press_home(driver, view, action_id)
        [*_, opened] = slack.wait_for("views.open", before + 1)
        modal = opened.body["view"]
        assert modal["type"] == "modal"
        assert callback in modal["callback_id"]
        account = next(b for b in modal["blocks"] if b.get("block_id") == "account")
        assert account["element"]["type"] == "external_select"
        assert "initial_option" not in account["element"]
        View(**modal).validate_json()


def test_the_log_modal_opened_from_the_home_logs_and_republishes(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    view = home_of(driver, slack)
    before_open = len(slack.calls_to("views.open"))
    press_home(driver, view, "open_log_meeting")
    modal = slack.wait_for("views.open", before_open + 1)[-1].body["view"]
    before = len(publishes(slack))
    sent = driver.submit(
        modal,
        {
            "account": {
                "account_select": {"type": "external_select", "selected_option": {"value": "new:Ironworks"}}
            },
            "kind": {"kind": {"type": "radio_buttons", "selected_option": {"value": "visit"}}},
            "date": {"date": {"type": "datepicker", "selected_date": TODAY.isoformat()}},
            "note": {"note": {"type": "plain_text_input", "value": None}},
        },
    )
    assert sent.status == 200, sent
    updated = next_home(slack, before)
    assert drawn_stages(updated) == {4: 0, 3: 0, 2: 0, 1: 1}
    with db.transaction() as session:
        assert [a.name for a in session.scalars(select(Account))] == ["Ironworks"]


def test_opening_a_recovery_republishes_the_reps_home(driver: SlackDriver, slack: FakeSlack) -> None:
    run_all(driver, slack, [("/meeting", "Acme visit", USER)])
    before = len(publishes(slack))
    driver.run("/trouble", "Acme -- wrong invoice")
    # The meeting's own refresh may still arrive first: look for the one that follows the recovery.
    assert eventually(
        lambda: any("wrong invoice" in text_of(p["view"]) for p in publishes(slack)[before:]), 5.0
    )


def test_scheduling_a_followup_due_today_republishes_the_reps_home(
    driver: SlackDriver, slack: FakeSlack
) -> None:
    run_all(driver, slack, [("/meeting", "Acme visit", USER)])
    before = len(publishes(slack))
    driver.run("/followup", "Acme today -- call back")
    assert eventually(lambda: any("call back" in text_of(p["view"]) for p in publishes(slack)[before:]), 5.0)


# --------------------------------------------------------------------------------------------- limits


def test_a_full_home_stays_within_slacks_limits(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    """Forty accounts, each with a follow-up due, an open recovery and a long silence: the home still has
    at most 100 blocks and passes validation."""
    with db.transaction() as session:
        for n in range(40):
            name = f"Company {n:02d} " + "x" * 60
            account = factories.quiet_account(
                session,
                name,
                key=name.lower(),
                step="proposed" if n % 2 else "repeat",
                deals_won=0 if n % 2 else 2,
                quiet_since=date(2025, 12, 1),
            )
            factories.followup(session, account, due_on=date(2026, 11, 1), note="n" * 500)
            factories.recovery(session, account, what="w" * 1000)
    view = home_of(driver, slack)
    assert_valid_home(view)
    text = text_of(view)
    assert "Follow-ups due (40)" in text
    assert "Pending recoveries (40)" in text
    assert "Accounts going quiet (40)" in text
