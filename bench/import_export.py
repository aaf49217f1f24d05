"""Import and export of a big account list (issue 16), each against its floor on the same database.

Run from the repository root:

    .venv/bin/python bench/import_export.py [--rows 100000] [--database sqlite|postgresql://…] [--no-memory]

With no --database it runs SQLite (a fresh file in a temp dir) and then, when PYRAMID_BENCH_PG is set, that
PostgreSQL database. A `postgresql://` database has its `public` schema DROPPED and recreated.

For each database, with --rows rows (a CSV as `pyramid-bot import` reads it, steps spread over the ladder):

1. floor: a plain bulk insert of the same accounts (Core `executemany`, values computed beforehand, one
   transaction) into the empty table; then the table is emptied again;
2. import: `read_import` + `apply_import` in one transaction, as `pyramid-bot import` does, into the
   empty table; the time of each 10,000 inserted rows, first against last (flat or not);
3. re-import of the same file (nothing changes);
4. export floor: a plain `SELECT` of the same columns in the same order, read through the driver's cursor
   1,000 rows at a time (server-side on PostgreSQL), nothing done with the rows; on PostgreSQL with libpq
   17+ also streamed in chunks of 1,000 (as the export reads), and the faster of the two is the floor;
5. export: `write_export` (what `pyramid-bot export` runs) to /dev/null, JSON and CSV;
6. plans of the import's name look-up (1,000 keys) at 1,000 rows and at --rows rows; on PostgreSQL also
   the generic plan that a prepared statement would be given;
7. memory (tracemalloc peak, Python allocations): the export of 10,000 and of --rows rows, and the
   import of --rows rows.

8. Japanese names (unless --no-japanese): bench/name_readings.py's 100,000 generated names (山田東京商事,
   ブルーソフト田中精機, …), a bulk insert of them with their readings computed beforehand as the floor,
   the import (every name read aloud, other readings stored) and the re-import (nothing changes).

Each timed step runs --repeat times (default 1; the floor and the import alternate); the best is kept.
Prints the figures, the ratios and the issue's targets (met / missed). Exits 0 unless a step failed.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import platform
import sqlite3
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime
from itertools import islice
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import Table, create_engine, select, text  # noqa: E402

from bench.name_readings import generated_names  # noqa: E402
from bot.config import sqlalchemy_url  # noqa: E402
from bot.db import Database, upgrade  # noqa: E402
from bot.domain import names  # noqa: E402
from bot.domain.names import name_key, name_reading, name_readings  # noqa: E402
from bot.domain.stages import LADDER, Step, evidence_floor  # noqa: E402
from bot.models import Account  # noqa: E402
from bot.services.exports import _EXPORT_COLUMNS, CHUNK, _chunked_rows, write_export  # noqa: E402
from bot.services.imports import apply_import, read_import  # noqa: E402

TEAM = "T0BENCH"
SMALL_TEAM = "T0SMALL"
NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
TODAY = date(2026, 11, 29)
ACCOUNTS: Table = Account.__table__  # type: ignore[assignment]
TARGET_IMPORT = 3.0
TARGET_EXPORT = 1.5


def make_csv(rows: int, prefix: str = "Company", japanese: bool = False) -> str:
    """A file as a company would hand it over: name, owner, step (key or label, some empty), segment.
    With `japanese`, the names are bench/name_readings.py's (山田東京商事, ブルーソフト田中精機, …, a
    fifth in Latin letters), all distinct, each read aloud by the import."""
    names = generated_names(rows) if japanese else [f"{prefix} {index:07d} K.K." for index in range(rows)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["name", "owner", "step", "segment"])
    steps = [""] + [step.value for step in LADDER] + [step.label for step in LADDER]
    for index in range(rows):
        writer.writerow(
            [
                names[index],
                f"U0REP{index % 50:03d}",
                steps[index % len(steps)],
                "strategic" if index % 7 == 0 else "",
            ]
        )
    return "\ufeff" + out.getvalue()


def floor_values(csv_text: str, readings: bool = False) -> list[dict[str, Any]]:
    """The same accounts as plain column values, computed before the floor's clock starts (with
    `readings`, the names' common readings too: the floor inserts the same columns as the import)."""
    rows, problems = read_import(csv_text)
    assert not problems
    values = []
    for row in rows:
        step = row.step or Step.NAME_ONLY
        evidence = evidence_floor(step)
        values.append(
            {
                "team_id": TEAM,
                "name": row.name,
                "name_key": name_key(row.name),
                **({"name_reading": name_reading(row.name)} if readings else {}),
                "owner_id": row.owner,
                "step": step.value,
                "segment": row.segment,
                "remote_touches": evidence.remote_touches,
                "in_person_meetings": evidence.in_person_meetings,
                "meals": evidence.meals,
                "proposals": evidence.proposals,
                "deals_won": evidence.deals_won,
                "deals_lost": 0,
                "last_touch_on": None,
                "created_on": TODAY,
                "created_at": NOW,
                "updated_at": NOW,
            }
        )
    return values


