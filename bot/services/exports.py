"""`pyramid-bot export`: every account as rows, streamed (the import is in bot.services.imports).

Built for big teams (100,000 accounts and more; figures: bench/README.md, "Import and export"): one
streamed `SELECT` in which the database writes each CSV line or JSON object, read 1,000 rows at a
time through the driver's cursor (server-side on PostgreSQL), so that memory does not grow with the
number of rows. `export_rows` gives the same rows as dicts.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from itertools import islice
from json.encoder import encode_basestring as _json_string
from typing import Any, TextIO

from sqlalchemy import (
    select,
)
from sqlalchemy.orm import Session

from bot.domain.stages import LADDER
from bot.models import Account

__all__ = ["CHUNK", "EXPORT_FIELDS", "Progress", "ProgressCallback", "export_rows", "write_export"]

EXPORT_FIELDS = (
    "team_id",
    "name",
    "owner",
    "stage",
    "step",
    "segment",
    "last_touch_on",
    "meetings",
    "deals_won",
    "created_on",
)
_STAGE_BY_STEP = {step.value: step.stage.value for step in LADDER}

# Rows per statement (export pages, import look-ups and inserts) and how often the progress line moves.
CHUNK = 1000

ProgressCallback = Callable[[int], None]


# ------------------------------------------------------------------------------------------ export


def export_rows(
    session: Session, team_ids: list[str] | None = None, *, chunk: int = CHUNK
) -> Iterator[dict[str, object]]:
    """Every account (of these teams) in team and name order, as plain values, streamed."""
    statement = select(
        Account.team_id,
        Account.name,
        Account.owner_id,
        Account.step,
        Account.segment,
        Account.last_touch_on,
        Account.in_person_meetings,
        Account.deals_won,
        Account.created_on,
    ).order_by(Account.team_id, Account.name_key)
    if team_ids:
        statement = statement.where(Account.team_id.in_(team_ids))
    # yield_per: a server-side cursor on PostgreSQL, fetchmany pages on SQLite: constant memory.
    result = session.execute(statement.execution_options(yield_per=chunk))
    stage_of = _STAGE_BY_STEP
    for team_id, name, owner, step, segment, last_touch_on, meetings, deals_won, created_on in result:
        yield {
            "team_id": team_id,
            "name": name,
            "owner": owner,
            "stage": stage_of[step],
            "step": step,
            "segment": segment,
            "last_touch_on": last_touch_on.isoformat() if last_touch_on else None,
            "meetings": meetings,
            "deals_won": deals_won,
            "created_on": created_on.isoformat(),
        }


def write_export(
    session: Session,
    out: TextIO,
    fmt: str,
    team_ids: list[str] | None = None,
    *,
    progress: ProgressCallback | None = None,
    chunk: int = CHUNK,
) -> int:
    """Writes every account (of these teams) as CSV with a header, or as a JSON array with one object a
    line; returns how many. The same rows and values as `export_rows`, read and written `chunk` rows at
    a time so that memory stays flat. The lines are written here from plain columns (`_plain_sql`):
    each CSV line (`_CsvLines`, as the csv module quotes) and, on PostgreSQL, each JSON object
    (`_JsonObjects`, byte for byte what `row_to_json` wrote, which cost the server more than the whole
    plain read); on SQLite the database writes each JSON object (`json_object`). PostgreSQL rows are
    streamed in chunks (libpq 17+: the server sends while Python writes) or read through a server-side
    cursor."""
    postgres = session.get_bind().dialect.name == "postgresql"
    team_ids = team_ids or []
    raw: Any = session.connection().connection.dbapi_connection
    count = 0
    if fmt == "csv":
        sql, params = _plain_sql(team_ids, postgres=postgres)
        lines = _CsvLines()
        out.write(",".join(EXPORT_FIELDS) + "\n")
        for page in _pages(raw, sql, params, chunk, postgres=postgres):
            out.write("\n".join(lines(page)) + "\n")
            count += len(page)
            if progress is not None:
                progress(count)
        return count
    if postgres:
        sql, params = _plain_sql(team_ids, postgres=True)
        objects: Callable[[list[Any]], list[str]] = _JsonObjects()
    else:
        sql, params = _export_sql(fmt, team_ids, postgres=False)
        objects = _first_column
    out.write("[")
    separator = "\n  "
    for page in _pages(raw, sql, params, chunk, postgres=postgres):
        out.write(separator + ",\n  ".join(objects(page)))
        separator = ",\n  "
        count += len(page)
        if progress is not None:
            progress(count)
    out.write("\n]\n")
    return count


def _first_column(page: list[Any]) -> list[str]:
    return [row[0] for row in page]


def _pages(raw: Any, sql: str, params: list[str], chunk: int, *, postgres: bool) -> Iterator[list[Any]]:
    """The statement's rows through the driver, `chunk` at a time: on PostgreSQL streamed in chunks
    when libpq can (17+), else through a server-side cursor; on SQLite by `fetchmany`."""
    if postgres and _chunked_rows():
        with raw.cursor() as cursor:
            rows = cursor.stream(sql, params, size=chunk)
            while page := list(islice(rows, chunk)):
                yield page
        return
    cursor = raw.cursor(name="pyramid_export") if postgres else raw.cursor()
    if postgres:
        cursor.itersize = chunk
    try:
        cursor.execute(sql, params)
        while page := cursor.fetchmany(chunk):
            yield page
    finally:
        cursor.close()


def _chunked_rows() -> bool:
    import psycopg

    return psycopg.pq.version() >= 170000


class _Quoted(dict[str | None, str]):
    """A text as a JSON string (`null` for NULL), remembered: team ids and owners repeat."""

    def __missing__(self, key: str | None) -> str:
        value = "null" if key is None else _json_string(key)
        self[key] = value
        return value


class _StageStep(dict[str, str]):
    """A step key as the JSON of `"stage":…,"step":…`, remembered."""

    def __missing__(self, step: str) -> str:
        stage = _STAGE_BY_STEP.get(step)
        value = f'"stage":{"null" if stage is None else stage},"step":{_json_string(step)}'
        self[step] = value
        return value


class _JsonObjects:
    """Each plain row (`_plain_sql`) of a page as the JSON object PostgreSQL's `row_to_json` wrote for
    it: the same key order, no spaces, strings escaped as `escape_json` does (json's
    `encode_basestring`: `"`, `\\`, \\b \\f \\n \\r \\t, other controls as \\u00xx, everything else
    as is), numbers and dates as the server writes them."""

    def __init__(self) -> None:
        self.ids = _Quoted()
        self.stage_step = _StageStep()

    def __call__(self, page: list[Any]) -> list[str]:
        ids, stage_step, text = self.ids, self.stage_step, _json_string
        return [
            f'{{"team_id":{ids[team_id]},"name":{text(name)},"owner":{ids[owner]},{stage_step[step]},'
            f'"segment":{"null" if segment is None else text(segment)},'
            f'"last_touch_on":{"null" if last_touch_on is None else chr(34) + last_touch_on + chr(34)},'
            f'"meetings":{meetings},"deals_won":{deals_won},"created_on":"{created_on}"}}'
            for team_id, name, owner, step, segment, last_touch_on, meetings, deals_won, created_on in page
        ]


def _plain_sql(team_ids: list[str], *, postgres: bool) -> tuple[str, list[str]]:
    """The export's columns, plain (dates as YYYY-MM-DD; on PostgreSQL all as text), in team and name
    order, for `_CsvLines` and `_JsonObjects`, with the driver's placeholders."""
    mark = "%s" if postgres else "?"
    where = f" WHERE a.team_id IN ({', '.join([mark] * len(team_ids))})" if team_ids else ""
    columns = (
        "a.team_id, a.name, a.owner_id, a.step, a.segment, to_char(a.last_touch_on, 'YYYY-MM-DD'), "
        "a.in_person_meetings::text, a.deals_won::text, to_char(a.created_on, 'YYYY-MM-DD')"
        if postgres
        else "a.team_id, a.name, a.owner_id, a.step, a.segment, a.last_touch_on, a.in_person_meetings, "
        "a.deals_won, a.created_on"
    )
    return f"SELECT {columns} FROM accounts a{where} ORDER BY a.team_id, a.name_key", list(team_ids)


