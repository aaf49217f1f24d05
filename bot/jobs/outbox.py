"""Posting a message exactly once, whatever fails, crashes, restarts or duplicate schedulers do.

The ledger (`models.Delivery`) has one row per (team, kind, ref) under a uniqueness rule:

1. **Enqueue.** `enqueue()` inserts the row as `pending`, carrying the message (text + blocks) and its
   target, in the *caller's* transaction: the message exists exactly when the change that caused it
   was committed (a transactional outbox). A repeat inserts nothing (ON CONFLICT DO NOTHING, so a
   PostgreSQL transaction is never aborted by a duplicate).
2. **Claim.** `deliver_pending()` takes a due row by compare-and-swap on (status, attempts): of two
   processes, exactly one claims it; the other skips it.
3. **Post** with Slack message metadata naming the delivery (`pyramid_delivery`, kind and ref).
4. **Mark sent** with the channel and ts, only if the claim is still ours (its token).

A failed post is never lost and never looped:

* **Transient** failures (HTTP 5xx including an HTML 503, a dropped connection, a timeout, a 429 with
  `Retry-After`, `ratelimited`, `internal_error`, `fatal_error`, `service_unavailable`,
  `request_timeout`) put the row back to `pending` with a growing `next_attempt_at` (Retry-After when
  Slack gives one). The scheduler's sweep posts it when due. After a failure that may have reached
  Slack (anything but a rate limit), the next attempt first *looks* in the channel's history for a
  message carrying this delivery's metadata: found, it is only marked sent; so nothing doubles.
  After `GIVE_UP_AFTER` of transient failures the row is `failed`.
* **Permanent** errors (`invalid_auth`, `channel_not_found`, `not_in_channel`, `msg_too_long`, …, any
  error Slack answers with HTTP 200 that is not transient) mark the row `failed` with the error and log
  one WARNING naming team, kind, channel and error. `not_in_channel` is first answered by joining the
  channel (`conversations.join`, public channels) and trying once more.

**Many workspaces.** Each row is posted with its team's client (`deliver_pending(client_for=…)`, the
sweep; bot/installs.py). A row whose team has no installation any more is `dropped` without an attempt:
its team uninstalled the app, so it is neither retried nor counted as failed.

**Why a 60-second stale window is safe.** A worker that dies holding a claim leaves a `claimed` row;
after `STALE_AFTER` another worker takes it over and checks history before posting. That is only
safe if no live worker can still be posting under a claim that old. Every Web API call made under a
claim goes through this module's own client, with no automatic retries and a timeout of at most
`CALL_TIMEOUT` seconds, and one claim makes at most eight such calls (a message: open a DM, read
history, join, read history again, post; a file: read the thread, then its three upload calls twice
around a join), so a live claim ends (sent, pending or failed) within 8 × 7 s = 56 s, before it can
be taken over. The database writes around them take milliseconds. What the window does not cover is
Slack acting on a request well after the client gave up on it (at least 25 s later for a post, 4 s
for the last call of an upload). Rate
limits are not waited out under a claim: the row goes back to `pending` until Retry-After has passed.

`deliver_once` and `upload_once` serve what is built at send time (digests, the weekly summary and its
chart, recovery flags, hourly announcements): `deliver_once` builds the message only when no row
exists yet and then goes through the same enqueue → claim → post path.
"""

from __future__ import annotations

import http.client
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import and_, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from bot.db import Database
from bot.domain.delivery import UNINSTALLED, DeliveryStatus
from bot.models import Delivery
from bot.views.blocks import Message

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(seconds=60)
CALL_TIMEOUT = 7  # seconds, for every Web API call made under a claim (see the module docstring)
GIVE_UP_AFTER = timedelta(days=2)
MAX_BACKOFF = timedelta(minutes=30)
SWEEP_LIMIT = 200
# A sweep stops after this many transient failures in a row (timeouts, dropped connections, 5xx, rate
# limits): in an outage each would wait out its timeout. The rest wait for the next sweep, where the
# failed rows, pushed back by their backoff, come after them.
UNREACHABLE_STREAK = 5
EVENT_TYPE = "pyramid_delivery"
HISTORY_LOOKBACK = 200

