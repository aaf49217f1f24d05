"""The account picked in a "did you mean…?" question that parked a command (/followup, /trouble):
the parked command is done before the ack, and the question replaced by its answer after it."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from slack_bolt import Ack, Respond

from bot.handlers.replying import FAILURES, Asker, Json, error_reply, replace_pressed
from bot.i18n import t
from bot.views import replies
from bot.views.blocks import Message

T = TypeVar("T")


def answer_pick(
    ack: Ack,
    body: Json,
    respond: Respond,
    me: Asker,
    answer: Callable[[], T | None],
    said: Callable[[T], Message],
) -> T | None:
    """`answer()` does the parked command (None: it was answered already, or is gone); `said` is the
    reply that replaces the question. A refusal is told after the ack. The command's result, or None."""
    try:
        done = answer()
    except FAILURES as error:
        ack()
        me.tell_later(body, respond, error_reply(error, me.locale, example=None))
        return None
    ack()
    reply = replies.plain_notice(t(me.locale, "choice_expired")) if done is None else said(done)
    me.runtime.after(lambda: replace_pressed(me.client, body, respond, reply))
    return done
