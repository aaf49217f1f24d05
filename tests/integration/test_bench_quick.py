"""The load benchmark's CI smoke check: `bench/load.py --quick` on SQLite seeds a small team, drives the
real `pyramid-bot serve` and the bare Bolt floor with 16 clients, measures digests and prints its tables.
No timing is asserted: only that every scenario completed requests without an error."""

from __future__ import annotations

from tests.support.bench import run_bench


def test_load_bench_quick_runs_and_prints_its_tables() -> None:
    out = run_bench("load.py", "--quick", "--database", "sqlite", timeout=180)
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
