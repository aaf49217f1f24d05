"""A process that serves never runs on a wrong schema (issue 15): SQLite is migrated at start (the
zero-setup default); PostgreSQL is migrated at start only with PYRAMID_MIGRATE_ON_START, under an
advisory lock so that replicas started together migrate once; otherwise the start is refused with
the command that fixes it.

The PostgreSQL cases need a database of their own (the suite's is shared and stays at head): one
named after the suite's, created and dropped here."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot import cli
from bot.config import load_settings, sqlalchemy_url
from bot.db import schema_revisions, upgrade

SUITE_URL = os.environ.get("PYRAMID_TEST_DATABASE_URL")


def test_sqlite_is_migrated_at_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    db = cli._database(load_settings(database_url=url), prepare_schema=True)
    current, heads = schema_revisions(db.url)
    assert current == heads and heads
    db.dispose()


@pytest.fixture
def empty_postgres() -> Iterator[str]:
    if SUITE_URL is None or not SUITE_URL.startswith("postgres"):
        pytest.skip("PostgreSQL only (PYRAMID_TEST_DATABASE_URL)")
    suite = make_url(sqlalchemy_url(SUITE_URL))
    name = f"{suite.database}_start"
    admin = create_engine(suite, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield suite.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_postgres_on_an_old_schema_refuses_to_start(empty_postgres: str) -> None:
    settings = load_settings(database_url=empty_postgres)
    with pytest.raises(SystemExit) as refused:
        cli._database(settings, prepare_schema=True)
    assert "no Pyramid tables" in str(refused.value)
    assert "pyramid-bot db upgrade" in str(refused.value)

    upgrade(empty_postgres, "0007")
    with pytest.raises(SystemExit) as refused:
        cli._database(settings, prepare_schema=True)
    assert "schema is at 0007" in str(refused.value)


def test_postgres_replicas_started_together_migrate_once(empty_postgres: str) -> None:
    settings = load_settings(database_url=empty_postgres, pyramid_migrate_on_start=True)
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def replica() -> None:
        try:
            start.wait()
            cli._database(settings, prepare_schema=True).dispose()
        except BaseException as error:  # a failed replica is what this test looks for
            errors.append(error)

    replicas = [threading.Thread(target=replica) for _ in range(3)]
    for thread in replicas:
        thread.start()
    for thread in replicas:
        thread.join(120)
    assert errors == []
    current, heads = schema_revisions(empty_postgres)
    assert current == heads
