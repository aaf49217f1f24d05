"""Posting a message exactly once, whatever crashes, restarts or duplicate schedulers do.

The ledger (`models.Delivery`) has one row per (team, kind, ref) under a uniqueness rule:

1. **Claim.** Insert the row as `claimed` with a fresh token. A second worker (a second scheduler,
   a repeated run) hits the uniqueness rule and backs off: a sent row is done, a fresh claim is
   someone else's work in progress.
2. **Post** with Slack message metadata naming the delivery (`pyramid_delivery`, kind and ref).
3. **Mark sent** with the channel and ts.

A crash between 1 and 3 leaves a `claimed` row. After `STALE_AFTER` another run takes the claim over
(compare-and-swap on the token) and first *looks* in the channel's history for a message carrying
this delivery's metadata: if the post landed, it is only marked sent; if not, it is posted now.
So a crash makes a message **late, never lost and never doubled**. (Without reading history, a
crash right after Slack accepted the post would force a choice between a possible double and a
possible loss; the metadata lookup removes it.)
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from bot.db import Database
from bot.models import Delivery
from bot.views.blocks import Message

log = logging.getLogger(__name__)

STALE_AFTER = timedelta(minutes=10)
EVENT_TYPE = "pyramid_delivery"
HISTORY_LOOKBACK = 200


class Outcome(StrEnum):
    SENT = "sent"
    EMPTY = "empty"  # nothing to say: no message, and none later that day
    ALREADY = "already"  # done before
    BUSY = "busy"  # another worker holds a fresh claim
    FAILED = "failed"  # Slack refused; the claim goes stale and a later run tries again


@dataclass(frozen=True)
class Delivered:
    outcome: Outcome
    channel: str | None = None
    ts: str | None = None


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
    """Post `build()` to `channel` (a channel id, or a user id for a DM) once per (team, kind, ref)."""
    claim = _claim(db, team_id, kind, ref, now)
    if isinstance(claim, Delivered):
        return claim
    token, taken_over = claim

    target = _channel_for(client, channel)
    if taken_over and target:
        try:
            found = _find_posted(client, target, kind, ref)
        except RuntimeError as error:
            # Cannot tell whether it landed: leave the claim; a later run looks again.
            log.warning("delivery %s/%s: %s", kind, ref, error)
            return Delivered(Outcome.FAILED)
        if found is not None:
            log.info("delivery %s/%s had landed before a crash; marking it sent", kind, ref)
            _finish(db, team_id, kind, ref, token, "sent", target, found, now)
            return Delivered(Outcome.SENT, target, found)

    message = build()
    if message is None:
        _finish(db, team_id, kind, ref, token, "empty", None, None, now)
        return Delivered(Outcome.EMPTY)
    if target is None:
        return Delivered(Outcome.FAILED)
    metadata = {"event_type": EVENT_TYPE, "event_payload": {"kind": kind, "ref": ref}}
    try:
        response = _without_blind_retries(client).chat_postMessage(
            channel=target, metadata=metadata, **message
        )
    except SlackApiError as error:
        # Left claimed on purpose: after STALE_AFTER a later run checks history and posts if needed.
        log.warning("delivery %s/%s failed: %s", kind, ref, error.response.get("error"))
        return Delivered(Outcome.FAILED)
    ts = str(response.get("ts"))
    posted_channel = str(response.get("channel") or target)
    _finish(db, team_id, kind, ref, token, "sent", posted_channel, ts, now)
    return Delivered(Outcome.SENT, posted_channel, ts)


def _claim(db: Database, team_id: str, kind: str, ref: str, now: datetime) -> tuple[str, bool] | Delivered:
    """A claim token and whether it was taken over from a stale claim; or why there is nothing to do."""
    token = uuid.uuid4().hex
    try:
        with db.transaction() as session:
            session.add(
                Delivery(
                    team_id=team_id, kind=kind, ref=ref, status="claimed", claim_token=token, claimed_at=now
                )
            )
        return token, False
    except IntegrityError:
        pass
    with db.transaction() as session:
        row = session.scalar(
            select(Delivery).where(Delivery.team_id == team_id, Delivery.kind == kind, Delivery.ref == ref)
        )
        if row is None:  # deleted in between: nothing sensible to do this round
            return Delivered(Outcome.BUSY)
        if row.status != "claimed":
            return Delivered(Outcome.ALREADY, row.channel, row.ts)
        if now - row.claimed_at < STALE_AFTER:
            return Delivered(Outcome.BUSY)
        taken = session.execute(
            update(Delivery)
            .where(Delivery.id == row.id, Delivery.claim_token == row.claim_token)
            .values(claim_token=token, claimed_at=now, attempts=row.attempts + 1)
        )
        if getattr(taken, "rowcount", 0) != 1:
            return Delivered(Outcome.BUSY)
    return token, True


def _finish(
    db: Database,
    team_id: str,
    kind: str,
    ref: str,
    token: str,
    status: str,
    channel: str | None,
    ts: str | None,
    now: datetime,
) -> None:
    with db.transaction() as session:
        session.execute(
            update(Delivery)
            .where(
                Delivery.team_id == team_id,
                Delivery.kind == kind,
                Delivery.ref == ref,
                Delivery.claim_token == token,
            )
            .values(status=status, channel=channel, ts=ts, sent_at=now)
        )


def _without_blind_retries(client: WebClient) -> WebClient:
    """The same client, retrying only 429s (Slack did not take the call). A 5xx or a dropped connection
    may come after the post landed; retrying those blindly would post twice. The claim stays instead,
    and the history check decides."""
    return WebClient(
        token=client.token,
        base_url=client.base_url,
        timeout=client.timeout,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=5)],
    )


def _channel_for(client: WebClient, channel: str) -> str | None:
    """A user id becomes the id of the DM with them (history lookups need the real channel id)."""
    if not channel.startswith(("U", "W")):
        return channel
    try:
        response = client.conversations_open(users=channel)
    except SlackApiError as error:
        log.warning("cannot open a DM with %s: %s", channel, error.response.get("error"))
        return None
    opened: Any = response.get("channel") or {}
    return str(opened.get("id")) if opened.get("id") else None


def _find_posted(client: WebClient, channel: str, kind: str, ref: str) -> str | None:
    try:
        response = client.conversations_history(
            channel=channel, include_all_metadata=True, limit=HISTORY_LOOKBACK
        )
    except SlackApiError as error:
        # Cannot tell whether it landed: posting again risks a double, not posting risks a loss.
        # Raise so the claim stays and a later run looks again.
        raise RuntimeError(f"cannot read history of {channel}: {error.response.get('error')}") from error
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


def delivery_for(db: Database, team_id: str, kind: str, ref: str) -> Delivery | None:
    with db.transaction() as session:
        return session.scalar(
            select(Delivery).where(Delivery.team_id == team_id, Delivery.kind == kind, Delivery.ref == ref)
        )


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
    """A file shared once per (team, kind, ref), like `deliver_once`. Files carry no metadata, so a
    stale claim looks for the file's name (unique per ref) in the thread or channel instead."""
    claim = _claim(db, team_id, kind, ref, now)
    if isinstance(claim, Delivered):
        return claim
    token, taken_over = claim
    try:
        landed = taken_over and _file_posted(client, channel, thread_ts, filename)
    except RuntimeError as error:
        log.warning("upload %s/%s: %s", kind, ref, error)
        return Delivered(Outcome.FAILED)
    if landed:
        _finish(db, team_id, kind, ref, token, "sent", channel, thread_ts, now)
        return Delivered(Outcome.SENT, channel, thread_ts)
    try:
        _without_blind_retries(client).files_upload_v2(
            channel=channel, thread_ts=thread_ts, content=render(), filename=filename, title=title
        )
    except SlackApiError as error:
        log.warning("upload %s/%s failed: %s", kind, ref, error.response.get("error"))
        return Delivered(Outcome.FAILED)
    _finish(db, team_id, kind, ref, token, "sent", channel, thread_ts, now)
    return Delivered(Outcome.SENT, channel, thread_ts)


def _file_posted(client: WebClient, channel: str, thread_ts: str | None, filename: str) -> bool:
    try:
        if thread_ts:
            response = client.conversations_replies(channel=channel, ts=thread_ts, limit=HISTORY_LOOKBACK)
        else:
            response = client.conversations_history(channel=channel, limit=HISTORY_LOOKBACK)
    except SlackApiError as error:
        raise RuntimeError(f"cannot read history of {channel}: {error.response.get('error')}") from error
    return any(
        file.get("name") == filename
        for message in response.get("messages") or []
        for file in message.get("files") or []
    )
