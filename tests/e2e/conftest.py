"""End-to-end harness: the real app behind its real HTTP server (tests/support/server.py), driven by
requests signed exactly as Slack signs them (tests/support/slack_driver.py), with the Web API pointed at
a local fake that records every call."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from tests.support.blockkit import check_ack_body, check_calls
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_USER, SIGNING_SECRET, TEAM, USER
from tests.support.slack_driver import SlackDriver, driving, settle


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(team_id=TEAM) as fake:
        fake.add_user(USER, name="sato", tz="Asia/Tokyo", locale="en-US")
        fake.add_user(OTHER_USER, name="suzuki", tz="Asia/Tokyo", locale="ja-JP")
        yield fake


@pytest.fixture
def settings(slack: FakeSlack, database_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-test",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.base_url,
        database_url=database_url,
        pyramid_team_channel="C0TEAM",
        pyramid_locale="en",
        pyramid_timezone="Asia/Tokyo",
        # The Home is rebuilt at once after an action here, so tests see it without waiting out the
        # coalescing window (tests/unit/test_runtime.py covers the window itself).
        pyramid_home_refresh_delay=0,
    )


@pytest.fixture
def driver(settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack) -> Iterator[SlackDriver]:
    """Slack, sending to the app behind its own waitress server."""
    with driving(settings, db, clock, slack) as slack_driver:
        yield slack_driver


@pytest.fixture
def driver_with(
    settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack
) -> Iterator[Callable[..., SlackDriver]]:
    """`driver_with(**changes)`: a driver for the app with these settings changed, behind its own server;
    the after-work of its last action finishes, and it stops, when the test ends."""
    with ExitStack() as stack:

        def make(**changes: Any) -> SlackDriver:
            changed = settings.model_copy(update=changes)
            return stack.enter_context(driving(changed, db, clock, slack, settle_after=True))

        yield make


@pytest.fixture
def settled(driver: SlackDriver, slack: FakeSlack) -> Iterator[None]:
    """For `pytest.mark.usefixtures`: the after-work of the test's last action finishes in the test."""
    yield
    settle(slack)


@pytest.fixture(autouse=True)
def slack_limits(request: pytest.FixtureRequest) -> Iterator[None]:
    """At the end of every end-to-end test, every message and view the bot sent (Web API calls, response
    URL posts, and replies carried in HTTP ack bodies) is checked against Slack's real limits."""
    yield
    fake = request.node.funcargs.get("slack")
    if isinstance(fake, FakeSlack):
        check_calls(fake.calls)
    driver = request.node.funcargs.get("driver")
    acks = getattr(driver, "acks", None)  # slash-command acks recorded by the driver, by response key
    for key, sent in (acks or {}).items():
        if sent.status == 200:
            check_ack_body(sent.body, f"ack {key}")
