"""`export` rows and `import` of an existing account list, on a real database."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.clock import FixedClock
from bot.db import Database
from bot.domain.activities import ActivityKind
from bot.domain.stages import Stage, Step
from bot.models import Account, StepChange
from bot.services import accounts, pyramids
from bot.services.accounts import AccountRef, team_ids
from bot.services.activities import LogRequest, log_activity
from bot.services.exports import EXPORT_FIELDS, ImportRow, apply_import, export_rows, read_import

TEAM = "T0TEAM1"
OTHER_TEAM = "T0TEAM2"
REP = "U0REP1"
OTHER_REP = "U0REP2"
TODAY = date(2026, 11, 22)
FIELDS = (
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


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


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
    with db.transaction() as session:
        rows = list(export_rows(session))
    assert EXPORT_FIELDS == FIELDS
    assert [tuple(row) for row in rows] == [FIELDS, FIELDS]
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
    }


def test_export_filters_by_team(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        _log(session, clock, "Acme", ActivityKind.CALL, team=TEAM)
        _log(session, clock, "Globex", ActivityKind.CALL, team=TEAM)
        _log(session, clock, "Acme", ActivityKind.CALL, team=OTHER_TEAM)
    with db.transaction() as session:
        assert [(row["team_id"], row["name"]) for row in export_rows(session)] == [
            (TEAM, "Acme"),
            (TEAM, "Globex"),
            (OTHER_TEAM, "Acme"),
        ]
        assert [row["name"] for row in export_rows(session, [OTHER_TEAM])] == ["Acme"]
        assert len(list(export_rows(session, [TEAM]))) == 2
        assert len(list(export_rows(session, [TEAM, OTHER_TEAM]))) == 3
        assert list(export_rows(session, ["T0NONE"])) == []
        assert team_ids(session) == [TEAM, OTHER_TEAM]


def test_an_empty_database_exports_nothing(db: Database) -> None:
    with db.transaction() as session:
        assert list(export_rows(session)) == []
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
    rows, problems = read_import("company,rep\nAcme,U0REP1\n")
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
        assert _count(session, Account) == 3
        assert _count(session, StepChange) == 2


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
        assert _count(session, Account) == 6


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
        rows = list(export_rows(session, [TEAM]))
        dist = pyramids.distribution_for(session, TEAM)
        mine = pyramids.distribution_for(session, TEAM, REP)
    by_step = Counter(str(row["step"]) for row in rows)
    by_stage = Counter(int(str(row["stage"])) for row in rows)
    assert {step.value: dist.count(step) for step in Step if dist.count(step)} == dict(by_step)
    assert {stage.value: count for stage, count in dist.by_stage.items() if count} == dict(by_stage)
    assert dist.total == len(rows) == len(steps)
    assert dist.by_stage[Stage.REPEATER] == 1
    assert mine.total == sum(1 for row in rows if row["owner"] == REP)
