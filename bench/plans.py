"""The query plans and timings of the digest and `/pyramid` queries on a seeded team.

    .venv/bin/python bench/plans.py [--accounts 100000] [--database sqlite|postgresql://…]

Seeds one team as bench/load.py does (20 reps), takes today's snapshot with the bot's own services, then
runs `digest_for` for one rep and `distribution_for` + `analytics_for` for the team, capturing every SQL
statement they issue (a `before_cursor_execute` listener). Each statement is printed with its plan:
`EXPLAIN QUERY PLAN` on SQLite, `EXPLAIN (ANALYZE, BUFFERS)` on PostgreSQL; then the median time of each
call over --repeat runs. Run it with PYTHONPATH pointing at another checkout to see that code's plans.
A `postgresql://` database has its `public` schema DROPPED and recreated.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import (
    LOAD_TEAM,
    ZONE,
    SeedTeam,
    daily_job,
    database_version,
    prepare_database,
    seed_team,
    vacuum,
)  # noqa: E402
from sqlalchemy import event  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    from sqlalchemy import func, select

    from bot.clock import Clock
    from bot.db import Database
    from bot.models import Account
    from bot.services import analytics, digests, pyramids

    today = Clock().today(ZoneInfo(ZONE))
    team = SeedTeam(LOAD_TEAM, "L", args.accounts, 20, 0)
    with tempfile.TemporaryDirectory() as workdir:
        url = prepare_database(args.database, Path(workdir))
        db = Database(url)
        start = time.perf_counter()
        sizes = seed_team(db.engine, team, today, snapshot_days=31)
        pg = db.engine.dialect.name == "postgresql"
        if pg:
            vacuum(db.engine)
        print(f"{database_version(db.engine)}; seeded in {time.perf_counter() - start:.1f} s: {sizes}")
        print(f"daily snapshot job: {daily_job(url, LOAD_TEAM, today):.2f} s")
        rep = team.owners()[0]

        def digest(session: Any) -> object:
            return digests.digest_for(session, LOAD_TEAM, rep, today)

        def pyramid(session: Any) -> object:
            dist = pyramids.distribution_for(session, LOAD_TEAM, None, today=today)
            return analytics.analytics_for(session, LOAD_TEAM, None, dist, today)

        def group_by(session: Any) -> object:
            # The floor: counting by step alone, as distribution_for did before it read each account's
            # status (which no index holds: a heap scan).
            statement = select(Account.step, func.count()).where(Account.team_id == LOAD_TEAM)
            return session.execute(statement.group_by(Account.step)).all()

        def distribution(session: Any) -> object:
            return pyramids.distribution_for(session, LOAD_TEAM, None, today=today)

        calls: list[tuple[str, Callable[[Any], object]]] = [
            (f"digest_for (one rep, {args.accounts // 20:,} accounts)", digest),
            ("distribution_for + analytics_for (team)", pyramid),
            ("distribution_for (team): active, dormant, lost, archived by step", distribution),
            ("the raw GROUP BY step", group_by),
        ]
        p95s: dict[str, float] = {}
        for name, work in calls:
            captured: list[tuple[str, Any]] = []

            def capture(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
                captured.append((statement, parameters))  # noqa: B023 - read right after the call

            event.listen(db.engine, "before_cursor_execute", capture)
            with db.transaction() as session:
                work(session)
            event.remove(db.engine, "before_cursor_execute", capture)
            captured = [(s, p) for s, p in captured if s.lstrip().upper().startswith(("SELECT", "WITH"))]
            print(f"\n### {name}: {len(captured)} statements (BEGIN and the like left out)\n")
            for statement, parameters in captured:
                print("```sql\n" + " ".join(statement.split()) + "\n```")
                explain = "EXPLAIN (ANALYZE, BUFFERS) " if pg else "EXPLAIN QUERY PLAN "
                with db.engine.connect() as connection:
                    raw = connection.connection.dbapi_connection
                    assert raw is not None
                    cursor = raw.cursor()
                    cursor.execute(explain + statement, parameters)
                    rows = cursor.fetchall()
                    cursor.close()
                print("```")
                for row in rows:
                    print(row[0] if pg else f"{'  ' * _depth(rows, row)}{row[-1]}")
                print("```")
            samples = []
            for _ in range(args.repeat):
                with db.transaction() as session:
                    began = time.perf_counter()
                    work(session)
                    samples.append((time.perf_counter() - began) * 1000)
            samples.sort()
            p95 = samples[max(0, int(0.95 * len(samples) + 0.999) - 1)]
            p95s[name] = p95
            print(
                f"\n{name}: median {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms "
                f"over {args.repeat} runs"
            )
        db.dispose()
    pyramid_p95, group_by_p95 = p95s[calls[1][0]], p95s[calls[3][0]]
    bound = 1.5 * group_by_p95 + 20
    print(
        f"\ntarget: /pyramid team service p95 {pyramid_p95:.1f} ms <= 1.5 x GROUP BY p95 "
        f"{group_by_p95:.1f} ms + 20 ms = {bound:.1f} ms: {'met' if pyramid_p95 <= bound else 'MISSED'}"
    )
    return 0


def _depth(rows: list[Any], row: Any) -> int:
    """The nesting of an EXPLAIN QUERY PLAN row (id, parent, notused, detail)."""
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent:
        depth, parent = depth + 1, parents.get(parent, 0)
    return depth


if __name__ == "__main__":
    sys.exit(main())
