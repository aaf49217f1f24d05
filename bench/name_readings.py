"""What near matches by reading and "did you mean" cost (issue 13) among 100k accounts of one team.

    .venv/bin/python bench/name_readings.py [--rows 100000] [--database sqlite|postgresql+psycopg://…]

1. readings: the reading of a name by pykakasi's converter (as before) and by bot.domain.names (now),
   the share of generated names read alike, and how many have other readings;
2. an import of --rows new accounts (readings included), migration 0018 on them (all readings again);
3. "did you mean" for typed names: the full scan of every key (as before: every key read and scored),
   then `accounts.resolve` (the reading look-ups and the team's index of keys), first call and median;
4. the index against the full scan on 300 misspelt names: the same best scores or not;
5. false friends: of 2,000 other generated names (not among the accounts), how many are asked about
   some account because they read alike, with the common reading only (before) and with the others.

The PostgreSQL database given is DROPPED and recreated (schema public): never point it at real data."""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import extraction  # noqa: E402
from bot.db import Database, alembic_config, upgrade  # noqa: E402
from bot.domain import names  # noqa: E402
from bot.domain.names import READING_LIMIT, name_key, name_reading, name_readings, near_matches  # noqa: E402
from bot.models import Account  # noqa: E402
from bot.services import accounts, name_index  # noqa: E402
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


@cache
def _pykakasi() -> Any:
    import pykakasi

    return pykakasi.kakasi()  # type: ignore[no-untyped-call]


def old_reading(name: str) -> str:
    """The reading as it was computed before (pykakasi's convert), for comparison."""
    key = name_key(name)
    if not names._CJK_RE.search(key):
        return key[:READING_LIMIT]
    converted = "".join(str(item["hira"]) for item in _pykakasi().convert(key))
    return converted.translate(names._KATAKANA_TO_HIRAGANA).replace(" ", "")[:READING_LIMIT]


def misspelt(keys: list[str], count: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        key = rng.choice(keys)
        index, shape = rng.randrange(len(key)), rng.random()
        if shape < 0.3:
            out.append(key[:index] + key[index + 1 :])
        elif shape < 0.6:
            out.append(key[:index] + rng.choice("abcdeアイウ山田商") + key[index + 1 :])
        elif shape < 0.8:
            out.append(key[: max(2, len(key) // 2)])
        else:
            out.append(key + rng.choice(["物産", "商事", "x", "ホールディングス"]))
    return out


def full_scan(session: Session, key: str) -> list[float]:
    """The "did you mean" of before: every key of the team read and scored."""
    rows = session.execute(select(Account.name_key).where(Account.team_id == TEAM)).scalars()
    return [match.score for match in near_matches(key, rows)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", default="sqlite")
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()}")
    names_list = generated_names(args.rows)
    name_reading("山田")  # the dictionaries load once (about half a second)
    old_reading("山田")

    started = time.perf_counter()
    before = [old_reading(name) for name in names_list]
    per_old = (time.perf_counter() - started) / len(names_list)
    started = time.perf_counter()
    now_readings = [name_readings(name) for name in names_list]
    per_new = (time.perf_counter() - started) / len(names_list)
    alike = sum(old == new[0] for old, new in zip(before, now_readings, strict=True))
    with_others = sum(len(found) > 1 for found in now_readings)
    print(
        f"reading per name: pykakasi {ms(per_old)}, bot.domain.names {ms(per_new)} (all readings); "
        f"common reading alike on {alike:,} of {len(names_list):,}; {with_others:,} names have other "
        f"readings ({sum(len(found) - 1 for found in now_readings):,} in all)"
    )

    with tempfile.TemporaryDirectory() as tmp:
        url = fresh(args.database, Path(tmp))
        db = Database(url)
        rows = [
            ImportRow(line=i + 2, name=n, owner="U0REP1", step=None, segment=None)
            for i, n in enumerate(names_list)
        ]
        started = time.perf_counter()
        with db.transaction() as session:
            apply_import(session, TEAM, rows, now=NOW, today=TODAY)
        print(
            f"import of {len(names_list)} new accounts (readings included): "
            f"{time.perf_counter() - started:.1f} s"
        )
        db.engine.dispose()
        command.downgrade(alembic_config(url), "0017")
        started = time.perf_counter()
        upgrade(url, "head")
        print(f"migration 0018 on {len(names_list)} accounts: {time.perf_counter() - started:.1f} s")

        db = Database(url)
        for typed in TYPED:
            with db.transaction() as session:
                started = time.perf_counter()
                full_scan(session, name_key(typed))
                scan = time.perf_counter() - started
            timings = []
            for _ in range(6):
                with db.transaction() as session:
                    started = time.perf_counter()
                    found = accounts.resolve(session, TEAM, AccountRef(name=typed))
                    timings.append(time.perf_counter() - started)
            kind = type(found).__name__ if found is not None else "new"
            print(
                f"resolve({typed!r}): before (full scan) {ms(scan)}; now first {ms(timings[0])}, "
                f"median of the next 5 {ms(statistics.median(timings[1:]))} -> {kind}"
            )

        keys = [name_key(name) for name in names_list]
        queries = misspelt(keys, 300)
        same, slowest, total = 0, 0.0, 0.0
        with db.transaction() as session:
            for query in queries:
                started = time.perf_counter()
                candidates = name_index.candidate_keys(session, TEAM, query)
                indexed = [match.score for match in near_matches(query, candidates)]
                took = time.perf_counter() - started
                total, slowest = total + took, max(slowest, took)
                same += indexed == full_scan(session, query)
        print(
            f"index against full scan, 300 misspelt names: same best scores for {same}; "
            f"{ms(total / len(queries))} per name (count check + candidates + scoring), slowest {ms(slowest)}"
        )

        others = [name for name in generated_names(2000, seed=99) if name_key(name) not in set(keys)]
        asked_common = asked_all = 0
        with db.transaction() as session:
            for name in others:
                asked_common += bool(
                    session.scalars(
                        select(Account.id)
                        .where(Account.team_id == TEAM, Account.name_reading == name_reading(name))
                        .limit(1)
                    ).first()
                )
                asked_all += bool(accounts.read_alike(session, TEAM, name))
        print(
            f"false friends, {len(others):,} names not among the accounts: asked because they read alike "
            f"{asked_common} (common reading only), {asked_all} (with the other readings)"
        )
        db.engine.dispose()
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
