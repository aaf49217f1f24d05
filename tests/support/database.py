"""The test database: a migrated schema (SQLite, or PostgreSQL from scratch), emptied between tests, and
short readers of what is stored, for assertions."""

from __future__ import annotations

import os
import sqlite3
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import Engine, Insert, column, create_engine, func, insert, select, table, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from bot.config import get_settings, sqlalchemy_url
from bot.db import Database, upgrade
from bot.models import Account, Activity, Base, Followup, PendingRequest, Recovery, StepChange
from bot.oauth_stores import TABLES as install_tables
from tests.support.ids import TEAM

M = TypeVar("M")


def is_postgres(url: str) -> bool:
    return url.startswith("postgresql")


def reset_schema(url: str) -> None:
    """Drops and recreates PostgreSQL's `public` schema: everything in that database is gone."""
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def migrated(url: str | None, sqlite_file: Path, *, announce: bool = False) -> str:
    """A database migrated from scratch: a new SQLite file (`sqlite_file` when `url` is None), or the
    PostgreSQL database at `url` with its schema reset (`announce`: say so on stderr first). Returns its
    SQLAlchemy URL; ValueError for an SQLite database that is not a new file."""
    url = sqlalchemy_url(url or f"sqlite:///{sqlite_file}")
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError("give SQLite as a file URL, e.g. sqlite:////tmp/bench.db")
        if Path(parsed.database).exists():
            raise ValueError(f"{parsed.database} exists; a new SQLite file is needed")
    else:
        if announce:
            print(f"WARNING: dropping and recreating schema public in {shown(url)}", file=sys.stderr)
        reset_schema(url)
    upgrade(url)
    return url


def database_version(engine: Engine) -> str:
    if engine.dialect.name == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    with engine.connect() as connection:
        return f"PostgreSQL {connection.scalar(text('SHOW server_version'))}"


def shown(url: str) -> str:
    """The URL with its password hidden, for messages."""
    return make_url(url).render_as_string(hide_password=True)


def empty(database: Database) -> None:
    """Deletes every row of every table, Slack installations included (the schema stays)."""
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    tables += [table.name for table in install_tables]
    with database.engine.begin() as connection:
        if database.engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


# ---------------------------------------------------------------------------------------------- readers


def rows(db: Database, model: type[M], *where: Any) -> list[M]:
    """The rows of `model` matching `where`, in id order."""
    with db.transaction() as session:
        return list(session.scalars(select(model).where(*where).order_by(model.id)))  # type: ignore[attr-defined]


def count_in(session: Session, model: Any) -> int:
    """How many rows a model (or a table) holds, read in the caller's transaction."""
    return session.scalar(select(func.count()).select_from(model)) or 0


def count(db: Database, model: Any) -> int:
    with db.transaction() as session:
        return count_in(session, model)


def row_counts(db: Database) -> dict[str, int]:
    """Counts of what a log stores (accounts, activities, step changes, pending questions)."""
    with db.transaction() as session:
        return {
            model.__name__: count_in(session, model)
            for model in (Account, Activity, StepChange, PendingRequest)
        }


def every_row(db: Database) -> dict[str, int]:
    """Row counts of every table but the cache of Slack profiles: "nothing stored" means all of these."""
    with db.transaction() as session:
        return {
            table.name: count_in(session, table)
            for table in Base.metadata.sorted_tables
            if table.name != "slack_users"
        }


def all_accounts(db: Database, team: str = TEAM) -> list[Account]:
    return rows(db, Account, Account.team_id == team)


def account_named(db: Database, name: str, team: str = TEAM) -> Account:
    [found] = [account for account in all_accounts(db, team) if account.name == name]
    return found


def account_id(db: Database, name: str, team: str = TEAM) -> int:
    with db.transaction() as session:
        found = session.scalar(select(Account.id).where(Account.team_id == team, Account.name == name))
    assert found is not None, name
    return found


def activities_of(db: Database, account: int) -> list[Activity]:
    return rows(db, Activity, Activity.account_id == account)


def step_changes_of(db: Database, account: int) -> list[StepChange]:
    return rows(db, StepChange, StepChange.account_id == account)


def followups(db: Database, team: str = TEAM) -> list[Followup]:
    return rows(db, Followup, Followup.team_id == team)


def followup_named(db: Database, note: str) -> Followup:
    [found] = rows(db, Followup, Followup.note == note)
    return found


def recoveries(db: Database, team: str = TEAM) -> list[Recovery]:
    return rows(db, Recovery, Recovery.team_id == team)


def the_recovery(db: Database, team: str = TEAM) -> Recovery:
    found = recoveries(db, team)
    assert len(found) == 1, [(r.id, r.status) for r in found]
    return found[0]


def the_followup(db: Database, team: str = TEAM) -> Followup:
    found = followups(db, team)
    assert len(found) == 1, [(f.due_on, f.source) for f in found]
    return found[0]


def cli_environment(monkeypatch: pytest.MonkeyPatch, database_url: str, workdir: Path, **env: str) -> None:
    """The environment `pyramid-bot` commands get in a test: no Pyramid or Slack setting of the machine,
    this database, `env` (SLACK_BOT_TOKEN="…", …), the working directory `workdir`, settings read anew."""
    for name in list(os.environ):
        if name.upper().startswith(("PYRAMID_", "SLACK_")) and name != "PYRAMID_TEST_DATABASE_URL":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(workdir)
    get_settings.cache_clear()


OLD_ACCOUNT_COLUMNS = (
    "team_id",
    "name",
    "name_key",
    "owner_id",
    "step",
    "remote_touches",
    "in_person_meetings",
    "meals",
    "proposals",
    "deals_won",
    "deals_lost",
    "created_on",
    "created_at",
    "updated_at",
)


def old_account_row(team: str, name: str, key: str, created_on: date, owner: str = "U0REP1") -> Insert:
    """An account inserted directly, as a schema before a migration stored it (for migration tests:
    the row's key is whatever the old rule made, and later columns are left to the migration)."""
    created_at = datetime(2026, 11, 29, tzinfo=UTC)
    # Only the columns every schema since 0001 has: the model's later columns have Python-side defaults
    # that an older table could not take.
    old_columns = [Account.__table__.c[name] for name in OLD_ACCOUNT_COLUMNS]
    return insert(table("accounts", *(column(c.name, c.type) for c in old_columns))).values(
        team_id=team,
        name=name,
        name_key=key,
        owner_id=owner,
        step="name_only",
        remote_touches=0,
        in_person_meetings=0,
        meals=0,
        proposals=0,
        deals_won=0,
        deals_lost=0,
        created_on=created_on,
        created_at=created_at,
        updated_at=created_at,
    )
