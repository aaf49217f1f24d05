"""/trouble and the recovery buttons: Responded, Recovered, Lost, the five-step checklist, the verdict.

Every change is stored before the ack (with the DM and channel post it owes, in the delivery ledger);
the message or Home tab it came from is rewritten after it."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import interactions as ids
from bot import notify
from bot.domain.recovery import RecoveryStatus
from bot.handlers.replying import (
    FAILURES,
    Asker,
    Json,
    asker,
    command_key,
    command_text,
    ephemeral,
    error_reply,
    refuse_press,
    replace_pressed,
    runtime_in,
    tell,
    tell_later,
    update_item,
    who,
)
from bot.i18n import t
from bot.interactions import BadPayload
from bot.usecases import recoveries
from bot.usecases.facts import AskedFacts
from bot.usecases.recoveries import RecoveryChanged, TroubleOpened
from bot.views import replies
from bot.views.pick import pick_account

TRANSITIONS = {
    ids.RECOVERY_RESPONDED: RecoveryStatus.RESPONDED,
    ids.RECOVERY_RECOVERED: RecoveryStatus.RECOVERED,
    ids.RECOVERY_LOST: RecoveryStatus.LOST,
    ids.VERDICT_YES: RecoveryStatus.RECOVERED,
}


def register(app: App) -> None:
    app.command("/trouble")(trouble_command)
    app.action(ids.TROUBLE_PICK)(answer_pick)
    for action_id in TRANSITIONS:
        app.action(action_id)(press)
    app.action(ids.VERDICT_NOT_YET)(not_yet)
    app.action(ids.RECOVERY_STEPS)(check_steps)


def trouble_command(ack: Ack, command: Json, context: BoltContext, client: WebClient) -> None:
    me = asker(context, client)
    try:
        text, key = command_text(command), command_key(command)
        opened = recoveries.open_trouble(
            me.runtime, me.team_id, me.user_id, text, today=me.today, request_key=key
        )
    except FAILURES as error:
        ack(**ephemeral(error_reply(error, me.locale, example="trouble")))
        return
    if isinstance(opened, AskedFacts):
        ack(**ephemeral(pick_account(opened, "trouble", me.locale)))
        return
    told = bool(me.runtime.settings.pyramid_team_channel)
    ack(**ephemeral(replies.trouble_opened(opened.recovery, opened.duplicate, told, me.locale)))
    _after_opened(me, client, opened)


def answer_pick(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """The account picked for a parked `/trouble`: opened before the ack (with the DM and channel post
    it owes), the question replaced by the answer after it. A second press is told the choice was made."""
    me, choice = asker(context, client), ids.near_match_choice(action.get("value"))
    try:
        opened = recoveries.answer(me.runtime, me.team_id, choice, me.today)
    except FAILURES as error:
        ack()
        me.tell_later(body, respond, error_reply(error, me.locale, example=None))
        return
    ack()
    if opened is None:
        reply = replies.plain_notice(t(me.locale, "choice_expired"))
    else:
        told = bool(me.runtime.settings.pyramid_team_channel)
        reply = replies.trouble_opened(opened.recovery, opened.duplicate, told, me.locale)
    me.runtime.after(lambda: replace_pressed(client, body, respond, reply))
    if opened is not None:
        _after_opened(me, client, opened)


def _after_opened(me: Asker, client: WebClient, opened: TroubleOpened) -> None:
    if not opened.duplicate:
        notify.after_action(me.runtime, client, me.team_id, opened.recovery.owner_id, opened.queued)


def press(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    me, action_id = asker(context, client), str(action.get("action_id"))
    try:
        recovery_id = ids.parse_id(action.get("value"))
        change = recoveries.move(me.runtime, me.team_id, recovery_id, TRANSITIONS[action_id], me.user_id)
    except (BadPayload, *FAILURES) as error:
        ack()
        refuse_press(me, body, respond, error, gone="recovery_gone")
        return
    ack()
    me.runtime.after(lambda: _show_change(me, body, respond, change, action_id == ids.VERDICT_YES))
    # Also after a stale press: on the App Home nothing else replaces the stale copy the rep pressed.
    notify.after_action(me.runtime, client, me.team_id, me.user_id)


def not_yet(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """Answering "not yet" to the verdict changes nothing; the question says who answered, and when."""
    me = asker(context, client)
    try:
        recovery = recoveries.recovery(me.runtime, me.team_id, ids.parse_id(action.get("value")))
    except (BadPayload, *FAILURES) as error:
        ack()
        refuse_press(me, body, respond, error, gone="recovery_gone")
        return
    ack()
    note = replies.verdict_not_yet_note(me.user_id, me.clock_time, me.locale)
    me.runtime.after(lambda: update_item(client, body, ids.recovery_item(recovery.id), note))


def _show_change(me: Asker, body: Json, respond: Respond, change: RecoveryChanged, verdict: bool) -> None:
    if not change.changed:
        # A second press, or a press on a stale copy: harmless, and said so.
        tell(me.client, body, respond, me.user_id, replies.recovery_not_moved(change.recovery, me.locale))
        return
    note = replies.recovery_note(change.recovery, verdict, me.user_id, me.clock_time, me.locale)
    update_item(me.client, body, ids.recovery_item(change.recovery.id), note)


def check_steps(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    runtime, (team_id, user_id) = runtime_in(context), who(context)
    selected = [str(option.get("value")) for option in action.get("selected_options") or []]
    try:
        recovery_id = ids.recovery_id_of_steps(str(action.get("block_id", "")))
        changed = recoveries.check_steps(runtime, team_id, recovery_id, selected)
    except BadPayload:
        changed = False  # not a checklist of ours: nothing to store, nothing to say
    except FAILURES as error:
        ack()
        reply = error_reply(error, runtime.settings.pyramid_locale, example=None)
        tell_later(runtime, client, body, respond, user_id, reply)
        return
    ack()
    # The Home lists the steps still owed.
    notify.after_action(runtime, client, team_id, user_id if changed else None)
