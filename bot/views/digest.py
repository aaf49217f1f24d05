"""The morning digest DM and its in-place updates after a button press."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, TypeVar

from bot import interactions as ids
from bot.domain.followups import AFTER_SALE_DAYS, SNOOZE_WEEKS, FollowupSource
from bot.domain.lapse import DEFAULT_RULES, Lapse
from bot.domain.recovery import still_owed
from bot.i18n import period, t
from bot.views import recovery as recovery_view
from bot.views import winback as winback_view
from bot.views.blocks import (
    MESSAGE_BLOCKS,
    MESSAGE_TEXT_BUDGET,
    NAME_LIMIT,
    NOTE_LIMIT,
    Block,
    Message,
    actions,
    button,
    context,
    divider,
    fmt_date,
    header,
    message,
    plain,
    section,
    stage_name,
    text_length,
    user_text,
)

if TYPE_CHECKING:
    # A view-model type of the service's; the view needs it only for its annotations.
    from bot.services.digests import Digest, FollowupItem, LapsingItem, RecoveryItem, StalledItem

T = TypeVar("T")

MAX_FOLLOWUPS = 8
MAX_RECOVERIES = 4
MAX_LAPSING = 8
MAX_STALLED = 4


@dataclass(frozen=True)
class Part:
    """One list of a digest: its title blocks, its items' blocks (each item whole), how many items in all."""

    head: list[Block]
    items: list[list[Block]]
    total: int


def digest_message(digest: Digest, locale: str) -> Message:
    day = digest.day
    lists = [
        listed(
            "digest_followups",
            digest.followups,
            MAX_FOLLOWUPS,
            lambda item: followup_blocks(item, day, locale),
            locale,
            first=True,
        ),
        recoveries_part(digest, locale),
        listed(
            "digest_lapsing", digest.lapsing, MAX_LAPSING, lambda item: lapsing_blocks(item, locale), locale
        ),
        listed(
            "digest_stalled",
            digest.stalled,
            MAX_STALLED,
            lambda item: [_stalled_block(item, day, locale)],
            locale,
        ),
    ]
    parts = [part for part in lists if part.total]  # an empty list is left out, title and all
    tail = (
        [
            context(
                t(
                    locale,
                    "digest_quiet_acquaintances",
                    count=digest.quiet_acquaintances,
                    days=DEFAULT_RULES.acquaintance_quiet_days,
                )
            )
        ]
        if digest.quiet_acquaintances
        else []
    )
    blocks = assemble(
        [header(t(locale, "digest_title", date=fmt_date(day, locale, day)))], parts, tail, locale
    )
    summary = t(
        locale,
        "digest_fallback",
        followups=len(digest.followups),
        recoveries=len(digest.recoveries),
        lapsing=len(digest.lapsing),
    )
    return message(summary, blocks)


def listed(
    key: str,
    items: Sequence[T],
    limit: int,
    blocks_of: Callable[[T], list[Block]],
    locale: str,
    *,
    first: bool = False,
) -> Part:
    """One list of the digest (or the Home tab): its title with the count, the blocks of its first
    `limit` items (`assemble` then shows as many as fit), and how many there are in all."""
    return Part(
        list_head(key, len(items), locale, first=first),
        [blocks_of(item) for item in items[:limit]],
        len(items),
    )


def recoveries_part(digest: Digest, locale: str) -> Part:
    """The recoveries the rep still owes a step on, as the digest and the Home tab both list them."""
    return listed(
        "digest_recoveries",
        digest.recoveries,
        MAX_RECOVERIES,
        lambda item: recovery_blocks(item, digest.day, locale),
        locale,
    )


def list_head(key: str, count: int, locale: str, *, first: bool = False) -> list[Block]:
    title = section("*" + t(locale, key, count=count) + "*")
    return [title] if first else [divider(), title]


def assemble(
    top: list[Block],
    parts: list[Part],
    tail: list[Block],
    locale: str,
    *,
    max_blocks: int = MESSAGE_BLOCKS,
    budget: int = MESSAGE_TEXT_BUDGET,
) -> list[Block]:
    """The lists in order, each with as many whole items as Slack's limits leave room for (a heavy rep's
    long names and notes must not make Slack refuse the message), and an "…and N more" line for the rest.
    Room for every title and every "…and N more" line is kept first; then every list gets its first item,
    so that a long list of follow-ups cannot push the recoveries out; then the lists fill up in order."""
    fixed = top + tail + [block for part in parts for block in part.head + more(part.total, locale)]
    room = budget - text_length(fixed)
    blocks_room = max_blocks - len(fixed)
    shown = [0] * len(parts)

    def place(index: int) -> bool:
        nonlocal room, blocks_room
        item = parts[index].items[shown[index]]
        weight = text_length(item)
        if weight > room or len(item) > blocks_room:
            return False
        room -= weight
        blocks_room -= len(item)
        shown[index] += 1
        return True

    for index, part in enumerate(parts):
        if part.items:
            place(index)
    for index, part in enumerate(parts):
        while shown[index] and shown[index] < len(part.items) and place(index):
            pass
    out = list(top)
    for index, part in enumerate(parts):
        out.extend(part.head)
        for item in part.items[: shown[index]]:
            out.extend(item)
        out.extend(more(part.total - shown[index], locale))
    out.extend(tail)
    return out


