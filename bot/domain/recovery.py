"""Failure recoveries (SPEC §1, §5): states, the allowed transitions and the five steps.

Recovery has two halves: respond at once, sincerely, with every fix you can offer; then make sure the
*next* delivery clearly exceeds expectations. Only then is the recovery complete.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, time, timedelta
from enum import IntEnum, StrEnum

from bot.domain.segments import Segment, is_segment


class RecoveryStatus(StrEnum):
    OPEN = "open"  # the failure is known; the response is due the same day
    RESPONDED = "responded"  # first half done; the date of the next delivery is still unknown
    AWAITING = "awaiting"  # the next delivery is on `delivery_on`; after it, the verdict
    RECOVERED = "recovered"
    LOST = "lost"

    @property
    def is_closed(self) -> bool:
        return self in (RecoveryStatus.RECOVERED, RecoveryStatus.LOST)


# Not closed yet: in the owner's digest and in the weekly summary.
PENDING: tuple[RecoveryStatus, ...] = tuple(status for status in RecoveryStatus if not status.is_closed)

# The five steps for an upset customer, in order; stored as a bit mask of those done.
FIVE_STEPS: tuple[str, ...] = ("acknowledge", "reassure", "regret", "ask", "resolve")
ALL_STEPS_MASK = (1 << len(FIVE_STEPS)) - 1

# No transition skips a half: "recovered" only from "awaiting" (a next delivery was dated), and only
# once that date has passed (`verdict_due`). A "no" sends it back to "responded": another next delivery.
ALLOWED: dict[RecoveryStatus, frozenset[RecoveryStatus]] = {
    RecoveryStatus.OPEN: frozenset({RecoveryStatus.RESPONDED, RecoveryStatus.LOST}),
    RecoveryStatus.RESPONDED: frozenset({RecoveryStatus.AWAITING, RecoveryStatus.LOST}),
    RecoveryStatus.AWAITING: frozenset(
        {RecoveryStatus.RECOVERED, RecoveryStatus.RESPONDED, RecoveryStatus.LOST}
    ),
    RecoveryStatus.RECOVERED: frozenset(),
    RecoveryStatus.LOST: frozenset(),
}


class EventKind(StrEnum):
    """What a RecoveryEvent records besides a change of status."""

    STATUS = "status"
    DELIVERY = "delivery"  # the next delivery's date was given or changed
    OWNER = "owner"  # a teammate took it over
    NOTE = "note"
    ESCALATED = "escalated"  # someone escalated it to the managers by hand


class Cause(StrEnum):
    """What kind of failure it was: picked when opening; repeated causes show in the weekly summary."""

    QUALITY = "quality"
    DELIVERY = "delivery"
    BILLING = "billing"
    SUPPORT = "support"
    OTHER = "other"


CAUSE_ALIASES: dict[str, Cause] = {
    **{cause.value: cause for cause in Cause},
    "late": Cause.DELIVERY,
    "invoice": Cause.BILLING,
    "service": Cause.SUPPORT,
    "品質": Cause.QUALITY,
    "不良": Cause.QUALITY,
    "納期": Cause.DELIVERY,
    "配送": Cause.DELIVERY,
    "納品": Cause.DELIVERY,
    "遅延": Cause.DELIVERY,
    "請求": Cause.BILLING,
    "請求書": Cause.BILLING,
    "対応": Cause.SUPPORT,
    "サポート": Cause.SUPPORT,
    "その他": Cause.OTHER,
}


def cause_of(token: str) -> Cause | None:
    """A cause keyword, English or Japanese (full-width letters and case folded); None if it is not one."""
    return CAUSE_ALIASES.get(unicodedata.normalize("NFKC", token).strip().casefold())


# A second failure while another recovery is open, or closed less than this long ago: the account is
# at risk (a customer let down twice is gone).
REPEAT_WINDOW_DAYS = 90


def repeat_cutoff(now: datetime) -> datetime:
    """Recoveries closed after this instant still count as recent (the database's `where`)."""
    return now - timedelta(days=REPEAT_WINDOW_DAYS)


def repeat_since(day: date) -> date:
    """Failures opened on or after this day count towards a repeated cause (the weekly summary)."""
    return day - timedelta(days=REPEAT_WINDOW_DAYS)


def verdict_due(status: RecoveryStatus, delivery_on: date | None, today: date) -> bool:
    """The owner is asked (and may answer) whether the next delivery clearly exceeded expectations only
    once its day is over."""
    return status is RecoveryStatus.AWAITING and delivery_on is not None and today > delivery_on


def delivery_date_ok(opened_on: date, delivery_on: date) -> bool:
    """The *next* delivery cannot come before the failure itself."""
    return delivery_on >= opened_on


class Rung(IntEnum):
    """The escalation ladder of a recovery still without a response, in order."""

    OWNER = 1  # not responded by the end of the day: the owner is reminded
    CHANNEL = 2  # day 3: the team channel, with buttons to take it over
    MANAGERS = 3  # day 7: the managers, by DM


# Days after the day it was opened at which each rung is reached. A strategic account starts one step
# higher: the channel hears at the end of the first day with the owner, the managers on day 3.
LADDER_DAYS: dict[Rung, int] = {Rung.OWNER: 1, Rung.CHANNEL: 3, Rung.MANAGERS: 7}
STRATEGIC_LADDER_DAYS: dict[Rung, int] = {Rung.OWNER: 1, Rung.CHANNEL: 1, Rung.MANAGERS: 3}
STRATEGIC = Segment.STRATEGIC.value


def rungs_reached(
    opened_at: datetime, now: datetime, segment: str | None, *, end_of_day: time, morning: time
) -> tuple[Rung, ...]:
    """The rungs a recovery still open (not responded) has reached at `now` (both in the team's time
    zone). The owner's reminder comes at the end of the working day it was opened (the next one when it
    was opened after that); the later rungs on their day, from the morning on, never in the night."""
    opened_on, today = opened_at.date(), now.date()
    first_evening = datetime.combine(opened_on, end_of_day, tzinfo=opened_at.tzinfo)
    if opened_at >= first_evening:
        first_evening += timedelta(days=1)
    strategic = is_segment(segment, Segment.STRATEGIC)
    thresholds = STRATEGIC_LADDER_DAYS if strategic else LADDER_DAYS
    reached = []
    for rung in Rung:
        if rung is Rung.OWNER or (strategic and thresholds[rung] == thresholds[Rung.OWNER]):
            due = now >= first_evening
        else:
            days = (today - opened_on).days
            due = days > thresholds[rung] or (days == thresholds[rung] and now.time() >= morning)
        if due:
            reached.append(rung)
    return tuple(reached)


def can_move(current: RecoveryStatus, target: RecoveryStatus) -> bool:
    return target in ALLOWED[current]


def steps_done(mask: int) -> tuple[str, ...]:
    return tuple(step for index, step in enumerate(FIVE_STEPS) if mask & (1 << index))


def mask_of(steps: list[str] | tuple[str, ...]) -> int:
    mask = 0
    for step in steps:
        if step in FIVE_STEPS:
            mask |= 1 << FIVE_STEPS.index(step)
    return mask


def still_owed(status: RecoveryStatus, mask: int) -> tuple[str, ...]:
    """What the rep still owes: the unchecked steps while open, the exceeding delivery once responded."""
    if status is RecoveryStatus.OPEN:
        return tuple(step for step in FIVE_STEPS if step not in steps_done(mask))
    if status is RecoveryStatus.RESPONDED:
        return ("delivery_date",)
    if status is RecoveryStatus.AWAITING:
        return ("next_delivery",)
    return ()
