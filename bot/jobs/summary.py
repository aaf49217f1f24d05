"""The weekly team summary, Monday 09:00 team time by default, posted once per team and week, with the
pyramid chart in its thread. Each team's day, time, zone, channel and language are its own settings."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk import WebClient

from bot.domain.stages import Stage
from bot.domain.team_settings import TeamConfig
from bot.i18n import t
from bot.jobs.outbox import Delivered, Outcome, deliver_once, report_failure, upload_once
from bot.runtime import Runtime
from bot.services import summaries
from bot.views.blocks import Message, fmt_date, stage_name
from bot.views.health import chart_amounts
from bot.views.summary import summary_message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SummaryRun:
    team_id: str
    day: date
    message: Delivered
    chart: Delivered | None


def send_due_summaries(runtime: Runtime, client: WebClient, now: datetime) -> list[SummaryRun]:
    """The scheduler's tick: each team whose summary day and time have come, in its own zone."""
    return _send_each(runtime, client, None, lambda team: _due_day(team, now))


def _due_day(team: TeamConfig, now: datetime) -> date | None:
    local = now.astimezone(team.zone)
    if local.weekday() != team.summary_weekday or local.time().replace(tzinfo=None) < team.summary_time:
        return None
    return local.date()


def send_summaries_for(
    runtime: Runtime, client: WebClient, *, day: date, teams: list[str] | None = None
) -> list[SummaryRun]:
    """`pyramid-bot summary --date`: the summaries as on that day, whatever the day; still once each."""
    return _send_each(runtime, client, teams, lambda team: day)


def _send_each(
    runtime: Runtime, client: WebClient, teams: list[str] | None, due: Callable[[TeamConfig], date | None]
) -> list[SummaryRun]:
    with runtime.db.transaction() as session:
        team_ids = teams or runtime.served_teams(session)
    runs = []
    for team_id in team_ids:
        day: date | None = None
        try:
            team = runtime.team_config(team_id)
            if (day := due(team)) is None:
                continue
            if not team.channel:
                log.warning(
                    "team %s has no team channel (settings or PYRAMID_TEAM_CHANNEL): no summary", team_id
                )
                continue
            team_client = runtime.client_for(team_id, like=client)
            if team_client is None:
                runs.append(SummaryRun(team_id, day, Delivered(Outcome.FAILED, error="not_installed"), None))
                continue
            runs.append(_send(runtime, team_client, team, day))
        except Exception as error:
            # One team's failure never stops another's summary; the next tick tries this one again.
            name = report_failure(log, error, f"summary {team_id} {day}")
            if day is not None:
                runs.append(SummaryRun(team_id, day, Delivered(Outcome.RETRY, error=name), None))
    return runs


def _send(runtime: Runtime, client: WebClient, team: TeamConfig, day: date) -> SummaryRun:
    team_id, channel, locale = team.team_id, team.channel or "", team.locale
    now = runtime.clock.now()
    with runtime.db.transaction() as session:
        summary = summaries.summary_for(
            session,
            team_id,
            day,
            team.lapse_rules,
            dormant_rules=team.dormant_rules,
        )

    def build() -> Message:
        return summary_message(summary, locale)

    posted = deliver_once(
        runtime.db,
        client,
        team_id=team_id,
        kind="summary",
        ref=day.isoformat(),
        channel=channel,
        build=build,
        now=now,
    )
    runtime.count_deliveries(posted)
    chart = None
    if posted.outcome in (Outcome.SENT, Outcome.ALREADY) and posted.ts:

        def render() -> bytes:
            from bot.views.chart import pyramid_png  # matplotlib: loaded by the first summary only

            return pyramid_png(
                {stage.value: count for stage, count in summary.distribution.by_stage.items()},
                {stage.value: count for stage, count in summary.last_week.items()}
                if summary.last_week
                else None,
                locale="ja" if locale == "ja" else "en",
                title=t(locale, "chart_title", date=fmt_date(summary.week_start, locale, summary.day)),
                stage_labels={stage.value: stage_name(stage, locale) for stage in Stage},
                previous_label=t(locale, "chart_last_week"),
                amounts=chart_amounts(summary.revenue, locale) if summary.revenue else None,
            )

        chart = upload_once(
            runtime.db,
            client,
            team_id=team_id,
            kind="summary_chart",
            ref=day.isoformat(),
            channel=posted.channel or channel,
            thread_ts=posted.ts,
            filename=f"pyramid-{team_id}-{day.isoformat()}.png",
            title=t(locale, "chart_title", date=fmt_date(summary.week_start, locale, summary.day)),
            render=render,
            now=now,
        )
    log.info("summary %s %s: %s", team_id, day, posted.outcome.value)
    return SummaryRun(team_id, day, posted, chart)
