"""The weekly team summary posted to the team channel (the chart goes in its thread)."""

from __future__ import annotations

from bot.domain.analytics import trend
from bot.domain.pyramid import health
from bot.i18n import t
from bot.services.summaries import Summary
from bot.views.announcements import stage_line
from bot.views.blocks import (
    Block,
    Message,
    context,
    divider,
    escape,
    fmt_amount,
    fmt_date,
    header,
    mention,
    message,
    section,
)
from bot.views.pyramid import draw, health_text

MAX_LINES = 10


def summary_message(summary: Summary, locale: str) -> Message:
    dist = summary.distribution
    week = trend(dist.by_stage, summary.last_week)
    blocks: list[Block] = [
        header(t(locale, "summary_title", date=fmt_date(summary.week_start, locale))),
        section("```\n" + draw(dist, detail=False, locale=locale, week_only=week or None) + "\n```"),
        context(t(locale, "pyramid_total", total=dist.total)),
        section(health_text(health(dist), locale)),
        divider(),
    ]
    lines = []
    for move in summary.advancements[:MAX_LINES]:
        lines.append(stage_line(move.user_id, move.account, move.before, move.after, move.kind, locale))
    for win in summary.wins[:MAX_LINES]:
        amount = f" {fmt_amount(win.amount, locale)}" if win.amount is not None else ""
        lines.append(
            "🎉 "
            + t(locale, "summary_win", user=mention(win.user_id), account=escape(win.account), amount=amount)
        )
    hidden = max(0, len(summary.advancements) - MAX_LINES) + max(0, len(summary.wins) - MAX_LINES)
    if hidden:
        lines.append(t(locale, "digest_more", count=hidden))
    blocks.append(
        section("*" + t(locale, "summary_moves") + "*\n" + ("\n".join(lines) or t(locale, "summary_none")))
    )
    blocks.append(section(t(locale, "summary_new_acquaintances", count=summary.new_acquaintances)))
    if summary.open_recoveries:
        recoveries = [
            f"• *{escape(name)}* — {escape(what[:150])} ({fmt_date(opened_on, locale)})"
            for name, what, opened_on in summary.open_recoveries[:MAX_LINES]
        ]
        blocks.append(
            section(
                "*"
                + t(locale, "summary_recoveries", count=len(summary.open_recoveries))
                + "*\n"
                + "\n".join(recoveries)
            )
        )
    if summary.quiet_by_rep:
        reps = [
            "• "
            + t(
                locale,
                "summary_quiet_line",
                user=mention(user),
                lapsing=counts.lapsing,
                dormant=counts.dormant,
            )
            for user, counts in list(summary.quiet_by_rep.items())[:20]
        ]
        blocks.append(section("*" + t(locale, "summary_quiet") + "*\n" + "\n".join(reps)))
    counts = dist.by_stage
    fallback = (
        t(locale, "summary_title", date=fmt_date(summary.week_start, locale))
        + " — "
        + " · ".join(f"{stage.value}: {counts[stage]}" for stage in reversed(list(counts)))
    )
    return message(fallback, blocks)
