"""`/account <name> renewal <kind> <date> [lead <months>]` end to end (issue 12: timing you can record).

The clock stands at Sunday 2026-11-22 10:00 Asia/Tokyo; USER reads English, OTHER_USER Japanese.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.models import Renewal
from tests.support.database import every_row, followups, the_followup
from tests.support.ids import OTHER_USER
from tests.support.slack_driver import SlackDriver, text_of

pytestmark = pytest.mark.usefixtures("settled")


def renewals(db: Database) -> list[Renewal]:
    with db.read() as session:
        return list(session.scalars(select(Renewal).order_by(Renewal.id)))


def test_a_lease_end_schedules_the_follow_up_three_months_before(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")
    reply = text_of(driver.run("/account", "Acme renewal lease 2027-06-30 lead 3"))

    [renewal] = renewals(db)
    followup = the_followup(db)
    assert (renewal.kind, renewal.ends_on, renewal.lead_months, renewal.followup_id) == (
        "lease",
        date(2027, 6, 30),
        3,
        followup.id,
    )
    assert (followup.due_on, followup.source, followup.status) == (date(2027, 3, 30), "renewal", "open")
    assert "lease ends 2027-06-30" in (followup.note or "")
    assert "3 months before" in reply and "2027-03-30" in reply


def test_in_japanese_as_a_rep_types_it(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "山田商事 訪問", user=OTHER_USER)
    reply = text_of(driver.run("/account", "山田商事 更新 リース 2027/6/30 2ヶ月前", user=OTHER_USER))
    followup = the_followup(db)
    assert followup.due_on == date(2027, 4, 30)
    assert "リース" in (followup.note or "") and "2ヶ月前" in (followup.note or "")
    assert "記録しました" in reply and "リース" in reply and "4/30(金)" in reply


def test_recording_it_again_moves_the_date_and_its_follow_up(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")
    driver.run("/account", "Acme renewal contract 2027-06-30")
    reply = text_of(driver.run("/account", "Acme renewal contract 2027-09-30 lead 4"))
    [renewal] = renewals(db)
    [followup] = followups(db)
    assert (renewal.ends_on, renewal.lead_months) == (date(2027, 9, 30), 4)
    assert followup.due_on == date(2027, 5, 31)
    assert "Moved" in reply


def test_a_reminder_date_on_a_holiday_moves_to_the_next_working_day(
    driver: SlackDriver, db: Database
) -> None:
    driver.run("/meeting", "Acme visit")
    reply = text_of(driver.run("/account", "Acme renewal budget 2027-04-01 lead 3"))
    assert the_followup(db).due_on == date(2027, 1, 4)  # 1/1 is New Year's Day, then a weekend
    assert "not a working day" in reply


def test_an_end_nearer_than_the_lead_time_is_due_today(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")
    driver.run("/account", "Acme renewal warranty 2027-01-15")
    assert the_followup(db).due_on == date(2026, 11, 22)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("Acme renewal boat 2027-06-30", "not a renewal I know"),
        ("Acme renewal lease", "Say when it ends"),
        ("Acme renewal lease 2025-06-30", "has passed"),
        ("Acme renewal lease 2027-06-30 lead 30", "0 to 24 months"),
        ("Nobody renewal lease 2027-06-30", "Nobody"),
    ],
)
def test_bad_renewals_are_refused_and_store_nothing(
    driver: SlackDriver, db: Database, text: str, says: str
) -> None:
    driver.run("/meeting", "Acme visit")
    before = every_row(db)
    reply = text_of(driver.run("/account", text))
    assert says in reply
    assert every_row(db) == before
