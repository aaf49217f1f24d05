"""When a rep's morning digest is due: working days, the rep's own time zone, daylight saving."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

WEEKDAYS = frozenset({0, 1, 2, 3, 4})  # Monday to Friday
# The longest run of days off looked through for the next working day (Japan's longest, Golden Week
# with weekends around it, is under two weeks).
MAX_DAYS_OFF = 31


@dataclass(frozen=True)
class WorkCalendar:
    working_weekdays: frozenset[int] = WEEKDAYS
    is_holiday: Callable[[date], bool] = field(default=lambda _day: False)

    def is_working_day(self, day: date) -> bool:
        return day.weekday() in self.working_weekdays and not self.is_holiday(day)

    def working_day_from(self, day: date) -> date:
        """`day` if the team works then, else the next day it does (New Year's Day's follow-up moves to
        the first working day after the holidays). A calendar with no working day leaves `day` as is."""
        for offset in range(MAX_DAYS_OFF + 1):
            candidate = day + timedelta(days=offset)
            if self.is_working_day(candidate):
                return candidate
        return day


def digest_day_due(now: datetime, zone: tzinfo, at: time, calendar: WorkCalendar) -> date | None:
    """The local date whose digest is due at `now`, or None.

    Due from `at` local time until the end of that local day: a restart or downtime across 09:00 still
    delivers the same day (late), and a missed day is not replayed the next morning.
    Local wall time comes from the zone database, so 09:00 stays 09:00 across daylight saving changes.
    """
    local = now.astimezone(zone)
    if local.time().replace(tzinfo=None) < at:
        return None
    day = local.date()
    return day if calendar.is_working_day(day) else None


def local_morning(day: date, zone: tzinfo, at: time) -> datetime:
    """`at` on `day` in `zone`, as an aware datetime (what "as of that morning" means)."""
    return datetime.combine(day, at, tzinfo=zone)
