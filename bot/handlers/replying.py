"""Shared ways of answering: error messages with an example, and posting where the user asked."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.parsing import ParseError
from bot.services.errors import UserFacingError
from bot.views import replies
from bot.views.blocks import Message
from bot.views.digest import replace_item

log = logging.getLogger(__name__)


def command_text(command: dict[str, Any]) -> str:
    """The text the user typed. Slack sends &, < and > escaped (real mentions stay as <@U…>)."""
    text = str(command.get("text") or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def respond_error(
    respond: Respond, error: ParseError | UserFacingError, locale: str, example: str | None
) -> None:
    reply = replies.error(error.code, dict(error.params), locale, example)
    respond(response_type="ephemeral", **reply)


def post_private(client: WebClient, user_id: str, channel_id: str | None, reply: Message) -> None:
    """An ephemeral message in the channel the user was in; their DM with the app when that fails
    (the bot is not in a private channel, or the modal was opened from App Home)."""
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, **reply)
            return
        except SlackApiError as error:
            log.info(
                "ephemeral post to %s failed (%s); sending a DM", channel_id, error.response.get("error")
            )
    client.chat_postMessage(channel=user_id, **reply)


def update_item(client: WebClient, body: dict[str, Any], block_id: str, note: str) -> None:
    """Rewrites the pressed message in place: the item's buttons become a line saying what happened."""
    message = body.get("message")
    channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")
    if not message or not channel:
        return  # an ephemeral or view container: nothing to rewrite
    blocks = replace_item(message.get("blocks") or [], block_id, note)
    try:
        client.chat_update(channel=channel, ts=message["ts"], text=message.get("text") or note, blocks=blocks)
    except SlackApiError as error:
        log.warning("could not update the message in %s: %s", channel, error.response.get("error"))
