"""The log modals opened by `/meeting` and `/deal` with no arguments, or by the card's buttons."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot import interactions as ids
from bot.domain.activities import DEAL_OUTCOMES, TOUCH_KINDS, ActivityKind
from bot.domain.fields import MAX_NOTE
from bot.i18n import t
from bot.interactions import ACCOUNT_ACTION as ACCOUNT_ACTION
from bot.interactions import ACCOUNT_CALLBACK as ACCOUNT_CALLBACK
from bot.interactions import DEAL_CALLBACK as DEAL_CALLBACK
from bot.interactions import MEETING_CALLBACK as MEETING_CALLBACK
from bot.interactions import NEW_ACCOUNT_PREFIX as NEW_ACCOUNT_PREFIX
from bot.usecases.facts import AccountFacts, Typeahead
from bot.views.blocks import Block, plain

OPTION_TEXT_LIMIT = 75  # Slack's limit on an option's text
OPTION_VALUE_LIMIT = 150  # and on its value
MAX_OPTIONS = 100  # and on a select's options


def log_modal(
    which: str,
    *,
    locale: str,
    today: date,
    channel_id: str | None,
    account: AccountFacts | None = None,
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
        _input(ids.ACCOUNT_BLOCK, t(locale, "field_account"), account_select),
        _input(
            ids.KIND_FIELD,
            t(locale, "field_outcome" if is_deal else "field_kind"),
            {
                "type": "radio_buttons",
                "action_id": ids.KIND_FIELD,
                "options": kind_options,
                "initial_option": next(o for o in kind_options if o["value"] == default_kind.value),
            },
        ),
        _input(
            ids.DATE_FIELD,
            t(locale, "field_date"),
            {"type": "datepicker", "action_id": ids.DATE_FIELD, "initial_date": today.isoformat()},
        ),
    ]
    if is_deal:
        blocks.append(
            _input(
                ids.AMOUNT_FIELD,
                t(locale, "field_amount"),
                {
                    "type": "plain_text_input",
                    "action_id": ids.AMOUNT_FIELD,
                    "placeholder": plain(t(locale, "field_amount_placeholder")),
                },
                optional=True,
            )
        )
        blocks.append(
            _input(
                ids.REVISIT_FIELD,
                t(locale, "field_revisit"),
                {"type": "datepicker", "action_id": ids.REVISIT_FIELD},
                optional=True,
            )
        )
    blocks.append(
        _input(
            ids.NOTE_FIELD,
            t(locale, "field_note"),
            {
                "type": "plain_text_input",
                "action_id": ids.NOTE_FIELD,
                "multiline": True,
                "max_length": MAX_NOTE,
            },
            optional=True,
        )
    )
    return {
        "type": "modal",
        "callback_id": DEAL_CALLBACK if is_deal else MEETING_CALLBACK,
        "title": plain(t(locale, "modal_deal_title" if is_deal else "modal_meeting_title")),
        "submit": plain(t(locale, "modal_submit")),
        "close": plain(t(locale, "modal_cancel")),
        "private_metadata": ids.modal_metadata(channel_id),
        "blocks": blocks,
    }


def account_option(account: AccountFacts) -> dict[str, Any]:
    return {"text": plain(account.name[:OPTION_TEXT_LIMIT]), "value": str(account.id)}


def new_account_option(name: str, locale: str) -> dict[str, Any]:
    label = t(locale, "option_new_account", name=name)
    return {
        "text": plain(label[:OPTION_TEXT_LIMIT]),
        "value": (NEW_ACCOUNT_PREFIX + name)[:OPTION_VALUE_LIMIT],
    }


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
        "private_metadata": ids.modal_metadata(channel_id),
        "blocks": [_input(ids.ACCOUNT_BLOCK, t(locale, "field_account"), select)],
    }


def account_options(found: Typeahead, locale: str) -> list[dict[str, Any]]:
    """The type-ahead's options: the typed name as a new account first, when no account has it."""
    options = [account_option(account) for account in found.accounts]
    if found.offer_new:
        options.insert(0, new_account_option(found.offer_new, locale))
    return options[:MAX_OPTIONS]
