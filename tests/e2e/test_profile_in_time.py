"""A rep's own day dates what they log: never the team's day taken for theirs because Slack was slow
to say where the rep is (Runtime.profile's deadline, Asker.today)."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.db import Database
from bot.models import SlackUser
from tests.support.database import activities_of, all_accounts
from tests.support.fake_slack import FakeSlack
from tests.support.slack_driver import SlackDriver, text_of

LA_REP = "U0LAREP"
# 2026-11-22 01:00 UTC: Sunday the 22nd in Tokyo (the team's zone), still Saturday the 21st in LA.
SATURDAY_IN_LA = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


def _profile_stored(db: Database, user_id: str, timeout: float = 5.0) -> SlackUser:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with db.read() as session:
            row = session.scalar(select(SlackUser).where(SlackUser.user_id == user_id))
        if row is not None:
            return row
        time.sleep(0.05)
    raise AssertionError(f"users.info's answer about {user_id} was never stored")


def test_a_new_reps_first_log_is_not_dated_by_the_teams_day_while_slack_is_slow_to_say_their_zone(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock
) -> None:
    clock.set(SATURDAY_IN_LA)
    slack.add_user(LA_REP, name="lee", tz="America/Los_Angeles", locale="en-US")
    # Slack answers about the rep only after 1.6 s: past the profile's deadline (1 s), within the ack's.
    slack.fail("users.info", "timeout", after_effect=True, delay=1.6)

    refused = driver.run("/meeting", "Acme visit", user=LA_REP)

    assert "Nothing was stored" in text_of(refused) and "time zone" in text_of(refused), text_of(refused)
    assert "Example" not in text_of(refused)  # the line was right: only the moment was not
    assert all_accounts(db) == []
    # Slack's late answer is kept: sent again, the log is dated by the rep's own day.
    _profile_stored(db, LA_REP)
    stored = driver.run("/meeting", "Acme visit", user=LA_REP)

    [account] = all_accounts(db)
    [activity] = activities_of(db, account.id)
    assert activity.occurred_on == date(2026, 11, 21), text_of(stored)
    assert "on 2026-11-21 (Sat)" in text_of(stored)


def test_while_the_zone_is_asked_a_form_still_opens_on_the_teams_day(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock
) -> None:
    # Showing a day the rep sees and can change is no guess: the log modal opens, dated the team's day.
    clock.set(SATURDAY_IN_LA)
    slack.add_user(LA_REP, tz="America/Los_Angeles")
    slack.fail("users.info", "timeout", after_effect=True, delay=1.6)

    driver.command("/meeting", "", user=LA_REP)

    [opened] = slack.wait_for("views.open")
    assert "2026-11-22" in str(opened.body["view"])


def test_a_known_reps_day_old_profile_answers_at_once_and_is_refreshed_after(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock
) -> None:
    clock.set(SATURDAY_IN_LA)
    slack.add_user(LA_REP, tz="America/Los_Angeles")
    driver.run("/pyramid", "me", user=LA_REP)
    asked = len(slack.wait_for("users.info"))
    # A day and a half later Slack is slow; the rep has also moved to New York.
    clock.set(SATURDAY_IN_LA + timedelta(hours=36))  # 2026-11-23 13:00 UTC: Monday 05:00 in LA
    slack.add_user(LA_REP, tz="America/New_York")
    slack.fail("users.info", "timeout", after_effect=True, delay=1.0)

    reply = driver.run("/meeting", "Acme visit", user=LA_REP)

    [activity] = activities_of(db, all_accounts(db)[0].id)
    assert activity.occurred_on == date(2026, 11, 23), text_of(reply)  # the stored zone, at once
    slack.wait_for("users.info", asked + 1)  # and Slack asked again after the answer
    end = time.monotonic() + 5
    while _profile_stored(db, LA_REP).tz != "America/New_York":
        assert time.monotonic() < end, "the day-old profile was never refreshed"
        time.sleep(0.05)


def test_the_time_a_first_profile_read_took_is_taken_from_the_stores_deadline(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Slack's 3 s for the ack are shared: a rep never seen before waited 0.8 s for users.info, so the
    # store that follows is raced against what is left of the 2.1 s budget, not its full 1.6 s.
    from bot.runtime import Runtime

    raced: list[float] = []
    race = Runtime._race

    def recorded(self: Runtime, run: object, attempt: object, deadline: float) -> object:
        raced.append(deadline)
        return race(self, run, attempt, deadline)  # type: ignore[arg-type]

    monkeypatch.setattr(Runtime, "_race", recorded)
    clock.set(SATURDAY_IN_LA)
    slack.add_user(LA_REP, tz="America/Los_Angeles")
    slack.fail("users.info", "timeout", after_effect=True, delay=0.8)

    reply = driver.run("/meeting", "Acme visit", user=LA_REP)

    assert "Logged" in text_of(reply), text_of(reply)
    assert [activity.occurred_on for activity in activities_of(db, all_accounts(db)[0].id)] == [
        date(2026, 11, 21)
    ]
    assert raced and 1.1 <= raced[0] <= 1.3, raced
    raced.clear()
    driver.run("/meeting", "Acme call", user=LA_REP)  # a cached profile: the store's whole deadline
    assert raced and raced[0] == 1.6, raced


def test_a_japanese_team_is_told_in_japanese_that_nothing_was_stored_yet(
    driver_with: Callable[..., SlackDriver], slack: FakeSlack, db: Database, clock: FixedClock
) -> None:
    driver = driver_with(pyramid_locale="ja")
    clock.set(SATURDAY_IN_LA)
    slack.add_user(LA_REP, tz="America/Los_Angeles", locale="ja-JP")
    slack.fail("users.info", "timeout", after_effect=True, delay=1.6)

    refused = text_of(driver.run("/meeting", "山田商事 訪問", user=LA_REP))

    assert "何も保存していません" in refused and "タイムゾーン" in refused, refused
    assert "例" not in refused and "Nothing" not in refused, refused
    assert all_accounts(db) == []
