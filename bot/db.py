"""Engine, sessions and migrations. One transaction per user action: `with db.transaction() as session`.

Why writes are safe under concurrency (SPEC §8): every read-then-write happens inside a transaction
that already holds the lock it needs before it reads.

- **PostgreSQL**: services lock the rows they change (`SELECT … FOR UPDATE`, see `services.locks`), so
  two transactions on one account run one after the other; rows on other accounts do not wait.
- **SQLite** has one writer at a time anyway. Write transactions start with `BEGIN IMMEDIATE`: they take
  the write lock *before* their first read, so no transaction can read counters that another is about
  to change (a plain `BEGIN` would read first and fail with "database is locked" on its first write).
  Readers (`db.read()`) use WAL snapshots and never wait for writers.

Timeouts keep a stopped, locked or hanging database from holding a Slack request past its 3 seconds:
SQLite waits `SQLITE_BUSY_TIMEOUT` for the write lock; PostgreSQL connects within `CONNECT_TIMEOUT`
and a pool checkout waits `POOL_TIMEOUT`. Statement deadlines for user actions are set per transaction
(`deadline_ms`), so that long jobs (imports, backfills) are not cut short.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from bot.config import sqlalchemy_url

if TYPE_CHECKING:  # Alembic is loaded when migrations run, not by every process that uses the database
    from alembic.config import Config

SQLITE_BUSY_TIMEOUT = 2.0  # seconds a writer waits for SQLite's write lock
CONNECT_TIMEOUT = 2  # seconds (libpq's connect_timeout is whole seconds)
POOL_TIMEOUT = 1.0  # seconds a request waits for a free pooled connection
# PostgreSQL connections per process: kept, and opened beyond them at peaks. Two `serve` replicas and a
# scheduler (compose.yaml) stay within PostgreSQL's default max_connections of 100.
PG_POOL_SIZE = 24
PG_MAX_OVERFLOW = 8


def make_engine(url: str, *, immediate: bool = True) -> Engine:
    """`immediate`: SQLite transactions begin with BEGIN IMMEDIATE (writers); otherwise deferred."""
    url = sqlalchemy_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT, "check_same_thread": False},
            **(
                {}
                if ":memory:" in url
                else {"pool_size": 16, "max_overflow": 16, "pool_timeout": POOL_TIMEOUT}
            ),
        )
        begin = "BEGIN IMMEDIATE" if immediate else "BEGIN"

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # The driver's own transaction handling is turned off so that we emit BEGIN ourselves.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                # WAL lets readers go on while one writer writes.
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            connection.exec_driver_sql(begin)

        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        # As many kept connections as the threads that use one at once (the runtime's database pool):
        # with a smaller pool each burst past it opened overflow connections (a PostgreSQL backend
        # forked each time) and closed them again on return.
        pool_size=PG_POOL_SIZE,
        max_overflow=PG_MAX_OVERFLOW,
        pool_timeout=POOL_TIMEOUT,
        connect_args={"connect_timeout": CONNECT_TIMEOUT},
    )


class Database:
    def __init__(self, url: str) -> None:
        self.url = sqlalchemy_url(url)
        self.engine = make_engine(self.url)
        self.is_sqlite = self.url.startswith("sqlite")
        # On SQLite readers get their own engine whose transactions do not take the write lock.
        self.read_engine = make_engine(self.url, immediate=False) if self.is_sqlite else self.engine
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.read_engine, expire_on_commit=False)
        self._writer = threading.RLock()

    @contextmanager
    def transaction(self, *, deadline_ms: int | None = None) -> Iterator[Session]:
        """A session whose work commits together at the end, or not at all."""
        if not self.is_sqlite:
            with self._sessions.begin() as session:
                self._limit(session, deadline_ms)
                yield session
            return
        # SQLite lets one writer in at a time and makes the others poll with growing sleeps (up to
        # 100 ms each), which under 16 writers turns a 5 ms write into a 1 s tail. Writers of this
        # process queue on a lock instead and go in the moment the previous one commits; other
        # processes still meet SQLite's own busy timeout.
        acquired = self._writer.acquire(timeout=SQLITE_BUSY_TIMEOUT)
        try:
            with self._sessions.begin() as session:
                yield session
        finally:
            if acquired:
                self._writer.release()

    @contextmanager
    def read(self, *, deadline_ms: int | None = None) -> Iterator[Session]:
        """A read-only unit of work: on SQLite it never waits for a writer."""
        with self._read_sessions.begin() as session:
            self._limit(session, deadline_ms)
            yield session

    def _limit(self, session: Session, deadline_ms: int | None) -> None:
        if deadline_ms is not None and not self.is_sqlite:
            # SET LOCAL: the limit ends with the transaction, whatever the pooled connection does next.
            # One round trip for both; `true`: local to this transaction (SET LOCAL).
            session.execute(
                text(
                    "SELECT set_config('statement_timeout', :ms, true), set_config('lock_timeout', :ms, true)"
                ),
                {"ms": str(int(deadline_ms))},
            )

    def upgrade(self) -> None:
        upgrade(self.url)

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("bot") / "migrations"))
    # Alembic's ini interpolation treats "%" specially; escape it in passwords.
    config.set_main_option("sqlalchemy.url", sqlalchemy_url(url).replace("%", "%%"))
    return config


# Any fixed number: every Pyramid process that migrates a PostgreSQL database takes this lock first,
# so replicas started together apply each migration once, one after the other.
MIGRATION_LOCK = 0x50_59_52_41  # "PYRA"


def upgrade(url: str, revision: str = "head") -> None:
    """Applies the migrations up to `revision`. On PostgreSQL under an advisory lock: a second process
    waits, then finds nothing left to do. A database already at the head is left alone without loading
    Alembic (about 10 MiB that `serve` would otherwise keep from its start-up check on SQLite)."""
    if revision == "head":
        current, heads = schema_revisions(url)
        if current == heads:
            return
    from alembic import command

    config = alembic_config(url)
    if not sqlalchemy_url(url).startswith("postgresql"):
        command.upgrade(config, revision)
        return
    engine = create_engine(sqlalchemy_url(url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            try:
                command.upgrade(config, revision)
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
    finally:
        engine.dispose()


def schema_revisions(url: str) -> tuple[frozenset[str], frozenset[str]]:
    """The database's current revision(s) and the code's head(s): equal when the schema is the one this
    code was written for. Read without Alembic (`current_revisions`, `script_heads`)."""
    heads = script_heads()
    engine = create_engine(sqlalchemy_url(url), poolclass=NullPool)
    try:
        with engine.connect() as connection:
            current = current_revisions(connection)
    finally:
        engine.dispose()
    return current, heads


def current_revisions(connection: Connection) -> frozenset[str]:
    """The revision(s) in the database's `alembic_version` (none without the table), as Alembic's
    `MigrationContext.get_current_heads` reads them."""
    if not inspect(connection).has_table("alembic_version"):
        return frozenset()
    return frozenset(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())


_REVISION_LINE = r"^(revision|down_revision)\s*(?::[^=\n]*)?=\s*(.+?)\s*$"


def script_heads() -> frozenset[str]:
    """The head(s) of the migration scripts shipped with this code (the revisions no script names as
    its `down_revision`), read from the scripts' `revision` and `down_revision` lines without importing
    Alembic; tests/integration/test_cli.py checks it against Alembic's own `get_heads()`."""
    import ast
    import re

    revisions: set[str] = set()
    parents: set[str] = set()
    for script in (resources.files("bot") / "migrations" / "versions").iterdir():
        if not script.name.endswith(".py"):
            continue
        found = dict(re.findall(_REVISION_LINE, script.read_text(encoding="utf-8"), re.MULTILINE))
        if "revision" not in found:
            continue
        revisions.add(ast.literal_eval(found["revision"]))
        down = ast.literal_eval(found.get("down_revision", "None"))
        parents.update([down] if isinstance(down, str) else down or ())
    return frozenset(revisions - parents)
