"""The team's working calendar (working weekdays and the public holidays of PYRAMID_HOLIDAY_COUNTRY):
digests and evening prompts go out on working days only, and follow-ups are moved onto one."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

from bot.domain.schedule import WorkCalendar

if TYPE_CHECKING:  # holidays imports every country's calendar (about 9 MiB): loaded at the first look-up
    from holidays import HolidayBase


def work_calendar(working_weekdays: frozenset[int], country: str) -> WorkCalendar:
    """A team's calendar (TeamConfig.working_days and .holiday_country; "" = no public holidays)."""
    if not country:
        return WorkCalendar(working_weekdays=working_weekdays)
    return WorkCalendar(working_weekdays=working_weekdays, is_holiday=lambda day: day in _holidays(country))


@lru_cache(maxsize=8)
def _holidays(country: str) -> HolidayBase:
    # A maintained calendar (Japan's substitute and citizens' holidays included); years load lazily.
    import holidays

    return holidays.country_holidays(country)


def known_holiday_country(code: str) -> bool:
    """Whether the holidays package has a calendar for `code` (its aliases such as UK included), read
    from its registry without importing every country's calendar."""
    from holidays.registry import EntityLoader

    return code in set(EntityLoader.get_country_codes())
