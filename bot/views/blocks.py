"""Small Block Kit helpers shared by the views, and the formats of dates, amounts and steps."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from bot.domain.stages import Climb, Stage, Step
from bot.i18n import t

Block = dict[str, Any]
Message = dict[str, Any]  # {"text": fallback, "blocks": [...]}

# Slack's limits (the test suite's strict checker, tests/support/blockkit.py, cites where each is published).
SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
HEADER_LIMIT = 150
BUTTON_TEXT_LIMIT = 75
MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
# Slack refuses a message whose blocks hold more than about 12,000 characters (msg_blocks_too_long, counted
# in a way it does not document): a message's blocks keep to 10,000, counting ids and values too.
MESSAGE_TEXT_BUDGET = 10_000
# User text inside a line: an account name, a note or a "what went wrong", after escaping.
NAME_LIMIT = 80
NOTE_LIMIT = 300
# The same in a message about one account, where there is room for more of it.
ONE_NAME_LIMIT = 150
ONE_NOTE_LIMIT = 1500
ELLIPSIS = "…"
_WEEKDAYS = {"en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"), "ja": "月火水木金土日"}


def message(text: str, blocks: list[Block]) -> Message:
    return {"text": clip(text, SECTION_LIMIT), "blocks": blocks}


def section(text: str, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def fields(*texts: str) -> Block:
    return {
        "type": "section",
        "fields": [{"type": "mrkdwn", "text": clip(text, FIELD_LIMIT)} for text in texts[:10]],
    }


def context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(text, SECTION_LIMIT)}]}


def header(text: str) -> Block:
    return {"type": "header", "text": plain(clip_plain(text, HEADER_LIMIT))}


def divider() -> Block:
    return {"type": "divider"}


def button(text: str, action_id: str, value: str | dict[str, Any] | None, style: str | None = None) -> Block:
    """A button; with no value (None or "") the key is left out: Slack drops an empty value anyway."""
    element: Block = {
        "type": "button",
        "text": plain(clip_plain(text, BUTTON_TEXT_LIMIT)),
        "action_id": action_id,
    }
    if value:
        element["value"] = value if isinstance(value, str) else json.dumps(value, separators=(",", ":"))
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


def modal(
    callback_id: str, title: str, submit: str, close: str, metadata: str, blocks: list[Block]
) -> dict[str, Any]:
    """A modal that submits: its listener is found by `callback_id` and reads `metadata` back."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain(title),
        "submit": plain(submit),
        "close": plain(close),
        "private_metadata": metadata,
        "blocks": blocks,
    }


def input_block(block_id: str, label: str, element: Block, *, optional: bool = False) -> Block:
    """One field of a modal; its value comes back in `view.state.values[block_id][action_id]`."""
    return {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }


def fmt_date(day: date, locale: str, today: date | None = None) -> str:
    """A day as the reader writes it: 2026-11-28 (Sat) in English; in Japanese 11/28(土), with the year
    (2027/1/8(金)) when it is not the year of `today`, or always when the caller does not know today
    (views have no clock: the caller passes the asker's or the job's today)."""
    if locale != "ja":
        return f"{day.isoformat()} ({_WEEKDAYS['en'][day.weekday()]})"
    weekday = _WEEKDAYS["ja"][day.weekday()]
    if today is not None and day.year == today.year:
        return f"{day.month}/{day.day}({weekday})"
    return f"{day.year}/{day.month}/{day.day}({weekday})"


