"""Names read more than one way (issue 13): ダイワ電機 asks "did you mean 大和電機?" (大和 also reads だいわ)
and the other way round, never silently; names that only share a rare reading are not asked about; the
other readings are stored on create, rename and import and filled by migration 0018. And the team's
index of keys for "did you mean" (services/name_index.py) stays fresh as accounts come and go."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, select, update

from bot.clock import FixedClock
from bot.db import Database, alembic_config, upgrade
from bot.domain.status import AccountStatus
from bot.models import Account, AccountReading
from bot.services import accounts, name_index
from bot.services.accounts import AccountRef, NearMatchQuestion
from bot.services.imports import ImportRow, apply_import
from tests.support.database import old_account_row

TEAM = "T0TEAM1"
OTHER_TEAM = "T0TEAM2"
REP = "U0REP1"
TODAY = date(2026, 11, 22)


def _create(db: Database, clock: FixedClock, name: str, team: str = TEAM) -> Account:
    with db.transaction() as session:
        return accounts.create_account(session, team, name, REP, now=clock.now(), today=TODAY)


def _resolve(db: Database, typed: str, team: str = TEAM) -> Account | NearMatchQuestion | None:
    with db.transaction() as session:
        return accounts.resolve(session, team, AccountRef(name=typed))


def _read_alike(db: Database, typed: str) -> list[str]:
    with db.transaction() as session:
        return [account.name for account in accounts.read_alike(session, TEAM, typed)]


@pytest.mark.parametrize(
    ("known", "typed"),
    [
        ("大和電機(株)", "ダイワ電機"),
        ("大和電機(株)", "だいわ電機"),
        ("大和電機(株)", "ヤマト電機"),
        ("ダイワ電機", "大和電機"),
        ("ダイワ電機", "株式会社大和電機"),
        ("山田商事", "ヤマダ商事"),
        ("ヤマダ商事", "山田商事"),
        ("三田商事", "サンダ商事"),
        ("日本橋物産", "ニッポンバシ物産"),
        ("大和", "ダイワ"),  # short names too
        ("ダイワ", "大和"),
    ],
)
def test_a_name_read_another_way_asks(db: Database, clock: FixedClock, known: str, typed: str) -> None:
    account = _create(db, clock, known)
    _create(db, clock, typed, team=OTHER_TEAM)  # another team's is never offered
    asked = _resolve(db, typed)
    assert isinstance(asked, NearMatchQuestion), asked
    assert [candidate.id for candidate in asked.candidates] == [account.id]
    assert _read_alike(db, typed) == [known]


@pytest.mark.parametrize(
    ("known", "typed"),
    [
        ("山田商事", "サンデン商事"),  # 山 reads さん and 田 でん, but 山田 is only ever やまだ
        ("三田商事", "山田商事"),  # みた / さんだ against やまだ
        ("大和電機", "大輪電機"),  # だいりん
        ("大和電機", "ヒロヤス電機"),  # 大和's fourth reading (a given name) is not kept
    ],
)
def test_names_that_share_only_a_rare_reading_do_not_read_alike(
    db: Database, clock: FixedClock, known: str, typed: str
) -> None:
    _create(db, clock, known)
    assert _read_alike(db, typed) == []


@pytest.mark.parametrize(
    ("known", "typed"),
    [
        ("大和電機(株)", "東京海上"),
        ("山田商事", "丸井印刷"),
        ("ダイワ電機", "Acme Trading"),
        ("大和", "日立"),
    ],
)
def test_unrelated_names_are_not_asked_about(db: Database, clock: FixedClock, known: str, typed: str) -> None:
    _create(db, clock, known)
    assert _resolve(db, typed) is None


def test_a_typed_reading_meets_a_stored_one_either_way(db: Database, clock: FixedClock) -> None:
    # 上田 reads うえだ, and also じょうでん: typed as that it is asked about; 植田 reads うえだ.
    _create(db, clock, "上田製作所")
    assert _read_alike(db, "ジョウデン製作所") == ["上田製作所"]
    assert _read_alike(db, "植田製作所") == ["上田製作所"]  # うえだ: the common readings meet


def test_the_other_readings_follow_create_rename_and_merge(db: Database, clock: FixedClock) -> None:
    account = _create(db, clock, "大和電機")
    with db.transaction() as session:
        stored = session.scalars(
            select(AccountReading.reading).where(AccountReading.account_id == account.id)
        )
        assert set(stored) == {"たいわでんき", "だいわでんき"}
    with db.transaction() as session:
        accounts.rename(session, accounts.get_account(session, TEAM, account.id), "大和精工", now=clock.now())
    with db.transaction() as session:
        stored = session.scalars(
            select(AccountReading.reading).where(AccountReading.account_id == account.id)
        )
        assert set(stored) == {"たいわせいこう", "だいわせいこう"}
    assert _read_alike(db, "ダイワ電機") == []
    assert _read_alike(db, "ダイワ精工") == ["大和精工"]
    with db.transaction() as session:
        merged = accounts.get_account(session, TEAM, account.id)
        merged.status = AccountStatus.MERGED.value
    assert _read_alike(db, "ダイワ精工") == []


def test_imported_accounts_have_their_other_readings_and_a_reimport_adds_none(
    db: Database, clock: FixedClock
) -> None:
    rows = [
        ImportRow(line=2, name="大和電機(株)", owner=REP, step=None, segment=None),
        ImportRow(line=3, name="山田商事", owner=REP, step=None, segment=None),
    ]
    for _ in range(2):
        with db.transaction() as session:
            apply_import(session, TEAM, rows, now=clock.now(), today=TODAY)
    with db.transaction() as session:
        stored = session.execute(
            select(Account.name, AccountReading.reading).join(
                Account, Account.id == AccountReading.account_id
            )
        ).all()
    assert sorted(tuple(row) for row in stored) == [
        ("大和電機(株)", "たいわでんき"),
        ("大和電機(株)", "だいわでんき"),
    ]
    assert _read_alike(db, "ダイワ電機") == ["大和電機(株)"]


def test_migration_fills_the_other_readings(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'before.db'}"
    upgrade(url, "0009")
    engine = create_engine(url)
    with engine.begin() as connection:
        for name, key in [("大和電機", "大和電機"), ("Acme Corp", "acme"), ("山田商事", "山田商事")]:
            connection.execute(old_account_row(TEAM, name, key, TODAY, owner=REP))
    upgrade(url, "head")
    with engine.connect() as connection:
        stored = connection.execute(
            select(Account.name, AccountReading.reading).join(
                Account, Account.id == AccountReading.account_id
            )
        ).all()
        common = dict(connection.execute(select(Account.name, Account.name_reading)).all())
    assert sorted(tuple(row) for row in stored) == [
        ("大和電機", "たいわでんき"),
        ("大和電機", "だいわでんき"),
    ]
    assert common == {"大和電機": "やまとでんき", "Acme Corp": "acme", "山田商事": "やまだしょうじ"}
    command.downgrade(alembic_config(url), "0017")
    with engine.connect() as connection:
        tables = {row[0] for row in connection.exec_driver_sql("SELECT name FROM sqlite_master")}
    engine.dispose()
    assert "account_readings" not in tables
    upgrade(url, "head")


# ------------------------------------------------------------------------------- the index of keys


@pytest.fixture
def indexed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every team is indexed, however small (a big team's path, on a few accounts)."""
    monkeypatch.setattr(name_index, "NEAR_MATCH_INDEXED_FROM", 0)


