"""What follows a stored log, after the user has their reply: the team hears of stage changes, and a
win after a failure asks the owner for the verdict. Both go through the delivery ledger (once each)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.domain.activities import ActivityKind
from bot.handlers.home import refresh_home
from bot.handlers.recoveries import ask_verdicts
from bot.i18n import t
from bot.jobs.outbox import deliver_once
from bot.runtime import Runtime
from bot.services.activities import Logged
from bot.views.blocks import escape, mention, message, section, stage_name


def after_logged(runtime: Runtime, client: WebClient, team_id: str, logged: Logged) -> None:
    if logged.duplicate:
        return
    refresh_home(runtime, client, team_id, logged.activity.user_id)
    if logged.verdicts_asked:
        ask_verdicts(runtime, client, team_id, logged.verdicts_asked)
    channel = runtime.settings.pyramid_team_channel
    # With hourly batching the scheduler gathers them (jobs/announcements.py).
    if channel and logged.climb.stage_changed and not runtime.settings.pyramid_announce_hourly:
        deliver_once(
            runtime.db,
            client,
            team_id=team_id,
            kind="stage_change",
            ref=str(logged.activity.id),
            channel=channel,
            build=lambda: stage_announcement(logged, runtime.settings.pyramid_locale),
            now=runtime.clock.now(),
        )


def stage_announcement(logged: Logged, locale: str) -> dict[str, object]:
    kind = ActivityKind(logged.activity.kind)
    text = t(
        locale,
        "stage_announcement",
        icon="🎉" if kind is ActivityKind.WON else "📈",
        user=mention(logged.activity.user_id),
        account=escape(logged.account.name),
        from_stage=stage_name(logged.climb.before.stage, locale),
        to_stage=stage_name(logged.climb.after.stage, locale),
        kind=t(locale, f"kind_{kind.value}"),
    )
    return message(text, [section(text)])
