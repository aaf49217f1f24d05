"""APScheduler set-up. One tick every few minutes does every due job; the jobs decide what is due
from the Clock and the delivery ledger, so a restart, a missed tick or a second scheduler process
never posts anything twice (see outbox.py). A sweep every `SWEEP_SECONDS` posts every delivery that
is due (enqueued by a handler, or waiting for a retry), at most `SWEEP_LIMIT` at a time."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sized
from functools import partial

from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from bot.jobs.announcements import announce_last_hour
from bot.jobs.digest import send_due_digests
from bot.jobs.evening import send_due_evening_prompts
from bot.jobs.outbox import SWEEP_LIMIT, Delivered, deliver_pending
from bot.jobs.recovery_flags import flag_overdue_recoveries
from bot.jobs.snapshots import take_snapshots
from bot.jobs.summary import send_due_summaries
from bot.jobs.team_channel import join_team_channel
from bot.runtime import Runtime

log = logging.getLogger(__name__)
TICK_MINUTES = 5
SWEEP_SECONDS = 30


def job_client(runtime: Runtime) -> WebClient:
    """A Web API client of the jobs' own: it waits out 429s (Retry-After) and retries 5xx in the
    scheduler's thread, so incoming commands, on Bolt's client, are never held up by it. With OAuth
    (no SLACK_BOT_TOKEN) it has no token: each job takes its team's from `runtime.client_for`."""
    settings = runtime.settings
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    client = WebClient(token=token, base_url=settings.slack_api_url)
    add_retries(client)
    return client


def add_retries(client: WebClient) -> WebClient:
    # Reads and opens are safe to repeat; posts go through outbox.py, which never retries them blindly.
    client.retry_handlers = [
        ConnectionErrorRetryHandler(max_retry_count=2),
        RateLimitErrorRetryHandler(max_retry_count=5),
        ServerErrorRetryHandler(max_retry_count=2),
    ]
    return client


def sweep(runtime: Runtime, client: WebClient) -> list[Delivered]:
    """Post what is due in the delivery ledger. Never raises: a failure is retried by a later sweep."""
    try:
        results = deliver_pending(
            runtime.db,
            client,
            now=runtime.clock.now(),
            limit=SWEEP_LIMIT,
            client_for=lambda team_id: runtime.client_for(team_id, like=client),
        )
        runtime.count_deliveries(*results)
        return results
    except Exception:
        log.exception("the delivery sweep failed")
        return []


def tick(runtime: Runtime, client: WebClient) -> None:
    now = runtime.clock.now()
    jobs: list[tuple[str, Callable[[], object]]] = [
        ("snapshots", lambda: take_snapshots(runtime, now)),
        ("digests", lambda: send_due_digests(runtime, client, now)),
        ("evening_prompts", lambda: send_due_evening_prompts(runtime, client, now)),
        ("recovery_clock", lambda: flag_overdue_recoveries(runtime, client, now)),
        ("summaries", lambda: send_due_summaries(runtime, client, now)),
        ("announcements", lambda: announce_last_hour(runtime, client, now)),
        ("sweep", lambda: sweep(runtime, client)),
    ]
    for name, job in jobs:
        run_job(runtime, name, job)


def run_job(runtime: Runtime, name: str, job: Callable[[], object]) -> None:
    """One job of a tick, timed for /metrics and told in one log line (its name, outcome, seconds and
    how many items it handled: never a token or a message's text). A failure never stops the others."""
    started = time.monotonic()
    outcome, items = "ok", 0
    try:
        done = job()
        items = len(done) if isinstance(done, Sized) else int(done) if isinstance(done, int) else 0
    except Exception:
        # One failing job must not stop the others; the next tick tries again.
        outcome = "error"
        log.exception("the scheduled job %s failed", name)
    seconds = time.monotonic() - started
    if runtime.metrics is not None:
        runtime.metrics.job_seconds.labels(job=name, outcome=outcome).observe(seconds)
    # Said at INFO when it did something (or failed): an idle sweep every 30 s would drown the log.
    log.log(
        logging.INFO if items or outcome != "ok" else logging.DEBUG,
        "job %s: %s, %d items in %.3f s",
        name,
        outcome,
        items,
        seconds,
        extra={"job": name, "outcome": outcome, "items": items, "seconds": round(seconds, 3)},
    )


def build_scheduler(runtime: Runtime, client: WebClient, *, blocking: bool) -> BaseScheduler:
    scheduler: BaseScheduler = BlockingScheduler() if blocking else BackgroundScheduler(daemon=True)
    scheduler.add_job(
        tick,
        IntervalTrigger(minutes=TICK_MINUTES),
        args=(runtime, client),
        id="pyramid-tick",
        max_instances=1,
        coalesce=True,  # after downtime, one catch-up run rather than one per missed slot
        next_run_time=runtime.clock.now(),
    )
    # Once, at start: in the team channel, or one clear line saying what to do.
    scheduler.add_job(
        join_team_channel,
        args=(runtime, client),
        id="pyramid-team-channel",
        next_run_time=runtime.clock.now(),
    )
    scheduler.add_job(
        run_job,
        IntervalTrigger(seconds=SWEEP_SECONDS),
        args=(runtime, "sweep", partial(sweep, runtime, client)),
        id="pyramid-deliveries",
        max_instances=1,
        coalesce=True,
    )
    _watch_lag(scheduler, runtime)
    return scheduler


def _watch_lag(scheduler: BaseScheduler, runtime: Runtime) -> None:
    """How late each job starts against its schedule (a busy or starved process shows here first)."""

    def submitted(event: JobSubmissionEvent) -> None:
        if runtime.metrics is None or not event.scheduled_run_times:
            return
        late = (runtime.clock.now() - max(event.scheduled_run_times)).total_seconds()
        runtime.metrics.scheduler_lag.labels(job=str(event.job_id)).observe(max(late, 0.0))

    scheduler.add_listener(submitted, EVENT_JOB_SUBMITTED)
