"""What the morning digest and the evening prompt share: one DM per rep per working day at a local
time of the team's, delivered exactly once through the ledger (outbox.py). Each job says only whom it
writes to, at what time, and what it sends."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time

from slack_sdk import WebClient

from bot.domain.schedule import digest_day_due
from bot.domain.team_settings import TeamConfig
from bot.jobs.outbox import Delivered, deliver_once, report_failure
from bot.runtime import JOB_PROFILE_DEADLINE, Runtime
from bot.services.calendars import work_calendar
from bot.views.blocks import Message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DmRun:
    """One rep's daily DM for one local day, and what became of it."""

    team_id: str
    user_id: str
    day: date
    result: Delivered


# Sends one rep's DM: (the team's client, team, user, local day, locale) -> the run.
Send = Callable[[WebClient, str, str, date, str], DmRun]


def send_due(
    runtime: Runtime,
    client: WebClient,
    now: datetime,
    *,
    what: str,
    recipients: list[tuple[str, str]],
    due_at: Callable[[TeamConfig], time | None],
    send: Send,
) -> list[DmRun]:
    """The scheduler's tick: every rep whose team's local time (`due_at`, None when the team has it
    off) has passed today, on a working day of the team's calendar."""
    runs = []
    for team_id, user_id in recipients:
        team_client = runtime.client_for(team_id, like=client)
        if team_client is None:
            continue  # uninstalled since the list was read
        try:
            team = runtime.team_config(team_id)  # each team's own time, calendar, on or off
            at = due_at(team)
            if at is None:
                continue
            calendar = work_calendar(team.working_days, team.holiday_country)
            profile = runtime.profile(team_client, team_id, user_id, deadline=JOB_PROFILE_DEADLINE)
            day = digest_day_due(now, profile.zone, at, calendar)
            if day is not None:
                runs.append(send(team_client, team_id, user_id, day, profile.locale))
        except Exception as error:
            # One rep's failure never stops another's DM; the next tick tries this one again.
            report_failure(log, error, f"{what} {team_id} {user_id}")
    return runs


def deliver(
    runtime: Runtime,
    client: WebClient,
    *,
    kind: str,
    what: str,
    team_id: str,
    user_id: str,
    day: date,
    build: Callable[[], Message | None],
    now: datetime,
) -> DmRun:
    """The rep's DM for that day, once: the ledger's key is the rep and the day."""
    result = deliver_once(
        runtime.db,
        client,
        team_id=team_id,
        kind=kind,
        ref=f"{user_id}:{day.isoformat()}",
        channel=user_id,
        build=build,
        now=now,
    )
    runtime.count_deliveries(result)
    log.info("%s %s %s %s: %s", what, team_id, user_id, day, result.outcome.value)
    return DmRun(team_id, user_id, day, result)
