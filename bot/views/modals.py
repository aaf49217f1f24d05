"""The log modals opened by `/meeting` and `/deal` with no arguments, or by the card's buttons."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot import interactions as ids
from bot.domain.activities import DEAL_OUTCOMES, TOUCH_KINDS, ActivityKind
from bot.domain.extraction import Activity, Followup, Trouble
from bot.domain.fields import MAX_NAME, MAX_NOTE
from bot.domain.winback import LostReason
from bot.i18n import planned_action, t
from bot.interactions import ACCOUNT_ACTION as ACCOUNT_ACTION
from bot.interactions import ACCOUNT_CALLBACK as ACCOUNT_CALLBACK
from bot.interactions import DEAL_CALLBACK as DEAL_CALLBACK
from bot.interactions import MEETING_CALLBACK as MEETING_CALLBACK
from bot.interactions import NEW_ACCOUNT_PREFIX as NEW_ACCOUNT_PREFIX
from bot.usecases.facts import AccountFacts, Typeahead
from bot.views.blocks import Block, input_block, modal, plain

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
    blocks = [
        input_block(ids.ACCOUNT_BLOCK, t(locale, "field_account"), _account_select(locale, account)),
        _kind_input(is_deal, locale),
        input_block(ids.DATE_FIELD, t(locale, "field_date"), _datepicker(ids.DATE_FIELD, today)),
    ]
    if is_deal:
        amount = _text_input(ids.AMOUNT_FIELD, placeholder=plain(t(locale, "field_amount_placeholder")))
        blocks.append(input_block(ids.AMOUNT_FIELD, t(locale, "field_amount"), amount, optional=True))
        revisit = _datepicker(ids.REVISIT_FIELD)
        blocks.append(input_block(ids.REVISIT_FIELD, t(locale, "field_revisit"), revisit, optional=True))
        blocks.append(_lost_reason_input(locale))
    note = _text_input(ids.NOTE_FIELD, multiline=True, max_length=MAX_NOTE)
    blocks.append(input_block(ids.NOTE_FIELD, t(locale, "field_note"), note, optional=True))
    return modal(
        DEAL_CALLBACK if is_deal else MEETING_CALLBACK,
        t(locale, "modal_deal_title" if is_deal else "modal_meeting_title"),
        t(locale, "modal_submit"),
        t(locale, "modal_cancel"),
        ids.modal_metadata(channel_id),
        blocks,
    )


def _account_select(locale: str, account: AccountFacts | None = None) -> Block:
    """The type-ahead of accounts (bot/handlers/options.py), with the account chosen already, if any."""
    select: Block = {
        "type": "external_select",
        "action_id": ACCOUNT_ACTION,
        "placeholder": plain(t(locale, "field_account_placeholder")),
        "min_query_length": 0,
    }
    if account is not None:
        select["initial_option"] = account_option(account)
    return select


def _kind_input(is_deal: bool, locale: str) -> Block:
    """The touches (a visit first) or the deal outcomes (a win first), as radio buttons."""
    kinds = DEAL_OUTCOMES if is_deal else TOUCH_KINDS
    default = ActivityKind.WON if is_deal else ActivityKind.VISIT
    options = [{"text": plain(t(locale, f"kind_{kind.value}")), "value": kind.value} for kind in kinds]
    radio = {
        "type": "radio_buttons",
        "action_id": ids.KIND_FIELD,
        "options": options,
        "initial_option": next(option for option in options if option["value"] == default.value),
    }
    return input_block(ids.KIND_FIELD, t(locale, "field_outcome" if is_deal else "field_kind"), radio)


def _lost_reason_input(locale: str) -> Block:
    """Why a lost deal was lost, for a loss only (optional: not said stays unknown, never guessed)."""
    options = [
        {"text": plain(t(locale, f"lost_reason_{reason.value}")), "value": reason.value}
        for reason in LostReason
    ]
    radio = {"type": "radio_buttons", "action_id": ids.LOST_REASON_FIELD, "options": options}
    return input_block(ids.LOST_REASON_FIELD, t(locale, "field_lost_reason"), radio, optional=True)


def _datepicker(action_id: str, initial: date | None = None) -> Block:
    picker: Block = {"type": "datepicker", "action_id": action_id}
    if initial is not None:
        picker["initial_date"] = initial.isoformat()
    return picker


def _text_input(action_id: str, **options: object) -> Block:
    return {"type": "plain_text_input", "action_id": action_id, **options}


def account_option(account: AccountFacts) -> dict[str, Any]:
    return {"text": plain(account.name[:OPTION_TEXT_LIMIT]), "value": str(account.id)}


def new_account_option(name: str, locale: str) -> dict[str, Any]:
    label = t(locale, "option_new_account", name=name)
    return {
        "text": plain(label[:OPTION_TEXT_LIMIT]),
        "value": (NEW_ACCOUNT_PREFIX + name)[:OPTION_VALUE_LIMIT],
    }


def account_modal(*, locale: str, channel_id: str | None) -> dict[str, Any]:
    """`/account` with no arguments: pick an account, see its card."""
    select = _account_select(locale)
    return modal(
        ACCOUNT_CALLBACK,
        t(locale, "modal_account_title"),
        t(locale, "modal_show"),
        t(locale, "modal_cancel"),
        ids.modal_metadata(channel_id),
        [input_block(ids.ACCOUNT_BLOCK, t(locale, "field_account"), select)],
    )


def account_options(found: Typeahead, locale: str) -> list[dict[str, Any]]:
    """The type-ahead's options: the typed name as a new account first, when no account has it."""
    options = [account_option(account) for account in found.accounts]
    if found.offer_new:
        options.insert(0, new_account_option(found.offer_new, locale))
    return options[:MAX_OPTIONS]


