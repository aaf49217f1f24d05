"""The evening prompt (issue 14; on or off per team, `PYRAMID_EVENING_PROMPT` the default: off): one
DM per rep per working day at their own `PYRAMID_EVENING_TIME`, "anything to log from today?",
delivered exactly once through the ledger (outbox.py). A reply in its thread is a message in the DM
like any other: it is previewed (bot/handlers/messages.py) and stored only on *Log all*."""

from __future__ import annotations

from datetime import date, datetime, time

from slack_sdk import WebClient
from sqlalchemy import select

from bot.domain.team_settings import TeamConfig
from bot.i18n import t
from bot.jobs.daily_dm import DmRun, deliver, send_due
from bot.models import Account, Activity
from bot.runtime import Runtime
from bot.services.status import live_activity
from bot.views.blocks import Message, message, section

KIND = "evening"


# One rep's prompt for one day, and what became of it.
EveningRun = DmRun


def send_due_evening_prompts(runtime: Runtime, client: WebClient, now: datetime) -> list[EveningRun]:
    """The scheduler's tick: every rep whose local evening time has passed today, on a working day."""

    def send(team_client: WebClient, team_id: str, user_id: str, day: date, locale: str) -> EveningRun:
        return deliver(
            runtime,
            team_client,
            kind=KIND,
            what="evening prompt",
            team_id=team_id,
            user_id=user_id,
            day=day,
            build=lambda: evening_message(locale),
            now=now,
        )

    recipients = _recipients(runtime)
    return send_due(
        runtime, client, now, what="evening prompt", recipients=recipients, due_at=_evening_time, send=send
    )


def _evening_time(team: TeamConfig) -> time | None:
    """None when the team has the prompt off."""
    return team.evening_time if team.evening_prompt else None


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
