"""/trouble and recoveries end to end (SPEC §1, §5): the owner's five-step checklist DM, the team channel
post, open → responded → recovered | lost with who and when, the "did it clearly exceed expectations?"
question after the next win, the flag after 3 days (once), and buttons naming another team's recovery.

The clock stands at Sunday 2026-11-22 10:00 Asia/Tokyo; both users are in Tokyo.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.domain.recovery import FIVE_STEPS
from bot.jobs.digest import send_digests_for
from bot.jobs.outbox import Outcome
from bot.jobs.recovery_flags import flag_overdue_recoveries
from bot.jobs.summary import send_due_summaries
from bot.models import Account, Followup, Recovery, RecoveryEvent
from tests.support.database import count, followups, recoveries, the_followup, the_recovery
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_TEAM, OTHER_USER, USER
from tests.support.server import jobs_client, runtime_for
from tests.support.slack_driver import (
    SlackDriver,
    date_picked,
    eventually,
    find_button,
    kind_of,
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
    assert "recovery_responded" not in str(blocks)
    note = text_of({"blocks": blocks})
    assert f"<@{USER}>" in note and "responded" in note
    # The second half is asked for at once: the next delivery's date (and Lost), no Recovered.
    next_half, _ = find_button({"blocks": blocks}, "recovery_delivery_on")
    assert next_half["type"] == "datepicker"
    assert "When is the next delivery?" in note
    assert "recovery_recovered" not in str(blocks) and "verdict_yes" not in str(blocks)
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


# ------------------------------------------------------------------------------- the second half


def responded_recovery(driver: SlackDriver, slack: FakeSlack, db: Database) -> Recovery:
    trouble_at_acme(driver, slack)
    press_in(driver, checklist_of(slack), DM, "recovery_responded")
    slack.wait_for("chat.update")
    recovery = the_recovery(db)
    assert recovery.status == "responded"
    return recovery


def date_action(recovery_id: int, day: str) -> dict[str, Any]:
    return date_picked("recovery_delivery_on", f"rc_{recovery_id}_actions", day)


def give_delivery_date(
    driver: SlackDriver, slack: FakeSlack, recovery_id: int, day: str, user: str = USER
) -> str:
    """The date picker of the owner's DM (as rewritten after Responded); the response key."""
    shown = checklist_of(slack)
    _, key = press_in(
        driver, shown, DM, "recovery_delivery_on", action=date_action(recovery_id, day), user=user
    )
    return key


def verdict_messages(slack: FakeSlack) -> list[dict[str, Any]]:
    return [m for m in slack.history(USER) if "verdict_yes" in str(m.get("blocks"))]


def run_clock(settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack) -> list[Any]:
    return flag_overdue_recoveries(runtime_for(settings, db, clock), jobs_client(slack), clock.now())


def awaiting_recovery(
    driver: SlackDriver, slack: FakeSlack, db: Database, day: str = "2026-11-25"
) -> Recovery:
    recovery = responded_recovery(driver, slack, db)
    give_delivery_date(driver, slack, recovery.id, day)
    assert eventually(lambda: the_recovery(db).status == "awaiting")
    return the_recovery(db)


