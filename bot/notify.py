"""What follows a committed action: announcements, the recovery DM and channel post, verdict questions.

Each one is queued in the delivery ledger **inside the action's own transaction** (a transactional
outbox): if the action is stored, so is the promise to tell the team, and a crash right after the ack
only makes the message late. `send_now` posts what a request queued, after its ack; the scheduler's
sweep posts whatever is still due (bot/jobs/outbox.py), each exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.db import Database
from bot.domain.activities import ActivityKind
from bot.jobs.outbox import deliver_pending, enqueue
from bot.services import recoveries
from bot.services.activities import Logged
from bot.services.profiles import locale_in
from bot.services.recoveries import Opened
from bot.views import recovery as recovery_view
from bot.views.announcements import single, stage_line
from bot.views.blocks import Message


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
    message = recovery_view.verdict_question(recovery, account, locale)
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
    dm = recovery_view.owner_checklist(recovery, account, owner_locale)
    enqueue(
        session, team_id=team_id, kind="trouble_dm", ref=ref, channel=recovery.owner_id, message=dm, now=now
    )
    queued = [Queued(team_id, "trouble_dm", ref)]
    channel = settings.pyramid_team_channel
    if channel:
        post = recovery_view.channel_post(recovery, account, settings.pyramid_locale)
        enqueue(
            session, team_id=team_id, kind="trouble_post", ref=ref, channel=channel, message=post, now=now
        )
        queued.append(Queued(team_id, "trouble_post", ref))
    return tuple(queued)


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
