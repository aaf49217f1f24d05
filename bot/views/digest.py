"""The morning digest DM and its in-place updates after a button press."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.domain.lapse import Lapse
from bot.domain.recovery import RecoveryStatus, still_owed
from bot.i18n import t
from bot.services.digests import Digest, FollowupItem, LapsingItem, RecoveryItem, StalledItem
from bot.views.blocks import (
    Block,
    Message,
    actions,
    button,
    context,
    divider,
    escape,
    fmt_date,
    header,
    message,
    plain,
    section,
    stage_name,
)

MAX_FOLLOWUPS = 8
MAX_RECOVERIES = 4
MAX_LAPSING = 8
MAX_STALLED = 4


def digest_message(digest: Digest, locale: str) -> Message:
    day = digest.day
    blocks: list[Block] = [header(t(locale, "digest_title", date=fmt_date(day, locale)))]
    if digest.followups:
        blocks.append(section("*" + t(locale, "digest_followups", count=len(digest.followups)) + "*"))
        for item in digest.followups[:MAX_FOLLOWUPS]:
            blocks.extend(followup_blocks(item, day, locale))
        blocks.extend(more(len(digest.followups) - MAX_FOLLOWUPS, locale))
    if digest.recoveries:
        blocks.append(divider())
        blocks.append(section("*" + t(locale, "digest_recoveries", count=len(digest.recoveries)) + "*"))
        for recovery in digest.recoveries[:MAX_RECOVERIES]:
            blocks.extend(recovery_blocks(recovery, day, locale))
        blocks.extend(more(len(digest.recoveries) - MAX_RECOVERIES, locale))
    if digest.lapsing:
        blocks.append(divider())
        blocks.append(section("*" + t(locale, "digest_lapsing", count=len(digest.lapsing)) + "*"))
        for lapsing in digest.lapsing[:MAX_LAPSING]:
            blocks.append(lapsing_block(lapsing, locale))
        blocks.extend(more(len(digest.lapsing) - MAX_LAPSING, locale))
    if digest.stalled:
        blocks.append(divider())
        blocks.append(section("*" + t(locale, "digest_stalled", count=len(digest.stalled)) + "*"))
        for stalled in digest.stalled[:MAX_STALLED]:
            blocks.append(_stalled_block(stalled, day, locale))
        blocks.extend(more(len(digest.stalled) - MAX_STALLED, locale))
    if digest.quiet_acquaintances:
        blocks.append(context(t(locale, "digest_quiet_acquaintances", count=digest.quiet_acquaintances)))
    summary = t(
        locale,
        "digest_fallback",
        followups=len(digest.followups),
        recoveries=len(digest.recoveries),
        lapsing=len(digest.lapsing),
    )
    return message(summary, blocks)


def followup_blocks(item: FollowupItem, today: date, locale: str) -> list[Block]:
    overdue = (today - item.due_on).days
    when = (
        t(locale, "followup_overdue", date=fmt_date(item.due_on, locale), days=overdue)
        if overdue > 0
        else t(locale, "followup_due_today")
    )
    what = f" — {escape(item.note)}" if item.note else ""
    source = t(locale, f"followup_source_{item.source}")
    text = f"*{escape(item.account_name)}*{what}\n{when} · {source}"
    return [
        {**section(text), "block_id": f"fu_{item.id}"},
        actions(
            button(t(locale, "button_done"), "followup_done", str(item.id), style="primary"),
            button(t(locale, "button_snooze"), "followup_snooze", str(item.id)),
            {
                "type": "datepicker",
                "action_id": "followup_reschedule",
                "placeholder": plain(t(locale, "button_reschedule")),
            },
            block_id=f"fu_{item.id}_actions",
        ),
    ]


def recovery_blocks(item: RecoveryItem, today: date, locale: str) -> list[Block]:
    owed = ", ".join(t(locale, f"recovery_owed_{step}") for step in still_owed(item.status, item.steps_done))
    text = (
        f"*{escape(item.account_name)}* — {escape(item.what[:300])}\n"
        + t(
            locale,
            "recovery_line",
            status=t(locale, f"recovery_status_{item.status.value}"),
            date=fmt_date(item.opened_on, locale),
        )
        + (f"\n{t(locale, 'recovery_owed', owed=owed)}" if owed else "")
    )
    buttons = []
    if item.status is RecoveryStatus.OPEN:
        buttons.append(
            button(t(locale, "button_responded"), "recovery_responded", str(item.id), style="primary")
        )
    if item.status is RecoveryStatus.RESPONDED:
        buttons.append(
            button(t(locale, "button_recovered"), "recovery_recovered", str(item.id), style="primary")
        )
    buttons.append(button(t(locale, "button_recovery_lost"), "recovery_lost", str(item.id), style="danger"))
    return [
        {**section(text), "block_id": f"rc_{item.id}"},
        actions(*buttons, block_id=f"rc_{item.id}_actions"),
    ]


def lapsing_block(item: LapsingItem, locale: str, *, with_draft: bool = True) -> Block:
    stage = stage_name(item.step.stage, locale)
    line = t(locale, f"lapse_{item.lapse.value}", days=item.quiet_days)
    text = f"*{escape(item.account_name)}* ({stage}) — {line}"
    if item.lapse is Lapse.DORMANT and with_draft:
        text += "\n>" + t(locale, "winback_draft", account=escape(item.account_name)).replace("\n", "\n>")
    return section(
        text, accessory=button(t(locale, "button_log_meeting"), "open_log_meeting", str(item.account_id))
    )


def _stalled_block(item: StalledItem, today: date, locale: str) -> Block:
    days = (today - item.proposed_on).days
    text = f"*{escape(item.account_name)}* — " + t(
        locale, "stalled_line", date=fmt_date(item.proposed_on, locale), days=days
    )
    return section(
        text, accessory=button(t(locale, "button_log_deal"), "open_log_deal", str(item.account_id))
    )


def more(count: int, locale: str) -> list[Block]:
    return [context(t(locale, "digest_more", count=count))] if count > 0 else []


def replace_item(blocks: list[dict[str, Any]], block_id: str, note: str) -> list[dict[str, Any]]:
    """The message's blocks with the item's buttons replaced by what happened (who, when, what)."""
    updated = []
    for block in blocks:
        if block.get("block_id") == f"{block_id}_actions":
            updated.append(
                {
                    "type": "context",
                    "block_id": f"{block_id}_done",
                    "elements": [{"type": "mrkdwn", "text": note}],
                }
            )
        else:
            updated.append(block)
    return updated
