"""Settings per team (issue 15) end to end: `/pyramid settings` opens a modal for a workspace admin (a
rep is refused and nothing opens), its submission is checked field by field and stored with who and
when, and every job then runs on the team's own settings: two teams with their own channel, zone,
language and digest time get their own digests and summaries, each at its own local time.

The clock is set by each test (Monday 2026-11-30 is a working day in Japan and the United States)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.config import Settings
from bot.console.forms import initial_values
from bot.db import Database
from bot.jobs.digest import send_due_digests
from bot.jobs.snapshots import take_snapshots
from bot.jobs.summary import send_due_summaries
from bot.models import TeamSettings
from bot.runtime import TEAM_CONFIG_MEMORY
from tests.support.database import every_row
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_TEAM, TEAM, USER
from tests.support.server import LIVE_RUNTIMES, jobs_client, runtime_for
from tests.support.slack_driver import SlackDriver, as_published_home, find_button, kind_of, settle, text_of

BOSS = "U0BOSS1"  # an admin of both workspaces: users.info says is_admin
NY_REP = "U0NYREP"  # a rep of the other workspace, in New York
JAPANESE = re.compile(r"[ぁ-んァ-ン一-龥]")


@pytest.fixture(autouse=True)
def people(slack: FakeSlack) -> None:
    slack.add_user(BOSS, name="tanaka", tz="Asia/Tokyo", locale="en-US", is_admin=True)
    slack.add_user(NY_REP, name="smith", tz="America/New_York", locale="en-US")


def at(zone: str, hour: int, minute: int = 0, day: int = 30) -> datetime:
    """Monday 2026-11-{day} at this local time in `zone`, as the aware UTC datetime the clock takes."""
    from zoneinfo import ZoneInfo

    return datetime(2026, 11, day, hour, minute, tzinfo=ZoneInfo(zone)).astimezone(UTC)


def open_settings(
    driver: SlackDriver, slack: FakeSlack, *, team: str = TEAM, user: str = BOSS
) -> dict[str, Any]:
    """`/pyramid settings` by an admin: acked empty, the modal opened with the command's trigger."""
    opened = len(slack.calls_to("views.open"))
    sent, _ = driver.command("/pyramid", "settings", user=user, team=team)
    assert sent.status == 200 and not sent.body.strip(), sent
    call = slack.wait_for("views.open", count=opened + 1)[opened]
    view: dict[str, Any] = call.body["view"]
    assert view["callback_id"] == "team_settings"
    return view


