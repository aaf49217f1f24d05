"""The delivery ledger (bot/jobs/outbox.py) on its own: claim → post with metadata → mark sent, and every
way that can go wrong (a repeat, a competing worker, nothing to say, Slack refusing, a crash halfway, an
answer lost after the post landed)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.http_retry import builtin_handlers
from slack_sdk.http_retry import handler as retry_handler
from sqlalchemy import select

from bot.db import Database
from bot.jobs.outbox import EVENT_TYPE, STALE_AFTER, Delivered, Outcome, deliver_once, delivery_for
from bot.local_slack import LocalSlack
from bot.models import Delivery

TEAM = "T0TEAM1"
OTHER_TEAM = "T0TEAM2"
USER = "U0REP1"
CHANNEL = "C0TEAM"
NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


@pytest.fixture
def slack() -> Iterator[LocalSlack]:
    with LocalSlack(team_id=TEAM) as fake:
        fake.add_user(USER, name="sato", tz="Asia/Tokyo", locale="en-US")
        yield fake


@pytest.fixture
def client(slack: LocalSlack) -> WebClient:
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
    """A claim left by another worker (or by one that crashed) at `claimed_at`."""
    with db.transaction() as session:
        session.add(
            Delivery(
                team_id=TEAM,
                kind="digest",
                ref=ref,
                status="claimed",
                claim_token="f" * 32,
                claimed_at=claimed_at,
            )
        )


def posts(slack: LocalSlack) -> int:
    return len(slack.calls_to("chat.postMessage"))


# ---------------------------------------------------------------------------------------------- sent


def test_first_delivery_posts_with_metadata_and_is_recorded(
    db: Database, client: WebClient, slack: LocalSlack
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
    db: Database, client: WebClient, slack: LocalSlack
) -> None:
    result = deliver(db, client, channel=USER)
    assert result.outcome is Outcome.SENT
    assert result.channel == "D" + USER
    assert len(slack.history(USER)) == 1


# ------------------------------------------------------------------------------------------- already


def test_a_second_delivery_is_already_done_and_posts_nothing(
    db: Database, client: WebClient, slack: LocalSlack
) -> None:
    first = deliver(db, client)
    build = Builder()
    second = deliver(db, client, build=build, now=NOW + timedelta(hours=5))

    assert second.outcome is Outcome.ALREADY
    assert (second.channel, second.ts) == (first.channel, first.ts)
    assert build.calls == 0
    assert posts(slack) == 1
    assert len(slack.history(CHANNEL)) == 1


def test_the_ledger_is_per_team_kind_and_ref(db: Database, client: WebClient, slack: LocalSlack) -> None:
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
    db: Database, client: WebClient, slack: LocalSlack
) -> None:
    claim_row(db, claimed_at=NOW - timedelta(minutes=1))
    build = Builder()
    result = deliver(db, client, build=build)

    assert result.outcome is Outcome.BUSY
    assert build.calls == 0
    assert posts(slack) == 0
    assert slack.calls_to("conversations.history") == []
    row = delivery_for(db, TEAM, "digest", f"{USER}:2026-11-24")
    assert row is not None and row.status == "claimed" and row.claim_token == "f" * 32


def test_a_claim_just_under_the_stale_limit_is_still_busy(db: Database, client: WebClient) -> None:
    claim_row(db, claimed_at=NOW - STALE_AFTER + timedelta(seconds=1))
    assert deliver(db, client).outcome is Outcome.BUSY


def test_concurrent_workers_post_once(db: Database, client: WebClient, slack: LocalSlack) -> None:
    barrier = threading.Barrier(6)
    results: list[Outcome] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(deliver(db, client).outcome)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert results.count(Outcome.SENT) == 1
    assert set(results) <= {Outcome.SENT, Outcome.BUSY, Outcome.ALREADY}
    assert posts(slack) == 1
    assert len(slack.history(CHANNEL)) == 1


# --------------------------------------------------------------------------------------------- empty


def test_nothing_to_say_is_recorded_as_empty_and_never_posted(
    db: Database, client: WebClient, slack: LocalSlack
) -> None:
    build = Nothing()
    result = deliver(db, client, build=build)

    assert result.outcome is Outcome.EMPTY
    assert build.calls == 1
    assert posts(slack) == 0
    row = delivery_for(db, TEAM, "digest", f"{USER}:2026-11-24")
    assert row is not None and row.status == "empty" and row.ts is None

    # Later the same day: done for that day, build not even asked again.
    later = Builder()
    assert deliver(db, client, build=later, now=NOW + timedelta(hours=1)).outcome is Outcome.ALREADY
    assert later.calls == 0
    assert posts(slack) == 0


# -------------------------------------------------------------------------------------------- failed


def test_a_refused_post_fails_and_leaves_the_claim_for_later(
    db: Database, client: WebClient, slack: LocalSlack
) -> None:
    slack.fail_next("chat.postMessage", status=200, retry_after=None, error="channel_not_found")
    result = deliver(db, client)

    assert result.outcome is Outcome.FAILED
    row = delivery_for(db, TEAM, "digest", f"{USER}:2026-11-24")
    assert row is not None and row.status == "claimed" and row.ts is None

    # A run right after: the claim is fresh, someone (the failed run) may still be at it.
    assert deliver(db, client, now=NOW + timedelta(minutes=5)).outcome is Outcome.BUSY
    assert posts(slack) == 1

    # Past the stale limit: history is checked (nothing there), then posted once.
    later = NOW + STALE_AFTER + timedelta(minutes=1)
    retried = deliver(db, client, now=later)
    assert retried.outcome is Outcome.SENT
    assert len(slack.calls_to("conversations.history")) == 1
    assert posts(slack) == 2
    assert len(slack.history(CHANNEL)) == 1
    row = delivery_for(db, TEAM, "digest", f"{USER}:2026-11-24")
    assert row is not None and row.status == "sent" and row.attempts == 2 and row.sent_at == later


def test_rate_limits_are_waited_out_and_past_the_last_retry_tried_again_later(
    db: Database, client: WebClient, slack: LocalSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    waited: list[float] = []
    monkeypatch.setattr(builtin_handlers, "time", SimpleNamespace(sleep=waited.append))
    monkeypatch.setattr(retry_handler, "time", SimpleNamespace(sleep=waited.append))
    # A 429 means Slack did not take the post: waiting Retry-After and posting again is safe.
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    assert deliver(db, client).outcome is Outcome.SENT
    assert len(waited) == 1 and len(slack.history(CHANNEL)) == 1
    # Past the last retry the claim stays, and a later run posts it.
    slack.fail_next("chat.postMessage", status=429, retry_after=1, times=6)
    assert deliver(db, client, ref="other").outcome is Outcome.FAILED
    assert deliver(db, client, ref="other", now=NOW + timedelta(minutes=11)).outcome is Outcome.SENT
    assert len(slack.history(CHANNEL)) == 2


def test_a_post_that_landed_but_whose_answer_was_lost_is_found_not_reposted(
    db: Database, client: WebClient, slack: LocalSlack
) -> None:
    slack.fail_next(
        "chat.postMessage", status=500, retry_after=None, error="internal_error", after_effect=True
    )
    assert deliver(db, client).outcome is Outcome.FAILED
    assert len(slack.history(CHANNEL)) == 1
    [landed] = slack.history(CHANNEL)

    build = Builder()
    result = deliver(db, client, build=build, now=NOW + timedelta(minutes=11))

    assert result.outcome is Outcome.SENT
    assert result.ts == landed["ts"]
    assert build.calls == 0
    assert posts(slack) == 1  # the lost one only
    assert len(slack.history(CHANNEL)) == 1
    row = delivery_for(db, TEAM, "digest", f"{USER}:2026-11-24")
    assert row is not None and (row.status, row.ts) == ("sent", landed["ts"])


def test_a_crash_after_claiming_is_taken_over_and_posted_once(
    db: Database, client: WebClient, slack: LocalSlack
) -> None:
    claim_row(db, claimed_at=NOW - timedelta(minutes=30))
    result = deliver(db, client, channel=USER)

    assert result.outcome is Outcome.SENT
    [history_call] = slack.calls_to("conversations.history")
    assert history_call.body["channel"] == "D" + USER  # the DM's id, not the user id
    assert len(slack.history(USER)) == 1
    row = delivery_for(db, TEAM, "digest", f"{USER}:2026-11-24")
    assert row is not None and row.status == "sent" and row.attempts == 2 and row.claim_token != "f" * 32


def test_another_deliverys_message_in_history_is_not_mistaken_for_this_one(
    db: Database, client: WebClient, slack: LocalSlack
) -> None:
    deliver(db, client, ref=f"{USER}:2026-11-20")  # yesterday's, in the same channel
    claim_row(db, claimed_at=NOW - timedelta(minutes=30))
    result = deliver(db, client)
    assert result.outcome is Outcome.SENT
    assert len(slack.history(CHANNEL)) == 2


def test_an_unreadable_history_keeps_the_claim_and_posts_nothing(
    db: Database, client: WebClient, slack: LocalSlack
) -> None:
    claim_row(db, claimed_at=NOW - timedelta(minutes=30))
    slack.fail_next("conversations.history", status=200, retry_after=None, error="missing_scope")
    assert deliver(db, client).outcome is Outcome.FAILED
    assert posts(slack) == 0
    row = delivery_for(db, TEAM, "digest", f"{USER}:2026-11-24")
    assert row is not None and row.status == "claimed"

    assert deliver(db, client, now=NOW + timedelta(minutes=11)).outcome is Outcome.SENT
    assert posts(slack) == 1


def test_a_dm_that_cannot_be_opened_fails_and_keeps_the_claim(
    db: Database, client: WebClient, slack: LocalSlack
) -> None:
    slack.fail_next("conversations.open", status=200, retry_after=None, error="user_not_found")
    assert deliver(db, client, channel=USER).outcome is Outcome.FAILED
    assert posts(slack) == 0
    with db.transaction() as session:
        [row] = session.scalars(select(Delivery)).all()
        assert row.status == "claimed"
    assert deliver(db, client, channel=USER, now=NOW + timedelta(minutes=11)).outcome is Outcome.SENT
    assert len(slack.history(USER)) == 1
