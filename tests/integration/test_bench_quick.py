"""The load benchmark's CI smoke check: `bench/load.py --quick` on SQLite seeds a small team, drives the
real `pyramid-bot serve` and the bare Bolt floor with 16 clients, measures digests and prints its tables.
No timing is asserted: only that every scenario completed requests without an error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_load_bench_quick_runs_and_prints_its_tables() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PYRAMID_", "DATABASE_URL"))}
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "load.py"), "--quick", "--database", "sqlite"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    for row in (
        "| floor (bare Bolt) | 1 |",
        "| meeting | 1 |",
        "| deal | 1 |",
        "| account | 1 |",
        "| pyramid | 1 |",
        "| button | 1 |",
    ):
        assert row in out, out
    assert "| 1,000 | 200 |" in out and "| 4,000 | 200 |" in out, out
    assert "SQL statements per rep the same at every team size: yes" in out, out
    assert "verdict: all scenarios completed without errors" in out, out
