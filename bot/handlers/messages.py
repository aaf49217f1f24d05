"""Logging in plain words: a DM to the bot, a mention of it, the "Log to Pyramid" message shortcut, and
the preview's *Log all* / *Cancel* (SPEC §3, bot/usecases/freetext.py).

The preview is parked before the ack (so a retried event finds it and is not previewed twice) and
posted after it; nothing else is stored until its author confirms."""

from __future__ import annotations

import re

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import interactions as ids
from bot import notify
from bot.handlers.replying import FAILURES, Asker, Json, asker, error_reply, refuse_press, replace_pressed
from bot.interactions import BadPayload
from bot.usecases import freetext
from bot.views.blocks import Message
from bot.views.preview import cancelled_message, confirmed_message, preview_message

# A mention of the bot at the start of the text it was mentioned in: <@U123> or <@U123|pyramid>.
_LEADING_MENTION = re.compile(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s:,、]*")


def register(app: App) -> None:
    app.event("message")(direct_message)
    app.event("app_mention")(mention)
    app.shortcut(ids.LOG_SHORTCUT)(shortcut)
    app.action(ids.PREVIEW_CONFIRM)(confirm)
    app.action(ids.PREVIEW_CANCEL)(cancel)


def direct_message(ack: Ack, event: Json, context: BoltContext, client: WebClient) -> None:
    """A rep's own new message in their DM with the bot (not an edit, not the bot's own posts)."""
    ack()
    if event.get("channel_type") != "im" or event.get("subtype") or event.get("bot_id"):
        return
    me, channel = asker(context, client), str(event.get("channel") or "")
    reply = _preview(me, str(event.get("text") or ""), _source_key(event))
    if reply is not None:
        me.runtime.after(lambda: client.chat_postMessage(channel=channel, **reply))


def mention(ack: Ack, event: Json, context: BoltContext, client: WebClient) -> None:
    """@Pyramid in a channel or thread: the preview is shown to the rep alone, where they wrote."""
    ack()
    me, channel = asker(context, client), str(event.get("channel") or "")
    text = _LEADING_MENTION.sub("", str(event.get("text") or ""))
    reply = _preview(me, text, _source_key(event))
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
    reply = _preview(
        me, str(message.get("text") or ""), f"shortcut:{channel}:{message.get('ts')}:{me.user_id}"
    )
    ack()
    if reply is not None:
        me.runtime.after(lambda: respond(response_type="ephemeral", **reply))


def _source_key(event: Json) -> str:
    """The message an event is about: a retried delivery names the same one (its ts, and the id the
    client gave it when there is one)."""
    return f"message:{event.get('channel')}:{event.get('client_msg_id') or event.get('ts')}"


def _preview(me: Asker, text: str, source_key: str) -> Message | None:
    """The preview to post, or None when this message was previewed already (a retried event)."""
    try:
        facts = freetext.preview(me.runtime, me.team_id, me.user_id, text, me.today, source_key)
    except FAILURES as error:
        return error_reply(error, me.locale, example=None)
    return preview_message(facts, me.locale) if facts.new else None


def confirm(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """*Log all*: everything in the preview, stored once (a second press finds it gone)."""
    me = asker(context, client)
    try:
        preview_id = ids.preview_id_of(action.get("value"))
        confirmed = freetext.confirm(me.runtime, me.team_id, me.user_id, preview_id, me.today, me.locale)
    except (*FAILURES, BadPayload) as error:
        ack()
        refuse_press(me, body, respond, error, gone="preview_gone")
        return
    ack()
    reply = confirmed_message(confirmed, me.locale)
    if confirmed.gone:  # a second press: the first one's answer stays where it is
        me.tell_later(body, respond, reply)
        return
    me.runtime.after(lambda: replace_pressed(client, body, respond, reply))
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
    me.runtime.after(lambda: replace_pressed(client, body, respond, reply))
