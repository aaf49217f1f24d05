"""The weekly team summary, Monday 09:00 team time by default, posted once per team and week, with the
pyramid chart in its thread."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from slack_sdk import WebClient

from bot.domain.stages import Stage
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
    settings = runtime.settings
    local = now.astimezone(settings.zone)
    if (
        local.weekday() != settings.summary_weekday
        or local.time().replace(tzinfo=None) < settings.pyramid_summary_time
    ):
        return []
    return send_summaries_for(runtime, client, day=local.date())


def send_summaries_for(
    runtime: Runtime, client: WebClient, *, day: date, teams: list[str] | None = None
) -> list[SummaryRun]:
    channel = runtime.settings.pyramid_team_channel
    if not channel:
        log.warning("no PYRAMID_TEAM_CHANNEL: no summary posted")
        return []
    with runtime.db.transaction() as session:
        team_ids = teams or runtime.served_teams(session)
    runs = []
    for team_id in team_ids:
        team_client = runtime.client_for(team_id, like=client)
        if team_client is None:
            runs.append(SummaryRun(team_id, day, Delivered(Outcome.FAILED, error="not_installed"), None))
            continue
        try:
            runs.append(_send(runtime, team_client, team_id, day, channel))
        except Exception as error:
            # One team's failure never stops another's summary; the next tick tries this one again.
            name = report_failure(log, error, f"summary {team_id} {day}")
            runs.append(SummaryRun(team_id, day, Delivered(Outcome.RETRY, error=name), None))
    return runs


def _send(runtime: Runtime, client: WebClient, team_id: str, day: date, channel: str) -> SummaryRun:
    locale = runtime.settings.pyramid_locale
    now = runtime.clock.now()
    with runtime.db.transaction() as session:
        summary = summaries.summary_for(session, team_id, day, dormant_rules=runtime.settings.dormant_rules)

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
