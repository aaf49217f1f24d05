"""The team's view in numbers (pure): trends, stage-to-stage conversion, time spent in each stage,
retention of customers, and the day-by-day replay used to backfill snapshots."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from bot.domain.lapse import DEFAULT_RULES
from bot.domain.stages import Stage, Step

# Conversion and time in stage look at the moves of this many days.
CONVERSION_WINDOW_DAYS = 90
RETENTION_AFTER_DAYS = 365  # "of the accounts that became customers 12 or more months ago"
# "Still active: touched in the last 90 days": a customer not yet dormant (domain.lapse).
ACTIVE_WITHIN_DAYS = DEFAULT_RULES.customer_dormant_days
# The method's reference: about half of customers are still there after a year.
RETENTION_REFERENCE = 0.5
# `/pyramid` compares the counts with those of a week and of a month ago.
TREND_WEEK_DAYS = 7
TREND_MONTH_DAYS = 30
# A missing day's snapshot is taken from the nearest earlier one less than this many days older.
SNAPSHOT_NEAREST_DAYS = 7
# The weekly summary covers the days [day - SUMMARY_WEEK_DAYS, day).
SUMMARY_WEEK_DAYS = 7


def conversion_since(today: date) -> date:
    """The first day of the conversion window that ends today."""
    return today - timedelta(days=CONVERSION_WINDOW_DAYS)


def trend_days(today: date) -> tuple[date, date]:
    """The days `/pyramid` compares with: a week ago and a month ago."""
    return today - timedelta(days=TREND_WEEK_DAYS), today - timedelta(days=TREND_MONTH_DAYS)


def summary_week_start(day: date) -> date:
    return day - timedelta(days=SUMMARY_WEEK_DAYS)


def retention_cutoffs(today: date, years: int = 1) -> tuple[date, date]:
    """(became customer on or before, touched on or after): who counts for retention after `years`
    years, and who of them is still active. `retention` and the database's query both use these."""
    return (
        today - timedelta(days=RETENTION_AFTER_DAYS * years),
        today - timedelta(days=ACTIVE_WITHIN_DAYS),
    )


StageCounts = Mapping[Stage, int]


def trend(now: StageCounts, then: StageCounts | None) -> dict[Stage, int] | None:
    """Change per stage since `then`; None when there is no snapshot that old."""
    if then is None:
        return None
    return {stage: now.get(stage, 0) - then.get(stage, 0) for stage in Stage}


@dataclass(frozen=True)
class StageMove:
    """One step change that may cross stages (from_step None: the account was created at that step)."""

    account_id: int
    before: Step | None
    after: Step
    on: date
    # An imported list states where accounts stand; that is no one's conversion.
    imported: bool = False


@dataclass(frozen=True)
class Flows:
    entered: dict[Stage, int]  # accounts that arrived in the stage (from below, created, or imported)
    crossed: dict[Stage, int]  # accounts that left the stage upwards (jumps pass through every stage)
    # Accounts that left the stage by an import, not by a conversion.
    moved_by_import: dict[Stage, int] = field(default_factory=lambda: dict.fromkeys(Stage, 0))


def flows(moves: Iterable[StageMove], created: int) -> Flows:
    entered = dict.fromkeys(Stage, 0)
    crossed = dict.fromkeys(Stage, 0)
    moved_by_import = dict.fromkeys(Stage, 0)
    entered[Stage.ACQUAINTANCE] += created
    for move in moves:
        low = move.before.stage.value if move.before else 0
        high = move.after.stage.value
        if low == high:
            continue
        if move.imported:
            if low:
                moved_by_import[Stage(low)] += 1
            entered[Stage(high)] += 1
            continue
        for stage in range(max(low, 1), high):
            crossed[Stage(stage)] += 1
        for stage in range(low + 1, high + 1):
            if stage > 1 or move.before is not None:
                entered[Stage(stage)] += 1
    return Flows(entered=entered, crossed=crossed, moved_by_import=moved_by_import)


def counts_before(now: StageCounts, window: Flows) -> dict[Stage, int]:
    """The counts at the start of the window: what is there now, less what came, plus what left."""
    return {
        stage: now.get(stage, 0)
        - window.entered[stage]
        + window.crossed[stage]
        + window.moved_by_import[stage]
        for stage in Stage
    }


def conversion(now: StageCounts, window: Flows) -> dict[Stage, float | None]:
    """Per stage 1–3: of the accounts in the stage at any time in the window, the share that moved up."""
    start = counts_before(now, window)
    result: dict[Stage, float | None] = {}
    for stage in (Stage.ACQUAINTANCE, Stage.PROSPECT, Stage.CUSTOMER):
        base = start[stage] + window.entered[stage]
        result[stage] = window.crossed[stage] / base if base > 0 else None
    return result


