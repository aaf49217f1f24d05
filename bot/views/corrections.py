"""Corrections of activities: the *Undo* button on a log's reply, the reply that replaces it, the card's
*Edit* / *Delete* menu and their modals, and an announcement corrected in the channel."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot import interactions as ids
from bot.domain.activities import DEAL_OUTCOMES, TOUCH_KINDS
from bot.domain.fields import MAX_NOTE
from bot.domain.stages import Climb
from bot.i18n import t
from bot.usecases.facts import AccountFacts, ActivityFacts, CorrectedFacts, EditableFacts, Withdrawn
from bot.views.blocks import (
    MESSAGE_BLOCKS,
    NAME_LIMIT,
    ONE_NAME_LIMIT,
    Block,
    Message,
    actions,
    button,
    context,
    fmt_amount,
    fmt_date,
    input_block,
    mention,
    message,
    modal,
    moved_text,
    plain,
    section,
    stage_name,
    step_name,
    user_text,
)


def undo_actions(activity_id: int, locale: str) -> Block:
    """Under a log's reply: *Undo*, for its author (the listener checks who and when)."""
    undo = button(t(locale, "button_undo"), ids.UNDO_ACTIVITY, str(activity_id))
    return actions(undo, block_id=ids.UNDO_BLOCK)


def what_it_was(activity: ActivityFacts, account: AccountFacts, locale: str, today: date | None) -> str:
    """ "the won deal for *Acme* on 11/28(Sat) (¥1,200,000)"."""
    text = t(
        locale,
        "correction_what",
        kind=t(locale, f"kind_{activity.kind.value}"),
        account=user_text(account.name, ONE_NAME_LIMIT),
        date=fmt_date(activity.occurred_on, locale, today),
    )
    if activity.amount is not None:
        text += t(locale, "correction_amount", amount=fmt_amount(activity.amount, locale))
    return text


def corrected(facts: CorrectedFacts, locale: str) -> Message:
    """What replaces the log's reply (undo) or answers the card's menu (delete, edit)."""
    what = what_it_was(facts.activity, facts.account, locale, facts.today)
    head = {"undo": "↩️ ", "delete": "🗑️ ", "edit": "✏️ "}[facts.how]
    first = head + t(locale, f"correction_done_{facts.how}", what=what)
    lines = [first, _now_on(facts.account, facts.climb, locale)]
    if facts.followups_cancelled:
        lines.append("📅 " + t(locale, "correction_followup_cancelled"))
    if facts.withdrawn:
        lines.append("📣 " + t(locale, "correction_announcement_fixed"))
    return message(first, [section("\n".join(lines))])


def _now_on(account: AccountFacts, climb: Climb, locale: str) -> str:
    name = user_text(account.name, ONE_NAME_LIMIT)
    after = climb.after
    now_on = t(
        locale,
        "correction_now_on",
        account=name,
        label=after.label,
        step=step_name(after, locale),
        stage=stage_name(after.stage, locale),
    )
    if not climb.moved:
        return now_on
    moved = moved_text("correction_step_moved", climb, locale)
    return f"{now_on} {moved}"


def announcement_corrected(posted: Withdrawn, facts: CorrectedFacts, locale: str) -> Message:
    """A stage announcement a correction made untrue, as it is rewritten in the channel: what it said,
    struck through, and what is true now. An hour's message keeps its lines (the others are still
    true) and gets the correction below them."""
    now = t(
        locale,
        "correction_announcement",
        user=mention(facts.by),
        account=user_text(facts.account.name, NAME_LIMIT),
        stage=stage_name(facts.climb.after.stage, locale),
    )
    if posted.blocks:
        kept = [block for block in json.loads(posted.blocks) if isinstance(block, dict)]
        return message(posted.text or now, [*kept[: MESSAGE_BLOCKS - 1], context("✏️ " + now)])
    struck = "\n".join(f"~{line.strip()}~" for line in posted.text.splitlines() if line.strip())
    return message(now, [section(struck), context("✏️ " + now)])


# ------------------------------------------------------------------------------------ the card


def activity_menu(index: int, activity_id: int, locale: str) -> Block:
    """The overflow menu beside an activity on the card."""
    return {
        "type": "overflow",
        "action_id": ids.activity_menu(index),
        "options": [
            {"text": plain(t(locale, "menu_edit")), "value": ids.activity_choice_value(activity_id, "edit")},
            {
                "text": plain(t(locale, "menu_delete")),
                "value": ids.activity_choice_value(activity_id, "delete"),
            },
        ],
    }


def delete_modal(found: EditableFacts, channel_id: str | None, locale: str) -> dict[str, Any]:
    """ "Delete this activity?" The activity is kept as deleted (exported), and the account recomputed."""
    what = what_it_was(found.activity, found.account, locale, None)
    text = t(locale, "delete_question", what=what)
    if found.activity.note:
        text += "\n> " + user_text(found.activity.note, 500)
    return modal(
        ids.DELETE_ACTIVITY_CALLBACK,
        t(locale, "modal_delete_title"),
        t(locale, "modal_delete_submit"),
        t(locale, "modal_cancel"),
        ids.correction_target(found.activity.id, channel_id),
        [section(text), context(t(locale, "delete_kept"))],
    )


def edit_modal(found: EditableFacts, channel_id: str | None, locale: str) -> dict[str, Any]:
    """The activity's kind (within its family: a touch stays a touch, a deal a deal), date, amount and
    note, prefilled; checked on submit as a log is."""
    activity = found.activity
    kinds = DEAL_OUTCOMES if activity.kind.is_deal else TOUCH_KINDS
    options = [{"text": plain(t(locale, f"kind_{kind.value}")), "value": kind.value} for kind in kinds]
    kind = {
        "type": "radio_buttons",
        "action_id": ids.KIND_FIELD,
        "options": options,
        "initial_option": next(option for option in options if option["value"] == activity.kind.value),
    }
    date_picker = {
        "type": "datepicker",
        "action_id": ids.DATE_FIELD,
        "initial_date": activity.occurred_on.isoformat(),
    }
    amount: Block = {
        "type": "plain_text_input",
        "action_id": ids.AMOUNT_FIELD,
        "placeholder": plain(t(locale, "field_amount_placeholder")),
    }
    if activity.amount is not None:
        amount["initial_value"] = str(activity.amount)
    note: Block = {
        "type": "plain_text_input",
        "action_id": ids.NOTE_FIELD,
        "multiline": True,
        "max_length": MAX_NOTE,
    }
    if activity.note:
        note["initial_value"] = activity.note[:MAX_NOTE]
    blocks = [
        context(user_text(found.account.name, NAME_LIMIT)),
        input_block(
            ids.KIND_FIELD, t(locale, "field_outcome" if activity.kind.is_deal else "field_kind"), kind
        ),
        input_block(ids.DATE_FIELD, t(locale, "field_date"), date_picker),
    ]
    if activity.kind.is_deal:
        blocks.append(input_block(ids.AMOUNT_FIELD, t(locale, "field_amount"), amount, optional=True))
    blocks.append(input_block(ids.NOTE_FIELD, t(locale, "field_note"), note, optional=True))
    return modal(
        ids.EDIT_ACTIVITY_CALLBACK,
        t(locale, "modal_edit_title"),
        t(locale, "modal_edit_submit"),
        t(locale, "modal_cancel"),
        ids.correction_target(activity.id, channel_id),
        blocks,
    )
