"""One scheduler for any number of replicas (issue 15).

Every `serve` process may run the schedules, but on PostgreSQL only the one holding a session advisory
lock does: it takes the lock on a connection of its own and keeps that connection; the others try again
every few seconds. When the leader dies or loses its database connection, PostgreSQL releases the lock
and another replica takes over within one retry. Chosen over "run exactly one `pyramid-bot scheduler`
process" because it needs no extra deployment and survives the loss of any one process; the jobs'
deliveries go through the ledger (bot/jobs/outbox.py), so even a brief overlap during a takeover posts
nothing twice.

SQLite has one process by construction: there the schedules simply run.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy import Connection, create_engine, text
from sqlalchemy.pool import NullPool

from bot.config import sqlalchemy_url

log = logging.getLogger(__name__)

# Any fixed number distinct from the migration lock (bot/db.py).
SCHEDULER_LOCK = 0x50_59_52_53  # "PYRS"
RETRY_SECONDS = 10.0


class Leadership:
    """Calls `elected()` once this process holds the scheduler lock, and `deposed()` if it loses it
    (its connection broke); `stop()` gives the lock up (at shutdown)."""

    def __init__(
        self,
        url: str,
        elected: Callable[[], None],
        deposed: Callable[[], None],
        *,
        retry: float = RETRY_SECONDS,
    ) -> None:
        self._url = sqlalchemy_url(url)
        self._elected, self._deposed, self._retry = elected, deposed, retry
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="pyramid-leader")
        self.leading = False

    def start(self) -> None:
        if not self._url.startswith("postgresql"):
            self._lead()  # one process by construction
            return
        self._thread.start()

    def stop(self, seconds: float = 5.0) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(seconds)

    def _lead(self) -> None:
        self.leading = True
        self._elected()

    def _run(self) -> None:
        engine = create_engine(self._url, poolclass=NullPool)
        try:
            while not self._stopping.is_set():
                try:
                    with engine.connect() as connection:
                        self._hold_while_alive(connection)
                except Exception:  # noqa: BLE001 - a broken connection means: try again later
                    log.warning("scheduler leadership: the database connection broke", exc_info=True)
                if self.leading:
                    self.leading = False
                    log.warning("scheduler leadership lost: this process stops running the schedules")
                    self._deposed()
                self._stopping.wait(self._retry)
        finally:
            engine.dispose()

    def _hold_while_alive(self, connection: Connection) -> None:
        """Takes the lock when free, then checks the connection every retry until stopped or broken."""
        while not self._stopping.is_set():
            if not self.leading:
                got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": SCHEDULER_LOCK})
                connection.commit()
                if got.scalar():
                    log.info("scheduler leadership taken: this process runs the schedules")
                    self._lead()
            else:
                connection.execute(text("SELECT 1"))
                connection.commit()
            self._stopping.wait(self._retry)
        if self.leading:  # stopping: give the lock up at once rather than when the connection closes
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": SCHEDULER_LOCK})
            connection.commit()
            self.leading = False
