"""Logging from any surface (command, modal, "did you mean" answer): store it in one transaction, give
the user their reply, then what follows: the team hears of stage changes, a win after a failure asks
the owner for the verdict (both through the delivery ledger, once each), the rep's home is refreshed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from slack_sdk import WebClient

from bot.domain.activities import ActivityKind
from bot.handlers.home import refresh_home
from bot.handlers.recoveries import ask_verdicts
from bot.jobs.outbox import deliver_once
from bot.runtime import Runtime
from bot.services.activities import Logged, LogRequest
from bot.services.errors import UserFacingError
from bot.services.pending import Asked, log_or_ask
from bot.views import replies
from bot.views.announcements import single, stage_line
from bot.views.blocks import Message


def log_and_reply(
    runtime: Runtime,
    client: WebClient,
    request: LogRequest,
    *,
    today: date,
    locale: str,
    send: Callable[[Message], object],
) -> None:
    try:
        outcome = runtime.transaction(
            lambda session: log_or_ask(
                session,
                request,
                now=runtime.clock.now(),
                today=today,
                repeater_threshold=runtime.settings.pyramid_repeater_threshold,
                auto=runtime.auto_followups(),
            )
        )
    except UserFacingError as error:
        send(replies.error(error.code, dict(error.params), locale, None))
        return
    if isinstance(outcome, Asked):
        send(replies.did_you_mean(outcome.name, outcome.candidates, outcome.pending_id, locale))
        return
    send(replies.logged(outcome, locale))
    after_logged(runtime, client, request.team_id, outcome)


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


def stage_announcement(logged: Logged, locale: str) -> Message:
    line = stage_line(
        logged.activity.user_id,
        logged.account.name,
        logged.climb.before.stage,
        logged.climb.after.stage,
        ActivityKind(logged.activity.kind),
        locale,
    )
    return single(line)
