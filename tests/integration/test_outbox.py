"""The delivery ledger (bot/jobs/outbox.py) on its own: enqueue in the caller's transaction → claim → post
with metadata → mark sent, and every way that can go wrong (a repeat, a competing worker, nothing to say,
Slack refusing for good or for now, a crash halfway, an answer lost after the post landed)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.db import Database
from bot.jobs.outbox import (
    EVENT_TYPE,
    STALE_AFTER,
    UNREACHABLE_STREAK,
    Delivered,
    Outcome,
    backoff,
    deliver_once,
    deliver_pending,
    delivery_for,
    enqueue,
)
from bot.models import Delivery
from tests.support import factories
from tests.support.fake_slack import FakeSlack
from tests.support.threads import at_once

TEAM = "T0TEAM1"
OTHER_TEAM = "T0TEAM2"
USER = "U0REP1"
CHANNEL = "C0TEAM"
NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(team_id=TEAM) as fake:
        fake.add_user(USER, name="sato", tz="Asia/Tokyo", locale="en-US")
        yield fake


@pytest.fixture
def client(slack: FakeSlack) -> WebClient:
    # No retry handlers: every failure reaches the ledger as it happens.
    return WebClient(token="xoxb-test", base_url=slack.base_url)


class Builder:
    """A build() that counts its calls."""

    def __init__(self, message: dict[str, Any] | None = None) -> None:
        self.calls = 0
        self.message = message if message is not None else {"text": "hello", "blocks": []}

    def __call__(self) -> dict[str, Any] | None:
        self.calls += 1
        return self.message


class Nothing(Builder):
    def __call__(self) -> dict[str, Any] | None:
        self.calls += 1
        return None


def deliver(
    db: Database,
    client: WebClient,
    *,
    now: datetime = NOW,
    build: Any = None,
    team_id: str = TEAM,
    kind: str = "digest",
    ref: str = f"{USER}:2026-11-24",
    channel: str = CHANNEL,
) -> Delivered:
    return deliver_once(
        db,
        client,
        team_id=team_id,
        kind=kind,
        ref=ref,
        channel=channel,
        build=build or Builder(),
        now=now,
    )


def claim_row(db: Database, *, claimed_at: datetime, ref: str = f"{USER}:2026-11-24") -> None:
    """A claim without a message, left at `claimed_at` by another worker (or by an older version that
    crashed before building it)."""
    factories.claim(db, ref, claimed_at)


def posts(slack: FakeSlack, ref: str | None = None) -> int:
    """chat.postMessage calls so far, all or those carrying the metadata of `ref`."""
    return len(
        [
            call
            for call in slack.calls_to("chat.postMessage")
            if ref is None or (call.body.get("metadata") or {}).get("event_payload", {}).get("ref") == ref
        ]
    )


def row_of(
    db: Database, ref: str = f"{USER}:2026-11-24", kind: str = "digest", team_id: str = TEAM
) -> Delivery:
    row = delivery_for(db, team_id, kind, ref)
    assert row is not None
    return row


def queue(
    db: Database, *, ref: str = "a1", kind: str = "stage_change", channel: str = CHANNEL, **kw: Any
) -> None:
    with db.transaction() as session:
        enqueue(
            session,
            team_id=kw.get("team_id", TEAM),
            kind=kind,
            ref=ref,
            channel=channel,
            message={"text": f"moved {ref}", "blocks": []},
            now=kw.get("now", NOW),
        )


# ---------------------------------------------------------------------------------------------- sent


def test_first_delivery_posts_with_metadata_and_is_recorded(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    build = Builder()
    result = deliver(db, client, build=build)

    assert result.outcome is Outcome.SENT
    assert result.channel == CHANNEL and result.ts
    assert build.calls == 1
    [call] = slack.calls_to("chat.postMessage")
    assert call.body["channel"] == CHANNEL
    assert call.body["text"] == "hello"
    assert call.body["metadata"] == {
        "event_type": EVENT_TYPE,
        "event_payload": {"kind": "digest", "ref": f"{USER}:2026-11-24"},
    }
    row = delivery_for(db, TEAM, "digest", f"{USER}:2026-11-24")
    assert row is not None
    assert (row.status, row.channel, row.ts, row.attempts) == ("sent", CHANNEL, result.ts, 1)
    assert row.sent_at == NOW


def test_a_dm_to_a_user_id_goes_to_their_dm_channel(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    result = deliver(db, client, channel=USER)
    assert result.outcome is Outcome.SENT
    assert result.channel == "D" + USER
    assert len(slack.history(USER)) == 1


# ------------------------------------------------------------------------------------------- already


def test_a_second_delivery_is_already_done_and_posts_nothing(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    first = deliver(db, client)
    build = Builder()
    second = deliver(db, client, build=build, now=NOW + timedelta(hours=5))

    assert second.outcome is Outcome.ALREADY
    assert (second.channel, second.ts) == (first.channel, first.ts)
    assert build.calls == 0
    assert posts(slack) == 1
    assert len(slack.history(CHANNEL)) == 1


def test_the_ledger_is_per_team_kind_and_ref(db: Database, client: WebClient, slack: FakeSlack) -> None:
    results = [
        deliver(db, client),
        deliver(db, client, team_id=OTHER_TEAM),
        deliver(db, client, kind="recovery_flag"),
        deliver(db, client, ref=f"{USER}:2026-11-25"),
    ]
    assert [r.outcome for r in results] == [Outcome.SENT] * 4
    assert posts(slack) == 4


# ---------------------------------------------------------------------------------------------- busy


def test_a_fresh_claim_held_by_another_worker_is_busy(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    claim_row(db, claimed_at=NOW - timedelta(seconds=30))
    build = Builder()
    result = deliver(db, client, build=build)

    assert result.outcome is Outcome.BUSY
    assert build.calls == 0
    assert posts(slack) == 0
    assert slack.calls_to("conversations.history") == []
    row = row_of(db)
    assert row.status == "claimed" and row.claim_token == "f" * 32


def test_a_claim_just_under_the_stale_limit_is_still_busy(db: Database, client: WebClient) -> None:
    claim_row(db, claimed_at=NOW - STALE_AFTER + timedelta(seconds=1))
    assert deliver(db, client).outcome is Outcome.BUSY


def test_the_stale_limit_is_a_minute_or_less() -> None:
    assert timedelta(seconds=60) >= STALE_AFTER


def test_concurrent_workers_post_once(db: Database, client: WebClient, slack: FakeSlack) -> None:
    results, errors = at_once([lambda: deliver(db, client).outcome] * 6)
    assert errors == []
    assert results.count(Outcome.SENT) == 1
    assert set(results) <= {Outcome.SENT, Outcome.BUSY, Outcome.ALREADY}
    assert posts(slack) == 1
    assert len(slack.history(CHANNEL)) == 1


# --------------------------------------------------------------------------------------------- empty


def test_nothing_to_say_is_recorded_as_empty_and_never_posted(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    build = Nothing()
    result = deliver(db, client, build=build)

    assert result.outcome is Outcome.EMPTY
    assert build.calls == 1
    assert posts(slack) == 0
    row = row_of(db)
    assert row.status == "empty" and row.ts is None

    # Later the same day: done for that day, build not even asked again.
    later = Builder()
    assert deliver(db, client, build=later, now=NOW + timedelta(hours=1)).outcome is Outcome.ALREADY
    assert later.calls == 0
    assert deliver_pending(db, client, now=NOW + timedelta(hours=2)) == []
    assert posts(slack) == 0


# ----------------------------------------------------------------------------------- enqueue (outbox)


def test_enqueue_writes_in_the_callers_transaction_and_a_rollback_leaves_nothing(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    class Boom(Exception):
        pass

    with pytest.raises(Boom), db.transaction() as session:
        enqueue(
            session, team_id=TEAM, kind="stage_change", ref="a1", channel=CHANNEL,
            message={"text": "hi", "blocks": []}, now=NOW,
        )  # fmt: skip
        raise Boom
    assert delivery_for(db, TEAM, "stage_change", "a1") is None
    assert deliver_pending(db, client, now=NOW) == []
    assert posts(slack) == 0


def test_enqueue_twice_in_one_transaction_and_again_later_keeps_one_row_and_raises_nothing(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    with db.transaction() as session:
        for text in ("first", "second"):
            enqueue(
                session, team_id=TEAM, kind="trouble_dm", ref="7", channel=USER,
                message={"text": text, "blocks": []}, now=NOW,
            )  # fmt: skip
        # The caller's transaction is still usable after the duplicate (PostgreSQL would abort it on an
        # IntegrityError).
        session.add(
            Delivery(team_id=TEAM, kind="other", ref="x", status="sent", claim_token="", claimed_at=NOW)
        )
    queue(db, kind="trouble_dm", ref="7", channel=USER)
    with db.transaction() as session:
        rows = session.scalars(select(Delivery).where(Delivery.kind == "trouble_dm")).all()
    assert len(rows) == 1
    assert rows[0].status == "pending" and rows[0].target == USER

    [result] = deliver_pending(db, client, now=NOW, team_id=TEAM, kind="trouble_dm", ref="7")
    assert result.outcome is Outcome.SENT and result.channel == "D" + USER
    [call] = slack.calls_to("chat.postMessage")
    assert call.body["text"] == "first"
    assert call.body["metadata"] == {
        "event_type": EVENT_TYPE,
        "event_payload": {"kind": "trouble_dm", "ref": "7"},
    }
    queue(db, kind="trouble_dm", ref="7", channel=USER)  # after it was sent: still nothing new
    assert deliver_pending(db, client, now=NOW + timedelta(hours=1)) == []
    assert posts(slack) == 1


def test_deliver_pending_for_one_ref_leaves_the_others_to_the_sweep(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    for ref in ("a1", "a2", "a3"):
        queue(db, ref=ref)
    queue(db, ref="a1", team_id=OTHER_TEAM)

    [one] = deliver_pending(db, client, now=NOW, team_id=TEAM, kind="stage_change", ref="a2")
    assert (one.outcome, one.ref) == (Outcome.SENT, "a2")
    assert posts(slack) == 1

    # The sweep, bounded: two now, the rest on the next one.
    first = deliver_pending(db, client, now=NOW, limit=2)
    second = deliver_pending(db, client, now=NOW)
    assert [r.outcome for r in first + second] == [Outcome.SENT] * 3
    assert deliver_pending(db, client, now=NOW) == []
    assert posts(slack) == 4
    assert {row_of(db, ref, "stage_change").status for ref in ("a1", "a2", "a3")} == {"sent"}


def test_a_row_enqueued_for_later_waits_until_due(db: Database, client: WebClient, slack: FakeSlack) -> None:
    queue(db, now=NOW + timedelta(minutes=5))
    assert deliver_pending(db, client, now=NOW) == []
    assert [r.outcome for r in deliver_pending(db, client, now=NOW + timedelta(minutes=5))] == [Outcome.SENT]


def test_concurrent_sweeps_post_each_row_once(db: Database, client: WebClient, slack: FakeSlack) -> None:
    for index in range(5):
        queue(db, ref=f"a{index}")
    sweeps, errors = at_once([lambda: deliver_pending(db, client, now=NOW)] * 4)
    assert errors == []
    results = [result for sweep in sweeps for result in sweep]
    assert sorted(r.ref or "" for r in results if r.outcome is Outcome.SENT) == [f"a{i}" for i in range(5)]
    for index in range(5):
        assert posts(slack, f"a{index}") == 1


# -------------------------------------------------------------------------------------------- failed


def test_a_permanent_error_fails_the_row_logs_once_and_is_never_retried(
    db: Database, client: WebClient, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fail("chat.postMessage", "channel_not_found")
    caplog.set_level(logging.INFO, logger="bot.jobs.outbox")
    result = deliver(db, client)

    assert (result.outcome, result.error) == (Outcome.FAILED, "channel_not_found")
    row = row_of(db)
    assert (row.status, row.last_error, row.ts) == ("failed", "channel_not_found", None)
    for later in (1, 10, 60 * 24 * 3):
        assert deliver_pending(db, client, now=NOW + timedelta(minutes=later)) == []
        assert deliver(db, client, now=NOW + timedelta(minutes=later)).outcome is Outcome.FAILED
    assert posts(slack) == 1
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    line = warnings[0].getMessage()
    for part in (TEAM, "digest", CHANNEL, "channel_not_found", "PYRAMID_TEAM_CHANNEL"):
        assert part in line


def test_a_500_is_retried_with_backoff_after_looking_in_history(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    slack.fail("chat.postMessage", "500")
    result = deliver(db, client)
    assert (result.outcome, result.error) == (Outcome.RETRY, "internal_error")
    row = row_of(db)
    assert (row.status, row.next_attempt_at, row.may_have_posted) == ("pending", NOW + backoff(1), True)

    # Not due yet: nothing happens, and the job's own next run does not post it either.
    assert deliver_pending(db, client, now=NOW + timedelta(seconds=30)) == []
    assert deliver(db, client, now=NOW + timedelta(seconds=30)).outcome is Outcome.RETRY
    assert posts(slack) == 1

    later = NOW + backoff(1)
    [retried] = deliver_pending(db, client, now=later)
    assert retried.outcome is Outcome.SENT
    assert len(slack.calls_to("conversations.history")) == 1
    assert posts(slack) == 2
    assert len(slack.history(CHANNEL)) == 1
    row = row_of(db)
    assert (row.status, row.attempts, row.sent_at, row.last_error) == ("sent", 2, later, None)


def test_backoff_grows_and_is_capped() -> None:
    waits = [backoff(n) for n in range(1, 10)]
    assert waits == sorted(waits)
    assert waits[0] == timedelta(minutes=1) and waits[-1] == timedelta(minutes=30)


def test_a_rate_limit_waits_retry_after_without_holding_the_claim_and_skips_the_history_check(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    # A 429 means Slack did not take the post: posting again after Retry-After is safe.
    slack.fail("chat.postMessage", "429", retry_after=1)
    assert deliver(db, client).outcome is Outcome.RETRY
    row = row_of(db)
    assert (row.status, row.next_attempt_at, row.may_have_posted) == (
        "pending",
        NOW + timedelta(seconds=1),
        False,
    )
    [result] = deliver_pending(db, client, now=NOW + timedelta(seconds=1))
    assert result.outcome is Outcome.SENT
    assert slack.calls_to("conversations.history") == []
    assert len(slack.history(CHANNEL)) == 1


def test_a_post_that_landed_but_whose_answer_was_lost_is_found_not_reposted(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    slack.fail("chat.postMessage", "500", after_effect=True)
    assert deliver(db, client).outcome is Outcome.RETRY
    [landed] = slack.history(CHANNEL)

    [result] = deliver_pending(db, client, now=NOW + backoff(1))
    assert result.outcome is Outcome.SENT
    assert result.ts == landed["ts"]
    assert posts(slack) == 1  # the lost one only
    assert len(slack.history(CHANNEL)) == 1
    row = row_of(db)
    assert (row.status, row.ts) == ("sent", landed["ts"])


def test_a_crash_after_claiming_an_old_style_row_is_taken_over_and_posted_once(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    claim_row(db, claimed_at=NOW - timedelta(minutes=30))
    result = deliver(db, client, channel=USER)

    assert result.outcome is Outcome.SENT
    [history_call] = slack.calls_to("conversations.history")
    assert history_call.body["channel"] == "D" + USER  # the DM's id, not the user id
    assert len(slack.history(USER)) == 1
    row = row_of(db)
    assert row.status == "sent" and row.attempts == 2 and row.claim_token != "f" * 32


def test_a_worker_that_died_holding_a_claim_is_taken_over_after_the_stale_window(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    queue(db)
    with db.transaction() as session:  # claimed by a worker that posted, then died before marking it
        row = session.scalars(select(Delivery)).one()
        row.status, row.claim_token, row.attempts = "claimed", "d" * 32, 1
    slack.fail("chat.postMessage", "drop", after_effect=True)
    with pytest.raises(OSError):
        WebClient(token="xoxb-test", base_url=slack.base_url, retry_handlers=[]).chat_postMessage(
            channel=CHANNEL,
            text="moved a1",
            metadata={"event_type": EVENT_TYPE, "event_payload": {"kind": "stage_change", "ref": "a1"}},
        )
    assert deliver_pending(db, client, now=NOW + STALE_AFTER - timedelta(seconds=1)) == []
    [result] = deliver_pending(db, client, now=NOW + STALE_AFTER)
    assert result.outcome is Outcome.SENT
    assert posts(slack, "a1") == 1
    assert len(slack.history(CHANNEL)) == 1


def test_another_deliverys_message_in_history_is_not_mistaken_for_this_one(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    deliver(db, client, ref=f"{USER}:2026-11-20")  # yesterday's, in the same channel
    claim_row(db, claimed_at=NOW - timedelta(minutes=30))
    result = deliver(db, client)
    assert result.outcome is Outcome.SENT
    assert len(slack.history(CHANNEL)) == 2


def test_a_history_that_cannot_be_read_for_now_keeps_it_pending_and_posts_nothing(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    claim_row(db, claimed_at=NOW - timedelta(minutes=30))
    slack.fail("conversations.history", "html503")
    assert deliver(db, client).outcome is Outcome.RETRY
    assert posts(slack) == 0
    row = row_of(db)
    assert (row.status, row.last_error, row.may_have_posted) == ("pending", "http_503", True)

    assert deliver_pending(db, client, now=NOW + timedelta(minutes=11))[0].outcome is Outcome.SENT
    assert posts(slack) == 1


def test_a_dm_to_a_user_who_does_not_exist_fails_for_good(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    slack.fail("conversations.open", "user_not_found")
    result = deliver(db, client, channel=USER)
    assert (result.outcome, result.error) == (Outcome.FAILED, "user_not_found")
    assert posts(slack) == 0
    assert deliver_pending(db, client, now=NOW + timedelta(hours=1)) == []


def test_transient_failures_for_too_long_end_failed(
    db: Database, client: WebClient, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    queue(db)
    slack.fail("chat.postMessage", "429", times=100)
    now = NOW
    outcomes = []
    for _ in range(100):
        results = deliver_pending(db, client, now=now)
        outcomes += [r.outcome for r in results]
        if Outcome.FAILED in outcomes:
            break
        now += timedelta(hours=1)
    assert outcomes[-1] is Outcome.FAILED and set(outcomes[:-1]) == {Outcome.RETRY}
    assert row_of(db, "a1", "stage_change").status == "failed"
    assert now - NOW >= timedelta(days=2)


def test_in_an_outage_a_sweep_stops_early_and_the_next_one_goes_on(
    db: Database, client: WebClient, slack: FakeSlack
) -> None:
    for index in range(12):
        queue(db, ref=f"a{index:02d}")
    slack.fail("chat.postMessage", "drop", times=UNREACHABLE_STREAK)
    first = deliver_pending(db, client, now=NOW)
    assert [r.outcome for r in first] == [Outcome.RETRY] * UNREACHABLE_STREAK
    assert posts(slack) == UNREACHABLE_STREAK  # not one call per row
    # Slack is back: the next sweep posts the rows not tried yet, then the failed ones when due.
    second = deliver_pending(db, client, now=NOW + timedelta(seconds=30))
    assert [r.outcome for r in second] == [Outcome.SENT] * (12 - UNREACHABLE_STREAK)
    third = deliver_pending(db, client, now=NOW + backoff(1))
    assert [r.outcome for r in third] == [Outcome.SENT] * UNREACHABLE_STREAK
    for index in range(12):
        assert (
            len(
                [
                    m
                    for m in slack.history(CHANNEL)
                    if m["metadata"]["event_payload"]["ref"] == f"a{index:02d}"
                ]
            )
            == 1
        )
