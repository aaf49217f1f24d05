"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when PYRAMID_TEST_DATABASE_URL is set),
emptied before each test, and a clock the tests set (helpers: tests/support/database.py)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.clock import FixedClock
from bot.db import Database
from tests.support.database import empty, migrated

# Sunday 22 November 2026, 10:00 in Tokyo.
NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    # PostgreSQL gets a clean schema each run, so that the migrations themselves are tested from scratch.
    sqlite_file = Path(tmp_path_factory.mktemp("db")) / "pyramid-test.db"
    return migrated(os.environ.get("PYRAMID_TEST_DATABASE_URL"), sqlite_file)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    empty(database)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)
