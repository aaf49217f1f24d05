"""Filling in a form the bot opened: each input asked in turn, then submitted (or closed) as in Slack."""

from __future__ import annotations

from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

from bot.console.flow import Cancelled, Flow, Json, Say, ViewChanged
from bot.console.forms import FormStack, OpenView, initial_state, input_blocks
from bot.console.mrkdwn import text_of
from bot.console.payloads import BotLink, json_body
from bot.console.render import render_modal
from bot.console.timeline import Timeline
from bot.i18n import t

if TYPE_CHECKING:
    from bot.console.interact import Interactions

Answered = set[tuple[str, str]]  # (block_id, action_id) of the inputs asked in the open form


class ModalFlow:
    def __init__(self, interact: Interactions, link: BotLink, timeline: Timeline, forms: FormStack, say: Say):
        self.interact = interact
        self.link = link
        self.timeline = timeline
        self.forms = forms
        self._say = say

    def run(self) -> Flow:
        """Ask the inputs of the top form until every form is submitted or closed."""
        answered: dict[str, Answered] = {}
        only: set[str] | None = None
        shown: tuple[str, int] | None = None
        try:
            while self.forms.views:
                top = self.forms.views[-1]
                if shown != (top.id, self.forms.version):
                    self._show_view(top)
                    shown = (top.id, self.forms.version)
                done = answered.setdefault(top.id, set())
                try:
                    asked = yield from self._ask_inputs(top, done, only)
                    only = None
                    if not top.view.get("submit"):
                        yield from self._idle()
                        continue
                    if not asked and not (yield from self._confirm_submit(top)):
                        done.clear()
                        continue
                except ViewChanged:
                    continue
                only = self._submit(top, done)
        except Cancelled:
            self.close()

    def _ask_inputs(self, top: OpenView, done: Answered, only: set[str] | None) -> Generator[str, str, bool]:
        """Ask the inputs not answered yet (or only those in `only`); True if any was asked."""
        asked = False
        for block in input_blocks(top.view):
            element = block["element"]
            key = (str(block["block_id"]), str(element["action_id"]))
            if (only is not None and key[0] not in only) or (only is None and key in done):
                continue
            state = yield from self._ask_field(top, block)
            top.values.setdefault(key[0], {})[key[1]] = state
            done.add(key)
            asked = True
            if block.get("dispatch_action"):
                version = self.forms.version
                self.interact.input_action(top, block, state)
                if self.forms.version != version:
                    raise ViewChanged
        return asked

    def _ask_field(self, top: OpenView, block: Mapping[str, Any]) -> Generator[str, str, Json]:
        element = block["element"]
        block_id, action_id = str(block["block_id"]), str(element["action_id"])
        label = text_of(block.get("label")) or action_id
        hint = text_of(block.get("hint"))
        if hint:
            self._say(f"  ({hint})")
        current = top.values.get(block_id, {}).get(action_id) or initial_state(element)
        extra: Json = {"container": {"type": "view", "view_id": top.id}, "view": self.interact.view_json(top)}

        def suggest(query: str) -> list[tuple[str | None, Json]]:
            extra["view"] = self.interact.view_json(top)  # the state as filled in so far
            return self.interact.suggester(block_id, action_id, extra)(query)

        return (
            yield from self.interact.questions.value(
                element, label=label, optional=bool(block.get("optional")), current=current, suggest=suggest
            )
        )

    def _show_view(self, top: OpenView) -> None:
        text, refs = render_modal(top.view, locale=self.link.me.locale)
        self.forms.buttons = {ref.number: ref for ref in refs}
        hint = self._t("con_form_hint")
        if refs:
            hint += (
                self._t("con_form_buttons", count=len(refs)) if len(refs) > 1 else self._t("con_form_button")
            )
        self._say(f"\n{text}\n{hint}")

    def _submit(self, top: OpenView, done: Answered) -> set[str] | None:
        """Send view_submission; returns the block ids to ask again (errors), else None."""
        payload = self.link.payload("view_submission")
        payload.update(
            {"trigger_id": self.link.trigger_id(), "view": self.interact.view_json(top), "response_urls": []}
        )
        response = self.link.send(payload, missing=self._t("con_no_form_handler"))
        batch = self.timeline.collect()
        body = json_body(response)
        if body is None:
            self.timeline.show(batch)
            self._say(self._t("con_form_stays"))
            return None
        action = body.get("response_action")
        if action == "errors":
            self.timeline.show(batch)
            return self._refused(top, done, body.get("errors") or {})
        if action == "update" and isinstance(body.get("view"), Mapping):
            self.forms.replace(top, body["view"])
            done.clear()
        elif action == "push" and isinstance(body.get("view"), Mapping):
            self.forms.push(body["view"], f"V0C{self.link.next_id():07d}")
        elif action == "clear":
            self.forms.clear()
            self._say(self._t("con_form_submitted"))
        else:
            self.forms.remove(top)
            self._say(self._t("con_form_submitted" if not self.forms.views else "con_form_submitted_back"))
        self.timeline.show(batch)
        return None

    def _refused(self, top: OpenView, done: Answered, errors: Mapping[str, Any]) -> set[str] | None:
        labels = {str(block["block_id"]): text_of(block.get("label")) for block in input_blocks(top.view)}
        self._say(self._t("con_form_refused"))
        for block_id, problem in errors.items():
            self._say(f"  {labels.get(block_id, block_id)}: {problem}")
        again = {block_id for block_id in errors if block_id in labels}
        if not again:
            done.clear()
        return again or None

    def _idle(self) -> Generator[str, str, None]:
        """A form with nothing to submit: its buttons can be pressed; Enter closes it."""
        prompt = self._t("con_idle_buttons" if self.forms.buttons else "con_idle")
        while True:
            line = yield from self.interact.ask(prompt)
            if not line.strip():
                raise Cancelled
            self._say(self._t("con_idle_help"))

    def _confirm_submit(self, top: OpenView) -> Generator[str, str, bool]:
        label = text_of(top.view.get("submit")) or self._t("con_submit")
        prompt = self._t("con_submit_prompt", label=label)
        while True:
            line = (yield from self.interact.ask(prompt)).strip().lower()
            if not line:
                return True
            if line == "edit":
                return False
            self._say(self._t("con_submit_help"))

    def _t(self, key: str, /, **params: object) -> str:
        return t(self.link.me.locale, key, **params)

    def close(self) -> None:
        """Close every open form, as its Cancel button does (view_closed if the bot asked for it)."""
        top = self.forms.top
        if top is None:
            return
        if top.view.get("notify_on_close"):
            payload = self.link.payload("view_closed")
            payload.update({"view": self.interact.view_json(top), "is_cleared": len(self.forms.views) > 1})
            self.link.send(payload, missing=None)
        self.forms.clear()
        self._say(self._t("con_form_closed"))
        self.timeline.show(self.timeline.collect())
