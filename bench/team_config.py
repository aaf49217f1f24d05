"""What a team's settings cost a request: `Runtime.team_config` answered from the process's memory (a
hit) against a read of the team's row (a miss, once per team per TEAM_CONFIG_MEMORY and process).

    python bench/team_config.py [postgresql://…]   (no URL: a fresh SQLite file; a PostgreSQL schema is
                                                     dropped and migrated: give it a scratch database)
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's bot and tests

from bot.clock import FixedClock  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.db import Database  # noqa: E402
from bot.runtime import Runtime  # noqa: E402
from tests.support.database import migrated  # noqa: E402

HITS = 20_000
MISSES = 300


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else None
    database_url = migrated(url, Path(tempfile.mkdtemp()) / "bench.db")
    runtime = Runtime(
        settings=Settings(_env_file=None, database_url=database_url),  # type: ignore[call-arg]
        db=Database(database_url),
        clock=FixedClock(datetime(2026, 11, 30, tzinfo=UTC)),
    )
    runtime.team_config("T1")
    start = time.perf_counter()
    for _ in range(HITS):
        runtime.team_config("T1")
    hit = (time.perf_counter() - start) / HITS
    start = time.perf_counter()
    for _ in range(MISSES):
        runtime.forget_team_config("T1")
        runtime.team_config("T1")
    miss = (time.perf_counter() - start) / MISSES
    print(f"{'postgresql' if url else 'sqlite'}: hit {hit * 1e6:.1f} µs, miss {miss * 1e3:.2f} ms")
    runtime.close()


if __name__ == "__main__":
    main()
