"""Every delivery kind against every way Slack (or the network to it) fails (issue 8 items 4 and 5).

The fake Web API drops the connection, answers too late, answers an HTML 503 page, a JSON 500, a 429
with Retry-After, or a named error, sometimes after the post landed. Whatever happens, each message ends
posted exactly once after the scheduler's sweeps; permanent errors end `failed`, are logged once and
never retried; one rep's failure never stops another's digest; and the bot joins a public team channel
it is not in, and says clearly what to do about a private one.

Time moves with the test clock; the only real waits are the injected timeouts (under a second).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.jobs import outbox
from bot.jobs.digest import send_digests_for
from bot.jobs.outbox import Outcome, enqueue
from bot.jobs.recovery_flags import flag_overdue_recoveries
from bot.jobs.scheduler import build_scheduler, sweep, tick
from bot.jobs.summary import send_summaries_for
from bot.jobs.team_channel import join_team_channel
from bot.models import Delivery, Recovery
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_USER, TEAM, USER
from tests.support.server import jobs_client, runtime_for
from tests.support.slack_driver import SlackDriver, date_picked, kind_of, press_in, settle

CHANNEL = "C0TEAM"
TUESDAY = date(2026, 11, 24)
# Under a claim every Web API call times out after CALL_TIMEOUT; the fake answers a "timeout" this late.
CALL_TIMEOUT = 0.5
LATE = 1.0

# id: (how the fake fails, whether the post lands before the failure is answered)
FAILURES: dict[str, tuple[str, bool]] = {
    "dropped-connection": ("drop", False),
    "dropped-after-landing": ("drop", True),
    "timeout": ("timeout", False),
    "timeout-after-landing": ("timeout", True),
    "html-503": ("html503", False),
    "json-500": ("500", False),
    "json-500-after-landing": ("500", True),
    "429-retry-after": ("429", False),
    "fatal_error": ("fatal_error", False),
    "service_unavailable": ("service_unavailable", False),
}

PERMANENT = [
    "invalid_auth",
    "account_inactive",
    "token_revoked",
    "channel_not_found",
    "is_archived",
    "user_not_found",
    "cannot_dm_bot",
    "msg_too_long",
    "invalid_blocks",
    "msg_blocks_too_long",
    "no_permission",
    "missing_scope",
]


# --------------------------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def short_timeouts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(outbox, "CALL_TIMEOUT", CALL_TIMEOUT)


# Each test's after-work (announcements, the Home) finishes within it.
pytestmark = pytest.mark.usefixtures("settled")


def carrying(kind: str) -> Callable[[dict[str, Any]], bool]:
    """A `when` for the fake: the calls carrying a delivery of `kind` in their metadata."""
    return lambda body: kind_of(body) == kind


def posts_of(slack: FakeSlack, kind: str) -> int:
    """chat.postMessage calls carrying a delivery of `kind`, failed ones included."""
    return len([c for c in slack.calls_to("chat.postMessage") if kind_of(c.body) == kind])


def landed(slack: FakeSlack, channel: str, kind: str) -> list[dict[str, Any]]:
    """Messages carrying a delivery of `kind` that are in the channel (a user id: their DM)."""
    return [m for m in slack.history(channel) if kind_of(m) == kind]


def rows(db: Database, kind: str) -> list[Delivery]:
    with db.transaction() as session:
        return list(session.scalars(select(Delivery).where(Delivery.kind == kind)).all())


def settled_row(db: Database, kind: str, timeout: float = 5.0) -> Delivery:
    """The ledger row of `kind` once an attempt is over (listeners post after their ack, on a thread)."""
    deadline = time.monotonic() + timeout
    while True:
        found = rows(db, kind)
        if (
            len(found) == 1
            and found[0].status != "claimed"
            and (found[0].attempts or found[0].status != "pending")
        ):
            return found[0]
        assert time.monotonic() < deadline, [(r.status, r.last_error) for r in found]
        time.sleep(0.02)


def sweep_until_done(
    settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack, kind: str, sweeps: int = 5
) -> Delivery:
    """The scheduler's sweep, a few minutes apart, until the row is done (at most `sweeps`)."""
    for _ in range(sweeps):
        row = settled_row(db, kind)
        if row.status in ("sent", "failed"):
            return row
        clock.advance(timedelta(minutes=2))
        sweep(runtime_for(settings, db, clock), jobs_client(slack))
    return settled_row(db, kind)


