"""The morning digest end to end (SPEC §4, issue): what it holds, its buttons, and exactly-once delivery
whatever happens (runs repeated or concurrent, downtime, 429 and 5xx, a crash halfway, daylight saving).

The data is built with real (backdated) commands at Sunday 2026-11-22 10:00 Tokyo; the digests are then
sent as on Tuesday 2026-11-24 (Monday the 23rd is a Japanese public holiday).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from functools import partial
from types import SimpleNamespace
from typing import Any

import pytest
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry import handler as retry_handler
from sqlalchemy import select

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.jobs.digest import DigestRun, send_digests_for, send_due_digests
from bot.jobs.outbox import Outcome, delivery_for
from bot.jobs.scheduler import sweep
from bot.models import Followup, Recovery
from tests.support import factories
from tests.support.database import account_id, followup_named
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_TEAM, OTHER_USER, TEAM, USER
from tests.support.server import jobs_client, runtime_for
from tests.support.slack_driver import SlackDriver, date_picked, find_button, press_in, settle, text_of
from tests.support.threads import at_once

TUESDAY = date(2026, 11, 24)
TUESDAY_9AM = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
DM = "D" + USER


# --------------------------------------------------------------------------------------------- helpers


# Each test's after-work (announcements, the Home) finishes within it.
pytestmark = pytest.mark.usefixtures("settled")


@pytest.fixture
def sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """Retry handlers record their waits instead of sleeping (Retry-After and 5xx back-off)."""
    waited: list[float] = []
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=waited.append))
    monkeypatch.setattr(retry_handler, "time", SimpleNamespace(sleep=waited.append))
    return waited


def send_for(
    settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack, day: date = TUESDAY, **kwargs: Any
) -> list[DigestRun]:
    return send_digests_for(runtime_for(settings, db, clock), jobs_client(slack), day=day, **kwargs)


def tick_at(
    settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack, at: datetime
) -> list[DigestRun]:
    clock.set(at)
    return send_due_digests(runtime_for(settings, db, clock), jobs_client(slack), clock.now())


def outcomes(runs: list[DigestRun], user: str = USER) -> list[Outcome]:
    return [run.result.outcome for run in runs if run.user_id == user]


def dm_posts(slack: FakeSlack, user: str = USER) -> list[dict[str, Any]]:
    """Every chat.postMessage to the user's DM, failed attempts included."""
    return [c.body for c in slack.calls_to("chat.postMessage") if c.body.get("channel") in ("D" + user, user)]


def digests_in(slack: FakeSlack, user: str = USER) -> list[dict[str, Any]]:
    """The digest DMs in the user's DM channel, as last updated."""
    return [
        m
        for m in slack.history(user)
        if (m.get("metadata") or {}).get("event_payload", {}).get("kind") == "digest"
    ]


def the_digest(slack: FakeSlack, user: str = USER) -> dict[str, Any]:
    found = digests_in(slack, user)
    assert len(found) == 1, [m.get("text") for m in found]
    return found[0]


def blocks_by_id(message: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b["block_id"]: b for b in message["blocks"] if b.get("block_id")}


def sections(message: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]


def followup_rows(db: Database) -> list[Followup]:
    with db.transaction() as s:
        return list(s.scalars(select(Followup).order_by(Followup.id)))


def followup(db: Database, followup_id: int) -> Followup:
    with db.transaction() as s:
        found = s.get(Followup, followup_id)
    assert found is not None
    return found


def reschedule_action(followup_id: int, selected: str) -> dict[str, Any]:
    return date_picked("followup_reschedule", f"fu_{followup_id}_actions", selected)


def wait_updates(slack: FakeSlack, count: int) -> list[dict[str, Any]]:
    return [call.body for call in slack.wait_for("chat.update", count)]


def build_book(driver: SlackDriver, slack: FakeSlack) -> None:
    """USER's book, logged on Sunday 2026-11-22 with backdated commands."""
    for command, text in [
        ("/meeting", "Acme visit 2026-09-01"),  # acquaintance, 84 days quiet on the 24th: nothing
        ("/deal", "Beta won 2026-07-01"),  # customer, 146 days: dormant, win-back draft
        ("/deal", "Gamma proposed 2026-09-15"),  # prospect, 70 days: lapsing, and a stalled proposal
        ("/deal", "Theta proposed 2026-11-01"),  # prospect, 23 days: neither lapsing nor stalled
        ("/meeting", "Delta call 2026-07-01"),  # acquaintance, 146 days quiet: counted
        ("/meeting", "Omicron visit 2026-08-20"),  # acquaintance, 96 days quiet: counted
        ("/followup", "Acme 2026-11-24 -- send the brochure"),  # due on the day
        ("/followup", "Acme today -- call back"),  # due on the 22nd: overdue (the 23rd is a holiday)
        ("/followup", "Theta 2026-12-01 -- not yet"),  # not due
        ("/trouble", "Acme -- wrong invoice"),  # pending recovery, plus a follow-up on the 23rd
    ]:
        reply = text_of(driver.run(command, text))
        assert any(word in reply for word in ("Logged", "scheduled", "Recovery opened")), reply
    settle(slack)


# ------------------------------------------------------------------------------------------ contents