# Slack errors that say "try again later" even when answered with HTTP 200.
TRANSIENT_ERRORS = frozenset(
    {"ratelimited", "fatal_error", "internal_error", "service_unavailable", "request_timeout"}
)
# What an operator should do about a permanent error, in the one log line that reports it.
HINTS = {
    "not_in_channel": "invite the bot there: /invite @Pyramid in that channel (a private channel "
    "cannot be joined by the bot itself)",
    "channel_not_found": "check PYRAMID_TEAM_CHANNEL (a channel id such as C0123456789) and that the "
    "bot can see the channel",
    "is_archived": "the channel is archived: unarchive it or set another PYRAMID_TEAM_CHANNEL",
    "invalid_auth": "check SLACK_BOT_TOKEN",
    "token_revoked": "the app was uninstalled or its token revoked: reinstall it",
    "account_inactive": "the app was uninstalled or its token revoked: reinstall it",
    "missing_scope": "reinstall the app from manifest.yml so that it has every scope",
    "no_permission": "the bot lacks permission there; reinstall from manifest.yml or invite it",
}

T = TypeVar("T")


class Outcome(StrEnum):
    SENT = "sent"
    EMPTY = "empty"  # nothing to say: no message, and none later that day
    ALREADY = "already"  # done before (sent or empty)
    BUSY = "busy"  # another worker holds a fresh claim
    RETRY = "retry"  # Slack or the network failed for now: pending, posted by a later sweep
    FAILED = "failed"  # definitively: Slack refused it (logged once), or transient failures for too long


@dataclass(frozen=True)
class Delivered:
    outcome: Outcome
    channel: str | None = None
    ts: str | None = None
    kind: str | None = None
    ref: str | None = None
    error: str | None = None


# ----------------------------------------------------------------------------------- enqueue


def enqueue(
    session: Session,
    *,
    team_id: str,
    kind: str,
    ref: str,
    channel: str,
    message: Message,
    now: datetime,
) -> None:
    """Add a `pending` delivery of `message` to `channel` (a channel id, or a user id for a DM) in the
    caller's transaction, once per (team, kind, ref): a repeat inserts nothing and raises nothing."""
    _insert_once(session, _pending_values(team_id, kind, ref, channel, message, now))


def _pending_values(
    team_id: str, kind: str, ref: str, channel: str, message: Message, now: datetime
) -> dict[str, Any]:
    return {
        "team_id": team_id,
        "kind": kind,
        "ref": ref,
        "status": DeliveryStatus.PENDING.value,
        "claim_token": "",
        "claimed_at": now,
        "attempts": 0,
        "payload": json.dumps(message, ensure_ascii=False),
        "target": channel,
        "created_at": now,
        "next_attempt_at": now,
        "may_have_posted": False,
    }


