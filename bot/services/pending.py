"""Log requests parked while the user answers "did you mean…?" (see models.PendingRequest)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

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


def take(session: Session, team_id: str, pending_id: str, account: AccountRef) -> LogRequest | None:
    """The parked request answered with `account`, removed so that it is answered once; None if gone."""
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
    data = json.loads(row.payload)
    if account.account_id is None:
        account = AccountRef(name=data["name"], create_new=True)
    return LogRequest(
        team_id=team_id,
        user_id=row.user_id,
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
