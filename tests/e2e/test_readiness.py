"""`GET /readyz`: 200 only when the database answers and its schema is at the migrations' head;
503 with a one-line reason otherwise (not migrated, behind, unreachable, hanging); `/healthz`
stays "process alive" throughout."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from waitress.server import create_server

from bot.app import build_app
from bot.config import Settings
from bot.db import Database, upgrade
from bot.health import TIMEOUT_SECONDS, Readiness, head_revisions, readiness
from bot.server import wsgi_app
from tests.support.fake_slack import FakeSlack


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.fixture
def serve_with(settings: Settings, db: Database, slack: FakeSlack) -> Iterator[Callable[..., str]]:
    """Serves the real app over HTTP with the given readiness check; returns its base URL."""
    running: list[tuple[Any, threading.Thread]] = []

    def start(check: Callable[[], Readiness] | None) -> str:
        app = build_app(settings, db=db, client=WebClient(token="xoxb-test", base_url=slack.base_url))
        server: Any = create_server(wsgi_app(app, readiness=check), host="127.0.0.1", port=0, threads=2)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        running.append((server, thread))
        return f"http://127.0.0.1:{server.effective_port}"

    yield start
    for server, thread in running:
        # As in the e2e conftest: stop from inside waitress's own loop, then close.
        channels = dict(server._map)
        server.trigger.pull_trigger(server._map.clear)
        thread.join(timeout=5)
        for channel in channels.values():
            channel.close()
        server.task_dispatcher.shutdown()


@pytest.fixture
def fresh_sqlite(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    yield database
    database.dispose()


# --------------------------------------------------------------------------------------------- the check


def test_ready_on_a_migrated_database(db: Database) -> None:
    assert readiness(db) == Readiness(True, "ok")


def test_not_ready_on_a_database_never_migrated(fresh_sqlite: Database) -> None:
    state = readiness(fresh_sqlite)
    assert not state.ok
    assert state.reason.startswith("database not migrated"), state
    assert "pyramid-bot db upgrade" in state.reason
    fresh_sqlite.upgrade()
    assert readiness(fresh_sqlite) == Readiness(True, "ok")


def test_not_ready_on_a_database_behind_the_code(fresh_sqlite: Database) -> None:
    upgrade(fresh_sqlite.url, "0001")
    state = readiness(fresh_sqlite)
    assert not state.ok
    [head] = head_revisions()
    assert f"database schema at 0001, code expects {head}" in state.reason, state


@pytest.mark.parametrize(
    "url",
    ["sqlite:////nonexistent-dir/for/pyramid.db", "postgresql://postgres@127.0.0.1:1/pyramid"],
    ids=["sqlite-unopenable", "postgresql-port-closed"],
)
def test_not_ready_when_the_database_is_unreachable(url: str) -> None:
    database = Database(url)
    started = time.monotonic()
    state = readiness(database)
    assert time.monotonic() - started < TIMEOUT_SECONDS + 0.5
    assert not state.ok
    assert state.reason.startswith("database unreachable ("), state
    assert "\n" not in state.reason and "127.0.0.1" not in state.reason
    database.dispose()


def test_a_hanging_database_answers_not_ready_in_time_without_piling_up_checks() -> None:
    """A server that accepts the connection and never answers (a hung PostgreSQL)."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    database = Database(f"postgresql://postgres@127.0.0.1:{port}/pyramid")
    try:
        started = time.monotonic()
        first = readiness(database)
        assert TIMEOUT_SECONDS - 0.1 < time.monotonic() - started < TIMEOUT_SECONDS + 0.5
        assert first == Readiness(False, f"database did not answer within {TIMEOUT_SECONDS:g} s")
        # The first check still hangs: the next probe says so at once instead of starting another.
        started = time.monotonic()
        assert readiness(database) == Readiness(False, "database did not answer the previous check yet")
        assert time.monotonic() - started < 0.2
    finally:
        for connection in accepted:
            connection.close()  # the hung check now fails and ends
        listener.close()
    deadline = time.monotonic() + 5
    while (state := readiness(database)).reason.startswith("database did not answer"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert state.reason.startswith("database unreachable ("), state
    database.dispose()


# --------------------------------------------------------------------------------------------- over HTTP


def test_readyz_and_healthz_over_http(
    serve_with: Callable[..., str], db: Database, fresh_sqlite: Database
) -> None:
    ready = serve_with(lambda: readiness(db))
    assert get(ready + "/readyz") == (200, "ok\n")

    not_migrated = serve_with(lambda: readiness(fresh_sqlite))
    status, body = get(not_migrated + "/readyz")
    assert status == 503
    assert body.startswith("not ready: database not migrated") and body.count("\n") == 1, body
    # Alive all the same.
    assert get(not_migrated + "/healthz") == (200, "ok\n")

    unconfigured = serve_with(None)
    assert get(unconfigured + "/readyz")[0] == 404


def test_pyramid_bot_serve_answers_readyz_and_verifies_signatures(tmp_path: Path) -> None:
    """The wiring in `pyramid-bot serve`: a real process on a free port."""
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "serve-secret",
        "SLACK_API_URL": "http://127.0.0.1:9/api/",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}",
        "PORT": str(port),
        "PYRAMID_RUN_SCHEDULER": "false",
    }
    env.pop("SLACK_APP_TOKEN", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve"],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 20
        while True:
            try:
                status, body = get(base + "/readyz")
                break
            except (urllib.error.URLError, ConnectionError):
                assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
                assert time.monotonic() < deadline, "serve did not start"
                time.sleep(0.1)
        assert (status, body) == (200, "ok\n")
        request = urllib.request.Request(
            base + "/slack/events",
            data=b"payload={not-json",
            method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(request, timeout=5)
        assert refused.value.code == 401
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    stderr = process.stderr.read().decode() if process.stderr else ""
    assert "Traceback" not in stderr, stderr
    assert "serve-secret" not in stderr
