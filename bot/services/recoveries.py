"""Failure recoveries: open one (a repeat marks the account at risk), move it through its two halves
(respond; then the next delivery, dated, and the verdict after it), hand it over, note, escalate; and
the look-ups of the escalation ladder, the card and the weekly summary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from bot.domain.followups import FollowupSource, recovery_check_on
from bot.domain.recovery import PENDING as PENDING_STATUSES
from bot.domain.recovery import (
    Cause,
    EventKind,
    RecoveryStatus,
    can_move,
    delivery_date_ok,
    repeat_cutoff,
    verdict_due,
)
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
    repeated: bool = False  # another recovery of this account was open or recent: now at risk


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
    cause: Cause | None = None,
) -> Opened:
    if request_key is not None:
        existing = session.scalar(
            select(Recovery).where(Recovery.team_id == account.team_id, Recovery.request_key == request_key)
        )
        if existing is not None:
            return Opened(existing, account, duplicate=True, repeated=account.at_risk_since is not None)
    repeated = _open_or_recent(session, account, now)
    recovery = Recovery(
        team_id=account.team_id,
        account_id=account.id,
        owner_id=account.owner_id,
        opened_by=user_id,
        what=what,
        status=RecoveryStatus.OPEN.value,
        steps_done=0,
        cause=cause.value if cause else None,
        opened_at=now,
        opened_on=today,
        request_key=request_key,
    )
    session.add(recovery)
    session.flush()
    _event(session, recovery, None, RecoveryStatus.OPEN, user_id, now)
    if repeated:
        _mark_at_risk(session, account, now)
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
    return Opened(recovery, account, duplicate=False, repeated=repeated)


def _open_or_recent(session: Session, account: Account, now: datetime) -> bool:
    """Is another recovery of this account still open, or closed within domain.recovery's window?"""
    found = session.scalar(
        select(Recovery.id)
        .where(
            Recovery.team_id == account.team_id,
            Recovery.account_id == account.id,
            or_(Recovery.status.in_(PENDING), Recovery.closed_at >= repeat_cutoff(now)),
        )
        .limit(1)
    )
    return found is not None


def _mark_at_risk(session: Session, account: Account, now: datetime) -> None:
    # Atomic: two failures logged at once both find the account at risk since the first of them.
    session.execute(
        update(Account)
        .where(Account.team_id == account.team_id, Account.id == account.id, Account.at_risk_since.is_(None))
        .values(at_risk_since=now)
    )
    session.refresh(account, ["at_risk_since"])


