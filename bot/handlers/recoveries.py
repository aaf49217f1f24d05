"""/trouble and the recovery buttons: Responded, Recovered, Lost, the five-step checklist, the verdict.

Every change is stored before the ack (with the DM and channel post it owes, in the delivery ledger);
the message or Home tab it came from is rewritten after it."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.domain.parsing import parse_trouble
from bot.domain.recovery import RecoveryStatus, mask_of
from bot.handlers.commands import FAILURES
from bot.handlers.home import refresh_home_soon
from bot.handlers.payloads import BadPayload, parse_account_id
from bot.handlers.replying import (
    command_text,
    ephemeral,
    error_reply,
    runtime_in,
    tell,
    tell_later,
    update_item,
    who,
)
from bot.i18n import t
from bot.notify import Queued, queue_trouble, send_now
from bot.services import accounts, recoveries
from bot.services.errors import UserFacingError
from bot.services.recoveries import Opened, RecoveryChange
from bot.views import replies
from bot.views.blocks import escape, mention

TRANSITIONS = {
    "recovery_responded": RecoveryStatus.RESPONDED,
    "recovery_recovered": RecoveryStatus.RECOVERED,
    "recovery_lost": RecoveryStatus.LOST,
    "verdict_yes": RecoveryStatus.RECOVERED,
}


def register(app: App) -> None:
    app.command("/trouble")(trouble_command)
    for action_id in (*TRANSITIONS, "verdict_not_yet"):
        app.action(action_id)(press)
    app.action("recovery_steps")(check_steps)


def trouble_command(ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    runtime = runtime_in(context)
    team_id, user_id = who(context)
    profile = runtime.profile(client, team_id, user_id)
    today = runtime.clock.today(profile.zone)
    try:
        request = parse_trouble(command_text(command))

        def work(session: Session) -> tuple[Opened, tuple[Queued, ...]]:
            now = runtime.clock.now()
            opened = recoveries.open_recovery(
                session,
                accounts.require_by_name(session, team_id, request.account),
                user_id=user_id,
                what=request.what,
                now=now,
                today=today,
                request_key=f"command:{command['trigger_id']}",
                followup_next_day=runtime.settings.pyramid_followup_after_trouble,
            )
            return opened, queue_trouble(session, runtime.settings, opened, now=now)

        opened, queued = runtime.store(work)
    except FAILURES as error:
        ack(**ephemeral(error_reply(error, profile.locale, example="trouble")))
        return
    if opened.duplicate:
        ack(**ephemeral(replies.plain_notice(t(profile.locale, "trouble_duplicate"))))
        return
    text = t(
        profile.locale,
        "trouble_opened",
        account=escape(opened.account.name),
        what=escape(opened.recovery.what),
        owner=mention(opened.recovery.owner_id),
    )
    if runtime.settings.pyramid_team_channel:
        # Queued in the same transaction: the post is owed, and the ledger sees that it goes out.
        text += " " + t(profile.locale, "trouble_channel_told")
    ack(**ephemeral(replies.plain_notice("🛟 " + text)))
    runtime.after(lambda: send_now(runtime.db, client, queued, now=runtime.clock.now()))
    refresh_home_soon(runtime, client, team_id, opened.recovery.owner_id)


def press(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    runtime = runtime_in(context)
    team_id, user_id = who(context)
    profile = runtime.profile(client, team_id, user_id)
    locale = profile.locale
    action_id = str(action.get("action_id"))
    now = runtime.clock.now()
    clock_time = now.astimezone(profile.zone).strftime("%H:%M")
    try:
        recovery_id = parse_account_id(action.get("value"))
        if action_id == "verdict_not_yet":
            recovery, _account = runtime.query(lambda s: recoveries.get(s, team_id, recovery_id))
            ack()
            note = t(locale, "verdict_not_yet_note", user=mention(user_id), time=clock_time)
            runtime.after(lambda: update_item(client, body, f"rc_{recovery.id}", note))
            return
        target = TRANSITIONS[action_id]
        change = runtime.store(
            lambda s: recoveries.move(s, team_id, recovery_id, target, user_id=user_id, now=now)
        )
    except BadPayload:
        ack()
        tell_later(
            runtime,
            client,
            body,
            respond,
            user_id,
            error_reply(UserFacingError("recovery_gone"), locale, example=None),
        )
        refresh_home_soon(runtime, client, team_id, user_id)
        return
    except FAILURES as error:
        ack()
        tell_later(runtime, client, body, respond, user_id, error_reply(error, locale, example=None))
        if isinstance(error, UserFacingError):
            # Gone meanwhile: on the App Home (no response URL, no channel) the rebuilt tab shows it.
            refresh_home_soon(runtime, client, team_id, user_id)
        return
    ack()
    runtime.after(lambda: _show_change(client, body, respond, user_id, change, action_id, locale, clock_time))
    # Also after a stale press: on the App Home nothing else replaces the stale copy the rep pressed.
    refresh_home_soon(runtime, client, team_id, user_id)


def _show_change(
    client: WebClient,
    body: dict[str, Any],
    respond: Respond,
    user_id: str,
    change: RecoveryChange,
    action_id: str,
    locale: str,
    clock_time: str,
) -> None:
    status = RecoveryStatus(change.recovery.status)
    label = t(locale, f"recovery_status_{status.value}")
    if not change.changed:
        # A second press, or a press on a stale copy: harmless, and said so.
        tell(
            client,
            body,
            respond,
            user_id,
            replies.plain_notice(t(locale, "recovery_not_moved", status=label)),
        )
        return
    if action_id == "verdict_yes":
        note = t(locale, "verdict_yes_note", user=mention(user_id), time=clock_time)
    else:
        note = t(locale, "recovery_moved_note", status=label, user=mention(user_id), time=clock_time)
    update_item(client, body, f"rc_{change.recovery.id}", note)


def check_steps(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    runtime = runtime_in(context)
    team_id, user_id = who(context)
    block_id = str(action.get("block_id", ""))
    try:
        recovery_id = parse_account_id(block_id.removeprefix("rc_").removesuffix("_steps"))
    except BadPayload:
        ack()
        return
    selected = [str(option.get("value")) for option in action.get("selected_options") or []]
    try:
        change = runtime.store(lambda s: recoveries.set_steps(s, team_id, recovery_id, mask_of(selected)))
    except FAILURES as error:
        ack()
        tell_later(
            runtime,
            client,
            body,
            respond,
            user_id,
            error_reply(error, runtime.settings.pyramid_locale, example=None),
        )
        return
    ack()
    if change.changed:
        refresh_home_soon(runtime, client, team_id, user_id)  # the Home lists the steps still owed
