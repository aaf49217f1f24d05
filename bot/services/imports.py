"""`pyramid-bot import`: an existing account list loaded safely, in pages, in one transaction.

Built for big teams (100,000 accounts and more; figures: bench/README.md, "Import and export"), at
the same cost per row whatever the size of the table. The file is read and checked whole first (all
or nothing unless --skip-bad, with line numbers); then per 1,000 rows: one look-up by normalised
name, one `executemany` of `INSERT … ON CONFLICT DO NOTHING`, one look-up of the new ids; the new
accounts' step changes in one `INSERT … SELECT`, the updates and their step changes by
`executemany`. On PostgreSQL the look-ups are planned at each run (a prepared statement could keep a
generic plan made while the table was small: a scan of every account, paid again by each later
page), and the table is analysed after a big import, so that every later query plans with its size.
"""

from __future__ import annotations

import csv
import gc
import io
import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any
from typing import cast as typing_cast

from sqlalchemy import (
    ColumnElement,
    Date,
    String,
    Table,
    any_,
    bindparam,
    cast,
    func,
    literal,
    null,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.domain.fields import MAX_SEGMENT
from bot.domain.names import display_name, key_readings, name_key
from bot.domain.parsing import MAX_NAME, ParseError, parse_date
from bot.domain.stages import LADDER, Evidence, Stage, Step, evidence_floor, steps_of
from bot.i18n import LOCALES, t
from bot.models import Account, AccountReading, StepChange, UtcDateTime
from bot.services.exports import CHUNK, ProgressCallback

__all__ = ["ImportProblem", "ImportReport", "ImportRow", "apply_import", "decode_file", "read_import"]

USER_ID_RE = re.compile(r"^[UW][A-Z0-9]{2,31}$")
_FLOORS = {step: evidence_floor(step) for step in LADDER}

# The columns a file may have, by every name a team's spreadsheet may give them (compared after NFKC,
# case folding and without spaces, so "Last Contact", "最終接触日" and "ＯＷＮＥＲ" all work).
_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": (
        "name",
        "account",
        "company",
        "会社名",
        "取引先",
        "取引先名",
        "企業名",
        "社名",
        "顧客名",
        "アカウント名",
    ),
    "owner": ("owner", "rep", "salesrep", "担当", "担当者", "営業担当", "担当営業", "担当者名", "営業担当者"),
    "step": ("step", "stage", "ステップ", "ステージ", "段階"),
    "segment": ("segment", "セグメント", "区分", "分類"),
    "last_contact": (
        "lastcontact",
        "last_contact",
        "lasttouch",
        "last_touch",
        "最終接触日",
        "最終接触",
        "最終訪問日",
        "最終商談日",
        "最終連絡日",
        "最終コンタクト",
    ),
}
_COLUMN_BY_HEADER = {alias: column for column, aliases in _COLUMNS.items() for alias in aliases}


def _folded(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).casefold().split())


def _steps_by_text() -> dict[str, Step]:
    """A step as a file may give it: its key ("met_twice"), its number ("2.1", "２．１"), its name in
    English or Japanese ("面談2回以上"); a stage by its number, key or name ("3", "customer", "顧客",
    "見込み顧客") is its first step."""
    found: dict[str, Step] = {}
    for stage in Stage:
        first = steps_of(stage)[0]
        names = (str(stage.value), stage.name, *(t(locale, f"stage_{stage.value}") for locale in LOCALES))
        for written in names:
            found[_folded(written)] = first
    for step in LADDER:
        for written in (step.value, step.label, *(t(locale, f"step_{step.value}") for locale in LOCALES)):
            found[_folded(written)] = step
    return found


_STEP_BY_TEXT = _steps_by_text()


