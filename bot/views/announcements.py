"""Stage announcements for the team channel: one line per stage change, 🎉 for a win."""

from __future__ import annotations

from bot.domain.activities import ActivityKind
from bot.domain.stages import Stage
from bot.i18n import t
from bot.views.blocks import (
    MESSAGE_TEXT_BUDGET,
    NAME_LIMIT,
    Message,
    mention,
    message,
    pack_lines,
    section,
    stage_name,
    user_text,
)

# An hour's announcements fill at most this many sections; the rest are counted in "…and N more".
HOURLY_SECTIONS = 3


def stage_line(
    user_id: str, account: str, before: Stage, after: Stage, kind: ActivityKind | None, locale: str
) -> str:
    return t(
        locale,
        "stage_announcement",
        icon="🎉" if kind is ActivityKind.WON else "📈",
        user=mention(user_id),
        account=user_text(account, NAME_LIMIT),
        from_stage=stage_name(before, locale),
        to_stage=stage_name(after, locale),
        kind=t(locale, f"kind_{kind.value}") if kind else t(locale, "kind_manual"),
    )


def single(line: str) -> Message:
    return message(line, [section(line)])


def hourly(lines: list[str], locale: str) -> Message:
    """The hour's stage changes: whole lines only (never cut inside a mention or a name), in up to
    HOURLY_SECTIONS sections, and "…and N more" for those that do not fit."""
    title = t(locale, "announcements_hour")
    chunks = pack_lines(
        lines,
        lambda count: t(locale, "digest_more", count=count),
        head=title,
        max_sections=HOURLY_SECTIONS,
        budget=MESSAGE_TEXT_BUDGET,
    )
    return message(title, [section("\n".join(chunk)) for chunk in chunks])