def median_days_in_stage(
    history: Mapping[int, list[StageMove]], created: Mapping[int, date], since: date
) -> dict[Stage, float | None]:
    """Median days between entering a stage and leaving it upwards, for departures on or after `since`.

    `history` holds every step change of the accounts concerned, oldest first; an account enters
    stage 1 when it is created."""
    return medians(stage_spans(history, created, since))


Spans = dict[Stage, Counter[int]]


def stage_spans(history: Mapping[int, list[StageMove]], created: Mapping[int, date], since: date) -> Spans:
    """How many departures upwards, on or after `since`, came after how many days in the stage: what
    `median_days_in_stage` takes the median of, kept as counts so that two parts can be added up."""
    spans: Spans = {stage: Counter() for stage in Stage}
    for account_id, moves in history.items():
        entered_on: dict[Stage, date] = {Stage.ACQUAINTANCE: created[account_id]}
        current = Stage.ACQUAINTANCE
        for move in moves:
            target = move.after.stage
            if target.value <= current.value:
                continue
            if move.on >= since:
                spans[current][(move.on - entered_on[current]).days] += 1
            for stage in range(current.value + 1, target.value + 1):
                entered_on[Stage(stage)] = move.on
            current = target
    return spans


def add_spans(*parts: Mapping[Stage, Counter[int]]) -> Spans:
    total: Spans = {stage: Counter() for stage in Stage}
    for part in parts:
        for stage, counts in part.items():
            total[stage].update(counts)
    return total


def medians(spans: Mapping[Stage, Counter[int]]) -> dict[Stage, float | None]:
    """`statistics.median` of each stage's days, read from the counts."""
    return {stage: _median(spans.get(stage, Counter())) for stage in Stage}


def _median(counts: Counter[int]) -> float | None:
    total = sum(count for count in counts.values() if count > 0)
    if not total:
        return None
    low_rank, high_rank = (total - 1) // 2, total // 2  # 0-based ranks of the middle one or two
    low = high = None
    seen = 0
    for days in sorted(counts):
        if counts[days] <= 0:
            continue
        seen += counts[days]
        if low is None and seen > low_rank:
            low = days
        if seen > high_rank:
            high = days
            break
    assert low is not None and high is not None
    return (low + high) / 2


def add_flows(*parts: Flows) -> Flows:
    """Flows of disjoint sets of moves, added up."""
    return Flows(
        entered={stage: sum(part.entered[stage] for part in parts) for stage in Stage},
        crossed={stage: sum(part.crossed[stage] for part in parts) for stage in Stage},
        moved_by_import={stage: sum(part.moved_by_import[stage] for part in parts) for stage in Stage},
    )


@dataclass(frozen=True)
class Retention:
    customers: int  # became customers at least a year ago
    active: int  # of those, touched in the last ACTIVE_WITHIN_DAYS

    @property
    def share(self) -> float | None:
        return self.active / self.customers if self.customers else None


def retention(
    became_customer: Mapping[int, date], last_touch: Mapping[int, date | None], today: date, years: int = 1
) -> Retention:
    """Of the accounts that became customers `years` or more years ago, those touched lately (the
    method's curve to compare with: bot.domain.health.RETENTION_CURVE)."""
    cutoff, recent = retention_cutoffs(today, years)
    old = [account for account, day in became_customer.items() if day <= cutoff]
    active = sum(1 for account in old if (last_touch.get(account) or date.min) >= recent)
    return Retention(customers=len(old), active=active)


@dataclass(frozen=True)
class AccountLife:
    account_id: int
    owner_id: str
    created_on: date
    changes: tuple[tuple[date, Step], ...]  # (day, step reached), oldest first


def replay(
    lives: Iterable[AccountLife], first_day: date, last_day: date
) -> dict[date, Counter[tuple[str, Stage]]]:
    """Counts per (owner, stage) at the start of each day from `first_day` to `last_day`, rebuilt from
    the stored step changes (owner "" is the team). Used once per team, to backfill snapshots."""
    events: dict[date, list[tuple[str, Stage | None, Stage]]] = {}
    for life in lives:
        previous: Stage | None = None
        steps = [(life.created_on, Step.NAME_ONLY), *life.changes]
        for day, step in steps:
            if previous is not None and step.stage == previous:
                continue
            events.setdefault(day, []).append((life.owner_id, previous, step.stage))
            previous = step.stage
    counts: Counter[tuple[str, Stage]] = Counter()
    result: dict[date, Counter[tuple[str, Stage]]] = {}
    for day in sorted(d for d in events if d < first_day):
        _apply(counts, events[day])
    day = first_day
    while day <= last_day:
        result[day] = Counter(counts)
        _apply(counts, events.get(day, []))
        day += timedelta(days=1)
    return result


def _apply(counts: Counter[tuple[str, Stage]], changes: list[tuple[str, Stage | None, Stage]]) -> None:
    for owner, before, after in changes:
        for who in ("", owner):
            if before is not None:
                counts[(who, before)] -= 1
            counts[(who, after)] += 1