def decode_file(data: bytes) -> str:
    """A CSV file's text: UTF-8 (with or without a BOM), or what Excel saves on Japanese Windows
    (Shift_JIS / CP932). UnicodeDecodeError when it is neither."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp932")


class ImportProblem(str):
    """What is wrong with one line of the file: a message-catalogue key and its params, said in the
    reader's language by `said(locale)`. As a `str` it is the English text, so a problem reads the same
    in a log, an assertion or a report that knows no locale."""

    code: str
    params: dict[str, object]

    def __new__(cls, code: str, **params: object) -> ImportProblem:
        problem = super().__new__(cls, t("en", code, **params))
        problem.code = code
        problem.params = params
        return problem

    def said(self, locale: str) -> str:
        return t(locale, self.code, **self.params)


@dataclass(frozen=True)
class ImportRow:
    line: int
    name: str
    owner: str
    step: Step | None
    segment: str | None
    last_contact: date | None = None
    # name_key(name), computed once while reading (the duplicate check needs it too).
    key: str = field(default="", compare=False, repr=False)

    @property
    def name_key(self) -> str:
        return self.key or name_key(self.name)


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: list[tuple[int, ImportProblem]] = field(default_factory=list)


def read_import(
    text: str,
    *,
    today: date | None = None,
    directory: Callable[[list[str]], dict[str, str]] | None = None,
) -> tuple[list[ImportRow], list[tuple[int, ImportProblem]]]:
    """Rows and problems (line number, what is wrong). Line numbers count the header as line 1.
    An owner is a Slack user id, or, with a `directory` of the workspace's people, an e-mail address or
    a name it resolves; a last-contact date is read as of `today` and must not be after it."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = [_COLUMN_BY_HEADER.get(_folded(column), _folded(column)) for column in reader.fieldnames or []]
    missing = [column for column in ("name", "owner") if column not in header]
    if missing:
        return [], [(1, ImportProblem("import_no_columns", missing=", ".join(missing)))]
    reader.fieldnames = header
    rows: list[ImportRow] = []
    problems: list[tuple[int, ImportProblem]] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(reader, start=2):
        line = reader.line_num if reader.line_num else index
        problem, row = _read_row(line, raw, today)
        if row is not None and row.name_key in seen:
            problem, row = ImportProblem("import_duplicate", line=seen[row.name_key]), None
        if row is None:
            problems.append((line, problem or ImportProblem("import_unreadable")))
            continue
        seen[row.name_key] = line
        rows.append(row)
    rows, unresolved = _resolve_owners(rows, directory)
    return rows, sorted([*problems, *unresolved])


def _read_row(
    line: int, raw: dict[str, Any], today: date | None
) -> tuple[ImportProblem | None, ImportRow | None]:
    """One data line: the row, or what is wrong with it."""
    name = display_name(raw.get("name") or "")
    owner = (raw.get("owner") or "").strip()
    step_text = (raw.get("step") or "").strip()
    segment = (raw.get("segment") or "").strip() or None
    contact_text = (raw.get("last_contact") or "").strip()
    if not name:
        return ImportProblem("import_name_empty"), None
    if len(name) > MAX_NAME:
        return ImportProblem("import_name_long", max=MAX_NAME), None
    if not owner:
        return ImportProblem("import_owner_empty"), None
    step = _step(step_text) if step_text else None
    if step_text and step is None:
        return ImportProblem(
            "import_step_unknown", step=step_text, steps=", ".join(s.value for s in LADDER)
        ), None
    if segment is not None and len(segment) > MAX_SEGMENT:
        return ImportProblem("import_segment_long", max=MAX_SEGMENT), None
    last_contact = None
    if contact_text:
        if today is None:
            return ImportProblem("import_contact_no_today"), None
        try:
            last_contact = parse_date(contact_text, today, "past")
        except ParseError:
            return ImportProblem("import_contact_not_date", text=contact_text), None
        if last_contact > today:
            return ImportProblem("import_contact_future", text=contact_text), None
    row = ImportRow(line=line, name=name, owner=owner, step=step, segment=segment, last_contact=last_contact)
    return None, replace(row, key=name_key(name))


def _resolve_owners(
    rows: list[ImportRow], directory: Callable[[list[str]], dict[str, str]] | None
) -> tuple[list[ImportRow], list[tuple[int, ImportProblem]]]:
    """Owners given as e-mail addresses or names, turned into Slack user ids by `directory` (it answers
    those it found: bot/services/directory.py reads the workspace's members, once for the whole file);
    the rows whose owner is still unknown come back as problems with their line numbers."""
    wanted = sorted({row.owner for row in rows if not USER_ID_RE.match(row.owner)})
    found = directory(wanted) if directory is not None and wanted else {}
    resolved: list[ImportRow] = []
    problems: list[tuple[int, ImportProblem]] = []
    for row in rows:
        if USER_ID_RE.match(row.owner):
            resolved.append(row)
        elif row.owner in found:
            resolved.append(replace(row, owner=found[row.owner]))
        elif directory is None:
            problems.append((row.line, ImportProblem("import_owner_not_id", owner=row.owner)))
        else:
            problems.append((row.line, ImportProblem("import_owner_unknown", owner=row.owner)))
    return resolved, problems


