"""The customer pyramid's ladder (SPEC §2): four stages, nine steps, and evidence -> step.

This module is the only place that knows the thresholds of the ladder.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from enum import IntEnum, StrEnum
from typing import Protocol

from bot.domain.activities import ActivityKind

# Deals won that make a repeater (SPEC §2: "three or more", configurable per deployment, never lower).
DEFAULT_REPEATER_THRESHOLD = 3


class Stage(IntEnum):
    ACQUAINTANCE = 1
    PROSPECT = 2
    CUSTOMER = 3
    REPEATER = 4

    @property
    def is_customer(self) -> bool:
        """Stages 3 and 4: accounts that bought, whom retention protects."""
        return self >= Stage.CUSTOMER


class Step(StrEnum):
    """The nine steps, declared bottom to top: their order is the ladder's order."""

    NAME_ONLY = "name_only"
    REMOTE = "remote"
    MET = "met"
    MET_TWICE = "met_twice"
    DINED = "dined"
    PROPOSED = "proposed"
    WON = "won"
    REPEAT = "repeat"
    REPEATER = "repeater"

    @property
    def rank(self) -> int:
        return LADDER.index(self)

    @property
    def stage(self) -> Stage:
        return _STAGE_OF[self]

    @property
    def label(self) -> str:
        """The step's number as the method writes it, e.g. "2.3"."""
        return _NUMBER_OF[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Step):
            return NotImplemented
        return self.rank < other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Step):
            return NotImplemented
        return self.rank <= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Step):
            return NotImplemented
        return self.rank > other.rank

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Step):
            return NotImplemented
        return self.rank >= other.rank


LADDER: tuple[Step, ...] = tuple(Step)


class StepReason(StrEnum):
    """Why an account's step changed (stored in step_changes.reason)."""

    ACTIVITY = "activity"  # logged evidence climbed the ladder
    IMPORT = "import"  # an imported list said where the account stands
    MANUAL = "manual"  # a manager set the step by hand
    CORRECTION = "correction"  # recomputed from the activities (db check --fix, a corrected log)


_STAGE_OF: dict[Step, Stage] = {
    Step.NAME_ONLY: Stage.ACQUAINTANCE,
    Step.REMOTE: Stage.ACQUAINTANCE,
    Step.MET: Stage.ACQUAINTANCE,
    Step.MET_TWICE: Stage.PROSPECT,
    Step.DINED: Stage.PROSPECT,
    Step.PROPOSED: Stage.PROSPECT,
    Step.WON: Stage.CUSTOMER,
    Step.REPEAT: Stage.CUSTOMER,
    Step.REPEATER: Stage.REPEATER,
}

_NUMBER_OF: dict[Step, str] = {
    Step.NAME_ONLY: "1.1",
    Step.REMOTE: "1.2",
    Step.MET: "1.3",
    Step.MET_TWICE: "2.1",
    Step.DINED: "2.2",
    Step.PROPOSED: "2.3",
    Step.WON: "3.1",
    Step.REPEAT: "3.2",
    Step.REPEATER: "4.1",
}


def steps_of(stage: Stage) -> tuple[Step, ...]:
    return tuple(step for step in LADDER if step.stage is stage)


@dataclass(frozen=True)
class Evidence:
    """What has been logged for one account, as counts. Enough to place it on the ladder."""

    remote_touches: int = 0
    in_person_meetings: int = 0
    meals: int = 0
    proposals: int = 0
    deals_won: int = 0

    def plus(self, kind: ActivityKind) -> Evidence:
        """The evidence after one more activity of this kind (a lost deal adds nothing)."""
        return Evidence(
            remote_touches=self.remote_touches + int(kind.is_remote),
            in_person_meetings=self.in_person_meetings + int(kind.is_in_person),
            meals=self.meals + int(kind is ActivityKind.MEAL),
            proposals=self.proposals + int(kind is ActivityKind.PROPOSED),
            deals_won=self.deals_won + int(kind is ActivityKind.WON),
        )

    def at_least(self, floor: Evidence) -> Evidence:
        """As an import leaves it: each counter at least the floor's (evidence already there is kept)."""
        return Evidence(
            remote_touches=max(self.remote_touches, floor.remote_touches),
            in_person_meetings=max(self.in_person_meetings, floor.in_person_meetings),
            meals=max(self.meals, floor.meals),
            proposals=max(self.proposals, floor.proposals),
            deals_won=max(self.deals_won, floor.deals_won),
        )


class Counted(Protocol):
    """Anything that keeps the five evidence counters: a Tally, or an account as it is stored."""

    @property
    def remote_touches(self) -> int: ...
    @property
    def in_person_meetings(self) -> int: ...
    @property
    def meals(self) -> int: ...
    @property
    def proposals(self) -> int: ...
    @property
    def deals_won(self) -> int: ...


