"""The words of the health rule (shape and flow) and of revenue beside counts, for `/pyramid`, the
weekly summary and the chart. Pure: view-models in, text out."""

from __future__ import annotations

from datetime import date

from bot.domain.analytics import RETENTION_AFTER_DAYS
from bot.domain.health import RECOVERY_OVERDUE_DAYS, WEEK_DAYS, Concern, ConcernKind, Flow, Verdict
from bot.domain.revenue import AccountRevenue, Revenue, StageRevenue
from bot.domain.stages import Stage
from bot.i18n import period, t
from bot.views.blocks import fmt_amount, fmt_date, stage_name


def verdict_text(verdict: Verdict, locale: str) -> str:
    """✅ only when the shape and the flow are sound; otherwise the weak points, the weakest first (the
    flow's in the method's order, then the shape's)."""
    if verdict.healthy:
        return "✅ " + t(locale, "health_flow_ok")
    lines = ["⚠️ " + t(locale, "health_flow_bad")]
    lines += ["• " + concern_text(concern, locale) for concern in verdict.concerns]
    if verdict.shape.empty:
        lines.append("• " + t(locale, "pyramid_empty"))
    for problem in verdict.shape.problems:
        lines.append("• " + t(locale, problem.code, lower=problem.lower_count, upper=problem.upper_count))
    return "\n".join(lines)


def concern_text(concern: Concern, locale: str) -> str:
    if concern.kind is ConcernKind.RECOVERY_OVERDUE:
        return t(locale, concern.code, limit=RECOVERY_OVERDUE_DAYS, count=concern.count, days=concern.days)
    if concern.kind is ConcernKind.RETENTION_BELOW:
        return t(
            locale,
            concern.code,
            period=period(locale, RETENTION_AFTER_DAYS * concern.years),
            share=percent(concern.share),
            customers=concern.count,
            reference=curve_percent(concern.reference),
        )
    if concern.kind is ConcernKind.DORMANT_RISING:
        return t(locale, concern.code, count=concern.count, before=concern.before, days=WEEK_DAYS)
    return t(locale, concern.code, count=concern.count, average=average(concern.average), days=WEEK_DAYS)


def flow_text(flow: Flow, locale: str) -> str:
    """Two lines: the last 7 days' flow, and retention against the method's curve."""
    if flow.open_recoveries:
        recoveries = t(
            locale, "flow_recoveries", count=flow.open_recoveries, days=flow.oldest_recovery_days or 0
        )
    else:
        recoveries = t(locale, "flow_recoveries_none")
    lines = [
        t(
            locale,
            "flow_line",
            days=WEEK_DAYS,
            new=flow.new_this_week,
            average=average(flow.new_average),
            dormant=flow.dormant_this_week,
            recoveries=recoveries,
        )
    ]
    if flow.retention:
        points = " · ".join(
            t(
                locale,
                "flow_retention_point",
                period=period(locale, RETENTION_AFTER_DAYS * point.years),
                share=percent(point.share),
                reference=curve_percent(point.reference),
            )
            for point in flow.retention
        )
        lines.append(t(locale, "flow_retention", points=points))
    return "\n".join(lines)


def revenue_text(revenue: Revenue, locale: str) -> str:
    """Stage 4 first, as the pyramid is drawn: won this year · won last year · open proposals."""
    if revenue.empty:
        return t(locale, "revenue_none")
    lines = [t(locale, "revenue_head", year=revenue.year, last_year=revenue.year - 1)]
    for stage in reversed(Stage):
        part = revenue.of(stage)
        lines.append(
            "• "
            + t(
                locale,
                "revenue_line",
                stage=f"{stage.value} {stage_name(stage, locale)}",
                **_amounts(part, locale),
            )
        )
    lines.append(t(locale, "revenue_total", **_amounts(revenue.total, locale)))
    return "\n".join(lines)


def _amounts(part: StageRevenue, locale: str) -> dict[str, str]:
    return {
        "this_year": amount(part.this_year, locale),
        "last_year": amount(part.last_year, locale),
        "open": t(locale, "revenue_open", value=amount(part.open_value, locale), count=part.open_count)
        if part.open_count
        else "–",
    }


def card_revenue_text(revenue: AccountRevenue, today: date, locale: str) -> str:
    """The card's line: won this year, last year, and the open proposal with its day."""
    if revenue.open is not None:
        proposal = t(
            locale,
            "card_open_proposal",
            amount=fmt_amount(revenue.open.amount, locale),
            date=fmt_date(revenue.open.on, locale, today),
        )
    else:
        proposal = t(locale, "card_no_open_proposal")
    return t(
        locale,
        "card_revenue",
        year=revenue.year,
        this_year=amount(revenue.this_year, locale),
        last_year=revenue.year - 1,
        last_year_amount=amount(revenue.last_year, locale),
        open=proposal,
    )


def chart_amounts(revenue: Revenue, locale: str) -> dict[int, str]:
    """Per stage number, this year's won amount for the chart (stages with none left out)."""
    return {
        stage.value: t(locale, "chart_revenue", amount=fmt_amount(part.this_year, locale))
        for stage in Stage
        if (part := revenue.of(stage)).this_year
    }


def amount(value: int, locale: str) -> str:
    """An amount, or a dash for none (a column of zeros reads as noise)."""
    return fmt_amount(value, locale) if value else "–"


def percent(share: float | None) -> str:
    return "–" if share is None else f"{round(share * 100)}%"


def curve_percent(share: float) -> str:
    """The method's curve as it is stated: 50%, 27.5%, 16.5%."""
    return f"{share * 100:.1f}".rstrip("0").rstrip(".") + "%"


def average(value: float) -> str:
    """A weekly average as people say it: 3, 2.5 (one decimal at most)."""
    return f"{value:.1f}".rstrip("0").rstrip(".")
