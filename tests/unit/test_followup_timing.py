"""When a log does a follow-up, and when a follow-up moves off a day off (issue 12): pure rules."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.activities import ActivityKind
from bot.domain.followups import MATCH_AHEAD_DAYS, Due, FollowupSource, closed_by, working_due
from bot.domain.schedule import WorkCalendar

MONDAY = date(2026, 11, 30)
PLANNED = date(2026, 11, 25)


@pytest.mark.parametrize(
    "kind", [ActivityKind.CALL, ActivityKind.VISIT, ActivityKind.PROPOSED, ActivityKind.WON]
)
def test_a_touch_or_deal_does_a_followup_due_within_a_week_or_overdue(kind: ActivityKind) -> None:
    for due in (date(2026, 11, 26), MONDAY, date(2026, 12, 7)):
        assert closed_by(FollowupSource.MANUAL, due, PLANNED, kind, MONDAY)
    assert not closed_by(FollowupSource.MANUAL, date(2026, 12, 8), PLANNED, kind, MONDAY)
    assert MATCH_AHEAD_DAYS == 7


def test_a_lost_deal_does_no_followup() -> None:
    assert not closed_by(FollowupSource.MANUAL, MONDAY, PLANNED, ActivityKind.LOST, MONDAY)
    assert not closed_by(FollowupSource.REVISIT, MONDAY, PLANNED, ActivityKind.LOST, MONDAY)


def test_a_log_from_before_the_plan_is_not_its_answer() -> None:
    assert not closed_by(FollowupSource.MANUAL, MONDAY, PLANNED, ActivityKind.VISIT, date(2026, 11, 24))
    assert closed_by(FollowupSource.MANUAL, MONDAY, PLANNED, ActivityKind.VISIT, PLANNED)


def test_only_a_win_ends_a_far_off_revisit() -> None:
    far = date(2027, 4, 1)
    assert closed_by(FollowupSource.REVISIT, far, PLANNED, ActivityKind.WON, MONDAY)
    assert not closed_by(FollowupSource.REVISIT, far, PLANNED, ActivityKind.VISIT, MONDAY)
    assert not closed_by(FollowupSource.RENEWAL, far, PLANNED, ActivityKind.WON, MONDAY)


JAPAN_2027 = WorkCalendar(
    is_holiday=lambda day: day in {date(2027, 1, 1), date(2027, 5, 3), date(2027, 5, 4), date(2027, 5, 5)}
)


@pytest.mark.parametrize(
    ("asked", "due"),
    [
        (date(2027, 1, 1), date(2027, 1, 4)),  # New Year's Day, then a weekend
        (date(2027, 5, 3), date(2027, 5, 6)),  # Golden Week
        (date(2027, 1, 5), date(2027, 1, 5)),  # a working Tuesday stays
        (date(2026, 12, 5), date(2026, 12, 7)),  # a Saturday
    ],
)
def test_a_later_day_off_moves_to_the_next_working_day(asked: date, due: date) -> None:
    assert working_due(asked, MONDAY, JAPAN_2027) == Due(on=due, asked=asked)
    assert working_due(asked, MONDAY, JAPAN_2027).moved == (asked != due)


def test_today_stays_even_on_a_day_off() -> None:
    sunday = date(2026, 11, 29)
    assert working_due(sunday, sunday, JAPAN_2027) == Due(on=sunday, asked=sunday)


def test_a_calendar_with_no_working_day_leaves_the_date() -> None:
    never = WorkCalendar(working_weekdays=frozenset())
    assert never.working_day_from(MONDAY) == MONDAY
