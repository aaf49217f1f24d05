"""Follow-ups the method schedules by itself, and their states (SPEC §1, §4).

Follow up after a sale on a plan, not by memory: a call a week later. A win logged long after the fact
gets no check-in (it would be moot). The day after a failure, check that the fix reached the customer.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

AFTER_SALE_DAYS = 7  # "a call a week later"
STALE_SALE_DAYS = 30  # a win logged later than this after the sale gets no after-sale check-in
SNOOZE_WEEKS = 1  # the digest's "Snooze 1 week"
SNOOZE_DAYS = 7 * SNOOZE_WEEKS
RECOVERY_CHECK_DAYS = 1  # the day after a failure: did the fix reach the customer?


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
