"""The runtime's two paths around a request: `store` under a deadline, `after` with coalescing."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database, upgrade
from bot.runtime import NotStored, Runtime
from tests.conftest import NOW


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    url = f"sqlite:///{tmp_path / 'runtime.db'}"
    upgrade(url)
    settings = Settings(_env_file=None, database_url=url)  # type: ignore[call-arg]
    rt = Runtime(settings=settings, db=Database(url), clock=FixedClock(NOW))
    yield rt
    rt.close()
    rt.db.dispose()


def test_a_burst_of_keyed_after_work_runs_once_after_the_delay(runtime: Runtime) -> None:
    ran: list[float] = []
    started = time.monotonic()
    for _ in range(20):
        runtime.after(lambda: ran.append(time.monotonic()), key=("home", "T", "U"), delay=0.3)
    time.sleep(0.1)
    assert ran == []  # still waiting out the window
    assert runtime.drain(timeout=2.0)
    assert len(ran) == 1
    # drain() does not wait for the window: it runs what was waiting at once.
    assert ran[0] - started < 0.3


def test_keyed_after_work_waits_its_window_then_runs_once(runtime: Runtime) -> None:
    ran = threading.Event()
    count: list[int] = []

    def task() -> None:
        count.append(1)
        ran.set()

    started = time.monotonic()
    runtime.after(task, key="k", delay=0.2)
    runtime.after(task, key="k", delay=0.2)
    assert ran.wait(2.0)
    assert time.monotonic() - started >= 0.2
    runtime.drain(1.0)
    assert count == [1]
    # Once it ran, the key is free again.
    runtime.after(task, key="k")
    runtime.drain(1.0)
    assert count == [1, 1]


def test_a_failing_after_task_is_logged_not_raised(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    def boom() -> None:
        raise RuntimeError("boom")

    runtime.after(boom)
    assert runtime.drain(1.0)
    assert any("after-work failed" in record.message for record in caplog.records)


def test_store_commits_before_it_returns(runtime: Runtime) -> None:
    runtime.store(lambda session: session.execute(text("CREATE TABLE IF NOT EXISTS probe (x INTEGER)")))
    runtime.store(lambda session: session.execute(text("INSERT INTO probe VALUES (1)")))
    with runtime.db.read() as session:
        assert session.execute(text("SELECT count(*) FROM probe")).scalar() == 1


def test_store_past_its_deadline_answers_not_stored_and_rolls_back(runtime: Runtime) -> None:
    runtime.store(lambda session: session.execute(text("CREATE TABLE IF NOT EXISTS probe (x INTEGER)")))
    release = threading.Event()

    def slow(session: object) -> None:
        session.execute(text("INSERT INTO probe VALUES (1)"))  # type: ignore[attr-defined]
        release.wait(2.0)

    with pytest.raises(NotStored):
        runtime.store(slow, deadline=0.2)
    release.set()
    runtime.drain(1.0)
    time.sleep(0.2)  # the abandoned worker reaches its commit point and rolls back
    with runtime.db.read() as session:
        assert session.execute(text("SELECT count(*) FROM probe")).scalar() == 0
