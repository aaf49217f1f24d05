"""A Japanese team's account list imports as it is saved (issue 13): Shift_JIS (CP932) from Excel on
Japanese Windows, Japanese headers, reps by e-mail address or display name (resolved through the Web
API, with what did not resolve reported by line), stages and steps by Japanese name or full-width
number, and a last-contact date. Still all or nothing unless --skip-bad."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.config import get_settings
from bot.db import Database
from bot.models import Account, StepChange
from bot.services.imports import read_import
from tests.support.fake_slack import FakeSlack

SATO, TANAKA, SUZUKI = "U0SATO", "U0TANAKA", "U0SUZUKI"

JAPANESE_CSV = (
    "会社名,担当者,ステージ,最終接触日,区分\n"
    "株式会社山田商事,sato@example.co.jp,見込み顧客,2026/11/20,重点\n"
    "丸山印刷(株),田中 一郎,２．３,令和8年11月1日,\n"
    "大和電機,suzuki@example.co.jp,顧客,,\n"
    "ABC物流,sato@example.co.jp,,,\n"
)


@pytest.fixture
def slack() -> Iterator[FakeSlack]:
    with FakeSlack(team_id="T0TEAM1") as fake:
        fake.add_user(SATO, name="佐藤", email="sato@example.co.jp")
        fake.add_user(TANAKA, name="田中一郎", email="tanaka@example.co.jp")
        fake.add_user(SUZUKI, name="鈴木", email="suzuki@example.co.jp")
        fake.add_user("U0TWIN1", name="山本")
        fake.add_user("U0TWIN2", name="山本")
        yield fake


@pytest.fixture(autouse=True)
def environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str, slack: FakeSlack
) -> Iterator[None]:
    for name in list(os.environ):
        if name.upper().startswith(("PYRAMID_", "SLACK_")) and name != "PYRAMID_TEST_DATABASE_URL":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_API_URL", slack.base_url)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def shift_jis_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "取引先一覧.csv"
    path.write_bytes(text.replace("\n", "\r\n").encode("cp932"))
    return path


def test_a_shift_jis_file_with_japanese_headers_and_rep_emails_imports(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str], slack: FakeSlack
) -> None:
    assert main(["import", str(shift_jis_file(tmp_path, JAPANESE_CSV)), "--team", "T0TEAM1"]) == 0
    assert "4 created" in capsys.readouterr().out
    assert slack.calls_to("users.list")
    with db.transaction() as session:
        found = {
            account.name: (account.owner_id, account.step, account.last_touch_on, account.segment)
            for account in session.scalars(select(Account).where(Account.team_id == "T0TEAM1"))
        }
        reasons = set(session.scalars(select(StepChange.reason)))
    assert found == {
        "株式会社山田商事": (SATO, "met_twice", date(2026, 11, 20), "重点"),
        "丸山印刷(株)": (TANAKA, "proposed", date(2026, 11, 1), None),
        "大和電機": (SUZUKI, "won", None, None),
        "ABC物流": (SATO, "name_only", None, None),
    }
    assert reasons == {"import"}


def test_owners_that_do_not_resolve_are_reported_by_line_and_nothing_is_imported(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "取引先,担当\n山田商事,nobody@example.co.jp\n丸山印刷,山本\n大和電機,佐藤\n"
    assert main(["import", str(shift_jis_file(tmp_path, text)), "--team", "T0TEAM1"]) == 1
    err = capsys.readouterr().err
    assert "line 2: owner 'nobody@example.co.jp' is no one (or more than one) in this workspace" in err
    assert "line 3: owner '山本' is no one (or more than one) in this workspace" in err  # two 山本
    assert "2 bad rows: nothing was imported" in err
    with db.transaction() as session:
        assert list(session.scalars(select(Account))) == []

    assert main(["import", str(shift_jis_file(tmp_path, text)), "--team", "T0TEAM1", "--skip-bad"]) == 0
    with db.transaction() as session:
        assert [(a.name, a.owner_id) for a in session.scalars(select(Account))] == [("大和電機", SATO)]


def test_a_later_import_moves_the_last_contact_forward_never_back(db: Database, tmp_path: Path) -> None:
    first = "name,owner,last contact\nAcme,U0SATO,2026-11-20\n"
    later = "name,owner,last contact\nAcme,U0SATO,2026-10-01\n"
    newer = "name,owner,last contact\nAcme,U0SATO,2026-11-25\n"
    for text, expected in (
        (first, date(2026, 11, 20)),
        (later, date(2026, 11, 20)),
        (newer, date(2026, 11, 25)),
    ):
        assert main(["import", str(shift_jis_file(tmp_path, text)), "--team", "T0TEAM1"]) == 0
        with db.transaction() as session:
            assert session.scalars(select(Account.last_touch_on)).one() == expected


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        ("知り合い", "name_only"),
        ("見込み顧客", "met_twice"),
        ("顧客", "won"),
        ("リピーター", "repeater"),
        ("２．３", "proposed"),
        ("2.2", "dined"),
        ("会食済み", "dined"),
        ("提案済み", "proposed"),
        ("Customer", "won"),
        ("3", "won"),
        ("MET", "met"),
    ],
)
def test_stages_and_steps_by_key_number_or_japanese_name(step: str, expected: str) -> None:
    rows, problems = read_import(f"会社名,担当者,ステップ\n山田商事,U0SATO,{step}\n")
    assert problems == []
    assert [row.step.value if row.step else None for row in rows] == [expected]


@pytest.mark.parametrize(
    ("header", "value", "problem"),
    [
        ("最終接触日", "来年", "last contact '来年' is not a date"),
        ("最終接触日", "2030-01-01", "last contact '2030-01-01' is in the future"),
        ("ステージ", "大口", "step '大口' is not one of"),
    ],
)
def test_bad_values_name_the_line(header: str, value: str, problem: str) -> None:
    rows, problems = read_import(
        f"会社名,担当者,{header}\n山田商事,U0SATO,{value}\n", today=date(2026, 11, 29)
    )
    assert rows == []
    assert len(problems) == 1 and problems[0][0] == 2 and problem in problems[0][1], problems