def preview_item_modal(
    item: Activity | Followup | Trouble, *, locale: str, private_metadata: str
) -> dict[str, Any]:
    """*Edit* on one item of a preview (issue 14): the item as read, to correct. An activity has the log
    modal's fields (any kind, the amount for every kind: a message may give a budget at a meal); a
    follow-up its account, due date and what for; a trouble its account and what went wrong."""
    name = item.account.proposed
    account = _text_input(
        ids.PREVIEW_ACCOUNT_FIELD, max_length=MAX_NAME, **({"initial_value": name} if name else {})
    )
    blocks = [input_block(ids.ACCOUNT_BLOCK, t(locale, "field_account"), account)]
    if isinstance(item, Activity):
        options = [
            {"text": plain(t(locale, f"kind_{kind.value}")), "value": kind.value} for kind in ActivityKind
        ]
        kind = {
            "type": "static_select",
            "action_id": ids.KIND_FIELD,
            "options": options,
            "initial_option": next(option for option in options if option["value"] == item.kind.value),
        }
        blocks.append(input_block(ids.KIND_FIELD, t(locale, "field_kind"), kind))
        blocks.append(
            input_block(ids.DATE_FIELD, t(locale, "field_date"), _datepicker(ids.DATE_FIELD, item.on))
        )
        amount = _text_input(
            ids.AMOUNT_FIELD,
            placeholder=plain(t(locale, "field_amount_placeholder")),
            **({"initial_value": str(item.amount)} if item.amount is not None else {}),
        )
        blocks.append(input_block(ids.AMOUNT_FIELD, t(locale, "field_amount"), amount, optional=True))
        note_text, note_label, note_optional = item.note, "field_note", True
    elif isinstance(item, Followup):
        due = _datepicker(ids.DATE_FIELD, None if item.due == date.min else item.due)  # date.min: unknown
        blocks.append(input_block(ids.DATE_FIELD, t(locale, "field_due"), due))
        note_text, note_label, note_optional = planned_action(locale, item.what), "field_followup_what", True
    else:
        note_text, note_label, note_optional = item.what, "field_trouble_what", False
    note = _text_input(
        ids.NOTE_FIELD,
        multiline=True,
        max_length=MAX_NOTE,
        **({"initial_value": note_text} if note_text else {}),
    )
    blocks.append(input_block(ids.NOTE_FIELD, t(locale, note_label), note, optional=note_optional))
    return modal(
        ids.PREVIEW_ITEM_CALLBACK,
        t(locale, "modal_preview_item_title"),
        t(locale, "modal_preview_item_submit"),
        t(locale, "modal_cancel"),
        private_metadata,
        blocks,
    )
