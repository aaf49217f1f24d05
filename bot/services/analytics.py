"""The numbers behind `/pyramid` and the weekly summary, read with bounded, indexed queries.

Conversion, time in stage and retention read history. The daily snapshot job stores them per team and
owner (`write_figures`, table pyramid_figures) together with the highest step change and account ids it
saw; `/pyramid` then reads that row and adds only what was recorded since (ids above those), so a call
costs the live distribution, the snapshots for the trends, and a bounded read. With no row for today
(before the day's job, or a team that never had one) the figures are computed from history as before."""

from __future__ import annotations

import functools
import json
import threading
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from bot.domain.analytics import (
    Flows,
    Retention,
    Spans,
    StageMove,
    add_flows,
    add_spans,
    conversion,
    conversion_since,
    flows,
    medians,
    retention_cutoffs,
    stage_spans,
    trend,
    trend_days,
)
from bot.domain.health import RETENTION_YEARS, Flow, RetentionPoint
from bot.domain.pyramid import Distribution
from bot.domain.revenue import Revenue
from bot.domain.stages import LADDER, Stage, StepReason
from bot.domain.status import DEFAULT_DORMANT_RULES, DormantRules
from bot.models import Account, AccountEvent, PyramidFigures, StepChange
from bot.services import flow as flow_figures
from bot.services import revenue as revenue_figures
from bot.services import snapshots

CUSTOMER_STEPS = [step.value for step in LADDER if step.stage.is_customer]
_STEPS = {step.value: step for step in LADDER}
TEAM = snapshots.TEAM


# Per process, each (team, owner, day)'s figures as far as every id is known to be settled: the next call
# reads only what was recorded after. Keyed by day, as the window moves at midnight; a fresher stored row
# (the snapshot job's) takes over.
_cache: dict[tuple[str, str, date, str], Figures] = {}
_cache_lock = threading.Lock()
_CACHE_SIZE = 4096
# The stored rows are recomputed when this many step changes (in any team) came after them, so that a
# process with a cold cache never has a whole day of changes to add up.
REFRESH_AFTER_CHANGES = 1000


@dataclass(frozen=True)
class Analytics:
    week: dict[Stage, int] | None  # change against TREND_WEEK_DAYS ago
    month: dict[Stage, int] | None  # change against TREND_MONTH_DAYS ago
    conversion: dict[Stage, float | None]
    median_days: dict[Stage, float | None]
    retention: Retention
    # The flow behind the health rule and the revenue beside the counts (issue 11); None: not read.
    flow: Flow | None = None
    revenue: Revenue | None = None
    # When retention (here and in the flow) was counted: None when counted just now; a datetime (UTC,
    # or the team's zone once the use case has put it there) or, for a row stored without one, its day.
    retention_as_of: datetime | date | None = None
    # Likewise for the accounts going dormant in the flow (stored by the job at every tick).
    dormant_as_of: datetime | date | None = None
    # Not shown: the database state the team's revenue was read live in (None: read as stored), so that
    # the use case stores it after the answer (revenue.store_revenue) for the next reader, on any replica.
    revenue_state: list[object] | None = None


@dataclass(frozen=True)
class Figures:
    """What conversion, time in stage and retention need from history, for the window starting `since`,
    counting the step changes up to `last_change_id` and the accounts up to `last_account_id`."""

    since: date
    last_change_id: int
    last_account_id: int
    window: Flows  # the window's moves, accounts created in it included
    spans: Spans
    retention: Retention
    token: str = ""  # which stored rows these come from (one per write)
    # Retention after 1, 2 and 3 years (RETENTION_YEARS); () in a row stored before they were kept.
    retention_years: tuple[Retention, ...] = ()
    # The highest account event counted: a merge after it moved step changes between accounts in place
    # (services/managing.merge), which no id after last_change_id shows.
    last_event_id: int = 0
    computed_at: datetime | None = None  # when the job stored them (None: not said)


