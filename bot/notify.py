"""What follows a committed action, in one place: announcements, the recovery DM and channel post,
verdict questions, and the rep's App Home.

Each message is queued in the delivery ledger **inside the action's own transaction** (a transactional
outbox): if the action is stored, so is the promise to tell the team, and a crash right after the ack
only makes the message late. `send_now` posts what a request queued, after its ack; the scheduler's
sweep posts whatever is still due (bot/jobs/outbox.py), each exactly once. `after_action` is what a
listener calls once its action is stored and acked: post what it queued, then refresh the App Home.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.db import Database
from bot.domain.activities import ActivityKind
from bot.domain.stages import Step
from bot.jobs.outbox import deliver_pending, enqueue
from bot.models import Account, StepChange
from bot.services import recoveries
from bot.services.activities import Logged
from bot.services.profiles import locale_in
from bot.services.recoveries import Opened
from bot.usecases.facts import RecoveryFacts
from bot.usecases.pyramids import home_facts, home_flow
from bot.views import managing as managing_view
from bot.views import recovery as recovery_view
from bot.views.announcements import single, stage_line
from bot.views.blocks import Message
from bot.views.home import home_view

if TYPE_CHECKING:
    from bot.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Queued:
    """One delivery queued by an action, to be posted right after its ack."""

    team_id: str
    kind: str
    ref: str


def queue_after_log(
    session: Session, settings: Settings, logged: Logged, *, now: datetime
) -> tuple[Queued, ...]:
    """The team hears of a stage change (unless it is batched hourly: jobs/announcements.py), and a win
    after a failure asks each recovery's owner for the verdict."""
    if logged.duplicate:
        return ()
    queued: list[Queued] = []
    channel = settings.pyramid_team_channel
    if channel and logged.climb.stage_changed and not settings.pyramid_announce_hourly:
        ref = str(logged.activity.id)
        message = stage_announcement(logged, settings.pyramid_locale)
        enqueue(
            session,
            team_id=logged.account.team_id,
            kind="stage_change",
            ref=ref,
            channel=channel,
            message=message,
            now=now,
        )
        queued.append(Queued(logged.account.team_id, "stage_change", ref))
    for recovery_id in logged.verdicts_asked:
        queued.append(_queue_verdict(session, settings, logged.account.team_id, recovery_id, now))
    return tuple(queued)


def _queue_verdict(
    session: Session, settings: Settings, team_id: str, recovery_id: int, now: datetime
) -> Queued:
    recovery, account = recoveries.get(session, team_id, recovery_id)
    locale = locale_in(session, team_id, recovery.owner_id, settings.pyramid_locale)
    asked_at = recovery.verdict_asked_at.isoformat() if recovery.verdict_asked_at else ""
    ref = f"{recovery.id}:{asked_at}"
    message = recovery_view.verdict_question(RecoveryFacts.of(recovery, account), locale)
    enqueue(
        session, team_id=team_id, kind="verdict", ref=ref, channel=recovery.owner_id, message=message, now=now
    )
    return Queued(team_id, "verdict", ref)


def queue_trouble(
    session: Session, settings: Settings, opened: Opened, *, now: datetime
) -> tuple[Queued, ...]:
    """The owner gets the five steps; the team channel is told (complaints belong to the organisation)."""
    if opened.duplicate:
        return ()
    recovery, account = opened.recovery, opened.account
    team_id, ref = recovery.team_id, str(recovery.id)
    owner_locale = locale_in(session, team_id, recovery.owner_id, settings.pyramid_locale)
    facts = RecoveryFacts.of(recovery, account)
    dm = recovery_view.owner_checklist(facts, owner_locale)
    enqueue(
        session, team_id=team_id, kind="trouble_dm", ref=ref, channel=recovery.owner_id, message=dm, now=now
    )
    queued = [Queued(team_id, "trouble_dm", ref)]
    channel = settings.pyramid_team_channel
    if channel:
        post = recovery_view.channel_post(facts, settings.pyramid_locale)
        enqueue(
            session, team_id=team_id, kind="trouble_post", ref=ref, channel=channel, message=post, now=now
        )
        queued.append(Queued(team_id, "trouble_post", ref))
    return tuple(queued)


def queue_manual_stage(
    session: Session, settings: Settings, account: Account, change: StepChange, *, now: datetime
) -> tuple[Queued, ...]:
    """A manager's hand moved the account to another stage: the team hears of it like of any stage change
    (hourly teams get it in the hour's message, which reads the step changes)."""
    channel = settings.pyramid_team_channel
    if not channel or settings.pyramid_announce_hourly:
        return ()
    ref = f"manual:{change.id}"
    before = Step(change.from_step).stage if change.from_step else Step.NAME_ONLY.stage
    message = managing_view.manual_stage_announcement(
        change.user_id, account.name, before, Step(change.to_step).stage, change.note, settings.pyramid_locale
    )
    enqueue(
        session,
        team_id=account.team_id,
        kind="stage_change",
        ref=ref,
        channel=channel,
        message=message,
        now=now,
    )
    return (Queued(account.team_id, "stage_change", ref),)


def send_now(db: Database, client: WebClient, queued: tuple[Queued, ...], *, now: datetime) -> None:
    """Posts what one action queued. A failure leaves the row due: the scheduler's sweep retries it."""
    for item in queued:
        deliver_pending(db, client, now=now, team_id=item.team_id, kind=item.kind, ref=item.ref)


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


# ---------------------------------------------------------------------------------- after the ack


def after_action(
    runtime: Runtime,
    client: WebClient,
    team_id: str,
    user_id: str | None,
    queued: tuple[Queued, ...] = (),
) -> None:
    """Once an action is stored and acked: post what it queued, then refresh the App Home of `user_id`
    (the rep who acted, or the account's owner); None when nothing on the Home changed."""
    if queued:
        runtime.after(lambda: send_now(runtime.db, client, queued, now=runtime.clock.now()))
    if user_id:
        refresh_home_soon(runtime, client, team_id, user_id)


def refresh_home_soon(runtime: Runtime, client: WebClient, team_id: str, user_id: str) -> None:
    """After a rep's own action: once per burst of actions (PYRAMID_HOME_REFRESH_DELAY seconds)."""
    runtime.after(
        lambda: refresh_home(runtime, client, team_id, user_id),
        key=("home", team_id, user_id),
        delay=runtime.settings.pyramid_home_refresh_delay,
    )


def refresh_home_now(runtime: Runtime, client: WebClient, team_id: str, user_id: str) -> None:
    """The rep is looking at the Home now: no coalescing delay."""
    runtime.after(lambda: refresh_home(runtime, client, team_id, user_id), key=("home", team_id, user_id))


def refresh_home(runtime: Runtime, client: WebClient, team_id: str, user_id: str) -> None:
    """Best effort: the home tab is a convenience; a failure here must not spoil the action itself."""
    if not team_id or not user_id:
        return
    try:
        profile = runtime.profile(client, team_id, user_id)
        today = runtime.clock.today(profile.zone)
        dist, digest = home_facts(runtime, team_id, user_id, today)
        flow = home_flow(runtime, team_id, user_id, today)
        client.views_publish(user_id=user_id, view=home_view(dist, digest, profile.locale, flow=flow))
    except SlackApiError as error:
        log.warning("could not publish the home tab of %s: %s", user_id, error.response.get("error"))
