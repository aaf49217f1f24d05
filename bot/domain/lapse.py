"""Which accounts are going quiet (SPEC §1, §4): days since the last touch against the stage's limits.

Customers drift away quietly; a rental chain found members not back within 3 months never came back,
so it made an offer after 2 months and stopped chasing after a year. Those are the defaults here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.stages import Stage


class Lapse(StrEnum):
    NUDGE = "nudge"  # past the stage's limit: get in touch
    DORMANT = "dormant"  # a customer gone quiet: send a win-back letter
    ARCHIVE = "archive"  # a year of silence: stop chasing


@dataclass(frozen=True)
class LapseRules:
    prospect_days: int = 30
    customer_nudge_days: int = 60
    customer_dormant_days: int = 90
    customer_archive_days: int = 365
    # Acquaintances are not nudged one by one; the digest only counts those quiet this long.
    acquaintance_quiet_days: int = 90
    # A proposal with no outcome after this long: ask for the timing.
    stalled_proposal_days: int = 30


DEFAULT_RULES = LapseRules()


def days_quiet(last_touch_on: date | None, created_on: date, today: date) -> int:
    """An account never touched has been quiet since it was created."""
    return (today - (last_touch_on or created_on)).days


def lapse_of(stage: Stage, quiet_days: int, rules: LapseRules = DEFAULT_RULES) -> Lapse | None:
    if stage is Stage.PROSPECT:
        return Lapse.NUDGE if quiet_days >= rules.prospect_days else None
    if stage in (Stage.CUSTOMER, Stage.REPEATER):
        if quiet_days >= rules.customer_archive_days:
            return Lapse.ARCHIVE
        if quiet_days >= rules.customer_dormant_days:
            return Lapse.DORMANT
        if quiet_days >= rules.customer_nudge_days:
            return Lapse.NUDGE
    return None


def is_quiet_acquaintance(stage: Stage, quiet_days: int, rules: LapseRules = DEFAULT_RULES) -> bool:
    return stage is Stage.ACQUAINTANCE and quiet_days >= rules.acquaintance_quiet_days


def lapse_cutoff(today: date, days: int) -> date:
    """The last-touch date on or before which an account has been quiet `days` days."""
    return today - timedelta(days=days)
