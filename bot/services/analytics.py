"""The numbers behind `/pyramid` and the weekly summary, read with bounded, indexed queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.analytics import (
    ACTIVE_WITHIN_DAYS,
    CONVERSION_WINDOW_DAYS,
    RETENTION_AFTER_DAYS,
    Retention,
    StageMove,
    conversion,
    flows,
    median_days_in_stage,
    trend,
)
from bot.domain.pyramid import Distribution
from bot.domain.stages import LADDER, Stage, Step
from bot.models import Account, StepChange
from bot.services import snapshots

CUSTOMER_STEPS = [step.value for step in LADDER if step.stage.value >= Stage.CUSTOMER.value]


@dataclass(frozen=True)
class Analytics:
    week: dict[Stage, int] | None  # change against 7 days ago
    month: dict[Stage, int] | None  # change against 30 days ago
    conversion: dict[Stage, float | None]
    median_days: dict[Stage, float | None]
    retention: Retention


def analytics_for(
    session: Session, team_id: str, owner_id: str | None, dist: Distribution, today: date
) -> Analytics:
    now = dist.by_stage
    since = today - timedelta(days=CONVERSION_WINDOW_DAYS)
    moves = _moves_since(session, team_id, owner_id, since)
    created = _created_since(session, team_id, owner_id, since)
    return Analytics(
        week=trend(now, snapshots.counts_on(session, team_id, owner_id, today - timedelta(days=7))),
        month=trend(now, snapshots.counts_on(session, team_id, owner_id, today - timedelta(days=30))),
        conversion=conversion(now, flows(moves, created)),
        median_days=_median_days(session, team_id, {move.account_id for move in moves}, since),
        retention=_retention(session, team_id, owner_id, today),
    )


def _moves_since(session: Session, team_id: str, owner_id: str | None, since: date) -> list[StageMove]:
    # changed_on is the rep's local date; the UTC bound (a day early) only lets the index narrow the scan.
    start = datetime.combine(since - timedelta(days=1), time(0), tzinfo=UTC)
    statement = (
        select(
            StepChange.account_id,
            StepChange.from_step,
            StepChange.to_step,
            StepChange.changed_on,
            StepChange.reason,
        )
        .join(Account, Account.id == StepChange.account_id)
        .where(StepChange.team_id == team_id, StepChange.changed_at >= start, StepChange.changed_on >= since)
    )
    if owner_id is not None:
        statement = statement.where(Account.owner_id == owner_id)
    rows = session.execute(statement).all()
    return [
        StageMove(account_id, Step(before) if before else None, Step(after), on, imported=reason == "import")
        for account_id, before, after, on, reason in rows
    ]


def _created_since(session: Session, team_id: str, owner_id: str | None, since: date) -> int:
    statement = (
        select(func.count())
        .select_from(Account)
        .where(Account.team_id == team_id, Account.created_on >= since)
    )
    if owner_id is not None:
        statement = statement.where(Account.owner_id == owner_id)
    return session.scalar(statement) or 0


def _median_days(
    session: Session, team_id: str, account_ids: set[int], since: date
) -> dict[Stage, float | None]:
    """The full step history of the accounts that moved in the window, read in chunks by account id
    (ordered by account first, so the account_id index serves it rather than a scan of the team)."""
    if not account_ids:
        return dict.fromkeys(Stage)
    history: dict[int, list[StageMove]] = defaultdict(list)
    created: dict[int, date] = {}
    ids = sorted(account_ids)
    for chunk in (ids[i : i + 500] for i in range(0, len(ids), 500)):
        for account_id, before, after, on, created_on in session.execute(
            select(
                StepChange.account_id,
                StepChange.from_step,
                StepChange.to_step,
                StepChange.changed_on,
                Account.created_on,
            )
            .join(Account, Account.id == StepChange.account_id)
            .where(StepChange.team_id == team_id, StepChange.account_id.in_(chunk))
            .order_by(StepChange.account_id, StepChange.changed_at, StepChange.id)
        ):
            created[account_id] = created_on
            history[account_id].append(
                StageMove(account_id, Step(before) if before else None, Step(after), on)
            )
    return median_days_in_stage(history, created, since)


def _retention(session: Session, team_id: str, owner_id: str | None, today: date) -> Retention:
    became = (
        select(StepChange.account_id, func.min(StepChange.changed_on).label("became_on"))
        .where(StepChange.team_id == team_id, StepChange.to_step.in_(CUSTOMER_STEPS))
        .group_by(StepChange.account_id)
        .subquery()
    )
    cutoff = today - timedelta(days=RETENTION_AFTER_DAYS)
    recent = today - timedelta(days=ACTIVE_WITHIN_DAYS)
    statement = (
        select(func.count(), func.count().filter(Account.last_touch_on >= recent))
        .select_from(became)
        .join(Account, Account.id == became.c.account_id)
        .where(became.c.became_on <= cutoff)
    )
    if owner_id is not None:
        statement = statement.where(Account.owner_id == owner_id)
    total, active = session.execute(statement).one()
    return Retention(customers=total or 0, active=active or 0)
