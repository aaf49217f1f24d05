"""Rules of the method that have no other test file: the follow-ups it schedules by itself, and the
stored vocabularies (statuses, sources, reasons) that must keep their stored values."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.delivery import DeliveryStatus
from bot.domain.followups import (
    AFTER_SALE_DAYS,
    STALE_SALE_DAYS,
    FollowupSource,
    FollowupStatus,
    after_sale_due,
    recovery_check_on,
    snoozed_until,
)
from bot.domain.stages import StepReason

TODAY = date(2026, 11, 24)


def test_the_methods_follow_up_days() -> None:
    assert (AFTER_SALE_DAYS, STALE_SALE_DAYS) == (7, 30)


def test_a_sale_is_followed_up_a_week_later() -> None:
    assert after_sale_due(TODAY, TODAY) == date(2026, 12, 1)
    assert after_sale_due(date(2026, 11, 20), TODAY) == date(2026, 11, 27)


@pytest.mark.parametrize(
    ("won_on", "due"),
    [
        (date(2026, 11, 17), date(2026, 11, 24)),  # exactly a week ago: today
        (date(2026, 11, 10), TODAY),  # logged late: check in now
        (date(2026, 10, 25), TODAY),  # 30 days ago: still worth it
        (date(2026, 10, 24), None),  # 31 days ago: moot
    ],
)
def test_a_win_logged_late(won_on: date, due: date | None) -> None:
    assert after_sale_due(won_on, TODAY) == due


def test_snooze_and_the_day_after_a_failure() -> None:
    assert snoozed_until(TODAY) == date(2026, 12, 1)
    assert recovery_check_on(TODAY) == date(2026, 11, 25)


def test_stored_values_do_not_change() -> None:
    assert [status.value for status in FollowupStatus] == ["open", "done", "cancelled"]
    assert [source.value for source in FollowupSource] == [
        "manual",
        "after_sale",
        "revisit",
        "recovery",
        "renewal",
    ]
    assert [reason.value for reason in StepReason] == ["activity", "import", "manual", "correction"]
    assert [status.value for status in DeliveryStatus] == [
        "pending",
        "claimed",
        "sent",
        "empty",
        "failed",
        "dropped",
    ]


def test_a_delivery_is_done_once_sent_or_empty_or_dropped_with_its_team() -> None:
    assert {status for status in DeliveryStatus if status.is_done} == {
        DeliveryStatus.SENT,
        DeliveryStatus.EMPTY,
        DeliveryStatus.DROPPED,
    }