def get(session: Session, team_id: str, recovery_id: int) -> tuple[Recovery, Account]:
    row = session.execute(
        _with_accounts()
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


def respond(
    session: Session, team_id: str, recovery_id: int, *, user_id: str, now: datetime
) -> RecoveryChange:
    """The first half: the response and the fix were delivered."""
    return _move(session, team_id, recovery_id, RecoveryStatus.RESPONDED, user_id=user_id, now=now)


def lose(session: Session, team_id: str, recovery_id: int, *, user_id: str, now: datetime) -> RecoveryChange:
    """The customer is gone: the one place where a recovery becomes lost."""
    return _move(session, team_id, recovery_id, RecoveryStatus.LOST, user_id=user_id, now=now)


def set_delivery(
    session: Session, team_id: str, recovery_id: int, on: date, *, user_id: str, now: datetime
) -> RecoveryChange:
    """The date of the next delivery: a responded recovery now awaits it; an awaited one moves to the
    new date. A date before the failure is refused; an open or closed recovery is left as it is."""
    recovery, account = get(session, team_id, recovery_id)
    status = RecoveryStatus(recovery.status)
    if status not in (RecoveryStatus.RESPONDED, RecoveryStatus.AWAITING) or recovery.delivery_on == on:
        return RecoveryChange(recovery, account, changed=False)
    if not delivery_date_ok(recovery.opened_on, on):
        raise UserFacingError("recovery_delivery_before", date=recovery.opened_on.isoformat())
    recovery.delivery_on = on
    if status is RecoveryStatus.RESPONDED:
        recovery.status = RecoveryStatus.AWAITING.value
        _event(session, recovery, status, RecoveryStatus.AWAITING, user_id, now, note=on.isoformat())
    else:
        _event(session, recovery, status, status, user_id, now, kind=EventKind.DELIVERY, note=on.isoformat())
    return RecoveryChange(recovery, account, changed=True)


def verdict(
    session: Session,
    team_id: str,
    recovery_id: int,
    exceeded: bool,
    *,
    user_id: str,
    now: datetime,
    today: date,
) -> RecoveryChange:
    """After the next delivery: only "it clearly exceeded expectations" closes it as recovered; "no"
    keeps it open, back to waiting for another next delivery (the date is asked again). Before the
    delivery's day is over, or a second answer, changes nothing."""
    recovery, account = get(session, team_id, recovery_id)
    status = RecoveryStatus(recovery.status)
    if not verdict_due(status, recovery.delivery_on, today):
        return RecoveryChange(recovery, account, changed=False)
    if exceeded:
        return _move(session, team_id, recovery_id, RecoveryStatus.RECOVERED, user_id=user_id, now=now)
    note = recovery.delivery_on.isoformat() if recovery.delivery_on else None
    recovery.delivery_on = None
    recovery.status = RecoveryStatus.RESPONDED.value
    _event(session, recovery, status, RecoveryStatus.RESPONDED, user_id, now, note=note)
    return RecoveryChange(recovery, account, changed=True)


def _move(
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
        if target is RecoveryStatus.RECOVERED and not _open_or_recent_besides(session, recovery):
            account.at_risk_since = None  # the last open failure recovered: trust is back
    _event(session, recovery, current, target, user_id, now)
    if target is RecoveryStatus.LOST:
        status_changes.lost_by_recovery(session, account, user_id=user_id, now=now)
    return RecoveryChange(recovery, account, changed=True)


def _open_or_recent_besides(session: Session, recovery: Recovery) -> bool:
    found = session.scalar(
        select(Recovery.id)
        .where(
            Recovery.team_id == recovery.team_id,
            Recovery.account_id == recovery.account_id,
            Recovery.id != recovery.id,
            Recovery.status.in_(PENDING),
        )
        .limit(1)
    )
    return found is not None


def take(session: Session, team_id: str, recovery_id: int, *, user_id: str, now: datetime) -> RecoveryChange:
    """A teammate takes the complaint over (the organisation owns it): the new owner, recorded."""
    recovery, account = get(session, team_id, recovery_id)
    if RecoveryStatus(recovery.status).is_closed or recovery.owner_id == user_id:
        return RecoveryChange(recovery, account, changed=False)
    before = recovery.owner_id
    recovery.owner_id = user_id
    status = RecoveryStatus(recovery.status)
    _event(session, recovery, status, status, user_id, now, kind=EventKind.OWNER, note=before)
    return RecoveryChange(recovery, account, changed=True)


def add_note(
    session: Session, team_id: str, recovery_id: int, note: str, *, user_id: str, now: datetime
) -> RecoveryChange:
    """A note on the recovery; the same note by the same person again (a retried submission) is stored
    once."""
    recovery, account = get(session, team_id, recovery_id)
    again = session.scalar(
        select(RecoveryEvent.id)
        .where(
            RecoveryEvent.team_id == team_id,
            RecoveryEvent.recovery_id == recovery_id,
            RecoveryEvent.kind == EventKind.NOTE.value,
            RecoveryEvent.user_id == user_id,
            RecoveryEvent.note == note,
        )
        .limit(1)
    )
    if again is not None:
        return RecoveryChange(recovery, account, changed=False)
    status = RecoveryStatus(recovery.status)
    _event(session, recovery, status, status, user_id, now, kind=EventKind.NOTE, note=note)
    return RecoveryChange(recovery, account, changed=True)


def escalate(
    session: Session, team_id: str, recovery_id: int, *, user_id: str, now: datetime
) -> RecoveryChange:
    """Recorded each time; the managers' DM goes out once per recovery (bot/notify.py)."""
    recovery, account = get(session, team_id, recovery_id)
    status = RecoveryStatus(recovery.status)
    if status.is_closed:
        return RecoveryChange(recovery, account, changed=False)
    _event(session, recovery, status, status, user_id, now, kind=EventKind.ESCALATED)
    return RecoveryChange(recovery, account, changed=True)


def was_escalated(session: Session, team_id: str, recovery_id: int) -> bool:
    found = session.scalar(
        select(RecoveryEvent.id)
        .where(
            RecoveryEvent.team_id == team_id,
            RecoveryEvent.recovery_id == recovery_id,
            RecoveryEvent.kind == EventKind.ESCALATED.value,
        )
        .limit(1)
    )
    return found is not None


def set_steps(session: Session, team_id: str, recovery_id: int, mask: int) -> RecoveryChange:
    recovery, account = get(session, team_id, recovery_id)
    changed = recovery.steps_done != mask and not RecoveryStatus(recovery.status).is_closed
    if changed:
        recovery.steps_done = mask
    return RecoveryChange(recovery, account, changed)


# ------------------------------------------------------------------------------------------ look-ups


def _with_accounts() -> Select[Recovery, Account]:
    """Recoveries, each beside its account (whose name every message about it shows)."""
    return select(Recovery, Account).join(Account, Account.id == Recovery.account_id)


def _listed(session: Session, statement: Select[Recovery, Account]) -> list[tuple[Recovery, Account]]:
    return [(recovery, account) for recovery, account in session.execute(statement)]


def pending_for(session: Session, team_id: str, owner_id: str) -> list[tuple[Recovery, Account]]:
    return _listed(
        session,
        _with_accounts()
        .where(Recovery.team_id == team_id, Recovery.owner_id == owner_id, Recovery.status.in_(PENDING))
        .order_by(Recovery.opened_at, Recovery.id),
    )


def unresponded_since(session: Session, team_id: str, opened_before: date) -> list[tuple[Recovery, Account]]:
    """The team's recoveries still open (not even responded) opened before this day: the ladder's."""
    return _listed(
        session,
        _with_accounts()
        .where(
            Recovery.team_id == team_id,
            Recovery.status == RecoveryStatus.OPEN.value,
            Recovery.opened_on < opened_before,
        )
        .order_by(Recovery.opened_at, Recovery.id),
    )


def undated_since(
    session: Session, team_id: str, responded_before: datetime
) -> list[tuple[Recovery, Account, int]]:
    """The team's responded recoveries still without the next delivery's date, responded before this
    instant, each with the id of the event that made it responded (the question's ledger key: a "no"
    verdict responds again, and asks again)."""
    last = (
        select(RecoveryEvent.recovery_id, func.max(RecoveryEvent.id).label("event_id"))
        .where(
            RecoveryEvent.to_status == RecoveryStatus.RESPONDED.value,
            RecoveryEvent.kind == EventKind.STATUS.value,
        )
        .group_by(RecoveryEvent.recovery_id)
        .subquery()
    )
    rows = session.execute(
        select(Recovery, Account, RecoveryEvent.id)
        .join(Account, Account.id == Recovery.account_id)
        .join(last, last.c.recovery_id == Recovery.id)
        .join(RecoveryEvent, RecoveryEvent.id == last.c.event_id)
        .where(
            Recovery.team_id == team_id,
            Recovery.status == RecoveryStatus.RESPONDED.value,
            Recovery.delivery_on.is_(None),
            RecoveryEvent.at < responded_before,
        )
        .order_by(Recovery.id)
    ).all()
    return [(recovery, account, int(event_id)) for recovery, account, event_id in rows]


def deliveries_past(session: Session, team_id: str, today: date) -> list[tuple[Recovery, Account]]:
    """The team's recoveries whose next delivery's day is over: time for the verdict question."""
    return _listed(
        session,
        _with_accounts()
        .where(
            Recovery.team_id == team_id,
            Recovery.status == RecoveryStatus.AWAITING.value,
            Recovery.delivery_on < today,
        )
        .order_by(Recovery.delivery_on, Recovery.id),
    )


def of_account(session: Session, team_id: str, account_id: int, limit: int) -> tuple[list[Recovery], int]:
    """An account's recoveries for its card: the open ones first, then the latest closed; and how many
    there are in all."""
    where = (Recovery.team_id == team_id, Recovery.account_id == account_id)
    rows = session.scalars(
        select(Recovery)
        .where(*where)
        .order_by(Recovery.closed_at.is_not(None), Recovery.opened_at.desc(), Recovery.id.desc())
        .limit(limit)
    )
    total = session.scalar(select(func.count()).select_from(Recovery).where(*where)) or 0
    return list(rows), total


def pending_by_state_and_owner(session: Session, team_id: str) -> list[tuple[str, str, int]]:
    """(status, owner, how many) of the team's recoveries not closed yet, for the weekly summary."""
    rows = session.execute(
        select(Recovery.status, Recovery.owner_id, func.count())
        .where(Recovery.team_id == team_id, Recovery.status.in_(PENDING))
        .group_by(Recovery.status, Recovery.owner_id)
        .order_by(Recovery.status, func.count().desc(), Recovery.owner_id)
    ).all()
    return [(str(status), str(owner), int(n)) for status, owner, n in rows]


def repeated_causes(session: Session, team_id: str, since: date) -> list[tuple[str, int]]:
    """Causes of two or more failures opened since `since`: the same complaint repeats until its cause
    is fixed."""
    rows = session.execute(
        select(Recovery.cause, func.count())
        .where(
            Recovery.team_id == team_id,
            Recovery.cause.is_not(None),
            Recovery.opened_on >= since,
        )
        .group_by(Recovery.cause)
        .having(func.count() > 1)
        .order_by(func.count().desc(), Recovery.cause)
    ).all()
    return [(str(cause), int(n)) for cause, n in rows]


def _event(
    session: Session,
    recovery: Recovery,
    before: RecoveryStatus | None,
    after: RecoveryStatus,
    user_id: str,
    now: datetime,
    *,
    kind: EventKind = EventKind.STATUS,
    note: str | None = None,
) -> None:
    session.add(
        RecoveryEvent(
            team_id=recovery.team_id,
            recovery_id=recovery.id,
            from_status=before.value if before else None,
            to_status=after.value,
            user_id=user_id,
            at=now,
            kind=kind.value,
            note=note,
        )
    )