def _asked_names(db: Database, typed: str) -> list[str]:
    asked = _resolve(db, typed)
    return [candidate.name for candidate in asked.candidates] if isinstance(asked, NearMatchQuestion) else []


@pytest.mark.usefixtures("indexed")
def test_the_index_finds_close_names_and_stays_fresh(db: Database, clock: FixedClock) -> None:
    for name in ["Acme Trading", "Globex Holdings", "丸山印刷", "Initech Systems"]:
        _create(db, clock, name)
    assert _asked_names(db, "Acme Tradin") == ["Acme Trading"]
    assert _asked_names(db, "丸山印") == ["丸山印刷"]
    _create(db, clock, "Umbrella Pharma")  # after the index was built: added to it
    assert _asked_names(db, "Umbrela Pharma") == ["Umbrella Pharma"]
    with db.transaction() as session:
        acme = accounts.find_by_name(session, TEAM, "Acme Trading")
        assert acme is not None
        accounts.rename(session, acme, "Soylent Foods", now=clock.now())
    assert _asked_names(db, "Acme Tradin") == []
    assert _asked_names(db, "Soylent Food") == ["Soylent Foods"]
    with db.transaction() as session:
        globex = accounts.find_by_name(session, TEAM, "Globex Holdings")
        assert globex is not None
        globex.status = AccountStatus.MERGED.value  # still in the index, never offered
    assert _asked_names(db, "Globex Holding") == []
    _create(db, clock, "Globex Holdings", team=OTHER_TEAM)
    assert _asked_names(db, "Globex Holding") == []


@pytest.mark.usefixtures("indexed")
def test_the_index_is_rebuilt_when_new_ids_do_not_make_up_the_count(db: Database, clock: FixedClock) -> None:
    _create(db, clock, "Acme Trading")
    _create(db, clock, "Globex Holdings")
    assert _asked_names(db, "Acme Tradin") == ["Acme Trading"]
    with db.transaction() as session:  # as a lower id committed late: the count moves, the highest id not
        late = accounts.create_account(session, TEAM, "Initech Systems", REP, now=clock.now(), today=TODAY)
        session.execute(update(Account).where(Account.id == late.id).values(id=-1))
    assert _asked_names(db, "Initech System") == ["Initech Systems"]
    assert _asked_names(db, "Acme Tradin") == ["Acme Trading"]