def _insert_once(session: Session, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on the ledger's key; whether a row was inserted."""
    dialect = session.get_bind().dialect.name
    keys = ["team_id", "kind", "ref"]
    if dialect == "postgresql":
        statement: Any = (
            postgresql_insert(Delivery).values(**values).on_conflict_do_nothing(index_elements=keys)
        )
    elif dialect == "sqlite":
        statement = sqlite_insert(Delivery).values(**values).on_conflict_do_nothing(index_elements=keys)
    else:  # pragma: no cover - the app supports SQLite and PostgreSQL only
        raise RuntimeError(f"no ON CONFLICT support for {dialect}")
    # RETURNING says whether a row went in (rowcount is -1 with psycopg when RETURNING is implied).
    return session.execute(statement.returning(Delivery.id)).first() is not None


# ------------------------------------------------------------------------------ deliver pending


@dataclass
class _Claim:
    id: int
    token: str
    team_id: str
    kind: str
    ref: str
    target: str
    message: Message
    check_history: bool
    attempts: int
    created_at: datetime
    posting: bool = False  # set just before chat.postMessage: a failure from here on may have landed


def deliver_pending(
    db: Database,
    client: WebClient,
    *,
    now: datetime,
    team_id: str | None = None,
    kind: str | None = None,
    ref: str | None = None,
    limit: int = SWEEP_LIMIT,
    client_for: Callable[[str], WebClient | None] | None = None,
) -> list[Delivered]:
    """Post every due delivery (pending and due, or claimed and stale), at most `limit`, optionally only
    those of one team, kind or ref. Each row is claimed right before it is posted; a row another
    worker claimed first is skipped. Returns what happened to each row this call handled.

    `client_for(team_id)` (the sweep, which posts for every team) gives each row its team's client;
    None there means the team uninstalled the app: its row is dropped (`dropped`, `app_uninstalled`)
    without an attempt, so it neither waits for days nor counts among the failures."""
    with db.transaction() as session:
        query = select(Delivery.id, Delivery.status, Delivery.attempts, Delivery.team_id).where(_due(now))
        if team_id is not None:
            query = query.where(Delivery.team_id == team_id)
        if kind is not None:
            query = query.where(Delivery.kind == kind)
        if ref is not None:
            query = query.where(Delivery.ref == ref)
        due = session.execute(query.order_by(Delivery.next_attempt_at, Delivery.id).limit(limit)).all()
    slacks: dict[str, WebClient | None] = {}
    results: list[Delivered] = []
    streak = 0
    for index, (row_id, status, attempts, row_team) in enumerate(due):
        if streak >= UNREACHABLE_STREAK:
            log.warning(
                "Slack failing (%d attempts in a row, last: %s); %d deliveries wait for the next sweep",
                streak,
                results[-1].error,
                len(due) - index,
            )
            break
        if row_team not in slacks:
            team_client = client if client_for is None else client_for(row_team)
            slacks[row_team] = None if team_client is None else _outbox_client(team_client)
        slack = slacks[row_team]
        if slack is None:
            _drop_uninstalled(db, row_id, status, attempts)
            continue
        try:
            claim = _claim_row(db, row_id, status, attempts, now)
            if claim is not None:
                results.append(_attempt(db, slack, claim, now))
                streak = streak + 1 if results[-1].outcome is Outcome.RETRY else 0
        except Exception:
            # A bug or the database: this row is retried once its claim is stale; the others go on.
            log.exception("delivery %s could not be attempted", row_id)
    return results


def _drop_uninstalled(db: Database, row_id: int, status: str, attempts: int) -> None:
    with db.transaction() as session:
        session.execute(
            update(Delivery)
            .where(Delivery.id == row_id, Delivery.status == status, Delivery.attempts == attempts)
            .values(status=DeliveryStatus.DROPPED.value, last_error=UNINSTALLED)
            .execution_options(synchronize_session=False)
        )
    log.info("delivery %s dropped: its team has no installation", row_id)


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(Delivery.status == DeliveryStatus.PENDING.value, Delivery.next_attempt_at <= now),
        and_(
            Delivery.status == DeliveryStatus.CLAIMED.value,
            Delivery.payload.is_not(None),
            Delivery.claimed_at <= now - STALE_AFTER,
        ),
    )


