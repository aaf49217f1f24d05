"""Stage announcements for the team channel: one line per stage change, 🎉 for a win."""

from __future__ import annotations

from bot.domain.activities import ActivityKind
from bot.domain.stages import Stage
from bot.i18n import t
from bot.views.blocks import Message, escape, mention, message, section, stage_name


def stage_line(
    user_id: str, account: str, before: Stage, after: Stage, kind: ActivityKind | None, locale: str
) -> str:
    return t(
        locale,
        "stage_announcement",
        icon="🎉" if kind is ActivityKind.WON else "📈",
        user=mention(user_id),
        account=escape(account),
        from_stage=stage_name(before, locale),
        to_stage=stage_name(after, locale),
        kind=t(locale, f"kind_{kind.value}") if kind else t(locale, "kind_manual"),
    )


def single(line: str) -> Message:
    return message(line, [section(line)])


def hourly(lines: list[str], locale: str) -> Message:
    title = t(locale, "announcements_hour")
    return message(title, [section(title + "\n" + "\n".join(lines[:40]))])