# ------------------------------------------------------------------------------------------ scenarios


@dataclass(frozen=True)
class Scenario:
    """How to get one delivery kind to its first attempt, and where it lands."""

    prepare: Callable[[SlackDriver, FakeSlack, Database, FixedClock, Settings], None]
    trigger: Callable[[SlackDriver, FakeSlack, Database, FixedClock, Settings], None]
    target: str


def _nothing(*_: Any) -> None:
    return None


def _meeting(driver: SlackDriver, slack: FakeSlack, *_: Any) -> None:
    driver.run("/meeting", "Acme visit")


def _trouble(driver: SlackDriver, slack: FakeSlack, *_: Any) -> None:
    driver.run("/trouble", "Acme -- delivery arrived two days late")


def _win(driver: SlackDriver, *_: Any) -> None:
    driver.run("/deal", "Acme won")


def _responded_trouble(driver: SlackDriver, slack: FakeSlack, db: Database, *_: Any) -> None:
    _open_trouble(driver, slack, db)
    settled_row(db, "trouble_dm")
    [checklist] = landed(slack, USER, "trouble_dm")
    press_in(driver, checklist, "D" + USER, "recovery_responded")
    slack.wait_for("chat.update")


def _awaiting_trouble(driver: SlackDriver, slack: FakeSlack, db: Database, *_: Any) -> None:
    """Responded, and the next delivery is today (the clock's day in Tokyo)."""
    _responded_trouble(driver, slack, db)
    [checklist] = landed(slack, USER, "trouble_dm")
    with db.transaction() as session:
        recovery_id = session.scalars(select(Recovery.id)).one()
    picked = date_picked("recovery_delivery_on", f"rc_{recovery_id}_actions", "2026-11-22")
    press_in(driver, checklist, "D" + USER, "recovery_delivery_on", action=picked)
    slack.wait_for("chat.update", count=2)


def _recovery_clock(days: int) -> Callable[..., None]:
    """The recovery clock (the scheduler's tick) run `days` later."""

    def run(
        driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
    ) -> None:
        clock.advance(timedelta(days=days))
        flag_overdue_recoveries(runtime_for(settings, db, clock), jobs_client(slack), clock.now())

    return run


def _second_trouble(driver: SlackDriver, *_: Any) -> None:
    driver.run("/trouble", "Acme -- the replacement was damaged too")


def _open_trouble(driver: SlackDriver, slack: FakeSlack, db: Database, *_: Any) -> None:
    _meeting(driver, slack)
    _trouble(driver, slack)
    settled_row(db, "trouble_post")


def _flag(driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings) -> None:
    clock.advance(timedelta(days=3, hours=1))
    flag_overdue_recoveries(runtime_for(settings, db, clock), jobs_client(slack), clock.now())


def _old_win(driver: SlackDriver, *_: Any) -> None:
    driver.run("/deal", "Beta won 2026-07-01")


