"""The evening prompt (issue 14; on or off per team, `PYRAMID_EVENING_PROMPT` the default: off): one
DM per rep per working day at their own `PYRAMID_EVENING_TIME`, "anything to log from today?",
delivered exactly once through the ledger (outbox.py). A reply in its thread is a message in the DM
like any other: it is previewed (bot/handlers/messages.py) and stored only on *Log all*."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk import WebClient
from sqlalchemy import select

from bot.domain.schedule import digest_day_due
from bot.i18n import t
from bot.jobs.outbox import Delivered, deliver_once, report_failure
from bot.models import Account, Activity
from bot.runtime import Runtime
from bot.services.calendars import work_calendar
from bot.services.status import live_activity
from bot.views.blocks import Message, message, section

log = logging.getLogger(__name__)
KIND = "evening"


@dataclass(frozen=True)
class EveningRun:
    team_id: str
    user_id: str
    day: date
    result: Delivered


def send_due_evening_prompts(runtime: Runtime, client: WebClient, now: datetime) -> list[EveningRun]:
    """The scheduler's tick: every rep whose local evening time has passed today, on a working day."""
    runs = []
    for team_id, user_id in _recipients(runtime):
        team_client = runtime.client_for(team_id, like=client)
        if team_client is None:
            continue  # uninstalled since the list was read
        try:
            team = runtime.team_config(team_id)  # on or off, and the calendar, per team
            if not team.evening_prompt:
                continue
            calendar = work_calendar(team.working_days, team.holiday_country)
            profile = runtime.profile(team_client, team_id, user_id)
            day = digest_day_due(now, profile.zone, team.evening_time, calendar)
            if day is not None:
                runs.append(_send(runtime, team_client, team_id, user_id, day, profile.locale, now))
        except Exception as error:
            # One rep's failure never stops another's prompt; the next tick tries this one again.
            report_failure(log, error, f"evening prompt {team_id} {user_id}")
    return runs


def _recipients(runtime: Runtime) -> list[tuple[str, str]]:
    """Each rep who has accounts or has logged something, in every team."""
    with runtime.db.transaction() as session:
        pairs: set[tuple[str, str]] = set()
        for team_id in runtime.served_teams(session):
            owners = select(Account.owner_id).where(Account.team_id == team_id)
            authors = select(Activity.user_id).where(Activity.team_id == team_id, live_activity())
            pairs.update((team_id, user_id) for user_id in session.scalars(owners.union(authors)))
    return sorted(pairs)


def evening_message(locale: str) -> Message:
    return message(t(locale, "evening_text"), [section(t(locale, "evening_prompt"))])


def _send(
    runtime: Runtime, client: WebClient, team_id: str, user_id: str, day: date, locale: str, now: datetime
) -> EveningRun:
    result = deliver_once(
        runtime.db,
        client,
        team_id=team_id,
        kind=KIND,
        ref=f"{user_id}:{day.isoformat()}",
        channel=user_id,
        build=lambda: evening_message(locale),
        now=now,
    )
    runtime.count_deliveries(result)
    log.info("evening prompt %s %s %s: %s", team_id, user_id, day, result.outcome.value)
    return EveningRun(team_id, user_id, day, result)
