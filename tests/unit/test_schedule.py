"""When the morning digest is due (SPEC §4, issue): 09:00 in the rep's own zone, on working days only
(weekends and Japanese public holidays skipped), daylight saving respected, missed mornings caught up the
same day but never replayed the next."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.domain.schedule import WorkCalendar, digest_day_due, local_morning
from bot.services.calendars import work_calendar

TOKYO = ZoneInfo("Asia/Tokyo")
NEW_YORK = ZoneInfo("America/New_York")
NINE = time(9, 0)


def settings(**overrides: object) -> Settings:
    return Settings(_env_file=None, **overrides)  # type: ignore[call-arg, arg-type]


def calendar_of(values: Settings) -> WorkCalendar:
    return work_calendar(values.working_weekdays, values.pyramid_holiday_country)


@pytest.fixture
def calendar() -> WorkCalendar:
    return calendar_of(settings())


def tokyo(day: date, hour: int, minute: int = 0) -> datetime:
    """A Tokyo wall-clock moment, given to the function as UTC (as the scheduler's clock does)."""
    return datetime.combine(day, time(hour, minute), tzinfo=TOKYO).astimezone(UTC)


TUESDAY = date(2026, 11, 24)


# ------------------------------------------------------------------------------- Asia/Tokyo, a working day


@pytest.mark.parametrize(
    ("hour", "minute", "due"),
    [
        (0, 0, None),
        (8, 59, None),
        (9, 0, TUESDAY),
        (9, 1, TUESDAY),
        (15, 0, TUESDAY),  # downtime across 09:00: still that day's digest, late
        (23, 59, TUESDAY),
    ],
)
def test_tokyo_working_day(calendar: WorkCalendar, hour: int, minute: int, due: date | None) -> None:
    assert digest_day_due(tokyo(TUESDAY, hour, minute), TOKYO, NINE, calendar) == due


def test_one_second_before_nine_is_not_due(calendar: WorkCalendar) -> None:
    just_before = tokyo(TUESDAY, 9) - timedelta(seconds=1)
    assert digest_day_due(just_before, TOKYO, NINE, calendar) is None


def test_the_next_morning_before_nine_does_not_replay_yesterday(calendar: WorkCalendar) -> None:
    wednesday = TUESDAY + timedelta(days=1)
    assert digest_day_due(tokyo(wednesday, 0, 0), TOKYO, NINE, calendar) is None
    assert digest_day_due(tokyo(wednesday, 8, 0), TOKYO, NINE, calendar) is None
    assert digest_day_due(tokyo(wednesday, 9, 0), TOKYO, NINE, calendar) == wednesday


def test_the_local_date_not_the_utc_date_is_used(calendar: WorkCalendar) -> None:
    # 2026-11-24 23:30 UTC is already Wednesday 08:30 in Tokyo: not due (and certainly not Tuesday's).
    assert digest_day_due(datetime(2026, 11, 24, 23, 30, tzinfo=UTC), TOKYO, NINE, calendar) is None
    # 2026-11-25 00:00 UTC is Wednesday 09:00 in Tokyo.
    assert digest_day_due(datetime(2026, 11, 25, 0, 0, tzinfo=UTC), TOKYO, NINE, calendar) == date(
        2026, 11, 25
    )


# ---------------------------------------------------------------------------------- weekends and holidays


@pytest.mark.parametrize(
    "day",
    [
        date(2026, 11, 21),  # Saturday
        date(2026, 11, 22),  # Sunday
        date(2026, 11, 23),  # Monday, Labor Thanksgiving Day
        date(2026, 11, 3),  # Tuesday, Culture Day
        date(2026, 5, 6),  # Wednesday, substitute holiday for Constitution Day on a Sunday
        date(2026, 9, 22),  # Tuesday, citizens' holiday between Respect for the Aged Day and the equinox
        date(2027, 1, 1),  # Friday, New Year's Day
    ],
)
def test_weekends_and_japanese_holidays_are_skipped(calendar: WorkCalendar, day: date) -> None:
    for hour in (9, 12, 23):
        assert digest_day_due(tokyo(day, hour), TOKYO, NINE, calendar) is None


@pytest.mark.parametrize(
    "day",
    [date(2026, 11, 20), date(2026, 11, 24), date(2026, 11, 25), date(2026, 11, 27), date(2026, 5, 7)],
)
def test_ordinary_weekdays_are_working_days(calendar: WorkCalendar, day: date) -> None:
    assert calendar.is_working_day(day)
    assert digest_day_due(tokyo(day, 9), TOKYO, NINE, calendar) == day


def test_without_a_holiday_country_only_weekends_are_skipped() -> None:
    calendar = calendar_of(settings(pyramid_holiday_country=""))
    assert calendar.is_working_day(date(2026, 11, 23))
    assert not calendar.is_working_day(date(2026, 11, 22))


def test_working_days_are_configurable() -> None:
    calendar = calendar_of(settings(pyramid_working_days="mon,tue,wed,thu,fri,sat"))
    saturday = date(2026, 11, 28)
    assert digest_day_due(tokyo(saturday, 9), TOKYO, NINE, calendar) == saturday
    assert digest_day_due(tokyo(date(2026, 11, 29), 9), TOKYO, NINE, calendar) is None


def test_the_digest_time_is_configurable(calendar: WorkCalendar) -> None:
    at = settings(pyramid_digest_time="07:30").pyramid_digest_time
    assert digest_day_due(tokyo(TUESDAY, 7, 29), TOKYO, at, calendar) is None
    assert digest_day_due(tokyo(TUESDAY, 7, 30), TOKYO, at, calendar) == TUESDAY


# ------------------------------------------------------------------ America/New_York across daylight saving


@pytest.mark.parametrize(
    ("utc", "due"),
    [
        # Friday 6 March 2026, still EST (UTC-5): 09:00 local = 14:00 UTC.
        (datetime(2026, 3, 6, 13, 59, tzinfo=UTC), None),
        (datetime(2026, 3, 6, 14, 0, tzinfo=UTC), date(2026, 3, 6)),
        # Monday 9 March 2026, EDT since the 8th (UTC-4): 09:00 local = 13:00 UTC.
        (datetime(2026, 3, 9, 12, 59, tzinfo=UTC), None),
        (datetime(2026, 3, 9, 13, 0, tzinfo=UTC), date(2026, 3, 9)),
        # Friday 30 October 2026, EDT: 09:00 local = 13:00 UTC.
        (datetime(2026, 10, 30, 12, 0, tzinfo=UTC), None),
        (datetime(2026, 10, 30, 13, 0, tzinfo=UTC), date(2026, 10, 30)),
        # Monday 2 November 2026, EST since the 1st: 09:00 local = 14:00 UTC, not an hour earlier.
        (datetime(2026, 11, 2, 13, 0, tzinfo=UTC), None),
        (datetime(2026, 11, 2, 13, 59, tzinfo=UTC), None),
        (datetime(2026, 11, 2, 14, 0, tzinfo=UTC), date(2026, 11, 2)),
        # Late evening in New York is already the next day in UTC: still the New York date.
        (datetime(2026, 11, 3, 4, 30, tzinfo=UTC), date(2026, 11, 2)),
    ],
)
def test_new_york_nine_oclock_follows_daylight_saving(
    calendar: WorkCalendar, utc: datetime, due: date | None
) -> None:
    assert digest_day_due(utc, NEW_YORK, NINE, calendar) == due


def test_the_dst_change_days_themselves_are_sundays(calendar: WorkCalendar) -> None:
    for day in (date(2026, 3, 8), date(2026, 11, 1)):
        assert day.weekday() == 6
        assert digest_day_due(datetime.combine(day, NINE, tzinfo=NEW_YORK), NEW_YORK, NINE, calendar) is None


def test_local_morning_is_nine_local_on_both_sides_of_dst() -> None:
    assert local_morning(date(2026, 10, 30), NEW_YORK, NINE).astimezone(UTC) == datetime(
        2026, 10, 30, 13, 0, tzinfo=UTC
    )
    assert local_morning(date(2026, 11, 2), NEW_YORK, NINE).astimezone(UTC) == datetime(
        2026, 11, 2, 14, 0, tzinfo=UTC
    )
    assert local_morning(TUESDAY, TOKYO, NINE).astimezone(UTC) == datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