def followup_blocks(item: FollowupItem, today: date, locale: str) -> list[Block]:
    overdue = (today - item.due_on).days
    when = (
        t(locale, "followup_overdue", date=fmt_date(item.due_on, locale, today), days=overdue)
        if overdue > 0
        else t(locale, "followup_due_today")
    )
    what = f" — {user_text(item.note, NOTE_LIMIT)}" if item.note else ""
    source = t(locale, f"followup_source_{item.source}", period=period(locale, AFTER_SALE_DAYS))
    text = f"*{user_text(item.account_name, NAME_LIMIT)}*{what}\n{when} · {source}"
    # After the sale: the seed's thank-you and call, and Done asks whether the customer is satisfied.
    after_sale = item.source == FollowupSource.AFTER_SALE.value
    if after_sale:
        text += "\n" + recovery_view.after_sale_hint(locale)
    done = recovery_view.after_sale_buttons(item.id, locale) if after_sale else []
    return [
        {**section(text), "block_id": ids.followup_item(item.id)},
        actions(
            *(done or [button(t(locale, "button_done"), ids.FOLLOWUP_DONE, str(item.id), style="primary")]),
            button(t(locale, "button_snooze", weeks=SNOOZE_WEEKS), ids.FOLLOWUP_SNOOZE, str(item.id)),
            {
                "type": "datepicker",
                "action_id": ids.FOLLOWUP_RESCHEDULE,
                "placeholder": plain(t(locale, "button_reschedule")),
            },
            block_id=ids.item_actions(ids.followup_item(item.id)),
        ),
    ]


def recovery_blocks(item: RecoveryItem, today: date, locale: str) -> list[Block]:
    owed = ", ".join(t(locale, f"recovery_owed_{step}") for step in still_owed(item.status, item.steps_done))
    text = (
        f"*{user_text(item.account_name, NAME_LIMIT)}* — {user_text(item.what, NOTE_LIMIT)}\n"
        + t(
            locale,
            "recovery_line",
            status=t(locale, f"recovery_status_{item.status.value}"),
            date=fmt_date(item.opened_on, locale, today),
        )
        + (f"\n{t(locale, 'recovery_owed', owed=owed)}" if owed else "")
    )
    blocks = [{**section(text), "block_id": ids.recovery_item(item.id)}]
    # One half at a time: Responded, then the next delivery's date; no one-click Recovered (issue 12).
    next_step = recovery_view.item_actions(item.id, item.status, item.delivery_on, locale)
    if next_step is not None:
        blocks.append(next_step)
    return blocks


def lapsing_blocks(item: LapsingItem, locale: str) -> list[Block]:
    """A lapsing account; a dormant one (a former customer gone quiet) with *Draft win-back letter*."""
    blocks = [lapsing_block(item, locale)]
    if item.lapse is Lapse.DORMANT:
        blocks.append(actions(winback_view.draft_button(item.account_id, locale)))
    return blocks


def lapsing_block(item: LapsingItem, locale: str) -> Block:
    stage = stage_name(item.step.stage, locale)
    line = t(
        locale,
        f"lapse_{item.lapse.value}",
        days=item.quiet_days,
        period=period(locale, DEFAULT_RULES.customer_archive_days),
    )
    name = user_text(item.account_name, NAME_LIMIT)
    text = f"*{name}* ({stage}) — {line}"
    return section(
        text, accessory=button(t(locale, "button_log_meeting"), ids.OPEN_LOG_MEETING, str(item.account_id))
    )


def _stalled_block(item: StalledItem, today: date, locale: str) -> Block:
    days = (today - item.proposed_on).days
    text = f"*{user_text(item.account_name, NAME_LIMIT)}* — " + t(
        locale, "stalled_line", date=fmt_date(item.proposed_on, locale, today), days=days
    )
    return section(
        text, accessory=button(t(locale, "button_log_deal"), ids.OPEN_LOG_DEAL, str(item.account_id))
    )


def more(count: int, locale: str) -> list[Block]:
    return [context(t(locale, "digest_more", count=count))] if count > 0 else []


def replace_item(blocks: list[dict[str, Any]], block_id: str, note: str) -> list[dict[str, Any]]:
    """The message's blocks with the item's buttons replaced by what happened (who, when, what). A line
    left by an earlier press of the same item gives way to the new one: block ids stay unique."""
    done_id, actions_id = ids.item_done(block_id), ids.item_actions(block_id)
    if not any(block.get("block_id") == actions_id for block in blocks):
        return list(blocks)
    updated = []
    for block in blocks:
        if block.get("block_id") == actions_id:
            updated.append({**context(note), "block_id": done_id})
        elif block.get("block_id") != done_id:
            updated.append(block)
    return updated
