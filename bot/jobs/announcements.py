"""Stage announcements gathered into one message per team and hour (PYRAMID_ANNOUNCE_HOURLY=true),
for teams that log a lot. Without the setting each stage change is announced at once (after_log.py)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial

from slack_sdk import WebClient

from bot.domain.stages import Stage
from bot.i18n import t
from bot.jobs.outbox import Delivered, deliver_once
from bot.models import StepChange
from bot.runtime import Runtime
from bot.services import digests, summaries
from bot.views.blocks import Message, escape, mention, message, section, stage_name


def announce_last_hour(runtime: Runtime, client: WebClient, now: datetime) -> list[Delivered]:
    channel = runtime.settings.pyramid_team_channel
    if not runtime.settings.pyramid_announce_hourly or not channel:
        return []
    end = now.replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=1)
    with runtime.db.transaction() as session:
        teams = digests.teams(session)
    return [
        deliver_once(
            runtime.db,
            client,
            team_id=team_id,
            kind="stage_hour",
            ref=start.isoformat(),
            channel=channel,
            build=partial(_hour_message, runtime, team_id, start, end),
            now=now,
        )
        for team_id in teams
    ]


def _hour_message(runtime: Runtime, team_id: str, start: datetime, end: datetime) -> Message | None:
    locale = runtime.settings.pyramid_locale
    with runtime.db.transaction() as session:
        moves = summaries.advancements(
            session, team_id, StepChange.changed_at >= start, StepChange.changed_at < end
        )
    lines = [
        ("🎉 " if move.after is Stage.CUSTOMER and move.before.value < Stage.CUSTOMER.value else "📈 ")
        + t(
            locale,
            "summary_advancement",
            user=mention(move.user_id),
            account=escape(move.account),
            from_stage=stage_name(move.before, locale),
            to_stage=stage_name(move.after, locale),
        )
        for move in moves
    ]
    if not lines:
        return None
    text = t(locale, "announcements_hour") + "\n" + "\n".join(lines[:40])
    return message(t(locale, "announcements_hour"), [section(text)])