def fresh_database(target: str, tmp: Path) -> str:
    if target == "sqlite":
        url = f"sqlite:///{tmp / 'bench.db'}"
    else:
        url = sqlalchemy_url(target)
        engine = create_engine(url)
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    upgrade(url)
    return url


def empty(db: Database) -> None:
    with db.engine.begin() as connection:
        if db.is_sqlite:
            connection.execute(text("DELETE FROM step_changes"))
            connection.execute(text("DELETE FROM account_readings"))
            connection.execute(text("DELETE FROM accounts"))
        else:
            connection.execute(
                text("TRUNCATE step_changes, account_readings, accounts RESTART IDENTITY CASCADE")
            )
    if db.is_sqlite:  # outside SQLAlchemy, whose SQLite connections always BEGIN
        raw = sqlite3.connect(db.url.removeprefix("sqlite:///"), isolation_level=None)
        raw.execute("VACUUM")
        raw.close()


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def run_floor_insert(
    db: Database, values: list[dict[str, Any]], marks: list[tuple[int, float]] | None = None
) -> None:
    with db.transaction() as session:
        for start in range(0, len(values), CHUNK):
            session.execute(ACCOUNTS.insert(), values[start : start + CHUNK])
            if marks is not None:
                marks.append((start + CHUNK, time.perf_counter()))


def run_import(db: Database, csv_text: str, team: str = TEAM, marks: list[tuple[int, float]] | None = None):  # type: ignore[no-untyped-def]
    def progress(done: int) -> None:
        if marks is not None:
            marks.append((done, time.perf_counter()))

    rows, problems = read_import(csv_text)
    assert not problems, problems[:3]
    with db.transaction() as session:
        return apply_import(session, team, rows, now=NOW, today=TODAY, progress=progress)


FLOOR_SELECT = (
    "SELECT team_id, name, owner_id, step, segment, last_touch_on, in_person_meetings, deals_won, "
    "created_on, status, merged_into_id FROM accounts ORDER BY team_id, name_key"
)


def run_select_floor(db: Database, stream: bool = False) -> int:
    """The plain SELECT: the export's columns in its order, as the driver gives them (dates as dates,
    numbers as ints), read 1,000 rows at a time and nothing done with them: through the driver's cursor
    (server-side on PostgreSQL), or with `stream` streamed in chunks of 1,000 (PostgreSQL, libpq 17+),
    as the export reads its rows when it can."""
    count = 0
    with db.read() as session:
        raw: Any = session.connection().connection.dbapi_connection
        if stream:
            with raw.cursor() as cursor:
                for _ in cursor.stream(FLOOR_SELECT, size=CHUNK):
                    count += 1
            return count
        cursor = raw.cursor() if db.is_sqlite else raw.cursor(name="floor")
        cursor.execute(FLOOR_SELECT)
        while rows := cursor.fetchmany(CHUNK):
            count += len(rows)
        cursor.close()
    return count


def store_json_lines(db: Database) -> None:
    """The JSON export's objects, exactly, into a scratch table (PostgreSQL): for `run_bytes_floor`."""
    query = (
        "SELECT row_to_json(r)::text FROM accounts a CROSS JOIN LATERAL (SELECT {}) r "
        "ORDER BY a.team_id, a.name_key"
    )
    columns = ", ".join(f"{column} AS {field}" for field, column in _EXPORT_COLUMNS)
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS bench_json_lines")
        connection.exec_driver_sql(f"CREATE TABLE bench_json_lines AS {query.format(columns)}")


