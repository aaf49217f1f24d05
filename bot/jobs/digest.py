"""The morning digest: one DM per rep per working day at their own 09:00, only when there is
something to act on, delivered exactly once through the ledger (outbox.py)."""

from __future__ import annotations

import logging
from datetime import date, datetime, time

from slack_sdk import WebClient

from bot.domain.team_settings import TeamConfig
from bot.jobs.daily_dm import DmRun, deliver, send_due
from bot.jobs.outbox import Delivered, Outcome, report_failure
from bot.runtime import JOB_PROFILE_DEADLINE, Runtime
from bot.services import digests
from bot.views.blocks import Message
from bot.views.digest import digest_message

log = logging.getLogger(__name__)
KIND = "digest"


# One rep's digest for one day, and what became of it.
DigestRun = DmRun


def send_due_digests(runtime: Runtime, client: WebClient, now: datetime) -> list[DigestRun]:
    """The scheduler's tick: every rep whose local digest time has passed today, on a working day."""

    def send(team_client: WebClient, team_id: str, user_id: str, day: date, locale: str) -> DigestRun:
        return _send(runtime, team_client, team_id, user_id, day, locale, now)

    recipients = _recipients(runtime, None, None)
    return send_due(
        runtime, client, now, what="digest", recipients=recipients, due_at=_digest_time, send=send
    )


def _digest_time(team: TeamConfig) -> time:
    return team.digest_time


def send_digests_for(
    runtime: Runtime,
    client: WebClient,
    *,
    day: date,
    users: list[str] | None = None,
    teams: list[str] | None = None,
) -> list[DigestRun]:
    """`pyramid-bot digest --date`: the digests as on that morning, whatever the day; still once each."""
    now = runtime.clock.now()
    runs = []
    for team_id, user_id in _recipients(runtime, users, teams):
        team_client = runtime.client_for(team_id, like=client)
        if team_client is None:
            runs.append(DigestRun(team_id, user_id, day, Delivered(Outcome.FAILED, error="not_installed")))
            continue
        try:
            profile = runtime.profile(team_client, team_id, user_id, deadline=JOB_PROFILE_DEADLINE)
            runs.append(_send(runtime, team_client, team_id, user_id, day, profile.locale, now))
        except Exception as error:
            name = report_failure(log, error, f"digest {team_id} {user_id} {day}")
            runs.append(DigestRun(team_id, user_id, day, Delivered(Outcome.RETRY, error=name)))
    return runs


def _recipients(runtime: Runtime, users: list[str] | None, teams: list[str] | None) -> list[tuple[str, str]]:
    with runtime.db.transaction() as session:
        pairs = [
            (team_id, user_id)
            for team_id in (teams or runtime.served_teams(session))
            for user_id in digests.reps(session, team_id)
            if users is None or user_id in users
        ]
    return pairs


def _send(
    runtime: Runtime, client: WebClient, team_id: str, user_id: str, day: date, locale: str, now: datetime
) -> DigestRun:
    def build() -> Message | None:
        with runtime.db.transaction() as session:
            digest = digests.digest_for(
                session, team_id, user_id, day, runtime.team_config(team_id).lapse_rules
            )
        return None if digest.is_empty else digest_message(digest, locale)

    return deliver(
        runtime,
        client,
        kind=KIND,
        what="digest",
        team_id=team_id,
        user_id=user_id,
        day=day,
        build=build,
        now=now,
    )
