"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when PYRAMID_TEST_DATABASE_URL is set),
emptied before each test, and a clock the tests set."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.clock import FixedClock
from bot.config import sqlalchemy_url
from bot.db import Database, upgrade
from bot.models import Base

# Sunday 22 November 2026, 10:00 in Tokyo.
NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("PYRAMID_TEST_DATABASE_URL")
    if url:
        url = sqlalchemy_url(url)
        engine = create_engine(url)
        with engine.begin() as connection:
            # A clean schema each run, so the migrations themselves are tested from scratch.
            connection.execute(text("DROP SCHEMA public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    else:
        url = f"sqlite:///{Path(tmp_path_factory.mktemp('db')) / 'pyramid-test.db'}"
    upgrade(url)
    return url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    _empty(database)
    yield database
    database.dispose()


def _empty(database: Database) -> None:
    tables = [table.name for table in reversed(Base.metadata.sorted_tables)]
    with database.engine.begin() as connection:
        if database.engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(text(f"DELETE FROM {table}"))


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)
