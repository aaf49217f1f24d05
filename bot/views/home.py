"""The App Home tab: the rep's own pyramid, today's follow-ups and recoveries with their buttons,
accounts going quiet, and quick buttons to log."""

from __future__ import annotations

from typing import Any

from bot.domain.pyramid import Distribution, health
from bot.i18n import t
from bot.services.digests import Digest
from bot.views.blocks import Block, actions, button, context, divider, fmt_date, header, section
from bot.views.digest import (
    MAX_FOLLOWUPS,
    MAX_LAPSING,
    MAX_RECOVERIES,
    followup_blocks,
    lapsing_block,
    more,
    recovery_blocks,
)
from bot.views.pyramid import draw, health_text


def home_view(dist: Distribution, digest: Digest, locale: str) -> dict[str, Any]:
    blocks: list[Block] = [
        header(t(locale, "home_title", date=fmt_date(digest.day, locale))),
        actions(
            button(t(locale, "button_log_meeting"), "open_log_meeting", "", style="primary"),
            button(t(locale, "button_log_deal"), "open_log_deal", ""),
            block_id="home_quick",
        ),
        section("*" + t(locale, "pyramid_title_me") + "*"),
    ]
    if dist.total:
        blocks.append(section("```\n" + draw(dist, detail=False, locale=locale) + "\n```"))
        blocks.append(context(health_text(health(dist), locale)))
    else:
        blocks.append(section(t(locale, "pyramid_empty")))
    blocks.append(divider())
    blocks.append(section("*" + t(locale, "digest_followups", count=len(digest.followups)) + "*"))
    for item in digest.followups[:MAX_FOLLOWUPS]:
        blocks.extend(followup_blocks(item, digest.day, locale))
    blocks.extend(more(len(digest.followups) - MAX_FOLLOWUPS, locale))
    if not digest.followups:
        blocks.append(context(t(locale, "home_nothing_due")))
    if digest.recoveries:
        blocks.append(divider())
        blocks.append(section("*" + t(locale, "digest_recoveries", count=len(digest.recoveries)) + "*"))
        for recovery in digest.recoveries[:MAX_RECOVERIES]:
            blocks.extend(recovery_blocks(recovery, digest.day, locale))
        blocks.extend(more(len(digest.recoveries) - MAX_RECOVERIES, locale))
    if digest.lapsing:
        blocks.append(divider())
        blocks.append(section("*" + t(locale, "digest_lapsing", count=len(digest.lapsing)) + "*"))
        for lapsing in digest.lapsing[:MAX_LAPSING]:
            blocks.append(lapsing_block(lapsing, locale, with_draft=False))
        blocks.extend(more(len(digest.lapsing) - MAX_LAPSING, locale))
    return {"type": "home", "callback_id": "pyramid_home", "blocks": blocks[:100]}