_ACCOUNTS = typing_cast(Table, Account.__table__)
_STEP_CHANGES = typing_cast(Table, StepChange.__table__)
_READINGS = typing_cast(Table, AccountReading.__table__)
_COUNTERS = ("remote_touches", "in_person_meetings", "meals", "proposals", "deals_won")


@dataclass
class _Existing:
    id: int
    owner_id: str
    segment: str | None
    step: Step
    evidence: Evidence
    created_at: datetime
    last_touch_on: date | None = None


def apply_import(
    session: Session,
    team_id: str,
    rows: Sequence[ImportRow],
    *,
    now: datetime,
    today: date,
    progress: ProgressCallback | None = None,
    chunk: int = CHUNK,
) -> ImportReport:
    """Creates new accounts and updates existing ones, so that importing a file twice changes nothing.

    An existing account takes the row's owner and (when given) segment; its step only ever moves up,
    to the row's step, with the least evidence that step needs (evidence already there is kept). Each
    step change is recorded with reason `import`. Same result as row by row, in a few statements per
    thousand rows."""
    with _page_cache_for_bulk(session), _collector_paused():
        return _apply_import(session, team_id, rows, now=now, today=today, progress=progress, chunk=chunk)


# SQLite's page cache for the import's connection (KiB, as `PRAGMA cache_size` takes a negative size).
# The default 2 MiB holds a few thousand accounts' index pages: past that every insert into the name
# index reads pages back from the file, and the last rows of a big import cost more than the first.
BULK_PAGE_CACHE_KIB = 64 * 1024


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while the import runs: the import holds every row, key and value
    it has read (hundreds of thousands of objects, alive to the end), and each full collection walks
    them all again for nothing. 15 % of a 100,000-row import (bench/import_export.py); turned back on
    (if it was on) as soon as the import returns or fails."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _page_cache_for_bulk(session: Session) -> Iterator[None]:
    """On SQLite, a bigger page cache while the import runs, given back after (only the pages used are
    allocated); PostgreSQL's shared buffers are the server's."""
    if session.get_bind().dialect.name != "sqlite":
        yield
        return
    before = session.execute(text("PRAGMA cache_size")).scalar_one()
    session.execute(text(f"PRAGMA cache_size = -{BULK_PAGE_CACHE_KIB}"))
    try:
        yield
    finally:
        session.execute(text(f"PRAGMA cache_size = {int(before)}"))


def _apply_import(
    session: Session,
    team_id: str,
    rows: Sequence[ImportRow],
    *,
    now: datetime,
    today: date,
    progress: ProgressCallback | None,
    chunk: int,
) -> ImportReport:
    report = ImportReport()
    keyed = [(row.name_key, row) for row in rows]
    if _statistics_stale(session):
        _analyze(session)
    with _unprepared(session):
        existing = _look_up(session, team_id, [key for key, _ in keyed], chunk)
    new: list[tuple[str, ImportRow]] = []
    updates: list[dict[str, Any]] = []
    # Step changes of existing accounts (those of new accounts are copied from the accounts below).
    changes: list[tuple[int, Step, Step, str]] = []

    def update_existing(found: _Existing, row: ImportRow) -> None:
        values = _updated(found, row, now)
        if values is None:
            report.unchanged += 1
            return
        updates.append(values)
        report.updated += 1
        if values["step"] != found.step.value:
            changes.append((found.id, found.step, Step(values["step"]), row.owner))

    for key, row in keyed:
        found = existing.get(key)
        if found is None:
            new.append((key, row))
        else:
            update_existing(found, row)
    del existing
    # Every id this import inserts is above the highest one now (a sequence or SQLite's rowid).
    after_id = session.scalar(select(func.max(Account.id))) or 0
    other_readings = _insert_new(session, team_id, new, now=now, today=today, chunk=chunk, progress=progress)
    if len(new) >= chunk:
        _analyze(session)  # the look-ups below, and every query after the import, plan with the new size
    # The new accounts' ids. A name that another writer created meanwhile (ON CONFLICT DO NOTHING
    # skipped ours; PostgreSQL only, SQLite has one writer) is not stamped with this import's time:
    # that row becomes an update of that account, as if it had been there before.
    with _unprepared(session):
        created_ids = _created_ids(session, team_id, [key for key, _ in new], now, after_id) if new else {}
    report.created = len(created_ids)
    raced = [(key, row) for key, row in new if key not in created_ids]
    if raced:
        with _unprepared(session):
            again = _look_up(session, team_id, [key for key, _ in raced], chunk, lock=True)
        for key, row in raced:
            if key not in again:  # created and deleted again while we were importing
                raise RuntimeError(f"account {row.name!r} changed during the import: run it again")
            update_existing(again[key], row)
    _insert_readings(session, team_id, other_readings, created_ids, chunk)
    if created_ids:
        _record_new_steps(session, team_id, min(created_ids.values()), max(created_ids.values()), now, today)
    for start in range(0, len(updates), chunk):
        # Core executemany: SET every column named in the parameters, WHERE id = :account_id.
        session.execute(
            update(_ACCOUNTS).where(_ACCOUNTS.c.id == bindparam("account_id")),
            updates[start : start + chunk],
        )
        if progress is not None:
            progress(len(created_ids) + min(start + chunk, len(updates)))
    step_changes = [
        {
            "team_id": team_id,
            "account_id": account_id,
            "from_step": before.value,
            "to_step": after.value,
            "changed_at": now,
            "changed_on": today,
            "activity_id": None,
            "user_id": user,
            "reason": "import",
        }
        for account_id, before, after, user in changes
    ]
    for start in range(0, len(step_changes), chunk):
        session.execute(_STEP_CHANGES.insert(), step_changes[start : start + chunk])
    if progress is not None:
        progress(len(rows))
    return report


