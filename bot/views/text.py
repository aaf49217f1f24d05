"""Block Kit as readable terminal text, for the console. Pure: blocks in, text out; no I/O.

Pressable elements (buttons, selects, date pickers, overflow menus) are numbered as they are drawn,
`[3] Log a meeting`, and returned as `ButtonRef`s so a caller can press them by number.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

DIVIDER = "─" * 36
MAX_LISTED_OPTIONS = 8

#: Elements that send a `block_actions` payload when used in a message or a view.
PRESSABLE = frozenset(
    {
        "button",
        "overflow",
        "static_select",
        "external_select",
        "users_select",
        "conversations_select",
        "channels_select",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
        "datepicker",
        "timepicker",
        "datetimepicker",
        "radio_buttons",
        "checkboxes",
    }
)


@dataclass(frozen=True)
class ButtonRef:
    """One pressable element, by the number shown beside it."""

    number: int
    action_id: str
    block_id: str
    value: str | None
    text: str
    kind: str = "button"
    url: str | None = None
    element: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)


# --------------------------------------------------------------------------------------------- text


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


# ------------------------------------------------------------------------------------------- blocks


class _Renderer:
    def __init__(self, first_button: int, button_prefix: str) -> None:
        self.next_number = first_button
        self.prefix = button_prefix
        self.buttons: list[ButtonRef] = []

    def blocks(self, blocks: Sequence[Mapping[str, Any]]) -> str:
        rendered = (self.block(block) for block in blocks if isinstance(block, Mapping))
        return "\n".join(chunk for chunk in rendered if chunk is not None)

    def block(self, block: Mapping[str, Any]) -> str | None:
        kind = block.get("type")
        block_id = str(block.get("block_id", ""))
        if kind == "header":
            title = text_of(block.get("text"))
            return f"{title}\n{'=' * max(display_width(title), 3)}"
        if kind == "section":
            return self.section(block, block_id)
        if kind == "divider":
            return DIVIDER
        if kind == "context":
            parts = [self.context_part(element) for element in block.get("elements") or []]
            return " · ".join(part for part in parts if part)
        if kind == "actions":
            elements = [self.element(element, block_id) for element in block.get("elements") or []]
            return "  ".join(elements)
        if kind == "image":
            title = text_of(block.get("title"))
            image = f"[image: {block.get('alt_text', '')}]"
            return f"{title}\n{image}" if title else image
        if kind == "rich_text":
            return render_rich_text(block)
        if kind == "input":
            return self.input(block, block_id)
        if kind == "markdown":
            return str(block.get("text", ""))
        if kind == "video":
            title = text_of(block.get("title"))
            return f"[video: {title}] ({block.get('title_url') or block.get('video_url', '')})"
        if kind == "file":
            return "[file]"
        return f"[{kind} block]"

    def section(self, block: Mapping[str, Any], block_id: str) -> str:
        text = text_of(block.get("text"))
        fields = ["  ".join(text_of(item).splitlines()) for item in block.get("fields") or []]
        accessory = block.get("accessory")
        extra = ""
        if isinstance(accessory, Mapping):
            if accessory.get("type") == "image":
                extra = f"[image: {accessory.get('alt_text', '')}]"
            else:
                extra = self.element(accessory, block_id)
        lines = [text] if text else []
        lines.extend(fields)
        if extra:
            single = len(lines) == 1 and "\n" not in text and "```" not in text
            if single and display_width(text) <= 60:
                lines[0] = f"{text}   {extra}"
            else:
                lines.append(extra)
        return "\n".join(lines)

    def context_part(self, element: Mapping[str, Any]) -> str:
        if element.get("type") == "image":
            return f"[image: {element.get('alt_text', '')}]"
        return text_of(element)

    def input(self, block: Mapping[str, Any], block_id: str) -> str:
        label = text_of(block.get("label"))
        optional = " (optional)" if block.get("optional") else ""
        element = block.get("element")
        if not isinstance(element, Mapping):
            return f"{label}{optional}"
        return f"{label}{optional}: {describe_element(element)}"

    def element(self, element: Mapping[str, Any], block_id: str) -> str:
        kind = str(element.get("type", ""))
        if kind == "image":
            return f"[image: {element.get('alt_text', '')}]"
        if kind not in PRESSABLE:
            return f"[{kind}]"
        number = self.next_number
        self.next_number += 1
        label = text_of(element.get("text")) if kind == "button" else describe_element(element)
        url = element.get("url")
        self.buttons.append(
            ButtonRef(
                number=number,
                action_id=str(element.get("action_id", "")),
                block_id=block_id,
                value=element.get("value"),
                text=label,
                kind=kind,
                url=str(url) if url else None,
                element=element,
            )
        )
        shown = f"[{self.prefix}{number}] {label}"
        return f"{shown} ({url})" if url else shown


def describe_element(element: Mapping[str, Any]) -> str:
    """A one-line description of an interactive element: what it shows and what can be chosen."""
    kind = str(element.get("type", ""))
    placeholder = text_of(element.get("placeholder"))
    options = element_options(element)
    listed = " / ".join(text_of(option.get("text")) for option in options[:MAX_LISTED_OPTIONS])
    if len(options) > MAX_LISTED_OPTIONS:
        listed += f" / … ({len(options)} in all)"
    if kind == "button":
        return text_of(element.get("text"))
    if kind == "overflow":
        return f"⋯ ({listed})"
    if kind in ("static_select", "multi_static_select", "radio_buttons", "checkboxes"):
        current = [text_of(o.get("text")) for o in _initial_options(element)]
        head = placeholder or "choose"
        if current:
            head = f"{head}: {', '.join(current)}" if placeholder else ", ".join(current)
        return f"{head} ▾ ({listed})"
    if kind in ("external_select", "multi_external_select"):
        current = [text_of(o.get("text")) for o in _initial_options(element)]
        head = placeholder or "search"
        if current:
            head = f"{head}: {', '.join(current)}"
        return f"{head} ▾ (type to search)"
    if kind in ("users_select", "multi_users_select"):
        users = element.get("initial_users") or (
            [element["initial_user"]] if element.get("initial_user") else []
        )
        shown = ", ".join("@" + str(user) for user in users)
        return f"{shown or placeholder or 'pick a user'} ▾"
    if kind in (
        "conversations_select",
        "channels_select",
        "multi_conversations_select",
        "multi_channels_select",
    ):
        initial = element.get("initial_conversation") or element.get("initial_channel")
        return f"{'#' + str(initial) if initial else placeholder or 'pick a channel'} ▾"
    if kind == "datepicker":
        return f"{element.get('initial_date') or placeholder or 'pick a date'} ▾ (date)"
    if kind == "timepicker":
        return f"{element.get('initial_time') or placeholder or 'pick a time'} ▾ (time)"
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        initial = element.get("initial_value")
        if initial:
            return f'"{initial}"'
        return f"({placeholder})" if placeholder else "(text)"
    return placeholder or f"({kind})"


def _initial_options(element: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    if element.get("initial_options"):
        return list(element["initial_options"])
    if element.get("initial_option"):
        return [element["initial_option"]]
    return []


# ---------------------------------------------------------------------------------------- rich text


def render_rich_text(block: Mapping[str, Any]) -> str:
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
            indent = "  " * int(element.get("indent", 0))
            ordered = element.get("style") == "ordered"
            for index, item in enumerate(inner):
                marker = f"{int(element.get('offset', 0)) + index + 1}." if ordered else "•"
                text = _rich_inline(item.get("elements") or []).removesuffix("\n")
                lines.append(f"{indent}{marker} {text}")
    return "\n".join(lines)


def _rich_inline(elements: Sequence[Mapping[str, Any]]) -> str:
    out: list[str] = []
    for element in elements:
        kind = element.get("type")
        if kind == "text":
            out.append(_styled(str(element.get("text", "")), element.get("style") or {}))
        elif kind == "link":
            url = str(element.get("url", ""))
            label = str(element.get("text") or "")
            out.append(
                _styled(f"{label} ({url})" if label and label != url else url, element.get("style") or {})
            )
        elif kind == "user":
            out.append("@" + str(element.get("user_id", "")))
        elif kind == "usergroup":
            out.append("@" + str(element.get("usergroup_id", "")))
        elif kind == "channel":
            out.append("#" + str(element.get("channel_id", "")))
        elif kind == "broadcast":
            out.append("@" + str(element.get("range", "here")))
        elif kind == "emoji":
            out.append(_emoji(element))
        elif kind == "date":
            out.append(str(element.get("fallback") or element.get("timestamp", "")))
        elif kind == "color":
            out.append(str(element.get("value", "")))
    return "".join(out)


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


def _emoji(element: Mapping[str, Any]) -> str:
    code = element.get("unicode")
    if code:
        try:
            return "".join(chr(int(part, 16)) for part in str(code).split("-"))
        except ValueError:
            pass
    return f":{element.get('name', '')}:"


# --------------------------------------------------------------------------------------- public API


def render_blocks(
    blocks: Sequence[Mapping[str, Any]], *, first_button: int = 1, button_prefix: str = ""
) -> tuple[str, list[ButtonRef]]:
    """Readable text for Block Kit blocks, and the pressable elements in the order they were numbered."""
    renderer = _Renderer(first_button, button_prefix)
    return renderer.blocks(blocks), renderer.buttons


def render_message(message: Mapping[str, Any], *, first_button: int = 1) -> tuple[str, list[ButtonRef]]:
    """A whole message: its blocks (or its mrkdwn text when it has none) and its attachments."""
    renderer = _Renderer(first_button, "")
    parts: list[str] = []
    blocks = message.get("blocks")
    if isinstance(blocks, Sequence) and not isinstance(blocks, str) and blocks:
        parts.append(renderer.blocks(blocks))
    elif message.get("text"):
        text = str(message["text"])
        parts.append(mrkdwn_to_text(text) if message.get("mrkdwn", True) else text)
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, Mapping):
            parts.append(_attachment(attachment, renderer))
    text = "\n".join(part for part in parts if part)
    return (text or "(empty message)"), renderer.buttons


def _attachment(attachment: Mapping[str, Any], renderer: _Renderer) -> str:
    lines: list[str] = []
    if attachment.get("pretext"):
        lines.append(mrkdwn_to_text(str(attachment["pretext"])))
    body: list[str] = []
    if attachment.get("author_name"):
        body.append(str(attachment["author_name"]))
    if attachment.get("title"):
        link = attachment.get("title_link")
        body.append(f"*{attachment['title']}*" + (f" ({link})" if link else ""))
    if attachment.get("text"):
        body.append(mrkdwn_to_text(str(attachment["text"])))
    for item in attachment.get("fields") or []:
        body.append(f"{item.get('title', '')}: {mrkdwn_to_text(str(item.get('value', '')))}")
    if attachment.get("blocks"):
        body.append(renderer.blocks(attachment["blocks"]))
    if attachment.get("image_url"):
        body.append(f"[image: {attachment.get('fallback') or attachment['image_url']}]")
    if attachment.get("footer"):
        body.append(str(attachment["footer"]))
    if not body and attachment.get("fallback"):
        body.append(str(attachment["fallback"]))
    lines.extend("│ " + line for chunk in body for line in chunk.split("\n"))
    return "\n".join(lines)


def render_modal(view: Mapping[str, Any], *, first_button: int = 1) -> tuple[str, list[ButtonRef]]:
    """A modal's title and its non-input blocks; its buttons are numbered `[#1]`, `[#2]`…"""
    title = text_of(view.get("title")) or "Form"
    blocks = [block for block in view.get("blocks") or [] if block.get("type") != "input"]
    body, buttons = render_blocks(blocks, first_button=first_button, button_prefix="#")
    head = f"== {title} =="
    return (f"{head}\n{body}" if body else head), buttons


def render_view(view: Mapping[str, Any]) -> str:
    """A modal's title and its non-input blocks as text."""
    return render_modal(view)[0]
