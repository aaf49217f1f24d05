"""Block Kit as readable terminal text, for the console. Pure: blocks in, text out; no I/O.

Pressable elements (buttons, selects, date pickers, overflow menus) are numbered as they are drawn,
`[3] Log a meeting`, and returned as `ButtonRef`s so a caller can press them by number.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from bot.console.elements import PRESSABLE, ButtonRef, describe_element
from bot.console.mrkdwn import display_width, mrkdwn_to_text, text_of
from bot.console.richtext import render_rich_text
from bot.i18n import t

__all__ = ["DIVIDER", "render_blocks", "render_message", "render_modal", "render_view"]

DIVIDER = "─" * 36

Block = Mapping[str, Any]


def _image(item: Block, locale: str) -> str:
    return t(locale, "con_image", text=item.get("alt_text", ""))


class _Renderer:
    """Draws blocks in order, numbering the pressable elements it meets from `first_button` on."""

    def __init__(self, first_button: int, button_prefix: str, locale: str = "en") -> None:
        self.locale = locale  # the console's own words ("[file]", "(optional)"); the bot's are as sent
        self.next_number = first_button
        self.prefix = button_prefix
        self.buttons: list[ButtonRef] = []
        self._by_kind: dict[str, Callable[[Block], str]] = {
            "header": self.header,
            "section": self.section,
            "divider": lambda block: DIVIDER,
            "context": self.context,
            "actions": self.actions,
            "image": self.image,
            "rich_text": render_rich_text,
            "input": self.input,
            "markdown": lambda block: str(block.get("text", "")),
            "video": self.video,
            "file": lambda block: t(self.locale, "con_file"),
        }

    def blocks(self, blocks: Sequence[Block]) -> str:
        return "\n".join(self.block(block) for block in blocks if isinstance(block, Mapping))

    def block(self, block: Block) -> str:
        kind = str(block.get("type"))
        draw = self._by_kind.get(kind)
        return draw(block) if draw is not None else f"[{kind} block]"

    @staticmethod
    def header(block: Block) -> str:
        title = text_of(block.get("text"))
        return f"{title}\n{'=' * max(display_width(title), 3)}"

    def section(self, block: Block) -> str:
        text = text_of(block.get("text"))
        fields = ["  ".join(text_of(item).splitlines()) for item in block.get("fields") or []]
        accessory = block.get("accessory")
        extra = ""
        if isinstance(accessory, Mapping):
            is_image = accessory.get("type") == "image"
            extra = _image(accessory, self.locale) if is_image else self.element(accessory, block)
        lines = [text] if text else []
        lines.extend(fields)
        if extra:
            single = len(lines) == 1 and "\n" not in text and "```" not in text
            if single and display_width(text) <= 60:
                lines[0] = f"{text}   {extra}"
            else:
                lines.append(extra)
        return "\n".join(lines)

    def context(self, block: Block) -> str:
        parts = [
            _image(element, self.locale) if element.get("type") == "image" else text_of(element)
            for element in block.get("elements") or []
        ]
        return " · ".join(part for part in parts if part)

    def actions(self, block: Block) -> str:
        return "  ".join(self.element(element, block) for element in block.get("elements") or [])

    def image(self, block: Block) -> str:
        title = text_of(block.get("title"))
        drawn = _image(block, self.locale)
        return f"{title}\n{drawn}" if title else drawn

    def video(self, block: Block) -> str:
        title = text_of(block.get("title"))
        link = block.get("title_url") or block.get("video_url", "")
        return t(self.locale, "con_video", title=title, link=link)

    def input(self, block: Block) -> str:
        label = text_of(block.get("label"))
        if block.get("optional"):
            label = t(self.locale, "con_optional", label=label)
        element = block.get("element")
        if not isinstance(element, Mapping):
            return label
        return f"{label}: {describe_element(element, self.locale)}"

    def element(self, element: Block, block: Block) -> str:
        kind = str(element.get("type", ""))
        if kind == "image":
            return _image(element, self.locale)
        if kind not in PRESSABLE:
            return f"[{kind}]"
        number = self.next_number
        self.next_number += 1
        label = text_of(element.get("text")) if kind == "button" else describe_element(element, self.locale)
        url = element.get("url")
        self.buttons.append(
            ButtonRef(
                number=number,
                action_id=str(element.get("action_id", "")),
                block_id=str(block.get("block_id", "")),
                value=element.get("value"),
                text=label,
                kind=kind,
                url=str(url) if url else None,
                element=element,
            )
        )
        shown = f"[{self.prefix}{number}] {label}"
        return f"{shown} ({url})" if url else shown

    def attachment(self, attachment: Block) -> str:
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
            body.append(self.blocks(attachment["blocks"]))
        if attachment.get("image_url"):
            body.append(
                t(self.locale, "con_image", text=attachment.get("fallback") or attachment["image_url"])
            )
        if attachment.get("footer"):
            body.append(str(attachment["footer"]))
        if not body and attachment.get("fallback"):
            body.append(str(attachment["fallback"]))
        lines.extend("│ " + line for chunk in body for line in chunk.split("\n"))
        return "\n".join(lines)


# --------------------------------------------------------------------------------------- public API


def render_blocks(
    blocks: Sequence[Block], *, first_button: int = 1, button_prefix: str = "", locale: str = "en"
) -> tuple[str, list[ButtonRef]]:
    """Readable text for Block Kit blocks, and the pressable elements in the order they were numbered."""
    renderer = _Renderer(first_button, button_prefix, locale)
    return renderer.blocks(blocks), renderer.buttons


def render_message(
    message: Block, *, first_button: int = 1, locale: str = "en"
) -> tuple[str, list[ButtonRef]]:
    """A whole message: its blocks (or its mrkdwn text when it has none) and its attachments."""
    renderer = _Renderer(first_button, "", locale)
    parts: list[str] = []
    blocks = message.get("blocks")
    if isinstance(blocks, Sequence) and not isinstance(blocks, str) and blocks:
        parts.append(renderer.blocks(blocks))
    elif message.get("text"):
        text = str(message["text"])
        parts.append(mrkdwn_to_text(text) if message.get("mrkdwn", True) else text)
    for attachment in message.get("attachments") or []:
        if isinstance(attachment, Mapping):
            parts.append(renderer.attachment(attachment))
    text = "\n".join(part for part in parts if part)
    return (text or t(locale, "con_empty_message")), renderer.buttons


def render_modal(view: Block, *, first_button: int = 1, locale: str = "en") -> tuple[str, list[ButtonRef]]:
    """A modal's title and its non-input blocks; its buttons are numbered `[#1]`, `[#2]`…"""
    title = text_of(view.get("title")) or t(locale, "con_form")
    blocks = [block for block in view.get("blocks") or [] if block.get("type") != "input"]
    body, buttons = render_blocks(blocks, first_button=first_button, button_prefix="#", locale=locale)
    head = f"== {title} =="
    return (f"{head}\n{body}" if body else head), buttons


def render_view(view: Block) -> str:
    """A modal's title and its non-input blocks as text."""
    return render_modal(view)[0]
