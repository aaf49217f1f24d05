"""Reading a submitted modal (`view.state.values`): one reader per kind of input, shared by every
modal's listener. An input missing from the state reads as None, as Slack leaves an empty optional
input out; a date that is not a date reads as None too, so the form's own check asks for one."""

from __future__ import annotations

from datetime import date

from bot.handlers.replying import Json


def values_of(view: Json) -> Json:
    """The inputs of a submitted view, by block id then action id."""
    values: Json = view.get("state", {}).get("values", {})
    return values


def text(values: Json, block: str, action: str | None = None) -> str | None:
    """A text input's value (the action id is the block id unless told)."""
    value = _input(values, block, action).get("value")
    return str(value) if value is not None else None


def selected(values: Json, block: str, action: str | None = None) -> str | None:
    """The value of a select's chosen option, or None when nothing is chosen."""
    option = _input(values, block, action).get("selected_option")
    return str(option["value"]) if option else None


def picked_date(values: Json, block: str) -> date | None:
    """A date picker's day (its action id is its block id)."""
    return _as_date(_input(values, block, None).get("selected_date"))


def _as_date(raw: object) -> date | None:
    try:
        return date.fromisoformat(str(raw)) if raw else None
    except ValueError:
        return None


def _input(values: Json, block: str, action: str | None) -> Json:
    found: Json = (values.get(block) or {}).get(action or block) or {}
    return found
