"""/trouble and the recovery buttons, one half at a time: Responded; the next delivery's date (a date
picker); the verdict after that date (yes closes it recovered, no keeps it open and tells the
managers); Lost; the five-step checklist; and the team's buttons on the channel post (Take it, Add
note, Escalate).

Every change is stored before the ack (with the DMs and channel posts it owes, in the delivery ledger);
the message or Home tab it came from is rewritten after it."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import interactions as ids
from bot import notify
from bot.domain.recovery import cause_of
from bot.handlers import complaints, picks
from bot.handlers import form_state as form
from bot.handlers.replying import (
    FAILURES,
    Asker,
    Json,
    asker,
    command_key,
    command_text,
    ephemeral,
    error_reply,
    post_private,
    refuse_press,
    runtime_in,
    tell_later,
    update_item,
    who,
)
from bot.i18n import t
from bot.interactions import BadPayload
from bot.runtime import Runtime
from bot.services.errors import UserFacingError
from bot.usecases import recoveries
from bot.usecases.facts import AskedFacts
from bot.usecases.recoveries import RecoveryChanged, TroubleOpened
from bot.views import recovery as recovery_view
from bot.views import replies
from bot.views.blocks import Block, fmt_date, mention
from bot.views.digest import replace_item
from bot.views.pick import pick_account

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.command("/trouble")(trouble_command)
    app.view(ids.TROUBLE_CALLBACK)(submit_trouble)
    app.action(ids.TROUBLE_PICK)(answer_pick)
    app.action(ids.RECOVERY_RESPONDED)(responded)
    app.action(ids.RECOVERY_LOST)(lost)
    app.action(ids.RECOVERY_DELIVERY_ON)(delivery_on)
    app.action(ids.VERDICT_YES)(verdict)
    app.action(ids.VERDICT_NO)(verdict)
    app.action(ids.RECOVERY_RECOVERED)(retired)
    app.action(ids.VERDICT_NOT_YET)(retired)
    app.action(ids.RECOVERY_STEPS)(check_steps)
    complaints.register(app)  # the channel post's buttons: the same recoveries, the team's side
    app.action(ids.AFTER_SALE_UNSATISFIED)(after_sale_unsatisfied)


def trouble_command(ack: Ack, command: Json, context: BoltContext, client: WebClient) -> None:
    me = asker(context, client)
    if not command_text(command):
        ack()
        view = recovery_view.trouble_modal(
            locale=me.locale, metadata=ids.modal_metadata(command.get("channel_id"))
        )
        me.client.views_open(trigger_id=command["trigger_id"], view=view)
        return
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
    told = bool(me.runtime.team_config(me.team_id).channel)
    ack(**ephemeral(replies.trouble_opened(opened.recovery, opened.duplicate, told, me.locale)))
    _after_opened(me, client, opened)


def submit_trouble(ack: Ack, view: Json, context: BoltContext, client: WebClient) -> None:
    """The `/trouble` modal: opened before the ack; the reply is posted where the command was typed."""
    me = asker(context, client)
    values = form.values_of(view)
    picked = form.selected(values, ids.ACCOUNT_BLOCK, ids.ACCOUNT_ACTION) or ""
    cause = cause_of(form.selected(values, ids.CAUSE_FIELD) or "")
    what = (form.text(values, ids.NOTE_FIELD) or "").strip()
    errors = {}
    if picked.startswith(ids.NEW_ACCOUNT_PREFIX):
        name = picked.removeprefix(ids.NEW_ACCOUNT_PREFIX)
        errors[ids.ACCOUNT_BLOCK] = t(me.locale, "error_account_not_found", name=name)
    elif not picked.isdigit():
        errors[ids.ACCOUNT_BLOCK] = t(me.locale, "error_empty_account")
    if not what:
        errors[ids.NOTE_FIELD] = t(me.locale, "recovery_what_missing")
    if errors:
        ack(response_action="errors", errors=errors)
        return
    try:
        opened = recoveries.open_chosen(
            me.runtime,
            me.team_id,
            me.user_id,
            ids.parse_id(picked),
            what,
            cause,
            me.today,
            request_key=f"view:{view.get('id')}",
        )
    except (BadPayload, *FAILURES) as error:
        if isinstance(error, BadPayload):
            error = UserFacingError("account_gone")
        ack(response_action="errors", errors={ids.ACCOUNT_BLOCK: error_reply(error, me.locale, None)["text"]})
        return
    ack()
    told = bool(me.runtime.team_config(me.team_id).channel)
    reply = replies.trouble_opened(opened.recovery, opened.duplicate, told, me.locale)
    channel = ids.metadata_of(view.get("private_metadata")).channel
    me.runtime.after(lambda: post_private(client, me.user_id, channel, reply))
    _after_opened(me, client, opened)


def answer_pick(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """The account picked for a parked `/trouble`: opened before the ack (with the DM and channel post
    it owes), the question replaced by the answer after it. A second press is told the choice was made."""
    me, choice = asker(context, client), ids.near_match_choice(action.get("value"))
    told = bool(me.runtime.team_config(me.team_id).channel)
    opened = picks.answer_pick(
        ack,
        body,
        respond,
        me,
        lambda: recoveries.answer(me.runtime, me.team_id, choice, me.today),
        lambda done: replies.trouble_opened(done.recovery, done.duplicate, told, me.locale),
    )
    if opened is not None:
        _after_opened(me, client, opened)


def _after_opened(me: Asker, client: WebClient, opened: TroubleOpened) -> None:
    if not opened.duplicate:
        notify.after_action(me.runtime, client, me.team_id, opened.recovery.owner_id, opened.queued)


# ------------------------------------------------------------------------------- the two halves


def responded(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """The first half: responded. The message then asks for the next delivery's date."""
    _move(ack, body, action, asker(context, client), respond, recoveries.respond)


