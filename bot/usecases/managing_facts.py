"""View-models of a manager's corrections (step, merge, archive, restore, lost), frozen and free of the
ORM like those of bot/usecases/facts.py; kept beside it in their own module, one topic per file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.domain.parsing import StatusVerb
from bot.domain.stages import Step
from bot.domain.status import AccountStatus


@dataclass(frozen=True)
class NotAManager:
    """Refused: only managers correct accounts. `managers`: the ones the team has, to ask."""

    managers: tuple[str, ...]
    admin_unknown: bool = False  # Slack was never asked whether the user is an admin


@dataclass(frozen=True)
class StepSetFacts:
    account: str
    before: Step
    after: Step
    reason: str
    supported: Step  # what the logged evidence alone supports
    changed: bool
    announced: bool  # a stage change, announced in the team channel


@dataclass(frozen=True)
class StatusFacts:
    account: str
    verb: StatusVerb
    before: AccountStatus
    changed: bool
    reason: str | None


@dataclass(frozen=True)
class MergePlan:
    """What a merge will do, shown before it is done (it cannot be undone by a button)."""

    survivor_id: int
    survivor: str
    merged_id: int
    merged: str
    activities: int
    followups: int
    recoveries: int
    reason: str | None


@dataclass(frozen=True)
class MergeFacts:
    survivor: str
    merged: str
    activities: int
    followups: int
    recoveries: int
    before: Step
    after: Step
    already: bool = False  # a second press: it was merged already, nothing more was done


@dataclass(frozen=True)
class CorrectionFacts:
    """One line of the card's recent hand corrections."""

    kind: str
    user_id: str
    on: date
    reason: str | None
    other: str | None = None
    from_step: Step | None = None
    to_step: Step | None = None
    merged_out: bool = False  # a merge seen from the merged account (it went into `other`)


Corrected = NotAManager | StepSetFacts | StatusFacts | MergePlan
