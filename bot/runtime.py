"""What every surface (Slack handlers, console, jobs, CLI) shares: settings, database, clock, and the
two ways work runs around a Slack request.

- `store(work)`: a user action's one transaction, **before** the ack, under a deadline. When it returns,
  the work is committed, so the HTTP 200 that follows means "stored". When the database is stopped,
  locked or hanging it raises `NotStored` in time for a polite answer inside Slack's 3 seconds, and the
  abandoned transaction rolls back instead of committing later (an error answer never hides a store).
- `after(task)`: what follows a committed action (posting the deliveries it queued, the App Home) runs
  on a separate, bounded pool, so that no amount of such work delays another request's ack.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, InvalidStateError, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import wait as wait_futures
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.domain.schedule import WorkCalendar
from bot.domain.team_settings import TeamConfig
from bot.installs import TeamClients
from bot.services import team_settings
from bot.services.accounts import team_ids
from bot.services.calendars import work_calendar
from bot.services.followups import AutoFollowups
from bot.services.profiles import Profile, fallback_profile, look_up

if TYPE_CHECKING:
    from bot.jobs.outbox import Delivered
    from bot.metrics import Metrics

log = logging.getLogger(__name__)
T = TypeVar("T")

# Slack waits 3 s for the ack. The profile read, the store and the answer must all fit in it.
STORE_DEADLINE = 1.6  # seconds for a user action's transaction
READ_DEADLINE = 1.5  # seconds for a read a reply needs
# A request's profile read and its store share one budget: a rep never seen before may wait up to a
# second for Slack's users.info (a cached profile takes milliseconds), and the store that follows in
# the same thread then gets what is left, never less than MIN_STORE_DEADLINE.
PROFILE_DEADLINE = 1.0  # seconds before the team's defaults answer (and nothing dated is stored)
PROFILE_AND_STORE_BUDGET = 2.1
MIN_STORE_DEADLINE = PROFILE_AND_STORE_BUDGET - PROFILE_DEADLINE
# A job (the digest, the evening prompt) has no ack to meet: it waits for Slack to say the rep's language
# and zone rather than write to them in the team's defaults.
JOB_PROFILE_DEADLINE = 10.0
COMMIT_GRACE = 0.4  # seconds more when the deadline falls while the commit is under way
# Each process remembers a user's profile this long, sparing a database read on every request.
PROFILE_MEMORY = timedelta(minutes=5)
PROFILE_MEMORY_SIZE = 10_000
# Each process remembers a team's settings this long: a request pays no database read for them, and
# another replica sees an admin's change within this time (the process that saved it, at once).
# Settings change a few times a year; half a minute of a replica posting to the old channel is the
# price of not reading the row on every request and job.
TEAM_CONFIG_MEMORY = timedelta(seconds=30)
DB_WORKERS = 24
AFTER_WORKERS = 4
# Profiles are looked up on their own threads: a burst of stores filling the database pool must not
# make a rep's profile miss its deadline (and the rep be answered in the team's zone and language).
# Mostly waiting on Slack for reps never seen before (a sales floor's first morning): 16 at once.
PROFILE_WORKERS = 16


class NotStored(Exception):
    """The database did not take the work in time (stopped, locked, hanging): nothing was stored."""


class OutcomeUnknown(Exception):
    """The deadline fell while the database was committing: the work may or may not be stored."""


class _Attempt:
    """One transaction's race against its deadline: whoever moves first decides, under a lock."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = "waiting"  # waiting → working → committing → done; or → abandoned

    def _move(self, allowed: tuple[str, ...], to: str) -> bool:
        with self._lock:
            if self._state not in allowed:
                return False
            self._state = to
            return True

    def start(self) -> bool:
        return self._move(("waiting",), "working")

    def commit(self) -> bool:
        return self._move(("working",), "committing")

    def done(self) -> None:
        self._move(("committing",), "done")

    def abandon(self) -> bool:
        return self._move(("waiting", "working"), "abandoned")


