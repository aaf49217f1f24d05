"""Logging from any surface (command, modal, "did you mean" answer): stored in one transaction before
the ack, together with the deliveries it owes (bot/notify.py); the rest runs after the ack."""

from __future__ import annotations

from datetime import date

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.handlers.home import refresh_home_soon
from bot.notify import Queued, queue_after_log, send_now
from bot.runtime import Runtime
from bot.services.activities import Logged, LogRequest
from bot.services.pending import Asked, log_or_ask
from bot.views import replies
from bot.views.blocks import Message

Outcome = Logged | Asked


def store_log(runtime: Runtime, request: LogRequest, *, today: date) -> tuple[Outcome, tuple[Queued, ...]]:
    """Committed when this returns (or raises UserFacingError / NotStored / OutcomeUnknown)."""

    def work(session: Session) -> tuple[Outcome, tuple[Queued, ...]]:
        now = runtime.clock.now()
        outcome = log_or_ask(
            session,
            request,
            now=now,
            today=today,
            repeater_threshold=runtime.settings.pyramid_repeater_threshold,
            auto=runtime.auto_followups(),
        )
        if isinstance(outcome, Asked):
            return outcome, ()
        return outcome, queue_after_log(session, runtime.settings, outcome, now=now)

    return runtime.store(work)


def log_reply(outcome: Outcome, locale: str) -> Message:
    if isinstance(outcome, Asked):
        return replies.did_you_mean(outcome.name, outcome.candidates, outcome.pending_id, locale)
    return replies.logged(outcome, locale)


def after_logged(
    runtime: Runtime, client: WebClient, team_id: str, outcome: Outcome, queued: tuple[Queued, ...]
) -> None:
    """After the ack: post what the log queued, and refresh the rep's App Home."""
    if not isinstance(outcome, Logged) or outcome.duplicate:
        return
    if queued:
        runtime.after(lambda: send_now(runtime.db, client, queued, now=runtime.clock.now()))
    refresh_home_soon(runtime, client, team_id, outcome.activity.user_id)
