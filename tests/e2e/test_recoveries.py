"""/trouble and recoveries end to end (SPEC §1, §5): the owner's five-step checklist DM, the team channel
post, open → responded → recovered | lost with who and when, the "did it clearly exceed expectations?"
question after the next win, the flag after 3 days (once), and buttons naming another team's recovery.

The clock stands at Sunday 2026-11-22 10:00 Asia/Tokyo; both users are in Tokyo.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.domain.recovery import FIVE_STEPS
from bot.jobs.outbox import Outcome
from bot.jobs.recovery_flags import flag_overdue_recoveries
from bot.models import Followup, Recovery, RecoveryEvent
from tests.support.database import count, recoveries, the_recovery
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_TEAM, OTHER_USER, USER
from tests.support.server import jobs_client, runtime_for
from tests.support.slack_driver import (
    SlackDriver,
    eventually,
    find_button,
    posts_to,
    press_in,
    settle,
    text_of,
)

T = TypeVar("T")
NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
DM = "D" + USER


# --------------------------------------------------------------------------------------------- helpers


# Each test's after-work (announcements, the Home) finishes within it.
pytestmark = pytest.mark.usefixtures("settled")


def events(db: Database, recovery_id: int) -> list[tuple[str | None, str, str]]:
    with db.transaction() as s:
        rows = s.scalars(
            select(RecoveryEvent).where(RecoveryEvent.recovery_id == recovery_id).order_by(RecoveryEvent.id)
        )
        return [(e.from_status, e.to_status, e.user_id) for e in rows]


def open_trouble(
    driver: SlackDriver,
    slack: FakeSlack,
    text: str = "Acme -- delivery arrived two days late",
    **kwargs: Any,
) -> dict[str, Any]:
    """/trouble, then wait for both posts (the owner's DM and the team channel follow the reply)."""
    before = kinds_posted(slack)
    reply = driver.run("/trouble", text, **kwargs)
    assert eventually(
        lambda: (
            kinds_posted(slack).count("trouble_dm") > before.count("trouble_dm")
            and kinds_posted(slack).count("trouble_post") > before.count("trouble_post")
        )
    )
    return reply


def trouble_at_acme(driver: SlackDriver, slack: FakeSlack) -> None:
    """USER met Acme, then opened a recovery for it (its checklist DMed, the team told)."""
    driver.run("/meeting", "Acme visit")
    open_trouble(driver, slack)


def kinds_posted(slack: FakeSlack) -> list[str]:
    """The ledger kinds of every chat.postMessage so far (trouble_dm, trouble_post, verdict, ...)."""
    return [
        str(((c.body.get("metadata") or {}).get("event_payload") or {}).get("kind"))
        for c in slack.calls_to("chat.postMessage")
    ]


def checklist_of(slack: FakeSlack, user: str = USER) -> dict[str, Any]:
    [message] = [
        m
        for m in slack.history(user)
        if (m.get("metadata") or {}).get("event_payload", {}).get("kind") == "trouble_dm"
    ]
    return message


def updates(slack: FakeSlack) -> list[dict[str, Any]]:
    return [c.body for c in slack.calls_to("chat.update")]


# ------------------------------------------------------------------------------------------- /trouble


def test_trouble_opens_a_recovery_dms_the_checklist_and_tells_the_team(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    driver.run("/meeting", "Acme visit")
    reply = open_trouble(driver, slack)

    recovery = the_recovery(db)
    assert recovery.status == "open"
    assert recovery.what == "delivery arrived two days late"
    assert (recovery.owner_id, recovery.opened_by) == (USER, USER)
    assert recovery.opened_at == NOW and recovery.opened_on == date(2026, 11, 22)
    assert recovery.steps_done == 0 and recovery.closed_at is None
    assert events(db, recovery.id) == [(None, "open", USER)]
    assert "Acme" in text_of(reply)

    [dm] = posts_to(slack, DM)
    assert "Acme" in text_of(dm) and "delivery arrived two days late" in text_of(dm)
    checkboxes, block_id = find_button(dm, "recovery_steps")
    assert checkboxes["type"] == "checkboxes"
    assert block_id == f"rc_{recovery.id}_steps"
    assert [o["value"] for o in checkboxes["options"]] == list(FIVE_STEPS)
    button, _ = find_button(dm, "recovery_responded")
    assert button["value"] == str(recovery.id)

    [post] = posts_to(slack, "C0TEAM")
    assert "Acme" in text_of(post) and "delivery arrived two days late" in text_of(post)
    assert f"<@{USER}>" in text_of(post)
    assert kinds_posted(slack).count("trouble_dm") == kinds_posted(slack).count("trouble_post") == 1


def test_trouble_logged_by_a_colleague_goes_to_the_owner(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    driver.run("/meeting", "Acme visit")  # USER owns Acme
    open_trouble(driver, slack, user=OTHER_USER)

    recovery = the_recovery(db)
    assert (recovery.owner_id, recovery.opened_by) == (USER, OTHER_USER)
    assert len(posts_to(slack, DM)) == 1
    assert posts_to(slack, "D" + OTHER_USER) == []
    [post] = posts_to(slack, "C0TEAM")
    assert f"<@{USER}>" in text_of(post) and f"<@{OTHER_USER}>" in text_of(post)


def test_the_same_trouble_delivered_twice_is_one_recovery_and_one_of_each_post(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    driver.run("/meeting", "Acme visit")
    open_trouble(driver, slack, trigger_id="trig.trouble.1")
    second = driver.run("/trouble", "Acme -- delivery arrived two days late", trigger_id="trig.trouble.1")
    settle(slack)  # give a wrong second announcement the time to show up

    recovery = the_recovery(db)
    assert events(db, recovery.id) == [(None, "open", USER)]
    assert len(posts_to(slack, DM)) == 1
    assert len(posts_to(slack, "C0TEAM")) == 1
    assert "already" in text_of(second)
    assert count(db, RecoveryEvent) == 1


def test_simultaneous_deliveries_of_one_trouble_open_one_recovery(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    driver.run("/meeting", "Acme visit")  # users.info cached: the deliveries race on the database only
    copies = driver.same_delivery("/trouble", "Acme -- wrong invoice", "trig.same-trouble")
    assert [sent.status for sent, _key in copies] == [200, 200, 200]
    replies = [text_of(driver.reply(key)) for _sent, key in copies]
    settle(slack)

    recovery = the_recovery(db)
    assert events(db, recovery.id) == [(None, "open", USER)]
    assert sum("already" in r for r in replies) == 2, replies
    assert kinds_posted(slack).count("trouble_dm") == kinds_posted(slack).count("trouble_post") == 1
    assert count(db, Followup) == 1


def test_trouble_for_an_unknown_account_stores_and_posts_nothing(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    reply = driver.run("/trouble", "Nowhere -- late")
    assert "/trouble" in text_of(reply)
    assert recoveries(db) == []
    settle(slack)
    assert "trouble_dm" not in kinds_posted(slack) and "trouble_post" not in kinds_posted(slack)


def test_trouble_without_a_description_is_refused(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    driver.run("/meeting", "Acme visit")
    reply = driver.run("/trouble", "Acme")
    assert "/trouble" in text_of(reply)
    assert recoveries(db) == []


# ------------------------------------------------------------------------------------------ responded


def test_responded_in_the_dm_moves_it_and_rewrites_the_message(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    trouble_at_acme(driver, slack)
    recovery = the_recovery(db)
    checklist = checklist_of(slack)

    press_in(driver, checklist, DM, "recovery_responded")
    [update] = slack.wait_for("chat.update")

    moved = the_recovery(db)
    assert moved.status == "responded" and moved.closed_at is None
    assert events(db, recovery.id) == [(None, "open", USER), ("open", "responded", USER)]
    assert (update.body["channel"], update.body["ts"]) == (DM, checklist["ts"])
    blocks = update.body["blocks"]
    assert all(b.get("block_id") != f"rc_{recovery.id}_actions" for b in blocks)
    assert "recovery_responded" not in str(blocks)
    note = text_of({"blocks": blocks})
    assert f"<@{USER}>" in note and "responded" in note
    # The checklist itself stays.
    assert any(b.get("block_id") == f"rc_{recovery.id}_steps" for b in blocks)
    # What the owner sees now.
    [shown] = slack.history(USER)
    assert "recovery_responded" not in str(shown["blocks"])


def test_responded_pressed_again_changes_nothing_and_says_already(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    trouble_at_acme(driver, slack)
    checklist = checklist_of(slack)
    press_in(driver, checklist, DM, "recovery_responded")
    slack.wait_for("chat.update")
    recovery = the_recovery(db)

    _, key = press_in(driver, checklist, DM, "recovery_responded")  # the stale copy, buttons still there
    reply = driver.reply(key)

    assert "already" in text_of(reply) and "responded" in text_of(reply)
    assert reply.get("replace_original") is False
    assert the_recovery(db).status == "responded"
    assert events(db, recovery.id) == [(None, "open", USER), ("open", "responded", USER)]
    assert len(slack.calls_to("chat.update")) == 1


def test_a_colleague_may_confirm_the_response_and_is_named(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    trouble_at_acme(driver, slack)
    press_in(driver, checklist_of(slack), DM, "recovery_responded", user=OTHER_USER)
    [update] = slack.wait_for("chat.update")
    assert the_recovery(db).status == "responded"
    assert events(db, the_recovery(db).id)[-1] == ("open", "responded", OTHER_USER)
    assert f"<@{OTHER_USER}>" in text_of({"blocks": update.body["blocks"]})


def test_lost_closes_it(driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock) -> None:
    trouble_at_acme(driver, slack)
    clock.advance(timedelta(hours=2))
    press_in(driver, checklist_of(slack), DM, "recovery_lost")
    slack.wait_for("chat.update")
    recovery = the_recovery(db)
    assert recovery.status == "lost" and recovery.closed_at == NOW + timedelta(hours=2)


# ------------------------------------------------------------------------------------------ checklist


def steps_action(recovery_id: int, steps: list[str]) -> dict[str, Any]:
    return {
        "type": "checkboxes",
        "action_id": "recovery_steps",
        "block_id": f"rc_{recovery_id}_steps",
        "selected_options": [{"text": {"type": "plain_text", "text": s}, "value": s} for s in steps],
        "action_ts": "1700000001.000200",
    }


def test_checking_steps_stores_the_mask(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    trouble_at_acme(driver, slack)
    recovery = the_recovery(db)
    checklist = checklist_of(slack)

    press_in(
        driver, checklist, DM, "recovery_steps", action=steps_action(recovery.id, ["acknowledge", "regret"])
    )
    assert eventually(lambda: the_recovery(db).steps_done == 0b101)

    press_in(driver, checklist, DM, "recovery_steps", action=steps_action(recovery.id, list(FIVE_STEPS)))
    assert eventually(lambda: the_recovery(db).steps_done == 0b11111)

    press_in(driver, checklist, DM, "recovery_steps", action=steps_action(recovery.id, []))
    assert eventually(lambda: the_recovery(db).steps_done == 0)
    assert the_recovery(db).status == "open"


def test_checking_steps_of_another_teams_recovery_changes_nothing(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    trouble_at_acme(driver, slack)
    recovery = the_recovery(db)

    _, key = press_in(
        driver,
        checklist_of(slack),
        DM,
        "recovery_steps",
        team=OTHER_TEAM,
        user="U0STRANGER",
        action=steps_action(recovery.id, list(FIVE_STEPS)),
    )
    reply = driver.reply(key)
    assert "no longer exists" in text_of(reply)
    assert the_recovery(db).steps_done == 0


# -------------------------------------------------------------------------------------------- verdict


def responded_recovery(driver: SlackDriver, slack: FakeSlack, db: Database) -> Recovery:
    trouble_at_acme(driver, slack)
    press_in(driver, checklist_of(slack), DM, "recovery_responded")
    slack.wait_for("chat.update")
    recovery = the_recovery(db)
    assert recovery.status == "responded"
    return recovery


def verdict_message(slack: FakeSlack) -> dict[str, Any]:
    found = eventually(lambda: [m for m in slack.history(USER) if "verdict_yes" in str(m.get("blocks"))])
    assert len(found) == 1, found
    return found[0]


def test_the_next_win_asks_whether_it_clearly_exceeded_expectations(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    recovery = responded_recovery(driver, slack, db)
    driver.run("/deal", "Acme won")

    question = verdict_message(slack)
    assert "exceed" in text_of(question) and "Acme" in text_of(question)
    yes, _ = find_button(question, "verdict_yes")
    not_yet, _ = find_button(question, "verdict_not_yet")
    assert yes["value"] == not_yet["value"] == str(recovery.id)
    assert the_recovery(db).verdict_asked_at == NOW
    assert the_recovery(db).status == "responded"


def test_a_win_for_another_account_asks_nothing(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    responded_recovery(driver, slack, db)
    driver.run("/deal", "Beta won")
    settle(slack)
    assert not [m for m in slack.history(USER) if "verdict_yes" in str(m.get("blocks"))]
    assert the_recovery(db).verdict_asked_at is None


def test_not_yet_keeps_it_responded(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    recovery = responded_recovery(driver, slack, db)
    driver.run("/deal", "Acme won")
    question = verdict_message(slack)

    press_in(driver, question, DM, "verdict_not_yet")
    update = eventually(lambda: [u for u in updates(slack) if u["ts"] == question["ts"]])
    assert update
    assert f"<@{USER}>" in text_of({"blocks": update[0]["blocks"]})
    assert "verdict_yes" not in str(update[0]["blocks"])
    assert the_recovery(db).status == "responded" and the_recovery(db).closed_at is None
    assert events(db, recovery.id)[-1] == ("open", "responded", USER)


def test_yes_closes_it_as_recovered(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock
) -> None:
    recovery = responded_recovery(driver, slack, db)
    driver.run("/deal", "Acme won")
    question = verdict_message(slack)
    clock.advance(timedelta(minutes=30))

    press_in(driver, question, DM, "verdict_yes")
    update = eventually(lambda: [u for u in updates(slack) if u["ts"] == question["ts"]])
    assert update
    closed = the_recovery(db)
    assert closed.status == "recovered"
    assert closed.closed_at == NOW + timedelta(minutes=30)
    assert events(db, recovery.id)[-1] == ("responded", "recovered", USER)
    assert f"<@{USER}>" in text_of({"blocks": update[0]["blocks"]})

    # Yes again (a stale copy): nothing changes, and it says so.
    _, key = press_in(driver, question, DM, "verdict_yes")
    assert "already" in text_of(driver.reply(key))
    assert len(events(db, recovery.id)) == 3


def test_a_win_while_still_open_asks_nothing_and_yes_cannot_skip_the_response(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    trouble_at_acme(driver, slack)
    driver.run("/deal", "Acme won")
    settle(slack)
    assert not [m for m in slack.history(USER) if "verdict_yes" in str(m.get("blocks"))]

    # A forged Yes on an open recovery: it was never responded to, so it cannot be recovered.
    fake_question = {
        "ts": checklist_of(slack)["ts"],
        "text": "",
        "blocks": [
            {
                "type": "actions",
                "block_id": "x",
                "elements": [
                    {"type": "button", "action_id": "verdict_yes", "value": str(the_recovery(db).id)}
                ],
            }
        ],
    }
    _, key = press_in(driver, fake_question, DM, "verdict_yes")
    driver.reply(key)
    assert the_recovery(db).status == "open"


def test_the_same_win_delivered_twice_asks_once(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    responded_recovery(driver, slack, db)
    for _ in range(2):
        _, key = driver.command("/deal", "Acme won", trigger_id="trig.win.1")
        driver.reply(key)
    verdict_message(slack)
    settle(slack)
    assert len([m for m in slack.history(USER) if "verdict_yes" in str(m.get("blocks"))]) == 1


# ----------------------------------------------------------------------------------------------- flag


def test_a_recovery_open_more_than_three_days_is_flagged_once(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    trouble_at_acme(driver, slack)
    recovery = the_recovery(db)
    client = jobs_client(slack)

    clock.set(NOW + timedelta(days=2, hours=23))
    assert flag_overdue_recoveries(runtime_for(settings, db, clock), client, clock.now()) == []
    assert len(slack.history("C0TEAM")) == 1  # the /trouble post only

    clock.set(NOW + timedelta(days=3, hours=1))
    [first] = flag_overdue_recoveries(runtime_for(settings, db, clock), client, clock.now())
    assert first.outcome is Outcome.SENT
    [again] = flag_overdue_recoveries(runtime_for(settings, db, clock), client, clock.now())
    assert again.outcome is Outcome.ALREADY
    clock.set(NOW + timedelta(days=9))
    [later] = flag_overdue_recoveries(runtime_for(settings, db, clock), client, clock.now())
    assert later.outcome is Outcome.ALREADY

    channel = slack.history("C0TEAM")
    assert len(channel) == 2
    flag = channel[-1]
    assert "Acme" in text_of(flag) and "3 days" in text_of(flag) and f"<@{USER}>" in text_of(flag)
    assert flag["metadata"]["event_payload"] == {"kind": "recovery_flag", "ref": str(recovery.id)}


def test_a_responded_recovery_is_not_flagged(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    responded_recovery(driver, slack, db)
    clock.set(NOW + timedelta(days=5))
    assert flag_overdue_recoveries(runtime_for(settings, db, clock), jobs_client(slack), clock.now()) == []
    assert len(slack.history("C0TEAM")) == 1


def test_no_team_channel_no_flag(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    trouble_at_acme(driver, slack)
    clock.set(NOW + timedelta(days=5))
    quiet = settings.model_copy(update={"pyramid_team_channel": None})
    assert flag_overdue_recoveries(runtime_for(quiet, db, clock), jobs_client(slack), clock.now()) == []


# ----------------------------------------------------------------------------------- another team's id


@pytest.mark.parametrize(
    "action_id",
    ["recovery_responded", "recovery_recovered", "recovery_lost", "verdict_yes", "verdict_not_yet"],
)
def test_a_button_naming_another_teams_recovery_changes_nothing(
    driver: SlackDriver, slack: FakeSlack, db: Database, action_id: str
) -> None:
    trouble_at_acme(driver, slack)
    theirs = the_recovery(db)
    checklist = checklist_of(slack)
    message = {
        "ts": checklist["ts"],
        "text": "forged",
        "blocks": [
            {
                "type": "actions",
                "block_id": f"rc_{theirs.id}_actions",
                "elements": [{"type": "button", "action_id": action_id, "value": str(theirs.id)}],
            }
        ],
    }

    _, key = press_in(driver, message, DM, action_id, team=OTHER_TEAM, user="U0STRANGER")
    reply = driver.reply(key)

    assert "no longer exists" in text_of(reply)
    after = the_recovery(db)
    assert (after.status, after.closed_at, after.steps_done) == ("open", None, 0)
    assert events(db, theirs.id) == [(None, "open", USER)]
    assert slack.calls_to("chat.update") == []


@pytest.mark.parametrize("value", ["abc", "0", "-1", "99999999999", ""])
def test_a_forged_recovery_value_changes_nothing(
    driver: SlackDriver, slack: FakeSlack, db: Database, value: str
) -> None:
    trouble_at_acme(driver, slack)
    _, key = press_in(driver, checklist_of(slack), DM, "recovery_responded", value=value)
    reply = driver.reply(key)
    assert "no longer exists" in text_of(reply)
    assert the_recovery(db).status == "open"
    assert slack.calls_to("chat.update") == []
