"""What follows a committed action, in one place: announcements, the recovery DM and channel post,
the at-risk alert and the managers' DMs of a recovery, and the rep's App Home.

Each message is queued in the delivery ledger **inside the action's own transaction** (a transactional
outbox): if the action is stored, so is the promise to tell the team, and a crash right after the ack
only makes the message late. `send_now` posts what a request queued, after its ack; the scheduler's
sweep posts whatever is still due (bot/jobs/outbox.py), each exactly once. `after_action` is what a
listener calls once its action is stored and acked: post what it queued, then refresh the App Home.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.orm import Session

from bot.domain.activities import ActivityKind
from bot.domain.stages import Step
from bot.domain.team_settings import TeamConfig
from bot.jobs.outbox import deliver_pending, enqueue
from bot.models import Account, StepChange
from bot.services.activities import Logged
from bot.services.managers import manager_ids
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
    session: Session, config: TeamConfig, logged: Logged, *, now: datetime
) -> tuple[Queued, ...]:
    """The team hears of a stage change (unless it is batched hourly: jobs/announcements.py). A win no
    longer asks a recovery's verdict: that comes after the next delivery's date (jobs/recovery_flags.py)."""
    if logged.duplicate:
        return ()
    queued: list[Queued] = []
    channel = config.channel
    if channel and logged.climb.stage_changed and not config.announce_hourly:
        ref = str(logged.activity.id)
        message = stage_announcement(logged, config.locale)
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
    return tuple(queued)


def queue_trouble(
    session: Session, config: TeamConfig, opened: Opened, *, now: datetime
) -> tuple[Queued, ...]:
    """The owner gets the five steps; the team channel is told (complaints belong to the organisation)."""
    if opened.duplicate:
        return ()
    recovery, account = opened.recovery, opened.account
    team_id, ref = recovery.team_id, str(recovery.id)
    owner_locale = locale_in(session, team_id, recovery.owner_id, config.locale)
    facts = RecoveryFacts.of(recovery, account)
    dm = recovery_view.owner_checklist(facts, owner_locale)
    enqueue(
        session, team_id=team_id, kind="trouble_dm", ref=ref, channel=recovery.owner_id, message=dm, now=now
    )
    queued = [Queued(team_id, "trouble_dm", ref)]
    channel = config.channel
    if channel:
        post = recovery_view.channel_post(facts, config.locale)
        enqueue(
            session, team_id=team_id, kind="trouble_post", ref=ref, channel=channel, message=post, now=now
        )
        queued.append(Queued(team_id, "trouble_post", ref))
    if opened.repeated:
        queued.extend(queue_at_risk(session, config, facts, now=now))
    return tuple(queued)


def queue_manual_stage(
    session: Session, config: TeamConfig, account: Account, change: StepChange, *, now: datetime
) -> tuple[Queued, ...]:
    """A manager's hand moved the account to another stage: the team hears of it like of any stage change
    (hourly teams get it in the hour's message, which reads the step changes)."""
    channel = config.channel
    if not channel or config.announce_hourly:
        return ()
    ref = f"manual:{change.id}"
    before = Step(change.from_step).stage if change.from_step else Step.NAME_ONLY.stage
    message = managing_view.manual_stage_announcement(
        change.user_id, account.name, before, Step(change.to_step).stage, change.note, config.locale
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


def queue_at_risk(
    session: Session, config: TeamConfig, facts: RecoveryFacts, *, now: datetime
) -> tuple[Queued, ...]:
    """A second failure on an account with an open or recent recovery: the channel and the managers at
    once (a customer let down twice is gone)."""
    ref = str(facts.id)
    queued = list(
        queue_to_managers(
            session,
            config,
            facts.team_id,
            "at_risk_dm",
            ref,
            partial(recovery_view.at_risk_alert, facts),
            now,
        )
    )
    channel = config.channel
    if channel:
        post = recovery_view.at_risk_alert(facts, config.locale)
        enqueue(
            session, team_id=facts.team_id, kind="at_risk", ref=ref, channel=channel, message=post, now=now
        )
        queued.append(Queued(facts.team_id, "at_risk", ref))
    return tuple(queued)


def queue_to_managers(
    session: Session,
    config: TeamConfig,
    team_id: str,
    kind: str,
    ref: str,
    build: Callable[[str], Message],
    now: datetime,
) -> tuple[Queued, ...]:
    """A DM to each manager of the team (`build(locale)`), once per (kind, ref, manager)."""
    queued = []
    for manager in manager_ids(session, team_id, config.managers):
        locale = locale_in(session, team_id, manager, config.locale)
        manager_ref = f"{ref}:{manager}"
        enqueue(
            session,
            team_id=team_id,
            kind=kind,
            ref=manager_ref,
            channel=manager,
            message=build(locale),
            now=now,
        )
        queued.append(Queued(team_id, kind, manager_ref))
    return tuple(queued)


def queue_taken(
    session: Session, config: TeamConfig, facts: RecoveryFacts, *, now: datetime
) -> tuple[Queued, ...]:
    """Whoever took a complaint over gets its checklist by DM."""
    owner, ref = facts.owner_id, f"{facts.id}:{facts.owner_id}"
    locale = locale_in(session, facts.team_id, owner, config.locale)
    dm = recovery_view.owner_checklist(facts, locale)
    enqueue(session, team_id=facts.team_id, kind="trouble_dm", ref=ref, channel=owner, message=dm, now=now)
    return (Queued(facts.team_id, "trouble_dm", ref),)


def queue_note(
    session: Session,
    config: TeamConfig,
    facts: RecoveryFacts,
    *,
    user_id: str,
    note: str,
    channel: str | None,
    key: str,
    now: datetime,
) -> tuple[Queued, ...]:
    """A note on a recovery is shown where it was written (or the team channel), once per submission."""
    target = channel or config.channel
    if not target:
        return ()
    post = recovery_view.note_posted(facts, user_id, note, config.locale)
    enqueue(
        session, team_id=facts.team_id, kind="recovery_note", ref=key, channel=target, message=post, now=now
    )
    return (Queued(facts.team_id, "recovery_note", key),)


def queue_verdict_no(
    session: Session, config: TeamConfig, facts: RecoveryFacts, *, user_id: str, now: datetime
) -> tuple[Queued, ...]:
    build = partial(recovery_view.verdict_no_alert, facts, user_id)
    ref = f"{facts.id}:{now.isoformat()}"
    return queue_to_managers(session, config, facts.team_id, "verdict_no", ref, build, now)


def queue_escalated(
    session: Session, config: TeamConfig, facts: RecoveryFacts, *, user_id: str, now: datetime
) -> tuple[Queued, ...]:
    """*Escalate* pressed: each manager is told once per recovery (a second press is recorded only)."""
    build = partial(recovery_view.escalated_by, facts, user_id)
    return queue_to_managers(session, config, facts.team_id, "escalated", str(facts.id), build, now)


def send_now(runtime: Runtime, client: WebClient, queued: tuple[Queued, ...]) -> None:
    """Posts what one action queued. A failure leaves the row due: the scheduler's sweep retries it."""
    now = runtime.clock.now()
    for item in queued:
        runtime.count_deliveries(
            *deliver_pending(runtime.db, client, now=now, team_id=item.team_id, kind=item.kind, ref=item.ref)
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
        runtime.after(lambda: send_now(runtime, client, queued))
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
        # Imported here: the use case imports the corrections' use cases, which import this module.
        from bot.usecases.team_settings import may_edit

        admin = may_edit(runtime, team_id, user_id) is None
        view = home_view(dist, digest, profile.locale, flow=flow, settings_button=admin)
        client.views_publish(user_id=user_id, view=view)
    except SlackApiError as error:
        log.warning("could not publish the home tab of %s: %s", user_id, error.response.get("error"))