def analytics_for(
    session: Session,
    team_id: str,
    owner_id: str | None,
    dist: Distribution,
    today: date,
    rules: DormantRules = DEFAULT_DORMANT_RULES,
) -> Analytics:
    now = dist.by_stage
    since = conversion_since(today)
    week_ago, month_ago = trend_days(today)
    figures = stored_figures(session, team_id, owner_id, today)
    as_of: datetime | date | None = None
    if figures is not None and merged_since(session, team_id, figures.last_event_id):
        figures = None  # until the job stores them again (its next tick)
    if figures is None:
        figures = _figures_from_history(session, team_id, owner_id, since, today)
    else:
        as_of = figures.computed_at or today
        # Only what was derived from this very row: a refreshed row (or another database) has a new token.
        key = (team_id, owner_id or TEAM, today, figures.token)
        with _cache_lock:
            figures = _cache.get(key, figures)
        figures, settled = _brought_up_to_date(session, team_id, owner_id, figures)
        with _cache_lock:
            if len(_cache) >= _CACHE_SIZE:
                _cache.clear()
            _cache[key] = settled
    years = figures.retention_years or retention_years(session, team_id, owner_id, today)
    dormant = flow_figures.stored_dormant(session, team_id, owner_id, today, rules)
    revenue, revenue_state = revenue_figures.revenue_and_state(session, team_id, owner_id, today)
    return Analytics(
        week=trend(now, snapshots.counts_on(session, team_id, owner_id, week_ago)),
        month=trend(now, snapshots.counts_on(session, team_id, owner_id, month_ago)),
        conversion=conversion(now, figures.window),
        median_days=medians(figures.spans),
        retention=figures.retention,
        flow=flow_figures.flow_for(
            session,
            team_id,
            owner_id,
            today,
            rules=rules,
            retention=retention_points(years),
            dormant_by_day=dormant.by_day if dormant else None,
        ),
        revenue=revenue,
        retention_as_of=as_of,
        dormant_as_of=(dormant.counted_at or today) if dormant else None,
        revenue_state=revenue_state,
    )


MERGE_EVENT = "merge"  # account_events.kind of a merge (services/managing.merge)


def merged_since(session: Session, team_id: str, last_event_id: int) -> bool:
    """Whether the team had a merge recorded after `last_event_id`. Read by primary key range (few
    events come between two stores), the team and kind checked on those rows only."""
    teams = session.scalars(
        select(AccountEvent.team_id)
        .where(AccountEvent.id > last_event_id, AccountEvent.kind == MERGE_EVENT)
        .order_by(AccountEvent.id)
    )
    return team_id in set(teams)


def flow_of(session: Session, team_id: str, owner_id: str | None, today: date, rules: DormantRules) -> Flow:
    """The flow alone (the App Home's health line), retention from the day's stored figures if any."""
    stored = stored_figures(session, team_id, owner_id, today)
    years = (stored.retention_years if stored else ()) or retention_years(session, team_id, owner_id, today)
    return flow_figures.flow_for(
        session, team_id, owner_id, today, rules=rules, retention=retention_points(years)
    )


def retention_points(years: tuple[Retention, ...]) -> tuple[RetentionPoint, ...]:
    """Retention after 1, 2 and 3 years as the health rule takes it."""
    return tuple(
        RetentionPoint(years=n, customers=part.customers, active=part.active)
        for n, part in zip(RETENTION_YEARS, years, strict=False)
    )


def _figures_from_history(
    session: Session, team_id: str, owner_id: str | None, since: date, today: date
) -> Figures:
    moves, history, created_on = _window_histories(session, team_id, owner_id, since)
    years = retention_years(session, team_id, owner_id, today)
    return Figures(
        since=since,
        last_change_id=0,
        last_account_id=0,
        window=flows(moves, _created_since(session, team_id, owner_id, since)),
        spans=stage_spans(history, created_on, since),
        retention=years[0],
        retention_years=years,
    )


# --------------------------------------------------------------------------------------------- stored


