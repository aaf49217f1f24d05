"""The team owns complaints: the buttons on a recovery's channel post (and on the managers' DMs) let
any teammate take it over (*Take it*), add a note (*Add note*, a modal) or escalate it to the managers
(*Escalate*). Registered by bot/handlers/recoveries.py.

Every change is stored before the ack, with what it owes (the checklist DM, the note's post, the
managers' DMs) in the delivery ledger."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import interactions as ids
from bot import notify
from bot.handlers import form_state as form
from bot.handlers.replying import FAILURES, Asker, Json, asker, error_reply, stored_or_refused
from bot.i18n import t
from bot.interactions import BadPayload
from bot.runtime import Runtime
from bot.services.errors import UserFacingError
from bot.usecases import recoveries
from bot.usecases.facts import RecoveryFacts
from bot.views import recovery as recovery_view
from bot.views import replies
from bot.views.blocks import mention

T = TypeVar("T")


def register(app: App) -> None:
    app.action(ids.RECOVERY_TAKE)(take)
    app.action(ids.RECOVERY_ADD_NOTE)(open_note)
    app.view(ids.RECOVERY_NOTE_CALLBACK)(submit_note)
    app.action(ids.RECOVERY_ESCALATE)(escalate)


def on_recovery(
    ack: Ack,
    body: Json,
    action: Json,
    respond: Respond,
    me: Asker,
    change: Callable[[Runtime, str, int, str], T],
) -> T | None:
    """A press on a button whose value is a recovery's id: acked once `change(runtime, team, recovery id,
    who pressed)` is stored. A value naming no recovery of the team, or a change refused, is acked and
    told (None then): the press changed nothing."""
    return stored_or_refused(
        ack,
        body,
        respond,
        me,
        "recovery_gone",
        lambda: change(me.runtime, me.team_id, ids.parse_id(action.get("value")), me.user_id),
    )


def take(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """*Take it*: whoever pressed becomes the owner, and gets the checklist by DM."""
    me = asker(context, client)
    change = on_recovery(ack, body, action, respond, me, recoveries.take)
    if change is None:
        return
    key = "recovery_taken" if change.changed else "recovery_already_yours"
    name = recovery_view.account_label(change.recovery)
    me.tell_later(body, respond, replies.plain_notice(t(me.locale, key, account=name)))
    notify.after_action(me.runtime, client, me.team_id, me.user_id if change.changed else None, change.queued)


def open_note(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """*Add note*: a modal; the note is posted where the button was (the team channel)."""
    me = asker(context, client)
    recovery = on_recovery(ack, body, action, respond, me, _only_read)
    if recovery is None:
        return
    channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")
    metadata = json.dumps({"r": recovery.id, "c": channel}, separators=(",", ":"))
    view = recovery_view.note_modal(recovery, me.locale, metadata)
    me.client.views_open(trigger_id=body["trigger_id"], view=view)


def _only_read(runtime: Runtime, team_id: str, recovery_id: int, _user_id: str) -> RecoveryFacts:
    return recoveries.recovery(runtime, team_id, recovery_id)


def submit_note(ack: Ack, view: Json, context: BoltContext, client: WebClient) -> None:
    me = asker(context, client)
    values = form.values_of(view)
    note = (form.text(values, ids.RECOVERY_NOTE_FIELD) or "").strip()
    if not note:
        ack(response_action="errors", errors={ids.RECOVERY_NOTE_FIELD: t(me.locale, "recovery_note_empty")})
        return
    try:
        recovery_id, channel = _note_metadata(view.get("private_metadata"))
        key = f"note:{view.get('id') or recovery_id}"
        change = recoveries.add_note(me.runtime, me.team_id, recovery_id, me.user_id, note, channel, key)
    except (BadPayload, *FAILURES) as error:
        if isinstance(error, BadPayload):
            error = UserFacingError("recovery_gone")
        ack(
            response_action="errors",
            errors={ids.RECOVERY_NOTE_FIELD: error_reply(error, me.locale, None)["text"]},
        )
        return
    ack()
    notify.after_action(me.runtime, client, me.team_id, None, change.queued)


def _note_metadata(raw: object) -> tuple[int, str | None]:
    try:
        data: Any = json.loads(str(raw))
        channel = data.get("c")
        return ids.parse_id(str(data.get("r"))), str(channel) if channel else None
    except (ValueError, AttributeError) as error:
        raise BadPayload(f"not a note's metadata: {raw!r}") from error


def escalate(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """*Escalate*: the managers hear of it by DM (once per recovery); each press is recorded."""
    me = asker(context, client)
    escalated = on_recovery(ack, body, action, respond, me, recoveries.escalate)
    if escalated is None:
        return
    if not escalated.managers:
        text = t(me.locale, "recovery_no_managers")
    elif escalated.recovery.status.is_closed:
        text = replies.recovery_not_moved(escalated.recovery, me.locale)["text"]
    else:
        names = ", ".join(mention(user) for user in escalated.managers)
        text = t(
            me.locale, "recovery_escalated" if escalated.first else "recovery_escalated_again", managers=names
        )
    me.tell_later(body, respond, replies.plain_notice(text))
    notify.after_action(me.runtime, client, me.team_id, None, escalated.queued)
