"""The team view end to end (issue: trends, conversion, time in stage, retention; stage announcements;
the weekly summary with its chart): real commands through the signed HTTP endpoint, jobs run against the
fake Web API, and the counts checked against `pyramid-bot export`.

The clock stands at Sunday 2026-11-22 10:00 Asia/Tokyo unless a test moves it.
"""

from __future__ import annotations

import io
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any, TypeVar

import matplotlib.image
import numpy as np
import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.i18n import t
from bot.jobs.announcements import announce_last_hour
from bot.jobs.outbox import Outcome
from bot.jobs.snapshots import take_snapshots
from bot.jobs.summary import send_due_summaries
from bot.runtime import Runtime
from bot.services.imports import apply_import, read_import
from tests.support.database import cli_environment
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_USER, TEAM, USER
from tests.support.server import jobs_client
from tests.support.slack_driver import (
    SlackDriver,
    drawn_pyramid,
    eventually,
    kind_of,
    posts_of_kind,
    run_logged,
    settle,
    text_of,
)

TEAM_CHANNEL = "C0TEAM"
T = TypeVar("T")


def jst(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment given in Tokyo time (UTC+9, no daylight saving), as the aware UTC datetime the clock takes."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=9)


# --------------------------------------------------------------------------------------------- helpers


def posted(results: list[Any]) -> list[Outcome]:
    """What an hourly run did, leaving out the hours it found nothing to say about."""
    return [result.outcome for result in results if result.outcome is not Outcome.EMPTY]


def channel_posts(slack: FakeSlack, channel: str = TEAM_CHANNEL) -> list[dict[str, Any]]:
    return [c.body for c in slack.calls_to("chat.postMessage") if c.body.get("channel") == channel]


def wait_posts(slack: FakeSlack, count: int, channel: str = TEAM_CHANNEL) -> list[dict[str, Any]]:
    """The posts to `channel` once there are at least `count` of them (Bolt posts after the ack)."""
    eventually(lambda: len(channel_posts(slack, channel)) >= count)
    settle(slack)
    return channel_posts(slack, channel)


# A drawn stage line: bar, count, 7d change, 30d change, stage number and name.
TREND_LINE = re.compile(r"(\d+) +([+-]\d+|±0|–) +([+-]\d+|±0|–)  (\d) \S")


def trend_columns(reply: dict[str, Any]) -> dict[int, tuple[int, str, str]]:
    """{stage: (count, 7d, 30d)} read back from the drawn pyramid."""
    found = {}
    for line in drawn_pyramid(reply).strip("`\n").splitlines():
        match = TREND_LINE.search(line)
        if match:
            found[int(match[4])] = (int(match[1]), match[2], match[3])
    assert sorted(found) == [1, 2, 3, 4], drawn_pyramid(reply)
    return found


def export_stages(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    database_url: str,
    owner: str | None = None,
    day: str = "2026-11-22",
) -> Counter[int]:
    """`pyramid-bot export --format json --date day`, the active rows (the pyramid's) counted by stage
    for TEAM (and one owner)."""
    cli_environment(monkeypatch, database_url, tmp_path)
    capsys.readouterr()
    assert main(["export", "--format", "json", "--date", day]) == 0
    rows = json.loads(capsys.readouterr().out)
    return Counter(
        int(row["stage"])
        for row in rows
        if row["team_id"] == TEAM and (owner is None or row["owner"] == owner) and row["status"] == "active"
    )


# --------------------------------------------------------------------------------------------- /pyramid


def build_trend_history(driver: SlackDriver, slack: FakeSlack, clock: FixedClock, runtime: Runtime) -> None:
    """Two customers won more than a year ago (one still touched), then 30 and 7 days of logging with a
    snapshot taken on each of those days; then today's logging. All USER's. The two old customers are
    dormant (untouched for more than 90 days) in both snapshots, so neither counts there; Stayco's touch
    today brings it back, Oldco stays beside the pyramid.

    Oct 23: Acme (visit), Globex (call), Initech (email)        → snapshot 3 / 0 / 0 / 0
    Nov 15: Acme met twice (→ 2), Umbrella, Hooli (visits)      → snapshot 4 / 1 / 0 / 0
    Nov 22: Acme won (→ 3), Soylent (visit), Wonka won (1 → 3)  → now      5 / 0 / 3 / 0
    """
    # (day, what USER logs that day, whether the day's snapshot is taken after it)
    days: list[tuple[datetime, list[tuple[str, str]], bool]] = [
        (jst(2025, 10, 1), [("/deal", "Oldco won")], False),
        (jst(2025, 11, 1), [("/deal", "Stayco won")], False),
        (
            jst(2026, 10, 23),
            [("/meeting", "Acme visit"), ("/meeting", "Globex call"), ("/meeting", "Initech email")],
            True,
        ),
        (
            jst(2026, 11, 15),
            [("/meeting", "Acme visit"), ("/meeting", "Umbrella visit"), ("/meeting", "Hooli visit")],
            True,
        ),
        (
            jst(2026, 11, 22),
            [
                ("/deal", "Acme won"),
                ("/meeting", "Soylent visit"),
                ("/deal", "Wonka won"),
                ("/meeting", "Stayco visit"),  # the old customer still touched
            ],
            False,
        ),
    ]
    for day, commands, snapshot in days:
        clock.set(day)
        run_logged(driver, slack, [(command, text, USER) for command, text in commands])
        if snapshot:
            take_snapshots(runtime, clock.now())


@pytest.fixture
def runtime(settings: Settings, db: Database, clock: FixedClock) -> Runtime:
    return Runtime(settings=settings, db=db, clock=clock)


def test_pyramid_before_any_snapshot_shows_dashes(driver: SlackDriver, slack: FakeSlack) -> None:
    run_logged(driver, slack, [("/meeting", "Acme visit", USER), ("/deal", "Wonka won", USER)])
    reply = driver.run("/pyramid")
    assert trend_columns(reply) == {4: (0, "–", "–"), 3: (1, "–", "–"), 2: (0, "–", "–"), 1: (1, "–", "–")}
    lines = drawn_pyramid(reply).splitlines()
    assert "7d" in lines[1] and "30d" in lines[1], lines[:2]
    assert "Trends start once daily snapshots exist" in text_of(reply)


def test_pyramid_shows_the_7_and_30_day_changes_once_snapshots_exist(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock, runtime: Runtime
) -> None:
    build_trend_history(driver, slack, clock, runtime)
    reply = driver.run("/pyramid")
    assert trend_columns(reply) == {
        4: (0, "±0", "±0"),
        3: (3, "+3", "+3"),
        2: (0, "-1", "±0"),
        1: (5, "+1", "+2"),
    }
    assert "Trends start once" not in text_of(reply)
    assert "Beside the pyramid: 1 dormant (stage 3: 1), 0 lost" in text_of(reply)
    # Per rep: everything is USER's, so `me` has the same columns; OTHER_USER has none of it.
    mine = driver.run("/pyramid", "me")
    assert trend_columns(mine) == trend_columns(reply)
    theirs = driver.run("/pyramid", f"<@{OTHER_USER}|suzuki>")
    assert "No accounts yet" in text_of(theirs)


def test_pyramid_analytics_lines_by_hand(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock, runtime: Runtime
) -> None:
    """Over the last 90 days (since Aug 24): 7 accounts created; Acme 1 → 2 → 3 and Wonka 1 → 3 moved up,
    two customers were there before. Conversion 1→2: 2 of 0 + 7; 2→3: 2 of 0 + 2; 3→4: 0 of 2 + 2.
    Days in stage 1: Acme 23 (Oct 23 → Nov 15), Wonka 0 → median 11.5; stage 2: Acme 7.
    Retention: Oldco and Stayco became customers over a year ago; only Stayco was touched since."""
    build_trend_history(driver, slack, clock, runtime)
    text = text_of(driver.run("/pyramid"))
    assert "Moved up in the last 90 days: 1→2 29% · 2→3 100% · 3→4 0%" in text, text
    assert "Median days in a stage before moving up: 1: 12 · 2: 7 · 3: –" in text, text
    assert (
        "Retention: 1 of 2 customers won a year or more ago were touched in the last 90 days "
        "(50%; the method's reference is about 50%)." in text
    ), text


def test_pyramid_analytics_lines_in_english_and_japanese(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock, runtime: Runtime
) -> None:
    run_logged(driver, slack, [("/meeting", "Acme visit", USER), ("/deal", "Wonka won", USER)])
    english = text_of(driver.run("/pyramid", "detail"))
    for expected in (
        "Moved up in the last 90 days: 1→2",
        "Median days in a stage before moving up:",
        "Retention: no customers won a year or more ago yet",
        "about 50%",
        "Not healthy",
    ):
        assert expected in english, (expected, english)
    japanese_reply = driver.run("/pyramid", user=OTHER_USER)
    japanese = text_of(japanese_reply)
    for expected in (
        "直近90日のステージアップ率：1→2",
        "次のステージに上がるまでの日数（中央値）",
        "継続率",
        "約50%",
    ):
        assert expected in japanese, (expected, japanese)
    assert "Retention" not in japanese and "Moved up" not in japanese
    assert "7日" in drawn_pyramid(japanese_reply) and "30日" in drawn_pyramid(japanese_reply)


def test_pyramid_health_advice_for_each_failure(driver: SlackDriver, slack: FakeSlack) -> None:
    # 1 / 1 / 2 / 0: stage 1 does not outnumber 2, stage 2 does not outnumber 3; 3 > 4 holds.
    run_logged(
        driver,
        slack,
        [
            ("/meeting", "Acme visit", USER),
            ("/meeting", "Globex meal", USER),
            ("/deal", "Initech won", USER),
            ("/deal", "Wonka won", USER),
        ],
    )
    text = text_of(driver.run("/pyramid"))
    assert "Stage 1 (1) ≤ stage 2 (1): add new acquaintances" in text, text
    assert "Stage 2 (1) ≤ stage 3 (2): turn acquaintances into prospects" in text, text
    assert "Stage 3 (" not in text


def test_pyramid_counts_agree_with_export(
    driver: SlackDriver,
    slack: FakeSlack,
    clock: FixedClock,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    database_url: str,
) -> None:
    build_trend_history(driver, slack, clock, runtime)
    run_logged(
        driver, slack, [("/deal", "Tyrell won", OTHER_USER), ("/meeting", "Cyberdyne meal", OTHER_USER)]
    )
    team = driver.run("/pyramid")
    mine = driver.run("/pyramid", "me")
    theirs = driver.run("/pyramid", f"<@{OTHER_USER}|suzuki> detail")

    exported = export_stages(monkeypatch, capsys, tmp_path, database_url)
    assert {stage: count for stage, (count, _, _) in trend_columns(team).items()} == {
        s: exported[s] for s in (1, 2, 3, 4)
    }
    assert team["text"] == "Team pyramid — " + " · ".join(f"{s}: {exported[s]}" for s in (4, 3, 2, 1))
    assert t("en", "pyramid_total", total=sum(exported.values())) in text_of(team)
    for reply, owner in ((mine, USER), (theirs, OTHER_USER)):
        by_owner = export_stages(monkeypatch, capsys, tmp_path, database_url, owner)
        assert {stage: count for stage, (count, _, _) in trend_columns(reply).items()} == {
            s: by_owner[s] for s in (1, 2, 3, 4)
        }


def test_share_posts_the_pyramid_with_its_analytics_to_the_channel(
    driver: SlackDriver, slack: FakeSlack
) -> None:
    run_logged(driver, slack, [("/meeting", "Acme visit", USER)])
    reply = driver.run("/pyramid")
    sent, key = driver.press(reply, "share_pyramid")
    assert sent.status == 200
    shared = driver.reply(key)
    assert shared["response_type"] == "in_channel"
    assert shared.get("replace_original") is False
    assert "Moved up in the last 90 days" in text_of(shared)
    assert f"<@{USER}>" in text_of(shared)
    assert trend_columns(shared) == trend_columns(reply)


# --------------------------------------------------------------------------------------------- announcements


def test_a_stage_change_is_announced_once_with_who_what_and_a_party_for_a_win(
    driver: SlackDriver, slack: FakeSlack
) -> None:
    run_logged(driver, slack, [("/deal", "Wonka won", USER)])
    [win] = wait_posts(slack, 1)
    assert win["text"] == f"🎉 <@{USER}> moved *Wonka* from Acquaintance to Customer (won deal)."
    assert kind_of(win) == "stage_change"

    # Steps inside stage 1 are not announced...
    run_logged(driver, slack, [("/meeting", "Acme call", USER), ("/meeting", "Acme visit", USER)])
    assert len(channel_posts(slack)) == 1
    # ...the step into stage 2 is, without a party.
    run_logged(driver, slack, [("/meeting", "Acme visit", OTHER_USER)])
    posts = wait_posts(slack, 2)
    assert len(posts) == 2
    assert posts[1]["text"].startswith("📈 ")
    assert "🎉" not in posts[1]["text"]
    # The Japanese-speaking rep did it; the channel reads the team's language and names who.
    assert f"<@{OTHER_USER}>" in posts[1]["text"]
    assert "*Acme* from Acquaintance to Prospect (visit)" in posts[1]["text"]


def test_a_duplicate_delivery_announces_nothing_more(driver: SlackDriver, slack: FakeSlack) -> None:
    first = driver.run("/deal", "Wonka won", trigger_id="trig.same-delivery")
    assert len(wait_posts(slack, 1)) == 1
    again = driver.run("/deal", "Wonka won", trigger_id="trig.same-delivery")
    time.sleep(0.2)
    settle(slack)
    assert "Logged" in text_of(first)
    assert "Wonka" in text_of(again)  # answered, but stored and announced nothing
    assert len(channel_posts(slack)) == 1


def test_a_repeat_win_within_customers_is_not_announced_and_the_third_is(
    driver: SlackDriver, slack: FakeSlack
) -> None:
    run_logged(driver, slack, [("/deal", "Wonka won", USER)])
    wait_posts(slack, 1)
    run_logged(driver, slack, [("/deal", "Wonka won", USER)])
    assert len(channel_posts(slack)) == 1  # 3.1 → 3.2 is a step, not a stage
    run_logged(driver, slack, [("/deal", "Wonka won", USER)])
    posts = wait_posts(slack, 2)
    assert len(posts) == 2
    assert posts[1]["text"] == f"🎉 <@{USER}> moved *Wonka* from Customer to Repeater (won deal)."


@pytest.fixture
def hourly(driver_with: Callable[..., SlackDriver]) -> SlackDriver:
    return driver_with(pyramid_announce_hourly=True)


def hourly_runtime(settings: Settings, db: Database, clock: FixedClock) -> Runtime:
    return Runtime(settings=settings.model_copy(update={"pyramid_announce_hourly": True}), db=db, clock=clock)


def test_hourly_batching_posts_one_message_at_the_next_hour(
    hourly: SlackDriver, slack: FakeSlack, settings: Settings, db: Database, clock: FixedClock
) -> None:
    run_logged(
        hourly,
        slack,
        [
            ("/deal", "Wonka won", USER),
            ("/meeting", "Acme call", USER),  # a step: not listed
            ("/meeting", "Globex visit", USER),
            ("/meeting", "Globex visit", OTHER_USER),  # into stage 2
        ],
    )
    assert channel_posts(slack) == []  # nothing at once

    runtime = hourly_runtime(settings, db, clock)
    client = jobs_client(slack)
    # Still the same hour (10:00–10:59 Tokyo): the hour before had nothing.
    assert posted(announce_last_hour(runtime, client, jst(2026, 11, 22, 10, 30))) == []
    assert channel_posts(slack) == []

    at = jst(2026, 11, 22, 11, 2)
    assert posted(announce_last_hour(runtime, client, at)) == [Outcome.SENT]
    [post] = channel_posts(slack)
    text = text_of(post)
    assert "Stage changes in the last hour" in text
    assert f"🎉 <@{USER}> moved *Wonka* from Acquaintance to Customer (won deal)." in text, text
    assert f"📈 <@{OTHER_USER}> moved *Globex* from Acquaintance to Prospect (visit)." in text, text
    assert "Acme" not in text
    assert text.index("Wonka") < text.index("Globex")

    # Again, later in that hour, or from a second runtime: nothing more.
    assert posted(announce_last_hour(runtime, client, at)) == []
    assert posted(announce_last_hour(runtime, client, at + timedelta(minutes=40))) == []
    again = hourly_runtime(settings, db, clock)
    announce_last_hour(again, client, at)
    assert len(channel_posts(slack)) == 1
    # The next hour had nothing.
    announce_last_hour(runtime, client, at + timedelta(hours=1))
    assert len(channel_posts(slack)) == 1


def test_without_hourly_batching_the_hourly_job_posts_nothing(
    driver: SlackDriver, slack: FakeSlack, runtime: Runtime
) -> None:
    run_logged(driver, slack, [("/deal", "Wonka won", USER)])
    wait_posts(slack, 1)
    assert announce_last_hour(runtime, jobs_client(slack), jst(2026, 11, 22, 11, 0)) == []
    assert len(channel_posts(slack)) == 1


def test_hourly_lines_say_what_did_it(
    hourly: SlackDriver, slack: FakeSlack, settings: Settings, db: Database, clock: FixedClock
) -> None:
    run_logged(hourly, slack, [("/deal", "Wonka won", USER), ("/meeting", "Globex meal", USER)])
    announce_last_hour(hourly_runtime(settings, db, clock), jobs_client(slack), jst(2026, 11, 22, 11, 0))
    text = text_of(channel_posts(slack)[0])
    assert "won deal" in text, text
    assert "meal" in text, text


def test_hourly_batching_celebrates_every_win_like_the_immediate_announcement(
    hourly: SlackDriver, slack: FakeSlack, settings: Settings, db: Database, clock: FixedClock
) -> None:
    run_logged(hourly, slack, [("/deal", "Wonka won", USER), ("/deal", "Wonka won", USER)])
    clock.set(jst(2026, 11, 22, 11, 10))
    run_logged(hourly, slack, [("/deal", "Wonka won", USER)])  # 3.2 → 4.1 by a won deal
    announce_last_hour(hourly_runtime(settings, db, clock), jobs_client(slack), jst(2026, 11, 22, 12, 0))
    text = text_of(channel_posts(slack)[-1])
    assert "from Customer to Repeater" in text, text
    assert "🎉" in text, text


# --------------------------------------------------------------------------------------------- weekly summary

SUMMARY_DAY = date(2026, 11, 30)
MONDAY_0905 = jst(2026, 11, 30, 9, 5)


def build_week(driver: SlackDriver, slack: FakeSlack, clock: FixedClock, runtime: Runtime) -> None:
    """Before the week (Sunday 22nd): USER's prospect Oldpro, last touched in early September (lapsing on
    the 30th); OTHER_USER's customer Goneco, last touched on Aug 1 (dormant: beside the pyramid, in no
    count of it); USER's acquaintance Acme with an open recovery. The snapshot of Monday 23rd: 1 / 1 / 0 / 0.
    In the week: Acme 1 → 2 (Tue, USER); Globex (Tue, USER) and Hooli (Wed, OTHER_USER) are new;
    Initech is new and won for 1.2M (Wed, OTHER_USER: 1 → 3). On the 30th: 2 / 2 / 1 / 0."""
    run_logged(
        driver,
        slack,
        [
            ("/meeting", "Oldpro visit 2026-09-01", USER),
            ("/meeting", "Oldpro visit 2026-09-02", USER),
            ("/deal", "Goneco won 2026-08-01", OTHER_USER),
            ("/meeting", "Acme visit", USER),
            ("/trouble", "Acme -- shipment arrived broken", USER),
        ],
    )
    clock.set(jst(2026, 11, 23, 0, 5))
    take_snapshots(runtime, clock.now())
    clock.set(jst(2026, 11, 24))
    run_logged(driver, slack, [("/meeting", "Acme visit", USER), ("/meeting", "Globex call", USER)])
    clock.set(jst(2026, 11, 25))
    run_logged(
        driver, slack, [("/meeting", "Hooli visit", OTHER_USER), ("/deal", "Initech won 1.2M", OTHER_USER)]
    )
    slack.clear()


def summaries_posted(slack: FakeSlack) -> list[dict[str, Any]]:
    return posts_of_kind(slack, "summary")


def test_the_weekly_summary_is_posted_once_with_everything_in_it(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock, runtime: Runtime
) -> None:
    build_week(driver, slack, clock, runtime)
    clock.set(MONDAY_0905)
    runs = send_due_summaries(runtime, jobs_client(slack), clock.now())
    assert [(run.team_id, run.day, run.message.outcome) for run in runs] == [
        (TEAM, SUMMARY_DAY, Outcome.SENT)
    ]
    [summary] = summaries_posted(slack)
    assert len(channel_posts(slack)) == 1
    text = text_of(summary)

    assert "Weekly pyramid — the week from 2026-11-23" in text, text
    # The pyramid now, and its change over the week (against the snapshot of the 23rd).
    stage_lines = {
        int(m[3]): (int(m[1]), m[2])
        for m in re.finditer(r"(\d+) +([+-]\d+|±0|–)  (\d) \S", drawn_pyramid(summary))
    }
    assert stage_lines == {4: (0, "±0"), 3: (1, "+1"), 2: (2, "+1"), 1: (2, "+1")}, drawn_pyramid(summary)
    assert t("en", "pyramid_total", total=5) in text
    # Goneco, dormant, is beside the pyramid as a win-back candidate.
    assert "Beside the pyramid: 1 dormant (stage 3: 1), 0 lost — win-back candidates" in text, text
    # The health check with the method's advice for each failure.
    assert "Not healthy" in text
    assert "Stage 1 (2) ≤ stage 2 (2): add new acquaintances" in text
    assert "Stage 2 (2) ≤ stage 3" not in text
    # Advancements and wins of the week (not those of the 22nd).
    assert f"📈 <@{USER}> moved *Acme* from Acquaintance to Prospect" in text, text
    assert f"🎉 <@{OTHER_USER}> moved *Initech* from Acquaintance to Customer (won deal)." in text, text
    assert f"🎉 <@{OTHER_USER}>: *Initech* won ¥1,200,000" in text, text
    assert "Oldpro" not in text.split("Stage advancements and wins")[1].split("New acquaintances")[0]
    assert "Goneco" not in text
    # New acquaintances, open recoveries, the quiet accounts per rep.
    assert "New acquaintances this week: *3*" in text, text
    assert "Open recoveries (1)" in text
    assert "*Acme* — shipment arrived broken (2026-11-22 (Sun))" in text, text
    assert f"<@{USER}>: 1 going quiet, 0 dormant" in text, text
    assert f"<@{OTHER_USER}>: 0 going quiet, 1 dormant" in text, text


def test_the_summary_chart_is_a_png_uploaded_once_in_the_summarys_thread(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock, runtime: Runtime
) -> None:
    build_week(driver, slack, clock, runtime)
    clock.set(MONDAY_0905)
    [run] = send_due_summaries(runtime, jobs_client(slack), clock.now())
    assert run.chart is not None and run.chart.outcome is Outcome.SENT
    [summary_call] = [c for c in slack.calls_to("chat.postMessage") if kind_of(c.body) == "summary"]
    [posted] = [m for m in slack.history(TEAM_CHANNEL) if m.get("text") == summary_call.body["text"]]

    [get_url] = slack.calls_to("files.getUploadURLExternal")
    [upload] = slack.calls_to("upload")
    [complete] = slack.calls_to("files.completeUploadExternal")
    assert get_url.body["filename"].endswith(".png")
    assert int(get_url.body["length"]) == upload.body["size"]
    assert upload.key == complete.body["files"][0]["id"]
    assert complete.body["channel_id"] == TEAM_CHANNEL
    assert complete.body["thread_ts"] == posted["ts"] == run.message.ts

    png: bytes = upload.body["bytes"]
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    image = matplotlib.image.imread(io.BytesIO(png), format="png")
    assert image.shape[:2] == (700, 1000)
    pixels = image[..., :3].reshape(-1, 3)
    assert len(np.unique(pixels, axis=0)) > 10  # not blank: bars, text, outlines
    assert (pixels < 0.9).any(axis=1).mean() > 0.02  # a real share of the canvas is not white

    # The file sits in the summary's thread of the channel.
    thread = [m for m in slack.history(TEAM_CHANNEL) if m.get("thread_ts") == posted["ts"]]
    assert [f["name"] for m in thread for f in m.get("files", [])] == [get_url.body["filename"]]


def test_the_summary_is_posted_once_per_week_whoever_runs_it(
    driver: SlackDriver,
    slack: FakeSlack,
    clock: FixedClock,
    runtime: Runtime,
    settings: Settings,
    db: Database,
) -> None:
    build_week(driver, slack, clock, runtime)
    client = jobs_client(slack)
    # Sunday at 09:05, and Monday at 08:59: not yet.
    for at in (jst(2026, 11, 29, 9, 5), jst(2026, 11, 30, 8, 59)):
        clock.set(at)
        assert send_due_summaries(runtime, client, at) == []
    assert slack.calls == []

    clock.set(MONDAY_0905)
    send_due_summaries(runtime, client, clock.now())
    # The next tick, a later one, and a second runtime (another scheduler process): nothing more.
    for at in (MONDAY_0905 + timedelta(minutes=5), MONDAY_0905 + timedelta(hours=8)):
        clock.set(at)
        runs = send_due_summaries(runtime, client, at)
        assert [run.message.outcome for run in runs] == [Outcome.ALREADY]
    second = Runtime(settings=settings, db=Database(settings.database_url), clock=clock)
    runs = send_due_summaries(second, jobs_client(slack), clock.now())
    assert [run.message.outcome for run in runs] == [Outcome.ALREADY]
    assert [run.chart.outcome for run in runs if run.chart] == [Outcome.ALREADY]
    second.db.dispose()

    assert len(summaries_posted(slack)) == 1
    assert len(channel_posts(slack)) == 1
    assert len(slack.calls_to("files.getUploadURLExternal")) == 1
    assert len(slack.calls_to("upload")) == 1
    assert len(slack.calls_to("files.completeUploadExternal")) == 1

    # The next Monday is a new week.
    next_monday = MONDAY_0905 + timedelta(days=7)
    clock.set(next_monday)
    runs = send_due_summaries(runtime, client, next_monday)
    assert [(run.day, run.message.outcome) for run in runs] == [(SUMMARY_DAY + timedelta(7), Outcome.SENT)]
    assert len(summaries_posted(slack)) == 2


def test_the_summary_day_and_time_are_configurable(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock, settings: Settings, db: Database
) -> None:
    run_logged(driver, slack, [("/meeting", "Acme visit", USER)])
    slack.clear()
    friday = Runtime(
        settings=settings.model_copy(
            update={"pyramid_summary_day": "fri", "pyramid_summary_time": dt_time(17, 30)}
        ),
        db=db,
        clock=clock,
    )
    client = jobs_client(slack)
    assert send_due_summaries(friday, client, MONDAY_0905) == []
    assert send_due_summaries(friday, client, jst(2026, 11, 27, 17, 29)) == []
    runs = send_due_summaries(friday, client, jst(2026, 11, 27, 17, 30))
    assert [run.message.outcome for run in runs] == [Outcome.SENT]
    assert len(summaries_posted(slack)) == 1


def test_pyramid_bot_summary_posts_once(
    driver: SlackDriver,
    slack: FakeSlack,
    clock: FixedClock,
    runtime: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    database_url: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    build_week(driver, slack, clock, runtime)
    cli_environment(
        monkeypatch,
        database_url,
        tmp_path,
        SLACK_BOT_TOKEN="xoxb-test",
        SLACK_API_URL=slack.base_url,
        PYRAMID_TEAM_CHANNEL=TEAM_CHANNEL,
    )

    assert main(["summary", "--date", "2026-11-30"]) == 0
    out = capsys.readouterr().out
    assert f"{TEAM} 2026-11-30: summary sent, chart sent" in out, out
    [summary] = summaries_posted(slack)
    assert "Weekly pyramid — the week from 2026-11-23" in text_of(summary)
    assert "Initech" in text_of(summary)
    assert len(slack.calls_to("files.completeUploadExternal")) == 1

    assert main(["summary", "--date", "2026-11-30"]) == 0
    assert "summary already, chart already" in capsys.readouterr().out
    assert len(summaries_posted(slack)) == 1
    assert len(slack.calls_to("files.completeUploadExternal")) == 1
    # And the scheduler, on the Monday morning itself, finds it done.
    clock.set(MONDAY_0905)
    runs = send_due_summaries(runtime, jobs_client(slack), clock.now())
    assert [run.message.outcome for run in runs] == [Outcome.ALREADY]
    assert len(summaries_posted(slack)) == 1


def test_hourly_batching_announces_a_missed_hour_late_not_never(
    hourly: SlackDriver, slack: FakeSlack, settings: Settings, db: Database, clock: FixedClock
) -> None:
    run_logged(hourly, slack, [("/deal", "Wonka won", USER)])  # 10:00
    # The scheduler was down from 10:55 to 12:05.
    announce_last_hour(hourly_runtime(settings, db, clock), jobs_client(slack), jst(2026, 11, 22, 12, 5))
    posts = channel_posts(slack)
    assert len(posts) == 1 and "Wonka" in text_of(posts[0])


def test_hourly_batching_does_not_announce_an_import(
    hourly: SlackDriver, slack: FakeSlack, settings: Settings, db: Database, clock: FixedClock
) -> None:
    rows, problems = read_import("name,owner,step,segment\nImported Co,U0REP1,won,\nLoaded Ltd,U0REP1,2.3,\n")
    assert problems == []
    with db.transaction() as session:
        apply_import(session, TEAM, rows, now=clock.now(), today=date(2026, 11, 22))
    announce_last_hour(hourly_runtime(settings, db, clock), jobs_client(slack), jst(2026, 11, 22, 11, 0))
    assert channel_posts(slack) == [], [text_of(post) for post in channel_posts(slack)]


@pytest.mark.parametrize("landed", [False, True], ids=["lost", "landed-but-answer-lost"])
def test_a_failed_chart_upload_is_retried_once_without_a_second_summary(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock, runtime: Runtime, landed: bool
) -> None:
    build_week(driver, slack, clock, runtime)
    client = jobs_client(slack)
    slack.fail_next("files.completeUploadExternal", status=200, error="internal_error", after_effect=landed)
    clock.set(MONDAY_0905)
    [run] = send_due_summaries(runtime, client, clock.now())
    assert run.message.outcome is Outcome.SENT
    assert run.chart is not None and run.chart.outcome is Outcome.RETRY

    # Right after: the claim is fresh, someone may be at it. Later: taken over, and done once.
    clock.set(MONDAY_0905 + timedelta(seconds=30))
    [run] = send_due_summaries(runtime, client, clock.now())
    assert run.chart is not None and run.chart.outcome is Outcome.BUSY
    clock.set(MONDAY_0905 + timedelta(minutes=5))
    [run] = send_due_summaries(runtime, client, clock.now())
    assert run.message.outcome is Outcome.ALREADY
    assert run.chart is not None and run.chart.outcome is Outcome.SENT

    assert len(summaries_posted(slack)) == 1
    [summary] = [m for m in slack.history(TEAM_CHANNEL) if m.get("ts") == run.message.ts]
    files = [
        f["name"]
        for m in slack.history(TEAM_CHANNEL)
        if m.get("thread_ts") == summary["ts"]
        for f in m.get("files", [])
    ]
    assert len(files) == 1, files
    assert len(slack.calls_to("upload")) == (1 if landed else 2)


def test_the_summary_in_japanese(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock, settings: Settings, db: Database
) -> None:
    runtime = Runtime(settings=settings.model_copy(update={"pyramid_locale": "ja"}), db=db, clock=clock)
    build_week(driver, slack, clock, runtime)
    clock.set(MONDAY_0905)
    [run] = send_due_summaries(runtime, jobs_client(slack), clock.now())
    assert run.chart is not None and run.chart.outcome is Outcome.SENT
    text = text_of(summaries_posted(slack)[0])
    assert "週次ピラミッド" in text
    assert "今週の新しい知り合い：*3*社" in text, text
    assert "対応中のリカバリー（1件）" in text
    assert "受注 120万円" in text, text
    assert "Weekly" not in text
    [upload] = slack.calls_to("upload")
    image = matplotlib.image.imread(io.BytesIO(upload.body["bytes"]), format="png")
    assert image.shape[:2] == (700, 1000)
    assert slack.calls_to("files.getUploadURLExternal")[0].body["filename"].endswith(".png")


def test_conversion_counts_the_first_morning_of_the_window(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock
) -> None:
    # 90 days before Sunday 22 November is Monday 24 August; at 08:00 in Tokyo it is still the 23rd in UTC.
    clock.set(jst(2026, 8, 24, 8, 0))
    run_logged(driver, slack, [("/meeting", "Edgeco visit", USER), ("/meeting", "Edgeco visit", USER)])
    clock.set(jst(2026, 11, 22))
    text = text_of(driver.run("/pyramid"))
    # One account, created in the window and moved from 1 to 2 in it: 1 of 1 moved up from stage 1.
    assert "Moved up in the last 90 days: 1→2 100% · 2→3 0% · 3→4 –" in text, text


def test_pyramid_says_as_of_when_retention_comes_from_the_days_stored_figures(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock, runtime: Runtime
) -> None:
    """Counted from history (no figures stored today) nothing is "as of"; once the snapshot job stored
    today's figures, the retention and the accounts gone dormant say when, in the team's time zone, in
    English and Japanese."""
    build_trend_history(driver, slack, clock, runtime)
    assert "as of" not in text_of(driver.run("/pyramid"))
    take_snapshots(runtime, jst(2026, 11, 22, 10, 5))
    run_logged(driver, slack, [("/meeting", "Newco visit", USER)])
    english = text_of(driver.run("/pyramid"))
    assert "Retention as of 2026-11-22 (Sun) 10:05 (recounted by the daily job)" in english, english
    assert "Gone dormant as of 2026-11-22 (Sun) 10:05" in english, english
    japanese = text_of(driver.run("/pyramid", user=OTHER_USER))
    assert "継続率は2026/11/22(日) 10:05時点の集計です" in japanese, japanese
    assert "休眠の件数は2026/11/22(日) 10:05時点の集計です" in japanese, japanese
