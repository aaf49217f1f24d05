"""Many threads logging to ONE account at the same moment, each in its own transaction as the runtime
runs a user action (SPEC §8: counters, steps, step changes and announcements come out exactly as if
the logs had come one by one)."""

from __future__ import annotations

import time
from datetime import date
from functools import partial

import pytest
from slack_sdk import WebClient

from bot import notify
from bot.db import Database
from bot.domain.activities import ActivityKind
from bot.domain.stages import Step
from bot.runtime import Runtime
from bot.services.accounts import AccountRef
from bot.services.activities import LogRequest
from bot.usecases import logs
from bot.usecases.facts import LoggedFacts
from tests.reliability.support import (
    account_by_name,
    announcements_posted,
    integrity_problems,
    ladder_problems,
    request_keys,
    step_path,
)
from tests.support.fake_slack import FakeSlack
from tests.support.threads import at_once

TEAM = "T0TEAM1"
REPS = [f"U0REP{index}" for index in range(1, 6)]
TODAY = date(2026, 11, 22)
THREADS = 20


def _log(runtime: Runtime, client: WebClient, request: LogRequest) -> LoggedFacts:
    """What a logging listener does: `log_or_ask` in the runtime's unit of work (one transaction,
    committed before the answer, with the deliveries it owes), then what follows a committed log."""
    outcome = logs.log(runtime, request, today=TODAY)
    assert isinstance(outcome.result, LoggedFacts), outcome
    notify.after_action(runtime, client, request.team_id, outcome.home_user, outcome.queued)
    return outcome.result


def _request(name: str, kind: ActivityKind, key: str, user: str = "U0REP1") -> LogRequest:
    return LogRequest(
        team_id=TEAM,
        user_id=user,
        account=AccountRef(name=name),
        kind=kind,
        on=TODAY,
        note=f"note {key}",
        request_key=f"reliability:{key}",
    )


def _all_at_once(runtime: Runtime, client: WebClient, name: str, kind: ActivityKind, tag: str) -> list[str]:
    """THREADS logs of `kind` for `name` by the reps in turn, one a thread, released together; returns
    the errors (as text)."""
    requests = [_request(name, kind, f"{tag}{i}", REPS[i % len(REPS)]) for i in range(THREADS)]
    _results, errors = at_once([partial(_log, runtime, client, request) for request in requests])
    return [f"{type(error).__name__}: {error}" for error in errors]


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    return WebClient(token="xoxb-test", base_url=slack.base_url)


def _wait_for_posts(slack: FakeSlack, channel: str, count: int, timeout: float = 5.0) -> int:
    """Announcements may go out after the store: wait until `count` arrived (or time runs out), then
    a moment more so that a duplicate would show."""
    deadline = time.monotonic() + timeout
    while len(announcements_posted(slack, channel)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)
    return len(announcements_posted(slack, channel))


def test_twenty_meetings_at_once_count_twenty(
    runtime: Runtime, client: WebClient, db: Database, slack: FakeSlack
) -> None:
    _log(runtime, client, _request("Acme Corp", ActivityKind.CALL, "first"))

    errors = _all_at_once(runtime, client, "Acme Corp", ActivityKind.VISIT, "m")

    assert errors == []
    account = account_by_name(db, TEAM, "Acme Corp")
    assert (account.remote_touches, account.in_person_meetings, account.step) == (1, THREADS, "met_twice")
    assert step_path(db, account.id) == [("name_only", "remote"), ("remote", "met"), ("met", "met_twice")]
    assert ladder_problems(db, TEAM, account.id) == []
    assert integrity_problems(db, TEAM) == []
    assert all(count == 1 for count in request_keys(db, TEAM).values())
    # One stage change (acquaintance -> prospect), one announcement in the team channel.
    assert _wait_for_posts(slack, "C0TEAM", 1) == 1


def test_twenty_won_deals_at_once_climb_to_repeater_once(
    runtime: Runtime, client: WebClient, db: Database, slack: FakeSlack
) -> None:
    for index, kind in enumerate([ActivityKind.VISIT, ActivityKind.VISIT, ActivityKind.WON]):
        _log(runtime, client, _request("Acme Corp", kind, f"before{index}"))
    assert account_by_name(db, TEAM, "Acme Corp").step == Step.WON.value

    errors = _all_at_once(runtime, client, "Acme Corp", ActivityKind.WON, "w")

    assert errors == []
    account = account_by_name(db, TEAM, "Acme Corp")
    assert (account.deals_won, account.in_person_meetings, account.step) == (THREADS + 1, 2, "repeater")
    assert step_path(db, account.id) == [
        ("name_only", "met"),
        ("met", "met_twice"),
        ("met_twice", "won"),
        ("won", "repeat"),
        ("repeat", "repeater"),
    ]
    assert ladder_problems(db, TEAM, account.id) == []
    assert integrity_problems(db, TEAM) == []
    # Stage changes: acquaintance -> prospect, prospect -> customer, customer -> repeater.
    assert _wait_for_posts(slack, "C0TEAM", 3) == 3


def test_twenty_reps_creating_one_new_account_at_once_make_one(
    runtime: Runtime, client: WebClient, db: Database, slack: FakeSlack
) -> None:

    errors = _all_at_once(runtime, client, "Initech", ActivityKind.VISIT, "c")

    assert errors == []
    account = account_by_name(db, TEAM, "Initech")
    assert (account.in_person_meetings, account.step) == (THREADS, "met_twice")
    assert step_path(db, account.id) == [("name_only", "met"), ("met", "met_twice")]
    assert ladder_problems(db, TEAM, account.id) == []
    assert integrity_problems(db, TEAM) == []
