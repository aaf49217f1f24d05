"""`/followup` and `/trouble` with a name only close to existing accounts: "did you mean…?", one
button per close account. These commands never create an account, so there is no "create" button:
the rep picks one, or runs the command again with the name as it is registered."""

from __future__ import annotations

from typing import Literal

from bot import interactions as ids
from bot.i18n import t
from bot.usecases.facts import AskedFacts
from bot.views.blocks import ONE_NAME_LIMIT, Message, actions, button, context, message, section, user_text

PickFor = Literal["followup", "trouble"]


def pick_account(asked: AskedFacts, what: PickFor, locale: str) -> Message:
    text = t(locale, "did_you_mean", name=user_text(asked.name, ONE_NAME_LIMIT))
    choices = [
        button(
            candidate.name,
            ids.pick_action(what, index),
            ids.near_match_value(asked.pending_id, candidate.id),
            style="primary" if index == 0 else None,
        )
        for index, candidate in enumerate(asked.candidates)
    ]
    hint = t(locale, "pick_or_retype", command=f"/{what}")
    return message(text, [section(text), actions(*choices, block_id=ids.pick_block(what)), context(hint)])
