"""Near matches by reading (issue 13): ヤマダ商事 beside 山田商事 asks "did you mean", never a second
company silently; the reading is stored on create, rename and import, and filled by migration 0010."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, select

from bot.clock import FixedClock
from bot.db import Database, alembic_config, upgrade
from bot.domain.names import name_reading
from bot.models import Account
from bot.services import accounts
from bot.services.accounts import AccountRef, NearMatchQuestion
from bot.services.imports import ImportRow, apply_import
from tests.support.database import old_account_row

TEAM = "T0TEAM1"
OTHER_TEAM = "T0TEAM2"
REP = "U0REP1"
TODAY = date(2026, 11, 22)


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("山田商事", "ヤマダ商事"),
        ("山田商事", "やまだ商事"),
        ("山田商事", "やまだしょうじ"),
        ("株式会社山田商事", "ヤマダショウジ㈱"),
        ("丸山印刷", "マルヤマ印刷"),
        ("ABC物流", "ＡＢＣぶつりゅう"),
        ("大和電機(株)", "ヤマト電機"),
        ("ｻﾝﾗｲｽﾞﾎﾃﾙ", "サンライズホテル"),
    ],
)
def test_spellings_of_one_name_read_the_same(first: str, second: str) -> None:
    assert name_reading(first) == name_reading(second)


@pytest.mark.parametrize(
    ("first", "second"),
    [("山田商事", "山口商事"), ("丸山印刷", "丸井印刷"), ("Acme", "Acne"), ("東京電機", "京都電機")],
)
def test_different_names_read_differently(first: str, second: str) -> None:
    assert name_reading(first) != name_reading(second)


def test_latin_names_read_as_their_key() -> None:
    assert name_reading("Acme Corp.") == "acme"
    assert name_reading("ＡＣＭＥ Inc") == "acme"


def _create(db: Database, clock: FixedClock, name: str, team: str = TEAM) -> Account:
    with db.transaction() as session:
        return accounts.create_account(session, team, name, REP, now=clock.now(), today=TODAY)


@pytest.mark.parametrize("typed", ["ヤマダ商事", "やまだ商事", "ヤマダショウジ", "株式会社ヤマダ商事"])
def test_a_name_that_reads_the_same_asks(db: Database, clock: FixedClock, typed: str) -> None:
    yamada = _create(db, clock, "山田商事")
    _create(db, clock, "ヤマダ商事", team=OTHER_TEAM)  # another team's is never offered
    with db.transaction() as session:
        asked = accounts.resolve(session, TEAM, AccountRef(name=typed))
    assert isinstance(asked, NearMatchQuestion), asked
    assert [candidate.id for candidate in asked.candidates] == [yamada.id]


def test_the_reading_is_stored_on_create_and_rename(db: Database, clock: FixedClock) -> None:
    account = _create(db, clock, "山田商事")
    assert account.name_reading == "やまだしょうじ"
    with db.transaction() as session:
        renamed = accounts.rename(
            session, accounts.get_account(session, TEAM, account.id), "丸山印刷", now=clock.now()
        )
        assert renamed.name_reading == "まるやまいんさつ"
    with db.transaction() as session:
        asked = accounts.resolve(session, TEAM, AccountRef(name="マルヤマ印刷"))
        assert isinstance(asked, NearMatchQuestion)
        assert accounts.resolve(session, TEAM, AccountRef(name="ヤマダ商事")) is None


def test_imported_accounts_have_their_reading(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        apply_import(
            session,
            TEAM,
            [ImportRow(line=2, name="山田商事", owner=REP, step=None, segment=None)],
            now=clock.now(),
            today=TODAY,
        )
    with db.transaction() as session:
        readings = session.execute(select(Account.name, Account.name_reading)).all()
    assert [tuple(row) for row in readings] == [("山田商事", "やまだしょうじ")]


def test_migration_fills_the_readings_of_existing_accounts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'before.db'}"
    upgrade(url, "0009")
    engine = create_engine(url)
    with engine.begin() as connection:
        for name, key in [("山田商事", "山田商事"), ("Acme Corp", "acme"), ("ﾏﾙﾔﾏ印刷", "マルヤマ印刷")]:
            connection.execute(old_account_row(TEAM, name, key, TODAY, owner=REP))
    upgrade(url, "head")
    with engine.connect() as connection:
        readings = dict(connection.execute(select(Account.name, Account.name_reading)).all())
    engine.dispose()
    assert readings == {"山田商事": "やまだしょうじ", "Acme Corp": "acme", "ﾏﾙﾔﾏ印刷": "まるやまいんさつ"}


def test_migration_down_and_up_keeps_the_other_indexes(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'down.db'}"
    upgrade(url, "head")
    command.downgrade(alembic_config(url), "0009")
    engine = create_engine(url)
    with engine.connect() as connection:
        columns = {row[1] for row in connection.exec_driver_sql("PRAGMA table_info(accounts)")}
        indexes = {row[1] for row in connection.exec_driver_sql("PRAGMA index_list(accounts)")}
    engine.dispose()
    assert "name_reading" not in columns
    assert "ix_accounts_team_owner_step_last" in indexes
    upgrade(url, "head")
