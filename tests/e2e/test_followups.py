"""/followup end to end, and the follow-ups the method schedules by itself (after a sale, a lost deal's
revisit date, the day after a failure), each of which can be turned off in settings.

The clock stands at Sunday 2026-11-22 10:00 Asia/Tokyo; both users are in Tokyo.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.db import Database
from bot.models import Activity
from tests.support.database import account_id, every_row, followup_named, followups, the_followup
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_TEAM, OTHER_USER, USER
from tests.support.slack_driver import SlackDriver, text_of

TODAY = date(2026, 11, 22)


# --------------------------------------------------------------------------------------------- helpers


# Each test's after-work (announcements, the Home) finishes within it.
pytestmark = pytest.mark.usefixtures("settled")


@pytest.fixture
def no_auto_driver(driver_with: Callable[..., SlackDriver]) -> SlackDriver:
    return driver_with(
        pyramid_followup_after_sale=False,
        pyramid_followup_revisit=False,
        pyramid_followup_after_trouble=False,
    )


@pytest.fixture
def no_after_sale_driver(driver_with: Callable[..., SlackDriver]) -> SlackDriver:
    return driver_with(pyramid_followup_after_sale=False)


# ------------------------------------------------------------------------------------------ /followup


# Days off move a follow-up to the next working day (issue 12): Sunday 11/22, and Monday 11/23 is
# Labour Thanksgiving Day (勤労感謝の日), so both move to Tuesday 11/24; Sunday 12/6 moves to Monday.
@pytest.mark.parametrize(
    ("when", "asked", "due_on"),
    [
        ("2027-04-01", date(2027, 4, 1), date(2027, 4, 1)),
        ("in 2 weeks", date(2026, 12, 6), date(2026, 12, 7)),
        ("next month", date(2026, 12, 1), date(2026, 12, 1)),
        ("4月", date(2027, 4, 1), date(2027, 4, 1)),  # the next April, not the one gone by
        ("来週", date(2026, 11, 23), date(2026, 11, 24)),  # the Monday of next week, as `next week`
        ("next week", date(2026, 11, 23), date(2026, 11, 24)),
        ("today", TODAY, TODAY),  # asked for today: the rep is at work today
        ("tomorrow", date(2026, 11, 23), date(2026, 11, 24)),
    ],
)
def test_followup_dates(driver: SlackDriver, db: Database, when: str, asked: date, due_on: date) -> None:
    driver.run("/meeting", "Acme visit")
    reply = driver.run("/followup", f"Acme {when} -- call about the budget")

    followup = the_followup(db)
    assert followup.due_on == due_on
    moved = "not a working day" in text_of(reply)
    assert moved == (asked != due_on)
    assert followup.note == "call about the budget"
    assert (followup.user_id, followup.created_by, followup.source, followup.status) == (
        USER,
        USER,
        "manual",
        "open",
    )
    assert followup.account_id == account_id(db, "Acme")
    text = text_of(reply)
    assert "Acme" in text and due_on.isoformat() in text
    assert reply.get("response_type") == "ephemeral"


def test_followup_without_a_note(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")
    driver.run("/followup", "Acme 2027-04-01")
    followup = the_followup(db)
    assert followup.note is None and followup.due_on == date(2027, 4, 1)


def test_followup_matches_the_account_name_loosely(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "株式会社アクメ visit")
    driver.run("/followup", "アクメ 2027-04-01")
    assert the_followup(db).account_id == account_id(db, "株式会社アクメ")


def test_followup_for_an_unknown_account_is_refused_and_stores_nothing(
    driver: SlackDriver, db: Database
) -> None:
    driver.run("/meeting", "Acme visit")
    before = every_row(db)
    reply = driver.run("/followup", "Nowhere Corp 2027-04-01 -- call")

    text = text_of(reply)
    assert "Nowhere Corp" in text
    assert "Example" in text and "/followup" in text
    assert every_row(db) == before
    assert followups(db) == []


@pytest.mark.parametrize("when", ["2026-11-01", "yesterday", "3 days ago"])
def test_a_followup_in_the_past_is_refused(driver: SlackDriver, db: Database, when: str) -> None:
    driver.run("/meeting", "Acme visit")
    reply = driver.run("/followup", f"Acme {when}")
    assert "past" in text_of(reply)
    assert "/followup" in text_of(reply)
    assert followups(db) == []


def test_a_followup_without_a_date_is_refused(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")
    reply = driver.run("/followup", "Acme -- call")
    assert "/followup" in text_of(reply)
    assert followups(db) == []


def test_a_followup_in_another_team_cannot_name_this_teams_account(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")
    reply = driver.run("/followup", "Acme 2027-04-01", team=OTHER_TEAM)
    assert "Acme" in text_of(reply)
    assert followups(db) == [] and followups(db, OTHER_TEAM) == []


def test_the_same_followup_delivered_twice_stores_one(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")
    first, first_key = driver.command("/followup", "Acme 2027-04-01 -- call", trigger_id="trig.fu.1")
    second, second_key = driver.command("/followup", "Acme 2027-04-01 -- call", trigger_id="trig.fu.1")
    assert first.status == second.status == 200
    driver.reply(first_key)
    driver.reply(second_key)

    assert the_followup(db).due_on == date(2027, 4, 1)


def test_simultaneous_deliveries_of_one_followup_store_one(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")  # users.info cached: the deliveries race on the database only
    copies = driver.same_delivery("/followup", "Acme 2027-04-01 -- call", "trig.same-fu")
    assert [sent.status for sent, _key in copies] == [200, 200, 200]
    replies = [text_of(driver.reply(key)) for _sent, key in copies]

    assert the_followup(db).due_on == date(2027, 4, 1)
    assert not any("went wrong" in r for r in replies), replies


def test_two_followups_with_different_triggers_are_two(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")
    driver.run("/followup", "Acme 2027-04-01")
    driver.run("/followup", "Acme 2027-04-01")
    assert len(followups(db)) == 2


def test_a_followup_is_the_reps_who_typed_it(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")  # owned by USER
    driver.run("/followup", "Acme 2027-04-01", user=OTHER_USER)
    followup = the_followup(db)
    assert followup.user_id == OTHER_USER and followup.created_by == OTHER_USER


# ------------------------------------------------------------------------------- automatic follow-ups


def test_a_win_today_schedules_a_check_in_a_week_later(driver: SlackDriver, db: Database) -> None:
    reply = driver.run("/deal", "Acme won 1.2M -- first order")
    followup = the_followup(db)
    # A week later is Sunday the 29th, not a working day: the check-in moves to Monday, and says so.
    assert followup.due_on == date(2026, 11, 30)
    assert "not a working day" in text_of(reply)
    assert followup.source == "after_sale"
    assert followup.user_id == USER  # the account's owner
    assert followup.account_id == account_id(db, "Acme")


def test_a_win_logged_for_another_reps_account_goes_to_the_owner(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")  # USER owns it
    driver.run("/deal", "Acme won", user=OTHER_USER)
    followup = the_followup(db)
    assert (followup.user_id, followup.created_by, followup.source) == (USER, OTHER_USER, "after_sale")


def test_a_win_logged_a_few_days_late_gets_a_check_in_not_in_the_past(
    driver: SlackDriver, db: Database
) -> None:
    driver.run("/deal", "Acme won 2026-11-10")
    followup = the_followup(db)
    assert followup.source == "after_sale"
    assert followup.due_on >= TODAY


def test_an_old_win_gets_no_check_in(driver: SlackDriver, db: Database) -> None:
    driver.run("/deal", "Acme won 2026-07-01")
    assert followups(db) == []


def test_a_lost_deal_with_a_revisit_month_schedules_that_day(driver: SlackDriver, db: Database) -> None:
    reply = driver.run("/deal", "Acme lost revisit 2027-04 -- budget next fiscal year")
    followup = the_followup(db)
    assert followup.due_on == date(2027, 4, 1)
    assert followup.source == "revisit"
    assert followup.note == "budget next fiscal year"
    with db.transaction() as s:
        activity = s.scalars(select(Activity)).one()
    assert activity.revisit_on == date(2027, 4, 1)
    assert "2027-04-01" in text_of(reply)


def test_a_lost_deal_without_revisit_schedules_nothing(driver: SlackDriver, db: Database) -> None:
    driver.run("/deal", "Acme lost -- went with a competitor")
    assert followups(db) == []


def test_trouble_schedules_a_followup_the_next_day(
    driver: SlackDriver, db: Database, slack: FakeSlack
) -> None:
    driver.run("/meeting", "Acme visit")
    driver.run("/trouble", "Acme -- delivery arrived two days late")
    slack.wait_for("chat.postMessage", 2)  # the owner's DM and the team channel, posted after the reply
    followup = the_followup(db)
    assert followup.due_on == date(2026, 11, 23)
    assert followup.source == "recovery"
    assert followup.user_id == USER
    assert followup.note == "delivery arrived two days late"


def test_a_duplicate_deal_delivery_schedules_one_check_in(driver: SlackDriver, db: Database) -> None:
    for _ in range(2):
        _, key = driver.command("/deal", "Acme won", trigger_id="trig.deal.1")
        driver.reply(key)
    assert the_followup(db).source == "after_sale"


def test_after_sale_follow_ups_can_be_turned_off(no_after_sale_driver: SlackDriver, db: Database) -> None:
    no_after_sale_driver.run("/deal", "Acme won -- first order")
    assert followups(db) == []
    # The other kinds still run.
    no_after_sale_driver.run("/deal", "Beta lost revisit 2027-04")
    assert [f.source for f in followups(db)] == ["revisit"]


def test_every_automatic_follow_up_can_be_turned_off(
    no_auto_driver: SlackDriver, db: Database, slack: FakeSlack
) -> None:
    no_auto_driver.run("/deal", "Acme won")
    no_auto_driver.run("/deal", "Beta lost revisit 2027-04 -- budget")
    no_auto_driver.run("/trouble", "Acme -- wrong invoice")
    slack.wait_for("chat.postMessage", 2)
    assert followups(db) == []
    # A follow-up typed by hand is still stored.
    no_auto_driver.run("/followup", "Acme 2027-04-01")
    assert [f.source for f in followups(db)] == ["manual"]


# ---------------------------------------------------------------------------- days off (issue 12)


def test_a_check_in_that_would_fall_on_new_years_day_moves_to_the_first_working_day(
    driver: SlackDriver, db: Database, clock: FixedClock
) -> None:
    # Won on Christmas Day 12/25 (a Friday): a week later is New Year's Day, a public holiday in Japan;
    # the 2nd and 3rd are a weekend, so the first working day is Monday 1/4.
    clock.set(datetime(2026, 12, 25, 1, 0, tzinfo=UTC))  # 10:00 in Tokyo
    reply = driver.run("/deal", "Acme won")
    assert the_followup(db).due_on == date(2027, 1, 4)
    text = text_of(reply)
    assert "2027-01-04" in text or "1/4" in text
    assert "not a working day" in text


def test_a_revisit_date_on_a_holiday_moves_in_japanese_too(driver: SlackDriver, db: Database) -> None:
    # OTHER_USER's Slack locale is ja-JP.
    reply = driver.run(
        "/deal", "山田商事 失注 revisit 2027-05-03 -- 予算は来期", user=OTHER_USER
    )  # 憲法記念日
    # 5/3 to 5/5 are holidays (Golden Week); Thursday 5/6 is the next working day.
    assert the_followup(db).due_on == date(2027, 5, 6)
    assert "休業日のため、翌営業日に設定しました。" in text_of(reply)


def test_a_followup_asked_for_a_later_day_off_moves_and_the_reply_says_so(
    driver: SlackDriver, db: Database
) -> None:
    driver.run("/meeting", "Acme visit")
    reply = driver.run("/followup", "Acme 2027-01-01 -- new year call")
    assert the_followup(db).due_on == date(2027, 1, 4)
    assert "not a working day" in text_of(reply)


def test_a_team_that_works_saturdays_keeps_a_saturday_followup(
    driver_with: Callable[..., SlackDriver], db: Database
) -> None:
    saturday_team = driver_with(pyramid_working_days="mon,tue,wed,thu,fri,sat", pyramid_holiday_country="")
    saturday_team.run("/meeting", "Acme visit")
    reply = saturday_team.run("/followup", "Acme 2026-11-28 -- saturday visit")
    assert the_followup(db).due_on == date(2026, 11, 28)
    assert "not a working day" not in text_of(reply)


# ------------------------------------------------------------- a log does the follow-up (issue 12)


def test_the_visit_that_was_planned_closes_its_followup(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme call")
    driver.run("/followup", "Acme 2026-11-26 -- bring the samples")
    driver.run("/followup", "Acme 2027-01-20 -- new year greetings")  # far off: not this visit's job

    reply = driver.run("/meeting", "Acme visit")

    samples, greetings = (followup_named(db, note) for note in ("bring the samples", "new year greetings"))
    visit = db_activities(db)[-1]
    assert (samples.status, samples.done_by, samples.closed_by_activity_id) == ("done", USER, visit.id)
    assert greetings.status == "open"
    assert "Follow-up done: bring the samples" in text_of(reply)


def test_a_win_ends_the_revisit_of_a_lost_deal_however_far_off(driver: SlackDriver, db: Database) -> None:
    driver.run("/deal", "Acme lost revisit 2027-04-01 -- budget next year")
    assert the_followup(db).source == "revisit"
    # OTHER_USER's language is known once Slack has been asked: a first request on a loaded machine may
    # be answered in the team's language while users.info is under way (Runtime.profile's deadline).
    driver.run("/account", "Acme", user=OTHER_USER)
    reply = driver.run("/deal", "Acme won 2M", user=OTHER_USER)

    revisit = followup_named(db, "budget next year")
    assert (revisit.status, revisit.done_by) == ("done", OTHER_USER)
    assert "フォローアップ完了：budget next year" in text_of(reply)  # OTHER_USER reads Japanese


def test_a_log_dated_before_the_followup_was_planned_does_not_close_it(
    driver: SlackDriver, db: Database
) -> None:
    driver.run("/meeting", "Acme call")
    driver.run("/followup", "Acme 2026-11-25 -- call back")
    driver.run("/meeting", "Acme visit 2026-11-20")  # backdated: before the follow-up existed
    assert followup_named(db, "call back").status == "open"


def test_a_lost_deal_closes_nothing(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme call")
    driver.run("/followup", "Acme 2026-11-25 -- ask about the budget")
    driver.run("/deal", "Acme lost")
    assert followup_named(db, "ask about the budget").status == "open"


def db_activities(db: Database) -> list[Activity]:
    with db.read() as session:
        return list(session.scalars(select(Activity).order_by(Activity.id)))


def test_undoing_the_visit_opens_the_followup_it_did_again(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme call")
    driver.run("/followup", "Acme 2026-11-26 -- bring the samples")
    reply = driver.run("/meeting", "Acme visit")
    assert followup_named(db, "bring the samples").status == "done"

    driver.press(reply, "undo_activity")
    samples = followup_named(db, "bring the samples")
    assert (samples.status, samples.done_by, samples.closed_by_activity_id) == ("open", None, None)
