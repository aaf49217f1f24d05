"""`export` rows and `import` of an existing account list, on a real database."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from bot.clock import FixedClock
from bot.db import Database
from bot.domain.activities import ActivityKind
from bot.domain.stages import Stage, Step
from bot.models import Account, StepChange
from bot.services import accounts, exports, imports, pyramids
from bot.services.accounts import AccountRef, team_ids
from bot.services.activities import LogRequest, log_activity
from bot.services.exports import EXPORT_FIELDS, export_rows, write_export
from bot.services.imports import ImportRow, apply_import, read_import
from tests.support.bench import run_bench
from tests.support.database import count_in
from tests.support.exports import EXPORT_COLUMNS
from tests.support.ids import OTHER_TEAM, OTHER_USER, TEAM, USER

REP, OTHER_REP = USER, OTHER_USER  # the workspace's two reps
TODAY = date(2026, 11, 22)


def _log(
    session: Session, clock: FixedClock, name: str, kind: ActivityKind, *, team: str = TEAM, on: date = TODAY
) -> None:
    request = LogRequest(
        team_id=team, user_id=REP, account=AccountRef(name=name, create_new=True), kind=kind, on=on
    )
    log_activity(session, request, now=clock.now(), today=TODAY, repeater_threshold=3)


def _import(db: Database, clock: FixedClock, text: str, team: str = TEAM):  # type: ignore[no-untyped-def]
    rows, problems = read_import(text)
    assert problems == []
    with db.transaction() as session:
        return apply_import(session, team, rows, now=clock.now(), today=TODAY)


# ---------------------------------------------------------------------------------------- export


def test_export_rows_have_every_field(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        _log(session, clock, "Acme Corp", ActivityKind.VISIT, on=date(2026, 11, 10))
        _log(session, clock, "Acme Corp", ActivityKind.MEAL, on=date(2026, 11, 20))
        _log(session, clock, "Acme Corp", ActivityKind.WON, on=date(2026, 11, 21))
        accounts.create_account(session, TEAM, "Globex", OTHER_REP, now=clock.now(), today=date(2026, 1, 5))
        acme = accounts.find_by_name(session, TEAM, "Acme")
        assert acme is not None
        acme.segment = "strategic"
        acme.contact = "山田部長"
    with db.transaction() as session:
        rows = list(export_rows(session, today=TODAY))
    assert EXPORT_FIELDS == EXPORT_COLUMNS
    assert [tuple(row) for row in rows] == [EXPORT_COLUMNS, EXPORT_COLUMNS]
    assert rows[0] == {
        "team_id": TEAM,
        "name": "Acme Corp",
        "owner": REP,
        "stage": 3,
        "step": "won",
        "segment": "strategic",
        "last_touch_on": "2026-11-21",
        "meetings": 2,
        "deals_won": 1,
        "created_on": "2026-11-22",
        "status": "active",
        "merged_into": None,
        "contact": "山田部長",
    }
    assert rows[1] == {
        "team_id": TEAM,
        "name": "Globex",
        "owner": OTHER_REP,
        "stage": 1,
        "step": "name_only",
        "segment": None,
        "last_touch_on": None,
        "meetings": 0,
        "deals_won": 0,
        "created_on": "2026-01-05",
        "status": "active",
        "merged_into": None,
        "contact": None,
    }


def test_export_filters_by_team(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        _log(session, clock, "Acme", ActivityKind.CALL, team=TEAM)
        _log(session, clock, "Globex", ActivityKind.CALL, team=TEAM)
        _log(session, clock, "Acme", ActivityKind.CALL, team=OTHER_TEAM)
    with db.transaction() as session:
        assert [(row["team_id"], row["name"]) for row in export_rows(session, today=TODAY)] == [
            (TEAM, "Acme"),
            (TEAM, "Globex"),
            (OTHER_TEAM, "Acme"),
        ]
        assert [row["name"] for row in export_rows(session, [OTHER_TEAM], today=TODAY)] == ["Acme"]
        assert len(list(export_rows(session, [TEAM], today=TODAY))) == 2
        assert len(list(export_rows(session, [TEAM, OTHER_TEAM], today=TODAY))) == 3
        assert list(export_rows(session, ["T0NONE"], today=TODAY)) == []
        assert team_ids(session) == [TEAM, OTHER_TEAM]


def test_an_empty_database_exports_nothing(db: Database) -> None:
    with db.transaction() as session:
        assert list(export_rows(session, today=TODAY)) == []
        assert team_ids(session) == []


# ------------------------------------------------------------------------------------ read_import


def test_read_import_with_a_bom_and_every_column() -> None:
    text = (
        "\ufeffname,owner,step,segment\n"
        "Acme Corp,U0REP1,won,strategic\n"
        "株式会社アクメ,U0REP2,2.3,\n"
        "Globex,U0REP1,,\n"
    )
    rows, problems = read_import(text)
    assert problems == []
    assert rows == [
        ImportRow(line=2, name="Acme Corp", owner="U0REP1", step=Step.WON, segment="strategic"),
        ImportRow(line=3, name="株式会社アクメ", owner="U0REP2", step=Step.PROPOSED, segment=None),
        ImportRow(line=4, name="Globex", owner="U0REP1", step=None, segment=None),
    ]


def test_read_import_header_is_case_and_space_insensitive_and_order_free() -> None:
    rows, problems = read_import(" Owner , NAME ,Step\nU0REP1,Ａｃｍｅ　Corp,MET\n")
    assert problems == []
    assert rows == [ImportRow(line=2, name="Acme Corp", owner="U0REP1", step=Step.MET, segment=None)]


def test_read_import_missing_columns() -> None:
    rows, problems = read_import("firm,person\nAcme,U0REP1\n")
    assert rows == []
    assert len(problems) == 1
    line, problem = problems[0]
    assert line == 1
    assert "name" in problem and "owner" in problem
    rows, problems = read_import("name,segment\nAcme,x\n")
    assert rows == [] and problems[0][0] == 1 and "owner" in problems[0][1]


def test_read_import_of_an_empty_file() -> None:
    rows, problems = read_import("")
    assert rows == []
    assert [line for line, _ in problems] == [1]


def test_read_import_reports_bad_rows_with_their_line_numbers() -> None:
    text = (
        "name,owner,step\n"  # 1
        "Acme,U0REP1,met\n"  # 2
        "Globex,bob,met\n"  # 3: bad owner
        "Initech,U0REP1,level 9\n"  # 4: bad step
        ",U0REP1,\n"  # 5: no name
        "ACME Corp.,U0REP2,\n"  # 6: the same account as line 2
        "Umbrella,U0REP2,4.1\n" + "X" * 121 + ",U0REP1,\n"  # 7  # 8: name too long
    )
    rows, problems = read_import(text)
    assert [(row.line, row.name) for row in rows] == [(2, "Acme"), (7, "Umbrella")]
    assert [line for line, _ in problems] == [3, 4, 5, 6, 8]
    messages = dict(problems)
    assert "'bob'" in messages[3]
    assert "'level 9'" in messages[4] and "name_only" in messages[4]
    assert "empty" in messages[5]
    assert "line 2" in messages[6]
    assert "120" in messages[8]


def test_line_numbers_count_blank_lines_and_quoted_fields() -> None:
    text = 'name,owner\n"Acme, Tokyo",U0REP1\n\nGlobex,nobody\n'
    rows, problems = read_import(text)
    assert [(row.line, row.name) for row in rows] == [(2, "Acme, Tokyo")]
    assert [line for line, _ in problems] == [4]


def test_read_import_accepts_step_keys_and_labels() -> None:
    lines = ["name,owner,step"] + [
        f"A{index},U0REP1,{value}" for index, value in enumerate(["REPEAT", "3.2", " dined "])
    ]
    rows, problems = read_import("\n".join(lines))
    assert problems == []
    assert [row.step for row in rows] == [Step.REPEAT, Step.REPEAT, Step.DINED]


def test_a_long_segment_is_refused() -> None:
    rows, problems = read_import("name,owner,segment\nAcme,U0REP1," + "s" * 41 + "\n")
    assert rows == [] and problems[0][0] == 2


# ----------------------------------------------------------------------------------- apply_import


CSV = "\ufeffname,owner,step,segment\nAcme Corp,U0REP1,won,strategic\nGlobex,U0REP2,,\nInitech,U0REP1,2.1,\n"


def test_apply_import_creates_accounts_at_their_steps(db: Database, clock: FixedClock) -> None:
    report = _import(db, clock, CSV)
    assert (report.created, report.updated, report.unchanged) == (3, 0, 0)
    with db.transaction() as session:
        found = {account.name: account for account in session.scalars(select(Account))}
        assert set(found) == {"Acme Corp", "Globex", "Initech"}
        assert found["Acme Corp"].current_step is Step.WON
        assert found["Acme Corp"].segment == "strategic"
        assert found["Acme Corp"].owner_id == REP
        assert found["Acme Corp"].deals_won == 1
        assert found["Globex"].current_step is Step.NAME_ONLY
        assert found["Initech"].current_step is Step.MET_TWICE
        assert found["Initech"].in_person_meetings == 2
        assert all(account.team_id == TEAM for account in found.values())
        changes = session.scalars(select(StepChange).order_by(StepChange.id)).all()
        assert [(c.from_step, c.to_step, c.reason) for c in changes] == [
            ("name_only", "won", "import"),
            ("name_only", "met_twice", "import"),
        ]


def test_importing_the_same_rows_twice_creates_nothing(db: Database, clock: FixedClock) -> None:
    _import(db, clock, CSV)
    report = _import(db, clock, CSV)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    with db.transaction() as session:
        assert count_in(session, Account) == 3
        assert count_in(session, StepChange) == 2


def test_a_higher_step_raises_the_account(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        _log(session, clock, "Globex", ActivityKind.CALL)
        _log(session, clock, "Globex", ActivityKind.CALL)
    report = _import(db, clock, "name,owner,step\nGLOBEX Inc.,U0REP1,3.2\n")
    assert (report.created, report.updated, report.unchanged) == (0, 1, 0)
    with db.transaction() as session:
        account = session.scalars(select(Account)).one()
        assert account.current_step is Step.REPEAT
        assert account.remote_touches == 2  # evidence already there is kept
        assert account.deals_won == 2
        last = session.scalars(select(StepChange).order_by(StepChange.id.desc())).first()
        assert last is not None
        assert (last.from_step, last.to_step, last.reason) == ("remote", "repeat", "import")
        assert last.account_id == account.id
        assert last.activity_id is None


def test_a_lower_step_never_lowers_the_account(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        _log(session, clock, "Acme", ActivityKind.WON)
    report = _import(db, clock, "name,owner,step\nAcme,U0REP1,met\n")
    assert (report.created, report.updated, report.unchanged) == (0, 0, 1)
    with db.transaction() as session:
        assert session.scalars(select(Account.step)).one() == "won"


def test_a_new_owner_or_segment_is_an_update(db: Database, clock: FixedClock) -> None:
    _import(db, clock, CSV)
    report = _import(
        db, clock, "name,owner,segment\nAcme Corp,U0REP2,\nGlobex,U0REP2,skeptic\nInitech,U0REP1,\n"
    )
    assert (report.created, report.updated, report.unchanged) == (0, 2, 1)
    with db.transaction() as session:
        found = {account.name: account for account in session.scalars(select(Account))}
        assert found["Acme Corp"].owner_id == OTHER_REP
        assert found["Acme Corp"].segment == "strategic"  # an empty cell keeps the segment
        assert found["Globex"].segment == "skeptic"


def test_logging_after_an_import_continues_the_ladder(db: Database, clock: FixedClock) -> None:
    _import(db, clock, "name,owner,step\nAcme,U0REP1,2.1\n")
    with db.transaction() as session:
        _log(session, clock, "Acme", ActivityKind.MEAL)
    with db.transaction() as session:
        assert session.scalars(select(Account.step)).one() == "dined"


def test_import_is_per_team(db: Database, clock: FixedClock) -> None:
    _import(db, clock, CSV, team=TEAM)
    report = _import(db, clock, CSV, team=OTHER_TEAM)
    assert report.created == 3
    with db.transaction() as session:
        assert count_in(session, Account) == 6


# ------------------------------------------------------------------------- export and pyramid agree


def test_the_pyramid_equals_the_counts_in_the_export(db: Database, clock: FixedClock) -> None:
    steps = ["", "1.2", "met", "met", "2.1", "dined", "proposed", "won", "won", "3.2", "repeater", "1.1"]
    csv_text = "name,owner,step\n" + "".join(
        f"Company {index},{REP if index % 2 else OTHER_REP},{step}\n" for index, step in enumerate(steps)
    )
    _import(db, clock, csv_text)
    _import(db, clock, "name,owner,step\nElsewhere,U0REP1,won\n", team=OTHER_TEAM)
    with db.transaction() as session:
        _log(session, clock, "Company 0", ActivityKind.VISIT)
        rows = list(export_rows(session, [TEAM], today=TODAY))
        dist = pyramids.distribution_for(session, TEAM, today=TODAY)
        mine = pyramids.distribution_for(session, TEAM, REP, today=TODAY)
    by_step = Counter(str(row["step"]) for row in rows)
    by_stage = Counter(int(str(row["stage"])) for row in rows)
    assert {step.value: dist.count(step) for step in Step if dist.count(step)} == dict(by_step)
    assert {stage.value: count for stage, count in dist.by_stage.items() if count} == dict(by_stage)
    assert dist.total == len(rows) == len(steps)
    assert dist.by_stage[Stage.REPEATER] == 1
    assert mine.total == sum(1 for row in rows if row["owner"] == REP)


# ------------------------------------------------------------------------ batches, streaming (issue 16)


def _csv_lines(rows: list[dict[str, object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_FIELDS)
    writer.writerows(row.values() for row in rows)
    return out.getvalue()


def test_write_export_writes_what_export_rows_reads_in_both_formats(db: Database, clock: FixedClock) -> None:
    """The database writes the lines; they say exactly what `export_rows` reads, quoting included."""
    names = ["Acme, Tokyo", 'The "Best" Co', "株式会社アクメ", "Plain", 'Trailing, "both"']
    segments = [None, "a,b", 'say "hi"', "multi\nline", "日本"]
    csv_text = "name,owner,step\n" + "".join(
        f'"{name.replace(chr(34), chr(34) * 2)}",U0REP1,{step.value}\n'
        for name, step in zip(
            names, [Step.WON, Step.NAME_ONLY, Step.REPEATER, Step.MET, Step.DINED], strict=True
        )
    )
    _import(db, clock, csv_text)
    _import(db, clock, "name,owner\nElsewhere,U0REP2\n", team=OTHER_TEAM)
    with db.transaction() as session:
        for name, segment in zip(names, segments, strict=True):
            account = accounts.find_by_name(session, TEAM, name)
            assert account is not None
            account.segment = segment
        _log(session, clock, "Plain", ActivityKind.VISIT, on=date(2026, 11, 3))
        # Every status, and a survivor's name that needs quoting.
        by_name = {name: accounts.find_by_name(session, TEAM, name) for name in names}
        survivor, merged = by_name["Acme, Tokyo"], by_name["Plain"]
        assert survivor is not None and merged is not None
        merged.status, merged.merged_into_id = "merged", survivor.id
        quiet = by_name["株式会社アクメ"]  # a repeater untouched for more than 90 days: dormant
        assert quiet is not None
        quiet.last_touch_on = TODAY - timedelta(days=90)
        lost = by_name['The "Best" Co']
        assert lost is not None
        lost.status = "lost"
    for teams in (None, [TEAM], [OTHER_TEAM], [TEAM, OTHER_TEAM], ["T0NONE"]):
        with db.read() as session:
            expected = list(export_rows(session, teams, today=TODAY))
            as_json, as_csv = io.StringIO(), io.StringIO()
            assert write_export(session, as_json, "json", teams, today=TODAY) == len(expected)
            assert write_export(session, as_csv, "csv", teams, today=TODAY) == len(expected)
        assert json.loads(as_json.getvalue()) == expected
        assert [list(row) for row in json.loads(as_json.getvalue())] == [list(EXPORT_COLUMNS)] * len(expected)
        assert as_csv.getvalue() == _csv_lines(expected)
    assert len(expected) == 0 and as_json.getvalue() == "[\n]\n"
    with db.read() as session:
        everything = list(export_rows(session, today=TODAY))
    assert {row["segment"] for row in everything} == {None, *[s for s in segments if s]}
    assert next(row for row in everything if row["name"] == "Plain")["last_touch_on"] == "2026-11-03"
    assert {str(row["name"]): (row["status"], row["merged_into"]) for row in everything} == {
        "Acme, Tokyo": ("active", None),
        'The "Best" Co': ("lost", None),
        "株式会社アクメ": ("dormant", None),
        "Plain": ("merged", "Acme, Tokyo"),
        'Trailing, "both"': ("active", None),
        "Elsewhere": ("active", None),
    }


def test_export_status_is_judged_on_the_day_asked_at_each_stage_threshold(
    db: Database, clock: FixedClock
) -> None:
    """Active through the last day of each stage's threshold, dormant from the day after, in every
    format; a step key the ladder does not know is exported (no stage), not a crash."""
    thresholds = {Step.NAME_ONLY: 365, Step.MET_TWICE: 180, Step.WON: 90, Step.REPEATER: 90}
    _import(
        db, clock, "name,owner,step\n" + "".join(f"{step.value},{REP},{step.value}\n" for step in thresholds)
    )
    _import(db, clock, "name,owner\nOdd,U0REP1\n")
    touched = date(2026, 1, 10)
    with db.transaction() as session:
        for account in session.scalars(select(Account)):
            account.last_touch_on = touched
            if account.name == "Odd":
                account.step = "not_a_step"
    for step, days in thresholds.items():
        for today, status in (
            (touched + timedelta(days=days - 1), "active"),
            (touched + timedelta(days=days), "dormant"),
        ):
            with db.read() as session:
                rows = {row["name"]: row for row in export_rows(session, [TEAM], today=today)}
                as_json, as_csv = io.StringIO(), io.StringIO()
                write_export(session, as_json, "json", [TEAM], today=today)
                write_export(session, as_csv, "csv", [TEAM], today=today)
                dist = pyramids.distribution_for(session, TEAM, today=today)
            assert rows[step.value]["status"] == status, (step, today)
            assert json.loads(as_json.getvalue()) == list(rows.values())
            assert as_csv.getvalue() == _csv_lines(list(rows.values()))
            # The pyramid counts exactly the export's active rows.
            active = Counter(row["stage"] for row in rows.values() if row["status"] == "active")
            assert {stage.value: dist.by_stage[stage] for stage in Stage if dist.by_stage[stage]} == {
                stage: count for stage, count in active.items() if stage is not None
            }
    assert rows["Odd"]["stage"] is None and rows["Odd"]["step"] == "not_a_step"


def test_write_export_streams_page_by_page(db: Database, clock: FixedClock) -> None:
    _import(db, clock, "name,owner\n" + "".join(f"Firm {index},U0REP1\n" for index in range(7)))
    for fmt in ("json", "csv"):
        seen: list[int] = []
        with db.read() as session:
            count = write_export(session, io.StringIO(), fmt, today=TODAY, progress=seen.append, chunk=3)
        assert count == 7
        assert seen == [3, 6, 7]


def test_an_import_larger_than_one_chunk(db: Database, clock: FixedClock) -> None:
    """Several statements' worth of look-ups, inserts, updates and step changes give the same result as
    one: new, raised, re-owned and untouched accounts, steps only up, each change recorded once."""
    with db.transaction() as session:
        for index in range(0, 10, 2):  # Firm 0, 2, 4, 6, 8 exist already, one visit each (met)
            _log(session, clock, f"Firm {index}", ActivityKind.VISIT)
    steps = ["won", "", "name_only", "2.1", "remote", "dined", "met", "3.1", "1.1", "repeater", "proposed"]
    text = "name,owner,step\n" + "".join(
        f"Firm {index},{OTHER_REP if index % 3 == 0 else REP},{step}\n" for index, step in enumerate(steps)
    )
    rows, problems = read_import(text)
    assert problems == []
    with db.transaction() as session:
        report = apply_import(session, TEAM, rows, now=clock.now(), today=TODAY, chunk=3)
    # Existing: 0 (won, new owner), 2 (name_only: lower; same owner), 4 (remote: lower; same owner),
    # 6 (met: same; new owner), 8 (1.1: lower; same owner). New: 1, 3, 5, 7, 9, 10.
    assert (report.created, report.updated, report.unchanged) == (6, 2, 3)
    with db.transaction() as session:
        found = {account.name: account for account in session.scalars(select(Account))}
        assert len(found) == 11
        assert [found[f"Firm {index}"].step for index in range(11)] == (
            [
                "won",
                "name_only",
                "met",
                "met_twice",
                "met",
                "dined",
                "met",
                "won",
                "met",
                "repeater",
                "proposed",
            ]
        )
        assert found["Firm 0"].owner_id == OTHER_REP and found["Firm 6"].owner_id == OTHER_REP
        assert found["Firm 0"].in_person_meetings == 2 and found["Firm 0"].deals_won == 1
        changes = session.scalars(select(StepChange).where(StepChange.reason == "import")).all()
        by_account = {c.account_id: (c.from_step, c.to_step, c.user_id) for c in changes}
        assert by_account[found["Firm 0"].id] == ("met", "won", OTHER_REP)
        assert by_account[found["Firm 3"].id] == ("name_only", "met_twice", OTHER_REP)
        assert by_account[found["Firm 7"].id] == ("name_only", "won", REP)
        assert by_account[found["Firm 9"].id] == ("name_only", "repeater", OTHER_REP)
        assert found["Firm 1"].id not in by_account  # created at name_only: nothing changed
        assert len(changes) == 6  # Firm 0, 3, 5, 7, 9, 10
        assert all(c.changed_at == clock.now() and c.changed_on == TODAY for c in changes)
    with db.transaction() as session:
        again = apply_import(session, TEAM, rows, now=clock.now(), today=TODAY, chunk=3)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 11)
    with db.transaction() as session:
        assert count_in(session, StepChange) == 5 + 6  # the five visits, then the import's six


def test_a_name_created_meanwhile_becomes_an_update(
    db: Database, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another writer creates the account between the import's look-up and its insert (PostgreSQL):
    the insert skips it, and the row updates that account instead."""
    with db.transaction() as session:
        accounts.create_account(session, TEAM, "Acme", REP, now=clock.now() - timedelta(hours=1), today=TODAY)
    real = imports._look_up
    calls: list[int] = []

    def blind_first_look_up(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return {} if len(calls) == 1 else real(*args, **kwargs)

    monkeypatch.setattr(imports, "_look_up", blind_first_look_up)
    report = _import(db, clock, "name,owner,step\nAcme,U0REP2,won\nGlobex,U0REP1,met\n")
    assert (report.created, report.updated, report.unchanged) == (1, 1, 0)
    with db.transaction() as session:
        found = {account.name: account for account in session.scalars(select(Account))}
        assert (found["Acme"].owner_id, found["Acme"].step) == (OTHER_REP, "won")
        changes = session.scalars(select(StepChange).order_by(StepChange.account_id)).all()
        assert [(c.account_id, c.from_step, c.to_step, c.reason) for c in changes] == [
            (found["Acme"].id, "name_only", "won", "import"),
            (found["Globex"].id, "name_only", "met", "import"),
        ]


def test_the_progress_line_is_quiet_off_a_terminal() -> None:
    quiet = io.StringIO()
    progress = exports.Progress("Imported", quiet, interval=0.0)
    progress(1000)
    progress.finish(2000)
    assert quiet.getvalue() == ""

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    progress = exports.Progress("Imported", terminal, interval=0.0)
    progress(1000)
    progress.finish(2500)
    lines = terminal.getvalue()
    assert lines.startswith("\rImported: 1,000 rows, ") and "rows/s" in lines
    assert lines.endswith("\n") and "\rImported: 2,500 rows, " in lines


def test_the_import_export_bench_runs_at_a_small_size(tmp_path: Path) -> None:
    """bench/import_export.py on SQLite with 3,000 rows: it asserts its own counts; no timing here."""
    out = run_bench("import_export.py", "--rows", "3000", "--database", "sqlite", cwd=tmp_path, timeout=120)
    for line in ("| import (floor: bulk insert) |", "| export JSON (floor: plain SELECT) |", "memory"):
        assert line in out, out


def test_the_import_gives_back_the_cycle_collector_and_the_connections_page_cache(
    db: Database, clock: FixedClock
) -> None:
    # The import turns Python's cycle collector off and (SQLite) enlarges its connection's page cache
    # while it runs; a pooled connection or the process must not keep either once it returns or fails.
    import gc

    rows, problems = read_import("name,owner\nAcme,U0REP1\nGlobex,U0REP1\n")
    assert problems == [] and gc.isenabled()
    with db.transaction() as session:
        before = session.execute(text("PRAGMA cache_size")).scalar() if _sqlite(db) else None
        apply_import(session, TEAM, rows, now=clock.now(), today=TODAY)
        assert gc.isenabled()
        if before is not None:
            assert session.execute(text("PRAGMA cache_size")).scalar() == before
    with pytest.raises(AttributeError), db.transaction() as session:
        apply_import(session, TEAM, [*rows, None], now=clock.now(), today=TODAY)  # type: ignore[list-item]
    assert gc.isenabled()


def _sqlite(db: Database) -> bool:
    return db.engine.dialect.name == "sqlite"
