"""Slack text made readable in a terminal: mrkdwn, text objects, option labels. Pure, no I/O."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

__all__ = ["display_width", "element_options", "mrkdwn_to_text", "option_label", "text_of"]

_FENCE = re.compile(r"```(.*?)```", re.S)
_ANGLE = re.compile(r"<([^<>\n]+)>")


def mrkdwn_to_text(text: str) -> str:
    """Slack mrkdwn made readable: links and mentions spelled out, ``` code blocks kept as drawn."""
    pieces: list[tuple[bool, str]] = []
    position = 0
    for match in _FENCE.finditer(text):
        pieces.append((False, _inline(text[position : match.start()])))
        pieces.append((True, _code_block(match.group(1))))
        position = match.end()
    pieces.append((False, _inline(text[position:])))

    out = ""
    previous_was_code = False
    for is_code, piece in pieces:
        if is_code:
            if out and not out.endswith("\n"):
                out += "\n"
            out += piece
        else:
            if previous_was_code and piece and not piece.startswith("\n"):
                piece = "\n" + piece
            out += piece
        previous_was_code = is_code
    return out


def _code_block(content: str) -> str:
    # Slack ignores one newline right after the opening fence and one right before the closing one.
    if content.startswith("\n"):
        content = content[1:]
    if content.endswith("\n"):
        content = content[:-1]
    return "```\n" + _unescape(content) + "\n```"


def _inline(text: str) -> str:
    return _unescape(_ANGLE.sub(_spell_out, text))


def _spell_out(match: re.Match[str]) -> str:
    target, _, label = match.group(1).partition("|")
    if target.startswith("@"):
        return "@" + (label.lstrip("@") or target[1:])
    if target.startswith("#"):
        return "#" + (label.lstrip("#") or target[1:])
    if target.startswith("!"):
        special = target[1:]
        if special.startswith("subteam^"):
            return label or "@" + special.removeprefix("subteam^")
        if special.startswith("date^"):
            return label or special.split("^")[1]
        return label or "@" + special
    bare = target.removeprefix("mailto:").removeprefix("tel:")
    if not label or label in (target, bare):
        return bare
    return f"{label} ({target})"


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def text_of(obj: object) -> str:
    """The readable text of a text object (`plain_text` or `mrkdwn`), or of a bare string."""
    if isinstance(obj, str):
        return obj
    if not isinstance(obj, Mapping):
        return ""
    raw = str(obj.get("text", ""))
    return mrkdwn_to_text(raw) if obj.get("type") == "mrkdwn" else raw


def display_width(text: str) -> int:
    """Columns a terminal uses for `text` (CJK characters take two)."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return width


def element_options(element: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The options of a select, radio group, checkbox group or overflow menu, groups flattened."""
    options: list[Mapping[str, Any]] = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def option_label(option: Mapping[str, Any]) -> str:
    label = text_of(option.get("text"))
    description = text_of(option.get("description"))
    return f"{label} — {description}" if description else label
