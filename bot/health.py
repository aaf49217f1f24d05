"""Readiness for `GET /readyz`: the database answers and its schema is at the migrations' head.

`/healthz` only says the process is alive; `/readyz` says it can serve. A load balancer or an
orchestrator stops sending requests to an instance that is not ready (database down, hanging, or
not yet migrated) without restarting it, and sends them again once it is.
"""

from __future__ import annotations

import threading
import weakref
from concurrent.futures import Future
from dataclasses import dataclass
from functools import cache

from sqlalchemy import text

from bot.db import Database, current_revisions, script_heads

# /readyz must answer well inside a probe's usual timeout (1 s by default in Kubernetes, a few
# seconds elsewhere), whatever the database does.
TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class Readiness:
    ok: bool
    reason: str  # one line, safe to show: never a URL, a password or a traceback


@cache
def head_revisions() -> frozenset[str]:
    """The head(s) of the migration scripts shipped with this code: read once, they cannot change.
    Read without Alembic (`bot.db.script_heads`), which the probe does not load."""
    return script_heads()


def readiness(db: Database) -> Readiness:
    """`SELECT 1`, then the schema's revision against the head. Bounded: a database that hangs
    gives "not ready" after TIMEOUT_SECONDS, and a check still stuck from a previous probe is not
    started again (so a hanging database cannot pile up threads)."""
    return _checker(db).check(db)


def _probe(db: Database) -> Readiness:
    heads = head_revisions()
    with db.engine.connect() as connection, connection.begin() as transaction:
        if connection.dialect.name == "postgresql":
            milliseconds = int(TIMEOUT_SECONDS * 1000)
            connection.execute(text(f"SET LOCAL statement_timeout = {milliseconds}"))
            connection.execute(text(f"SET LOCAL lock_timeout = {milliseconds}"))
        connection.execute(text("SELECT 1"))
        current = current_revisions(connection)
        transaction.rollback()
    if not current:
        return Readiness(False, "database not migrated (no alembic_version): run `pyramid-bot db upgrade`")
    if current != heads:
        return Readiness(
            False,
            f"database schema at {', '.join(sorted(current))}, code expects {', '.join(sorted(heads))}: "
            "run `pyramid-bot db upgrade`",
        )
    return Readiness(True, "ok")


class _Checker:
    """Runs probes on a daemon thread, at most one at a time, and waits a bounded time for each."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: Future[Readiness] | None = None

    def check(self, db: Database) -> Readiness:
        with self._lock:
            if self._running is not None and not self._running.done():
                return Readiness(False, "database did not answer the previous check yet")
            future: Future[Readiness] = Future()
            self._running = future
        threading.Thread(target=self._run, args=(db, future), name="readyz", daemon=True).start()
        try:
            return future.result(timeout=TIMEOUT_SECONDS)
        except TimeoutError:
            return Readiness(False, f"database did not answer within {TIMEOUT_SECONDS:g} s")

    def _run(self, db: Database, future: Future[Readiness]) -> None:
        try:
            future.set_result(_probe(db))
        except Exception as error:  # noqa: BLE001 - any failure means "not ready", said in one line
            future.set_result(Readiness(False, f"database unreachable ({type(error).__name__})"))


# One checker per Database, forgotten with it.
_checkers: weakref.WeakKeyDictionary[Database, _Checker] = weakref.WeakKeyDictionary()
_checkers_lock = threading.Lock()


def _checker(db: Database) -> _Checker:
    with _checkers_lock:
        checker = _checkers.get(db)
        if checker is None:
            checker = _checkers[db] = _Checker()
        return checker
