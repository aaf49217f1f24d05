"""Follow-ups the method schedules by itself, and their states (SPEC §1, §4).

Follow up after a sale on a plan, not by memory: a call a week later. A win logged long after the fact
gets no check-in (it would be moot). The day after a failure, check that the fix reached the customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.activities import ActivityKind
from bot.domain.schedule import WorkCalendar

AFTER_SALE_DAYS = 7  # "a call a week later"
STALE_SALE_DAYS = 30  # a win logged later than this after the sale gets no after-sale check-in
SNOOZE_WEEKS = 1  # the digest's "Snooze 1 week"
SNOOZE_DAYS = 7 * SNOOZE_WEEKS
RECOVERY_CHECK_DAYS = 1  # the day after a failure: did the fix reach the customer?
# A touch or deal logged for an account closes its open follow-ups due up to this many days after it
# (and any overdue ones): the visit on Tuesday *was* the follow-up planned for Thursday.
MATCH_AHEAD_DAYS = 7


class FollowupStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"  # the log that scheduled it was undone or deleted (corrections)


class FollowupSource(StrEnum):
    """Who asked for the follow-up (each has its own line in the digest)."""

    MANUAL = "manual"  # /followup
    AFTER_SALE = "after_sale"  # a win
    REVISIT = "revisit"  # the date a lost deal's customer named
    RECOVERY = "recovery"  # a failure
    RENEWAL = "renewal"  # a contract, lease, warranty or budget cycle coming to its end


def after_sale_due(won_on: date, today: date) -> date | None:
    """When to check in after a win on `won_on`: a week later; a win logged late is checked in today,
    unless the sale is so old (more than STALE_SALE_DAYS) that a check-in is moot."""
    due = won_on + timedelta(days=AFTER_SALE_DAYS)
    if due >= today:
        return due
    return today if (today - won_on).days <= STALE_SALE_DAYS else None


def snoozed_until(today: date) -> date:
    return today + timedelta(days=SNOOZE_DAYS)


def recovery_check_on(opened_on: date) -> date:
    return opened_on + timedelta(days=RECOVERY_CHECK_DAYS)


@dataclass(frozen=True)
class Due:
    """When a follow-up is due, and the day that was asked for: they differ when the asked day was not a
    working day of the team (a weekend, a public holiday) and the follow-up moved to the next one."""

    on: date
    asked: date

    @property
    def moved(self) -> bool:
        return self.on != self.asked


def working_due(asked: date, today: date, calendar: WorkCalendar) -> Due:
    """When a follow-up asked for `asked` is due: on a day off (a weekend, a public holiday) it moves to
    the next working day, so that nothing lands on New Year's Day. A follow-up asked for today (or
    earlier) stays: the rep is at work now, and moving it would hide it from today's list."""
    return Due(on=asked if asked <= today else calendar.working_day_from(asked), asked=asked)


def closed_by(source: str, due_on: date, planned_on: date, kind: ActivityKind, occurred_on: date) -> bool:
    """Whether logging `kind` on `occurred_on` does an open follow-up of the account (due `due_on`,
    planned on `planned_on`), so that the rep need not press Done as well.

    A lost deal does nothing (it may plan its own revisit); a log dated before the follow-up was planned
    is not its answer; a renewal far off is not done by today's call. A won deal ends any revisit of a
    lost one, however far off: the customer came back."""
    if kind is ActivityKind.LOST or occurred_on < planned_on:
        return False
    if kind is ActivityKind.WON and source == FollowupSource.REVISIT:
        return True
    return due_on <= occurred_on + timedelta(days=MATCH_AHEAD_DAYS)