class _StageStepCsv(dict[str, str]):
    """A step key as the CSV fields `stage,step`, remembered."""

    def __missing__(self, step: str) -> str:
        stage = _STAGE_BY_STEP.get(step)
        value = f"{'' if stage is None else stage},{step}"
        self[step] = value
        return value


class _CsvLines:
    """Each plain row (`_plain_sql`) of a page as a CSV line, as Python's csv module (QUOTE_MINIMAL)
    writes it: NULL as nothing; a name or segment with a comma, a double quote or a line break quoted,
    its quotes doubled. Slack ids (team, owner) and step keys never hold one and are written as they
    are."""

    def __init__(self) -> None:
        self.stage_step = _StageStepCsv()

    def __call__(self, page: list[Any]) -> list[str]:
        stage_step, field = self.stage_step, _csv_text
        return [
            f"{team_id},{field(name)},{owner},{stage_step[step]},"
            f"{'' if segment is None else field(segment)},{last_touch_on or ''},"
            f"{meetings},{deals_won},{created_on}"
            for team_id, name, owner, step, segment, last_touch_on, meetings, deals_won, created_on in page
        ]


def _csv_text(value: str) -> str:
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


# (field, column) in EXPORT_FIELDS order; the stage is computed from the step.
_STAGE_SQL = (
    "CASE a.step " + " ".join(f"WHEN '{step.value}' THEN {step.stage.value}" for step in LADDER) + " END"
)
_EXPORT_COLUMNS = (
    ("team_id", "a.team_id"),
    ("name", "a.name"),
    ("owner", "a.owner_id"),
    ("stage", _STAGE_SQL),
    ("step", "a.step"),
    ("segment", "a.segment"),
    ("last_touch_on", "a.last_touch_on"),
    ("meetings", "a.in_person_meetings"),
    ("deals_won", "a.deals_won"),
    ("created_on", "a.created_on"),
)
assert tuple(name for name, _ in _EXPORT_COLUMNS) == EXPORT_FIELDS


