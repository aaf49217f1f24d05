"""`pyramid-bot export`: every account as rows, streamed (the import is in bot.services.imports).

Built for big teams (100,000 accounts and more; figures: bench/README.md, "Import and export"): one
streamed `SELECT` in which the database writes each CSV line or JSON object, read 1,000 rows at a
time through the driver's cursor (server-side on PostgreSQL), so that memory does not grow with the
number of rows. `export_rows` gives the same rows as dicts.

Each row carries the account's `status` on the day of the export (SPEC §2 "Status": `dormant` derived
from the last touch against its stage's threshold, as `domain.status.effective_status` says) and, for a
merged account, `merged_into`: the name of the account it was folded into. Merged accounts are exported
too (nothing is dropped silently); the pyramid counts the rows whose status is `active`.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from datetime import date
from itertools import islice
from json.encoder import encode_basestring as _json_string
from typing import Any, TextIO

from sqlalchemy import select, text
from sqlalchemy.orm import Session, aliased

from bot.domain.stages import LADDER, Stage
from bot.domain.status import DEFAULT_DORMANT_RULES, AccountStatus, DormantRules
from bot.i18n import t
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
    "status",
    "merged_into",
    "contact",
)
_STAGE_BY_STEP = {step.value: step.stage.value for step in LADDER}

# Rows per statement (export pages, import look-ups and inserts) and how often the progress line moves.
CHUNK = 1000

ProgressCallback = Callable[[int], None]

_ACTIVE = AccountStatus.ACTIVE.value
_DORMANT = AccountStatus.DORMANT.value
# The name of the account a merged one was folded into; the look-up runs only for merged rows.
_MERGED_INTO_SQL = (
    "CASE WHEN a.merged_into_id IS NULL THEN NULL "
    "ELSE (SELECT m.name FROM accounts m WHERE m.id = a.merged_into_id) END"
)


class _Cutoffs(dict[str, str]):
    """Per step key, the last day (YYYY-MM-DD, compared as text: the plain rows carry dates so) on which
    a last touch leaves an active account of that step dormant on the export's day; an unknown step
    counts as an acquaintance, as `services.status.dormant_cutoff` has it."""

    def __init__(self, today: date, rules: DormantRules) -> None:
        super().__init__({step.value: rules.cutoff(step.stage, today).isoformat() for step in LADDER})
        self.other = rules.cutoff(Stage.ACQUAINTANCE, today).isoformat()

    def __missing__(self, step: str) -> str:
        return self.other


# ------------------------------------------------------------------------------------------ export


def export_rows(
    session: Session,
    team_ids: list[str] | None = None,
    *,
    today: date,
    rules: DormantRules = DEFAULT_DORMANT_RULES,
    chunk: int = CHUNK,
) -> Iterator[dict[str, object]]:
    """Every account (of these teams) in team and name order, as plain values, streamed; the status as
    it is on `today`."""
    merged = aliased(Account)
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
        Account.status,
        merged.name,
        Account.contact,
    )
    statement = statement.outerjoin(merged, merged.id == Account.merged_into_id).order_by(
        Account.team_id, Account.name_key
    )
    if team_ids:
        statement = statement.where(Account.team_id.in_(team_ids))
    # yield_per: a server-side cursor on PostgreSQL, fetchmany pages on SQLite: constant memory.
    result = session.execute(statement.execution_options(yield_per=chunk))
    stage_of = _STAGE_BY_STEP
    cutoffs = _Cutoffs(today, rules)
    for row in result:
        team_id, name, owner, step, segment, last_touch_on, meetings, deals_won, created_on = row[:9]
        status, merged_into, contact = row[9:]
        quiet_since = (last_touch_on or created_on).isoformat()
        if status == _ACTIVE and quiet_since <= cutoffs[step]:
            status = _DORMANT
        yield {
            "team_id": team_id,
            "name": name,
            "owner": owner,
            # An unknown step key (a row from elsewhere) has no stage: exported as such, not a crash.
            "stage": stage_of.get(step),
            "step": step,
            "segment": segment,
            "last_touch_on": last_touch_on.isoformat() if last_touch_on else None,
            "meetings": meetings,
            "deals_won": deals_won,
            "created_on": created_on.isoformat(),
            "status": status,
            "merged_into": merged_into,
            "contact": contact,
        }


def write_export(
    session: Session,
    out: TextIO,
    fmt: str,
    team_ids: list[str] | None = None,
    *,
    today: date,
    rules: DormantRules = DEFAULT_DORMANT_RULES,
    progress: ProgressCallback | None = None,
    chunk: int = CHUNK,
) -> int:
    """Writes every account (of these teams) as CSV with a header, or as a JSON array with one object a
    line; returns how many. The same rows and values as `export_rows`, read and written `chunk` rows at
    a time so that memory stays flat. The lines are written here from plain columns (`_plain_sql`):
    each CSV line (`_CsvLines`, as the csv module quotes) and each JSON object (`_JsonObjects`, byte
    for byte what `row_to_json` wrote, which cost the server more than the whole plain read), the
    status judged on `today` as they are written (`_Cutoffs`). PostgreSQL rows are
    streamed in chunks (libpq 17+: the server sends while Python writes) or read through a server-side
    cursor."""
    postgres = session.get_bind().dialect.name == "postgresql"
    team_ids = team_ids or []
    if postgres:
        # The survivor's name is a sub-select run only for merged rows, but the planner prices it for
        # every row, and past its threshold JIT-compiles the statement: 0.13 s more for 100,000 rows.
        session.execute(text("SET LOCAL jit = off"))
    raw: Any = session.connection().connection.dbapi_connection
    count = 0
    cutoffs = _Cutoffs(today, rules)
    sql, params = _plain_sql(team_ids, postgres=postgres)
    if fmt == "csv":
        lines = _CsvLines(cutoffs)
        out.write(",".join(EXPORT_FIELDS) + "\n")
        for page in _pages(raw, sql, params, chunk, postgres=postgres):
            out.write("\n".join(lines(page)) + "\n")
            count += len(page)
            if progress is not None:
                progress(count)
        return count
    objects = _JsonObjects(cutoffs)
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
    as is), numbers and dates as the server writes them; the status as `_Cutoffs` judges it."""

    def __init__(self, cutoffs: _Cutoffs) -> None:
        self.ids = _Quoted()
        self.stage_step = _StageStep()
        self.cutoffs = cutoffs

    def __call__(self, page: list[Any]) -> list[str]:
        ids, stage_step, text, cut = self.ids, self.stage_step, _json_string, self.cutoffs
        return [
            f'{{"team_id":{ids[team_id]},"name":{text(name)},"owner":{ids[owner]},{stage_step[step]},'
            f'"segment":{"null" if segment is None else text(segment)},'
            f'"last_touch_on":{"null" if last_touch_on is None else chr(34) + last_touch_on + chr(34)},'
            f'"meetings":{meetings},"deals_won":{deals_won},"created_on":"{created_on}",'
            '"status":"'
            f"{status if status != _ACTIVE or (last_touch_on or created_on) > cut[step] else _DORMANT}"
            '",'
            f'"merged_into":{"null" if merged_into is None else text(merged_into)},'
            f'"contact":{"null" if contact is None else text(contact)}}}'
            for (
                team_id,
                name,
                owner,
                step,
                segment,
                last_touch_on,
                meetings,
                deals_won,
                created_on,
                status,
                merged_into,
                contact,
            ) in page
        ]


