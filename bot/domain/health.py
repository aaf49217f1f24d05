"""Health = shape and flow (SPEC §1, issue 11): the pyramid is healthy only when 1 > 2 > 3 > 4 holds
*and* the flow behind it is sound.

The seed method says the danger is the inflow drying up months before the counts show it, and that
keeping a customer costs a fifth of winning one: so the advice names the weakest point first, in the
method's order, keep and win back before hunting: recoveries left open, then retention, then accounts
going dormant, then the inflow of new acquaintances, and only then the shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.pyramid import Distribution, Health, health

WEEK_DAYS = 7
# The team's own trailing average is taken over the weeks before the last one.
TRAILING_WEEKS = 8
# Inflow is drying up below this share of its trailing weekly average.
INFLOW_FLOOR_SHARE = 0.5
# "Respond at once": a recovery still open after this many days is the first thing to fix.
RECOVERY_OVERDUE_DAYS = 7
# Retention is judged on at least this many customers old enough to count (smaller samples are noise),
# except that none kept at all is never healthy, however few there were.
MIN_RETENTION_SAMPLE = 5
# Accounts going dormant are compared week on week: more than the week before is rising. A single account
# going quiet is not a trend: rising starts at this many in the week.
DORMANT_WEEKS = 2
DORMANT_RISE_MIN = 2

# The method's retention curve (seed 004), cumulative: 50% left after a year, 55% of those after two
# (27.5%), 60% of those after three (16.5%, "about 16 of 100").
RETENTION_CURVE: Mapping[int, float] = {1: 0.50, 2: 0.50 * 0.55, 3: 0.50 * 0.55 * 0.60}
RETENTION_YEARS: tuple[int, ...] = tuple(RETENTION_CURVE)


def weekly(counts: Mapping[date, int], last_day: date, weeks: int = TRAILING_WEEKS + 1) -> tuple[int, ...]:
    """Counts per day folded into weeks ending at `last_day`: [0] is the 7 days up to and including
    `last_day`, [1] the 7 before, and so on; days outside the `weeks` weeks are left out."""
    result = [0] * weeks
    for day, count in counts.items():
        index = (last_day - day).days // WEEK_DAYS
        if 0 <= index < weeks and day <= last_day:
            result[index] += count
    return tuple(result)


def trailing_average(by_week: tuple[int, ...]) -> float:
    """The weekly average of the weeks before the last one ([1:])."""
    before = by_week[1:]
    return sum(before) / len(before) if before else 0.0


@dataclass(frozen=True)
class RetentionPoint:
    """Of the accounts that became customers `years` or more years ago, those still active."""

    years: int
    customers: int
    active: int

    @property
    def share(self) -> float | None:
        return self.active / self.customers if self.customers else None

    @property
    def reference(self) -> float:
        return RETENTION_CURVE[self.years]

    @property
    def judged(self) -> bool:
        """Enough customers to compare with the curve (or none kept at all)."""
        return self.customers >= MIN_RETENTION_SAMPLE or (self.customers > 0 and self.active == 0)

    @property
    def below(self) -> bool:
        share = self.share
        return self.judged and share is not None and share < self.reference


@dataclass(frozen=True)
class Flow:
    """What moves through the pyramid, per week ([0]: the last 7 days, then each week before)."""

    new_by_week: tuple[int, ...] = (0,)
    dormant_by_week: tuple[int, ...] = (0,)  # the last 7 days, and the 7 before
    open_recoveries: int = 0
    oldest_recovery_days: int | None = None
    overdue_recoveries: int = 0  # open past RECOVERY_OVERDUE_DAYS
    retention: tuple[RetentionPoint, ...] = ()

    @property
    def new_this_week(self) -> int:
        return self.new_by_week[0]

    @property
    def new_average(self) -> float:
        return trailing_average(self.new_by_week)

    @property
    def dormant_this_week(self) -> int:
        return self.dormant_by_week[0]

    @property
    def dormant_week_before(self) -> int:
        return self.dormant_by_week[1] if len(self.dormant_by_week) > 1 else 0


class ConcernKind(StrEnum):
    """A weak point of the flow; the order is the method's (keep and win back before hunting)."""

    RECOVERY_OVERDUE = "recovery_overdue"
    RETENTION_BELOW = "retention_below"
    DORMANT_RISING = "dormant_rising"
    INFLOW_DRY = "inflow_dry"


@dataclass(frozen=True)
class Concern:
    kind: ConcernKind
    count: int = 0
    days: int = 0  # the oldest open recovery's age
    years: int = 0
    share: float = 0.0
    reference: float = 0.0
    average: float = 0.0
    before: int = 0  # accounts gone dormant the week before

    @property
    def code(self) -> str:
        """The message key of the method's advice for this weak point."""
        return f"health_{self.kind.value}"


@dataclass(frozen=True)
class Verdict:
    shape: Health
    concerns: tuple[Concern, ...]  # the flow's weak points, weakest first

    @property
    def healthy(self) -> bool:
        return self.shape.healthy and not self.concerns


def inflow_dry(flow: Flow) -> bool:
    """Fewer new acquaintances than half the trailing average; or none at all where there were none
    before either (an average of zero is no excuse)."""
    new = flow.new_this_week
    return new < INFLOW_FLOOR_SHARE * flow.new_average or (new == 0 and flow.new_average == 0)


def dormant_rising(flow: Flow) -> bool:
    this_week = flow.dormant_this_week
    return this_week >= DORMANT_RISE_MIN and this_week > flow.dormant_week_before


def concerns(flow: Flow) -> tuple[Concern, ...]:
    found: list[Concern] = []
    if flow.overdue_recoveries:
        found.append(
            Concern(
                ConcernKind.RECOVERY_OVERDUE,
                count=flow.overdue_recoveries,
                days=flow.oldest_recovery_days or 0,
            )
        )
    below = [point for point in flow.retention if point.below]
    if below:
        # The shortest horizon first: the most recent customers are the ones still to be won back.
        point = min(below, key=lambda p: p.years)
        found.append(
            Concern(
                ConcernKind.RETENTION_BELOW,
                count=point.customers,
                years=point.years,
                share=point.share or 0.0,
                reference=point.reference,
            )
        )
    if dormant_rising(flow):
        found.append(
            Concern(ConcernKind.DORMANT_RISING, count=flow.dormant_this_week, before=flow.dormant_week_before)
        )
    if inflow_dry(flow):
        found.append(Concern(ConcernKind.INFLOW_DRY, count=flow.new_this_week, average=flow.new_average))
    return tuple(found)


def judge(dist: Distribution, flow: Flow) -> Verdict:
    """The pyramid's shape (bot.domain.pyramid.health) and its flow: healthy only when both are sound."""
    return Verdict(shape=health(dist), concerns=concerns(flow))