def run_bytes_floor(db: Database) -> int:
    """The JSON export's own lines, made beforehand (`store_json_lines`), streamed and written to /dev/null
    as the export writes them: what moving the output alone costs, with no JSON made at all."""
    count = 0
    with db.read() as session, open(os.devnull, "w", encoding="utf-8") as out:
        raw: Any = session.connection().connection.dbapi_connection
        with raw.cursor() as cursor:
            rows = cursor.stream("SELECT * FROM bench_json_lines", size=CHUNK)
            separator = "[\n  "
            while page := list(islice(rows, CHUNK)):
                out.write(separator + ",\n  ".join([row[0] for row in page]))
                separator = ",\n  "
                count += len(page)
            out.write("\n]\n")
    return count


def run_export(db: Database, fmt: str, team_ids: list[str] | None = None) -> int:
    with db.read() as session, open(os.devnull, "w", encoding="utf-8") as out:
        return write_export(session, out, fmt, team_ids, today=TODAY)


def plans(db: Database, size_label: str) -> list[str]:
    """The name look-up's plan (CHUNK keys, the statement the import runs: `IN (…)` on SQLite, `= ANY(…)`
    planned at each run on PostgreSQL) and, on PostgreSQL, the generic plan it would get if prepared."""
    keys = [name_key(f"Company {index:07d} K.K.") for index in range(0, CHUNK * 7, 7)]
    lines = []
    with db.engine.connect() as connection:
        if db.is_sqlite:
            statement = select(Account.name_key, Account.id).where(
                Account.team_id == TEAM, Account.name_key.in_(keys)
            )
            query = str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
            found = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + query).all()
            lines.append(f"  at {size_label} rows: " + " / ".join(str(row[3]) for row in found))
        else:
            query = "SELECT name_key, id FROM accounts WHERE team_id = %s AND name_key = ANY(%s::varchar[])"
            found = connection.exec_driver_sql("EXPLAIN " + query, (TEAM, keys)).scalars()
            lines.append(f"  at {size_label} rows, as run (planned each time): " + _short(found))
            connection.exec_driver_sql("SET plan_cache_mode = force_generic_plan")
            connection.exec_driver_sql(
                "PREPARE bench_lookup(varchar, varchar[]) AS "
                "SELECT name_key, id FROM accounts WHERE team_id = $1 AND name_key = ANY($2)"
            )
            literals = ", ".join("'" + key.replace("'", "''") + "'" for key in keys)
            generic = connection.exec_driver_sql(
                f"EXPLAIN EXECUTE bench_lookup('{TEAM}', ARRAY[{literals}])"
            ).scalars()
            lines.append(f"  at {size_label} rows, generic plan (if it were prepared): " + _short(generic))
            connection.rollback()
    return lines


def _short(plan: Any) -> str:
    return " / ".join(" ".join(str(line).split())[:110] for line in plan)


def peak(action: Callable[[], Any]) -> float:
    """Peak of Python allocations during `action`, MiB."""
    tracemalloc.start()
    try:
        action()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def first_and_last(what: str, flat: tuple[float, float], *, judged: bool) -> str:
    """ "<what> the first 10,000 rows: … s; the last 10,000: … s (×r[: flat])"."""
    first, last = flat
    verdict = f": {'flat' if last <= first * 1.5 else 'NOT flat'}" if judged else ""
    times = f"the first 10,000 rows: {first:.2f} s; the last 10,000: {last:.2f} s"
    return f"{what} {times} (×{last / first:.2f}{verdict})"


def per_10k(marks: list[tuple[int, float]], started: float, total: int) -> tuple[float, float] | None:
    """Seconds for the first and for the last 10,000 inserted rows (from the progress marks)."""
    if total < 20_000:
        return None
    inserted = [(done, at) for done, at in marks if done <= total]
    first_end = next(at for done, at in inserted if done >= 10_000)
    first_start = inserted[0][1] - (inserted[1][1] - inserted[0][1])  # the first page's own time before it
    last_start = next(at for done, at in inserted if done >= total - 10_000)
    last_end = next(at for done, at in inserted if done >= total)
    return first_end - first_start, last_end - last_start