def _claim_row(db: Database, row_id: int, status: str, attempts: int, now: datetime) -> _Claim | None:
    """Compare-and-swap: claimed only if nobody moved the row since it was read (attempts counts claims)."""
    token = uuid.uuid4().hex
    with db.transaction() as session:
        taken = session.execute(
            update(Delivery)
            .where(Delivery.id == row_id, Delivery.status == status, Delivery.attempts == attempts, _due(now))
            .values(
                status=DeliveryStatus.CLAIMED.value, claim_token=token, claimed_at=now, attempts=attempts + 1
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(taken, "rowcount", 0) != 1:
            return None
        row = session.scalars(select(Delivery).where(Delivery.id == row_id)).one()
        return _Claim(
            id=row.id,
            token=token,
            team_id=row.team_id,
            kind=row.kind,
            ref=row.ref,
            target=row.target or "",
            message=json.loads(row.payload or "{}"),
            # A stale claim's worker may have posted before dying; so may a failed attempt's.
            check_history=row.may_have_posted or status == DeliveryStatus.CLAIMED.value,
            attempts=attempts + 1,
            created_at=row.created_at or row.claimed_at,
        )


def _attempt(db: Database, slack: WebClient, claim: _Claim, now: datetime) -> Delivered:
    try:
        channel, ts = _post(slack, claim)
    except Exception as error:  # every failure is classified; none escapes to stop a run
        problem = _classify(error, claim.posting)
        if problem.unexpected:
            log.exception("delivery %s/%s: unexpected failure", claim.kind, claim.ref)
        return _failed(db, claim, problem, now)
    _finish(db, claim, now, status=DeliveryStatus.SENT.value, channel=channel, ts=ts)
    return Delivered(Outcome.SENT, channel, ts, claim.kind, claim.ref)


def _post(slack: WebClient, claim: _Claim) -> tuple[str, str]:
    channel = _channel_for(slack, claim.target)
    joined: list[bool] = []
    if claim.check_history:
        found = _in_channel(
            slack, channel, joined, lambda: _find_posted(slack, channel, claim.kind, claim.ref)
        )
        if found is not None:
            log.info("delivery %s/%s had landed before; marking it sent", claim.kind, claim.ref)
            return channel, found
    metadata = {"event_type": EVENT_TYPE, "event_payload": {"kind": claim.kind, "ref": claim.ref}}

    def post() -> Any:
        claim.posting = True
        return slack.chat_postMessage(channel=channel, metadata=metadata, **claim.message)

    response = _in_channel(slack, channel, joined, post)
    return str(response.get("channel") or channel), str(response.get("ts"))


def _in_channel(slack: WebClient, channel: str, joined: list[bool], call: Callable[[], T]) -> T:
    """`call()`, and if Slack answers not_in_channel, join the channel (once per claim) and call again.
    Only public channels can be joined; a private one stays not_in_channel (reported once, failed)."""
    try:
        return call()
    except SlackApiError as error:
        if error.response.get("error") != "not_in_channel" or joined or not channel.startswith("C"):
            raise
    joined.append(True)
    try:
        slack.conversations_join(channel=channel)
    except SlackApiError as join_error:
        # Reported once, by the delivery's one WARNING line (with what to do: /invite @Pyramid).
        log.info("cannot join channel %s: %s", channel, join_error.response.get("error"))
        raise _NotInChannel(channel) from join_error
    log.info("joined channel %s to post there", channel)
    return call()


class _NotInChannel(Exception):
    def __init__(self, channel: str) -> None:
        super().__init__(f"not_in_channel: {channel}")
        self.channel = channel


def _channel_for(slack: WebClient, channel: str) -> str:
    """A user id becomes the id of the DM with them (history lookups need the real channel id)."""
    if not channel.startswith(("U", "W")):
        return channel
    response = slack.conversations_open(users=channel)
    opened: Any = response.get("channel") or {}
    if not opened.get("id"):
        raise RuntimeError(f"conversations.open gave no channel for {channel}")
    return str(opened["id"])


def _find_posted(slack: WebClient, channel: str, kind: str, ref: str) -> str | None:
    response = slack.conversations_history(channel=channel, include_all_metadata=True, limit=HISTORY_LOOKBACK)
    for message in response.get("messages") or []:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if (
            metadata.get("event_type") == EVENT_TYPE
            and payload.get("kind") == kind
            and payload.get("ref") == ref
        ):
            return str(message.get("ts"))
    return None


# ----------------------------------------------------------------------------------- failures


@dataclass(frozen=True)
class _Problem:
    error: str
    transient: bool
    may_have_landed: bool = False
    retry_after: float | None = None
    unexpected: bool = False


def _classify(error: BaseException, posting: bool) -> _Problem:
    """What a failure means: its short name, whether to try again, whether the post may have landed."""
    if isinstance(error, _NotInChannel):
        return _Problem("not_in_channel", transient=False)
    if isinstance(error, SlackApiError):
        status = int(getattr(error.response, "status_code", 200) or 200)
        code = str(error.response.get("error") or "")
        if status == 429 or code == "ratelimited":
            return _Problem("ratelimited", transient=True, retry_after=_retry_after(error))
        if status >= 500 or code in TRANSIENT_ERRORS:
            # A non-JSON answer (an HTML 503 page) comes back as a long description: name it by status.
            name = code if code and code.replace("_", "").isalnum() and len(code) <= 64 else f"http_{status}"
            return _Problem(name, transient=True, may_have_landed=posting)
        return _Problem(code or f"http_{status}", transient=False)
    if isinstance(error, TimeoutError) or (
        isinstance(error, URLError) and isinstance(error.reason, TimeoutError)
    ):
        return _Problem("timeout", transient=True, may_have_landed=posting)
    if isinstance(error, OSError | http.client.HTTPException):
        return _Problem("connection_error", transient=True, may_have_landed=posting)
    return _Problem(
        f"unexpected: {type(error).__name__}", transient=True, may_have_landed=True, unexpected=True
    )


def failure_name(error: BaseException) -> str:
    """A short name for a Web API or network failure ("internal_error", "timeout", "http_503" …), for
    the one log line a job writes when one item fails."""
    return _classify(error, posting=False).error


def report_failure(logger: logging.Logger, error: BaseException, what: str) -> str:
    """One log line for one item of a run that failed (the run goes on): a WARNING naming the Slack or
    network failure, or the traceback when it is a bug. Returns the failure's short name."""
    name = failure_name(error)
    if name.startswith("unexpected"):
        logger.exception("%s failed; the run goes on", what)
    else:
        logger.warning("%s failed (%s); the run goes on", what, name)
    return name


def _retry_after(error: SlackApiError) -> float | None:
    headers = getattr(error.response, "headers", None) or {}
    for name, value in dict(headers).items():
        if name.lower() == "retry-after":
            try:
                return float(value[0] if isinstance(value, list) else value)
            except (TypeError, ValueError):
                return None
    return None


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4, 8, 16, 30, 30 … minutes."""
    return min(timedelta(minutes=2 ** min(max(attempts - 1, 0), 10)), MAX_BACKOFF)


def _failed(db: Database, claim: _Claim, problem: _Problem, now: datetime) -> Delivered:
    where = f"team {claim.team_id}, kind {claim.kind}, ref {claim.ref}, channel {claim.target}"
    if problem.transient and now - claim.created_at < GIVE_UP_AFTER:
        wait = backoff(claim.attempts)
        if problem.retry_after is not None:
            wait = timedelta(seconds=max(problem.retry_after, 0))
        _settle(
            db,
            claim,
            status=DeliveryStatus.PENDING.value,
            next_attempt_at=now + wait,
            last_error=problem.error[:200],
            may_have_posted=claim.check_history or problem.may_have_landed,
        )
        log.info(
            "delivery failed for now (%s): %s; attempt %d, next in %s",
            where,
            problem.error,
            claim.attempts,
            wait,
        )
        return Delivered(Outcome.RETRY, kind=claim.kind, ref=claim.ref, error=problem.error)
    _settle(db, claim, status=DeliveryStatus.FAILED.value, last_error=problem.error[:200], sent_at=now)
    if problem.transient:
        log.warning(
            "delivery failed for good (%s): %s for %s, giving up", where, problem.error, GIVE_UP_AFTER
        )
    else:
        hint = HINTS.get(problem.error)
        log.warning("delivery failed for good (%s): %s%s", where, problem.error, f" — {hint}" if hint else "")
    return Delivered(Outcome.FAILED, kind=claim.kind, ref=claim.ref, error=problem.error)


def _finish(db: Database, claim: _Claim, now: datetime, *, status: str, channel: str, ts: str) -> None:
    if _settle(db, claim, status=status, channel=channel, ts=ts, sent_at=now, last_error=None) != 1:
        log.warning("delivery %s/%s was sent but its claim had been taken over", claim.kind, claim.ref)


def _settle(db: Database, claim: _Claim, **values: Any) -> int:
    """Writes the outcome of a claimed delivery, only while the claim is still ours: once the lease has
    run out and another process took the row over, this changes nothing. The number of rows changed."""
    with db.transaction() as session:
        done = session.execute(
            update(Delivery)
            .where(
                Delivery.id == claim.id,
                Delivery.claim_token == claim.token,
                Delivery.status == DeliveryStatus.CLAIMED.value,
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        )
    return int(getattr(done, "rowcount", 0))


def _outbox_client(client: WebClient) -> WebClient:
    """The same token and URL, with a short timeout and no automatic retries: a 5xx, a timeout or a
    dropped connection may come after the post landed, and retrying it blindly would post twice.
    The ledger retries instead, looking at history first."""
    timeout = client.timeout if 0 < client.timeout < CALL_TIMEOUT else CALL_TIMEOUT
    return WebClient(token=client.token, base_url=client.base_url, timeout=timeout, retry_handlers=[])


# --------------------------------------------------------------------- built at send time


def deliver_once(
    db: Database,
    client: WebClient,
    *,
    team_id: str,
    kind: str,
    ref: str,
    channel: str,
    build: Callable[[], Message | None],
    now: datetime,
) -> Delivered:
    """Post `build()` to `channel` (a channel id, or a user id for a DM) once per (team, kind, ref).
    `build` runs only while no row exists; `None` records the day as empty. A failed post is retried
    by the scheduler's sweep (`deliver_pending`)."""
    row = delivery_for(db, team_id, kind, ref)
    if row is None:
        message = build()
        with db.transaction() as session:
            if message is None:
                empty = {
                    "team_id": team_id,
                    "kind": kind,
                    "ref": ref,
                    "status": DeliveryStatus.EMPTY.value,
                    "claim_token": "",
                    "claimed_at": now,
                    "attempts": 0,
                    "created_at": now,
                    "sent_at": now,
                    "target": channel,
                }
                if _insert_once(session, empty):
                    return Delivered(Outcome.EMPTY, kind=kind, ref=ref)
            else:
                enqueue(
                    session, team_id=team_id, kind=kind, ref=ref, channel=channel, message=message, now=now
                )
    elif (
        row.status == DeliveryStatus.CLAIMED.value
        and row.payload is None
        and now - row.claimed_at >= STALE_AFTER
    ):
        # A claim without a message (left by an older version that crashed): build it now and hand it
        # to the sweep's path, which looks in history first.
        message = build()
        values: dict[str, Any] = (
            {"status": DeliveryStatus.EMPTY.value, "sent_at": now}
            if message is None
            else {**_pending_values(team_id, kind, ref, channel, message, now), "may_have_posted": True}
        )
        values["attempts"] = row.attempts
        with db.transaction() as session:
            session.execute(
                update(Delivery)
                .where(
                    Delivery.id == row.id,
                    Delivery.status == DeliveryStatus.CLAIMED.value,
                    Delivery.attempts == row.attempts,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
    results = deliver_pending(db, client, now=now, team_id=team_id, kind=kind, ref=ref, limit=1)
    return results[0] if results else state_of(db, team_id, kind, ref)


def state_of(db: Database, team_id: str, kind: str, ref: str) -> Delivered:
    """What the ledger says of a delivery nobody is attempting right now."""
    row = delivery_for(db, team_id, kind, ref)
    if row is None or row.status == DeliveryStatus.CLAIMED.value:
        return Delivered(Outcome.BUSY, kind=kind, ref=ref)
    if DeliveryStatus(row.status).is_done:
        return Delivered(Outcome.ALREADY, row.channel, row.ts, kind, ref)
    if row.status == DeliveryStatus.PENDING.value:
        return Delivered(Outcome.RETRY, kind=kind, ref=ref, error=row.last_error)
    return Delivered(Outcome.FAILED, kind=kind, ref=ref, error=row.last_error)


def delivery_for(db: Database, team_id: str, kind: str, ref: str) -> Delivery | None:
    with db.transaction() as session:
        return session.scalar(
            select(Delivery).where(Delivery.team_id == team_id, Delivery.kind == kind, Delivery.ref == ref)
        )


# ------------------------------------------------------------------------------------ uploads


def upload_once(
    db: Database,
    client: WebClient,
    *,
    team_id: str,
    kind: str,
    ref: str,
    channel: str,
    thread_ts: str | None,
    filename: str,
    title: str,
    render: Callable[[], bytes],
    now: datetime,
) -> Delivered:
    """A file shared once per (team, kind, ref). Its bytes are rendered at send time, so the row carries
    no payload: a transient failure leaves the claim, which the caller's next run takes over once
    stale; files carry no metadata, so a takeover looks for the file's name (unique per ref) in the
    thread or channel first. A permanent failure marks the row failed, logged once."""
    claim = _claim_upload(db, team_id, kind, ref, channel, now)
    if isinstance(claim, Delivered):
        return claim
    slack = _outbox_client(client)
    joined: list[bool] = []
    try:
        landed = claim.check_history and _in_channel(
            slack, channel, joined, lambda: _file_posted(slack, channel, thread_ts, filename)
        )
        if not landed:

            def upload() -> Any:
                claim.posting = True
                return slack.files_upload_v2(
                    channel=channel, thread_ts=thread_ts, content=render(), filename=filename, title=title
                )

            _in_channel(slack, channel, joined, upload)
    except Exception as error:
        problem = _classify(error, claim.posting)
        if problem.unexpected:
            log.exception("upload %s/%s: unexpected failure", kind, ref)
        if problem.transient and now - claim.created_at < GIVE_UP_AFTER:
            # Left claimed on purpose: once stale, the next run looks for the file, then uploads.
            log.info("upload %s/%s failed for now: %s", kind, ref, problem.error)
            return Delivered(Outcome.RETRY, kind=kind, ref=ref, error=problem.error)
        return _failed(db, claim, problem, now)
    _finish(db, claim, now, status=DeliveryStatus.SENT.value, channel=channel, ts=thread_ts or "")
    return Delivered(Outcome.SENT, channel, thread_ts, kind, ref)


def _claim_upload(
    db: Database, team_id: str, kind: str, ref: str, channel: str, now: datetime
) -> _Claim | Delivered:
    token = uuid.uuid4().hex
    values = {
        "team_id": team_id,
        "kind": kind,
        "ref": ref,
        "status": DeliveryStatus.CLAIMED.value,
        "claim_token": token,
        "claimed_at": now,
        "attempts": 1,
        "created_at": now,
    }
    with db.transaction() as session:
        inserted = _insert_once(session, values)
    row = delivery_for(db, team_id, kind, ref)
    if inserted and row is not None:
        return _Claim(row.id, token, team_id, kind, ref, channel, {}, False, 1, now)
    if (
        row is None
        or row.status in (DeliveryStatus.PENDING.value, DeliveryStatus.CLAIMED.value)
        and now - row.claimed_at < STALE_AFTER
    ):
        return Delivered(Outcome.BUSY, kind=kind, ref=ref)
    if DeliveryStatus(row.status).is_done:
        return Delivered(Outcome.ALREADY, row.channel, row.ts, kind, ref)
    if row.status == DeliveryStatus.FAILED.value:
        return Delivered(Outcome.FAILED, kind=kind, ref=ref, error=row.last_error)
    with db.transaction() as session:
        taken = session.execute(
            update(Delivery)
            .where(
                Delivery.id == row.id, Delivery.claim_token == row.claim_token, Delivery.status == row.status
            )
            .values(
                status=DeliveryStatus.CLAIMED.value,
                claim_token=token,
                claimed_at=now,
                attempts=row.attempts + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(taken, "rowcount", 0) != 1:
            return Delivered(Outcome.BUSY, kind=kind, ref=ref)
    created_at = row.created_at or row.claimed_at
    return _Claim(row.id, token, team_id, kind, ref, channel, {}, True, row.attempts + 1, created_at)


def _file_posted(slack: WebClient, channel: str, thread_ts: str | None, filename: str) -> bool:
    if thread_ts:
        response = slack.conversations_replies(channel=channel, ts=thread_ts, limit=HISTORY_LOOKBACK)
    else:
        response = slack.conversations_history(channel=channel, limit=HISTORY_LOOKBACK)
    return any(
        file.get("name") == filename
        for message in response.get("messages") or []
        for file in message.get("files") or []
    )
