"""Stage announcements gathered into one message per team and hour (PYRAMID_ANNOUNCE_HOURLY=true),
for teams that log a lot. Without the setting each stage change is announced at once (after_log.py)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import partial

from slack_sdk import WebClient
from sqlalchemy import select

from bot.jobs.outbox import Delivered, deliver_once, report_failure
from bot.models import Delivery, StepChange
from bot.runtime import Runtime
from bot.services import summaries
from bot.views.announcements import hourly, stage_line
from bot.views.blocks import Message

log = logging.getLogger(__name__)
KIND = "stage_hour"
# After downtime, hours up to a day old are still announced (late); older ones are left to the summary.
CATCH_UP_HOURS = 24


def announce_last_hour(runtime: Runtime, client: WebClient, now: datetime) -> list[Delivered]:
    if not runtime.settings.pyramid_announce_hourly:
        return []
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    hours = [this_hour - timedelta(hours=back) for back in range(CATCH_UP_HOURS, 0, -1)]
    results = []
    with runtime.db.transaction() as session:
        teams = runtime.served_teams(session)
        done = {
            (team_id, ref)
            for team_id, ref in session.execute(
                select(Delivery.team_id, Delivery.ref).where(
                    Delivery.kind == KIND, Delivery.ref.in_([hour.isoformat() for hour in hours])
                )
            ).all()
        }
    for team_id in teams:
        try:
            team = runtime.team_config(team_id)  # its own channel and language
        except Exception as error:
            report_failure(log, error, f"announcements {team_id}")
            continue
        if not team.channel:
            continue
        team_client = runtime.client_for(team_id, like=client)
        if team_client is None:
            continue  # uninstalled since the list was read
        for start in hours:
            if (team_id, start.isoformat()) in done:
                continue
            try:
                results.append(
                    deliver_once(
                        runtime.db,
                        team_client,
                        team_id=team_id,
                        kind=KIND,
                        ref=start.isoformat(),
                        channel=team.channel,
                        build=partial(
                            _hour_message, team.locale, runtime, team_id, start, start + timedelta(hours=1)
                        ),
                        now=now,
                    )
                )
            except Exception as error:
                # One hour's or one team's failure never stops the others; the next tick tries again.
                report_failure(log, error, f"announcements {team_id} {start.isoformat()}")
    runtime.count_deliveries(*results)
    return results


def _hour_message(
    locale: str, runtime: Runtime, team_id: str, start: datetime, end: datetime
) -> Message | None:
    with runtime.db.transaction() as session:
        moves = summaries.advancements(
            session, team_id, StepChange.changed_at >= start, StepChange.changed_at < end
        )
    lines = [
        stage_line(move.user_id, move.account, move.before, move.after, move.kind, locale) for move in moves
    ]
    return hourly(lines, locale) if lines else None
