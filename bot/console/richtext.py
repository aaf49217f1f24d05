"""`rich_text` blocks as terminal text: sections, lists, quotes, preformatted text. Best effort, pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["render_rich_text"]

Element = Mapping[str, Any]


def render_rich_text(block: Element) -> str:
    """Best effort: sections, lists, quotes and preformatted text of a `rich_text` block."""
    lines: list[str] = []
    for element in block.get("elements") or []:
        kind = element.get("type")
        inner = element.get("elements") or []
        if kind == "rich_text_section":
            lines.append(_rich_inline(inner).removesuffix("\n"))
        elif kind == "rich_text_preformatted":
            lines.append("```\n" + _rich_inline(inner).removesuffix("\n") + "\n```")
        elif kind == "rich_text_quote":
            lines.extend("> " + line for line in _rich_inline(inner).removesuffix("\n").split("\n"))
        elif kind == "rich_text_list":
            lines.extend(_list_items(element, inner))
    return "\n".join(lines)


def _list_items(element: Element, items: Sequence[Element]) -> list[str]:
    indent = "  " * int(element.get("indent", 0))
    ordered = element.get("style") == "ordered"
    lines = []
    for index, item in enumerate(items):
        marker = f"{int(element.get('offset', 0)) + index + 1}." if ordered else "•"
        text = _rich_inline(item.get("elements") or []).removesuffix("\n")
        lines.append(f"{indent}{marker} {text}")
    return lines


def _rich_inline(elements: Sequence[Element]) -> str:
    out: list[str] = []
    for element in elements:
        draw = _INLINE.get(str(element.get("type")))
        if draw is not None:
            out.append(draw(element))
    return "".join(out)


def _text(element: Element) -> str:
    return _styled(str(element.get("text", "")), element.get("style") or {})


def _link(element: Element) -> str:
    url = str(element.get("url", ""))
    label = str(element.get("text") or "")
    return _styled(f"{label} ({url})" if label and label != url else url, element.get("style") or {})


def _styled(text: str, style: Mapping[str, Any]) -> str:
    if not text.strip():
        return text
    if style.get("code"):
        text = f"`{text}`"
    if style.get("bold"):
        text = f"*{text}*"
    if style.get("italic"):
        text = f"_{text}_"
    if style.get("strike"):
        text = f"~{text}~"
    return text


def _emoji(element: Element) -> str:
    code = element.get("unicode")
    if code:
        try:
            return "".join(chr(int(part, 16)) for part in str(code).split("-"))
        except ValueError:
            pass
    return f":{element.get('name', '')}:"


_INLINE: dict[str, Callable[[Element], str]] = {
    "text": _text,
    "link": _link,
    "user": lambda element: "@" + str(element.get("user_id", "")),
    "usergroup": lambda element: "@" + str(element.get("usergroup_id", "")),
    "channel": lambda element: "#" + str(element.get("channel_id", "")),
    "broadcast": lambda element: "@" + str(element.get("range", "here")),
    "emoji": _emoji,
    "date": lambda element: str(element.get("fallback") or element.get("timestamp", "")),
    "color": lambda element: str(element.get("value", "")),
}
