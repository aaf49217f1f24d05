"""Small Block Kit helpers shared by the views, and the formats of dates, amounts and steps."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from bot.domain.stages import Stage, Step
from bot.i18n import t

Block = dict[str, Any]
Message = dict[str, Any]  # {"text": fallback, "blocks": [...]}

SECTION_LIMIT = 3000
_WEEKDAYS = {"en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), "ja": "月火水木金土日"}


def message(text: str, blocks: list[Block]) -> Message:
    return {"text": text[:3000], "blocks": blocks}


def section(text: str, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text)}}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def fields(*texts: str) -> Block:
    return {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": _clip(text, 2000)} for text in texts[:10]],
    }


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(text)}]}


def header(text: str) -> Block:
    return {"type": "header", "text": {"type": "plain_text", "text": _clip(text, 150), "emoji": True}}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str | dict[str, Any], style: str | None = None) -> Block:
    encoded = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": _clip(text, 75), "emoji": True},
        "action_id": action_id,
        "value": encoded,
    }
    if style:
        element["style"] = style
    return element


def actions(*elements: Block, block_id: str | None = None) -> Block:
    block: Block = {"type": "actions", "elements": list(elements)[:25]}
    if block_id:
        block["block_id"] = block_id
    return block


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def fmt_date(day: date, locale: str) -> str:
    weekday = _WEEKDAYS["ja" if locale == "ja" else "en"][day.weekday()]
    return f"{day.isoformat()}({weekday})" if locale == "ja" else f"{day.isoformat()} ({weekday})"


def fmt_amount(amount: int, locale: str) -> str:
    if locale == "ja" and amount >= 10_000 and amount % 10_000 == 0:
        return f"{amount // 10_000:,}万円"
    return f"¥{amount:,}"


def step_name(step: Step, locale: str) -> str:
    return t(locale, f"step_{step.value}")


def stage_name(stage: Stage, locale: str) -> str:
    return t(locale, f"stage_{stage.value}")


def step_line(step: Step, locale: str) -> str:
    """e.g. "2.3 proposal submitted (Prospect)"."""
    return t(
        locale,
        "step_now",
        label=step.label,
        step=step_name(step, locale),
        stage=stage_name(step.stage, locale),
    )


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def escape(text: str) -> str:
    """User text inside mrkdwn: Slack needs &, < and > escaped or it reads them as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _clip(text: str, limit: int = SECTION_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
