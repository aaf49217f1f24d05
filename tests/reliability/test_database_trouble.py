"""A database that is locked (SQLite), stopped or hanging (PostgreSQL, through a TCP proxy the test
controls): every command is answered within Slack's 3 seconds saying nothing was stored, nothing so
answered is stored, and once the trouble ends the same server serves again without a restart."""

from __future__ import annotations

import sqlite3
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy.engine import make_url

from bot.db import Database
from tests.reliability.conftest import proxied_url
from tests.reliability.support import (
    DOWN,
    NOT_STORED,
    Answer,
    ServeProcess,
    TcpProxy,
    account_by_name,
    integrity_problems,
    ladder_problems,
    report,
    request_keys,
    send,
    stored_for,
    told_within,
    verdict,
)
from tests.support.fake_slack import FakeSlack
from tests.support.slack_driver import SlackDriver

TEAM = "T0TEAM1"
SLACK_LIMIT = 3.0  # seconds Slack waits for an answer
TROUBLED = 4  # commands sent while the database is in trouble


def _send_all(driver: SlackDriver, triggers: list[str], word: str = "visit") -> list[Answer]:
    with ThreadPoolExecutor(len(triggers)) as pool:
        return list(pool.map(lambda t: send(driver, "/meeting", f"Acme Corp {word} -- {t}", t), triggers))


def _assert_told_nothing_stored(answers: list[Answer], slack: FakeSlack, trouble: str) -> None:
    for answer in answers:
        said = told_within(answer, slack, SLACK_LIMIT)
        assert answer.status == 200 and NOT_STORED.search(said), (
            f"{answer.trigger_id}: status {answer.status} after {answer.elapsed:.2f}s, told {said[:200]!r}"
            f" {answer.problem}"
        )
    slowest = max(answer.elapsed for answer in answers)
    report(f"{trouble}: {len(answers)} commands answered 'nothing was stored' within {slowest:.2f} s")


def _serves_again(driver: SlackDriver, slack: FakeSlack, within: float = 6.0) -> float:
    """Seconds until a fresh command is stored again (the same server, no restart)."""
    start = time.monotonic()
    attempt = 0
    while time.monotonic() - start < within:
        attempt += 1
        answer = send(
            driver, "/meeting", f"Acme Corp call -- back {attempt}", f"back.{attempt}.{time.time_ns()}"
        )
        if verdict(answer, slack, wait=3) == "stored":
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"not serving again {within}s after the trouble ended")


def _retry_and_check(driver: SlackDriver, slack: FakeSlack, db: Database, answers: list[Answer]) -> None:
    """Nothing answered with an error was stored; retried with the same trigger, each is stored once."""
    triggers = [answer.trigger_id for answer in answers]
    keys = request_keys(db, TEAM)
    assert {t: stored_for(keys, t) for t in triggers if stored_for(keys, t)} == {}
    for trigger in triggers:
        answer = send(driver, "/meeting", f"Acme Corp visit -- {trigger}", trigger)
        assert verdict(answer, slack, wait=3) == "stored", answer
    keys = request_keys(db, TEAM)
    assert {t: stored_for(keys, t) for t in triggers if stored_for(keys, t) != 1} == {}
    assert ladder_problems(db, TEAM, account_by_name(db, TEAM, "Acme Corp").id) == []
    assert integrity_problems(db, TEAM) == []


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=SLACK_LIMIT) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except DOWN:
        return None


# ------------------------------------------------------------------------------------------- SQLite


@pytest.mark.usefixtures("sqlite_only")
def test_a_long_held_sqlite_write_lock(server: ServeProcess, slack: FakeSlack, db: Database) -> None:
    driver = server.driver(slack)
    first = send(driver, "/meeting", "Acme Corp call -- first", "first")
    assert verdict(first, slack, wait=3) == "stored"

    path = make_url(db.url).database
    assert path
    holder = sqlite3.connect(path, timeout=1, isolation_level=None)
    try:
        holder.execute("BEGIN IMMEDIATE")  # another writer (a migration, a backup, a stuck job)
        answers = _send_all(driver, [f"locked.{index}" for index in range(TROUBLED)])
        _assert_told_nothing_stored(answers, slack, "SQLite write lock held")
        assert _status(f"http://127.0.0.1:{server.port}/healthz") == 200
    finally:
        holder.execute("ROLLBACK")
        holder.close()

    _serves_again(driver, slack)
    time.sleep(0.5)  # an abandoned transaction that commits late would show by now
    _retry_and_check(driver, slack, db, answers)


# --------------------------------------------------------------------------------------- PostgreSQL


@pytest.mark.usefixtures("postgres_only")
@pytest.mark.parametrize("trouble", ["stopped", "hanging"])
def test_postgres_stopped_or_hanging(
    trouble: str,
    serve: Callable[..., ServeProcess],
    database_url: str,
    pg_proxy: TcpProxy,
    slack: FakeSlack,
    db: Database,
) -> None:
    server = serve(database=proxied_url(database_url, pg_proxy))
    server.start()
    driver, base = server.driver(slack), f"http://127.0.0.1:{server.port}"
    first = send(driver, "/meeting", "Acme Corp call -- first", "first")
    assert verdict(first, slack, wait=3) == "stored"
    assert _status(base + "/readyz") == 200

    make_trouble: Callable[[], None] = pg_proxy.stop if trouble == "stopped" else pg_proxy.hang
    make_trouble()
    try:
        answers = _send_all(driver, [f"{trouble}.{index}" for index in range(TROUBLED)])
        _assert_told_nothing_stored(answers, slack, f"PostgreSQL {trouble}")
        assert _status(base + "/healthz") == 200  # the process is alive
        assert _status(base + "/readyz") not in (200, None)  # but not ready
    finally:
        pg_proxy.forward()

    took = _serves_again(driver, slack)
    assert took < 6.0
    report(f"PostgreSQL {trouble}: storing again {took:.2f} s after the trouble ended, without a restart")
    time.sleep(1.0)  # stalled transactions resume now: an abandoned one must roll back, not commit
    assert _status(base + "/readyz") == 200
    _retry_and_check(driver, slack, db, answers)
