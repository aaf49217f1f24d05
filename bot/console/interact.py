"""Pressing what the bot drew: slash commands, buttons and selects in messages and in forms, type-ahead.

Every interaction builds the payload Slack would send, dispatches it, then shows what the bot sent
back; when the bot opened a form, `bot.console.modal.ModalFlow` takes over until it is closed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Generator, Mapping
from typing import Any

from bot.console.elements import ButtonRef
from bot.console.flow import Cancelled, Flow, Json, Say, Suggest, ViewChanged
from bot.console.forms import FormStack, OpenView, initial_state
from bot.console.modal import ModalFlow
from bot.console.mrkdwn import text_of
from bot.console.payloads import BotLink, json_body
from bot.console.questions import Questions
from bot.console.timeline import Batch, ResponseTarget, Timeline
from bot.i18n import t

# What to ask when a message element has no placeholder to say it (catalogue keys).
_QUESTION = {
    "datepicker": "con_ask_date",
    "timepicker": "con_ask_time",
    "users_select": "con_ask_user",
    "multi_users_select": "con_ask_users",
}


class Interactions:
    def __init__(self, link: BotLink, timeline: Timeline, forms: FormStack, say: Say) -> None:
        self.link = link
        self.timeline = timeline
        self.forms = forms
        self._say = say
        self._pressing_in_view = False
        self.questions = Questions(self.ask, say, link.me)
        self.modal = ModalFlow(self, link, timeline, forms, say)

    # ------------------------------------------------------------------ slash commands

    def command(self, text: str) -> Flow:
        command, *rest = text.split(None, 1)
        key = self.link.new_key()
        self.timeline.targets[key] = ResponseTarget(channel=self.link.me.channel_id)
        form = self.link.command_form(command, rest[0].strip() if rest else "", key)
        response = self.link.send_command(form, missing=self._t("con_not_a_command", command=command))
        batch = Batch()
        if response is not None and response.status == 200 and response.body:
            # What ack() carried is shown at once by Slack, like a reply through the response URL.
            content = _ack_message(response.body)
            ephemeral = content.get("response_type") != "in_channel"
            mid = self.timeline.add_message(batch, self.link.me.channel_id, content, ephemeral=ephemeral)
            self.timeline.targets[key].last_posted = mid
        self.timeline.collect(batch)
        self.timeline.show(batch)
        if self.forms.views:
            yield from self.modal.run()

    def message(self, text: str) -> Flow:
        """A line without a slash: a message to the bot in its DM, read as plain words (SPEC §3)."""
        self.link.send_event(self.link.message_event(text))
        batch = self.timeline.collect()
        self.timeline.show(batch)
        yield from ()

    # ------------------------------------------------------------------ buttons in messages

    def press(self, number: int) -> Flow:
        listing = self.timeline.listing
        entry = listing.get(number)
        if entry is None:
            if listing:
                known = ", ".join(str(n) for n in sorted(listing))
                self._say(self._t("con_no_such_button", number=number, known=known))
            else:
                self._say(self._t("con_no_buttons"))
            return
        mid, ref = entry
        message = self.timeline.messages[mid]
        if message.deleted:
            self._say(self._t("con_message_deleted"))
            return
        container = {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": message.channel,
            "is_ephemeral": message.ephemeral,
        }
        if message.thread_ts:
            container["thread_ts"] = message.thread_ts
        extra: Json = {"container": container, "channel": self.link.channel_json(message.channel)}
        if not message.ephemeral:  # Slack leaves the message out of payloads from ephemeral messages
            extra["message"] = message.as_payload(self.link.me.bot_user_id, self.link.me.team_id)
        try:
            action = yield from self.ask_action(ref, self.suggester(ref.block_id, ref.action_id, extra))
        except Cancelled:
            self._say(self._t("con_cancelled"))
            return
        if ref.url:
            self._say(self._t("con_opens_url", url=ref.url))
        key = self.link.new_key()
        self.timeline.targets[key] = ResponseTarget(channel=message.channel, message=mid)
        payload = self.link.payload("block_actions")
        payload.update(extra)
        payload.update(
            {
                "trigger_id": self.link.trigger_id(),
                "state": {"values": {}},
                "response_url": self.link.slack.response_url(key),
                "actions": [action],
            }
        )
        self.link.send(payload, missing=None if ref.url else self._t("con_no_handler_button"))
        self.timeline.show(self.timeline.collect())
        if self.forms.views:
            yield from self.modal.run()

    # ------------------------------------------------------------------ questions

    def ask(self, prompt: str) -> Generator[str, str, str]:
        """One line from the user; `cancel` raises Cancelled and `#N` presses button N of the open form."""
        while True:
            line = yield prompt
            stripped = line.strip()
            if stripped.lower() == "cancel":
                raise Cancelled
            pressed = re.fullmatch(r"#(\d{1,3})", stripped)
            if pressed and self.forms.views and not self._pressing_in_view:
                ref = self.forms.buttons.get(int(pressed.group(1)))
                if ref is None:
                    self._say(self._t("con_no_form_button", number=pressed.group(1)))
                    continue
                version = self.forms.version
                yield from self._press_in_view(ref)
                if self.forms.version != version:
                    raise ViewChanged
                continue
            return line

    def ask_action(self, ref: ButtonRef, suggest: Suggest) -> Generator[str, str, Json]:
        """The `actions[0]` of a block_actions payload for pressing `ref`, asking for a choice if needed."""
        element = ref.element
        action: Json = {"type": ref.kind, "action_id": ref.action_id, "block_id": ref.block_id}
        if ref.kind == "button":
            action["text"] = element.get("text")
            if "value" in element:
                action["value"] = element["value"]
            if element.get("style"):
                action["style"] = element["style"]
        else:
            current = initial_state(element)
            if ref.kind == "overflow":
                current = {"type": "overflow", "selected_option": None}
            label = text_of(element.get("placeholder")) or self._t(_QUESTION.get(ref.kind, "con_ask_choose"))
            state = yield from self.questions.value(
                element, label=label, optional=False, current=current, suggest=suggest
            )
            action.update({k: v for k, v in state.items() if k != "type"})
            if ref.kind == "datepicker" and element.get("initial_date"):
                action["initial_date"] = element["initial_date"]
        confirm = element.get("confirm")
        if isinstance(confirm, Mapping):
            yield from self._confirm(confirm)
        action["action_ts"] = self.link.next_ts()
        return action

    def _confirm(self, confirm: Mapping[str, Any]) -> Generator[str, str, None]:
        title = text_of(confirm.get("title")) or self._t("con_sure")
        yes = text_of(confirm.get("confirm")) or self._t("con_yes")
        no = text_of(confirm.get("deny")) or self._t("con_cancel")
        self._say(f"{title}\n{text_of(confirm.get('text'))}")
        answer = (yield from self.ask(self._t("con_confirm_prompt", yes=yes, no=no))).strip().lower()
        if answer not in ("y", "yes", yes.lower()):
            raise Cancelled

    def suggester(self, block_id: str, action_id: str, extra: Json) -> Suggest:
        def suggest(query: str) -> list[tuple[str | None, Json]]:
            payload = self.link.payload("block_suggestion")
            payload.update(extra)
            payload.update({"action_id": action_id, "block_id": block_id, "value": query})
            response = self.link.send(payload, missing=self._t("con_no_typeahead"))
            self.timeline.show(self.timeline.collect())
            return _suggested_options(json_body(response) or {})

        return suggest

    # ------------------------------------------------------------------ elements in forms

    def _press_in_view(self, ref: ButtonRef) -> Generator[str, str, None]:
        top = self.forms.views[-1]
        extra: Json = {"container": {"type": "view", "view_id": top.id}, "view": self.view_json(top)}
        self._pressing_in_view = True
        try:
            action = yield from self.ask_action(ref, self.suggester(ref.block_id, ref.action_id, extra))
        except Cancelled:
            self._say(self._t("con_cancelled"))
            return
        finally:
            self._pressing_in_view = False
        if ref.kind != "button":  # a select in a section of the form keeps its choice in the view's state
            state = {k: v for k, v in action.items() if k not in ("action_id", "block_id", "action_ts")}
            top.values.setdefault(ref.block_id, {})[ref.action_id] = state
        payload = self.link.payload("block_actions")
        payload.update({"trigger_id": self.link.trigger_id(), "actions": [action]})
        payload.update(extra)
        payload["view"] = self.view_json(top)
        self.link.send(payload, missing=None if ref.url else self._t("con_no_handler_button"))
        self.timeline.show(self.timeline.collect())

    def input_action(self, top: OpenView, block: Mapping[str, Any], state: Json) -> None:
        """An input block with dispatch_action: Slack sends block_actions as soon as it is filled."""
        element = block["element"]
        action = {k: v for k, v in state.items() if k != "type"}
        action.update(
            {
                "type": element["type"],
                "action_id": element["action_id"],
                "block_id": block["block_id"],
                "action_ts": self.link.next_ts(),
            }
        )
        payload = self.link.payload("block_actions")
        payload.update(
            {
                "trigger_id": self.link.trigger_id(),
                "container": {"type": "view", "view_id": top.id},
                "view": self.view_json(top),
                "actions": [action],
            }
        )
        self.link.send(payload, missing=None)
        self.timeline.show(self.timeline.collect())

    def _t(self, key: str, /, **params: object) -> str:
        return t(self.link.me.locale, key, **params)

    def view_json(self, top: OpenView) -> Json:
        return top.as_payload(self.link.me.team_id)


def _ack_message(body: str) -> Json:
    if body.startswith("{"):
        try:
            parsed = json.loads(body)
        except ValueError:
            return {"text": body}
        return parsed if isinstance(parsed, dict) else {"text": body}
    return {"text": body}


def _suggested_options(body: Mapping[str, Any]) -> list[tuple[str | None, Json]]:
    listed: list[tuple[str | None, Json]] = [(None, option) for option in body.get("options") or []]
    for group in body.get("option_groups") or []:
        heading = text_of(group.get("label"))
        listed.extend((heading, option) for option in group.get("options") or [])
    return listed
