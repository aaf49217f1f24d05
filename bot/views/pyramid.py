"""`/pyramid`: the distribution drawn as a pyramid, the health check and what to do about it."""

from __future__ import annotations

from bot.domain.pyramid import Distribution, Health
from bot.domain.stages import Stage, steps_of
from bot.i18n import t
from bot.views.blocks import Message, actions, button, context, message, section, stage_name, step_name

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
) -> Message:
    if dist.total == 0:
        text = t(locale, "pyramid_empty")
        return message(text, [section(f"*{title}*"), section(text)])
    blocks = [
        section(f"*{title}*"),
        section("```\n" + draw(dist, detail=detail, locale=locale) + "\n```"),
        context(t(locale, "pyramid_total", total=dist.total)),
        section(health_text(check, locale)),
    ]
    if shared_by is not None:
        blocks.append(context(t(locale, "shared_by", user=f"<@{shared_by}>")))
    if share_value is not None:
        blocks.append(
            actions(button(t(locale, "button_share"), "share_pyramid", share_value), block_id="pyramid")
        )
    counts = " · ".join(f"{stage.value}: {dist.by_stage[stage]}" for stage in reversed(Stage))
    return message(f"{title} — {counts}", blocks)


def draw(dist: Distribution, *, detail: bool, locale: str) -> str:
    """Stage 4 on top, bars centred so the shape reads as a pyramid (or shows that it is not one)."""
    by_stage = dist.by_stage
    widest = max(by_stage.values()) or 1
    lines = []
    for stage in reversed(Stage):
        count = by_stage[stage]
        width = 0 if count == 0 else max(1, round(count / widest * BAR_WIDTH))
        bar = ("█" * width).center(BAR_WIDTH)
        lines.append(f"{bar} {count:>6}  {stage.value} {stage_name(stage, locale)}")
        if detail:
            for step in reversed(steps_of(stage)):
                lines.append(
                    f"{'':{BAR_WIDTH}} {dist.count(step):>6}    {step.label} {step_name(step, locale)}"
                )
    return "\n".join(lines)


def health_text(check: Health, locale: str) -> str:
    if check.healthy:
        return "✅ " + t(locale, "health_ok")
    lines = ["⚠️ " + t(locale, "health_bad")]
    for problem in check.problems:
        lines.append("• " + t(locale, problem.code, lower=problem.lower_count, upper=problem.upper_count))
    return "\n".join(lines)
