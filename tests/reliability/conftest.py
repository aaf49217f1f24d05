"""Fixtures for the reliability tests: the shared database and clock (tests/conftest.py), the fake
Slack and settings of the end-to-end tests (tests/e2e/conftest.py), the real app behind waitress with
the thread count `serve` uses, and `pyramid-bot serve` processes that are always killed afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.runtime import Runtime
from tests.e2e.conftest import settings, slack  # noqa: F401 - fixtures
from tests.reliability.support import ServeProcess, TcpProxy
from tests.support.database import is_postgres
from tests.support.fake_slack import FakeSlack
from tests.support.ids import SIGNING_SECRET
from tests.support.server import events_url, free_port, serving
from tests.support.slack_driver import SlackDriver


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


@pytest.fixture
def http_driver(
    settings: Settings,  # noqa: F811
    db: Database,
    clock: FixedClock,
    slack: FakeSlack,  # noqa: F811
) -> Iterator[SlackDriver]:
    """The real app behind waitress with as many threads as `pyramid-bot serve` runs with."""
    threads = getattr(settings, "pyramid_http_threads", 8)
    with serving(settings, db, slack.base_url, clock=clock, threads=threads) as url:
        yield SlackDriver(events_url(url), slack)


@pytest.fixture
def serve_env(slack: FakeSlack) -> Callable[[str], dict[str, str]]:  # noqa: F811
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

    def make(env: dict[str, str], name: str = "serve", command: str = "serve") -> ServeProcess:
        process = ServeProcess(env, free_port(), tmp_path, name=name, command=command)
        made.append(process)
        return process

    yield make
    for process in made:
        process.stop()


@pytest.fixture
def serve(
    serve_process: Callable[..., ServeProcess], serve_env: Callable[[str], dict[str, str]], database_url: str
) -> Callable[..., ServeProcess]:
    """`serve(name, database=…)`: a `pyramid-bot serve` process on the test database (or `database`), not
    yet started."""

    def make(name: str = "serve", database: str | None = None) -> ServeProcess:
        return serve_process(serve_env(database or database_url), name)

    return make


@pytest.fixture
def server(serve: Callable[..., ServeProcess]) -> ServeProcess:
    """One `pyramid-bot serve` on the test database, started."""
    process = serve()
    process.start()
    return process


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