def lost(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    _move(ack, body, action, asker(context, client), respond, recoveries.lose)


def _move(
    ack: Ack,
    body: Json,
    action: Json,
    me: Asker,
    respond: Respond,
    move: Callable[[Runtime, str, int, str], RecoveryChanged],
) -> None:
    """A press that moves the recovery its value names (responded, lost), then shows who did it."""
    change = complaints.on_recovery(ack, body, action, respond, me, move)
    if change is None:
        return
    note = replies.recovery_note(change.recovery, False, me.user_id, me.clock_time, me.locale)
    _show(me, body, respond, change, note)


def delivery_on(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """The next delivery's date picked: the recovery awaits it (or it moves to the new date)."""
    me = asker(context, client)
    try:
        recovery_id = ids.recovery_id_of_item(action)
        on = date.fromisoformat(str(action.get("selected_date")))
        change = recoveries.set_delivery(me.runtime, me.team_id, recovery_id, on, me.user_id)
    except ValueError:
        ack()  # a date picker cleared, or not a date: nothing to store
        return
    except (BadPayload, *FAILURES) as error:
        ack()
        refuse_press(me, body, respond, error, gone="recovery_gone")
        return
    ack()
    note = t(
        me.locale,
        "recovery_delivery_note",
        date=fmt_date(on, me.locale, me.shown_today),
        user=mention(me.user_id),
        time=me.clock_time,
    )
    _show(me, body, respond, change, note)


def verdict(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """After the next delivery: yes closes it recovered; no keeps it open (the managers hear of it) and
    asks for the date of another next delivery. Asked too early, or a second answer, changes nothing."""
    me, exceeded = asker(context, client), action.get("action_id") == ids.VERDICT_YES

    def judge(runtime: Runtime, team_id: str, recovery_id: int, user_id: str) -> RecoveryChanged:
        return recoveries.verdict(runtime, team_id, recovery_id, exceeded, user_id, me.today)

    change = complaints.on_recovery(ack, body, action, respond, me, judge)
    if change is None:
        return
    key = "verdict_yes_note" if exceeded else "recovery_verdict_no_note"
    note = t(me.locale, key, user=mention(me.user_id), time=me.clock_time)
    _show(me, body, respond, change, note, verdict=True)
    notify.after_action(me.runtime, client, me.team_id, None, change.queued)


def retired(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """*Recovered* and *Not yet* from before issue 12, still on old messages: they skipped the second
    half, so they change nothing now and say what to do instead."""
    me = asker(context, client)
    ack()
    me.tell_later(body, respond, replies.plain_notice(t(me.locale, "recovery_retired_button")))


def _show(
    me: Asker, body: Json, respond: Respond, change: RecoveryChanged, note: str, *, verdict: bool = False
) -> None:
    """The pressed item rewritten: what happened, then what is next (the next half's actions)."""
    me.runtime.after(lambda: _show_now(me, body, respond, change, note, verdict))
    # Also after a stale press: on the App Home nothing else replaces the stale copy the rep pressed.
    notify.after_action(me.runtime, me.client, me.team_id, me.user_id)


def _show_now(
    me: Asker, body: Json, respond: Respond, change: RecoveryChanged, note: str, verdict: bool
) -> None:
    recovery = change.recovery
    if not change.changed:
        # A second press, a stale copy, or a verdict before the delivery's day: harmless, and said so.
        if not verdict or recovery.status.is_closed:
            reply = replies.recovery_not_moved(recovery, me.locale)
        else:
            status = recovery_view.status_label(recovery.status, me.locale)
            reply = replies.plain_notice(t(me.locale, "recovery_verdict_not_due", status=status))
        me.tell(body, respond, reply)
        return
    prompt = recovery_view.next_step_prompt(recovery, me.locale, me.shown_today)
    following = recovery_view.next_step_actions(recovery, me.locale, me.shown_today)
    _rewrite_item(me.client, body, ids.recovery_item(recovery.id), note, prompt, following)


def _rewrite_item(
    client: WebClient, body: Json, item: str, note: str, prompt: str | None, following: Block | None
) -> None:
    """The item's actions become the line saying what happened; the next half's actions (a fresh block
    with the same id) follow it, so the message always shows what is to do now."""
    message, channel = body.get("message"), (body.get("container") or {}).get("channel_id")
    if not message or not channel:
        return  # an ephemeral or view container: the Home is rebuilt instead
    blocks = [b for b in message.get("blocks") or [] if b.get("block_id") != f"{item}_next"]
    blocks = replace_item(blocks, item, note)
    if following is not None:
        at = next(
            (i for i, b in enumerate(blocks) if b.get("block_id") == ids.item_done(item)), len(blocks) - 1
        )
        extra: list[Block] = []
        if prompt:
            extra.append(
                {
                    "type": "context",
                    "block_id": f"{item}_next",
                    "elements": [{"type": "mrkdwn", "text": prompt}],
                }
            )
        blocks[at + 1 : at + 1] = [*extra, following]
    try:
        client.chat_update(channel=channel, ts=message["ts"], text=message.get("text") or note, blocks=blocks)
    except SlackApiError as error:
        log.warning("could not update the message in %s: %s", channel, error.response.get("error"))


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
        reply = error_reply(error, runtime.team_config_or_defaults(team_id).locale, example=None)
        tell_later(runtime, client, body, respond, user_id, reply)
        return
    ack()
    # The Home lists the steps still owed.
    notify.after_action(runtime, client, team_id, user_id if changed else None)


def after_sale_unsatisfied(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """The after-sale follow-up's "Done: not satisfied": done, and a recovery opened, in one click."""
    me = asker(context, client)
    try:
        followup_id = ids.parse_id(action.get("value"))
        what = t(me.locale, "after_sale_unsatisfied_what")
        opened = recoveries.after_sale_unsatisfied(
            me.runtime, me.team_id, me.user_id, followup_id, what, me.today
        )
    except (BadPayload, *FAILURES) as error:
        ack()
        refuse_press(me, body, respond, error, gone="followup_gone")
        return
    ack()
    note = t(me.locale, "after_sale_unsatisfied_note", user=mention(me.user_id), time=me.clock_time)
    me.runtime.after(lambda: update_item(client, body, ids.followup_item(followup_id), note))
    _after_opened(me, client, opened)
    notify.after_action(me.runtime, client, me.team_id, me.user_id)