def _record_new_steps(
    session: Session, team_id: str, low: int, high: int, now: datetime, today: date
) -> None:
    """One step change per account this import created above name_only (from name_only, by its owner,
    reason `import`), copied from the accounts in one INSERT … SELECT, in the accounts' order."""
    accounts = _ACCOUNTS.c
    created = (
        select(
            accounts.team_id,
            accounts.id,
            literal(Step.NAME_ONLY.value),
            accounts.step,
            literal(now, UtcDateTime()),
            literal(today, Date()),
            null(),
            accounts.owner_id,
            literal("import"),
        )
        .where(
            accounts.team_id == team_id,
            accounts.id.between(low, high),
            accounts.created_at == now,
            accounts.step != Step.NAME_ONLY.value,
        )
        .order_by(accounts.id)
    )
    columns = [
        "team_id",
        "account_id",
        "from_step",
        "to_step",
        "changed_at",
        "changed_on",
        "activity_id",
        "user_id",
        "reason",
    ]
    session.execute(_STEP_CHANGES.insert().from_select(columns, created))


def _updated(found: _Existing, row: ImportRow, now: datetime) -> dict[str, Any] | None:
    """The new values of an existing account, or None when the row changes nothing."""
    owner = row.owner
    segment = row.segment if row.segment is not None else found.segment
    step, evidence = found.step, found.evidence
    if row.step is not None and row.step > found.step:
        step, evidence = row.step, found.evidence.at_least(_FLOORS[row.step])
    last_touch = found.last_touch_on
    if row.last_contact is not None and (last_touch is None or row.last_contact > last_touch):
        last_touch = row.last_contact  # a later contact the file knows of; an earlier one changes nothing
    if (owner, segment, step, last_touch) == (found.owner_id, found.segment, found.step, found.last_touch_on):
        return None
    return {
        "account_id": found.id,
        "last_touch_on": last_touch,
        "owner_id": owner,
        "segment": segment,
        "step": step.value,
        "remote_touches": evidence.remote_touches,
        "in_person_meetings": evidence.in_person_meetings,
        "meals": evidence.meals,
        "proposals": evidence.proposals,
        "deals_won": evidence.deals_won,
        "updated_at": now,
    }


def _look_up(
    session: Session, team_id: str, keys: list[str], chunk: int, *, lock: bool = False
) -> dict[str, _Existing]:
    """The team's accounts with these name keys, `chunk` keys per statement (each an index look-up)."""
    found: dict[str, _Existing] = {}
    columns = (
        Account.name_key,
        Account.id,
        Account.owner_id,
        Account.segment,
        Account.step,
        Account.created_at,
        Account.last_touch_on,
    )
    counters = tuple(getattr(Account, name) for name in _COUNTERS)
    for start in range(0, len(keys), chunk):
        statement = select(*columns, *counters).where(
            Account.team_id == team_id, _key_in(session, keys[start : start + chunk])
        )
        if lock:
            statement = statement.with_for_update()
        for key, account_id, owner, segment, step, created_at, last_touch, *evidence in session.execute(
            statement
        ):
            found[key] = _Existing(
                id=account_id,
                owner_id=owner,
                segment=segment,
                step=Step(step),
                evidence=Evidence(**dict(zip(_COUNTERS, evidence, strict=True))),
                created_at=created_at,
                last_touch_on=last_touch,
            )
    return found