def write_figures(session: Session, team_id: str, day: date, now: datetime | None = None) -> int:
    """The day's figures for the team and each owner with any (the snapshot job, every tick, `now`).
    Nothing if the day's are there, less than REFRESH_AFTER_CHANGES step changes old and with no merge
    after them; earlier rows are deleted. Returns the rows written."""
    # Everything up to these ids is counted here; `/pyramid` adds what comes after.
    last_change_id = session.scalar(select(func.max(StepChange.id))) or 0
    last_account_id = session.scalar(select(func.max(Account.id))) or 0
    last_event_id = session.scalar(select(func.max(AccountEvent.id))) or 0
    stored = stored_figures(session, team_id, None, day)
    if (
        stored is not None
        and last_change_id - stored.last_change_id < REFRESH_AFTER_CHANGES
        and not merged_since(session, team_id, stored.last_event_id)
    ):
        return 0
    session.execute(
        delete(PyramidFigures).where(
            PyramidFigures.team_id == team_id,
            PyramidFigures.day <= day,
            PyramidFigures.owner_id.not_in([revenue_figures.STORED_OWNER, flow_figures.STORED_OWNER]),
        )
    )
    since = conversion_since(day)
    token = uuid.uuid4().hex
    owners_moves: dict[str, list[StageMove]] = defaultdict(list)
    owners_history: dict[str, dict[int, list[StageMove]]] = defaultdict(lambda: defaultdict(list))
    created_on: dict[int, date] = {}
    for owner, move, created in _history_rows(
        session, team_id, None, since=since, up_to=last_change_id, with_owner=True
    ):
        owners_history[owner][move.account_id].append(move)
        created_on[move.account_id] = created
        if move.on >= since:
            owners_moves[owner].append(move)
    created_by_owner = dict(
        session.execute(
            select(Account.owner_id, func.count())
            .where(Account.team_id == team_id, Account.created_on >= since, Account.id <= last_account_id)
            .group_by(Account.owner_id)
        ).all()
    )
    retention_by_owner = _retention_by_owner(session, team_id, day)
    owners = set(owners_history) | set(created_by_owner) | set(retention_by_owner)
    rows: dict[str, Figures] = {
        owner: Figures(
            since=since,
            last_change_id=last_change_id,
            last_account_id=last_account_id,
            window=flows(owners_moves[owner], created_by_owner.get(owner, 0)),
            spans=stage_spans(owners_history[owner], created_on, since),
            retention=retention_by_owner.get(owner, _NO_RETENTION)[0],
            token=token,
            retention_years=retention_by_owner.get(owner, _NO_RETENTION),
            last_event_id=last_event_id,
            computed_at=now,
        )
        for owner in owners
    }
    parts = list(rows.values())
    rows[TEAM] = Figures(
        since=since,
        last_change_id=last_change_id,
        last_account_id=last_account_id,
        window=add_flows(flows([], 0), *(part.window for part in parts)),
        spans=add_spans(*(part.spans for part in parts)),
        retention=Retention(
            customers=sum(part.retention.customers for part in parts),
            active=sum(part.retention.active for part in parts),
        ),
        token=token,
        retention_years=tuple(
            Retention(
                customers=sum(part.retention_years[index].customers for part in parts),
                active=sum(part.retention_years[index].active for part in parts),
            )
            for index in range(len(RETENTION_YEARS))
        ),
        last_event_id=last_event_id,
        computed_at=now,
    )
    session.add_all(
        PyramidFigures(team_id=team_id, owner_id=owner, day=day, figures=json.dumps(_to_json(figures)))
        for owner, figures in rows.items()
    )
    return len(rows)