def _export_sql(fmt: str, team_ids: list[str], *, postgres: bool) -> tuple[str, list[str]]:
    """The JSON export's statement as the database would write each object, for the driver (its own
    placeholders), and its parameters: `json_object` on SQLite (what the export runs), `row_to_json` on
    PostgreSQL (what it ran before `_JsonObjects`; the bench's reference)."""
    mark = "%s" if postgres else "?"
    where = f" WHERE a.team_id IN ({', '.join([mark] * len(team_ids))})" if team_ids else ""
    order = " ORDER BY a.team_id, a.name_key"
    if postgres:
        # row_to_json keeps the column order and writes compact JSON, as SQLite's json_object does.
        columns = ", ".join(f"{column} AS {name}" for name, column in _EXPORT_COLUMNS)
        lateral = f"CROSS JOIN LATERAL (SELECT {columns}) r"
        return f"SELECT row_to_json(r)::text FROM accounts a {lateral}{where}{order}", list(team_ids)
    pairs = ", ".join(f"'{name}', {column}" for name, column in _EXPORT_COLUMNS)
    return f"SELECT json_object({pairs}) FROM accounts a{where}{order}", list(team_ids)


class Progress:
    """A progress line on a terminal ("12,000 rows, 8,512 rows/s"), redrawn at most every half second;
    nothing at all when the stream is not a terminal (a pipe, a file, a test)."""

    def __init__(self, what: str, stream: TextIO | None = None, *, interval: float = 0.5) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.what = what
        self.interval = interval
        self.enabled = _is_terminal(self.stream)
        self.started = time.monotonic()
        self._last = 0.0
        self._drawn = False

    def __call__(self, done: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < self.interval:
            return
        self._last = now
        self._draw(done, now)

    def finish(self, done: int) -> None:
        if self.enabled and self._drawn:
            self._draw(done, time.monotonic())
            self.stream.write("\n")
            self.stream.flush()

    def _draw(self, done: int, now: float) -> None:
        rate = done / max(now - self.started, 1e-6)
        self.stream.write(f"\r{self.what}: {done:,} rows, {rate:,.0f} rows/s ")
        self.stream.flush()
        self._drawn = True


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
