"""The App Home tab: the rep's own pyramid, today's follow-ups and recoveries with their buttons,
accounts going quiet, and quick buttons to log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from bot import interactions as ids
from bot.domain.health import Flow, judge
from bot.domain.pyramid import Distribution, health
from bot.i18n import t
from bot.views.blocks import (
    VIEW_BLOCKS,
    Block,
    actions,
    button,
    context,
    fmt_date,
    header,
    section,
)
from bot.views.digest import (
    MAX_FOLLOWUPS,
    MAX_LAPSING,
    assemble,
    followup_blocks,
    lapsing_block,
    listed,
    recoveries_part,
)
from bot.views.health import verdict_text
from bot.views.pyramid import draw, health_text, outside_blocks

if TYPE_CHECKING:
    # A view-model type of the service's; the view needs it only for its annotations.
    from bot.services.digests import Digest


def home_view(
    dist: Distribution,
    digest: Digest,
    locale: str,
    flow: Flow | None = None,
    *,
    settings_button: bool = False,
) -> dict[str, Any]:
    """`settings_button`: the viewer may change the team's settings (its managers only)."""
    quick = [
        # No value: the quick buttons open the log modal with no account chosen yet.
        button(t(locale, "button_log_meeting"), ids.OPEN_LOG_MEETING, None, style="primary"),
        button(t(locale, "button_log_deal"), ids.OPEN_LOG_DEAL, None),
    ]
    if settings_button:
        quick.append(button(t(locale, "home_settings_button"), ids.OPEN_SETTINGS, None))
    top: list[Block] = [
        header(t(locale, "home_title", date=fmt_date(digest.day, locale, digest.day))),
        actions(*quick, block_id=ids.HOME_QUICK),
        section("*" + t(locale, "pyramid_title_me") + "*"),
    ]
    if dist.total or dist.outside.total:
        top.append(section("```\n" + draw(dist, detail=False, locale=locale) + "\n```"))
        top.extend(outside_blocks(dist, locale))
        # Shape and flow, as `/pyramid me` judges them (the shape alone when the flow was not read).
        top.append(
            context(verdict_text(judge(dist, flow), locale) if flow else health_text(health(dist), locale))
        )
    else:
        top.append(section(t(locale, "pyramid_empty")))
    day = digest.day
    followups = listed(
        "digest_followups",
        digest.followups,
        MAX_FOLLOWUPS,
        lambda item: followup_blocks(item, day, locale),
        locale,
    )
    if not digest.followups:
        followups.head.append(context(t(locale, "home_nothing_due")))  # the list shows even when empty
    others = [
        recoveries_part(digest, locale),
        listed(
            "digest_lapsing", digest.lapsing, MAX_LAPSING, lambda item: [lapsing_block(item, locale)], locale
        ),
    ]
    parts = [followups, *(part for part in others if part.total)]
    blocks = assemble(top, parts, [], locale, max_blocks=VIEW_BLOCKS)
    return {"type": "home", "callback_id": ids.HOME_CALLBACK, "blocks": blocks}
