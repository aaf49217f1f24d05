"""Dates as the reader writes them: 11/28(土) in Japanese, the year only when it is not this year."""

from datetime import date

import pytest

from bot.views.blocks import fmt_date

TODAY = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("day", "today", "expected"),
    [
        (date(2026, 11, 28), TODAY, "11/28(土)"),
        (date(2026, 12, 1), TODAY, "12/1(火)"),
        (date(2026, 1, 5), TODAY, "1/5(月)"),
        (date(2027, 1, 8), TODAY, "2027/1/8(金)"),
        (date(2025, 12, 31), TODAY, "2025/12/31(水)"),
        (date(2026, 11, 29), TODAY, "11/29(日)"),
        # Without a today the year is always written: never a date the reader could misplace.
        (date(2026, 11, 28), None, "2026/11/28(土)"),
    ],
)
def test_japanese_dates(day: date, today: date | None, expected: str) -> None:
    assert fmt_date(day, "ja", today) == expected


@pytest.mark.parametrize("today", [TODAY, None, date(2020, 1, 1)])
def test_english_dates_unchanged(today: date | None) -> None:
    assert fmt_date(date(2026, 11, 28), "en", today) == "2026-11-28 (Sat)"
    assert fmt_date(date(2027, 1, 8), "en", today) == "2027-01-08 (Fri)"
