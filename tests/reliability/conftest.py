"""Fixtures for the reliability tests: the shared database and clock (tests/conftest.py), the fake
Slack and settings of the end-to-end tests (tests/e2e/conftest.py), the real app behind waitress with
the thread count `serve` uses, and `pyramid-bot serve` processes that are always killed afterwards."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from slack_sdk import WebClient
from waitress.server import create_server

from bot.app import build_app, runtime_of
from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.local_slack import LocalSlack
from bot.runtime import Runtime
from bot.server import wsgi_app
from tests.e2e.conftest import SIGNING_SECRET, SlackDriver, settings, slack  # noqa: F401 - fixtures
from tests.reliability.support import ServeProcess, TcpProxy, free_port


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


@pytest.fixture
def postgres_only(database_url: str) -> None:
    if not is_postgres(database_url):
        pytest.skip("needs PostgreSQL (set PYRAMID_TEST_DATABASE_URL)")


@pytest.fixture
def sqlite_only(database_url: str) -> None:
    if is_postgres(database_url):
        pytest.skip("a SQLite test")


@pytest.fixture
def runtime(settings: Settings, db: Database, clock: FixedClock) -> Iterator[Runtime]:  # noqa: F811
    runtime = Runtime(settings=settings, db=db, clock=clock)
    yield runtime
    runtime.close()


def run_app(
    app_settings: Settings, db: Database, clock: FixedClock, slack_url: str
) -> tuple[str, Callable[[], None]]:
    """The real app (build_app) behind waitress on a free port; returns its URL and how to stop it."""
    app = build_app(app_settings, db=db, clock=clock, client=WebClient(token="xoxb-test", base_url=slack_url))
    # As many waitress threads as `pyramid-bot serve` runs with these settings.
    threads = getattr(app_settings, "pyramid_http_threads", 8)
    server = create_server(wsgi_app(app), host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True, name="waitress")
    thread.start()
    port = server.effective_port  # type: ignore[union-attr]

    def stop() -> None:
        # Stop from inside waitress's own loop (see tests/e2e/conftest.py's app_server).
        channels = dict(server._map)  # type: ignore[union-attr]
        server.trigger.pull_trigger(server._map.clear)  # type: ignore[union-attr]
        thread.join(timeout=5)
        for channel in channels.values():
            channel.close()
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]
        runtime_of(app).close()  # after-work (announcements, Home) finishes while Slack is up

    return f"http://127.0.0.1:{port}/slack/events", stop


@pytest.fixture
def http_driver(
    settings: Settings,  # noqa: F811
    db: Database,
    clock: FixedClock,
    slack: LocalSlack,  # noqa: F811
) -> Iterator[SlackDriver]:
    url, stop = run_app(settings, db, clock, slack.base_url)
    yield SlackDriver(url, slack)
    stop()


@pytest.fixture
def serve_env(slack: LocalSlack) -> Callable[[str], dict[str, str]]:  # noqa: F811
    """The environment a deployed `pyramid-bot serve` gets, for a database URL."""

    def env(database_url: str) -> dict[str, str]:
        return {
            "DATABASE_URL": database_url,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_API_URL": slack.base_url,
            "PYRAMID_RUN_SCHEDULER": "false",
            "PYRAMID_TEAM_CHANNEL": "C0TEAM",
            "PYRAMID_LOCALE": "en",
            "PYRAMID_TIMEZONE": "Asia/Tokyo",
        }

    return env


@pytest.fixture
def serve_process(tmp_path: Path) -> Iterator[Callable[[dict[str, str], str], ServeProcess]]:
    """Makes `pyramid-bot serve` processes on free ports; every one is killed when the test ends."""
    made: list[ServeProcess] = []

    def make(env: dict[str, str], name: str = "serve") -> ServeProcess:
        process = ServeProcess(env, free_port(), tmp_path, name=name)
        made.append(process)
        return process

    yield make
    for process in made:
        process.stop()


@pytest.fixture
def pg_proxy(database_url: str) -> Iterator[TcpProxy]:
    """A TCP proxy in front of the test PostgreSQL, to stop or hang the database on demand."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432))
    yield proxy
    proxy.close()


def proxied_url(database_url: str, proxy: TcpProxy) -> str:
    from sqlalchemy.engine import make_url

    return make_url(database_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
