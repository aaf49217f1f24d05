"""Requests parked while the user answers "did you mean…?" (see models.PendingRequest): logs, and
follow-ups and troubles whose account name is only close to existing ones."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.domain.activities import ActivityKind
from bot.models import Account, PendingRequest
from bot.services.accounts import AccountRef, NearMatchQuestion
from bot.services.activities import Logged, LogRequest, log_activity
from bot.services.followups import AutoFollowups

# An unanswered question is forgotten after a week; the user can simply run the command again.
KEEP_FOR = timedelta(days=7)


@dataclass(frozen=True)
class Parked:
    id: str


def park(session: Session, request: LogRequest, *, now: datetime) -> Parked:
    session.execute(delete(PendingRequest).where(PendingRequest.created_at < now - KEEP_FOR))
    payload = {
        "name": request.account.name,
        "kind": request.kind.value,
        "on": request.on.isoformat(),
        "amount": request.amount,
        "note": request.note,
        "revisit_on": request.revisit_on.isoformat() if request.revisit_on else None,
        "request_key": request.request_key,
    }
    row = PendingRequest(
        id=uuid.uuid4().hex,
        team_id=request.team_id,
        user_id=request.user_id,
        payload=json.dumps(payload, ensure_ascii=False),
        created_at=now,
    )
    session.add(row)
    return Parked(id=row.id)


def _take_row(session: Session, team_id: str, pending_id: str) -> tuple[str, dict[str, Any]] | None:
    """The parked request's user and payload, removed so that it is answered once; None if gone."""
    row = session.scalar(
        select(PendingRequest).where(PendingRequest.team_id == team_id, PendingRequest.id == pending_id)
    )
    if row is None:
        return None
    deleted = session.execute(
        delete(PendingRequest).where(PendingRequest.team_id == team_id, PendingRequest.id == pending_id)
    )
    if getattr(deleted, "rowcount", 1) == 0:
        return None  # a concurrent click took it first
    data: dict[str, Any] = json.loads(row.payload)
    return row.user_id, data


def take(session: Session, team_id: str, pending_id: str, account: AccountRef) -> LogRequest | None:
    """The parked log answered with `account`, removed so that it is answered once; None if gone."""
    taken = _take_row(session, team_id, pending_id)
    if taken is None or taken[1].get("for", "log") != "log":
        return None  # gone, or not a log (a follow-up's or a trouble's question answered as a log's)
    user_id, data = taken
    if account.account_id is None:
        account = AccountRef(name=data["name"], create_new=True)
    return LogRequest(
        team_id=team_id,
        user_id=user_id,
        account=account,
        kind=ActivityKind(data["kind"]),
        on=date.fromisoformat(data["on"]),
        amount=data["amount"],
        note=data["note"],
        revisit_on=date.fromisoformat(data["revisit_on"]) if data["revisit_on"] else None,
        request_key=data["request_key"],
    )


@dataclass(frozen=True)
class Asked:
    """The request was parked; the user is asked which account was meant."""

    name: str
    candidates: tuple[Account, ...]
    pending_id: str


def log_or_ask(
    session: Session,
    request: LogRequest,
    *,
    now: datetime,
    today: date,
    repeater_threshold: int,
    auto: AutoFollowups | None = None,
) -> Logged | Asked:
    outcome = log_activity(
        session, request, now=now, today=today, repeater_threshold=repeater_threshold, auto=auto
    )
    if isinstance(outcome, NearMatchQuestion):
        parked = park(session, request, now=now)
        return Asked(name=outcome.name, candidates=outcome.candidates, pending_id=parked.id)
    return outcome


Named = Literal["followup", "trouble"]


@dataclass(frozen=True)
class ParkedNamed:
    """A follow-up or trouble request taken back: who asked, and what they typed after the name."""

    user_id: str
    request_key: str
    fields: dict[str, Any]


def park_named(
    session: Session,
    team_id: str,
    user_id: str,
    what: Named,
    fields: dict[str, Any],
    *,
    request_key: str,
    now: datetime,
) -> Parked:
    """Parks a `/followup` or `/trouble` whose account name is only close to existing accounts. Unlike
    a log, the answer is an existing account: these commands never create one."""
    session.execute(delete(PendingRequest).where(PendingRequest.created_at < now - KEEP_FOR))
    payload = {"for": what, "request_key": request_key, "fields": fields}
    row = PendingRequest(
        id=uuid.uuid4().hex,
        team_id=team_id,
        user_id=user_id,
        payload=json.dumps(payload, ensure_ascii=False),
        created_at=now,
    )
    session.add(row)
    return Parked(id=row.id)


def take_named(session: Session, team_id: str, pending_id: str, what: Named) -> ParkedNamed | None:
    """The parked follow-up or trouble, removed so that it is answered once; None if gone or another kind."""
    taken = _take_row(session, team_id, pending_id)
    if taken is None or taken[1].get("for") != what:
        return None
    user_id, data = taken
    return ParkedNamed(user_id=user_id, request_key=str(data["request_key"]), fields=dict(data["fields"]))