def test_the_next_deliverys_date_moves_it_to_awaiting_with_who_and_when(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    recovery = awaiting_recovery(driver, slack, db)
    assert recovery.delivery_on == date(2026, 11, 25) and recovery.closed_at is None
    assert events(db, recovery.id)[-1] == ("responded", "awaiting", USER)
    update = eventually(lambda: [u for u in updates(slack) if "2026-11-25" in str(u["blocks"])])
    assert update and f"<@{USER}>" in text_of({"blocks": update[-1]["blocks"]})


def test_a_delivery_date_before_the_failure_is_refused(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    recovery = responded_recovery(driver, slack, db)
    reply = driver.reply(give_delivery_date(driver, slack, recovery.id, "2026-11-20"))
    assert "cannot be before the failure" in text_of(reply)
    assert the_recovery(db).status == "responded" and the_recovery(db).delivery_on is None


def test_a_win_no_longer_asks_the_verdict(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    """Issue 12: a new order is not a delivery; the question waits for the next delivery's date."""
    responded_recovery(driver, slack, db)
    driver.run("/deal", "Acme won")
    settle(slack)
    assert verdict_messages(slack) == []
    assert the_recovery(db).status == "responded"


def test_the_verdict_is_asked_once_the_day_after_the_next_delivery(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    recovery = awaiting_recovery(driver, slack, db, day="2026-11-25")

    clock.set(datetime(2026, 11, 25, 14, 0, tzinfo=UTC))  # the delivery's day, 23:00 in Tokyo
    assert [d.kind for d in run_clock(settings, db, clock, slack)] == []
    clock.set(datetime(2026, 11, 25, 15, 30, tzinfo=UTC))  # the day after, 00:30 in Tokyo
    [asked] = run_clock(settings, db, clock, slack)
    assert (asked.kind, asked.outcome) == ("verdict", Outcome.SENT)
    [again] = run_clock(settings, db, clock, slack)
    assert again.outcome is Outcome.ALREADY

    [question] = verdict_messages(slack)
    assert "Acme" in text_of(question) and "clearly exceed" in text_of(question)
    assert "2026-11-25" in text_of(question)
    yes, _ = find_button(question, "verdict_yes")
    no, _ = find_button(question, "verdict_no")
    assert yes["value"] == no["value"] == str(recovery.id)


def test_yes_after_the_delivery_closes_it_as_recovered(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    recovery = awaiting_recovery(driver, slack, db)
    clock.set(datetime(2026, 11, 26, 1, 0, tzinfo=UTC))
    run_clock(settings, db, clock, slack)
    [question] = verdict_messages(slack)

    press_in(driver, question, DM, "verdict_yes")
    update = eventually(lambda: [u for u in updates(slack) if u["ts"] == question["ts"]])
    closed = the_recovery(db)
    assert closed.status == "recovered" and closed.closed_at == clock.now()
    assert events(db, recovery.id)[-1] == ("awaiting", "recovered", USER)
    assert f"<@{USER}>" in text_of({"blocks": update[0]["blocks"]})
    assert "verdict_yes" not in str(update[0]["blocks"])

    _, key = press_in(driver, question, DM, "verdict_yes")  # a stale copy
    assert "already" in text_of(driver.reply(key))
    assert len(events(db, recovery.id)) == 4


def test_no_keeps_it_open_asks_another_delivery_and_alerts_the_managers(
    driver_with: Any, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    driver = driver_with(pyramid_managers="U0BOSS")
    recovery = awaiting_recovery(driver, slack, db)
    clock.set(datetime(2026, 11, 26, 1, 0, tzinfo=UTC))
    managed = settings.model_copy(update={"pyramid_managers": "U0BOSS"})
    run_clock(managed, db, clock, slack)
    [question] = verdict_messages(slack)

    press_in(driver, question, DM, "verdict_no")
    update = eventually(lambda: [u for u in updates(slack) if u["ts"] == question["ts"]])
    after = the_recovery(db)
    assert after.status == "responded" and after.closed_at is None and after.delivery_on is None
    assert events(db, recovery.id)[-1] == ("awaiting", "responded", USER)
    blocks = update[-1]["blocks"]
    assert find_button({"blocks": blocks}, "recovery_delivery_on")  # the next one's date, at once
    assert "verdict_yes" not in str(blocks)

    [alert] = eventually(lambda: posts_to(slack, "DU0BOSS"))
    assert "Acme" in text_of(alert) and "did not clearly exceed" in text_of(alert)
    assert find_button(alert, "recovery_take")

    # Another next delivery, another question: only yes closes it.
    give_delivery_date(driver, slack, recovery.id, "2026-11-30")
    assert eventually(lambda: the_recovery(db).status == "awaiting")
    clock.set(datetime(2026, 12, 1, 1, 0, tzinfo=UTC))
    [asked] = run_clock(managed, db, clock, slack)
    assert asked.ref == f"{recovery.id}:2026-11-30"


def test_yes_before_the_delivery_changes_nothing(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    """No button skips a half: a forged Yes while open, responded, or before the delivery's day."""
    trouble_at_acme(driver, slack)
    recovery = the_recovery(db)
    forged = {
        "ts": checklist_of(slack)["ts"],
        "text": "",
        "blocks": [
            {
                "type": "actions",
                "block_id": "x",
                "elements": [{"type": "button", "action_id": "verdict_yes", "value": str(recovery.id)}],
            }
        ],
    }
    for _ in ("open", "responded", "awaiting"):
        _, key = press_in(driver, forged, DM, "verdict_yes")
        driver.reply(key)
        assert the_recovery(db).status != "recovered"
        if the_recovery(db).status == "open":
            press_in(driver, checklist_of(slack), DM, "recovery_responded")
            assert eventually(lambda: the_recovery(db).status == "responded")
        elif the_recovery(db).status == "responded":
            give_delivery_date(driver, slack, recovery.id, "2026-11-22")
            assert eventually(lambda: the_recovery(db).status == "awaiting")
    assert the_recovery(db).status == "awaiting"  # its day (today) is not over


# ---------------------------------------------------------------------------------- the ladder


def kinds_of(delivered: list[Any]) -> list[str]:
    return sorted(d.kind for d in delivered)


def test_the_escalation_ladder_reminds_flags_then_tells_the_managers_each_once(
    driver_with: Any, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    driver = driver_with(pyramid_managers="U0BOSS")
    trouble_at_acme(driver, slack)
    recovery = the_recovery(db)
    managed = settings.model_copy(update={"pyramid_managers": "U0BOSS"})

    clock.set(datetime(2026, 11, 22, 8, 50, tzinfo=UTC))  # 17:50 the same day in Tokyo
    assert run_clock(managed, db, clock, slack) == []

    clock.set(datetime(2026, 11, 22, 9, 10, tzinfo=UTC))  # past the end of the working day: the owner
    assert kinds_of(run_clock(managed, db, clock, slack)) == ["recovery_remind"]
    [reminder] = [m for m in posts_to(slack, DM) if "no response yet" in text_of(m)]
    assert "Acme" in text_of(reminder) and find_button(reminder, "recovery_responded")

    clock.set(datetime(2026, 11, 25, 1, 0, tzinfo=UTC))  # day 3: the team channel, with buttons
    assert [d.outcome for d in run_clock(managed, db, clock, slack) if d.kind == "recovery_flag"] == [
        Outcome.SENT
    ]
    flag = slack.history("C0TEAM")[-1]
    assert "Acme" in text_of(flag) and "3 days" in text_of(flag) and f"<@{USER}>" in text_of(flag)
    assert flag["metadata"]["event_payload"] == {"kind": "recovery_flag", "ref": str(recovery.id)}
    for button in ("recovery_take", "recovery_add_note", "recovery_escalate"):
        assert find_button(flag, button)[0]["value"] == str(recovery.id)

    clock.set(datetime(2026, 11, 29, 1, 0, tzinfo=UTC))  # day 7: the managers by DM
    delivered = run_clock(managed, db, clock, slack)
    assert [d.outcome for d in delivered if d.kind == "recovery_escalate"] == [Outcome.SENT]
    assert all(d.outcome is Outcome.ALREADY for d in delivered if d.kind != "recovery_escalate")
    [boss] = posts_to(slack, "DU0BOSS")
    assert "Acme" in text_of(boss) and "7 days" in text_of(boss)

    clock.set(datetime(2027, 1, 7, 1, 0, tzinfo=UTC))  # 46 days: nothing new
    assert all(d.outcome is Outcome.ALREADY for d in run_clock(managed, db, clock, slack))
    assert len(slack.history("C0TEAM")) == 2 and len(posts_to(slack, "DU0BOSS")) == 1


def test_a_strategic_account_escalates_one_step_earlier(
    driver_with: Any, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    driver = driver_with(pyramid_managers="U0BOSS")
    driver.run("/meeting", "Acme visit")
    driver.run("/account", "Acme segment strategic")
    open_trouble(driver, slack)
    managed = settings.model_copy(update={"pyramid_managers": "U0BOSS"})

    clock.set(datetime(2026, 11, 22, 9, 10, tzinfo=UTC))  # the end of the first day: owner and channel
    assert kinds_of(run_clock(managed, db, clock, slack)) == ["recovery_flag", "recovery_remind"]
    clock.set(datetime(2026, 11, 25, 1, 0, tzinfo=UTC))  # day 3: the managers
    assert "recovery_escalate" in kinds_of(run_clock(managed, db, clock, slack))
    assert len(posts_to(slack, "DU0BOSS")) == 1


def test_a_responded_recovery_climbs_no_ladder_and_is_asked_its_next_delivery_once(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    recovery = responded_recovery(driver, slack, db)
    clock.set(datetime(2026, 11, 22, 14, 50, tzinfo=UTC))  # the day of the response: not yet
    assert run_clock(settings, db, clock, slack) == []

    clock.set(NOW + timedelta(days=1))  # the next morning: when is the next delivery?
    [asked] = run_clock(settings, db, clock, slack)
    assert (asked.kind, asked.outcome) == ("delivery_ask", Outcome.SENT)
    clock.set(NOW + timedelta(days=9))
    assert [d.outcome for d in run_clock(settings, db, clock, slack)] == [Outcome.ALREADY]
    assert len(slack.history("C0TEAM")) == 1  # no flag: it was responded to

    [question] = [m for m in slack.history(USER) if kind_of(m) == "delivery_ask"]
    assert "When is the next delivery?" in text_of(question)
    press_in(driver, question, DM, "recovery_delivery_on", action=date_action(recovery.id, "2026-12-02"))
    assert eventually(lambda: the_recovery(db).status == "awaiting")
    assert the_recovery(db).delivery_on == date(2026, 12, 2)
    assert run_clock(settings, db, clock, slack) == []


def test_no_team_channel_no_flag(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    trouble_at_acme(driver, slack)
    clock.set(NOW + timedelta(days=5))
    quiet = settings.model_copy(update={"pyramid_team_channel": None})
    assert kinds_of(run_clock(quiet, db, clock, slack)) == ["recovery_remind"]


# ----------------------------------------------------------------------------------- another team's id


@pytest.mark.parametrize(
    "action_id",
    [
        "recovery_responded",
        "recovery_lost",
        "verdict_yes",
        "verdict_no",
        "recovery_take",
        "recovery_add_note",
        "recovery_escalate",
    ],
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


# ------------------------------------------------------------------------------ cause and repeats


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("Acme quality -- wrong colour", "quality"),
        ("Acme billing -- invoiced twice", "billing"),
        ("Acme 納期 -- 納品が2日遅れた", "delivery"),
        ("Acme その他 -- 担当者が不在", "other"),
        ("Acme -- no cause given", None),
    ],
)
def test_trouble_takes_a_cause_in_english_or_japanese(
    driver: SlackDriver, slack: FakeSlack, db: Database, text: str, cause: str | None
) -> None:
    driver.run("/meeting", "Acme visit")
    open_trouble(driver, slack, text)
    recovery = the_recovery(db)
    assert recovery.cause == cause
    assert the_recovery(db).what == text.split(" -- ")[1]
    [post] = posts_to(slack, "C0TEAM")
    if cause is not None:
        assert "Cause:" in text_of(post)


def test_a_second_failure_marks_the_account_at_risk_and_tells_channel_and_managers_at_once(
    driver_with: Any, slack: FakeSlack, db: Database, clock: FixedClock
) -> None:
    driver = driver_with(pyramid_managers="U0BOSS")
    trouble_at_acme(driver, slack)
    assert account_at_risk(db) is None
    assert posts_to(slack, "DU0BOSS") == []

    clock.advance(timedelta(days=1))
    open_trouble(driver, slack, "Acme quality -- the replacement was damaged too")
    assert account_at_risk(db) == NOW + timedelta(days=1)
    [alert] = eventually(lambda: [m for m in slack.history("C0TEAM") if "at risk" in text_of(m)])
    assert "Acme" in text_of(alert) and "damaged too" in text_of(alert)
    assert find_button(alert, "recovery_escalate")
    [boss] = eventually(lambda: posts_to(slack, "DU0BOSS"))
    assert "at risk" in text_of(boss)

    # A third: still one flag on the account (since the second), and one alert per failure.
    clock.advance(timedelta(hours=3))
    open_trouble(driver, slack, "Acme -- and the invoice is wrong")
    assert account_at_risk(db) == NOW + timedelta(days=1)
    assert eventually(lambda: len(posts_to(slack, "DU0BOSS")) == 2)
    settle(slack)
    assert kinds_posted(slack).count("at_risk") == 2


def test_a_failure_after_a_recovery_closed_long_ago_is_not_a_repeat(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock
) -> None:
    trouble_at_acme(driver, slack)
    press_in(driver, checklist_of(slack), DM, "recovery_lost")
    slack.wait_for("chat.update")
    clock.advance(timedelta(days=91))
    driver.run("/trouble", "Acme -- late again")
    settle(slack)
    assert account_at_risk(db) is None
    assert "at_risk" not in kinds_posted(slack)


def account_at_risk(db: Database) -> datetime | None:
    with db.transaction() as s:
        return s.scalars(select(Account.at_risk_since).where(Account.name == "Acme")).one()


# --------------------------------------------------------------------- the team owns complaints


def channel_post_of(slack: FakeSlack) -> dict[str, Any]:
    [post] = [
        m
        for m in slack.history("C0TEAM")
        if (m.get("metadata") or {}).get("event_payload", {}).get("kind") == "trouble_post"
    ]
    return post


def test_a_teammate_takes_it_over_from_the_channel_and_gets_the_checklist(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    trouble_at_acme(driver, slack)
    recovery = the_recovery(db)
    post = channel_post_of(slack)

    _, key = press_in(driver, post, "C0TEAM", "recovery_take", user=OTHER_USER)
    reply = driver.reply(key)
    assert "担当になりました" in text_of(reply)  # OTHER_USER reads Japanese
    assert the_recovery(db).owner_id == OTHER_USER
    with db.transaction() as s:
        [taken] = s.scalars(
            select(RecoveryEvent).where(
                RecoveryEvent.recovery_id == recovery.id, RecoveryEvent.kind == "owner"
            )
        )
        assert (taken.user_id, taken.note) == (OTHER_USER, USER)
    [dm] = eventually(lambda: posts_to(slack, "D" + OTHER_USER))
    assert "どうすればご満足いただけますか" in text_of(dm)  # the seed's magic question, as wording
    assert find_button(dm, "recovery_responded")

    _, again = press_in(driver, post, "C0TEAM", "recovery_take", user=OTHER_USER)
    assert "すでに" in text_of(driver.reply(again))
    settle(slack)
    assert len(posts_to(slack, "D" + OTHER_USER)) == 1


def test_escalate_dms_the_managers_once_and_records_each_press(
    driver_with: Any, slack: FakeSlack, db: Database
) -> None:
    driver = driver_with(pyramid_managers="U0BOSS,U0CHIEF")
    trouble_at_acme(driver, slack)
    recovery = the_recovery(db)
    post = channel_post_of(slack)

    _, key = press_in(driver, post, "C0TEAM", "recovery_escalate", user=OTHER_USER)
    assert "<@U0BOSS>" in text_of(driver.reply(key)) and "<@U0CHIEF>" in text_of(driver.reply(key))
    [boss] = eventually(lambda: posts_to(slack, "DU0BOSS"))
    assert f"<@{OTHER_USER}>" in text_of(boss) and "escalated" in text_of(boss)
    assert eventually(lambda: posts_to(slack, "DU0CHIEF"))

    _, again = press_in(driver, post, "C0TEAM", "recovery_escalate", user=USER)
    assert "Already escalated" in text_of(driver.reply(again))
    settle(slack)
    assert len(posts_to(slack, "DU0BOSS")) == 1
    with db.transaction() as s:
        rows = s.scalars(
            select(RecoveryEvent.user_id).where(
                RecoveryEvent.recovery_id == recovery.id, RecoveryEvent.kind == "escalated"
            )
        ).all()
    assert rows == [OTHER_USER, USER]


def test_escalate_with_no_manager_says_how_to_name_one(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    trouble_at_acme(driver, slack)
    _, key = press_in(driver, channel_post_of(slack), "C0TEAM", "recovery_escalate")
    assert "PYRAMID_MANAGERS" in text_of(driver.reply(key))


def test_add_note_opens_a_modal_stores_the_note_and_shows_it_to_the_team_once(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    trouble_at_acme(driver, slack)
    recovery = the_recovery(db)
    press_in(driver, channel_post_of(slack), "C0TEAM", "recovery_add_note", user=OTHER_USER)
    [call] = slack.wait_for("views.open")
    view = call.body["view"]
    if isinstance(view, str):
        view = json.loads(view)
    assert view["callback_id"] == "recovery_note"

    empty = driver.submit(
        view,
        {"recovery_note_text": {"recovery_note_text": {"type": "plain_text_input", "value": " "}}},
        user=OTHER_USER,
    )
    assert empty.json()["response_action"] == "errors"

    values = {
        "recovery_note_text": {
            "recovery_note_text": {"type": "plain_text_input", "value": "代替品は金曜日に発送"}
        }
    }
    for _ in range(2):  # Slack's retry of the same submission
        sent = driver.submit(view, values, user=OTHER_USER, view_id="V0NOTE1")
        assert sent.status == 200
    assert eventually(lambda: [m for m in slack.history("C0TEAM") if "代替品は金曜日に発送" in text_of(m)])
    settle(slack)
    assert len([m for m in slack.history("C0TEAM") if "代替品は金曜日に発送" in text_of(m)]) == 1
    with db.transaction() as s:
        notes = s.scalars(
            select(RecoveryEvent.note).where(
                RecoveryEvent.recovery_id == recovery.id, RecoveryEvent.kind == "note"
            )
        ).all()
    assert notes[0] == "代替品は金曜日に発送"


def test_the_two_halves_in_japanese(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    """A Japanese-speaking rep: /trouble with a Japanese cause, the checklist with the seed's wording,
    Responded, the next delivery's date, the question after it, and yes."""
    ja_dm = "D" + OTHER_USER
    driver.run("/meeting", "丸山印刷 訪問", user=OTHER_USER)
    open_trouble(driver, slack, "丸山印刷 品質 -- 色が違っていた", user=OTHER_USER)
    recovery = the_recovery(db)
    assert recovery.cause == "quality"
    checklist = checklist_of(slack, OTHER_USER)
    assert "どうすればご満足いただけますか" in text_of(checklist) and "原因：品質" in text_of(checklist)

    press_in(driver, checklist, ja_dm, "recovery_responded", user=OTHER_USER)
    [update] = slack.wait_for("chat.update")
    assert "次回の納品はいつですか" in text_of({"blocks": update.body["blocks"]})
    _, key = press_in(
        driver,
        {**checklist, "blocks": update.body["blocks"]},
        ja_dm,
        "recovery_delivery_on",
        action=date_action(recovery.id, "2026-11-27"),
        user=OTHER_USER,
    )
    assert eventually(lambda: the_recovery(db).status == "awaiting")
    dated = slack.wait_for("chat.update", count=2)[-1]
    assert "11/27(金)" in text_of({"blocks": dated.body["blocks"]})

    clock.set(datetime(2026, 11, 28, 0, 30, tzinfo=UTC))
    [asked] = run_clock(settings, db, clock, slack)
    assert asked.kind == "verdict"
    [question] = [m for m in slack.history(OTHER_USER) if "verdict_yes" in str(m.get("blocks"))]
    assert "期待を明らかに上回りましたか" in text_of(question) and "11/27(金)" in text_of(question)
    press_in(driver, question, ja_dm, "verdict_yes", user=OTHER_USER)
    assert eventually(lambda: the_recovery(db).status == "recovered")
    assert [e[1] for e in events(db, recovery.id)] == ["open", "responded", "awaiting", "recovered"]


# ------------------------------------------------------------------------------ card and summary


def test_the_card_shows_open_and_past_recoveries_with_state_cause_age_and_owner(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock
) -> None:
    driver.run("/meeting", "Acme visit")
    open_trouble(driver, slack, "Acme billing -- invoiced twice")
    press_in(driver, checklist_of(slack), DM, "recovery_lost")
    slack.wait_for("chat.update")
    clock.advance(timedelta(days=4))
    open_trouble(driver, slack, "Acme quality -- scratched panels")

    card = text_of(driver.run("/account", "Acme"))
    assert "Recoveries (2)" in card
    assert "At risk since" in card
    open_line, lost_line = card.index("scratched panels"), card.index("invoiced twice")
    assert open_line < lost_line  # open ones first
    assert f"open · quality · opened 2026-11-26 (Thu) (0 days) · owner <@{USER}>" in card
    assert f"lost · billing · opened 2026-11-22 (Sun) (4 days) · owner <@{USER}>" in card

    ja = text_of(driver.run("/account", "Acme", user=OTHER_USER))
    assert "リカバリー（2件）" in ja and "未対応・品質・11/26(木)発生（0日）" in ja


def test_a_card_with_many_recoveries_stays_within_limits(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    driver.run("/meeting", "Acme visit")
    for n in range(8):
        driver.run("/trouble", f"Acme quality -- {'x' * 280} {n}")
    card = text_of(driver.run("/account", "Acme"))
    assert "Recoveries (8)" in card and "… and 3 more" in card


def test_the_weekly_summary_lists_recoveries_by_state_and_owner_and_repeated_causes(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    for name in ("Acme", "Beta", "Gamma"):
        driver.run("/meeting", f"{name} visit")
    open_trouble(driver, slack, "Acme delivery -- two days late")
    open_trouble(driver, slack, "Beta delivery -- wrong address")
    open_trouble(driver, slack, "Gamma billing -- invoiced twice")
    beta = [r for r in recoveries(db) if r.what == "wrong address"][0]
    press_in(driver, checklist_of_recovery(slack, beta.id), DM, "recovery_responded")
    assert eventually(lambda: [r for r in recoveries(db) if r.id == beta.id][0].status == "responded")
    settle(slack)

    clock.set(datetime(2026, 11, 30, 0, 5, tzinfo=UTC))  # Monday 09:05 in Tokyo
    [run] = send_due_summaries(runtime_for(settings, db, clock), jobs_client(slack), clock.now())
    assert run.team_id
    [summary] = [
        m
        for m in posts_to(slack, "C0TEAM")
        if (m.get("metadata") or {}).get("event_payload", {}).get("kind") == "summary"
    ]
    text = text_of(summary)
    assert "Open recoveries by state and owner" in text
    assert f"• open · <@{USER}>: 2" in text and f"• responded · <@{USER}>: 1" in text
    assert "Repeated causes (90 days): delivery ×2" in text
    assert "billing" not in text.split("Repeated causes")[1]


def checklist_of_recovery(slack: FakeSlack, recovery_id: int) -> dict[str, Any]:
    [message] = [
        m
        for m in slack.history(USER)
        if (m.get("metadata") or {}).get("event_payload", {})
        == {"kind": "trouble_dm", "ref": str(recovery_id)}
    ]
    return message


# ------------------------------------------------------------------------------------ the modal


def trouble_values(account: str, cause: str | None, what: str) -> dict[str, Any]:
    values: dict[str, Any] = {
        "account": {"account_select": {"type": "external_select", "selected_option": {"value": account}}},
        "note": {"note": {"type": "plain_text_input", "value": what}},
    }
    if cause is not None:
        values["cause"] = {"cause": {"type": "radio_buttons", "selected_option": {"value": cause}}}
    return values


def test_trouble_with_no_text_opens_a_modal_with_the_cause_as_radio_buttons(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    driver.run("/meeting", "Acme visit")
    acme = the_account_id(db)
    sent, _ = driver.command("/trouble", "", user=OTHER_USER)
    assert sent.status == 200
    [call] = slack.wait_for("views.open")
    view = call.body["view"]
    if isinstance(view, str):
        view = json.loads(view)
    assert view["callback_id"] == "log_trouble" and view["title"]["text"] == "不具合を記録"
    [radio] = [b["element"] for b in view["blocks"] if b["block_id"] == "cause"]
    assert [o["value"] for o in radio["options"]] == ["quality", "delivery", "billing", "support", "other"]
    assert [o["text"]["text"] for o in radio["options"]][:2] == ["品質", "納期・配送"]

    refused = driver.submit(view, trouble_values("new:Nowhere", "quality", " "), user=OTHER_USER)
    assert set(refused.json()["errors"]) == {"account", "note"}
    assert recoveries(db) == []

    for _ in range(2):  # a retried submission of the same view
        sent = driver.submit(
            view, trouble_values(str(acme), "delivery", "納品が遅れた"), user=OTHER_USER, view_id="V0TRBL1"
        )
        assert sent.status == 200
    assert eventually(lambda: "trouble_post" in kinds_posted(slack))
    settle(slack)
    recovery = the_recovery(db)
    assert (recovery.cause, recovery.what, recovery.opened_by) == ("delivery", "納品が遅れた", OTHER_USER)
    assert kinds_posted(slack).count("trouble_post") == 1


def test_the_modal_refuses_another_teams_account(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    driver.run("/meeting", "Acme visit")
    acme = the_account_id(db)
    driver.command("/trouble", "", team=OTHER_TEAM, user="U0STRANGER")
    [call] = slack.wait_for("views.open")
    view = call.body["view"]
    if isinstance(view, str):
        view = json.loads(view)
    refused = driver.submit(view, trouble_values(str(acme), None, "late"), team=OTHER_TEAM, user="U0STRANGER")
    assert "account" in refused.json()["errors"]
    assert recoveries(db) == []


def the_account_id(db: Database) -> int:
    with db.transaction() as s:
        return s.scalars(select(Account.id).where(Account.name == "Acme")).one()


# ------------------------------------------------------------------------------------ after the sale


def after_sale_digest(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings, user: str
) -> dict[str, Any]:
    """A win on Sunday the 22nd; a week later (Monday the 30th) the after-sale follow-up is due."""
    driver.run("/deal", "Acme won", user=user)
    clock.set(datetime(2026, 11, 30, 0, 5, tzinfo=UTC))
    send_digests_for(runtime_for(settings, db, clock), jobs_client(slack), day=date(2026, 11, 30))
    [digest] = [m for m in slack.history(user) if kind_of(m) == "digest"]
    return digest


def test_the_after_sale_follow_up_suggests_the_call_and_asks_satisfied_or_not(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    digest = after_sale_digest(driver, slack, db, clock, settings, USER)
    text = text_of(digest)
    assert "thank-you" in text and "How is it going" in text
    satisfied, _ = find_button(digest, "followup_done")
    unsatisfied, _ = find_button(digest, "after_sale_unsatisfied")
    assert satisfied["text"]["text"] == "Done: satisfied" and unsatisfied["value"] == satisfied["value"]

    press_in(driver, digest, DM, "followup_done")
    assert eventually(lambda: the_followup(db).status == "done")
    settle(slack)
    assert recoveries(db) == []


def test_not_satisfied_opens_a_recovery_in_one_click_once(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    ja_dm = "D" + OTHER_USER
    digest = after_sale_digest(driver, slack, db, clock, settings, OTHER_USER)
    assert "その後いかがでしょうか" in text_of(digest)

    for _ in range(2):  # a double click
        press_in(driver, digest, ja_dm, "after_sale_unsatisfied", user=OTHER_USER)
    assert eventually(lambda: "trouble_post" in kinds_posted(slack))
    settle(slack)
    recovery = the_recovery(db)
    assert (recovery.status, recovery.owner_id, recovery.opened_by) == ("open", OTHER_USER, OTHER_USER)
    assert recovery.what == "販売後のフォローでご満足いただけていない"
    [after_sale] = [f for f in followups(db) if f.source == "after_sale"]
    assert after_sale.status == "done" and after_sale.done_by == OTHER_USER
    assert kinds_posted(slack).count("trouble_dm") == 1 and kinds_posted(slack).count("trouble_post") == 1
    update = [u for u in updates(slack) if u["ts"] == digest["ts"]][-1]
    assert "ご不満あり" in text_of({"blocks": update["blocks"]})


def test_not_satisfied_naming_another_teams_follow_up_changes_nothing(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    digest = after_sale_digest(driver, slack, db, clock, settings, USER)
    _, key = press_in(driver, digest, DM, "after_sale_unsatisfied", team=OTHER_TEAM, user="U0STRANGER")
    assert "no longer exists" in text_of(driver.reply(key))
    assert recoveries(db) == []
    assert the_followup(db).status == "open"
