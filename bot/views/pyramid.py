"""`/pyramid`: the distribution drawn as a pyramid, the health check and what to do about it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING

from bot import interactions as ids
from bot.domain.analytics import (
    ACTIVE_WITHIN_DAYS,
    CONVERSION_WINDOW_DAYS,
    RETENTION_AFTER_DAYS,
    RETENTION_REFERENCE,
    TREND_MONTH_DAYS,
    TREND_WEEK_DAYS,
)
from bot.domain.health import judge
from bot.domain.pyramid import Distribution, Health, health
from bot.domain.stages import Stage, steps_of
from bot.i18n import period, t
from bot.views.blocks import (
    Block,
    Message,
    actions,
    button,
    context,
    fmt_date,
    mention,
    message,
    section,
    stage_name,
    step_name,
)
from bot.views.health import flow_text, revenue_text, verdict_text

if TYPE_CHECKING:
    # A view-model type of the service's; the view needs it only for its annotations.
    from bot.services.analytics import Analytics

BAR_WIDTH = 24


def pyramid_message(
    dist: Distribution,
    check: Health,
    *,
    title: str,
    detail: bool,
    locale: str,
    share_value: dict[str, object] | None,
    shared_by: str | None = None,
    analytics: Analytics | None = None,
) -> Message:
    if dist.total == 0 and dist.outside.total == 0:
        text = t(locale, "pyramid_empty")
        return message(text, [section(f"*{title}*"), section(text)])
    blocks = [
        section(f"*{title}*"),
        section("```\n" + draw(dist, detail=detail, locale=locale, analytics=analytics) + "\n```"),
        context(t(locale, "pyramid_total", total=dist.total)),
        *outside_blocks(dist, locale, everything=True),
    ]
    if analytics is not None and analytics.flow is not None:
        # Health = shape and flow (issue 11): the flow's figures under the verdict.
        blocks.append(section(verdict_text(judge(dist, analytics.flow), locale)))
        flow = flow_text(analytics.flow, locale)
        if analytics.dormant_as_of is not None:
            flow += "\n" + t(locale, "flow_dormant_as_of", when=_when(analytics.dormant_as_of, locale))
        blocks.append(context(flow))
    else:
        blocks.append(section(health_text(check, locale)))
    if analytics is not None and analytics.revenue is not None:
        blocks.append(section(revenue_text(analytics.revenue, locale)))
    if analytics is not None:
        blocks.append(context(analytics_text(analytics, locale)))
    if shared_by is not None:
        blocks.append(context(t(locale, "shared_by", user=f"<@{shared_by}>")))
    if share_value is not None:
        blocks.append(
            actions(
                button(t(locale, "button_share"), ids.SHARE_PYRAMID, share_value), block_id=ids.PYRAMID_BLOCK
            )
        )
    counts = " · ".join(f"{stage.value}: {dist.by_stage[stage]}" for stage in reversed(Stage))
    return message(f"{title} — {counts}", blocks)


def draw(
    dist: Distribution,
    *,
    detail: bool,
    locale: str,
    analytics: Analytics | None = None,
    week_only: dict[Stage, int] | None = None,
) -> str:
    """Stage 4 on top, bars centred so the shape reads as a pyramid (or shows that it is not one)."""
    by_stage = dist.by_stage
    widest = max(by_stage.values()) or 1
    lines = []
    week, month = (
        t(locale, "trend_week", days=TREND_WEEK_DAYS),
        t(locale, "trend_month", days=TREND_MONTH_DAYS),
    )
    if analytics is not None:
        lines.append(f"{'':{BAR_WIDTH}} {'':>6} {week:>6} {month:>6}")
    elif week_only is not None:
        lines.append(f"{'':{BAR_WIDTH}} {'':>6} {week:>6}")
    for stage in reversed(Stage):
        count = by_stage[stage]
        width = 0 if count == 0 else max(1, round(count / widest * BAR_WIDTH))
        bar = ("█" * width).center(BAR_WIDTH)
        changes = ""
        if analytics is not None:
            changes = f" {_delta(analytics.week, stage):>6} {_delta(analytics.month, stage):>6}"
        elif week_only is not None:
            changes = f" {_delta(week_only, stage):>6}"
        lines.append(f"{bar} {count:>6}{changes}  {stage.value} {stage_name(stage, locale)}")
        if detail:
            for step in reversed(steps_of(stage)):
                lines.append(
                    f"{'':{BAR_WIDTH}} {dist.count(step):>6}    {step.label} {step_name(step, locale)}"
                )
    return "\n".join(lines)


def outside_blocks(dist: Distribution, locale: str, *, everything: bool = False) -> list[Block]:
    """Beside the pyramid: the win-back candidates (dormant, lost) by stage; with `everything`, also
    every account by status (archived included), so that nothing is dropped silently."""
    outside = dist.outside
    blocks: list[Block] = []
    if outside.win_back:
        blocks.append(
            context(
                t(
                    locale,
                    "outside_win_back",
                    dormant=outside.dormant_total,
                    dormant_stages=_by_stage(outside.dormant, locale),
                    lost=outside.lost_total,
                    lost_stages=_by_stage(outside.lost, locale),
                )
            )
        )
    if everything and outside.total:
        blocks.append(
            context(
                t(
                    locale,
                    "outside_all",
                    all=dist.total + outside.total,
                    active=dist.total,
                    dormant=outside.dormant_total,
                    lost=outside.lost_total,
                    archived=outside.archived_total,
                )
            )
        )
    return blocks


def _by_stage(counts: Mapping[Stage, int], locale: str) -> str:
    """ " (stage 4: 1 · 3: 2)", top stage first, only stages with some; nothing when there are none."""
    stages = " · ".join(f"{stage.value}: {counts[stage]}" for stage in reversed(Stage) if counts.get(stage))
    return t(locale, "outside_by_stage", stages=stages) if stages else ""


def health_text(check: Health, locale: str) -> str:
    if check.healthy:
        return "✅ " + t(locale, "health_ok")
    lines = ["⚠️ " + t(locale, "health_bad")]
    for problem in check.problems:
        lines.append("• " + t(locale, problem.code, lower=problem.lower_count, upper=problem.upper_count))
    return "\n".join(lines)


def _delta(changes: dict[Stage, int] | None, stage: Stage) -> str:
    if changes is None:
        return "–"
    value = changes[stage]
    return f"{value:+d}" if value else "±0"


def analytics_text(analytics: Analytics, locale: str) -> str:
    conversions = " · ".join(
        f"{stage.value}→{stage.value + 1} {_percent(share)}" for stage, share in analytics.conversion.items()
    )
    medians = " · ".join(
        f"{stage.value}: {round(days) if days is not None else '–'}"
        for stage, days in analytics.median_days.items()
        if stage is not Stage.REPEATER
    )
    lines = [
        t(locale, "analytics_conversion", conversions=conversions, days=CONVERSION_WINDOW_DAYS),
        t(locale, "analytics_median_days", medians=medians),
    ]
    retention = analytics.retention
    if retention.share is None:
        lines.append(
            t(
                locale,
                "analytics_retention_none",
                reference=_percent(RETENTION_REFERENCE),
                period=period(locale, RETENTION_AFTER_DAYS),
            )
        )
    else:
        lines.append(
            t(
                locale,
                "analytics_retention",
                active=retention.active,
                customers=retention.customers,
                share=_percent(retention.share),
                reference=_percent(RETENTION_REFERENCE),
                days=ACTIVE_WITHIN_DAYS,
                period=period(locale, RETENTION_AFTER_DAYS),
            )
        )
    if analytics.retention_as_of is not None:
        lines.append(t(locale, "analytics_as_of", when=_when(analytics.retention_as_of, locale)))
    if analytics.week is None:
        lines.append(t(locale, "analytics_no_trend"))
    return "\n".join(lines)


def _when(moment: datetime | date, locale: str) -> str:
    """A day, with the time when there is one: 2026-11-24 (Tue) 09:05, 2026/11/24(火) 09:05."""
    if isinstance(moment, datetime):
        return f"{fmt_date(moment.date(), locale)} {moment:%H:%M}"
    return fmt_date(moment, locale)


def _percent(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def pyramid_reply(
    dist: Distribution,
    numbers: Analytics,
    scope: str,
    owner: str | None,
    detail: bool,
    locale: str,
    shared_by: str | None = None,
) -> Message:
    """`/pyramid` (with a Share button) and a pyramid `shared_by` someone (without), titled for who
    sees it."""
    if scope == "team" or owner is None:
        title = t(locale, "pyramid_title_team")
    elif scope == "me" and shared_by is None:
        # "Your pyramid" only to its owner; in a channel it is named.
        title = t(locale, "pyramid_title_me")
    else:
        title = t(locale, "pyramid_title_user", user=mention(owner))
    return pyramid_message(
        dist,
        health(dist),
        title=title,
        detail=detail,
        locale=locale,
        share_value=ids.share_value(scope, owner, detail) if shared_by is None else None,
        shared_by=shared_by,
        analytics=numbers,
    )
