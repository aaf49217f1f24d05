"""APScheduler set-up. One tick every few minutes does every due job; the jobs decide what is due
from the Clock and the delivery ledger, so a restart, a missed tick or a second scheduler process
never posts anything twice (see outbox.py). A sweep every `SWEEP_SECONDS` posts every delivery that
is due (enqueued by a handler, or waiting for a retry), at most `SWEEP_LIMIT` at a time."""

from __future__ import annotations

import logging
from collections.abc import Callable

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
        return deliver_pending(
            runtime.db,
            client,
            now=runtime.clock.now(),
            limit=SWEEP_LIMIT,
            client_for=lambda team_id: runtime.client_for(team_id, like=client),
        )
    except Exception:
        log.exception("the delivery sweep failed")
        return []


def tick(runtime: Runtime, client: WebClient) -> None:
    now = runtime.clock.now()
    jobs: list[Callable[[], object]] = [
        lambda: take_snapshots(runtime, now),
        lambda: send_due_digests(runtime, client, now),
        lambda: send_due_evening_prompts(runtime, client, now),
        lambda: flag_overdue_recoveries(runtime, client, now),
        lambda: send_due_summaries(runtime, client, now),
        lambda: announce_last_hour(runtime, client, now),
        lambda: sweep(runtime, client),
    ]
    for job in jobs:
        try:
            job()
        except Exception:
            # One failing job must not stop the others; the next tick tries again.
            log.exception("a scheduled job failed")


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
        sweep,
        IntervalTrigger(seconds=SWEEP_SECONDS),
        args=(runtime, client),
        id="pyramid-deliveries",
        max_instances=1,
        coalesce=True,
    )
    return scheduler
