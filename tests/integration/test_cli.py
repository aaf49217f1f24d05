"""`pyramid-bot export | import | db upgrade`, driven through `bot.cli.main` against the test database."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from bot.clock import FixedClock
from bot.config import get_settings
from bot.db import Database
from bot.domain.activities import ActivityKind
from bot.models import Account, StepChange
from bot.services import accounts
from bot.services.accounts import AccountRef
from bot.services.activities import LogRequest, log_activity
from tests.support.exports import EXPORT_COLUMNS

TEAM = "T0TEAM1"
OTHER_TEAM = "T0TEAM2"
REP = "U0REP1"
TODAY = date(2026, 11, 22)
GOOD_CSV = (
    "name,owner,step,segment\nAcme Corp,U0REP1,won,strategic\n株式会社アクメ,U0REP2,2.3,\nGlobex,U0REP1,,\n"
)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> Iterator[None]:
    """The CLI reads its settings from the environment (and `.env`): only the test database is set."""
    for name in list(os.environ):
        if name.upper().startswith(("PYRAMID_", "SLACK_")) and name != "PYRAMID_TEST_DATABASE_URL":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)  # no .env, and no stray pyramid.db in the repository
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _csv_file(tmp_path: Path, text: str, name: str = "accounts.csv") -> Path:
    """As Excel saves it: UTF-8 with a byte order mark, CRLF line ends."""
    path = tmp_path / name
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8-sig"))
    return path


def _seed(db: Database, clock: FixedClock) -> None:
    plan = [
        (TEAM, "Acme Corp", [ActivityKind.VISIT, ActivityKind.MEAL, ActivityKind.WON]),
        (TEAM, "Globex", [ActivityKind.CALL]),
        (OTHER_TEAM, "Initech", [ActivityKind.VISIT]),
    ]
    for team, name, kinds in plan:
        for kind in kinds:
            with db.transaction() as session:
                request = LogRequest(
                    team_id=team, user_id=REP, account=AccountRef(name=name), kind=kind, on=TODAY
                )
                log_activity(session, request, now=clock.now(), today=TODAY, repeater_threshold=3)


def _account_names(db: Database, team: str | None = None) -> list[str]:
    with db.transaction() as session:
        statement = select(Account.name).order_by(Account.name)
        if team is not None:
            statement = statement.where(Account.team_id == team)
        return list(session.scalars(statement))


# ----------------------------------------------------------------------------------------- export


def test_export_json(db: Database, clock: FixedClock, capsys: pytest.CaptureFixture[str]) -> None:
    _seed(db, clock)
    assert main(["export", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert isinstance(rows, list)
    assert [list(row) for row in rows] == [list(EXPORT_COLUMNS)] * 3
    acme = next(row for row in rows if row["name"] == "Acme Corp")
    assert acme["team_id"] == TEAM
    assert acme["owner"] == REP
    assert (acme["stage"], acme["step"]) == (3, "won")
    assert (acme["meetings"], acme["deals_won"]) == (2, 1)
    assert acme["last_touch_on"] == "2026-11-22"
    assert acme["segment"] is None
    assert (acme["status"], acme["merged_into"]) == ("active", None)


def test_export_judges_each_status_on_the_date_given(
    db: Database, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    """Acme's last touch was 2026-11-22: a customer is dormant 90 days later, not a day before."""
    _seed(db, clock)
    for day, status in (("2027-02-19", "active"), ("2027-02-20", "dormant")):
        assert main(["export", "--format", "json", "--date", day]) == 0
        rows = json.loads(capsys.readouterr().out)
        assert next(row for row in rows if row["name"] == "Acme Corp")["status"] == status, day