def _key_in(session: Session, keys: list[str]) -> ColumnElement[bool]:
    """`name_key IN (…)`; on PostgreSQL `name_key = ANY(:keys)`, one array parameter: a short statement
    that the driver does not have to parse for a thousand placeholders each time."""
    if session.get_bind().dialect.name == "postgresql":
        return Account.name_key == any_(
            cast(literal(keys, postgresql.ARRAY(String())), postgresql.ARRAY(String()))
        )
    return Account.name_key.in_(keys)


def _created_ids(
    session: Session, team_id: str, keys: list[str], now: datetime, after_id: int
) -> dict[str, int]:
    """The ids of the accounts with these keys that this import created (stamped with its `now`): all
    above `after_id`, the highest id before the insert (ids only grow), read as one range of the
    primary key rather than a look-up per name (the team is checked here, so that no plan walks the
    team's index instead)."""
    wanted = set(keys)
    ids: dict[str, int] = {}
    statement = select(Account.team_id, Account.name_key, Account.id).where(
        Account.id > after_id, Account.created_at == now
    )
    for team, key, account_id in session.execute(statement):
        if team == team_id and key in wanted:
            ids[key] = account_id
    return ids


def _insert_new(
    session: Session,
    team_id: str,
    new: list[tuple[str, ImportRow]],
    *,
    now: datetime,
    today: date,
    chunk: int,
    progress: ProgressCallback | None,
) -> dict[str, list[str]]:
    """Inserts the new accounts, `chunk` rows per executemany. A name another writer inserted meanwhile
    is skipped (ON CONFLICT DO NOTHING). No RETURNING: it made PostgreSQL's pages 4 times slower.
    Returns the other readings of the names that have some (stored once the accounts' ids are known)."""
    other_readings: dict[str, list[str]] = {}
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(_ACCOUNTS).on_conflict_do_nothing(index_elements=["team_id", "name_key"])
    for start in range(0, len(new), chunk):
        values = []
        for key, row in new[start : start + chunk]:
            step = row.step or Step.NAME_ONLY
            evidence = _FLOORS[step]
            common, *others = key_readings(key)
            if others:
                other_readings[key] = others
            values.append(
                {
                    "team_id": team_id,
                    "name": row.name,
                    "name_key": key,
                    "name_reading": common,
                    "owner_id": row.owner,
                    "step": step.value,
                    "segment": row.segment,
                    "remote_touches": evidence.remote_touches,
                    "in_person_meetings": evidence.in_person_meetings,
                    "meals": evidence.meals,
                    "proposals": evidence.proposals,
                    "deals_won": evidence.deals_won,
                    "deals_lost": 0,
                    "last_touch_on": row.last_contact,
                    "created_on": today,
                    "created_at": now,
                    "updated_at": now,
                }
            )
        session.execute(statement, values)
        if progress is not None:
            progress(start + len(values))
    return other_readings


def _insert_readings(
    session: Session, team_id: str, other_readings: dict[str, list[str]], ids: dict[str, int], chunk: int
) -> None:
    """The other readings of the accounts this import created (`ids`), `chunk` rows per executemany."""
    values = [
        {"team_id": team_id, "account_id": ids[key], "reading": reading}
        for key, readings in other_readings.items()
        if key in ids
        for reading in readings
    ]
    for start in range(0, len(values), chunk):
        session.execute(_READINGS.insert(), values[start : start + chunk])


def _statistics_stale(session: Session) -> bool:
    """PostgreSQL: the planner's idea of the accounts table is off by more than a tenth (autovacuum has
    not caught up with a big change yet), so a look-up could be planned as a scan of the team."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    row = session.execute(
        text(
            "SELECT n_live_tup, n_mod_since_analyze FROM pg_stat_user_tables "
            "WHERE relid = 'accounts'::regclass"
        )
    ).first()
    return row is not None and row[1] > max(1000, row[0] // 10)


def _analyze(session: Session) -> None:
    """PostgreSQL: fresh statistics for the accounts table, this transaction's rows included."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE accounts"))


@contextmanager
def _unprepared(session: Session) -> Iterator[None]:
    """On PostgreSQL, psycopg prepares a statement after its 5th run and the server may then keep a
    generic plan chosen while the table was small; the import's statements are planned each time."""
    connection: Any = session.connection().connection.driver_connection
    if not hasattr(connection, "prepare_threshold"):
        yield
        return
    before = connection.prepare_threshold
    connection.prepare_threshold = None
    try:
        yield
    finally:
        connection.prepare_threshold = before


def _step(text: str) -> Step | None:
    return _STEP_BY_TEXT.get(_folded(text))
