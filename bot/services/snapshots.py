"""Daily snapshots of the pyramid (per team and per owner), and their one-time backfill from history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.analytics import SNAPSHOT_NEAREST_DAYS, AccountLife, replay
from bot.domain.stages import Stage, Step
from bot.domain.status import DEFAULT_DORMANT_RULES, DormantRules
from bot.models import Account, PyramidSnapshot, StepChange
from bot.services.status import in_pyramid

TEAM = ""  # owner_id of the whole team's rows


def has_snapshot(session: Session, team_id: str, day: date) -> bool:
    found = session.scalar(
        select(PyramidSnapshot.id)
        .where(
            PyramidSnapshot.team_id == team_id, PyramidSnapshot.owner_id == TEAM, PyramidSnapshot.day == day
        )
        .limit(1)
    )
    return found is not None


def write_snapshot(
    session: Session,
    team_id: str,
    day: date,
    rules: DormantRules = DEFAULT_DORMANT_RULES,
    now: datetime | None = None,
) -> int:
    """Today's rows from the live distribution (active accounts only, as the pyramid counts them, so the
    trend compares like with like); nothing if the day is already there. Returns rows written.
    Also stores the team's revenue when anything changed since it was stored, the day's `/pyramid`
    figures (conversion, time in stage, retention) if not there yet or out of date, and the accounts
    going dormant (every time); `now`: when."""
    # analytics reads the snapshots, so it is imported here rather than at the top.
    from bot.services.analytics import write_figures
    from bot.services.flow import write_dormant
    from bot.services.revenue import write_revenue

    write_revenue(session, team_id, day)  # first: before this transaction writes anything
    write_figures(session, team_id, day, now=now)
    write_dormant(session, team_id, day, rules, now)
    if has_snapshot(session, team_id, day):
        return 0
    rows = session.execute(
        select(Account.owner_id, Account.step, func.count())
        .where(Account.team_id == team_id, in_pyramid(day, rules))
        .group_by(Account.owner_id, Account.step)
    ).all()
    counts: dict[tuple[str, Stage], int] = defaultdict(int)
    for owner_id, step, count in rows:
        stage = Step(step).stage
        counts[(TEAM, stage)] += count
        counts[(owner_id, stage)] += count
    return _add_rows(session, team_id, day, {TEAM} | {owner for owner, _ in counts}, counts)


def backfill(session: Session, team_id: str, today: date) -> int:
    """Rows for every day between the team's first account and its first snapshot (or today), rebuilt
    from the step changes. Runs once in effect: afterwards the first snapshot is the first day."""
    first_account = session.scalar(select(func.min(Account.created_on)).where(Account.team_id == team_id))
    if first_account is None:
        return 0
    first_snapshot = session.scalar(
        select(func.min(PyramidSnapshot.day)).where(
            PyramidSnapshot.team_id == team_id, PyramidSnapshot.owner_id == TEAM
        )
    )
    last_day = (first_snapshot or today) - timedelta(days=1)
    if last_day < first_account:
        return 0
    changes: dict[int, list[tuple[date, Step]]] = defaultdict(list)
    for account_id, changed_on, to_step in session.execute(
        select(StepChange.account_id, StepChange.changed_on, StepChange.to_step)
        .where(StepChange.team_id == team_id)
        .order_by(StepChange.account_id, StepChange.changed_at, StepChange.id)
    ):
        changes[account_id].append((changed_on, Step(to_step)))
    lives = [
        AccountLife(account_id, owner_id, created_on, tuple(changes.get(account_id, ())))
        for account_id, owner_id, created_on in session.execute(
            select(Account.id, Account.owner_id, Account.created_on).where(Account.team_id == team_id)
        )
    ]
    owners = {TEAM} | {life.owner_id for life in lives}
    return sum(
        _add_rows(session, team_id, day, owners, counts)
        for day, counts in replay(lives, first_account, last_day).items()
    )


def _add_rows(
    session: Session, team_id: str, day: date, owners: set[str], counts: Mapping[tuple[str, Stage], int]
) -> int:
    """Every stage of every owner, zeros included, so a missing row never reads as "no snapshot"."""
    session.add_all(
        PyramidSnapshot(
            team_id=team_id, owner_id=owner, day=day, stage=stage.value, count=counts.get((owner, stage), 0)
        )
        for owner in owners
        for stage in Stage
    )
    return len(owners) * len(Stage)


def counts_on(session: Session, team_id: str, owner_id: str | None, day: date) -> dict[Stage, int] | None:
    """The snapshot of `day` (or the nearest earlier one less than SNAPSHOT_NEAREST_DAYS older), None if
    there is none. One statement: the team's rows say whether that day was snapshotted, the owner's give
    the counts."""
    owner = owner_id or TEAM
    nearest = (
        select(func.max(PyramidSnapshot.day))
        .where(
            PyramidSnapshot.team_id == team_id,
            PyramidSnapshot.owner_id == TEAM,
            PyramidSnapshot.day <= day,
            PyramidSnapshot.day > day - timedelta(days=SNAPSHOT_NEAREST_DAYS),
        )
        .scalar_subquery()
    )
    rows = session.execute(
        select(PyramidSnapshot.owner_id, PyramidSnapshot.stage, PyramidSnapshot.count).where(
            PyramidSnapshot.team_id == team_id,
            PyramidSnapshot.owner_id.in_({TEAM, owner}),
            PyramidSnapshot.day == nearest,
        )
    ).all()
    if not rows:
        return None
    # An owner with no row that day had no accounts then.
    return {Stage(stage): count for who, stage, count in rows if who == owner} or dict.fromkeys(Stage, 0)