def values(view: dict[str, Any], **changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The form as prefilled, with `changes` (field → the element's state) made by the admin."""
    state = initial_values(view)
    for field, change in changes.items():
        block = f"settings_{field}"
        assert block in state, sorted(state)
        state[block][block] = {**state[block][block], **change}
    return state


def option(value: str) -> dict[str, Any]:
    return {"selected_option": {"text": {"type": "plain_text", "text": value}, "value": value}}


def checked(*days: str) -> dict[str, Any]:
    return {"selected_options": [{"text": {"type": "plain_text", "text": d}, "value": d} for d in days]}


def configure(driver: SlackDriver, slack: FakeSlack, team: str, **changes: dict[str, Any]) -> dict[str, Any]:
    view = open_settings(driver, slack, team=team)
    answer = driver.submit(view, values(view, **changes), user=BOSS, team=team)
    assert answer.status == 200 and not answer.body.strip(), answer.body
    return view


def stored(db: Database) -> list[TeamSettings]:
    with db.transaction() as session:
        return list(session.scalars(select(TeamSettings).order_by(TeamSettings.team_id)))


def channel_posts(slack: FakeSlack, channel: str, kind: str) -> list[dict[str, Any]]:
    return [
        c.body
        for c in slack.calls_to("chat.postMessage")
        if c.body.get("channel") == channel and kind_of(c.body) == kind
    ]


def digests_to(slack: FakeSlack, user: str) -> list[dict[str, Any]]:
    """The digests posted in the user's DM (the fake names a DM channel D + the user id)."""
    return [
        c.body
        for c in slack.calls_to("chat.postMessage")
        if c.body.get("channel") in (user, f"D{user}") and kind_of(c.body) == "digest"
    ]


# ------------------------------------------------------------------------------------------- tests


def test_two_teams_get_their_own_digests_and_summaries_at_their_own_time_and_language(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    clock.set(at("Asia/Tokyo", 8, 0, day=29))  # Sunday
    configure(
        driver,
        slack,
        TEAM,
        channel={"selected_conversation": "C0TOKYO"},
        locale=option("ja"),
        timezone=option("Asia/Tokyo"),
        digest_time={"selected_time": "09:00"},
    )
    configure(
        driver,
        slack,
        OTHER_TEAM,
        channel={"selected_conversation": "C0NYC"},
        locale=option("en"),
        timezone=option("America/New_York"),
        digest_time={"selected_time": "07:30"},
    )
    # Something to act on in each workspace: a follow-up due Monday.
    driver.run("/meeting", "Acme visit", user=USER, team=TEAM)
    driver.run("/meeting", "Globex visit", user=NY_REP, team=OTHER_TEAM)
    driver.run("/followup", "Acme 2026-11-30 -- send the quote", user=USER, team=TEAM)
    driver.run("/followup", "Globex 2026-11-30 -- call back", user=NY_REP, team=OTHER_TEAM)
    settle(slack)
    jobs = runtime_for(settings, db, clock)

    def tick(moment: datetime) -> None:
        clock.set(moment)
        take_snapshots(jobs, moment)
        send_due_digests(jobs, jobs_client(slack), moment)
        send_due_summaries(jobs, jobs_client(slack), moment)

    # Monday 08:59 in Tokyo: nothing yet anywhere (New York is still on Sunday evening).
    tick(at("Asia/Tokyo", 8, 59))
    assert digests_to(slack, USER) == [] and digests_to(slack, NY_REP) == []
    assert channel_posts(slack, "C0TOKYO", "summary") == []

    # 09:05 in Tokyo: the Tokyo team's digest and its summary, in its channel and in Japanese.
    tick(at("Asia/Tokyo", 9, 5))
    [tokyo_digest] = digests_to(slack, USER)
    assert "Acme" in text_of(tokyo_digest)
    [tokyo_summary] = channel_posts(slack, "C0TOKYO", "summary")
    assert JAPANESE.search(text_of(tokyo_summary)), text_of(tokyo_summary)
    assert digests_to(slack, NY_REP) == [] and channel_posts(slack, "C0NYC", "summary") == []
    assert channel_posts(slack, "C0TEAM", "summary") == []  # the default channel is nobody's now

    # 07:35 in New York (its own digest time): its digest; its summary waits for its own 09:00.
    tick(at("America/New_York", 7, 35))
    [ny_digest] = digests_to(slack, NY_REP)
    assert "Globex" in text_of(ny_digest) and "Acme" not in text_of(ny_digest)
    assert channel_posts(slack, "C0NYC", "summary") == []

    tick(at("America/New_York", 9, 5))
    [ny_summary] = channel_posts(slack, "C0NYC", "summary")
    assert not JAPANESE.search(text_of(ny_summary)), text_of(ny_summary)
    # Each once: the Tokyo team got nothing twice.
    assert len(digests_to(slack, USER)) == 1 and len(channel_posts(slack, "C0TOKYO", "summary")) == 1


def test_an_admin_moves_the_team_channel_and_the_next_summary_goes_there(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    clock.set(at("Asia/Tokyo", 8, 0, day=29))
    driver.run("/meeting", "Acme visit")
    app_runtime = LIVE_RUNTIMES[-1]
    assert app_runtime.team_config(TEAM).channel == "C0TEAM"  # the default, now cached in the app

    view = open_settings(driver, slack)
    assert view["blocks"]  # prefilled with what is in use
    prefilled = initial_values(view)
    assert prefilled["settings_channel"]["settings_channel"]["selected_conversation"] == "C0TEAM"
    assert prefilled["settings_dormant_customer"]["settings_dormant_customer"]["value"] == "90"
    answer = driver.submit(view, values(view, channel={"selected_conversation": "C0NEWS"}), user=BOSS)
    assert answer.status == 200 and not answer.body.strip(), answer.body

    [row] = stored(db)
    assert (row.team_id, row.channel, row.updated_by) == (TEAM, "C0NEWS", BOSS)
    assert row.updated_at == clock.now()
    # The app's cache was dropped at once (the clock stands still: no expiry could explain it).
    assert app_runtime.team_config(TEAM).channel == "C0NEWS"
    # The admin is told, and the bot joins the new channel.
    settle(slack)
    confirmations = [c.body for c in slack.calls_to("chat.postEphemeral") if c.body.get("user") == BOSS]
    confirmations += [c.body for c in slack.calls_to("chat.postMessage") if c.body.get("channel") == BOSS]
    assert any("Team settings saved" in text_of(body) and "C0NEWS" in text_of(body) for body in confirmations)
    assert "C0NEWS" in [c.body.get("channel") for c in slack.calls_to("conversations.join")]

    clock.set(at("Asia/Tokyo", 9, 5))
    jobs = runtime_for(settings, db, clock)
    take_snapshots(jobs, clock.now())
    send_due_summaries(jobs, jobs_client(slack), clock.now())
    assert len(channel_posts(slack, "C0NEWS", "summary")) == 1
    assert channel_posts(slack, "C0TEAM", "summary") == []


def test_another_replica_sees_the_change_once_its_memory_expires(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    clock.set(at("Asia/Tokyo", 8, 0))
    other_replica = runtime_for(settings, db, clock)
    assert other_replica.team_config(TEAM).channel == "C0TEAM"
    configure(driver, slack, TEAM, channel={"selected_conversation": "C0NEWS"})

    assert other_replica.team_config(TEAM).channel == "C0TEAM"  # still remembered
    clock.set(clock.now() + TEAM_CONFIG_MEMORY + timedelta(seconds=1))
    assert other_replica.team_config(TEAM).channel == "C0NEWS"


def test_a_rep_is_refused_and_nothing_opens(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    driver.run("/meeting", "Acme visit")
    before = every_row(db)
    reply = driver.run("/pyramid", "settings", user=USER)
    assert reply["response_type"] == "ephemeral"
    assert "Only workspace admins and owners" in text_of(reply), text_of(reply)
    assert slack.calls_to("views.open") == []
    assert every_row(db) == before


def test_a_rep_cannot_submit_a_settings_form_either(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    view = open_settings(driver, slack)
    before = every_row(db)
    answer = driver.submit(view, values(view, channel={"selected_conversation": "C0MINE"}), user=USER)
    assert answer.status == 200
    assert answer.json()["response_action"] == "update"
    assert "Only workspace admins and owners" in str(answer.json()["view"])
    assert every_row(db) == before


def test_bad_values_get_an_error_under_each_field_and_store_nothing(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    view = open_settings(driver, slack)
    before = every_row(db)
    answer = driver.submit(
        view,
        values(
            view,
            dormant_prospect={"value": "0"},
            holiday_country={"value": "XX"},
            working_days=checked(),
        ),
        user=BOSS,
    )
    body = answer.json()
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {
        "settings_dormant_prospect",
        "settings_holiday_country",
        "settings_working_days",
    }
    assert "from 1 to 3650, for example 90" in body["errors"]["settings_dormant_prospect"]
    assert "XX" in body["errors"]["settings_holiday_country"]
    assert every_row(db) == before
    assert stored(db) == []


def test_the_errors_are_in_the_admins_language(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    slack.add_user(BOSS, name="tanaka", tz="Asia/Tokyo", locale="ja-JP", is_admin=True)
    view = open_settings(driver, slack)
    assert view["title"]["text"] == "チーム設定"
    answer = driver.submit(view, values(view, dormant_repeater={"value": "abc"}), user=BOSS)
    assert answer.json()["errors"] == {
        "settings_dormant_repeater": "1〜3650 の日数を整数で入力してください（例：90）。"
    }
    assert stored(db) == []


def test_the_home_shows_settings_to_admins_only_and_the_button_opens_the_modal(
    driver: SlackDriver, slack: FakeSlack
) -> None:
    def home_of(user: str) -> dict[str, Any]:
        settle(slack)
        published = len(slack.calls_to("views.publish"))
        driver.event(
            {
                "type": "event_callback",
                "team_id": TEAM,
                "api_app_id": "A0PYRAMID",
                "event": {"type": "app_home_opened", "user": user, "tab": "home", "channel": "D0HOME"},
                "event_id": f"Ev{user}{published}",
                "event_time": 1700000000,
            }
        )
        call = slack.wait_for("views.publish", count=published + 1)[published]
        assert call.body["user_id"] == user
        view: dict[str, Any] = call.body["view"]
        return view

    driver.run("/meeting", "Acme visit", user=BOSS)  # the admin's profile is cached (users.info: is_admin)
    boss_home = home_of(BOSS)
    with pytest.raises(AssertionError, match="no button open_team_settings"):
        find_button(home_of(USER), "open_team_settings")

    opened = len(slack.calls_to("views.open"))
    sent, _ = driver.press(as_published_home(boss_home), "open_team_settings", user=BOSS)
    assert sent.status == 200
    call = slack.wait_for("views.open", count=opened + 1)[opened]
    assert call.body["view"]["callback_id"] == "team_settings"


def test_time_and_days_round_trip_through_the_form(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    configure(
        driver,
        slack,
        TEAM,
        working_days=checked("mon", "tue", "wed", "thu", "fri", "sat"),
        summary_day=option("fri"),
        summary_time={"selected_time": "17:30"},
        managers={"selected_users": [USER]},
        holiday_country={"value": "us"},
    )
    [row] = stored(db)
    assert (row.working_days, row.summary_weekday, row.summary_time) == (
        "mon,tue,wed,thu,fri,sat",
        4,
        time(17, 30),
    )
    assert (row.managers, row.holiday_country) == (USER, "US")
    # USER is a manager of this team now: they may open the settings too.
    view = open_settings(driver, slack, user=USER)
    prefilled = initial_values(view)
    assert prefilled["settings_summary_time"]["settings_summary_time"]["selected_time"] == "17:30"


def test_the_console_opens_the_same_modal_refuses_a_bad_field_and_stores_the_fixed_one(
    db: Database, clock: FixedClock, database_url: str
) -> None:
    from bot.console.run import run_console

    clock.set(at("Asia/Tokyo", 10))
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        pyramid_locale="en",
        pyramid_timezone="Asia/Tokyo",
    )
    # Channel, language (2: Japanese), six fields kept, the acquaintance kept, the prospect 0 (refused),
    # the rest kept; asked again for the prospect: 120.
    answers = ["/pyramid settings", "C0NEWS", "2", "", "", "", "", "", "", "", "0", "", "", "", "", "", "120"]
    stdout = io.StringIO()
    status = run_console(
        settings, db, clock, stdin=io.StringIO("\n".join([*answers, "quit", ""])), stdout=stdout
    )
    printed = stdout.getvalue()
    assert status == 0
    assert "== Team settings ==" in printed
    assert "prospect: Enter whole days from 1 to 3650, for example 90." in printed, printed
    assert "Team settings saved" in printed
    [row] = stored(db)
    assert (row.team_id, row.channel, row.locale, row.dormant_prospect) == ("T0LOCAL", "C0NEWS", "ja", 120)
    assert row.updated_by == "U0LOCAL"


def test_a_complaint_is_told_in_the_teams_own_channel_and_language(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock
) -> None:
    clock.set(at("Asia/Tokyo", 10))
    configure(driver, slack, TEAM, channel={"selected_conversation": "C0NEWS"}, locale=option("ja"))
    driver.run("/meeting", "Acme visit")
    driver.run("/trouble", "Acme delivery -- the parts came late")
    settle(slack)
    [post] = channel_posts(slack, "C0NEWS", "trouble_post")
    assert JAPANESE.search(text_of(post)), text_of(post)
    assert channel_posts(slack, "C0TEAM", "trouble_post") == []