def fmt_amount(amount: int, locale: str) -> str:
    """¥1,200,000 in English; in Japanese as written there, in 億 and 万: 120万円, 1億2,000万円, 3億円."""
    if locale == "ja" and amount >= 10_000 and amount % 10_000 == 0:
        oku, man = divmod(amount // 10_000, 10_000)
        if not oku:
            return f"{man:,}万円"
        return f"{oku:,}億{man:,}万円" if man else f"{oku:,}億円"
    return f"¥{amount:,}"


def step_name(step: Step, locale: str) -> str:
    return t(locale, f"step_{step.value}")


def moved_text(key: str, climb: Climb, locale: str) -> str:
    """A move on the ladder, "from 2.1 Met once to 3 Proposed", in the wording of `key`."""
    return t(
        locale,
        key,
        from_label=climb.before.label,
        from_step=step_name(climb.before, locale),
        to_label=climb.after.label,
        to_step=step_name(climb.after, locale),
    )


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


def user_text(text: str, limit: int) -> str:
    """User text for mrkdwn: escaped, then clipped to `limit` characters without cutting an entity."""
    return clip(escape(text), limit)


# ---------------------------------------------------------------------------------- clipping mrkdwn

# What must never be cut: a <…> link, mention or date; an escaped entity; a ``` fence. Anything else is one
# character.
_UNIT = re.compile(r"<[^<>\n]*>|&(?:amp|lt|gt);|```|.", re.S)
_MARKERS = frozenset("*_~`")
# Room kept for what closes the markup left open at the cut: a fence ("\n```") or inline markers.
_CLOSING_ROOM = 1 + 4 + len(_MARKERS)


def clip(text: str, limit: int) -> str:
    """`text` in at most `limit` characters, ending in "…" when cut. Never cuts inside mrkdwn markup: a
    `<url|label>` or `<@U…>` stays whole or goes, `&amp;` likewise, and `*bold*`, `_italic_`, `~strike~`,
    `` `code` `` or a ``` block open at the cut are closed after the "…"."""
    if len(text) <= limit:
        return text
    budget = max(0, limit - _CLOSING_ROOM)
    end = 0
    for unit in _UNIT.finditer(text):
        if unit.end() > budget:
            break
        end = unit.end()
    kept = text[:end].rstrip()
    if kept.count("```") % 2:
        return kept + ELLIPSIS + "\n```"
    last_line = kept.rsplit("\n", 1)[-1]
    return kept + ELLIPSIS + _closers(last_line)


def clip_plain(text: str, limit: int) -> str:
    """Plain text (headers, buttons, options) in at most `limit` characters, ending in "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def _closers(line: str) -> str:
    """The markers that close the inline formatting still open at the end of `line`, innermost first."""
    opened: list[str] = []
    units = [match.group(0) for match in _UNIT.finditer(line)]
    for index, unit in enumerate(units):
        if unit not in _MARKERS:
            continue
        if "`" in opened and unit != "`":
            continue  # inside inline code nothing else is markup
        before = units[index - 1] if index else " "
        after = units[index + 1] if index + 1 < len(units) else " "
        if unit in opened:
            if not before.isspace():
                del opened[opened.index(unit) :]
            continue
        if (before.isspace() or not before[-1].isalnum()) and not after.isspace():
            opened.append(unit)
    return "".join(reversed(opened))


# ------------------------------------------------------------------------------ fitting into limits


def text_length(blocks: Sequence[Any]) -> int:
    """What a message's blocks weigh against msg_blocks_too_long: every string they carry (texts, ids,
    values), the `type` names excepted."""
    return _weight(list(blocks))


def _weight(node: object, key: str | None = None) -> int:
    if isinstance(node, str):
        return 0 if key == "type" else len(node)
    if isinstance(node, dict):
        return sum(_weight(value, name) for name, value in node.items())
    if isinstance(node, list):
        return sum(_weight(item) for item in node)
    return 0


def fit_lines(
    lines: Sequence[str],
    limit: int,
    more: Callable[[int], str],
    *,
    head: str = "",
    hidden: int = 0,
) -> str:
    """`head` and then as many whole lines as fit in `limit` characters, followed by the "…and N more"
    line that counts the lines left out (plus `hidden`, left out before). A line is never cut in its
    middle markup: one too long on its own is clipped first."""
    chunks = pack_lines(lines, more, head=head, hidden=hidden, section_limit=limit, budget=limit)
    return "\n".join(chunks[0]) if chunks else head


def pack_lines(
    lines: Sequence[str],
    more: Callable[[int], str],
    *,
    head: str = "",
    hidden: int = 0,
    section_limit: int = SECTION_LIMIT,
    budget: int = MESSAGE_TEXT_BUDGET,
    max_sections: int = 1,
) -> list[list[str]]:
    """Whole lines packed into at most `max_sections` chunks of at most `section_limit` characters and
    `budget` in all, `head` first; the lines that do not fit are counted in a last "…and N more" line."""
    reserve = len(more(len(lines) + hidden)) + 1
    line_limit = max(1, min(section_limit, budget) - len(head) - reserve - 1)
    chunks: list[list[str]] = [[head]] if head else [[]]
    sizes = [len(head)]
    used = len(head)
    shown = 0
    for raw in lines:
        line = clip(raw, line_limit)
        cost = len(line) + (1 if chunks[-1] else 0)
        if sizes[-1] + cost + reserve > section_limit:
            if len(chunks) >= max_sections:
                break
            chunks.append([])
            sizes.append(0)
            cost = len(line)
        if used + cost + reserve > budget:
            break
        chunks[-1].append(line)
        sizes[-1] += cost
        used += cost
        shown += 1
    left_out = len(lines) - shown + hidden
    if left_out > 0:
        chunks[-1].append(more(left_out))
    return [chunk for chunk in chunks if chunk]
