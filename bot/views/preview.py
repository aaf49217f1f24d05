"""The preview of a message in plain words, and what *Log all* stored (issue 14).

One line per item with what it would do (the step it moves an account to, the follow-up's date, the
recovery it opens), what could not be read shown as such, then *Log all* and *Cancel*."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from bot.domain.extraction import AccountRef, Extraction
from bot.i18n import planned_action, t
from bot.interactions import (
    PREVIEW_ACTIONS,
    PREVIEW_ADD,
    PREVIEW_CANCEL,
    PREVIEW_CONFIRM,
    PREVIEW_EDIT,
    PreviewItemKind,
    preview_add_value,
    preview_item_value,
)
from bot.views.blocks import (
    MESSAGE_BLOCKS,
    MESSAGE_TEXT_BUDGET,
    NOTE_LIMIT,
    ONE_NAME_LIMIT,
    Block,
    Message,
    actions,
    button,
    context,
    fmt_amount,
    fmt_date,
    message,
    section,
    step_name,
    user_text,
)
from bot.views.replies import logged, plain_notice

if TYPE_CHECKING:
    from bot.usecases.freetext import Confirmed, PreviewFacts


# Room for the introduction, the unread lines (UNREAD_BLOCKS with an *Add*, the rest in one context
# block) and the buttons.
UNREAD_BLOCKS = 3
ITEM_BLOCKS = MESSAGE_BLOCKS - 6 - UNREAD_BLOCKS


def preview_message(facts: PreviewFacts, locale: str, today: date, *, edited: bool = False) -> Message:
    """The preview; each item with an *Edit* button (a modal to correct it). `edited`: shown again
    after an edit."""
    extraction = facts.extraction
    if extraction.is_empty:
        return plain_notice(t(locale, "preview_nothing"))
    intro = "preview_edited" if edited else "preview_intro"
    head = section(t(locale, intro if extraction.items else "preview_unread_only"))
    tail: list[Block] = []
    if extraction.unread:
        # Two words of one sentence may both be unread for one reason: the sentence is shown once.
        # The first few have an *Add* (a modal with what was understood of them), the rest are listed.
        unread = list(dict.fromkeys((item.text, item.reason) for item in extraction.unread))
        add = t(locale, "preview_add")
        offered: set[str] = set()
        for text, reason in unread:
            if len(offered) < UNREAD_BLOCKS and text not in offered:
                offered.add(text)
                line = _unread_line(text, reason, locale)
                tail.append(section(line, button(add, PREVIEW_ADD, preview_add_value(facts.id, text))))
        rest = [_unread_line(text, reason, locale) for text, reason in unread if text not in offered]
        if rest:
            tail.append(context("\n".join(rest)))
    if extraction.items:
        tail.append(
            actions(
                button(t(locale, "preview_log_all"), PREVIEW_CONFIRM, facts.id, style="primary"),
                button(t(locale, "preview_cancel"), PREVIEW_CANCEL, facts.id),
                block_id=PREVIEW_ACTIONS,
            )
        )
    # As many items as fit in the blocks and in the text Slack accepts in one message; the rest counted.
    lines = _item_lines(facts, locale, today)
    edit = t(locale, "preview_edit")
    room = MESSAGE_TEXT_BUDGET - _text_length([head, *tail]) - len(t(locale, "preview_more", count=999))
    items: list[Block] = []
    for line, kind, index in lines[:ITEM_BLOCKS]:
        block = section(line, button(edit, PREVIEW_EDIT, preview_item_value(facts.id, kind, index)))
        room -= _text_length([block])
        if room < 0:
            break
        items.append(block)
    blocks = [head, *items]
    if len(lines) > len(items):
        blocks.append(context(t(locale, "preview_more", count=len(lines) - len(items))))
    blocks.extend(tail)
    return message(t(locale, "preview_text", count=len(extraction.items)), blocks)


def _text_length(node: object) -> int:
    """The characters Slack counts against a message's blocks: every string but the `type` names."""
    if isinstance(node, str):
        return len(node)
    if isinstance(node, dict):
        return sum(_text_length(value) for key, value in node.items() if key != "type")
    if isinstance(node, list):
        return sum(_text_length(value) for value in node)
    return 0