def stored_figures(session: Session, team_id: str, owner_id: str | None, day: date) -> Figures | None:
    """The day's stored figures; None if the daily job has not stored the team's yet. An owner with no
    row of their own that day had nothing to count then."""
    owner = owner_id or TEAM
    rows = dict(
        session.execute(
            select(PyramidFigures.owner_id, PyramidFigures.figures).where(
                PyramidFigures.team_id == team_id,
                PyramidFigures.day == day,
                PyramidFigures.owner_id.in_({TEAM, owner}),
            )
        ).all()
    )
    if TEAM not in rows:
        return None
    if owner in rows:
        return _parsed(rows[owner])
    team = _parsed(rows[TEAM])
    return Figures(
        since=team.since,
        last_change_id=team.last_change_id,
        last_account_id=team.last_account_id,
        window=flows([], 0),
        spans=add_spans(),
        retention=Retention(0, 0),
        token=team.token,
        retention_years=_NO_RETENTION,
        last_event_id=team.last_event_id,
        computed_at=team.computed_at,
    )


def _brought_up_to_date(
    session: Session, team_id: str, owner_id: str | None, base: Figures
) -> tuple[Figures, Figures]:
    """`base` plus the step changes and accounts recorded after it: (up to now, up to the last id below
    which none is missing). A changed account's time in stage is recounted over its history, less what
    its shorter history counted. Ids are read by primary key alone (a team or date condition would let
    the planner prefer an index over all of the team's history)."""
    since = base.since
    changes = session.execute(
        select(StepChange.id, StepChange.team_id, StepChange.account_id)
        .where(StepChange.id > base.last_change_id)
        .order_by(StepChange.id)
    ).all()
    accounts = session.execute(
        select(Account.id, Account.team_id, Account.owner_id, Account.created_on)
        .where(Account.id > base.last_account_id)
        .order_by(Account.id)
    ).all()
    # A missing id may be a transaction still under way (PostgreSQL hands out ids before commit): what
    # lies beyond it is counted now but not kept as settled, so that it is counted again next time.
    settled_change = _before_gap(base.last_change_id, [row[0] for row in changes])
    settled_account = _before_gap(base.last_account_id, [row[0] for row in accounts])
    changed = sorted({account_id for _id, team, account_id in changes if team == team_id})
    history: dict[int, list[tuple[int, StageMove]]] = defaultdict(list)
    created_on: dict[int, date] = {}
    for start in range(0, len(changed), _CHUNK):
        for change_id, move, created in _histories(
            session, team_id, owner_id, changed[start : start + _CHUNK]
        ):
            history[move.account_id].append((change_id, move))
            created_on[move.account_id] = created

    def up_to(last: int) -> dict[int, list[StageMove]]:
        return {account: [m for i, m in moves if i <= last] for account, moves in history.items()}

    def moves_between(low: int, high: int) -> list[StageMove]:
        return [m for moves in history.values() for i, m in moves if low < i <= high and m.on >= since]

    def created_between(low: int, high: int) -> int:
        return sum(
            1
            for account_id, team, owner, created in accounts
            if low < account_id <= high
            and team == team_id
            and created >= since
            and (owner_id is None or owner == owner_id)
        )

    latest_change = changes[-1][0] if changes else base.last_change_id
    latest_account = accounts[-1][0] if accounts else base.last_account_id
    at_base, at_settled, at_latest = (
        stage_spans(up_to(last), created_on, since)
        for last in (base.last_change_id, settled_change, latest_change)
    )
    settled = Figures(
        since=since,
        last_change_id=settled_change,
        last_account_id=settled_account,
        window=add_flows(
            base.window,
            flows(
                moves_between(base.last_change_id, settled_change),
                created_between(base.last_account_id, settled_account),
            ),
        ),
        spans=_difference(add_spans(base.spans, at_settled), at_base),
        retention=base.retention,
        token=base.token,
        retention_years=base.retention_years,
        last_event_id=base.last_event_id,
        computed_at=base.computed_at,
    )
    current = Figures(
        since=since,
        last_change_id=latest_change,
        last_account_id=latest_account,
        window=add_flows(
            settled.window,
            flows(
                moves_between(settled_change, latest_change),
                created_between(settled_account, latest_account),
            ),
        ),
        spans=_difference(add_spans(settled.spans, at_latest), at_settled),
        retention=base.retention,
        token=base.token,
        retention_years=base.retention_years,
        last_event_id=base.last_event_id,
        computed_at=base.computed_at,
    )
    return current, settled


_CHUNK = 500


