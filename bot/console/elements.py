"""Interactive Block Kit elements as one line of terminal text, one small renderer per element type."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.console.mrkdwn import element_options, text_of
from bot.i18n import t

__all__ = ["MAX_LISTED_OPTIONS", "PRESSABLE", "ButtonRef", "describe_element"]

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


Element = Mapping[str, Any]


def describe_element(element: Element, locale: str = "en") -> str:
    """A one-line description of an interactive element: what it shows and what can be chosen; the
    console's own words (when the bot gave no placeholder) in `locale`."""
    kind = str(element.get("type", ""))
    describe = _DESCRIBERS.get(kind)
    if describe is not None:
        return describe(element, locale)
    return text_of(element.get("placeholder")) or f"({kind})"


def _placeholder(element: Element) -> str:
    return text_of(element.get("placeholder"))


def _listed(element: Element, locale: str) -> str:
    options = element_options(element)
    listed = " / ".join(text_of(option.get("text")) for option in options[:MAX_LISTED_OPTIONS])
    if len(options) > MAX_LISTED_OPTIONS:
        listed += t(locale, "con_el_more", count=len(options))
    return listed


def _initial_labels(element: Element) -> list[str]:
    if element.get("initial_options"):
        chosen = list(element["initial_options"])
    elif element.get("initial_option"):
        chosen = [element["initial_option"]]
    else:
        chosen = []
    return [text_of(option.get("text")) for option in chosen]


def _button(element: Element, locale: str) -> str:
    return text_of(element.get("text"))


def _overflow(element: Element, locale: str) -> str:
    return f"⋯ ({_listed(element, locale)})"


def _choice(element: Element, locale: str) -> str:
    placeholder, current = _placeholder(element), _initial_labels(element)
    head = placeholder or t(locale, "con_el_choose")
    if current:
        head = f"{head}: {', '.join(current)}" if placeholder else ", ".join(current)
    return f"{head} ▾ ({_listed(element, locale)})"


def _search(element: Element, locale: str) -> str:
    current = _initial_labels(element)
    head = _placeholder(element) or t(locale, "con_el_search")
    if current:
        head = f"{head}: {', '.join(current)}"
    return f"{head} ▾ {t(locale, 'con_el_type_to_search')}"


def _users(element: Element, locale: str) -> str:
    users = element.get("initial_users") or ([element["initial_user"]] if element.get("initial_user") else [])
    shown = ", ".join("@" + str(user) for user in users)
    return f"{shown or _placeholder(element) or t(locale, 'con_el_pick_user')} ▾"


def _conversations(element: Element, locale: str) -> str:
    initial = element.get("initial_conversation") or element.get("initial_channel")
    return f"{'#' + str(initial) if initial else _placeholder(element) or t(locale, 'con_el_pick_channel')} ▾"


def _date(element: Element, locale: str) -> str:
    shown = element.get("initial_date") or _placeholder(element) or t(locale, "con_el_pick_date")
    return f"{shown} ▾ {t(locale, 'con_el_date')}"


def _time(element: Element, locale: str) -> str:
    shown = element.get("initial_time") or _placeholder(element) or t(locale, "con_el_pick_time")
    return f"{shown} ▾ {t(locale, 'con_el_time')}"


def _text_input(element: Element, locale: str) -> str:
    initial = element.get("initial_value")
    if initial:
        return f'"{initial}"'
    placeholder = _placeholder(element)
    return f"({placeholder})" if placeholder else t(locale, "con_el_text")


_DESCRIBERS: dict[str, Callable[[Element, str], str]] = {
    "button": _button,
    "overflow": _overflow,
    "static_select": _choice,
    "multi_static_select": _choice,
    "radio_buttons": _choice,
    "checkboxes": _choice,
    "external_select": _search,
    "multi_external_select": _search,
    "users_select": _users,
    "multi_users_select": _users,
    "conversations_select": _conversations,
    "channels_select": _conversations,
    "multi_conversations_select": _conversations,
    "multi_channels_select": _conversations,
    "datepicker": _date,
    "timepicker": _time,
    "plain_text_input": _text_input,
    "email_text_input": _text_input,
    "url_text_input": _text_input,
    "number_input": _text_input,
}
