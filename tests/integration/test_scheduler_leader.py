"""Any number of replicas, the schedules run once (issue 15): on PostgreSQL only the process holding the
scheduler's advisory lock runs them; when it goes, another takes over within one retry. On SQLite the
one process simply runs them."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.jobs.leader import Leadership

SUITE_URL = os.environ.get("PYRAMID_TEST_DATABASE_URL")


class Replica:
    def __init__(self, url: str) -> None:
        self.events: list[str] = []
        self.leadership = Leadership(
            url,
            elected=lambda: self.events.append("elected"),
            deposed=lambda: self.events.append("deposed"),
            retry=0.1,
        )


def eventually(probe: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return True
        time.sleep(0.02)
    return probe()


def test_sqlite_runs_the_schedules_in_its_one_process(tmp_path: Path) -> None:
    replica = Replica(f"sqlite:///{tmp_path / 'one.db'}")
    replica.leadership.start()
    assert replica.events == ["elected"] and replica.leadership.leading


@pytest.mark.skipif(not (SUITE_URL or "").startswith("postgres"), reason="PostgreSQL only")
def test_one_of_three_replicas_leads_and_another_takes_over_when_it_stops() -> None:
    assert SUITE_URL is not None
    replicas = [Replica(SUITE_URL) for _ in range(3)]
    for replica in replicas:
        replica.leadership.start()
    try:
        assert eventually(lambda: sum(r.leadership.leading for r in replicas) == 1)
        time.sleep(0.5)  # several retries later, still exactly one
        leaders = [r for r in replicas if r.leadership.leading]
        assert len(leaders) == 1 and leaders[0].events == ["elected"]
        assert all(r.events == [] for r in replicas if r is not leaders[0])

        leaders[0].leadership.stop()
        rest = [r for r in replicas if r is not leaders[0]]
        assert eventually(lambda: sum(r.leadership.leading for r in rest) == 1)
        assert sum(r.events == ["elected"] for r in rest) == 1
    finally:
        for replica in replicas:
            replica.leadership.stop()