def _plain_sql(team_ids: list[str], *, postgres: bool) -> tuple[str, list[str]]:
    """The export's columns, plain (dates as YYYY-MM-DD; on PostgreSQL all as text), in team and name
    order, for `_CsvLines` and `_JsonObjects`, with the driver's placeholders."""
    mark = "%s" if postgres else "?"
    where = f" WHERE a.team_id IN ({', '.join([mark] * len(team_ids))})" if team_ids else ""
    columns = (
        "a.team_id, a.name, a.owner_id, a.step, a.segment, to_char(a.last_touch_on, 'YYYY-MM-DD'), "
        "a.in_person_meetings::text, a.deals_won::text, to_char(a.created_on, 'YYYY-MM-DD'), "
        if postgres
        else "a.team_id, a.name, a.owner_id, a.step, a.segment, a.last_touch_on, a.in_person_meetings, "
        "a.deals_won, a.created_on, "
    ) + f"a.status, {_MERGED_INTO_SQL}, a.contact"
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
    are; the status as `_Cutoffs` judges it."""

    def __init__(self, cutoffs: _Cutoffs) -> None:
        self.stage_step = _StageStepCsv()
        self.cutoffs = cutoffs

    def __call__(self, page: list[Any]) -> list[str]:
        stage_step, field, cut = self.stage_step, _csv_text, self.cutoffs
        return [
            f"{team_id},{field(name)},{owner},{stage_step[step]},"
            f"{'' if segment is None else field(segment)},{last_touch_on or ''},"
            f"{meetings},{deals_won},{created_on},"
            f"{status if status != _ACTIVE or (last_touch_on or created_on) > cut[step] else _DORMANT},"
            f"{'' if merged_into is None else field(merged_into)},"
            f"{'' if contact is None else field(contact)}"
            for (
                team_id,
                name,
                owner,
                step,
                segment,
                last_touch_on,
                meetings,
                deals_won,
                created_on,
                status,
                merged_into,
                contact,
            ) in page
        ]


def _csv_text(value: str) -> str:
    if '"' in value or "," in value or "\n" in value or "\r" in value:
        return '"' + value.replace('"', '""') + '"'
    return value


# (field, column) in EXPORT_FIELDS order; the stage is computed from the step. The bench's reference for
# the JSON the server would write (bench/import_export.py, `row_to_json`).
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
    # The stored status: the bench's reference lines need the same bytes, not the day's judgement.
    ("status", "a.status"),
    ("merged_into", _MERGED_INTO_SQL),
    ("contact", "a.contact"),
)
assert tuple(name for name, _ in _EXPORT_COLUMNS) == EXPORT_FIELDS


class Progress:
    """A progress line on a terminal ("12,000 rows, 8,512 rows/s"), redrawn at most every half second;
    nothing at all when the stream is not a terminal (a pipe, a file, a test)."""

    def __init__(
        self, what: str, stream: TextIO | None = None, *, interval: float = 0.5, locale: str = "en"
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.what = what
        self.locale = locale
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
        line = t(self.locale, "cli_progress", what=self.what, done=f"{done:,}", rate=f"{rate:,.0f}")
        self.stream.write(f"\r{line} ")
        self.stream.flush()
        self._drawn = True


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
