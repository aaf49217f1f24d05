"""Whether an account is in the pyramid (SPEC §2 "Status").

Beside its step every account has a status. Three are stored because something happened (a recovery
ended lost or a manager said so; a manager archived the account; two accounts were merged into one):
`lost`, `archived`, `merged`. `dormant` is never stored: it is read from the last touch against the
stage's dormant threshold on the day asked about, so a new touch makes the account active again on
the step it had, with nothing to update, and any date can be looked at "as of".

The pyramid and its health rule count **active** accounts only; dormant and lost accounts are shown
beside it as win-back candidates (seed 003: lapsed customers are easier to win back than strangers).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.activities import ActivityKind
from bot.domain.stages import Stage


class AccountStatus(StrEnum):
    ACTIVE = "active"
    DORMANT = "dormant"  # derived, never stored
    LOST = "lost"
    ARCHIVED = "archived"
    MERGED = "merged"  # folded into another account (accounts.merged_into_id); its name finds that one


# What the accounts table may hold in `status`.
STORED_STATUSES = frozenset(
    {AccountStatus.ACTIVE, AccountStatus.LOST, AccountStatus.ARCHIVED, AccountStatus.MERGED}
)
# Shown beside the pyramid as win-back candidates.
WIN_BACK_STATUSES = (AccountStatus.DORMANT, AccountStatus.LOST)


@dataclass(frozen=True)
class DormantRules:
    """Days without a touch after which an account of each stage is dormant (the method's defaults:
    customers and repeaters 90 days, the digest's dormant point; prospects 180; acquaintances 365)."""

    acquaintance_days: int = 365
    prospect_days: int = 180
    customer_days: int = 90
    repeater_days: int = 90

    def days(self, stage: Stage) -> int:
        return {
            Stage.ACQUAINTANCE: self.acquaintance_days,
            Stage.PROSPECT: self.prospect_days,
            Stage.CUSTOMER: self.customer_days,
            Stage.REPEATER: self.repeater_days,
        }[stage]

    def cutoff(self, stage: Stage, today: date) -> date:
        """An account of `stage` last touched (created, if never) on or before this day is dormant."""
        return today - timedelta(days=self.days(stage))


DEFAULT_DORMANT_RULES = DormantRules()


def effective_status(
    stored: str,
    stage: Stage,
    last_touch_on: date | None,
    created_on: date,
    today: date,
    rules: DormantRules = DEFAULT_DORMANT_RULES,
) -> AccountStatus:
    """The status on `today`: a stored one other than active wins; an active account silent past its
    stage's threshold is dormant."""
    status = AccountStatus(stored)
    if status is not AccountStatus.ACTIVE:
        return status
    quiet_since = last_touch_on or created_on
    return AccountStatus.DORMANT if quiet_since <= rules.cutoff(stage, today) else AccountStatus.ACTIVE


def dormant_on(
    stage: Stage, last_touch_on: date | None, created_on: date, rules: DormantRules = DEFAULT_DORMANT_RULES
) -> date:
    """The day an untouched account of `stage` goes dormant (for "went dormant this week")."""
    return (last_touch_on or created_on) + timedelta(days=rules.days(stage))


@dataclass(frozen=True)
class OutsideCounts:
    """The accounts of a pyramid's scope that it does not count, by stage: the win-back candidates
    (dormant, lost) and the archived. Active + these = every account (merged ones are not accounts any
    more), so nothing is dropped silently."""

    dormant: Mapping[Stage, int] = field(default_factory=dict)
    lost: Mapping[Stage, int] = field(default_factory=dict)
    archived: Mapping[Stage, int] = field(default_factory=dict)

    @property
    def dormant_total(self) -> int:
        return sum(self.dormant.values())

    @property
    def lost_total(self) -> int:
        return sum(self.lost.values())

    @property
    def archived_total(self) -> int:
        return sum(self.archived.values())

    @property
    def win_back(self) -> int:
        return self.dormant_total + self.lost_total

    @property
    def total(self) -> int:
        return self.win_back + self.archived_total


class StatusMove(StrEnum):
    """What a log did to the stored status (the AccountEvent kind written for it)."""

    REACTIVATED = "reactivated"  # a lost account was touched again: back in the pyramid
    LOST = "lost"  # a former customer said no, with no date to come back at


def status_after_log(
    stored: AccountStatus, kind: ActivityKind, deals_won: int, revisit_on: date | None
) -> StatusMove | None:
    """A new touch or deal on a lost account brings it back, unless it is one more "no" with no date
    to come back at (which keeps it lost); a deal lost on a former customer (deals_won > 0) with no
    revisit date loses it (a revisit date is a timing answer: the account stays active, the timing is
    recorded). Archived and merged accounts are a manager's business and never change here; a dormant
    one needs nothing (dormant is derived from the last touch, which this log moved)."""
    no_date = kind is ActivityKind.LOST and revisit_on is None
    if stored is AccountStatus.LOST:
        return None if no_date else StatusMove.REACTIVATED
    if stored is AccountStatus.ACTIVE and no_date and deals_won > 0:
        return StatusMove.LOST
    return None