class _Abandoned(Exception):
    pass


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock
    # The console plays Slack in one thread: there, work runs inline and in order.
    inline: bool = False
    # Counts what an operator watches (`serve` sets it; bot/metrics.py); None: nothing is counted.
    metrics: Metrics | None = None
    # Which token speaks for which team (bot/installs.py): `client_for`, `served_teams`.
    installs: TeamClients = field(init=False, repr=False)
    _db_pool: ThreadPoolExecutor = field(init=False, repr=False)
    _after_pool: ThreadPoolExecutor = field(init=False, repr=False)
    _profile_pool: ThreadPoolExecutor = field(init=False, repr=False)
    # Per listener thread: the store deadline the request's profile read left (`profile`, `store`).
    _request: threading.local = field(init=False, repr=False, default_factory=threading.local)
    # Re-entrant: a future that is already done runs its done-callback (`_forget`, which takes this
    # lock) at once in the thread that adds it, and `_submit` adds it under this lock.
    _lock: threading.RLock = field(init=False, repr=False, default_factory=threading.RLock)
    _running: set[Future[Any]] = field(init=False, repr=False, default_factory=set)
    _queued_keys: set[Hashable] = field(init=False, repr=False, default_factory=set)
    _profiles: dict[tuple[str, str], tuple[datetime, Profile]] = field(
        init=False, repr=False, default_factory=dict
    )
    _team_configs: dict[str, tuple[datetime, TeamConfig]] = field(
        init=False, repr=False, default_factory=dict
    )
    _timers: dict[threading.Timer, tuple[Callable[[], object], Hashable | None]] = field(
        init=False, repr=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        self.installs = TeamClients(self.settings, self.db, self.clock)
        self._db_pool = ThreadPoolExecutor(DB_WORKERS, thread_name_prefix="pyramid-db")
        self._after_pool = ThreadPoolExecutor(AFTER_WORKERS, thread_name_prefix="pyramid-after")
        self._profile_pool = ThreadPoolExecutor(PROFILE_WORKERS, thread_name_prefix="pyramid-profile")

    # ------------------------------------------------------------------ transactions
    def transaction(self, work: Callable[[Session], T]) -> T:
        """Runs `work` in one transaction, with no deadline (jobs, after-work, the CLI). A uniqueness
        clash (two deliveries of one request racing, two people creating one account) is retried once:
        the second run then sees the first's row."""
        try:
            with self.db.transaction() as session:
                return work(session)
        except IntegrityError:
            log.info("uniqueness clash; retrying the unit of work once")
            with self.db.transaction() as session:
                return work(session)

    def store(self, work: Callable[[Session], T], *, deadline: float | None = None) -> T:
        """A user action's transaction, committed before this returns; `NotStored` or `OutcomeUnknown`
        in time for an answer when the database cannot take it (by default within what the request's
        profile read left of their shared budget)."""
        attempt = _Attempt()
        if deadline is None:
            deadline = getattr(self._request, "store_deadline", STORE_DEADLINE)
            self._request.store_deadline = STORE_DEADLINE  # the budget is spent by one store
        return self._race(lambda: self._store_once(work, attempt), attempt, deadline)

    def query(self, work: Callable[[Session], T], *, deadline: float = READ_DEADLINE) -> T:
        """A read a reply needs, under a deadline (`NotStored` when the database does not answer)."""
        attempt = _Attempt()

        def read() -> T:
            if not attempt.start():
                raise _Abandoned
            with self.db.read(deadline_ms=int(deadline * 1000)) as session:
                return work(session)

        return self._race(read, attempt, deadline)

    def _race(self, run: Callable[[], T], attempt: _Attempt, deadline: float) -> T:
        """`_race_once`, counted for /metrics when the user is told nothing (or maybe nothing) was stored."""
        try:
            return self._race_once(run, attempt, deadline)
        except NotStored as error:
            self._count_not_stored(str(error) or "database")
            raise
        except OutcomeUnknown:
            self._count_not_stored("outcome_unknown")
            raise

    def _count_not_stored(self, reason: str) -> None:
        if self.metrics is not None:
            self.metrics.not_stored.labels(reason=reason).inc()

    def _race_once(self, run: Callable[[], T], attempt: _Attempt, deadline: float) -> T:
        if self.inline:
            return self._translate(run)
        future = self._db_pool.submit(self._translate, run)
        try:
            return future.result(timeout=deadline)
        except FutureTimeout:
            if attempt.abandon():
                log.warning("the database did not answer within %.1f s; nothing was stored", deadline)
                raise NotStored("deadline") from None
        try:
            return future.result(timeout=COMMIT_GRACE)
        except FutureTimeout:
            log.error("the database did not confirm a commit in time; its outcome is unknown")
            raise OutcomeUnknown("commit") from None

    def count_deliveries(self, *results: Delivered) -> None:
        """What the delivery ledger did with each message (sent, retry, failed, …), for /metrics."""
        if self.metrics is not None:
            for result in results:
                self.metrics.delivered(result.kind, result.outcome.value, result.error)

    def after_work_in_flight(self) -> int:
        """After-work waiting on a delay, queued or running (what /metrics shows)."""
        with self._lock:
            return len(self._running) + len(self._timers)

    def _store_once(self, work: Callable[[Session], T], attempt: _Attempt) -> T:
        if not attempt.start():
            raise _Abandoned
        deadline_ms = int(STORE_DEADLINE * 1000)
        for last_try in (False, True):
            try:
                with self.db.transaction(deadline_ms=deadline_ms) as session:
                    result = work(session)
                    session.flush()
                    if not attempt.commit():
                        raise _Abandoned  # rolls back: the user was already told nothing was stored
                attempt.done()
                return result
            except IntegrityError:
                if last_try:
                    raise
                log.info("uniqueness clash; retrying the unit of work once")
        raise AssertionError("unreachable")

    @staticmethod
    def _translate(run: Callable[[], T]) -> T:
        try:
            return run()
        except _Abandoned:
            raise NotStored("abandoned") from None
        except IntegrityError:
            raise
        except (DBAPIError, PoolTimeout) as error:
            # Stopped, unreachable, locked past the busy timeout, statement timeout: nothing committed.
            cause = error.orig if isinstance(error, DBAPIError) else error
            log.warning("database unavailable: %s", type(cause).__name__)
            raise NotStored(type(error).__name__) from error

    # ------------------------------------------------------------------ after the ack
    def after(self, task: Callable[[], object], *, key: Hashable | None = None, delay: float = 0.0) -> None:
        """Runs `task` after the current request's answer, on the after-work pool. With a `key`, a task
        already waiting under the same key (not started yet) stands for this one; with a `delay` it
        waits that long first, so that a burst of actions by one rep rebuilds their App Home once."""
        if self.inline:
            self._run_after(task, key)
            return
        with self._lock:
            if key is not None:
                if key in self._queued_keys:
                    return
                self._queued_keys.add(key)
            if delay <= 0:
                self._submit(task, key)
                return
            timer = threading.Timer(delay, self._submit_delayed, args=(task, key))
            timer.daemon = True
            self._timers[timer] = (task, key)
        # Started outside the lock (a thread's start waits for it to run). A drain() in between cancels
        # it before it starts, which a Timer honours: its task is then submitted by drain() alone.
        timer.start()

    def _submit(self, task: Callable[[], object], key: Hashable | None) -> None:
        """Under `_lock`."""
        future = self._after_pool.submit(self._run_after, task, key)
        self._running.add(future)
        future.add_done_callback(self._forget)

    def _submit_delayed(self, task: Callable[[], object], key: Hashable | None) -> None:
        with self._lock:
            if self._timers.pop(threading.current_thread(), None) is None:  # type: ignore[call-overload]
                return  # already submitted by drain()
            self._submit(task, key)

    def _run_after(self, task: Callable[[], object], key: Hashable | None) -> None:
        if key is not None:
            with self._lock:
                self._queued_keys.discard(key)
        try:
            task()
        except Exception:
            # Nothing here may be lost: deliveries stay queued in the ledger and the scheduler retries.
            log.exception("after-work failed (queued deliveries are retried by the scheduler)")

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._running.discard(future)

    def drain(self, timeout: float = 10.0) -> bool:
        """Runs what is waiting on a delay now, then waits (bounded) for all after-work queued;
        True when all of it finished."""
        with self._lock:
            for timer, (task, key) in list(self._timers.items()):
                timer.cancel()
                del self._timers[timer]
                self._submit(task, key)
            running = set(self._running)
        done, not_done = wait_futures(running, timeout=timeout)
        if not_done:
            log.warning("%d after-work tasks still running at shutdown", len(not_done))
        return not not_done

    def close(self, timeout: float = 10.0) -> bool:
        finished = self.drain(timeout)
        self._after_pool.shutdown(wait=False, cancel_futures=True)
        self._db_pool.shutdown(wait=False, cancel_futures=True)
        self._profile_pool.shutdown(wait=False, cancel_futures=True)
        return finished

    # ------------------------------------------------------------------ the team's settings
    def team_config(self, team_id: str) -> TeamConfig:
        """The team's settings (its stored row over the environment's defaults), remembered for
        `TEAM_CONFIG_MEMORY`. A miss reads one row on its own read session, never through the request
        pool, so it is safe inside a transaction too; `NotStored` when the database does not answer."""
        now = self.clock.now()
        # Read without the lock, as below for profiles: a dict's get is atomic in CPython, and every
        # request and job reads this. Under load the lock convoyed (a holder losing the GIL made every
        # reader wait: 5 % of the listener and database threads' samples in bench/load.py's profile).
        cached = self._team_configs.get(team_id)
        if cached is not None and now - cached[0] < TEAM_CONFIG_MEMORY:
            return cached[1]

        def read() -> TeamConfig:
            with self.db.read(deadline_ms=int(READ_DEADLINE * 1000)) as session:
                return team_settings.load(session, self.settings, team_id)

        found = self._translate(read)
        with self._lock:
            self._team_configs[team_id] = (now, found)
        return found

    def team_config_or_defaults(self, team_id: str) -> TeamConfig:
        """`team_config`, or the environment's defaults when the database does not answer (an apology,
        a profile's fallback: what must go out even then)."""
        try:
            return self.team_config(team_id)
        except NotStored:
            return team_settings.defaults(self.settings, team_id)

    def forget_team_config(self, team_id: str) -> None:
        """After the team's settings were saved: this process reads them afresh at once."""
        with self._lock:
            self._team_configs.pop(team_id, None)
            for key in [key for key in self._profiles if key[0] == team_id]:
                del self._profiles[key]  # a profile's fallback language and zone are the team's

    # ------------------------------------------------------------------ which token
    def client_for(
        self, team_id: str, enterprise_id: str | None = None, *, like: WebClient | None = None
    ) -> WebClient | None:
        """The client that posts for `team_id` outside a request: the single token's, or the team's
        installation's (None: the team has no installation, so nothing is posted for it). `like` lends
        its URL, timeout and retries; in single-token mode it is itself the answer."""
        return self.installs.client_for(team_id, enterprise_id, like=like)

    def served_teams(self, session: Session) -> list[str]:
        """The teams the jobs run for: every team with data in single-token mode; with OAuth, those of
        them with an installation (an uninstalled team's data stays until `pyramid-bot team delete`)."""
        return self.installs.installed(team_ids(session))

    # ------------------------------------------------------------------ who is asking
    def auto_followups(self, team_id: str) -> AutoFollowups:
        return AutoFollowups(
            after_sale=self.settings.pyramid_followup_after_sale,
            revisit=self.settings.pyramid_followup_revisit,
            recovery=self.settings.pyramid_followup_after_trouble,
            calendar=self.calendar(team_id),
        )

    def calendar(self, team_id: str) -> WorkCalendar:
        """The team's working days and holidays. The holiday calendar is loaded here, at the first call
        (a start needs no holidays): use cases call this before their transaction, so that the load is
        never paid while rows are locked or inside the database deadline."""
        config = self.team_config(team_id)
        calendar = work_calendar(config.working_days, config.holiday_country)
        calendar.is_working_day(self.clock.today(config.zone))
        return calendar

    def profile(
        self, client: WebClient, team_id: str, user_id: str, *, deadline: float = PROFILE_DEADLINE
    ) -> Profile:
        """The user's language and zone. Never fails: when the database or Slack cannot tell within
        `deadline`, the team's defaults are used for this one answer (`known` is then False). Within a
        request (the default deadline) a day-old profile is refreshed after the answer, not before, and
        the time spent here is taken from the store's deadline (`PROFILE_AND_STORE_BUDGET`)."""
        started = time.monotonic()
        try:
            return self._read_profile(client, team_id, user_id, deadline, started)
        finally:
            if deadline <= PROFILE_DEADLINE:
                left = PROFILE_AND_STORE_BUDGET - (time.monotonic() - started)
                self._request.store_deadline = min(STORE_DEADLINE, max(MIN_STORE_DEADLINE, left))

    def _read_profile(
        self, client: WebClient, team_id: str, user_id: str, deadline: float, started: float
    ) -> Profile:
        """`profile`, whose `deadline` runs from `started` (time.monotonic())."""

        def fetch(uid: str) -> dict[str, Any] | None:
            try:
                response = client.users_info(user=uid, include_locale=True)
            except SlackApiError as error:
                log.warning("users.info failed for %s: %s", uid, error.response.get("error"))
                return None
            user = response.get("user")
            return user if isinstance(user, dict) else None

        now = self.clock.now()
        cached = self._profiles.get((team_id, user_id))  # without the lock: see `team_config`
        if cached is not None and now - cached[0] < PROFILE_MEMORY:
            return cached[1]
        team = self.team_config_or_defaults(team_id)
        default = fallback_profile(user_id, team.locale, team.zone)
        answered: Future[Profile] = Future()

        def answer(profile: Profile) -> None:
            with suppress(InvalidStateError):  # only the first answer counts
                answered.set_result(profile)

        row_written = threading.Event()

        def run() -> None:
            try:
                look_up(
                    self.db,
                    team_id,
                    user_id,
                    now=now,
                    fetch=fetch,
                    default_locale=team.locale,
                    default_zone=team.zone,
                    answer=answer,
                    stale_is_enough=deadline <= PROFILE_DEADLINE,
                    cached=row_written.set,
                    refresh_later=lambda task: self.after(task, key=("profile", team_id, user_id)),
                )
            except Exception as error:  # the database or Slack failing: the team's defaults, this once
                log.warning("a profile could not be read: %s", type(error).__name__)
                answer(default)

        if self.inline:
            run()
        else:
            self._profile_pool.submit(run)
        try:
            found = answered.result(timeout=max(0.0, deadline - (time.monotonic() - started)))
        except FutureTimeout:
            log.warning("a profile was not read within %.1f s: the team's language and zone answer", deadline)
            return default
        # What this request checks next (is the user a manager?) reads the cached row: it is waited for
        # within what is left of the deadline, and not beyond (then the answer stands without it).
        row_written.wait(max(0.0, deadline - (time.monotonic() - started)))
        if not found.known:
            return found  # the database or Slack failed: asked again at the next request
        with self._lock:
            if len(self._profiles) >= PROFILE_MEMORY_SIZE:
                self._profiles.clear()
            self._profiles[(team_id, user_id)] = (now, found)
        return found