def bench(target: str, rows: int, repeat: int, memory: bool, japanese: bool = True) -> list[str]:
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="pyramid-ie-") as tmp:
        url = fresh_database(target, Path(tmp))
        db = Database(url)
        name = "SQLite" if db.is_sqlite else "PostgreSQL"
        csv_text = make_csv(rows)
        values = floor_values(csv_text)

        floors, imports, flats = [], [], []
        plan_lines: list[str] = []
        for _ in range(repeat):
            empty(db)
            floors.append(timed(lambda: run_floor_insert(db, values))[0])
            empty(db)
            if rows >= 1000:
                run_import(db, make_csv(1000))  # the plans at 1,000 rows, then start again
                plan_lines = plans(db, "1,000")  # the last run's
                empty(db)
            marks: list[tuple[int, float]] = []
            seconds, report = timed(lambda marks=marks: run_import(db, csv_text, marks=marks))
            assert report.created == rows, report
            imports.append(seconds)
            flats.append(per_10k(marks, 0.0, rows))
        plan_lines += plans(db, f"{rows:,}")
        reimports = []
        for _ in range(repeat):
            seconds, report = timed(lambda: run_import(db, csv_text))
            assert (report.created, report.updated, report.unchanged) == (0, 0, rows), report
            reimports.append(seconds)
        if not db.is_sqlite:
            with db.engine.begin() as connection:
                connection.execute(text("ANALYZE accounts"))
        select_floors, stream_floors, json_exports, csv_exports, bytes_floors = [], [], [], [], []
        streams = not db.is_sqlite and _chunked_rows()
        if streams:
            store_json_lines(db)
        for _ in range(repeat):
            seconds, count = timed(lambda: run_select_floor(db))
            assert count == rows
            select_floors.append(seconds)
            if streams:
                seconds, count = timed(lambda: run_select_floor(db, stream=True))
                assert count == rows
                stream_floors.append(seconds)
            seconds, count = timed(lambda: run_export(db, "json"))
            assert count == rows
            json_exports.append(seconds)
            seconds, count = timed(lambda: run_export(db, "csv"))
            csv_exports.append(seconds)
            if streams:
                seconds, count = timed(lambda: run_bytes_floor(db))
                assert count == rows
                bytes_floors.append(seconds)

        floor, imported, reimported = min(floors), min(imports), min(reimports)
        sel, exp_json, exp_csv = min(select_floors + stream_floors), min(json_exports), min(csv_exports)
        flat = flats[imports.index(imported)]
        out.append(f"## {name}, {rows:,} rows ({url.split('@')[-1] if '@' in url else 'temp file'})")
        out.append("")
        out.append("| step | floor s | Pyramid s | ratio | target | met |")
        out.append("|---|---|---|---|---|---|")

        def line(label: str, floor_s: float, ours: float, target: float) -> None:
            ratio = ours / floor_s
            out.append(
                f"| {label} | {floor_s:.2f} | {ours:.2f} | ×{ratio:.2f} | ≤ ×{target:g} | "
                f"{'met' if ratio <= target else 'MISSED'} |"
            )

        line("import (floor: bulk insert)", floor, imported, TARGET_IMPORT)
        line("re-import, same file (floor: bulk insert)", floor, reimported, TARGET_IMPORT)
        line("export JSON (floor: plain SELECT)", sel, exp_json, TARGET_EXPORT)
        line("export CSV (floor: plain SELECT)", sel, exp_csv, TARGET_EXPORT)
        if streams:
            cursor_floor = min(select_floors)
            line(
                "export JSON (floor: plain SELECT, server-side cursor)", cursor_floor, exp_json, TARGET_EXPORT
            )
            line("export CSV (floor: plain SELECT, server-side cursor)", cursor_floor, exp_csv, TARGET_EXPORT)
            line(
                "export JSON (floor: its own lines made beforehand)",
                min(bytes_floors),
                exp_json,
                TARGET_EXPORT,
            )
            line(
                "(its own lines made beforehand, floor: plain SELECT)", sel, min(bytes_floors), TARGET_EXPORT
            )
        out.append("")
        if flat is not None:
            out.append(first_and_last("import, inserting", flat, judged=True))
        runs = {
            "floors": floors,
            "imports": imports,
            "re-imports": reimports,
            "SELECT (cursor)": select_floors,
            "SELECT (streamed)": stream_floors,
            "JSON": json_exports,
            "CSV": csv_exports,
            "JSON lines made beforehand": bytes_floors,
        }
        out.append(
            f"runs: {repeat}, best kept; all: "
            + "; ".join(f"{label} {', '.join(f'{s:.2f}' for s in values)}" for label, values in runs.items())
        )
        out.append("plans of the import's name look-up (1,000 keys):")
        out.extend(plan_lines)
        if memory:
            small = min(10_000, rows // 10 or 1)
            run_import(db, make_csv(small, prefix="Small"), team=SMALL_TEAM)
            small_peak = peak(lambda: run_export(db, "json", [SMALL_TEAM]))
            big_peak = peak(lambda: run_export(db, "json", [TEAM]))
            empty(db)
            import_peak = peak(lambda: run_import(db, csv_text))
            flat_memory = "flat" if big_peak <= small_peak * 1.5 + 1 else "NOT flat"
            out.append(
                f"memory (tracemalloc peak): export JSON of {small:,} rows {small_peak:.1f} MiB, "
                f"of {rows:,} rows {big_peak:.1f} MiB ({flat_memory}); import of {rows:,} rows "
                f"{import_peak:.1f} MiB (the file is read and checked whole, by design)"
            )
        if japanese:
            out.extend(bench_japanese(db, rows, repeat))
        db.dispose()
    out.append("")
    return out


def bench_japanese(db: Database, rows: int, repeat: int) -> list[str]:
    """The import of Japanese names against its own floor, in the same run: the names are read aloud
    (their common and other readings: bot.domain.names.name_readings) and the other readings stored."""
    csv_text = make_csv(rows, japanese=True)
    values = floor_values(csv_text, readings=True)  # the dictionaries are loaded here, before any clock
    names._segments.cache_clear()
    started = time.perf_counter()
    for value in values:
        name_readings(value["name"])
    reading_seconds = time.perf_counter() - started
    floors, imports, flats, reimports, floor_flats = [], [], [], [], []
    for _ in range(repeat):
        empty(db)
        floor_marks: list[tuple[int, float]] = []
        floors.append(timed(lambda marks=floor_marks: run_floor_insert(db, values, marks))[0])
        floor_flats.append(per_10k(floor_marks, 0.0, rows))
        empty(db)
        names._segments.cache_clear()  # the import reads every name as if for the first time
        marks: list[tuple[int, float]] = []
        seconds, report = timed(lambda marks=marks: run_import(db, csv_text, marks=marks))
        assert report.created == rows, report
        imports.append(seconds)
        flats.append(per_10k(marks, 0.0, rows))
    with db.engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM account_readings")).scalar_one()
    for _ in range(repeat):
        seconds, report = timed(lambda: run_import(db, csv_text))
        assert (report.created, report.updated, report.unchanged) == (0, 0, rows), report
        reimports.append(seconds)
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM account_readings")).scalar_one() == stored
    floor, imported, reimported = min(floors), min(imports), min(reimports)
    out = [
        "",
        f"Japanese names, {rows:,} rows (the floor inserts the same accounts with their common readings "
        f"computed beforehand; all readings of the {rows:,} names alone: {reading_seconds:.2f} s, "
        f"{reading_seconds / rows * 1000:.3f} ms a name):",
        "",
        "| step | floor s | Pyramid s | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    for label, ours in (("import, Japanese names", imported), ("re-import, same file", reimported)):
        ratio = ours / floor
        out.append(
            f"| {label} | {floor:.2f} | {ours:.2f} | ×{ratio:.2f} | ≤ ×{TARGET_IMPORT:g} | "
            f"{'met' if ratio <= TARGET_IMPORT else 'MISSED'} |"
        )
    flat = flats[imports.index(imported)]
    if flat is not None:
        out.append(first_and_last("Japanese import, inserting", flat, judged=True))
    floor_flat = floor_flats[floors.index(floor)]
    if floor_flat is not None:
        out.append(first_and_last("the floor's bulk insert of the same accounts,", floor_flat, judged=False))
    out.append(
        f"other readings stored: {stored:,} (unchanged by the re-import); runs: floors "
        + ", ".join(f"{s:.2f}" for s in floors)
        + "; imports "
        + ", ".join(f"{s:.2f}" for s in imports)
        + "; re-imports "
        + ", ".join(f"{s:.2f}" for s in reimports)
    )
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--database", action="append", help="sqlite or a postgresql:// URL (repeatable)")
    parser.add_argument("--no-memory", action="store_true")
    parser.add_argument("--no-japanese", action="store_true", help="skip the import of Japanese names")
    args = parser.parse_args()
    targets = args.database or ["sqlite"] + (
        [os.environ["PYRAMID_BENCH_PG"]] if os.environ.get("PYRAMID_BENCH_PG") else []
    )
    print(
        f"# import/export bench: {args.rows:,} rows; {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}; Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}; "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n"
    )
    for target in targets:
        for line in bench(target, args.rows, args.repeat, not args.no_memory, not args.no_japanese):
            print(line, flush=True)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