def _before_gap(last: int, ids: list[int]) -> int:
    """The highest id up to which every id after `last` is there (`ids` ascending)."""
    for expected, found in enumerate(ids, start=last + 1):
        if found != expected:
            return expected - 1
    return last + len(ids)


def _difference(total: Spans, less: Spans) -> Spans:
    for stage, counts in less.items():
        total[stage].subtract(counts)
    return total


def _histories(
    session: Session, team_id: str, owner_id: str | None, account_ids: list[int]
) -> list[tuple[int, StageMove, date]]:
    """The whole step history of these accounts, oldest first."""
    statement = (
        select(
            StepChange.id,
            StepChange.account_id,
            StepChange.from_step,
            StepChange.to_step,
            StepChange.changed_on,
            StepChange.reason,
            Account.created_on,
        )
        .join(Account, Account.id == StepChange.account_id)
        .where(StepChange.team_id == team_id, StepChange.account_id.in_(account_ids))
        .order_by(StepChange.account_id, StepChange.changed_at, StepChange.id)
    )
    if owner_id is not None:
        statement = statement.where(Account.owner_id == owner_id)
    return [
        (change_id, _move(account_id, before, after, on, reason), created)
        for change_id, account_id, before, after, on, reason, created in session.execute(statement)
    ]


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> Figures:
    """The figures of a stored row, parsed once per process (a row is rewritten, never changed in place;
    nothing changes the Figures it gives)."""
    return _from_json(json.loads(text))


def _to_json(figures: Figures) -> dict[str, Any]:
    return {
        "since": figures.since.isoformat(),
        "last_change_id": figures.last_change_id,
        "last_account_id": figures.last_account_id,
        "entered": [figures.window.entered[stage] for stage in Stage],
        "crossed": [figures.window.crossed[stage] for stage in Stage],
        "moved_by_import": [figures.window.moved_by_import[stage] for stage in Stage],
        "spans": [sorted(figures.spans[stage].items()) for stage in Stage],
        "retention": [figures.retention.customers, figures.retention.active],
        "retention_years": [[part.customers, part.active] for part in figures.retention_years],
        "token": figures.token,
        "last_event_id": figures.last_event_id,
        "computed_at": figures.computed_at.isoformat() if figures.computed_at else None,
    }


def _from_json(data: dict[str, Any]) -> Figures:
    stages = list(Stage)
    return Figures(
        since=date.fromisoformat(data["since"]),
        last_change_id=int(data["last_change_id"]),
        last_account_id=int(data["last_account_id"]),
        window=Flows(
            entered=dict(zip(stages, data["entered"], strict=True)),
            crossed=dict(zip(stages, data["crossed"], strict=True)),
            moved_by_import=dict(zip(stages, data["moved_by_import"], strict=True)),
        ),
        spans={
            stage: Counter({int(days): int(count) for days, count in pairs})
            for stage, pairs in zip(stages, data["spans"], strict=True)
        },
        retention=Retention(customers=int(data["retention"][0]), active=int(data["retention"][1])),
        token=str(data.get("token", "")),
        retention_years=tuple(
            Retention(customers=int(total), active=int(active))
            for total, active in data.get("retention_years", [])
        ),
        last_event_id=int(data.get("last_event_id") or 0),
        computed_at=datetime.fromisoformat(data["computed_at"]) if data.get("computed_at") else None,
    )


# --------------------------------------------------------------------------------------------- history


def _move(account_id: int, before: str | None, after: str, on: date, reason: str) -> StageMove:
    return StageMove(
        account_id, _STEPS[before] if before else None, _STEPS[after], on, reason == StepReason.IMPORT
    )


