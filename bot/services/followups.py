"""Follow-ups: scheduled by hand, or by the method (after a sale, a lost deal's revisit date, a failure)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.activities import ActivityKind
from bot.domain.followups import FollowupStatus, closed_by, snoozed_until, working_due
from bot.domain.schedule import WorkCalendar
from bot.models import Account, Activity, Followup
from bot.services.errors import UserFacingError


@dataclass(frozen=True)
class AutoFollowups:
    """Which follow-ups the method schedules by itself (each can be turned off in settings)."""

    after_sale: bool = True
    revisit: bool = True
    recovery: bool = True
    # The team's working days: a follow-up due on a day off moves to the next working day.
    calendar: WorkCalendar = field(default_factory=WorkCalendar, compare=False)


def schedule(
    session: Session,
    account: Account,
    *,
    user_id: str,
    created_by: str,
    due_on: date,
    note: str | None,
    source: str,
    now: datetime,
    request_key: str | None = None,
    calendar: WorkCalendar | None = None,
    today: date | None = None,
) -> Followup:
    """A new open follow-up. With the team's calendar and today, one asked for a later day off is due on
    the next working day instead (`domain.followups.working_due`; the caller compares `due_on` with what
    it asked for to say so)."""
    if calendar is not None and today is not None:
        due_on = working_due(due_on, today, calendar).on
    followup = Followup(
        team_id=account.team_id,
        account_id=account.id,
        user_id=user_id,
        created_by=created_by,
        due_on=due_on,
        note=note,
        source=source,
        status=FollowupStatus.OPEN.value,
        request_key=request_key,
        created_at=now,
    )
    session.add(followup)
    session.flush()
    return followup


def find_by_request(session: Session, team_id: str, request_key: str) -> Followup | None:
    return session.scalar(
        select(Followup).where(Followup.team_id == team_id, Followup.request_key == request_key)
    )


def get(session: Session, team_id: str, followup_id: int) -> Followup:
    """The follow-up, locked until the transaction ends: presses on it are applied one at a time."""
    followup = session.scalar(
        select(Followup)
        .where(Followup.team_id == team_id, Followup.id == followup_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if followup is None:
        raise UserFacingError("followup_gone")
    return followup


@dataclass(frozen=True)
class FollowupChange:
    followup: Followup
    account_name: str
    changed: bool  # False: it was already in that state (a second click, a stale message)
    moved_from: date | None = None  # the day picked, when it was a day off and the follow-up moved on


def complete(
    session: Session, team_id: str, followup_id: int, *, user_id: str, now: datetime
) -> FollowupChange:
    followup = get(session, team_id, followup_id)
    changed = followup.status != FollowupStatus.DONE
    if changed:
        followup.status = FollowupStatus.DONE.value
        followup.done_at = now
        followup.done_by = user_id
    return FollowupChange(followup, _account_name(session, followup), changed)


def move(
    session: Session,
    team_id: str,
    followup_id: int,
    *,
    due_on: date,
    today: date,
    user_id: str,
    snooze: bool = False,
    calendar: WorkCalendar | None = None,
) -> FollowupChange:
    """Snooze or reschedule (onto a working day); a done follow-up stays done."""
    if due_on < today:
        raise UserFacingError("past_date", date=due_on.isoformat())
    asked = due_on
    if calendar is not None:
        due_on = working_due(due_on, today, calendar).on
    followup = get(session, team_id, followup_id)
    if followup.status == FollowupStatus.DONE:
        return FollowupChange(followup, _account_name(session, followup), False)
    if snooze and followup.due_on > due_on:
        # A snooze from an old copy of the digest never pulls a later date earlier.
        return FollowupChange(followup, _account_name(session, followup), False)
    changed = followup.due_on != due_on
    followup.due_on = due_on
    moved_from = asked if asked != due_on else None
    return FollowupChange(followup, _account_name(session, followup), changed, moved_from)


def snooze_date(today: date) -> date:
    return snoozed_until(today)


def due_for(session: Session, team_id: str, user_id: str, day: date) -> list[tuple[Followup, Account]]:
    rows = session.execute(
        select(Followup, Account)
        .join(Account, Account.id == Followup.account_id)
        .where(
            Followup.team_id == team_id,
            Followup.user_id == user_id,
            Followup.status == FollowupStatus.OPEN.value,
            Followup.due_on <= day,
        )
        .order_by(Followup.due_on, Followup.id)
    ).all()
    return list(rows)


def _account_name(session: Session, followup: Followup) -> str:
    return session.scalar(select(Account.name).where(Account.id == followup.account_id)) or "?"


def close_matching(
    session: Session, account: Account, activity: Activity, *, now: datetime
) -> list[Followup]:
    """The account's open follow-ups that this touch or deal did (`domain.followups.closed_by`), marked
    done by its author. The caller holds the account's lock; each follow-up is locked too, so a Done
    pressed at the same moment is applied once."""
    candidates = session.scalars(
        select(Followup)
        .where(
            Followup.team_id == account.team_id,
            Followup.account_id == account.id,
            Followup.status == FollowupStatus.OPEN.value,
        )
        .order_by(Followup.due_on, Followup.id)
        .with_for_update()
    ).all()
    kind = ActivityKind(activity.kind)
    closed = []
    for followup in candidates:
        if closed_by(
            followup.source, followup.due_on, followup.created_at.date(), kind, activity.occurred_on
        ):
            followup.status = FollowupStatus.DONE.value
            followup.done_at = now
            followup.done_by = activity.user_id
            followup.closed_by_activity_id = activity.id
            closed.append(followup)
    return closed
