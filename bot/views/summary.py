"""The weekly team summary posted to the team channel (the chart goes in its thread)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.domain.analytics import trend
from bot.domain.health import judge
from bot.domain.pyramid import health
from bot.i18n import t
from bot.views import recovery as recovery_view
from bot.views.announcements import stage_line
from bot.views.blocks import (
    NAME_LIMIT,
    SECTION_LIMIT,
    Block,
    Message,
    context,
    divider,
    fit_lines,
    fmt_amount,
    fmt_date,
    header,
    mention,
    message,
    section,
    user_text,
)
from bot.views.health import flow_text, revenue_text, verdict_text
from bot.views.pyramid import draw, health_text, outside_blocks

if TYPE_CHECKING:
    # A view-model type of the service's; the view needs it only for its annotations.
    from bot.services.summaries import Summary

MAX_LINES = 10
MAX_REPS = 20
# Each list keeps to its section and all of them together well inside Slack's message limit.
RECOVERIES_LIMIT = 2500
QUIET_LIMIT = 2000
WHAT_LIMIT = 150


def summary_message(summary: Summary, locale: str) -> Message:
    dist = summary.distribution
    week = trend(dist.by_stage, summary.last_week)
    blocks: list[Block] = [
        header(t(locale, "summary_title", date=fmt_date(summary.week_start, locale, summary.day))),
        section("```\n" + draw(dist, detail=False, locale=locale, week_only=week or None) + "\n```"),
        context(t(locale, "pyramid_total", total=dist.total)),
        *outside_blocks(dist, locale),
    ]
    if summary.flow is not None:
        blocks.append(section(verdict_text(judge(dist, summary.flow), locale)))
        blocks.append(context(flow_text(summary.flow, locale)))
    else:
        blocks.append(section(health_text(health(dist), locale)))
    if summary.revenue is not None:
        blocks.append(section(revenue_text(summary.revenue, locale)))
    blocks.append(divider())
    more = _more(locale)
    lines = []
    for move in summary.advancements[:MAX_LINES]:
        lines.append(stage_line(move.user_id, move.account, move.before, move.after, move.kind, locale))
    for win in summary.wins[:MAX_LINES]:
        amount = f" {fmt_amount(win.amount, locale)}" if win.amount is not None else ""
        lines.append(
            "🎉 "
            + t(
                locale,
                "summary_win",
                user=mention(win.user_id),
                account=user_text(win.account, NAME_LIMIT),
                amount=amount,
            )
        )
    hidden = max(0, len(summary.advancements) - MAX_LINES) + max(0, len(summary.wins) - MAX_LINES)
    moves_head = "*" + t(locale, "summary_moves") + "*"
    if lines or hidden:
        blocks.append(section(fit_lines(lines, SECTION_LIMIT, more, head=moves_head, hidden=hidden)))
    else:
        blocks.append(section(moves_head + "\n" + t(locale, "summary_none")))
    blocks.append(section(t(locale, "summary_new_acquaintances", count=summary.new_acquaintances)))
    if summary.open_recoveries:
        recoveries = [
            f"• *{user_text(name, NAME_LIMIT)}* — {user_text(what, WHAT_LIMIT)} ({when})"
            for name, what, on in summary.open_recoveries[:MAX_LINES]
            if (when := fmt_date(on, locale, summary.day))
        ]
        head = "*" + t(locale, "summary_recoveries", count=len(summary.open_recoveries)) + "*"
        hidden = len(summary.open_recoveries) - len(recoveries)
        blocks.append(section(fit_lines(recoveries, RECOVERIES_LIMIT, more, head=head, hidden=hidden)))
    blocks.extend(recovery_view.summary_blocks(summary.recovery_states, summary.repeated_causes, locale))
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
            for user, counts in list(summary.quiet_by_rep.items())[:MAX_REPS]
        ]
        head = "*" + t(locale, "summary_quiet") + "*"
        hidden = len(summary.quiet_by_rep) - len(reps)
        blocks.append(section(fit_lines(reps, QUIET_LIMIT, more, head=head, hidden=hidden)))
    counts = dist.by_stage
    fallback = (
        t(locale, "summary_title", date=fmt_date(summary.week_start, locale, summary.day))
        + " — "
        + " · ".join(f"{stage.value}: {counts[stage]}" for stage in reversed(list(counts)))
    )
    return message(fallback, blocks)


def _more(locale: str) -> Callable[[int], str]:
    return lambda count: t(locale, "digest_more", count=count)