def _item_lines(facts: PreviewFacts, locale: str, today: date) -> list[tuple[str, PreviewItemKind, int]]:
    """Each item's line, with its kind and index in the preview (what its *Edit* button names)."""
    extraction: Extraction = facts.extraction
    lines: list[tuple[str, PreviewItemKind, int]] = []
    # An account's climb counts all of its activities here: it is shown once, under the last of them.
    last_of = {activity.account.known: index for index, activity in enumerate(extraction.activities)}
    for index, activity in enumerate(extraction.activities):
        parts = [
            "• " + _account(activity.account, locale),
            t(locale, f"kind_{activity.kind.value}"),
            fmt_date(activity.on, locale, today),
        ]
        if activity.amount is not None:
            parts.append(fmt_amount(activity.amount, locale))
        line = " · ".join(parts)
        if activity.note:
            line += "\n   " + user_text(activity.note, NOTE_LIMIT)
        change = facts.climbs.get(activity.account.known or "")
        if change is not None and last_of.get(activity.account.known) == index:
            line += "\n   ↗ " + t(
                locale,
                "preview_climb",
                before=f"{change.before.label} {step_name(change.before, locale)}",
                after=f"{change.after.label} {step_name(change.after, locale)}",
            )
        lines.append((line, "activity", index))
    for index, followup in enumerate(extraction.followups):
        what = f" — {user_text(planned_action(locale, followup.what), NOTE_LIMIT)}" if followup.what else ""
        line = "• 📅 " + t(
            locale,
            "preview_followup",
            account=_account(followup.account, locale),
            date=fmt_date(followup.due, locale, today),
        )
        lines.append((line + what, "followup", index))
    for index, trouble in enumerate(extraction.troubles):
        line = "• ⚠️ " + t(
            locale,
            "preview_trouble",
            account=_account(trouble.account, locale),
            what=user_text(trouble.what, NOTE_LIMIT),
        )
        lines.append((line, "trouble", index))
    return lines


def _account(ref: AccountRef, locale: str) -> str:
    name = "*" + user_text(ref.proposed, ONE_NAME_LIMIT) + "*"
    if ref.known is not None:
        return name
    if ref.suggestions:
        return name + " " + t(locale, "preview_did_you_mean", written=user_text(ref.written, ONE_NAME_LIMIT))
    return name + " " + t(locale, "preview_new_account")


def _unread_line(text: str, reason: str, locale: str) -> str:
    return "❓ " + t(
        locale, "preview_unread", text=user_text(text, NOTE_LIMIT), why=t(locale, f"unread_{reason}")
    )


def confirmed_message(confirmed: Confirmed, locale: str, today: date) -> Message:
    """What *Log all* stored, as the slash commands answer it; or that it had been answered already."""
    if confirmed.gone:
        return plain_notice(t(locale, "preview_gone"))
    blocks: list[Block] = []
    for result in confirmed.logged:
        blocks.extend(logged(result, locale)["blocks"])
    for name, due in confirmed.followups:
        blocks.append(
            section(
                "📅 "
                + t(
                    locale,
                    "followup_scheduled",
                    account=user_text(name, ONE_NAME_LIMIT),
                    date=fmt_date(due, locale, today),
                )
            )
        )
    for recovery in confirmed.troubles:
        blocks.append(
            section(
                "⚠️ "
                + t(
                    locale, "preview_trouble_opened", account=user_text(recovery.account_name, ONE_NAME_LIMIT)
                )
            )
        )
    if len(blocks) > MESSAGE_BLOCKS:
        blocks = [
            *blocks[: MESSAGE_BLOCKS - 1],
            context(t(locale, "preview_more", count=len(blocks) - MESSAGE_BLOCKS + 1)),
        ]
    count = len(confirmed.logged) + len(confirmed.followups) + len(confirmed.troubles)
    return message(t(locale, "preview_stored", count=count), blocks)


def cancelled_message(locale: str) -> Message:
    return plain_notice(t(locale, "preview_cancelled"))
