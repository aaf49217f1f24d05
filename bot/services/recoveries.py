"""Failure recoveries: open one, move it through its states, ask for the verdict after the next win."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.followups import FollowupSource, recovery_check_on
from bot.domain.recovery import PENDING as PENDING_STATUSES
from bot.domain.recovery import RecoveryStatus, can_move, flag_cutoff
from bot.models import Account, Recovery, RecoveryEvent
from bot.services import followups, status_changes
from bot.services.errors import UserFacingError

# As stored (the status column's values).
PENDING = tuple(status.value for status in PENDING_STATUSES)


@dataclass(frozen=True)
class Opened:
    recovery: Recovery
    account: Account
    duplicate: bool


def open_recovery(
    session: Session,
    account: Account,
    *,
    user_id: str,
    what: str,
    now: datetime,
    today: date,
    request_key: str | None,
    followup_next_day: bool,
) -> Opened:
    if request_key is not None:
        existing = session.scalar(
            select(Recovery).where(Recovery.team_id == account.team_id, Recovery.request_key == request_key)
        )
        if existing is not None:
            return Opened(existing, account, duplicate=True)
    recovery = Recovery(
        team_id=account.team_id,
        account_id=account.id,
        owner_id=account.owner_id,
        opened_by=user_id,
        what=what,
        status=RecoveryStatus.OPEN.value,
        steps_done=0,
        opened_at=now,
        opened_on=today,
        request_key=request_key,
    )
    session.add(recovery)
    session.flush()
    _event(session, recovery, None, RecoveryStatus.OPEN, user_id, now)
    if followup_next_day:
        # Respond at once; the day after, check that the fix really reached the customer.
        followups.schedule(
            session,
            account,
            user_id=account.owner_id,
            created_by=user_id,
            due_on=recovery_check_on(today),
            note=what[:200],
            source=FollowupSource.RECOVERY.value,
            now=now,
        )
    return Opened(recovery, account, duplicate=False)


def get(session: Session, team_id: str, recovery_id: int) -> tuple[Recovery, Account]:
    row = session.execute(
        select(Recovery, Account)
        .join(Account, Account.id == Recovery.account_id)
        .where(Recovery.team_id == team_id, Recovery.id == recovery_id)
        # Locked until the transaction ends: two presses on one recovery are applied one at a time.
        .with_for_update(of=Recovery)
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise UserFacingError("recovery_gone")
    return row[0], row[1]


@dataclass(frozen=True)
class RecoveryChange:
    recovery: Recovery
    account: Account
    changed: bool


def move(
    session: Session, team_id: str, recovery_id: int, target: RecoveryStatus, *, user_id: str, now: datetime
) -> RecoveryChange:
    """A transition if the method allows it; pressing the same button twice changes nothing."""
    recovery, account = get(session, team_id, recovery_id)
    current = RecoveryStatus(recovery.status)
    if current is target or not can_move(current, target):
        return RecoveryChange(recovery, account, changed=False)
    recovery.status = target.value
    if target.is_closed:
        recovery.closed_at = now
    _event(session, recovery, current, target, user_id, now)
    if target is RecoveryStatus.LOST:
        status_changes.lost_by_recovery(session, account, user_id=user_id, now=now)
    return RecoveryChange(recovery, account, changed=True)


def set_steps(session: Session, team_id: str, recovery_id: int, mask: int) -> RecoveryChange:
    recovery, account = get(session, team_id, recovery_id)
    changed = recovery.steps_done != mask and not RecoveryStatus(recovery.status).is_closed
    if changed:
        recovery.steps_done = mask
    return RecoveryChange(recovery, account, changed)


def ask_after_win(session: Session, account: Account, *, now: datetime) -> list[Recovery]:
    """Recoveries of this account whose response was delivered: the win is the "next delivery", so
    the owner is asked whether it clearly exceeded expectations."""
    rows = list(
        session.scalars(
            select(Recovery).where(
                Recovery.team_id == account.team_id,
                Recovery.account_id == account.id,
                Recovery.status == RecoveryStatus.RESPONDED.value,
            )
        )
    )
    for recovery in rows:
        recovery.verdict_asked_at = now
    return rows


def pending_for(session: Session, team_id: str, owner_id: str) -> list[tuple[Recovery, Account]]:
    rows = session.execute(
        select(Recovery, Account)
        .join(Account, Account.id == Recovery.account_id)
        .where(Recovery.team_id == team_id, Recovery.owner_id == owner_id, Recovery.status.in_(PENDING))
        .order_by(Recovery.opened_at, Recovery.id)
    ).all()
    return list(rows)


def overdue_open(session: Session, now: datetime) -> list[tuple[Recovery, Account]]:
    """Recoveries still open (not even responded) more than FLAG_AFTER_DAYS, in every team."""
    cutoff = flag_cutoff(now)
    rows = session.execute(
        select(Recovery, Account)
        .join(Account, Account.id == Recovery.account_id)
        .where(Recovery.status == RecoveryStatus.OPEN.value, Recovery.opened_at < cutoff)
        .order_by(Recovery.opened_at)
    ).all()
    return list(rows)


def _event(
    session: Session,
    recovery: Recovery,
    before: RecoveryStatus | None,
    after: RecoveryStatus,
    user_id: str,
    now: datetime,
) -> None:
    session.add(
        RecoveryEvent(
            team_id=recovery.team_id,
            recovery_id=recovery.id,
            from_status=before.value if before else None,
            to_status=after.value,
            user_id=user_id,
            at=now,
        )
    )