def test_export_json_is_the_default_and_keeps_japanese_readable(
    db: Database, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    with db.transaction() as session:
        accounts.create_account(session, TEAM, "株式会社アクメ", REP, now=clock.now(), today=TODAY)
    assert main(["export"]) == 0
    out = capsys.readouterr().out
    assert "株式会社アクメ" in out
    assert json.loads(out)[0]["name"] == "株式会社アクメ"


def test_export_of_an_empty_database(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == []
    assert main(["export", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == [",".join(EXPORT_COLUMNS)]


def test_export_csv(db: Database, clock: FixedClock, capsys: pytest.CaptureFixture[str]) -> None:
    _seed(db, clock)
    assert main(["export", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ",".join(EXPORT_COLUMNS)
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 3
    assert {(row["team_id"], row["name"], row["step"]) for row in rows} == {
        (TEAM, "Acme Corp", "won"),
        (TEAM, "Globex", "remote"),
        (OTHER_TEAM, "Initech", "met"),
    }


def test_export_one_team(db: Database, clock: FixedClock, capsys: pytest.CaptureFixture[str]) -> None:
    _seed(db, clock)
    assert main(["export", "--team", OTHER_TEAM]) == 0
    assert [row["name"] for row in json.loads(capsys.readouterr().out)] == ["Initech"]


def test_an_export_imports_back_into_another_team(
    db: Database, clock: FixedClock, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _seed(db, clock)
    assert main(["export", "--format", "csv", "--team", TEAM]) == 0
    exported = capsys.readouterr().out
    assert main(["import", str(_csv_file(tmp_path, exported)), "--team", "T0COPY"]) == 0
    assert "2 created" in capsys.readouterr().out
    assert main(["export", "--team", "T0COPY"]) == 0
    copied = {row["name"]: row for row in json.loads(capsys.readouterr().out)}
    original = {row["name"]: row for row in csv.DictReader(io.StringIO(exported))}
    assert set(copied) == set(original)
    for name, row in copied.items():
        assert (row["owner"], row["step"], str(row["stage"])) == (
            original[name]["owner"],
            original[name]["step"],
            original[name]["stage"],
        )


# ----------------------------------------------------------------------------------------- import


def test_import_a_csv_with_bom(db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = _csv_file(tmp_path, GOOD_CSV)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert main(["import", str(path), "--team", "T1"]) == 0
    out = capsys.readouterr().out
    assert "Imported into T1: 3 created, 0 updated, 0 unchanged, 0 bad rows skipped." in out
    assert _account_names(db, "T1") == ["Acme Corp", "Globex", "株式会社アクメ"]
    with db.transaction() as session:
        acme = session.scalars(select(Account).where(Account.name == "Acme Corp")).one()
        assert (acme.step, acme.segment, acme.owner_id) == ("won", "strategic", "U0REP1")
        assert session.scalar(select(func.count()).select_from(StepChange)) == 2


def test_a_bad_row_stops_the_whole_import(
    db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _csv_file(tmp_path, GOOD_CSV + "Umbrella,not-a-user,\nInitech,U0REP1,level 9\n")
    assert main(["import", str(path), "--team", "T1"]) == 1
    captured = capsys.readouterr()
    assert "line 5" in captured.err and "not-a-user" in captured.err
    assert "line 6" in captured.err and "level 9" in captured.err
    assert "nothing was imported" in captured.err
    assert _account_names(db) == []


def test_skip_bad_imports_the_good_rows(
    db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _csv_file(tmp_path, GOOD_CSV + "Umbrella,not-a-user,\n")
    assert main(["import", str(path), "--team", "T1", "--skip-bad"]) == 0
    captured = capsys.readouterr()
    assert "line 5" in captured.err
    assert "3 created" in captured.out and "1 bad rows skipped" in captured.out
    assert _account_names(db, "T1") == ["Acme Corp", "Globex", "株式会社アクメ"]


def test_importing_twice_creates_no_duplicates(
    db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = _csv_file(tmp_path, GOOD_CSV)
    assert main(["import", str(path), "--team", "T1"]) == 0
    assert main(["import", str(path), "--team", "T1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "3 created" in out[0]
    assert "0 created, 0 updated, 3 unchanged" in out[1]
    assert len(_account_names(db)) == 3


def test_import_without_team_into_an_empty_database(
    db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["import", str(_csv_file(tmp_path, GOOD_CSV))]) == 2
    assert "--team" in capsys.readouterr().err
    assert _account_names(db) == []


def test_import_without_team_uses_the_only_team(
    db: Database, clock: FixedClock, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with db.transaction() as session:
        accounts.create_account(session, TEAM, "Initech", REP, now=clock.now(), today=TODAY)
    assert main(["import", str(_csv_file(tmp_path, GOOD_CSV))]) == 0
    assert f"Imported into {TEAM}: 3 created" in capsys.readouterr().out
    assert len(_account_names(db, TEAM)) == 4


def test_import_without_team_when_there_are_several(
    db: Database, clock: FixedClock, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _seed(db, clock)
    assert main(["import", str(_csv_file(tmp_path, GOOD_CSV))]) == 2
    assert "2 teams" in capsys.readouterr().err
    assert len(_account_names(db)) == 3


def test_import_of_a_missing_file(db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["import", str(tmp_path / "nope.csv"), "--team", "T1"]) == 2
    assert "Cannot read" in capsys.readouterr().err


def test_import_of_a_shift_jis_file_is_read_and_of_other_bytes_refused_readably(
    db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Issue 13: what Excel saves on Japanese Windows is read (it used to be refused).
    path = tmp_path / "sjis.csv"
    path.write_bytes("name,owner\n株式会社アクメ,U0REP1\n".encode("shift_jis"))
    assert main(["import", str(path), "--team", "T1"]) == 0
    assert _account_names(db) == ["株式会社アクメ"]
    path.write_bytes(b"name,owner\n\x81\x7f\xff,U0REP1\n")
    assert main(["import", str(path), "--team", "T2"]) == 2
    assert "neither UTF-8 nor Shift_JIS" in capsys.readouterr().err
    assert _account_names(db, "T2") == []


def test_import_with_a_wrong_header(db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["import", str(_csv_file(tmp_path, "firm,person\nAcme,U0REP1\n")), "--team", "T1"]) == 1
    assert "line 1" in capsys.readouterr().err
    assert _account_names(db) == []


# --------------------------------------------------------------------------------------- db, errors


def test_db_upgrade_is_idempotent(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "upgrade"]) == 0
    assert capsys.readouterr().out.count("Database is up to date.") == 2


def test_db_upgrade_creates_a_new_sqlite_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fresh.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    assert main(["db", "upgrade"]) == 0
    assert main(["export"]) == 0
    assert json.loads(capsys.readouterr().out.split("Database is up to date.")[-1]) == []
    assert path.exists()


def test_the_heads_read_without_alembic_are_alembics() -> None:
    from alembic.script import ScriptDirectory

    from bot.db import alembic_config, script_heads

    assert script_heads() == frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


def test_a_start_on_a_database_at_the_head_loads_neither_alembic_nor_the_holidays(db: Database) -> None:
    """`serve` checks the schema at start (and upgrades SQLite); at the head that needs no Alembic, and
    the holiday check of the configuration imports no country's calendar (issue 16: RSS at start)."""
    script = (
        "import sys\n"
        "from bot.config import Settings\n"
        "from bot.db import upgrade, schema_revisions\n"
        f"upgrade({db.url!r})\n"
        f"current, heads = schema_revisions({db.url!r})\n"
        "assert current == heads, (current, heads)\n"
        "Settings(pyramid_holiday_country='jp')\n"
        "loaded = sorted({name.split('.')[0] for name in sys.modules} & {'alembic', 'mako'})\n"
        "assert not loaded, loaded\n"
        "assert 'holidays.countries' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]


def test_a_bad_configuration_exits_2_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PORT", "abc")
    assert main(["export"]) == 2
    assert "PORT" in capsys.readouterr().err


@pytest.mark.parametrize("command", ["digest", "summary", "scheduler"])
def test_a_command_that_posts_without_a_token_exits_2_and_says_which_settings_give_one(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([command]) == 2
    err = capsys.readouterr().err
    assert f"{command} needs SLACK_BOT_TOKEN" in err
    assert "SLACK_CLIENT_ID and SLACK_CLIENT_SECRET" in err


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        main(["frobnicate"])
    assert raised.value.code == 2
    assert "usage" in capsys.readouterr().err


# ------------------------------------------------------------------------ big files, progress (issue 16)


def test_a_file_of_several_chunks_round_trips_and_reimports_unchanged(
    db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    steps = ["", "1.2", "met", "2.1", "dined", "proposed", "won", "3.2", "repeater"]
    count = 2_500  # more than two pages of 1,000
    text = "name,owner,step,segment\n" + "".join(
        f"Firm {index:05d},U0REP{index % 7},{steps[index % len(steps)]},{'key' if index % 5 == 0 else ''}\n"
        for index in range(count)
    )
    path = _csv_file(tmp_path, text)
    assert main(["import", str(path), "--team", TEAM]) == 0
    assert f"Imported into {TEAM}: {count} created, 0 updated, 0 unchanged, 0 bad rows skipped." in (
        capsys.readouterr().out
    )
    with db.transaction() as session:
        changes = session.scalars(select(StepChange.reason)).all()
        assert len(changes) == sum(
            1 for index in range(count) if steps[index % len(steps)] not in ("", "1.1")
        )
        assert set(changes) == {"import"}
    assert main(["import", str(path), "--team", TEAM]) == 0
    assert f"0 created, 0 updated, {count} unchanged" in capsys.readouterr().out
    assert main(["export", "--format", "csv", "--team", TEAM]) == 0
    exported = capsys.readouterr()
    assert exported.err == ""  # no progress line off a terminal
    rows = list(csv.DictReader(io.StringIO(exported.out)))
    assert len(rows) == count
    assert main(["import", str(_csv_file(tmp_path, exported.out, "back.csv")), "--team", "T0COPY"]) == 0
    assert f"{count} created" in capsys.readouterr().out
    assert main(["export", "--format", "json", "--team", "T0COPY"]) == 0
    copied = json.loads(capsys.readouterr().out)
    assert [(row["name"], row["owner"], row["step"], row["segment"] or "") for row in copied] == [
        (row["name"], row["owner"], row["step"], row["segment"]) for row in rows
    ]


def test_import_and_export_show_progress_on_a_terminal(
    db: Database, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.services import exports

    monkeypatch.setattr(exports, "_is_terminal", lambda stream: True)
    assert main(["import", str(_csv_file(tmp_path, GOOD_CSV)), "--team", TEAM]) == 0
    captured = capsys.readouterr()
    assert "Imported: 3 rows, " in captured.err and "rows/s" in captured.err
    assert "Imported into" in captured.out and "rows/s" not in captured.out
    assert main(["export", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert "Exported: 3 rows, " in captured.err
    assert len(json.loads(captured.out)) == 3  # the export itself stays clean
