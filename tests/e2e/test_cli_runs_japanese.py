"""`pyramid-bot summary` with PYRAMID_LOCALE=ja: the run line around the outcome values is Japanese,
the values a script reads (team id, date, sent/already) stay as they are."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.runtime import Runtime
from tests.e2e.test_team_view import TEAM_CHANNEL, build_week
from tests.support.database import cli_environment
from tests.support.fake_slack import FakeSlack
from tests.support.ids import TEAM
from tests.support.slack_driver import SlackDriver


@pytest.fixture
def runtime(settings: Settings, db: Database, clock: FixedClock) -> Runtime:
    return Runtime(settings=settings, db=db, clock=clock)


def test_the_summary_run_line_in_japanese_keeps_its_outcome_values(
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
        PYRAMID_LOCALE="ja",
    )
    assert main(["summary", "--date", "2026-11-30"]) == 0
    out = capsys.readouterr().out
    assert f"{TEAM} 2026-11-30：週次サマリー sent、グラフ sent" in out, out
    assert main(["summary", "--date", "2026-11-30"]) == 0
    assert f"{TEAM} 2026-11-30：週次サマリー already、グラフ already" in capsys.readouterr().out
