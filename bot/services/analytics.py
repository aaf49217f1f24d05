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
from bot.domain.stages import LADDER, Stage
from bot.models import Account, StepChange
from bot.services import snapshots

CUSTOMER_STEPS = [step.value for step in LADDER if step.stage.value >= Stage.CUSTOMER.value]
_STEPS = {step.value: step for step in LADDER}


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
    moves, history, created_on = _window_histories(session, team_id, owner_id, since)
    return Analytics(
        week=trend(now, snapshots.counts_on(session, team_id, owner_id, today - timedelta(days=7))),
        month=trend(now, snapshots.counts_on(session, team_id, owner_id, today - timedelta(days=30))),
        conversion=conversion(now, flows(moves, _created_since(session, team_id, owner_id, since))),
        median_days=median_days_in_stage(history, created_on, since),
        retention=_retention(session, team_id, owner_id, today),
    )


def _window_histories(
    session: Session, team_id: str, owner_id: str | None, since: date
) -> tuple[list[StageMove], dict[int, list[StageMove]], dict[int, date]]:
    """In one query: the whole step history of every account that changed step in the window (for the
    time spent in each stage), from which the window's own moves are picked (for the conversion).
    Ordered by account first so that the (team_id, account_id) index serves it."""
    # changed_on is the rep's local date; the UTC bound (a day early) only lets the index narrow the scan.
    start = datetime.combine(since - timedelta(days=1), time(0), tzinfo=UTC)
    moved = select(StepChange.account_id).where(
        StepChange.team_id == team_id, StepChange.changed_at >= start, StepChange.changed_on >= since
    )
    statement = (
        select(
            StepChange.account_id,
            StepChange.from_step,
            StepChange.to_step,
            StepChange.changed_on,
            StepChange.reason,
            Account.created_on,
        )
        .join(Account, Account.id == StepChange.account_id)
        .where(StepChange.team_id == team_id, StepChange.account_id.in_(moved))
        .order_by(StepChange.account_id, StepChange.changed_at, StepChange.id)
    )
    if owner_id is not None:
        statement = statement.where(Account.owner_id == owner_id)
    moves: list[StageMove] = []
    history: dict[int, list[StageMove]] = defaultdict(list)
    created_on: dict[int, date] = {}
    for account_id, before, after, on, reason, created in session.execute(statement):
        move = StageMove(
            account_id, _STEPS[before] if before else None, _STEPS[after], on, reason == "import"
        )
        history[account_id].append(move)
        created_on[account_id] = created
        if on >= since:
            moves.append(move)
    return moves, history, created_on


def _created_since(session: Session, team_id: str, owner_id: str | None, since: date) -> int:
    statement = (
        select(func.count())
        .select_from(Account)
        .where(Account.team_id == team_id, Account.created_on >= since)
    )
    if owner_id is not None:
        statement = statement.where(Account.owner_id == owner_id)
    return session.scalar(statement) or 0


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
