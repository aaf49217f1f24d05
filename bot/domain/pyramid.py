"""The pyramid's shape: the distribution over stages and steps, and its health (SPEC §1).

A healthy pyramid keeps count(stage 1) > count(2) > count(3) > count(4).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.domain.stages import LADDER, Stage, Step
from bot.domain.status import OutsideCounts


@dataclass(frozen=True)
class Distribution:
    """The active accounts by step (the pyramid counts them only, SPEC §2 "Status"), and beside it
    those it does not count."""

    by_step: Mapping[Step, int] = field(default_factory=dict)
    outside: OutsideCounts = field(default_factory=OutsideCounts)

    def count(self, step: Step) -> int:
        return self.by_step.get(step, 0)

    @property
    def by_stage(self) -> dict[Stage, int]:
        totals = {stage: 0 for stage in Stage}
        for step, count in self.by_step.items():
            totals[step.stage] += count
        return totals

    @property
    def total(self) -> int:
        return sum(self.by_step.values())


def distribution_from(counts: Mapping[str, int], outside: OutsideCounts | None = None) -> Distribution:
    """Builds a distribution from step-key counts as the database returns them (unknown keys are a bug)."""
    return Distribution(
        by_step={step: int(counts.get(step.value, 0)) for step in LADDER}, outside=outside or OutsideCounts()
    )


@dataclass(frozen=True)
class HealthProblem:
    """One broken link of 1 > 2 > 3 > 4: the lower stage does not outnumber the one above it."""

    lower: Stage
    upper: Stage
    lower_count: int
    upper_count: int

    @property
    def code(self) -> str:
        """The message key of the method's advice for this link."""
        return f"health_{self.lower.value}_{self.upper.value}"


@dataclass(frozen=True)
class Health:
    problems: tuple[HealthProblem, ...]
    empty: bool

    @property
    def healthy(self) -> bool:
        return not self.empty and not self.problems


def health(dist: Distribution) -> Health:
    stages = dist.by_stage
    problems = tuple(
        HealthProblem(lower=lower, upper=upper, lower_count=stages[lower], upper_count=stages[upper])
        for lower, upper in ((Stage(1), Stage(2)), (Stage(2), Stage(3)), (Stage(3), Stage(4)))
        if stages[lower] <= stages[upper]
    )
    return Health(problems=problems, empty=dist.total == 0)