def _digest(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    send_digests_for(runtime_for(settings, db, clock), jobs_client(slack), day=TUESDAY, users=[USER])


def _summary(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    send_summaries_for(runtime_for(settings, db, clock), jobs_client(slack), day=date(2026, 11, 23))


SCENARIOS: dict[str, Scenario] = {
    "stage_change": Scenario(_nothing, _win, CHANNEL),
    "trouble_dm": Scenario(_meeting, _trouble, USER),
    "trouble_post": Scenario(_meeting, _trouble, CHANNEL),
    "verdict": Scenario(_awaiting_trouble, _recovery_clock(1), USER),
    "delivery_ask": Scenario(_responded_trouble, _recovery_clock(1), USER),
    "recovery_remind": Scenario(_open_trouble, _recovery_clock(1), USER),
    "recovery_flag": Scenario(_open_trouble, _flag, CHANNEL),
    "at_risk": Scenario(_open_trouble, _second_trouble, CHANNEL),
    "digest": Scenario(_old_win, _digest, USER),
    "summary": Scenario(_win, _summary, CHANNEL),
}


# ------------------------------------------------------------------------------ transient: sent once


@pytest.mark.parametrize("failure", list(FAILURES))
@pytest.mark.parametrize("kind", list(SCENARIOS))
def test_every_failure_of_every_delivery_ends_posted_exactly_once(
    driver: SlackDriver,
    slack: FakeSlack,
    db: Database,
    clock: FixedClock,
    settings: Settings,
    kind: str,
    failure: str,
) -> None:
    how, after_effect = FAILURES[failure]
    scenario = SCENARIOS[kind]
    scenario.prepare(driver, slack, db, clock, settings)
    settle(slack)
    slack.fail("chat.postMessage", how, after_effect=after_effect, delay=LATE, when=carrying(kind))

    scenario.trigger(driver, slack, db, clock, settings)
    first = settled_row(db, kind)
    assert (first.status, first.ts) == ("pending", None), first.last_error
    assert first.last_error
    assert posts_of(slack, kind) == 1
    assert len(landed(slack, scenario.target, kind)) == (1 if after_effect else 0)

    row = sweep_until_done(settings, db, clock, slack, kind)
    assert row.status == "sent", row.last_error
    [message] = landed(slack, scenario.target, kind)
    assert row.ts == message["ts"]
    # Found in history when it had landed; posted a second time only when it had not.
    assert posts_of(slack, kind) == (1 if after_effect else 2)

    # Later sweeps and runs change nothing.
    clock.advance(timedelta(hours=1))
    assert sweep(runtime_for(settings, db, clock), jobs_client(slack)) == []
    assert len(landed(slack, scenario.target, kind)) == 1


def test_the_chart_upload_after_a_dropped_connection_is_shared_once(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    _win(driver)
    settle(slack)
    slack.fail("files.completeUploadExternal", "drop", after_effect=True)
    [run] = send_summaries_for(runtime_for(settings, db, clock), jobs_client(slack), day=date(2026, 11, 23))
    assert run.message.outcome is Outcome.SENT
    assert run.chart is not None and run.chart.outcome is Outcome.RETRY
    clock.advance(timedelta(minutes=2))
    [run] = send_summaries_for(runtime_for(settings, db, clock), jobs_client(slack), day=date(2026, 11, 23))
    assert run.chart is not None and run.chart.outcome is Outcome.SENT
    files = [f for m in slack.history(CHANNEL) for f in m.get("files", [])]
    assert len(files) == 1
    assert len(slack.calls_to("files.completeUploadExternal")) == 1  # found, not shared again


# ------------------------------------------------------------------------------ permanent: failed once


@pytest.mark.parametrize("error", PERMANENT)
def test_a_permanent_error_fails_the_delivery_is_logged_once_and_never_retried(
    driver: SlackDriver,
    slack: FakeSlack,
    db: Database,
    clock: FixedClock,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    error: str,
) -> None:
    _old_win(driver)
    settle(slack)
    caplog.set_level(logging.INFO)
    slack.fail("chat.postMessage", error, when=carrying("digest"))
    [run] = send_digests_for(runtime_for(settings, db, clock), jobs_client(slack), day=TUESDAY, users=[USER])
    assert (run.result.outcome, run.result.error) == (Outcome.FAILED, error)

    for later in (timedelta(minutes=2), timedelta(hours=1), timedelta(days=1)):
        clock.advance(later)
        assert sweep(runtime_for(settings, db, clock), jobs_client(slack)) == []
        [again] = send_digests_for(
            runtime_for(settings, db, clock), jobs_client(slack), day=TUESDAY, users=[USER]
        )
        assert again.result.outcome is Outcome.FAILED

    [row] = rows(db, "digest")
    assert (row.status, row.last_error) == ("failed", error)
    assert posts_of(slack, "digest") == 1
    assert landed(slack, USER, "digest") == []
    reports = [r for r in caplog.records if r.name == "bot.jobs.outbox" and r.levelno >= logging.WARNING]
    assert len(reports) == 1, [r.getMessage() for r in reports]
    line = reports[0].getMessage()
    for part in (TEAM, "digest", USER, error):
        assert part in line, line
    assert "Traceback" not in caplog.text


# ------------------------------------------------------------------------------ one rep never stops another


@pytest.mark.parametrize("method", ["chat.postMessage", "conversations.open"])
@pytest.mark.parametrize("how", ["drop", "timeout", "html503"])
def test_a_digest_run_with_one_reps_dm_failing_still_sends_the_others(
    driver: SlackDriver,
    slack: FakeSlack,
    db: Database,
    clock: FixedClock,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    method: str,
    how: str,
) -> None:
    _old_win(driver)
    driver.run("/deal", "Gamma won 2026-07-01", user=OTHER_USER)
    settle(slack)
    dm_of_first = "D" + USER

    def to_first_rep(body: dict[str, Any]) -> bool:
        return dm_of_first in (body.get("channel"), "D" + str(body.get("users")))

    slack.fail(method, how, delay=LATE, when=to_first_rep)
    runs = send_digests_for(runtime_for(settings, db, clock), jobs_client(slack), day=TUESDAY)

    outcome = {run.user_id: run.result.outcome for run in runs}
    assert outcome == {USER: Outcome.RETRY, OTHER_USER: Outcome.SENT}
    assert len(landed(slack, OTHER_USER, "digest")) == 1
    assert "Traceback" not in caplog.text

    clock.advance(timedelta(minutes=2))
    sweep(runtime_for(settings, db, clock), jobs_client(slack))
    assert len(landed(slack, USER, "digest")) == 1
    assert len(landed(slack, OTHER_USER, "digest")) == 1


def test_one_team_channel_refusing_never_stops_the_dms(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    _meeting(driver, slack)
    settle(slack)
    slack.fail("chat.postMessage", "channel_not_found", when=carrying("trouble_post"))
    _trouble(driver, slack)
    assert settled_row(db, "trouble_post").status == "failed"
    assert settled_row(db, "trouble_dm").status == "sent"
    assert len(landed(slack, USER, "trouble_dm")) == 1


# ------------------------------------------------------------------------------------ channel membership


def test_the_bot_joins_a_public_team_channel_to_share_the_chart(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    _win(driver)
    settle(slack)
    slack.set_membership(CHANNEL, member=False)
    [run] = send_summaries_for(runtime_for(settings, db, clock), jobs_client(slack), day=date(2026, 11, 23))
    assert run.message.outcome is Outcome.SENT  # chat:write.public: posting needs no membership
    assert run.chart is not None and run.chart.outcome is Outcome.SENT
    [join] = slack.calls_to("conversations.join")
    assert join.body["channel"] == CHANNEL
    assert slack.is_member(CHANNEL)
    assert len([f for m in slack.history(CHANNEL) for f in m.get("files", [])]) == 1


def test_the_bot_joins_a_public_team_channel_to_read_its_history_before_a_retry(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    slack.set_membership(CHANNEL, member=False)
    slack.fail("chat.postMessage", "500", after_effect=True, when=carrying("stage_change"))
    _win(driver)
    assert settled_row(db, "stage_change").status == "pending"
    row = sweep_until_done(settings, db, clock, slack, "stage_change")
    assert row.status == "sent"
    assert len(slack.calls_to("conversations.join")) == 1
    assert len(landed(slack, CHANNEL, "stage_change")) == 1
    assert posts_of(slack, "stage_change") == 1


def test_a_private_team_channel_the_bot_is_not_in_is_reported_once_with_what_to_do(
    driver: SlackDriver,
    slack: FakeSlack,
    db: Database,
    clock: FixedClock,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    slack.set_membership(CHANNEL, member=False, private=True)
    caplog.set_level(logging.INFO)
    _win(driver)
    row = settled_row(db, "stage_change")
    assert (row.status, row.last_error) == ("failed", "not_in_channel")
    clock.advance(timedelta(hours=1))
    assert sweep(runtime_for(settings, db, clock), jobs_client(slack)) == []
    assert len(slack.calls_to("conversations.join")) == 1
    assert posts_of(slack, "stage_change") == 1
    reports = [
        r.getMessage() for r in caplog.records if r.name == "bot.jobs.outbox" and r.levelno >= logging.WARNING
    ]
    assert len(reports) == 1, reports
    assert CHANNEL in reports[0] and "/invite @Pyramid" in reports[0]


def test_a_failed_not_in_channel_does_not_loop_the_join(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    """Slack says not_in_channel even after a join: one join, one retry, then failed."""
    slack.fail("chat.postMessage", "not_in_channel", times=2, when=carrying("stage_change"))
    _win(driver)
    row = settled_row(db, "stage_change")
    assert (row.status, row.last_error) == ("failed", "not_in_channel")
    assert len(slack.calls_to("conversations.join")) == 1
    assert posts_of(slack, "stage_change") == 2


def test_at_the_stale_limit_a_claim_is_taken_over_quickly(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    """A worker that died holding a claim delays the message by a minute, not ten."""
    _win(driver)
    row = settled_row(db, "stage_change")
    assert row.status == "sent"
    with db.transaction() as session:  # as if that worker had died before posting
        stored = session.get(Delivery, row.id)
        assert stored is not None
        stored.status, stored.ts, stored.claim_token, stored.claimed_at = (
            "claimed",
            None,
            "0" * 32,
            clock.now(),
        )
    # The earlier post is still in the channel: the takeover finds it there and posts nothing.
    clock.advance(timedelta(seconds=59))
    assert sweep(runtime_for(settings, db, clock), jobs_client(slack)) == []
    clock.advance(timedelta(seconds=1))
    [result] = sweep(runtime_for(settings, db, clock), jobs_client(slack))
    assert result.outcome is Outcome.SENT
    assert posts_of(slack, "stage_change") == 1


@pytest.mark.parametrize(
    ("member", "private", "joined", "said"),
    [
        (True, False, True, None),
        (False, False, True, None),
        (False, True, False, "/invite @Pyramid"),
    ],
    ids=["member", "public-not-member", "private-not-member"],
)
def test_at_start_the_bot_joins_the_team_channel_or_says_what_to_do(
    slack: FakeSlack,
    db: Database,
    clock: FixedClock,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
    member: bool,
    private: bool,
    joined: bool,
    said: str | None,
) -> None:
    slack.set_membership(CHANNEL, member=member, private=private)
    caplog.set_level(logging.INFO)
    assert join_team_channel(runtime_for(settings, db, clock), jobs_client(slack)) is joined
    assert slack.is_member(CHANNEL) is joined
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    if said is None:
        assert warnings == []
    else:
        [line] = warnings
        assert CHANNEL in line and said in line


def test_at_start_a_team_channel_that_does_not_exist_is_reported_once(
    slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = settings.model_copy(update={"pyramid_team_channel": "team-sales"})  # a name, not an id
    assert join_team_channel(runtime_for(wrong, db, clock), jobs_client(slack)) is False
    [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert "team-sales" in line and "PYRAMID_TEAM_CHANNEL" in line


def test_the_scheduler_sweeps_due_deliveries_every_minute_or_less(
    slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    scheduler = build_scheduler(runtime_for(settings, db, clock), jobs_client(slack), blocking=False)
    job = scheduler.get_job("pyramid-deliveries")
    assert job is not None and job.trigger.interval <= timedelta(seconds=60)
    assert scheduler.get_job("pyramid-team-channel") is not None

    # The tick sweeps too: a row enqueued by a handler whose own attempt never came is posted.
    with db.transaction() as session:
        enqueue(
            session,
            team_id=TEAM,
            kind="stage_change",
            ref="999",
            channel=CHANNEL,
            message={"text": "Acme moved", "blocks": []},
            now=clock.now(),
        )
    tick(runtime_for(settings, db, clock), jobs_client(slack))
    assert len(landed(slack, CHANNEL, "stage_change")) == 1
