"""The modals open in the console, a stack as in Slack, with the values typed into them so far."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass
from typing import Any

from bot.console.elements import ButtonRef
from bot.console.flow import Json
from bot.console.webapi import APP_ID, BOT_ID, TS_EPOCH

# element type -> (field in state.values / block_actions, field holding its initial value)
STATE_FIELDS: dict[str, tuple[str, str]] = {
    "plain_text_input": ("value", "initial_value"),
    "email_text_input": ("value", "initial_value"),
    "url_text_input": ("value", "initial_value"),
    "number_input": ("value", "initial_value"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "radio_buttons": ("selected_option", "initial_option"),
    "static_select": ("selected_option", "initial_option"),
    "external_select": ("selected_option", "initial_option"),
    "overflow": ("selected_option", "initial_option"),
    "checkboxes": ("selected_options", "initial_options"),
    "multi_static_select": ("selected_options", "initial_options"),
    "multi_external_select": ("selected_options", "initial_options"),
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
}
MULTI_KINDS = frozenset(
    {
        "checkboxes",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
    }
)


@dataclass
class OpenView:
    id: str
    view: Json
    values: dict[str, dict[str, Json]]
    hash: str
    root_id: str
    previous_id: str | None

    def as_payload(self, team_id: str) -> Json:
        """The view as Slack puts it in a payload: ids filled in, the state as typed so far."""
        view = deepcopy(self.view)
        view.update(
            {
                "id": self.id,
                "team_id": team_id,
                "type": view.get("type", "modal"),
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "external_id": view.get("external_id", ""),
                "state": {"values": deepcopy(self.values)},
                "hash": self.hash,
                "clear_on_close": bool(view.get("clear_on_close", False)),
                "notify_on_close": bool(view.get("notify_on_close", False)),
                "root_view_id": self.root_id,
                "previous_view_id": self.previous_id,
                "app_id": APP_ID,
                "app_installed_team_id": team_id,
                "bot_id": BOT_ID,
            }
        )
        return view


class FormStack:
    """The open views, newest last; `version` changes whenever any of them does."""

    def __init__(self) -> None:
        self.views: list[OpenView] = []
        self.version = 0
        # The buttons of the form shown last, by the number after `#`.
        self.buttons: dict[int, ButtonRef] = {}

    @property
    def top(self) -> OpenView | None:
        return self.views[-1] if self.views else None

    def push(self, view: Mapping[str, Any], view_id: str) -> None:
        normalized = normalize_view(view)
        previous = self.top
        self.views.append(
            OpenView(
                id=view_id,
                view=normalized,
                values=initial_values(normalized),
                hash=_view_hash(),
                root_id=previous.root_id if previous else view_id,
                previous_id=previous.id if previous else None,
            )
        )
        self.version += 1

    def replace(self, entry: OpenView, view: Mapping[str, Any]) -> None:
        normalized = normalize_view(view)
        values = initial_values(normalized)
        # Slack keeps what was typed into an input whose block_id and action_id stay the same.
        for block_id, by_action in values.items():
            for action_id, state in by_action.items():
                old = entry.values.get(block_id, {}).get(action_id)
                if old is not None and old.get("type") == state.get("type"):
                    by_action[action_id] = old
        entry.view = normalized
        entry.values = values
        entry.hash = _view_hash()
        self.version += 1

    def find(self, view_id: object, external_id: object) -> OpenView | None:
        """The view views.update addresses; else the top one (its id came from an answer not seen)."""
        for entry in self.views:
            if entry.id == view_id or (external_id and entry.view.get("external_id") == external_id):
                return entry
        return self.top

    def remove(self, entry: OpenView) -> None:
        if entry in self.views:
            self.views.remove(entry)
            self.version += 1

    def clear(self) -> None:
        self.views.clear()
        self.version += 1


def _view_hash() -> str:
    return f"{TS_EPOCH}.{secrets.token_hex(4)}"


def input_blocks(view: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [
        block
        for block in view.get("blocks") or []
        if block.get("type") == "input" and isinstance(block.get("element"), Mapping)
    ]


def normalize_view(view: Mapping[str, Any]) -> Json:
    """A copy with the block_ids and action_ids Slack would have filled in."""
    normalized: Json = deepcopy(dict(view))
    for index, block in enumerate(normalized.get("blocks") or []):
        block.setdefault("block_id", f"b{index}")
        if isinstance(block.get("element"), dict):
            block["element"].setdefault("action_id", f"a{index}")
        if isinstance(block.get("accessory"), dict):
            block["accessory"].setdefault("action_id", f"a{index}")
        for position, element in enumerate(
            block.get("elements") or [] if block.get("type") == "actions" else []
        ):
            if isinstance(element, dict):
                element.setdefault("action_id", f"a{index}.{position}")
    return normalized


def initial_state(element: Mapping[str, Any]) -> Json:
    kind = str(element.get("type", ""))
    spec = STATE_FIELDS.get(kind)
    if spec is None:
        return {"type": kind}
    state_field, initial_field = spec
    default: Any = [] if kind in MULTI_KINDS else None
    return {"type": kind, state_field: deepcopy(element.get(initial_field, default))}


def initial_values(view: Mapping[str, Any]) -> dict[str, dict[str, Json]]:
    values: dict[str, dict[str, Json]] = {}
    for block in input_blocks(view):
        element = block["element"]
        values.setdefault(str(block["block_id"]), {})[str(element["action_id"])] = initial_state(element)
    return values
