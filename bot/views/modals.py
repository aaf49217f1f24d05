"""The log modals opened by `/meeting` and `/deal` with no arguments, or by the card's buttons."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.domain.activities import DEAL_OUTCOMES, TOUCH_KINDS, ActivityKind
from bot.domain.parsing import MAX_NOTE
from bot.i18n import t
from bot.models import Account
from bot.views.blocks import Block, plain

MEETING_CALLBACK = "log_meeting"
DEAL_CALLBACK = "log_deal"
ACCOUNT_CALLBACK = "show_account"
ACCOUNT_ACTION = "account_select"
NEW_ACCOUNT_PREFIX = "new:"


def log_modal(
    which: str,
    *,
    locale: str,
    today: date,
    channel_id: str | None,
    account: Account | None = None,
) -> dict[str, Any]:
    """`which` is "meeting" or "deal"; the channel is remembered to post the result where it was asked."""
    is_deal = which == "deal"
    kinds = DEAL_OUTCOMES if is_deal else TOUCH_KINDS
    default_kind = ActivityKind.WON if is_deal else ActivityKind.VISIT
    account_select: Block = {
        "type": "external_select",
        "action_id": ACCOUNT_ACTION,
        "placeholder": plain(t(locale, "field_account_placeholder")),
        "min_query_length": 0,
    }
    if account is not None:
        account_select["initial_option"] = account_option(account)
    kind_options = [{"text": plain(t(locale, f"kind_{kind.value}")), "value": kind.value} for kind in kinds]
    blocks: list[Block] = [
        _input("account", t(locale, "field_account"), account_select),
        _input(
            "kind",
            t(locale, "field_outcome" if is_deal else "field_kind"),
            {
                "type": "radio_buttons",
                "action_id": "kind",
                "options": kind_options,
                "initial_option": next(o for o in kind_options if o["value"] == default_kind.value),
            },
        ),
        _input(
            "date",
            t(locale, "field_date"),
            {"type": "datepicker", "action_id": "date", "initial_date": today.isoformat()},
        ),
    ]
    if is_deal:
        blocks.append(
            _input(
                "amount",
                t(locale, "field_amount"),
                {
                    "type": "plain_text_input",
                    "action_id": "amount",
                    "placeholder": plain(t(locale, "field_amount_placeholder")),
                },
                optional=True,
            )
        )
        blocks.append(
            _input(
                "revisit",
                t(locale, "field_revisit"),
                {"type": "datepicker", "action_id": "revisit"},
                optional=True,
            )
        )
    blocks.append(
        _input(
            "note",
            t(locale, "field_note"),
            {"type": "plain_text_input", "action_id": "note", "multiline": True, "max_length": MAX_NOTE},
            optional=True,
        )
    )
    return {
        "type": "modal",
        "callback_id": DEAL_CALLBACK if is_deal else MEETING_CALLBACK,
        "title": plain(t(locale, "modal_deal_title" if is_deal else "modal_meeting_title")),
        "submit": plain(t(locale, "modal_submit")),
        "close": plain(t(locale, "modal_cancel")),
        "private_metadata": json.dumps({"channel": channel_id}),
        "blocks": blocks,
    }


def account_option(account: Account) -> dict[str, Any]:
    return {"text": plain(account.name[:75]), "value": str(account.id)}


def new_account_option(name: str, locale: str) -> dict[str, Any]:
    label = t(locale, "option_new_account", name=name)
    return {"text": plain(label[:75]), "value": (NEW_ACCOUNT_PREFIX + name)[:150]}


def _input(block_id: str, label: str, element: Block, *, optional: bool = False) -> Block:
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }


def account_modal(*, locale: str, channel_id: str | None) -> dict[str, Any]:
    """`/account` with no arguments: pick an account, see its card."""
    select: Block = {
        "type": "external_select",
        "action_id": ACCOUNT_ACTION,
        "placeholder": plain(t(locale, "field_account_placeholder")),
        "min_query_length": 0,
    }
    return {
        "type": "modal",
        "callback_id": ACCOUNT_CALLBACK,
        "title": plain(t(locale, "modal_account_title")),
        "submit": plain(t(locale, "modal_show")),
        "close": plain(t(locale, "modal_cancel")),
        "private_metadata": json.dumps({"channel": channel_id}),
        "blocks": [_input("account", t(locale, "field_account"), select)],
    }
