"""Logging in plain words: a DM to the bot, a mention of it, the "Log to Pyramid" message shortcut, and
the preview's *Log all* / *Cancel* (SPEC §3, bot/usecases/freetext.py).

The preview is parked before the ack (so a retried event finds it and is not previewed twice) and
posted after it; nothing else is stored until its author confirms."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import TypeVar

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import interactions as ids
from bot import notify
from bot.domain import fields
from bot.domain.activities import ActivityKind
from bot.domain.extraction import Activity, Followup, Trouble
from bot.domain.fields import FieldErrors, LogDraft, ParseError
from bot.domain.parsing import parse_amount
from bot.handlers import form_state as form
from bot.handlers.replying import FAILURES, Asker, Json, asker, error_reply, refuse_press, stored_or_refused
from bot.i18n import t
from bot.interactions import BadPayload, PreviewItem
from bot.services.errors import UserFacingError
from bot.usecases import freetext
from bot.views.blocks import Message
from bot.views.modals import preview_item_modal
from bot.views.preview import cancelled_message, confirmed_message, preview_message

log = logging.getLogger(__name__)
T = TypeVar("T")

# A mention of the bot at the start of the text it was mentioned in: <@U123> or <@U123|pyramid>.
_LEADING_MENTION = re.compile(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s:,、]*")


def register(app: App) -> None:
    app.event("message")(direct_message)
    app.event("app_mention")(mention)
    app.shortcut(ids.LOG_SHORTCUT)(shortcut)
    app.action(ids.PREVIEW_CONFIRM)(confirm)
    app.action(ids.PREVIEW_CANCEL)(cancel)
    app.action(ids.PREVIEW_EDIT)(edit)
    app.action(ids.PREVIEW_ADD)(add)
    app.view(ids.PREVIEW_ITEM_CALLBACK)(submit_edit)


def direct_message(ack: Ack, event: Json, context: BoltContext, client: WebClient) -> None:
    """A rep's own new message in their DM with the bot (not an edit, not the bot's own posts)."""
    ack()
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return
    me, channel = asker(context, client), str(event.get("channel") or "")
    reply = preview_reply(me, str(event.get("text") or ""), _source_key(event))
    if reply is not None:
        # A reply in a thread (the evening prompt's) is answered in that thread.
        thread = {"thread_ts": event["thread_ts"]} if event.get("thread_ts") else {}
        me.runtime.after(lambda: client.chat_postMessage(channel=channel, **thread, **reply))


def mention(ack: Ack, event: Json, context: BoltContext, client: WebClient) -> None:
    """@Pyramid in a channel or thread: the preview is shown to the rep alone, where they wrote."""
    ack()
    me, channel = asker(context, client), str(event.get("channel") or "")
    text = _LEADING_MENTION.sub("", str(event.get("text") or ""))
    reply = preview_reply(me, text, _source_key(event))
    if reply is not None:
        thread = event.get("thread_ts")
        me.runtime.after(
            lambda: client.chat_postEphemeral(
                channel=channel, user=me.user_id, **({"thread_ts": thread} if thread else {}), **reply
            )
        )


def shortcut(ack: Ack, shortcut: Json, context: BoltContext, respond: Respond, client: WebClient) -> None:
    """ "Log to Pyramid" on any message: that message is read; the rep who used it is the one who logs."""
    me, message = asker(context, client), shortcut.get("message") or {}
    channel = (shortcut.get("channel") or {}).get("id")
    reply = preview_reply(
        me, str(message.get("text") or ""), f"shortcut:{channel}:{message.get('ts')}:{me.user_id}"
    )
    ack()
    if reply is not None:
        me.runtime.after(lambda: respond(response_type="ephemeral", **reply))


def _source_key(event: Json) -> str:
    """The message an event is about: a retried delivery names the same one (its ts, and the id the
    client gave it when there is one)."""
    return f"message:{event.get('channel')}:{event.get('client_msg_id') or event.get('ts')}"


def preview_reply(me: Asker, text: str, source_key: str, *, command_line: bool = False) -> Message | None:
    """The preview to post, or None when this text was previewed already (a retried event). Also the
    answer to a slash command line that could not be read completely (handlers/commands.py)."""
    read = freetext.preview_command_line if command_line else freetext.preview
    try:
        facts = read(me.runtime, me.team_id, me.user_id, text, me.today, source_key)
    except FAILURES as error:
        return error_reply(error, me.locale, example=None)
    return preview_message(facts, me.locale, me.shown_today) if facts.new else None


def confirm(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """*Log all*: everything in the preview, stored once (a second press finds it gone)."""
    me = asker(context, client)
    confirmed = stored_or_refused(
        ack,
        body,
        respond,
        me,
        "preview_gone",
        lambda: freetext.confirm(
            me.runtime, me.team_id, me.user_id, ids.preview_id_of(action.get("value")), me.today, me.locale
        ),
    )
    if confirmed is None:
        return
    reply = confirmed_message(confirmed, me.locale, me.shown_today)
    if confirmed.gone:  # a second press: the first one's answer stays where it is
        me.tell_later(body, respond, reply)
        return
    me.replace_later(body, respond, reply)
    home_user = me.user_id if confirmed.logged or confirmed.followups or confirmed.troubles else None
    notify.after_action(me.runtime, client, me.team_id, home_user, confirmed.queued)


def cancel(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    me = asker(context, client)
    try:
        freetext.cancel(me.runtime, me.team_id, me.user_id, ids.preview_id_of(action.get("value")))
    except (*FAILURES, BadPayload) as error:
        ack()
        refuse_press(me, body, respond, error, gone="preview_gone")
        return
    ack()
    reply = cancelled_message(me.locale)
    me.replace_later(body, respond, reply)


# ------------------------------------------------------------------------------------ *Edit*


def edit(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """*Edit* beside an item: a modal prefilled with it."""
    me = asker(context, client)

    def find() -> tuple[PreviewItem, Activity | Followup | Trouble]:
        item = ids.preview_item_of(action.get("value"))
        return item, freetext.item(me.runtime, me.team_id, me.user_id, item.p, item.k, item.i)

    found = stored_or_refused(ack, body, respond, me, "preview_gone", find)
    if found is not None:
        _open_item_modal(me, body, *found)


def add(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """*Add* beside a sentence that could not be read: the modal of the item it seems to be (an
    activity, a follow-up or a trouble), with what was understood of it filled in."""
    me = asker(context, client)

    def find() -> tuple[PreviewItem, Activity | Followup | Trouble]:
        item = ids.preview_item_of(action.get("value"))
        if item.u is None:
            raise BadPayload("no sentence")
        return item, freetext.unread_item(me.runtime, me.team_id, me.user_id, item.p, item.u, me.today)

    read = stored_or_refused(ack, body, respond, me, "preview_gone", find)
    if read is None:
        return
    item, found = read
    kind: ids.PreviewItemKind = (
        "activity"
        if isinstance(found, Activity)
        else "followup"
        if isinstance(found, Followup)
        else "trouble"
    )
    _open_item_modal(me, body, item.model_copy(update={"k": kind}), found)


def _open_item_modal(me: Asker, body: Json, item: PreviewItem, found: Activity | Followup | Trouble) -> None:
    """The modal, right after the ack (a trigger id is good for 3 seconds). Its metadata says where the
    preview is, to rewrite it after the submission: the message (channel and ts), or for an ephemeral
    preview the response URL of this press (the only way to change an ephemeral message)."""
    container = body.get("container") or {}
    in_message = (
        not container.get("is_ephemeral") and container.get("channel_id") and container.get("message_ts")
    )
    where = item.model_copy(
        update={
            "c": str(container["channel_id"]) if in_message else None,
            "t": str(container["message_ts"]) if in_message else None,
            "r": None if in_message else body.get("response_url"),
        }
    )
    view = preview_item_modal(
        found, locale=me.locale, private_metadata=where.model_dump_json(exclude_none=True)
    )
    me.client.views_open(trigger_id=body["trigger_id"], view=view)


def submit_edit(ack: Ack, view: Json, context: BoltContext, client: WebClient) -> None:
    """The corrected item, checked as the commands check a log; the modal stays open with the reason
    when it is refused. Only the parked preview changes: *Log all* stores it."""
    me = asker(context, client)
    try:
        where = ids.preview_item_of(view.get("private_metadata"))
        change = read_item_form(form.values_of(view), where, me.today, me.locale)
        change = replace(change, unread=where.u)
        facts = freetext.edit(me.runtime, me.team_id, me.user_id, where.p, change)
        if facts is None:
            raise UserFacingError("preview_gone")
    except _FormErrors as error:
        ack(response_action="errors", errors=error.errors)
        return
    except (*FAILURES, BadPayload) as error:
        if isinstance(error, BadPayload):
            error = UserFacingError("preview_gone")
        ack(response_action="errors", errors={ids.ACCOUNT_BLOCK: error_reply(error, me.locale, None)["text"]})
        return
    ack()
    reply = preview_message(facts, me.locale, me.shown_today, edited=True)
    me.runtime.after(lambda: _rewrite(client, where, reply))


def _rewrite(client: WebClient, where: PreviewItem, reply: Message) -> None:
    """The preview shown again, where it is."""
    if where.c and where.t:
        try:
            client.chat_update(channel=where.c, ts=where.t, **reply)
            return
        except SlackApiError as error:
            log.warning("could not update the preview in %s: %s", where.c, error.response.get("error"))
    if where.r:
        Respond(response_url=where.r)(replace_original=True, **reply)


class _FormErrors(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def read_item_form(values: Json, where: PreviewItem, today: date, locale: str) -> freetext.ItemEdit:
    """The modal's values as an item, or _FormErrors keyed by block id (the fields of bot/domain/fields.py
    are named as the blocks are)."""
    errors: dict[str, ParseError] = {}
    typed = form.text(values, ids.ACCOUNT_BLOCK, ids.PREVIEW_ACCOUNT_FIELD) or ""
    account = _checked(errors, ids.ACCOUNT_BLOCK, lambda: fields.account_name(typed)) or ""
    note_text = form.text(values, ids.NOTE_FIELD)
    picked = form.picked_date(values, ids.DATE_FIELD)
    change = freetext.ItemEdit(kind=where.k, index=where.i, account=account)
    if where.k == "activity":
        word = form.selected(values, ids.KIND_FIELD) or ""
        kind = next((kind for kind in ActivityKind if kind.value == word), None)
        amount_text = (form.text(values, ids.AMOUNT_FIELD) or "").strip()
        amount = (
            _checked(errors, ids.AMOUNT_FIELD, lambda: parse_amount(amount_text)) if amount_text else None
        )
        draft = LogDraft(
            "deal" if kind is not None and kind.is_deal else "meeting",
            account or "-",  # the account was checked above
            kind,
            word,
            on=picked,
            amount=amount,
            note=note_text,
        )
        try:
            checked = fields.check_log(draft, today)
            change = freetext.ItemEdit(
                "activity", where.i, account, checked.kind, checked.on, checked.amount, checked.note or ""
            )
        except FieldErrors as error:
            for field, problem in error.errors.items():
                errors.setdefault(field, problem)
    else:
        if where.k == "followup":
            if picked is None:
                errors[ids.DATE_FIELD] = ParseError("missing_date")
            elif picked < today:
                errors[ids.DATE_FIELD] = ParseError("past_date", date=picked.isoformat())
        what = _checked(errors, ids.NOTE_FIELD, lambda: fields.note(note_text))
        if where.k == "trouble" and not what and ids.NOTE_FIELD not in errors:
            errors[ids.NOTE_FIELD] = ParseError("missing_what")
        change = freetext.ItemEdit(where.k, where.i, account, on=picked, note=what or "")
    if errors:
        raise _FormErrors({key: t(locale, f"error_{e.code}", **e.params) for key, e in errors.items()})
    return change


def _checked(errors: dict[str, ParseError], block: str, run: Callable[[], T]) -> T | None:
    try:
        return run()
    except ParseError as error:
        errors[block] = error
        return None