def _history_rows(
    session: Session, team_id: str, owner_id: str | None, *, since: date, up_to: int | None, with_owner: bool
) -> list[tuple[str, StageMove, date]]:
    """In one query: the whole step history of every account that changed step in the window (for the
    time spent in each stage); the caller picks the window's own moves (for the conversion). Ordered by
    account first so that the (team_id, account_id) index serves it."""
    # changed_on is the rep's local date; the UTC bound (a day early) only lets the index narrow the scan.
    start = datetime.combine(since - timedelta(days=1), time(0), tzinfo=UTC)
    moved = select(StepChange.account_id).where(
        StepChange.team_id == team_id, StepChange.changed_at >= start, StepChange.changed_on >= since
    )
    if up_to is not None:
        moved = moved.where(StepChange.id <= up_to)
    statement = (
        select(
            StepChange.account_id,
            StepChange.from_step,
            StepChange.to_step,
            StepChange.changed_on,
            StepChange.reason,
            Account.created_on,
            Account.owner_id if with_owner else Account.team_id,
        )
        .join(Account, Account.id == StepChange.account_id)
        .where(StepChange.team_id == team_id, StepChange.account_id.in_(moved))
        .order_by(StepChange.account_id, StepChange.changed_at, StepChange.id)
    )
    if up_to is not None:
        statement = statement.where(StepChange.id <= up_to)
    if owner_id is not None:
        statement = statement.where(Account.owner_id == owner_id)
    return [
        (owner, _move(account_id, before, after, on, reason), created)
        for account_id, before, after, on, reason, created, owner in session.execute(statement)
    ]


def _window_histories(
    session: Session, team_id: str, owner_id: str | None, since: date
) -> tuple[list[StageMove], dict[int, list[StageMove]], dict[int, date]]:
    moves: list[StageMove] = []
    history: dict[int, list[StageMove]] = defaultdict(list)
    created_on: dict[int, date] = {}
    for _owner, move, created in _history_rows(
        session, team_id, owner_id, since=since, up_to=None, with_owner=False
    ):
        history[move.account_id].append(move)
        created_on[move.account_id] = created
        if move.on >= since:
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


_NO_RETENTION: tuple[Retention, ...] = tuple(Retention(0, 0) for _ in RETENTION_YEARS)


def retention_years(
    session: Session, team_id: str, owner_id: str | None, today: date
) -> tuple[Retention, ...]:
    """Retention after 1, 2 and 3 years (RETENTION_YEARS), in one query."""
    statement = _retention_statement(team_id, today)
    if owner_id is not None:
        statement = statement.where(Account.owner_id == owner_id)
    return _retention_row(tuple(session.execute(statement).one()))


def _retention_by_owner(session: Session, team_id: str, today: date) -> dict[str, tuple[Retention, ...]]:
    statement = _retention_statement(team_id, today).add_columns(Account.owner_id).group_by(Account.owner_id)
    return {row[-1]: _retention_row(tuple(row[:-1])) for row in session.execute(statement)}


def _retention_row(row: tuple[Any, ...]) -> tuple[Retention, ...]:
    """(customers, active) per horizon, as `_retention_statement` lists them."""
    return tuple(
        Retention(customers=int(row[2 * index] or 0), active=int(row[2 * index + 1] or 0))
        for index in range(len(RETENTION_YEARS))
    )


def _retention_statement(team_id: str, today: date) -> Select[*tuple[Any, ...]]:
    """Per horizon of RETENTION_YEARS: customers for that long, and of them those touched lately. The
    first horizon's cutoff bounds the scan (the others are older)."""
    became = (
        select(StepChange.account_id, func.min(StepChange.changed_on).label("became_on"))
        .where(StepChange.team_id == team_id, StepChange.to_step.in_(CUSTOMER_STEPS))
        .group_by(StepChange.account_id)
        .subquery()
    )
    columns = []
    for years in RETENTION_YEARS:
        cutoff, recent = retention_cutoffs(today, years)
        old_enough = became.c.became_on <= cutoff
        columns += [
            func.count().filter(old_enough),
            func.count().filter(old_enough, Account.last_touch_on >= recent),
        ]
    first_cutoff, _recent = retention_cutoffs(today, RETENTION_YEARS[0])
    return (
        select(*columns)
        .select_from(became)
        .join(Account, Account.id == became.c.account_id)
        .where(became.c.became_on <= first_cutoff)
    )