def evidence_of(counted: Counted) -> Evidence:
    """The evidence that places an account on the ladder, read from its counters (one place for both
    the domain's Tally and the stored account)."""
    return Evidence(
        remote_touches=counted.remote_touches,
        in_person_meetings=counted.in_person_meetings,
        meals=counted.meals,
        proposals=counted.proposals,
        deals_won=counted.deals_won,
    )


@dataclass(frozen=True)
class Tally:
    """Everything an account's activities add up to: the evidence that places it on the ladder, plus the
    deals lost (counted, though they move nothing) and the day of the latest activity (its last touch).

    The one rule for counting an activity: logging (services.activities) and the integrity check
    (services.integrity) both add activities with `plus`."""

    remote_touches: int = 0
    in_person_meetings: int = 0
    meals: int = 0
    proposals: int = 0
    deals_won: int = 0
    deals_lost: int = 0
    last_touch_on: date | None = None

    @property
    def evidence(self) -> Evidence:
        return evidence_of(self)

    def plus(self, kind: ActivityKind, on: date) -> Tally:
        """After one more activity of this kind on `on`: a backdated one never moves the last touch back."""
        latest = on if self.last_touch_on is None or on > self.last_touch_on else self.last_touch_on
        return self._with(
            self.evidence.plus(kind),
            deals_lost=self.deals_lost + int(kind is ActivityKind.LOST),
            last_touch_on=latest,
        )

    def raised_to(self, floor: Evidence) -> Tally:
        """As an import leaves it: each evidence counter at least the floor of the imported step."""
        return self._with(self.evidence.at_least(floor), self.deals_lost, self.last_touch_on)

    @staticmethod
    def _with(evidence: Evidence, deals_lost: int, last_touch_on: date | None) -> Tally:
        return Tally(**asdict(evidence), deals_lost=deals_lost, last_touch_on=last_touch_on)


# The counters of a Tally, in the order the accounts table stores them.
TALLY_COUNTERS = ("remote_touches", "in_person_meetings", "meals", "proposals", "deals_won", "deals_lost")


def step_for(evidence: Evidence, repeater_threshold: int = DEFAULT_REPEATER_THRESHOLD) -> Step:
    """The highest step the evidence supports (SPEC §2)."""
    if evidence.deals_won >= repeater_threshold:
        return Step.REPEATER
    if evidence.deals_won >= 2:
        return Step.REPEAT
    if evidence.deals_won >= 1:
        return Step.WON
    if evidence.proposals >= 1:
        return Step.PROPOSED
    if evidence.meals >= 1:
        return Step.DINED
    if evidence.in_person_meetings >= 2:
        return Step.MET_TWICE
    if evidence.in_person_meetings >= 1:
        return Step.MET
    if evidence.remote_touches >= 1:
        return Step.REMOTE
    return Step.NAME_ONLY


@dataclass(frozen=True)
class Climb:
    """The result of new evidence: where the account was, where it is, and what it jumped over."""

    before: Step
    after: Step

    @property
    def moved(self) -> bool:
        return self.after != self.before

    @property
    def stage_changed(self) -> bool:
        return self.after.stage != self.before.stage

    @property
    def skipped(self) -> tuple[Step, ...]:
        """Steps passed over without being logged on the way up (between, not including, the two)."""
        return LADDER[self.before.rank + 1 : self.after.rank]


def climb(current: Step, evidence: Evidence, repeater_threshold: int = DEFAULT_REPEATER_THRESHOLD) -> Climb:
    """Steps only move up automatically: a manager's hand correction is never undone by old evidence."""
    supported = step_for(evidence, repeater_threshold)
    return Climb(before=current, after=max(current, supported, key=lambda step: step.rank))


def next_step(step: Step) -> Step | None:
    """The next step on the ladder, or None at the top."""
    return LADDER[step.rank + 1] if step.rank + 1 < len(LADDER) else None


def evidence_floor(step: Step) -> Evidence:
    """The least evidence that supports `step`: what an imported account at that step is taken to have,
    so that logging on top of it continues the ladder from there."""
    floors = {
        Step.NAME_ONLY: Evidence(),
        Step.REMOTE: Evidence(remote_touches=1),
        Step.MET: Evidence(in_person_meetings=1),
        Step.MET_TWICE: Evidence(in_person_meetings=2),
        Step.DINED: Evidence(in_person_meetings=2, meals=1),
        Step.PROPOSED: Evidence(in_person_meetings=2, meals=1, proposals=1),
        Step.WON: Evidence(in_person_meetings=2, meals=1, proposals=1, deals_won=1),
        Step.REPEAT: Evidence(in_person_meetings=2, meals=1, proposals=1, deals_won=2),
        Step.REPEATER: Evidence(
            in_person_meetings=2, meals=1, proposals=1, deals_won=DEFAULT_REPEATER_THRESHOLD
        ),
    }
    return floors[step]
