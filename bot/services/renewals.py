"""Recording an account's renewal date and scheduling the follow-up that comes back before it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.followups import Due, FollowupSource, FollowupStatus, working_due
from bot.domain.renewals import RenewalRequest, come_back_on
from bot.domain.schedule import WorkCalendar
from bot.models import Account, Followup, Renewal
from bot.services import followups


@dataclass(frozen=True)
class Recorded:
    renewal: Renewal
    due: Due
    moved: bool  # the account had this kind of date already: it (and its follow-up) moved


def record(
    session: Session,
    account: Account,
    request: RenewalRequest,
    *,
    user_id: str,
    note: str,
    now: datetime,
    today: date,
    calendar: WorkCalendar,
) -> Recorded:
    """One date per kind and account: recording the lease end again moves it and its follow-up. The
    caller holds the account's lock (`services.accounts.lock`), so two at once cannot both insert."""
    asked = come_back_on(request.ends_on, request.lead_months, today)
    due = working_due(asked, today, calendar)
    renewal = session.scalar(
        select(Renewal).where(
            Renewal.team_id == account.team_id,
            Renewal.account_id == account.id,
            Renewal.kind == request.kind.value,
        )
    )
    moved = renewal is not None
    if renewal is None:
        renewal = Renewal(
            team_id=account.team_id,
            account_id=account.id,
            kind=request.kind.value,
            created_by=user_id,
            created_at=now,
        )
        session.add(renewal)
    renewal.ends_on = request.ends_on
    renewal.lead_months = request.lead_months
    followup = _open_followup(session, renewal)
    if followup is None:
        followup = followups.schedule(
            session,
            account,
            user_id=account.owner_id,
            created_by=user_id,
            due_on=due.on,
            note=note,
            source=FollowupSource.RENEWAL.value,
            now=now,
        )
    else:
        followup.due_on, followup.note = due.on, note
    session.flush()
    renewal.followup_id = followup.id
    return Recorded(renewal=renewal, due=due, moved=moved)


def _open_followup(session: Session, renewal: Renewal) -> Followup | None:
    if renewal.followup_id is None:
        return None
    return session.scalar(
        select(Followup)
        .where(
            Followup.team_id == renewal.team_id,
            Followup.id == renewal.followup_id,
            Followup.status == FollowupStatus.OPEN.value,
        )
        .with_for_update()
    )


def renewals_of(session: Session, team_id: str, account_id: int) -> list[Renewal]:
    return list(
        session.scalars(
            select(Renewal)
            .where(Renewal.team_id == team_id, Renewal.account_id == account_id)
            .order_by(Renewal.ends_on)
        )
    )
