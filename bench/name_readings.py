"""What near matches by reading cost (issue 13): the reading of a typed name, the look-up of a log's
account among 100k accounts of one team, and migration 0010 filling the readings of existing rows.

    .venv/bin/python bench/name_readings.py [--rows 100000] [--database sqlite|postgresql+psycopg://…]

The PostgreSQL database given is DROPPED and recreated (schema public): never point it at real data."""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import extraction  # noqa: E402
from bot.db import Database, alembic_config, upgrade  # noqa: E402
from bot.domain.names import name_key, name_reading  # noqa: E402
from bot.models import Account  # noqa: E402
from bot.services import accounts  # noqa: E402
from bot.services.accounts import AccountRef  # noqa: E402
from bot.services.imports import ImportRow, apply_import  # noqa: E402

TEAM = "T0BENCH"
NOW = datetime(2026, 11, 29, tzinfo=UTC)
TODAY = date(2026, 11, 29)
TYPED = ["ヤマダ商事", "やまだ物産", "Acme Tradin", "新しい会社名", "マルヤマインサツ", "Globex Holdings"]


def generated_names(count: int, seed: int = 13) -> list[str]:
    """`count` names with distinct keys: bench/extraction's words, two by two (its own generator runs
    out of distinct names below 100k)."""
    rng = random.Random(seed)
    names: dict[str, str] = {}
    while len(names) < count:
        shape = rng.random()
        if shape < 0.5:
            name = rng.choice(extraction._SURNAMES) + rng.choice(extraction._PLACES)
            name += rng.choice(extraction._SUFFIXES_JA)
        elif shape < 0.7:
            name = rng.choice(extraction._KATAKANA) + rng.choice(extraction._KATAKANA)
            name += rng.choice(extraction._SURNAMES) + rng.choice(extraction._SUFFIXES_JA)
        else:
            name = f"{rng.choice(extraction._LATIN).title()} {rng.choice(extraction._LATIN).title()} "
            name += rng.choice(extraction._SUFFIXES_EN) + rng.choice(extraction._FORMS_EN)
        names.setdefault(name_key(name), name)
    return sorted(names.values())


def fresh(target: str, tmp: Path) -> str:
    if target == "sqlite":
        url = f"sqlite:///{tmp / 'bench.db'}"
    else:
        url = target
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)
    return url


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", default="sqlite")
    args = parser.parse_args()
    names = generated_names(args.rows)
    name_reading("山田")  # pykakasi's dictionaries load once (about half a second)

    started = time.perf_counter()
    for name in names:
        name_reading(name)
    per_name = (time.perf_counter() - started) / len(names)
    print(f"name_reading: {ms(per_name)} per name ({len(names)} generated names)")

    with tempfile.TemporaryDirectory() as tmp:
        url = fresh(args.database, Path(tmp))
        db = Database(url)
        rows = [
            ImportRow(line=i + 2, name=n, owner="U0REP1", step=None, segment=None)
            for i, n in enumerate(names)
        ]
        started = time.perf_counter()
        with db.transaction() as session:
            apply_import(session, TEAM, rows, now=NOW, today=TODAY)
        print(
            f"import of {len(names)} new accounts (readings included): {time.perf_counter() - started:.1f} s"
        )
        db.engine.dispose()
        # Back to before 0010 (the column dropped), then 0010 again: it fills every reading.
        command.downgrade(alembic_config(url), "0009")
        started = time.perf_counter()
        upgrade(url, "head")
        print(f"migration 0010 on {len(names)} accounts: {time.perf_counter() - started:.1f} s")

        db = Database(url)
        for typed in TYPED:
            timings = []
            for _ in range(5):
                with db.transaction() as session:
                    started = time.perf_counter()
                    found = accounts.resolve(session, TEAM, AccountRef(name=typed))
                    timings.append(time.perf_counter() - started)
            kind = type(found).__name__ if found is not None else "new"
            print(f"resolve({typed!r}): {ms(statistics.median(timings))} median of 5 -> {kind}")
        with db.transaction() as session:
            started = time.perf_counter()
            for _ in range(100):
                session.scalars(
                    select(Account)
                    .where(
                        Account.team_id == TEAM,
                        Account.name_reading == name_reading("ヤマダ商事"),
                        Account.name_key != name_key("ヤマダ商事"),
                    )
                    .limit(3)
                ).all()
            print(f"the reading look-up alone (index): {ms((time.perf_counter() - started) / 100)}")
        db.engine.dispose()


if __name__ == "__main__":
    main()