def test_the_digest_holds_exactly_what_there_is_to_act_on(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    build_book(driver, slack)
    clock.set(TUESDAY_9AM)
    runs = send_for(settings, db, clock, slack)

    assert outcomes(runs) == [Outcome.SENT]
    digest = the_digest(slack)
    text = text_of(digest)
    by_id = blocks_by_id(digest)
    assert "2026-11-24" in text

    # Follow-ups due and overdue, oldest first, each with Done / Snooze / Reschedule; not the future one.
    brochure, call_back = followup_named(db, "send the brochure"), followup_named(db, "call back")
    recovery_fu = followup_named(db, "wrong invoice")
    not_due = followup_named(db, "not yet")
    followup_blocks = [b for b in digest["blocks"] if b.get("block_id", "").startswith("fu_")]
    assert [b["block_id"] for b in followup_blocks] == [
        f"fu_{call_back.id}",
        f"fu_{call_back.id}_actions",
        f"fu_{recovery_fu.id}",
        f"fu_{recovery_fu.id}_actions",
        f"fu_{brochure.id}",
        f"fu_{brochure.id}_actions",
    ]
    assert f"fu_{not_due.id}" not in by_id
    assert "overdue" in by_id[f"fu_{call_back.id}"]["text"]["text"]
    assert "due today" in by_id[f"fu_{brochure.id}"]["text"]["text"]
    actions = by_id[f"fu_{brochure.id}_actions"]["elements"]
    assert [e["action_id"] for e in actions] == ["followup_done", "followup_snooze", "followup_reschedule"]
    assert actions[2]["type"] == "datepicker"
    assert actions[0]["value"] == actions[1]["value"] == str(brochure.id)

    # The pending recovery, with what is still owed.
    with db.transaction() as s:
        recovery = s.scalars(select(Recovery)).one()
    recovery_text = by_id[f"rc_{recovery.id}"]["text"]["text"]
    assert "wrong invoice" in recovery_text and "open" in recovery_text
    assert "Still owed" in recovery_text and "acknowledge the feeling" in recovery_text
    assert find_button({"blocks": [by_id[f"rc_{recovery.id}_actions"]]}, "recovery_responded")

    # Lapsing: the dormant customer with a win-back draft, then the quiet prospect. Nothing else.
    lapsing = [t for t in sections(digest) if " — " in t and ("quiet" in t or "since the last touch" in t)]
    assert len(lapsing) == 2
    assert lapsing[0].startswith("*Beta*") and "146 days" in lapsing[0] and "win-back" in lapsing[0]
    # The dormant customer gets *Draft win-back letter* (the letter itself: tests/e2e/test_winback.py).
    draft, _block = find_button(digest, "draft_winback")
    assert draft["value"] == str(account_id(db, "Beta"))
    assert "Dear Beta" not in text
    assert lapsing[1].startswith("*Gamma*") and "70 days" in lapsing[1]
    assert "Dear Gamma" not in text

    # The stalled proposal: Gamma, not Theta.
    stalled = [t for t in sections(digest) if "proposal sent" in t]
    assert len(stalled) == 1 and stalled[0].startswith("*Gamma*") and "70 days" in stalled[0]

    # One line for the quiet acquaintances (Delta and Omicron, not Acme at 84 days).
    assert "2 acquaintances have gone quiet" in text
    for name in ("Delta", "Omicron", "Theta"):
        assert f"*{name}*" not in text
    # Acme appears only through its follow-ups and recovery, never as lapsing.
    assert not [t for t in sections(digest) if t.startswith("*Acme*") and "quiet" in t]

    assert digest["text"] == "Your Pyramid digest — follow-ups: 3, recoveries: 1, accounts going quiet: 2"


def test_a_rep_with_nothing_gets_no_message(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    driver.run("/meeting", "Fresh visit", user=OTHER_USER)  # a fresh acquaintance: nothing to act on
    driver.run("/deal", "Beta won 2026-07-01")
    runs = send_for(settings, db, clock, slack)

    assert outcomes(runs, OTHER_USER) == [Outcome.EMPTY]
    assert slack.history(OTHER_USER) == []
    row = delivery_for(db, TEAM, "digest", f"{OTHER_USER}:2026-11-24")
    assert row is not None and row.status == "empty"
    assert outcomes(runs, USER) == [Outcome.SENT]


def test_the_japanese_users_digest_is_in_japanese(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    driver.run("/deal", "Omega won 2026-07-01", user=OTHER_USER)
    driver.run("/deal", "Beta won 2026-07-01")
    send_for(settings, db, clock, slack)

    ja = the_digest(slack, OTHER_USER)
    assert ja["blocks"][0]["text"]["text"].startswith("おはようございます")
    assert "Omega" in text_of(ja) and "Beta" not in text_of(ja)
    assert "Good morning" not in text_of(ja)
    en = the_digest(slack, USER)
    assert en["blocks"][0]["text"]["text"].startswith("Good morning")
    assert "Omega" not in text_of(en)


def test_another_teams_accounts_never_reach_this_teams_rep(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    driver.run("/deal", "Beta won 2026-07-01")
    driver.run("/deal", "Secret won 2026-07-01", team=OTHER_TEAM)  # the same user id in another workspace
    runs = send_for(settings, db, clock, slack, teams=[TEAM])
    assert [(r.team_id, r.user_id) for r in runs] == [(TEAM, USER)]
    assert "Secret" not in text_of(the_digest(slack))

    # Each workspace's digest holds only its own accounts (one fake Slack plays both here).
    others = send_for(settings, db, clock, slack)
    assert sorted((r.team_id, r.result.outcome) for r in others) == [
        (TEAM, Outcome.ALREADY),
        (OTHER_TEAM, Outcome.SENT),
    ]
    [theirs] = [r for r in others if r.team_id == OTHER_TEAM]
    [their_digest] = [m for m in digests_in(slack) if m["ts"] == theirs.result.ts]
    assert "Secret" in text_of(their_digest) and "Beta" not in text_of(their_digest)


def test_the_explicit_run_sends_on_a_holiday_but_the_scheduler_does_not(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    driver.run("/deal", "Beta won 2026-07-01")
    holiday_9am = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)  # Monday, Labor Thanksgiving Day, 09:00 Tokyo
    assert tick_at(settings, db, clock, slack, holiday_9am) == []
    assert digests_in(slack) == []

    runs = send_for(settings, db, clock, slack, day=date(2026, 11, 23))
    assert outcomes(runs) == [Outcome.SENT]
    assert "2026-11-23" in text_of(the_digest(slack))


def test_the_explicit_run_can_be_limited_to_one_user(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    driver.run("/deal", "Beta won 2026-07-01")
    driver.run("/deal", "Omega won 2026-07-01", user=OTHER_USER)
    runs = send_for(settings, db, clock, slack, users=[OTHER_USER])
    assert [r.user_id for r in runs] == [OTHER_USER]
    assert digests_in(slack, USER) == []


# ------------------------------------------------------------------------------------ follow-up buttons


@pytest.fixture
def posted(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> dict[str, Any]:
    """USER's digest for Tuesday, as posted (the message dict a button press carries)."""
    build_book(driver, slack)
    clock.set(TUESDAY_9AM)
    send_for(settings, db, clock, slack)
    [call] = [c for c in slack.calls_to("chat.postMessage") if "digest" in str(c.body.get("metadata"))]
    return {**call.body, "ts": the_digest(slack)["ts"]}


def test_done_marks_it_and_rewrites_the_message_with_who(
    driver: SlackDriver, slack: FakeSlack, db: Database, posted: dict[str, Any]
) -> None:
    brochure = followup_named(db, "send the brochure")
    press_in(driver, posted, DM, "followup_done", value=str(brochure.id))
    [update] = wait_updates(slack, 1)

    done = followup(db, brochure.id)
    assert (done.status, done.done_by, done.done_at) == ("done", USER, TUESDAY_9AM)
    assert (update["channel"], update["ts"]) == (DM, posted["ts"])
    by_id = blocks_by_id({"blocks": update["blocks"]})
    assert f"fu_{brochure.id}_actions" not in by_id
    note = text_of({"blocks": [by_id[f"fu_{brochure.id}_done"]]})
    assert "Done" in note and f"<@{USER}>" in note and "09:00" in note
    # The other items keep their buttons.
    call_back = followup_named(db, "call back")
    assert f"fu_{call_back.id}_actions" in by_id
    # What the rep sees now, in place (no new message).
    assert f"fu_{brochure.id}_done" in blocks_by_id(the_digest(slack))
    assert followup(db, call_back.id).status == "open"


def done_twice(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, posted: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """Done pressed on the brochure's follow-up in the digest, then again on the stale message an hour
    later: the follow-up's id and the reply to the second press."""
    brochure = followup_named(db, "send the brochure")
    press_in(driver, posted, DM, "followup_done", value=str(brochure.id))
    wait_updates(slack, 1)
    clock.advance(timedelta(hours=1))
    _, key = press_in(driver, posted, DM, "followup_done", value=str(brochure.id))
    return brochure.id, driver.reply(key)


def test_a_second_press_on_the_stale_message_is_harmless_and_says_so(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, posted: dict[str, Any]
) -> None:
    brochure_id, reply = done_twice(driver, slack, db, clock, posted)

    assert "already done" in text_of(reply) and f"<@{USER}>" in text_of(reply)
    assert reply.get("replace_original") is False
    again = followup(db, brochure_id)
    assert (again.status, again.done_by, again.done_at) == ("done", USER, TUESDAY_9AM)
    # Whatever it rewrites, the message still shows who did it.
    shown = text_of({"blocks": [blocks_by_id(the_digest(slack))[f"fu_{brochure_id}_done"]]})
    assert f"<@{USER}>" in shown


def test_a_second_press_keeps_showing_when_it_was_done(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, posted: dict[str, Any]
) -> None:
    brochure_id, _reply = done_twice(driver, slack, db, clock, posted)
    settle(slack)
    shown = text_of({"blocks": [blocks_by_id(the_digest(slack))[f"fu_{brochure_id}_done"]]})
    assert f"<@{USER}>" in shown and "09:00" in shown and "10:00" not in shown


def test_any_member_of_the_team_may_mark_it_done_and_is_named(
    driver: SlackDriver, slack: FakeSlack, db: Database, posted: dict[str, Any]
) -> None:
    brochure = followup_named(db, "send the brochure")
    press_in(driver, posted, DM, "followup_done", value=str(brochure.id), user=OTHER_USER)
    [update] = wait_updates(slack, 1)
    assert followup(db, brochure.id).done_by == OTHER_USER
    note = text_of({"blocks": [blocks_by_id({"blocks": update["blocks"]})[f"fu_{brochure.id}_done"]]})
    assert f"<@{OTHER_USER}>" in note


def test_snooze_moves_it_a_week(
    driver: SlackDriver, slack: FakeSlack, db: Database, posted: dict[str, Any]
) -> None:
    brochure = followup_named(db, "send the brochure")  # due on the 24th
    press_in(driver, posted, DM, "followup_snooze", value=str(brochure.id))
    [update] = wait_updates(slack, 1)

    snoozed = followup(db, brochure.id)
    assert snoozed.due_on == date(2026, 12, 1) and snoozed.status == "open"
    note = text_of({"blocks": [blocks_by_id({"blocks": update["blocks"]})[f"fu_{brochure.id}_done"]]})
    assert "2026-12-01" in note and f"<@{USER}>" in note


def test_snooze_of_an_overdue_follow_up_lands_in_the_future(
    driver: SlackDriver, slack: FakeSlack, db: Database, posted: dict[str, Any]
) -> None:
    call_back = followup_named(db, "call back")  # due on the 23rd
    press_in(driver, posted, DM, "followup_snooze", value=str(call_back.id))
    wait_updates(slack, 1)
    assert followup(db, call_back.id).due_on > TUESDAY


def test_snooze_after_done_keeps_it_done_and_says_so(
    driver: SlackDriver, slack: FakeSlack, db: Database, posted: dict[str, Any]
) -> None:
    brochure = followup_named(db, "send the brochure")
    press_in(driver, posted, DM, "followup_done", value=str(brochure.id))
    wait_updates(slack, 1)
    _, key = press_in(driver, posted, DM, "followup_snooze", value=str(brochure.id))
    assert "already done" in text_of(driver.reply(key))
    after = followup(db, brochure.id)
    assert (after.status, after.due_on) == ("done", TUESDAY)


def test_a_stale_snooze_does_not_pull_a_rescheduled_follow_up_earlier(
    driver: SlackDriver, slack: FakeSlack, db: Database, posted: dict[str, Any]
) -> None:
    brochure = followup_named(db, "send the brochure")
    press_in(driver, posted, DM, "followup_reschedule", action=reschedule_action(brochure.id, "2026-12-10"))
    wait_updates(slack, 1)
    assert followup(db, brochure.id).due_on == date(2026, 12, 10)

    # Snooze pressed on an older copy of the digest that still shows the buttons.
    press_in(driver, posted, DM, "followup_snooze", value=str(brochure.id))
    settle(slack)
    assert followup(db, brochure.id).due_on >= date(2026, 12, 10)


def test_reschedule_moves_it_to_the_picked_date(
    driver: SlackDriver, slack: FakeSlack, db: Database, posted: dict[str, Any]
) -> None:
    brochure = followup_named(db, "send the brochure")
    press_in(
        driver,
        posted,
        DM,
        "followup_reschedule",
        action=reschedule_action(brochure.id, "2026-12-10"),
    )
    [update] = wait_updates(slack, 1)

    assert followup(db, brochure.id).due_on == date(2026, 12, 10)
    note = text_of({"blocks": [blocks_by_id({"blocks": update["blocks"]})[f"fu_{brochure.id}_done"]]})
    assert "2026-12-10" in note and f"<@{USER}>" in note


def test_a_reschedule_picked_on_a_holiday_moves_to_the_next_working_day_and_says_so(
    driver: SlackDriver, slack: FakeSlack, db: Database, posted: dict[str, Any]
) -> None:
    brochure = followup_named(db, "send the brochure")
    # New Year's Day 2027 is a public holiday in Japan, then a weekend: Monday 1/4 is the next working day.
    press_in(driver, posted, DM, "followup_reschedule", action=reschedule_action(brochure.id, "2027-01-01"))
    [update] = wait_updates(slack, 1)

    assert followup(db, brochure.id).due_on == date(2027, 1, 4)
    note = text_of({"blocks": [blocks_by_id({"blocks": update["blocks"]})[f"fu_{brochure.id}_done"]]})
    assert "2027-01-04" in note and "2027-01-01 (Fri) is not a working day" in note, note


def test_reschedule_to_a_past_date_is_refused(
    driver: SlackDriver, slack: FakeSlack, db: Database, posted: dict[str, Any]
) -> None:
    brochure = followup_named(db, "send the brochure")
    _, key = press_in(
        driver,
        posted,
        DM,
        "followup_reschedule",
        action=reschedule_action(brochure.id, "2026-11-20"),
    )
    reply = driver.reply(key)
    assert "past" in text_of(reply)
    assert followup(db, brochure.id).due_on == TUESDAY
    assert slack.calls_to("chat.update") == []


def test_recovery_buttons_in_the_digest(
    driver: SlackDriver, slack: FakeSlack, db: Database, posted: dict[str, Any]
) -> None:
    with db.transaction() as s:
        recovery = s.scalars(select(Recovery)).one()
    press_in(driver, posted, DM, "recovery_responded")
    [update] = wait_updates(slack, 1)
    with db.transaction() as s:
        assert s.get(Recovery, recovery.id).status == "responded"  # type: ignore[union-attr]
    by_id = blocks_by_id({"blocks": update["blocks"]})
    assert f"<@{USER}>" in text_of({"blocks": [by_id[f"rc_{recovery.id}_done"]]})
    # No one-click Recovered (issue 12): the next half asks for the next delivery's date.
    next_half = by_id[f"rc_{recovery.id}_actions"]
    assert [e["action_id"] for e in next_half["elements"]] == ["recovery_delivery_on", "recovery_lost"]
    assert "recovery_recovered" not in str(update["blocks"])

    # The Recovered button of a digest sent before issue 12: it changes nothing, and says what to do.
    recovered_message = {
        "ts": posted["ts"],
        "text": posted["text"],
        "blocks": [
            *update["blocks"],
            {
                "type": "actions",
                "block_id": f"rc_{recovery.id}_old",
                "elements": [
                    {"type": "button", "action_id": "recovery_recovered", "value": str(recovery.id)}
                ],
            },
        ],
    }
    _, key = press_in(driver, recovered_message, DM, "recovery_recovered")
    assert "next delivery" in text_of(driver.reply(key))
    with db.transaction() as s:
        still = s.get(Recovery, recovery.id)
        assert still is not None and still.status == "responded" and still.closed_at is None


def test_what_was_acted_on_leaves_the_next_digest(
    driver: SlackDriver,
    slack: FakeSlack,
    db: Database,
    clock: FixedClock,
    settings: Settings,
    posted: dict[str, Any],
) -> None:
    brochure, call_back = followup_named(db, "send the brochure"), followup_named(db, "call back")
    press_in(driver, posted, DM, "followup_done", value=str(brochure.id))
    press_in(driver, posted, DM, "followup_snooze", value=str(call_back.id))
    wait_updates(slack, 2)
    with db.transaction() as s:
        recovery = s.scalars(select(Recovery)).one()
    press_in(driver, posted, DM, "recovery_responded")
    wait_updates(slack, 3)
    settle(slack)

    clock.set(TUESDAY_9AM + timedelta(days=1))
    send_for(settings, db, clock, slack, day=date(2026, 11, 25))
    wednesday = [m for m in digests_in(slack) if m["ts"] != posted["ts"]]
    assert len(wednesday) == 1
    by_id = blocks_by_id(wednesday[0])
    assert f"fu_{brochure.id}" not in by_id and f"fu_{call_back.id}" not in by_id
    # Responded is still pending: now owed is the next delivery's date, asked with a date picker.
    recovery_text = by_id[f"rc_{recovery.id}"]["text"]["text"]
    assert "responded" in recovery_text and "date of the next delivery" in recovery_text
    actions = by_id[f"rc_{recovery.id}_actions"]
    assert find_button({"blocks": [actions]}, "recovery_delivery_on")
    assert "recovery_responded" not in str(actions) and "recovery_recovered" not in str(actions)


def test_recoveries_are_listed_oldest_first_and_closed_ones_drop_out(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    assert "Logged" in text_of(driver.run("/meeting", "Acme visit"))
    assert "Logged" in text_of(driver.run("/meeting", "Beta visit"))
    driver.run("/trouble", "Beta -- broken part")
    clock.advance(timedelta(hours=1))
    driver.run("/trouble", "Acme -- wrong invoice")
    clock.advance(timedelta(hours=1))
    driver.run("/trouble", "Acme -- late again")
    settle(slack)
    with db.transaction() as s:
        late_again = s.scalars(select(Recovery).where(Recovery.what == "late again")).one()
        late_again.status = "lost"

    send_for(settings, db, clock, slack)
    texts = [t for t in sections(the_digest(slack)) if t.startswith("*") and " — " in t and "opened" in t]
    assert [t.split("\n")[0] for t in texts] == ["*Beta* — broken part", "*Acme* — wrong invoice"]


def test_lapse_boundaries_in_the_digest_match_the_method(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    # Days quiet on Tuesday 2026-11-24 in the comments; names far apart so that none is a near match.
    for command, text in [
        ("/deal", "Papaya proposed 2026-10-26"),  # prospect, 29
        ("/deal", "Quince proposed 2026-10-25"),  # prospect, 30
        ("/deal", "Walnut won 2026-09-26"),  # customer, 59
        ("/deal", "Hazel won 2026-09-25"),  # customer, 60
        ("/deal", "Maple won 2026-08-27"),  # customer, 89
        ("/deal", "Cedar won 2026-08-26"),  # customer, 90
        ("/meeting", "Lotus call 2026-08-27"),  # acquaintance, 89
        ("/meeting", "Orchid call 2026-08-26"),  # acquaintance, 90
    ]:
        assert "Logged" in text_of(driver.run(command, text))
    settle(slack)
    send_for(settings, db, clock, slack)

    digest = the_digest(slack)
    lapsing = {
        t.split("*")[1]: t for t in sections(digest) if " — " in t and "days" in t and "proposal" not in t
    }
    assert set(lapsing) == {"Quince", "Hazel", "Maple", "Cedar"}
    assert "get in touch" in lapsing["Quince"] and "get in touch" in lapsing["Hazel"]
    assert "get in touch" in lapsing["Maple"] and "win-back" not in lapsing["Maple"]
    assert "dormant" in lapsing["Cedar"] and "win-back letter" in lapsing["Cedar"]
    # Only the dormant one is offered a win-back letter (its draft: tests/e2e/test_winback.py).
    drafts = [e["value"] for b in digest["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [v for v in drafts if v == str(account_id(db, "Cedar"))] == [str(account_id(db, "Cedar"))]
    assert str(account_id(db, "Maple")) not in drafts
    stalled = [t.split("*")[1] for t in sections(digest) if "proposal sent" in t]
    assert stalled == ["Quince"]
    assert "1 acquaintances have gone quiet" in text_of(digest)
    for name in ("Papaya", "Walnut", "Lotus", "Orchid"):
        assert name not in text_of(digest)


def test_someone_holding_a_follow_up_on_anothers_account_gets_it(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    driver.run("/meeting", "Acme visit")  # USER owns Acme
    driver.run("/followup", "Acme 2026-11-24 -- bring the samples", user=OTHER_USER)
    runs = send_for(settings, db, clock, slack)
    assert outcomes(runs, OTHER_USER) == [Outcome.SENT]
    assert "bring the samples" in text_of(the_digest(slack, OTHER_USER))
    assert outcomes(runs, USER) == [Outcome.EMPTY]


def test_a_year_quiet_customer_is_suggested_for_archiving_and_a_decided_proposal_is_not_stalled(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    for text in ("Ancient won 2025-10-01", "Kappa proposed 2026-09-01", "Kappa won 2026-10-01"):
        # Ancient: 419 days quiet on the 24th. Kappa: decided; a customer 54 days quiet, nothing yet.
        assert "Logged" in text_of(driver.run("/deal", text))
    send_for(settings, db, clock, slack)

    digest = the_digest(slack)
    [ancient] = [t for t in sections(digest) if t.startswith("*Ancient*")]
    assert "archiv" in ancient and "win-back" not in ancient
    with pytest.raises(AssertionError):
        find_button(digest, "draft_winback")
    assert "Kappa" not in text_of(digest)


@pytest.mark.parametrize("action_id", ["followup_done", "followup_snooze", "followup_reschedule"])
def test_a_button_naming_another_teams_follow_up_changes_nothing(
    driver: SlackDriver, slack: FakeSlack, db: Database, posted: dict[str, Any], action_id: str
) -> None:
    brochure = followup_named(db, "send the brochure")
    action = reschedule_action(brochure.id, "2026-12-10") if action_id == "followup_reschedule" else None
    _, key = press_in(
        driver,
        posted,
        DM,
        action_id,
        value=str(brochure.id),
        team=OTHER_TEAM,
        user="U0STRANGER",
        action=action,
    )
    reply = driver.reply(key)

    assert "no longer exists" in text_of(reply)
    after = followup(db, brochure.id)
    assert (after.status, after.due_on, after.done_by) == ("open", TUESDAY, None)
    assert slack.calls_to("chat.update") == []


@pytest.mark.parametrize("value", ["abc", "0", "", "99999999999", "1 OR 1=1"])
def test_a_forged_follow_up_value_changes_nothing(
    driver: SlackDriver, slack: FakeSlack, db: Database, posted: dict[str, Any], value: str
) -> None:
    before = [(f.id, f.status, f.due_on) for f in followup_rows(db)]
    _, key = press_in(driver, posted, DM, "followup_done", value=value)
    assert "no longer exists" in text_of(driver.reply(key))
    assert [(f.id, f.status, f.due_on) for f in followup_rows(db)] == before
    assert slack.calls_to("chat.update") == []


# ------------------------------------------------------------------------------------------ exactly once


@pytest.fixture
def book(driver: SlackDriver, slack: FakeSlack) -> None:
    """Something to say for USER on any day: a dormant customer."""
    driver.run("/deal", "Beta won 2026-07-01")
    settle(slack)


@pytest.mark.usefixtures("book")
def test_the_explicit_run_twice_sends_one_dm(
    slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    first = send_for(settings, db, clock, slack)
    second = send_for(settings, db, clock, slack)
    assert outcomes(first) == [Outcome.SENT]
    assert outcomes(second) == [Outcome.ALREADY]
    assert second[0].result.ts == first[0].result.ts
    assert len(digests_in(slack)) == 1


@pytest.mark.usefixtures("book")
def test_two_processes_at_once_send_one_dm_per_rep(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    driver.run("/deal", "Omega won 2026-07-01", user=OTHER_USER)
    engines = [Database(settings.database_url) for _ in range(2)]  # a second process has its own engine
    results, errors = at_once([partial(send_for, settings, own_db, clock, slack) for own_db in engines])
    for own_db in engines:
        own_db.dispose()

    assert errors == []
    assert len(digests_in(slack, USER)) == 1
    assert len(digests_in(slack, OTHER_USER)) == 1
    every = [run.result.outcome for runs in results for run in runs]
    assert every.count(Outcome.SENT) == 2
    assert set(every) <= {Outcome.SENT, Outcome.BUSY, Outcome.ALREADY}


@pytest.mark.usefixtures("book")
def test_the_scheduler_twice_in_the_same_morning_sends_one(
    slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    # A tick just before 09:00, then a restart: the next ticks are 09:02 and 09:07.
    assert tick_at(settings, db, clock, slack, TUESDAY_9AM - timedelta(minutes=3)) == []
    first = tick_at(settings, db, clock, slack, TUESDAY_9AM + timedelta(minutes=2))
    second = tick_at(settings, db, clock, slack, TUESDAY_9AM + timedelta(minutes=7))
    assert outcomes(first) == [Outcome.SENT]
    assert outcomes(second) == [Outcome.ALREADY]
    assert first[0].day == TUESDAY
    assert len(digests_in(slack)) == 1


@pytest.mark.usefixtures("book")
def test_before_nine_and_on_the_weekend_the_scheduler_sends_nothing(
    slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    assert tick_at(settings, db, clock, slack, TUESDAY_9AM - timedelta(minutes=1)) == []
    assert tick_at(settings, db, clock, slack, datetime(2026, 11, 22, 1, 0, tzinfo=UTC)) == []  # Sunday
    assert tick_at(settings, db, clock, slack, datetime(2026, 11, 28, 3, 0, tzinfo=UTC)) == []  # Saturday
    assert digests_in(slack) == []


@pytest.mark.usefixtures("book")
def test_after_downtime_the_same_day_is_caught_up_once_and_never_replayed(
    slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    three_pm = TUESDAY_9AM + timedelta(hours=6)  # 15:00 in Tokyo: down all morning
    caught_up = tick_at(settings, db, clock, slack, three_pm)
    assert outcomes(caught_up) == [Outcome.SENT] and caught_up[0].day == TUESDAY
    assert outcomes(tick_at(settings, db, clock, slack, three_pm + timedelta(minutes=5))) == [Outcome.ALREADY]

    # Wednesday 08:00: yesterday's is not sent again, today's is not due yet.
    assert tick_at(settings, db, clock, slack, TUESDAY_9AM + timedelta(hours=23)) == []
    assert len(digests_in(slack)) == 1
    # Wednesday 09:00: Wednesday's own digest.
    wednesday = tick_at(settings, db, clock, slack, TUESDAY_9AM + timedelta(days=1))
    assert outcomes(wednesday) == [Outcome.SENT] and wednesday[0].day == date(2026, 11, 25)
    assert len(digests_in(slack)) == 2


@pytest.mark.usefixtures("book")
def test_downtime_over_several_days_sends_one_digest_for_today_only(
    slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    # Down from Tuesday to Friday noon: one digest, Friday's.
    runs = tick_at(settings, db, clock, slack, datetime(2026, 11, 27, 3, 0, tzinfo=UTC))
    assert [run.day for run in runs if run.user_id == USER] == [date(2026, 11, 27)]
    assert len(digests_in(slack)) == 1
    assert "2026-11-27" in text_of(the_digest(slack))


@pytest.mark.usefixtures("book")
def test_a_429_then_success_delivers_once(
    slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings, sleeps: list[float]
) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    runs = send_for(settings, db, clock, slack)

    # Not waited out under a claim: the digest waits in the ledger until Retry-After has passed.
    assert outcomes(runs) == [Outcome.RETRY]
    assert sleeps == []
    assert sweep(runtime_for(settings, db, clock), jobs_client(slack)) == []  # not due yet
    clock.advance(timedelta(seconds=1))
    assert [r.outcome for r in sweep(runtime_for(settings, db, clock), jobs_client(slack))] == [Outcome.SENT]
    assert len(dm_posts(slack)) == 2
    assert len(digests_in(slack)) == 1


def test_a_real_retry_after_wait(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    """A real 429 answer through unpatched clients: the run goes on, the next run after Retry-After posts."""
    driver.run("/deal", "Beta won 2026-07-01")
    slack.wait_for("chat.postMessage")  # the win's announcement first (posted after the ack)
    settle(slack)
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    runs = send_for(settings, db, clock, slack)
    assert outcomes(runs) == [Outcome.RETRY]
    clock.advance(timedelta(seconds=1))
    assert outcomes(send_for(settings, db, clock, slack)) == [Outcome.SENT]
    assert len(digests_in(slack)) == 1


@pytest.mark.usefixtures("book")
def test_a_post_whose_answer_was_lost_is_found_in_history_and_not_posted_again(
    slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings, sleeps: list[float]
) -> None:
    slack.fail_next("chat.postMessage", status=500, error="internal_error", after_effect=True, times=3)
    first = send_for(settings, db, clock, slack)
    assert outcomes(first) == [Outcome.RETRY]
    row = delivery_for(db, TEAM, "digest", f"{USER}:2026-11-24")
    assert row is not None and row.status == "pending" and row.may_have_posted
    posts_so_far = len(dm_posts(slack))
    landed = {m["ts"] for m in digests_in(slack)}
    assert landed

    # Too soon: the retry is not due yet.
    clock.advance(timedelta(seconds=30))
    assert outcomes(send_for(settings, db, clock, slack)) == [Outcome.RETRY]

    clock.advance(timedelta(minutes=6))
    second = send_for(settings, db, clock, slack)
    assert outcomes(second) == [Outcome.SENT]
    assert second[0].result.ts in landed
    assert len(dm_posts(slack)) == posts_so_far  # found, not posted again
    row = delivery_for(db, TEAM, "digest", f"{USER}:2026-11-24")
    assert row is not None and row.status == "sent" and row.ts in landed
    assert outcomes(send_for(settings, db, clock, slack)) == [Outcome.ALREADY]


@pytest.mark.parametrize("times", [1, 3])
@pytest.mark.usefixtures("book")
def test_a_5xx_after_the_post_landed_never_doubles_the_digest(
    slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings, sleeps: list[float], times: int
) -> None:
    slack.fail_next("chat.postMessage", status=500, error="internal_error", after_effect=True, times=times)
    send_for(settings, db, clock, slack)
    clock.advance(timedelta(minutes=11))
    send_for(settings, db, clock, slack)
    assert len(digests_in(slack)) == 1


@pytest.mark.usefixtures("book")
def test_a_claim_that_crashed_before_posting_is_posted_once_later(
    slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    factories.claim(db, f"{USER}:2026-11-24", clock.now() - timedelta(minutes=30), token="0" * 32)
    runs = send_for(settings, db, clock, slack)
    assert outcomes(runs) == [Outcome.SENT]
    assert len(dm_posts(slack)) == 1
    assert len(digests_in(slack)) == 1
    row = delivery_for(db, TEAM, "digest", f"{USER}:2026-11-24")
    assert row is not None and row.status == "sent" and row.attempts == 2
    assert outcomes(send_for(settings, db, clock, slack)) == [Outcome.ALREADY]


@pytest.mark.usefixtures("book")
def test_a_claim_still_fresh_from_another_process_is_left_alone(
    slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    factories.claim(db, f"{USER}:2026-11-24", clock.now() - timedelta(seconds=30), token="0" * 32)
    assert outcomes(send_for(settings, db, clock, slack)) == [Outcome.BUSY]
    assert dm_posts(slack) == []


# ---------------------------------------------------------------------------------------- daylight saving


@pytest.fixture
def new_yorker(driver: SlackDriver, slack: FakeSlack) -> Iterator[str]:
    slack.add_user("U0NY", name="smith", tz="America/New_York", locale="en-US")
    driver.run("/deal", "Hudson won 2026-07-01", user="U0NY")
    settle(slack)
    yield "U0NY"


@pytest.mark.parametrize(
    ("early", "on_time", "day"),
    [
        # Friday 30 October 2026, EDT: 09:00 = 13:00 UTC.
        (
            datetime(2026, 10, 30, 12, 0, tzinfo=UTC),
            datetime(2026, 10, 30, 13, 0, tzinfo=UTC),
            date(2026, 10, 30),
        ),
        # Monday 2 November 2026, EST since the 1st: 09:00 = 14:00 UTC.
        (
            datetime(2026, 11, 2, 13, 0, tzinfo=UTC),
            datetime(2026, 11, 2, 14, 0, tzinfo=UTC),
            date(2026, 11, 2),
        ),
    ],
)
def test_a_new_york_rep_gets_the_digest_at_nine_local_across_dst(
    slack: FakeSlack,
    db: Database,
    clock: FixedClock,
    settings: Settings,
    new_yorker: str,
    early: datetime,
    on_time: datetime,
    day: date,
) -> None:
    assert outcomes(tick_at(settings, db, clock, slack, early), new_yorker) == []
    assert digests_in(slack, new_yorker) == []

    runs = tick_at(settings, db, clock, slack, on_time)
    assert outcomes(runs, new_yorker) == [Outcome.SENT]
    assert [run.day for run in runs if run.user_id == new_yorker] == [day]
    digest = the_digest(slack, new_yorker)
    assert day.isoformat() in text_of(digest) and "Hudson" in text_of(digest)


def test_a_lost_deal_parked_until_its_revisit_is_not_nudged_before_then(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    # Both prospects went quiet on 10/01 (54 days on Tuesday the 24th, past the 30-day nudge); Fig's lost
    # deal named April as the time to come back, so the timing is recorded and the digest leaves it be.
    for command, text in [
        ("/deal", "Fig proposed 2026-09-20"),
        ("/deal", "Fig lost revisit 2027-04-01 2026-10-01 -- budget next fiscal year"),
        ("/deal", "Yuzu proposed 2026-10-01"),
    ]:
        assert "Logged" in text_of(driver.run(command, text))
    settle(slack)
    send_for(settings, db, clock, slack)
    lapsing = [t.split("*")[1] for t in sections(the_digest(slack)) if " — " in t and "days" in t]
    assert "Yuzu" in lapsing and "Fig" not in lapsing

    # On the revisit day the follow-up itself comes due; once it is past, the account is nudged again.
    send_for(settings, db, clock, slack, day=date(2027, 4, 1))
    april = digests_in(slack)[-1]
    assert "budget next fiscal year" in text_of(april)
    assert "Fig" in [t.split("*")[1] for t in sections(april) if " — " in t and "days" in t]
