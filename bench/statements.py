"""SQL statements, round trips and CPU of one `/meeting` (the store before the ack) and one `/pyramid team`.

    .venv/bin/python bench/statements.py [--accounts 10000] [--database sqlite|postgresql://…] [--repeat 200]

Seeds one team as bench/load.py does (20 reps), takes the day's snapshot job, then runs in this process,
without HTTP: `usecases.logs.log_command` ("/meeting <existing account> visit", what the listener runs
before the ack) and `usecases.pyramids.pyramid_facts` for the team (what `/pyramid team` reads). Every
statement is counted with a `before_cursor_execute` listener, commits and rollbacks with the engine's
`commit`/`rollback` events (each one a round trip on PostgreSQL). CPU is this process's
`time.process_time()` per call (the database server's own CPU on PostgreSQL is not in it), the median of
--repeat calls: on a shared machine it moves less than wall time. The first call's statements are
printed with --show. A `postgresql://` database has its `public` schema DROPPED and recreated.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent))

from load import LOAD_TEAM, ZONE, SeedTeam, daily_job, prepare_database, seed_team, vacuum  # noqa: E402
from sqlalchemy import event  # noqa: E402


class Counted:
    """Statements (by first word) and commits on one engine while `on` is set."""

    def __init__(self, *engines: Any) -> None:
        self.on = False
        self.statements: list[str] = []
        self.raw: list[tuple[str, Any]] = []  # as sent, with the parameters (for --explain)
        self.commits = 0
        for engine in set(engines):
            event.listen(engine, "before_cursor_execute", self._statement)
            event.listen(engine, "commit", self._commit)
            event.listen(engine, "rollback", self._commit)

    def _statement(self, _conn: Any, _cursor: Any, statement: str, parameters: Any, *_rest: Any) -> None:
        if self.on:
            self.statements.append(" ".join(statement.split()))
            self.raw.append((statement, parameters))

    def _commit(self, _conn: Any) -> None:
        if self.on:
            self.commits += 1

    def measure(self, call: Callable[[], object]) -> tuple[list[str], int, float, list[tuple[str, Any]]]:
        self.statements, self.raw, self.commits, self.on = [], [], 0, True
        start = time.process_time()
        try:
            call()
        finally:
            self.on = False
        return self.statements, self.commits, (time.process_time() - start) * 1000, self.raw


def explain(engine: Any, statement: str, parameters: Any) -> list[str]:
    """The plan of a statement as it was sent: EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL."""
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            ("EXPLAIN QUERY PLAN " if sqlite else "EXPLAIN ") + statement, parameters
        ).all()
        connection.rollback()
    return [str(row[-1]) for row in rows]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--show", action="store_true", help="print a median call's statements")
    parser.add_argument("--explain", action="store_true", help="and the plan of each of its SELECTs")
    args = parser.parse_args()

    from bot.clock import Clock
    from bot.config import Settings
    from bot.db import Database
    from bot.runtime import Runtime
    from bot.usecases import logs, pyramids

    clock = Clock()
    today = clock.today(ZoneInfo(ZONE))
    team = SeedTeam(LOAD_TEAM, "L", args.accounts, 20, 0)
    with tempfile.TemporaryDirectory() as workdir:
        url = prepare_database(args.database, Path(workdir))
        db = Database(url)
        seed_team(db.engine, team, today, snapshot_days=31)
        if db.engine.dialect.name == "postgresql":
            vacuum(db.engine)
        daily_job(url, LOAD_TEAM, today)
        settings = Settings(_env_file=None, database_url=url, pyramid_timezone=ZONE)  # type: ignore[call-arg]
        runtime = Runtime(settings=settings, db=db, clock=clock)
        counted = Counted(db.engine, db.read_engine)
        rng = random.Random(9)
        serial = iter(range(10**9))

        def meeting() -> object:
            rep = rng.randrange(team.reps)
            _id, name = team.account_of(rep, rng)
            return logs.log_command(
                runtime, "meeting", f"{name} visit", LOAD_TEAM, team.owners()[rep], today, f"k{next(serial)}"
            )

        def pyramid() -> object:
            return pyramids.pyramid_facts(runtime, LOAD_TEAM, None, today)

        for label, call in (("/meeting (store before the ack)", meeting), ("/pyramid team", pyramid)):
            for _ in range(3):  # warm: caches, prepared plans, pooled connections
                call()
            runs = [counted.measure(call) for _ in range(args.repeat)]
            count = statistics.median_low(len(run[0]) for run in runs)
            statements, raw = next((run[0], run[3]) for run in runs if len(run[0]) == count)
            kinds = Counter(statement.split(" ", 1)[0].upper() for statement in statements)
            commits = statistics.median(run[1] for run in runs)
            cpu = sorted(run[2] for run in runs)
            print(
                f"{label}: {count:g} statements + {commits:g} commit(s) = {count + commits:g} round trips"
                " (+1 BEGIN on PostgreSQL)"
                f" ({dict(kinds)}); CPU ms median {statistics.median(cpu):.2f},"
                f" p90 {cpu[int(len(cpu) * 0.9)]:.2f} ({db.engine.dialect.name}, {args.accounts:,} accounts)"
            )
            if args.show or args.explain:
                for statement, (sent, parameters) in zip(statements, raw, strict=True):
                    print("   ", statement[:220])
                    if args.explain and statement.upper().startswith(("SELECT", "WITH")):
                        for line in explain(db.engine, sent, parameters):
                            print("        " + line)
        runtime.close()
        db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
