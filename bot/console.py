"""`pyramid-bot console`: Pyramid in a terminal, with no Slack at all.

The console plays Slack. It starts `LocalSlack` (a fake Web API on loopback that records every call),
points the real Bolt app at it, and for each line the user types builds the payload Slack would send
(a slash command, a button press, a type-ahead query, a modal submission) and hands it to
`app.dispatch`. With `process_before_response=True` every listener has finished when dispatch returns,
so everything the bot posted is already recorded; the console renders it as text (`bot.views.text`).

`ConsoleSession` is the part that needs no database: give it any Bolt `App` and anything with the
`calls` / `response_url` of `LocalSlack`. `run_console` builds the real app and runs a session.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import json
import logging
import re
import secrets
import sys
from collections.abc import Callable, Generator, Mapping, Sequence
from copy import deepcopy
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Protocol, TextIO
from urllib.parse import urlencode

from slack_bolt import App
from slack_bolt.response import BoltResponse

from bot.server import bolt_request
from bot.views.text import ButtonRef, element_options, option_label, render_message, render_modal, text_of

if TYPE_CHECKING:
    from bot.clock import Clock
    from bot.config import Settings
    from bot.db import Database

__all__ = ["DEFAULT_COMMANDS", "PROMPT", "ConsoleSession", "SlackDouble", "run_console", "slack_locale"]

Json = dict[str, Any]
Flow = Generator[str, str, None]  # yields the next prompt, receives the line typed at it

PROMPT = "pyramid> "
APP_ID = "ALOCAL"
BOT_ID = "BLOCAL"
VERIFICATION_TOKEN = "console"
FORM = "application/x-www-form-urlencoded"

DEFAULT_COMMANDS: tuple[tuple[str, str], ...] = (
    ("/meeting <account> [call|email|visit|meal] [date] [-- note]", "log a touch"),
    ("/deal <account> proposed|won|lost [amount] [date] [-- note]", "log a proposal, a win or a loss"),
    ("/account <account>", "the account card"),
    ("/pyramid [me|@user|team] [detail]", "the stage distribution and its health"),
    ("/followup <account> <date> [-- what]", "schedule a follow-up"),
    ("/trouble <account> -- <what went wrong>", "open a failure recovery"),
)

_TEXT_KINDS = frozenset({"plain_text_input", "email_text_input", "url_text_input", "number_input"})
_CHOICE_KINDS = frozenset({"radio_buttons", "static_select", "overflow", "checkboxes", "multi_static_select"})
_SEARCH_KINDS = frozenset({"external_select", "multi_external_select"})
_USER_KINDS = frozenset({"users_select", "multi_users_select"})
_CHANNEL_KINDS = frozenset(
    {"conversations_select", "channels_select", "multi_conversations_select", "multi_channels_select"}
)
_MULTI_KINDS = frozenset(
    {
        "checkboxes",
        "multi_static_select",
        "multi_external_select",
        "multi_users_select",
        "multi_conversations_select",
        "multi_channels_select",
    }
)
# What to ask when a message element has no placeholder to say it.
_QUESTION = {
    "datepicker": "Date",
    "timepicker": "Time",
    "users_select": "User",
    "multi_users_select": "Users",
}
# element type -> (field in state.values / block_actions, field holding its initial value)
_STATE_FIELDS: dict[str, tuple[str, str]] = {
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


class RecordedCall(Protocol):
    """What the console reads of one call recorded by the fake Slack (`bot.local_slack.Call`)."""

    @property
    def method(self) -> str: ...

    @property
    def body(self) -> Mapping[str, Any]: ...

    @property
    def key(self) -> str | None: ...


class SlackDouble(Protocol):
    """The part of `bot.local_slack.LocalSlack` the console uses."""

    @property
    def calls(self) -> Sequence[RecordedCall]: ...

    def response_url(self, key: str) -> str: ...


class _Cancelled(Exception):
    """The user typed `cancel` (or the input ended) in the middle of a question."""


class _ViewChanged(Exception):
    """The open form changed while a field was being asked (a button or the bot updated it)."""


@dataclass
class _Message:
    mid: int
    channel: str
    ts: str
    content: Json  # text / blocks / attachments
    ephemeral: bool
    recipient: str | None = None
    thread_ts: str | None = None
    deleted: bool = False


@dataclass
class _ResponseTarget:
    """Where posts to one response URL land: `message` is the message the interaction came from."""

    channel: str
    message: int | None = None
    last_posted: int | None = None


@dataclass
class _OpenView:
    id: str
    view: Json
    values: dict[str, dict[str, Json]]
    hash: str
    root_id: str
    previous_id: str | None


@dataclass
class _Batch:
    """What one dispatch produced: messages touched (id -> existed before), in order, and notes."""

    touched: dict[int, bool] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def touch(self, mid: int, *, updated: bool) -> None:
        self.touched.setdefault(mid, updated)


class ConsoleSession:
    """One user's terminal session against a Bolt app, with `slack` recording what the app sends.

    Feed it lines with `handle_line` (tests) or let `run` read them from a stream; the output goes to `out`.
    """

    def __init__(
        self,
        app: App,
        slack: SlackDouble,
        *,
        team_id: str = "T0LOCAL",
        user_id: str = "U0LOCAL",
        user_name: str = "you",
        channel_id: str = "C0LOCAL",
        channel_name: str = "console",
        team_domain: str = "local",
        bot_user_id: str = "UBOT",
        out: TextIO | None = None,
        commands: Sequence[tuple[str, str]] = DEFAULT_COMMANDS,
        local_commands: Mapping[str, tuple[str, Callable[[], str]]] | None = None,
    ) -> None:
        self.app = app
        # Words the console runs itself (not Slack commands), e.g. "digest"; each returns a note to show.
        self.local_commands = dict(local_commands or {})
        self.slack = slack
        self.team_id = team_id
        self.user_id = user_id
        self.user_name = user_name
        self.channel_id = channel_id
        self.channel_name = channel_name
        self.team_domain = team_domain
        self.bot_user_id = bot_user_id
        self.out: TextIO = out if out is not None else sys.stdout
        self.commands = tuple(commands)
        self.finished = False

        self._seen = len(slack.calls)
        self._ids = itertools.count(1)
        # Only for unique, increasing ts values; never a clock reading.
        self._epoch = 1_700_000_000
        self._messages: dict[int, _Message] = {}
        self._by_ts: dict[tuple[str, str], int] = {}
        self._targets: dict[str, _ResponseTarget] = {}
        self._listing: dict[int, tuple[int, ButtonRef]] = {}
        self._views: list[_OpenView] = []
        self._view_buttons: dict[int, ButtonRef] = {}
        self._view_version = 0
        self._pressing_in_view = False
        self._flow: Flow | None = None
        self._prompt = PROMPT

    # ------------------------------------------------------------------------------ public API

    @property
    def prompt(self) -> str:
        """What to show before reading the next line: `pyramid> `, or the question being asked."""
        return self._prompt

    @property
    def buttons(self) -> list[ButtonRef]:
        """The buttons a number presses now (the most recent listing)."""
        return [ref for _, ref in sorted(self._listing.values(), key=lambda entry: entry[1].number)]

    @property
    def open_view(self) -> Json | None:
        """The modal being filled in, if any (as the bot sent it, with ids filled in)."""
        return self._views[-1].view if self._views else None

    def greet(self) -> None:
        self._say(self.help_text())

    def help_text(self) -> str:
        names = [usage for usage, _ in self.commands] + ["help", "buttons", "quit"]
        width = min(max(len(name) for name in names), 62)
        lines = [
            f"Pyramid console: Slack without Slack. You are @{self.user_name} ({self.user_id}) "
            f"in #{self.channel_name}.",
            "Type the slash commands as in Slack (with no text they open a form):",
        ]
        lines.extend(f"  {usage:<{width}}  {what}" for usage, what in self.commands)
        lines.extend(f"  {word:<{width}}  {what}" for word, (what, _) in self.local_commands.items())
        lines.append(f"  {'help':<{width}}  this list")
        lines.append(f"  {'buttons':<{width}}  the buttons you can press now")
        lines.append(f"  {'quit':<{width}}  leave (also exit, or Ctrl-D)")
        lines.append("Buttons show as [1], [2]…: type the number to press one (the latest listing counts).")
        lines.append("In a form, answer each field in turn: Enter keeps the value shown, `cancel` closes it.")
        return "\n".join(lines)

    def handle_line(self, line: str) -> bool:
        """Act on one typed line; False once the session is over."""
        line = line.rstrip("\r\n")
        try:
            if self._flow is None:
                self._flow = self._top_level(line)
                self._prompt = next(self._flow)
            else:
                self._prompt = self._flow.send(line)
        except (StopIteration, _Cancelled, _ViewChanged):
            self._end_flow()
        except Exception as error:  # noqa: BLE001 - a failure must not end the session; it is shown instead
            self._end_flow()
            self._say(f"! Something failed: {type(error).__name__}: {error}")
        return not self.finished

    def abort(self) -> None:
        """Give up the question being asked (input ended or Ctrl-C): an open form is closed as by `cancel`."""
        flow = self._flow
        if flow is None:
            return
        try:
            for _ in range(5):
                flow.throw(_Cancelled())
        except (StopIteration, _Cancelled, _ViewChanged):
            pass
        except Exception as error:  # noqa: BLE001
            self._say(f"! Something failed: {type(error).__name__}: {error}")
        finally:
            flow.close()
            self._end_flow()

    def run(self, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
        """Read lines until `quit` or the end of input; returns the exit status (0)."""
        source = stdin if stdin is not None else sys.stdin
        if stdout is not None:
            self.out = stdout
        typing = _isatty(source)
        # input() gives line editing and history on a terminal; on pipes plain readline() is used.
        use_input = typing and source is sys.stdin and self.out is sys.stdout
        if use_input:
            with contextlib.suppress(ImportError):
                importlib.import_module("readline")
        self.greet()
        while not self.finished:
            try:
                if use_input:
                    line = input(self.prompt)
                else:
                    self.out.write(self.prompt)
                    self.out.flush()
                    raw = source.readline()
                    if not raw:
                        raise EOFError
                    line = raw.rstrip("\r\n")
                    if not typing:
                        self.out.write(line + "\n")  # a transcript that reads like the terminal
            except EOFError:
                self.out.write("\n")
                self.abort()
                break
            except KeyboardInterrupt:
                self.out.write("\n")
                if self._flow is None:
                    break
                self.abort()
                continue
            try:
                self.handle_line(line)
            except KeyboardInterrupt:
                self._say("(interrupted)")
                self.abort()
        self._say("Bye.")
        self.out.flush()
        return 0

    # --------------------------------------------------------------------------- the top level

    def _top_level(self, line: str) -> Flow:
        text = line.strip()
        lowered = text.lower()
        if not text:
            return
        if lowered in ("quit", "exit", "/quit", "/exit"):
            self.finished = True
            return
        if lowered in ("help", "?", "/help"):
            self._say(self.help_text())
            return
        if lowered == "buttons":
            self._list_buttons()
            return
        if lowered in self.local_commands:
            note = self.local_commands[lowered][1]()
            self._show(self._collect())
            if note:
                self._say(note)
            return
        if text.startswith("/") and len(text) > 1:
            yield from self._command(text)
            return
        number = re.fullmatch(r"\[?(\d{1,4})\]?", text)
        if number:
            yield from self._press(int(number.group(1)))
            return
        self._say('Type a slash command such as "/meeting Acme visit", a button number, or "help".')

    def _list_buttons(self) -> None:
        if not self._listing:
            self._say("No buttons to press yet.")
            return
        for ref in self.buttons:
            self._say(f"  [{ref.number}] {ref.text}")

    def _end_flow(self) -> None:
        self._flow = None
        self._prompt = PROMPT
        if self._views:  # only a failure ends a flow with a form still open: forget it
            self._views.clear()
            self._view_version += 1

    # -------------------------------------------------------------------------- slash commands

    def _command(self, text: str) -> Flow:
        command, *rest = text.split(None, 1)
        key = self._new_key()
        self._targets[key] = _ResponseTarget(channel=self.channel_id)
        form = {
            "token": VERIFICATION_TOKEN,
            "team_id": self.team_id,
            "team_domain": self.team_domain,
            "channel_id": self.channel_id,
            "channel_name": self.channel_name,
            "user_id": self.user_id,
            "user_name": self.user_name,
            "command": command,
            "text": rest[0].strip() if rest else "",
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.slack.response_url(key),
            "trigger_id": self._trigger_id(),
        }
        response = self._dispatch(
            urlencode(form), missing=f"! {command} is not a command of this bot (try help)."
        )
        batch = _Batch()
        if response is not None and response.status == 200 and response.body:
            # What ack() carried is shown at once by Slack, like a reply through the response URL.
            content = _ack_message(response.body)
            ephemeral = content.get("response_type") != "in_channel"
            mid = self._add_message(batch, self.channel_id, content, ephemeral=ephemeral)
            self._targets[key].last_posted = mid
        self._collect(batch)
        self._show(batch)
        if self._views:
            yield from self._modal()

    # ------------------------------------------------------------------------ buttons in messages

    def _press(self, number: int) -> Flow:
        entry = self._listing.get(number)
        if entry is None:
            if self._listing:
                known = ", ".join(str(n) for n in sorted(self._listing))
                self._say(f"There is no button [{number}]; the latest listing has {known}.")
            else:
                self._say("There are no buttons to press yet.")
            return
        mid, ref = entry
        message = self._messages[mid]
        if message.deleted:
            self._say("That message was deleted.")
            return
        container = {
            "type": "message",
            "message_ts": message.ts,
            "channel_id": message.channel,
            "is_ephemeral": message.ephemeral,
        }
        if message.thread_ts:
            container["thread_ts"] = message.thread_ts
        extra: Json = {"container": container, "channel": self._channel_json(message.channel)}
        if not message.ephemeral:  # Slack leaves the message out of payloads from ephemeral messages
            extra["message"] = self._message_json(message)
        try:
            action = yield from self._ask_action(ref, self._suggester(ref.block_id, ref.action_id, extra))
        except _Cancelled:
            self._say("Cancelled; nothing was sent.")
            return
        if ref.url:
            self._say(f"(this button opens {ref.url})")
        key = self._new_key()
        self._targets[key] = _ResponseTarget(channel=message.channel, message=mid)
        payload = self._payload("block_actions")
        payload.update(extra)
        payload.update(
            {
                "trigger_id": self._trigger_id(),
                "state": {"values": {}},
                "response_url": self.slack.response_url(key),
                "actions": [action],
            }
        )
        self._send(payload, missing=None if ref.url else "! The bot has no handler for this button.")
        self._show(self._collect())
        if self._views:
            yield from self._modal()

    # --------------------------------------------------------------------------------- the modal

    def _modal(self) -> Flow:
        answered: dict[str, set[tuple[str, str]]] = {}
        only: set[str] | None = None
        shown: tuple[str, int] | None = None
        try:
            while self._views:
                top = self._views[-1]
                if shown != (top.id, self._view_version):
                    self._show_view(top)
                    shown = (top.id, self._view_version)
                done = answered.setdefault(top.id, set())
                asked = False
                try:
                    for block in _input_blocks(top.view):
                        element = block["element"]
                        key = (str(block["block_id"]), str(element["action_id"]))
                        if (only is not None and key[0] not in only) or (only is None and key in done):
                            continue
                        state = yield from self._ask_field(top, block)
                        top.values.setdefault(key[0], {})[key[1]] = state
                        done.add(key)
                        asked = True
                        if block.get("dispatch_action"):
                            version = self._view_version
                            self._input_action(top, block, state)
                            if self._view_version != version:
                                raise _ViewChanged
                    only = None
                    if not top.view.get("submit"):
                        yield from self._idle(top)
                        continue
                    if not asked:
                        submit = yield from self._confirm_submit(top)
                        if not submit:
                            done.clear()
                            continue
                except _ViewChanged:
                    continue
                only = self._submit(top, done)
        except _Cancelled:
            self._close_views()

    def _show_view(self, top: _OpenView) -> None:
        text, refs = render_modal(top.view)
        self._view_buttons = {ref.number: ref for ref in refs}
        hint = "Fill in the form: Enter keeps the value shown, `cancel` closes it."
        if refs:
            hint += (
                f" Type #1…#{len(refs)} to press its buttons."
                if len(refs) > 1
                else " Type #1 to press its button."
            )
        self._say(f"\n{text}\n{hint}")

    def _submit(self, top: _OpenView, done: set[tuple[str, str]]) -> set[str] | None:
        """Send view_submission; returns the block ids to ask again (errors), else None."""
        payload = self._payload("view_submission")
        payload.update({"trigger_id": self._trigger_id(), "view": self._view_json(top), "response_urls": []})
        response = self._send(payload, missing="! The bot has no handler for this form.")
        batch = self._collect()
        body = _json_body(response) if response is not None and response.status == 200 else None
        if body is None:
            self._show(batch)
            self._say("The form stays open.")
            return None
        action = body.get("response_action")
        if action == "errors":
            self._show(batch)
            labels = {
                str(block["block_id"]): text_of(block.get("label")) for block in _input_blocks(top.view)
            }
            errors = body.get("errors") or {}
            self._say("The form was not accepted:")
            for block_id, problem in errors.items():
                self._say(f"  {labels.get(block_id, block_id)}: {problem}")
            again = {block_id for block_id in errors if block_id in labels}
            if not again:
                done.clear()
            return again or None
        if action == "update" and isinstance(body.get("view"), Mapping):
            self._replace_view(top, body["view"])
            done.clear()
        elif action == "push" and isinstance(body.get("view"), Mapping):
            self._push_view(body["view"])
        elif action == "clear":
            self._views.clear()
            self._view_version += 1
            self._say("Form submitted.")
        else:
            if top in self._views:
                self._views.remove(top)
                self._view_version += 1
            self._say("Form submitted." if not self._views else "Form submitted; back to the previous one.")
        self._show(batch)
        return None

    def _idle(self, top: _OpenView) -> Generator[str, str, None]:
        """A form with nothing to submit: its buttons can be pressed; Enter closes it."""
        prompt = (
            "[#N presses a button · Enter closes the form]: " if self._view_buttons else "[Enter closes]: "
        )
        while True:
            line = yield from self._ask(prompt)
            if not line.strip():
                raise _Cancelled
            self._say("Type #N to press a button of the form, or Enter to close it.")

    def _confirm_submit(self, top: _OpenView) -> Generator[str, str, bool]:
        label = text_of(top.view.get("submit")) or "Submit"
        while True:
            line = (yield from self._ask(f"{label}? [Enter submits · edit · cancel]: ")).strip().lower()
            if not line:
                return True
            if line == "edit":
                return False
            self._say("Enter submits the form, edit changes its fields, cancel closes it.")

    def _close_views(self) -> None:
        if not self._views:
            return
        top = self._views[-1]
        if top.view.get("notify_on_close"):
            payload = self._payload("view_closed")
            payload.update({"view": self._view_json(top), "is_cleared": len(self._views) > 1})
            self._send(payload, missing=None)
        self._views.clear()
        self._view_version += 1
        self._say("Form closed.")
        self._show(self._collect())

    def _input_action(self, top: _OpenView, block: Mapping[str, Any], state: Json) -> None:
        """An input block with dispatch_action: Slack sends block_actions as soon as it is filled."""
        element = block["element"]
        action = {k: v for k, v in state.items() if k != "type"}
        action.update(
            {
                "type": element["type"],
                "action_id": element["action_id"],
                "block_id": block["block_id"],
                "action_ts": self._next_ts(),
            }
        )
        payload = self._payload("block_actions")
        payload.update(
            {
                "trigger_id": self._trigger_id(),
                "container": {"type": "view", "view_id": top.id},
                "view": self._view_json(top),
                "actions": [action],
            }
        )
        self._send(payload, missing=None)
        self._show(self._collect())

    def _press_in_view(self, ref: ButtonRef) -> Generator[str, str, None]:
        top = self._views[-1]
        extra: Json = {"container": {"type": "view", "view_id": top.id}, "view": self._view_json(top)}
        self._pressing_in_view = True
        try:
            action = yield from self._ask_action(ref, self._suggester(ref.block_id, ref.action_id, extra))
        except _Cancelled:
            self._say("Cancelled; nothing was sent.")
            return
        finally:
            self._pressing_in_view = False
        if ref.kind != "button":  # a select in a section of the form keeps its choice in the view's state
            state = {k: v for k, v in action.items() if k not in ("action_id", "block_id", "action_ts")}
            top.values.setdefault(ref.block_id, {})[ref.action_id] = state
        payload = self._payload("block_actions")
        payload.update({"trigger_id": self._trigger_id(), "actions": [action]})
        payload.update(extra)
        payload["view"] = self._view_json(top)
        self._send(payload, missing=None if ref.url else "! The bot has no handler for this button.")
        self._show(self._collect())

    # ----------------------------------------------------------------------------- questions

    def _ask(self, prompt: str) -> Generator[str, str, str]:
        """One line from the user; `cancel` raises _Cancelled and `#N` presses button N of the open form."""
        while True:
            line = yield prompt
            stripped = line.strip()
            if stripped.lower() == "cancel":
                raise _Cancelled
            pressed = re.fullmatch(r"#(\d{1,3})", stripped)
            if pressed and self._views and not self._pressing_in_view:
                ref = self._view_buttons.get(int(pressed.group(1)))
                if ref is None:
                    self._say(f"The form has no button #{pressed.group(1)}.")
                    continue
                version = self._view_version
                yield from self._press_in_view(ref)
                if self._view_version != version:
                    raise _ViewChanged
                continue
            return line

    def _ask_action(
        self, ref: ButtonRef, suggest: Callable[[str], list[tuple[str | None, Json]]]
    ) -> Generator[str, str, Json]:
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
            current = _initial_state(element)
            if ref.kind == "overflow":
                current = {"type": "overflow", "selected_option": None}
            label = text_of(element.get("placeholder")) or _QUESTION.get(ref.kind, "Choose")
            state = yield from self._ask_value(
                element, label=label, optional=False, current=current, suggest=suggest
            )
            action.update({k: v for k, v in state.items() if k != "type"})
            if ref.kind == "datepicker" and element.get("initial_date"):
                action["initial_date"] = element["initial_date"]
        confirm = element.get("confirm")
        if isinstance(confirm, Mapping):
            yield from self._confirm(confirm)
        action["action_ts"] = self._next_ts()
        return action

    def _confirm(self, confirm: Mapping[str, Any]) -> Generator[str, str, None]:
        title = text_of(confirm.get("title")) or "Are you sure?"
        yes = text_of(confirm.get("confirm")) or "Yes"
        no = text_of(confirm.get("deny")) or "Cancel"
        self._say(f"{title}\n{text_of(confirm.get('text'))}")
        answer = (yield from self._ask(f"[y = {yes} · n = {no}]: ")).strip().lower()
        if answer not in ("y", "yes", yes.lower()):
            raise _Cancelled

    def _ask_field(self, top: _OpenView, block: Mapping[str, Any]) -> Generator[str, str, Json]:
        element = block["element"]
        block_id, action_id = str(block["block_id"]), str(element["action_id"])
        label = text_of(block.get("label")) or action_id
        hint = text_of(block.get("hint"))
        if hint:
            self._say(f"  ({hint})")
        current = top.values.get(block_id, {}).get(action_id) or _initial_state(element)
        extra: Json = {"container": {"type": "view", "view_id": top.id}, "view": self._view_json(top)}

        def suggest(query: str) -> list[tuple[str | None, Json]]:
            extra["view"] = self._view_json(top)  # the state as filled in so far
            return self._suggester(block_id, action_id, extra)(query)

        return (
            yield from self._ask_value(
                element, label=label, optional=bool(block.get("optional")), current=current, suggest=suggest
            )
        )

    def _ask_value(
        self,
        element: Mapping[str, Any],
        *,
        label: str,
        optional: bool,
        current: Json,
        suggest: Callable[[str], list[tuple[str | None, Json]]],
    ) -> Generator[str, str, Json]:
        """A new state value (`{"type": ..., "value" | "selected_…": ...}`) for one element."""
        kind = str(element.get("type", ""))
        if kind in _TEXT_KINDS:
            return (yield from self._ask_text(element, label, optional, current))
        if kind in ("datepicker", "timepicker"):
            return (yield from self._ask_when(element, label, optional, current))
        if kind in _CHOICE_KINDS:
            return (yield from self._ask_choice(element, label, optional, current))
        if kind in _SEARCH_KINDS:
            return (yield from self._ask_search(element, label, optional, current, suggest))
        if kind in _USER_KINDS or kind in _CHANNEL_KINDS:
            return (yield from self._ask_id(element, label, optional, current))
        self._say(f"  {label}: a {kind} cannot be filled in the console; it is left as it is.")
        return current

    def _ask_text(
        self, element: Mapping[str, Any], label: str, optional: bool, current: Json
    ) -> Generator[str, str, Json]:
        kind = str(element["type"])
        value = current.get("value")
        notes: list[str] = []
        if value:
            notes.append(f'Enter keeps "{_short(str(value))}"')
        elif element.get("placeholder"):
            notes.append(text_of(element["placeholder"]))
        if element.get("multiline"):
            notes.append("several lines, an empty line ends")
        if optional and value:
            notes.append("- clears")
        prompt = _prompt(label, optional, notes)
        while True:
            line = yield from self._ask(prompt)
            text = line.strip()
            if text and element.get("multiline"):
                lines = [line.rstrip()]
                while True:
                    more = yield from self._ask("… ")
                    if not more.strip():
                        break
                    lines.append(more.rstrip())
                text = "\n".join(lines).strip()
            if not text:
                if value:
                    return current
                if optional:
                    return {"type": kind, "value": None}
                self._say(f"  {label} is required.")
                continue
            if text == "-" and optional:
                return {"type": kind, "value": None}
            problem = _text_problem(element, text)
            if problem:
                self._say(f"  {problem}")
                continue
            return {"type": kind, "value": text}

    def _ask_when(
        self, element: Mapping[str, Any], label: str, optional: bool, current: Json
    ) -> Generator[str, str, Json]:
        kind = str(element["type"])
        state_field = _STATE_FIELDS[kind][0]
        value = current.get(state_field)
        form = "YYYY-MM-DD" if kind == "datepicker" else "HH:MM"
        notes = [form]
        if value:
            notes.append(f"Enter keeps {value}")
            if optional:
                notes.append("- clears")
        prompt = _prompt(label, optional, notes)
        while True:
            text = (yield from self._ask(prompt)).strip()
            if not text:
                if value:
                    return current
                if optional:
                    return {"type": kind, state_field: None}
                self._say(f"  {label} is required.")
                continue
            if text == "-" and optional:
                return {"type": kind, state_field: None}
            if _valid_when(kind, text):
                return {"type": kind, state_field: text}
            self._say(f"  Type a {'date' if kind == 'datepicker' else 'time'} as {form}.")

    def _ask_choice(
        self, element: Mapping[str, Any], label: str, optional: bool, current: Json
    ) -> Generator[str, str, Json]:
        kind = str(element["type"])
        state_field = _STATE_FIELDS[kind][0]
        multi = kind in _MULTI_KINDS
        options = element_options(element)
        chosen = _chosen(current.get(state_field))
        if not options:
            self._say(f"  {label} has no options.")
            return current
        chosen_values = {option.get("value") for option in chosen}
        self._say(_labelled(label, optional))
        for number, option in enumerate(options, 1):
            mark = "  (current)" if option.get("value") in chosen_values else ""
            self._say(f"  {number}) {option_label(option)}{mark}")
        notes = [_span(len(options)) + (", several as 1,3" if multi else "")]
        if chosen:
            notes.append("Enter keeps " + ", ".join(text_of(option.get("text")) for option in chosen))
            if optional:
                notes.append("- clears")
        prompt = _prompt(label, False, notes)
        while True:
            text = (yield from self._ask(prompt)).strip()
            if not text:
                if chosen:
                    return current
                if optional:
                    return {"type": kind, state_field: [] if multi else None}
                self._say(f"  Choose one of {_span(len(options))}.")
                continue
            if text == "-" and optional:
                return {"type": kind, state_field: [] if multi else None}
            picked = _pick(text, options, multi)
            if picked is None:
                self._say(f"  Choose {'numbers' if multi else 'a number'} from 1 to {len(options)}.")
                continue
            return {"type": kind, state_field: picked if multi else picked[0]}

    def _ask_search(
        self,
        element: Mapping[str, Any],
        label: str,
        optional: bool,
        current: Json,
        suggest: Callable[[str], list[tuple[str | None, Json]]],
    ) -> Generator[str, str, Json]:
        kind = str(element["type"])
        state_field = _STATE_FIELDS[kind][0]
        multi = kind in _MULTI_KINDS
        chosen = _chosen(current.get(state_field))
        minimum = int(element.get("min_query_length", 3))
        notes = ["type to search"]
        if chosen:
            notes.append("Enter keeps " + ", ".join(f'"{text_of(option.get("text"))}"' for option in chosen))
            if optional:
                notes.append("- clears")
        elif minimum == 0:
            notes.append("Enter lists all")
        search_prompt = _prompt(label, optional, notes)
        found: list[Json] = []
        while True:
            if found:
                pick_prompt = f"{label} [pick {_span(len(found))}" + (", several as 1,3" if multi else "")
                text = (yield from self._ask(pick_prompt + ", or type another search]: ")).strip()
                picked = _pick(text, found, multi) if text else None
                if picked is not None:
                    return {"type": kind, state_field: picked if multi else picked[0]}
                if not text:
                    found = []
                    continue
                query = text
            else:
                text = (yield from self._ask(search_prompt)).strip()
                if not text and chosen:
                    return current
                if (not text and optional) or (text == "-" and optional):
                    return {"type": kind, state_field: [] if multi else None}
                query = text
            if len(query) < minimum:
                self._say(f"  Type at least {minimum} characters to search.")
                found = []
                continue
            listed = suggest(query)
            found = [option for _, option in listed]
            if not found:
                self._say("  No matches; try another search.")
                continue
            group: str | None = None
            for number, (heading, option) in enumerate(listed, 1):
                if heading is not None and heading != group:
                    self._say(f"  {heading}")
                    group = heading
                self._say(f"  {number}) {option_label(option)}")

    def _ask_id(
        self, element: Mapping[str, Any], label: str, optional: bool, current: Json
    ) -> Generator[str, str, Json]:
        kind = str(element["type"])
        state_field = _STATE_FIELDS.get(kind, ("selected_user", ""))[0]
        multi = kind in _MULTI_KINDS
        users = kind in _USER_KINDS
        value = current.get(state_field)
        sigil = "@" if users else "#"
        example = (
            f"a user id such as {self.user_id}, or me" if users else f"a channel id such as {self.channel_id}"
        )
        notes = [example + (", several separated by commas" if multi else "")]
        shown = (
            ", ".join(sigil + str(v) for v in value)
            if isinstance(value, list)
            else value and sigil + str(value)
        )
        if shown:
            notes.append(f"Enter keeps {shown}")
        prompt = _prompt(label, optional, notes)
        while True:
            text = (yield from self._ask(prompt)).strip()
            if not text:
                if shown:
                    return current
                if optional:
                    return {"type": kind, state_field: [] if multi else None}
                self._say(f"  {label} is required.")
                continue
            ids = [self._id_of(part, users) for part in re.split(r"[,\s]+", text) if part]
            if not ids or any(found is None for found in ids) or (len(ids) > 1 and not multi):
                self._say(f"  Type {example}.")
                continue
            return {"type": kind, state_field: ids if multi else ids[0]}

    def _id_of(self, text: str, users: bool) -> str | None:
        if users and text.lower() == "me":
            return self.user_id
        if not users and text.lower() == "here":
            return self.channel_id
        match = re.fullmatch(r"<?[@#]?([A-Za-z0-9]+)(?:\|[^>]*)?>?", text)
        if not match:
            return None
        found = match.group(1).upper()
        first = ("U", "W") if users else ("C", "D", "G")
        return found if found.startswith(first) else None

    def _suggester(
        self, block_id: str, action_id: str, extra: Json
    ) -> Callable[[str], list[tuple[str | None, Json]]]:
        def suggest(query: str) -> list[tuple[str | None, Json]]:
            payload = self._payload("block_suggestion")
            payload.update(extra)
            payload.update({"action_id": action_id, "block_id": block_id, "value": query})
            response = self._send(payload, missing="! The bot has no type-ahead for this field.")
            self._show(self._collect())
            body = _json_body(response) if response is not None and response.status == 200 else None
            return _suggested_options(body or {})

        return suggest

    # ---------------------------------------------------------------------------- dispatching

    def _dispatch(self, body: str, *, missing: str | None) -> BoltResponse | None:
        request = bolt_request(body, headers={"content-type": FORM})
        try:
            response = self.app.dispatch(request)
        except Exception as error:  # noqa: BLE001 - the session outlives any failure of the bot
            self._say(f"! The bot failed: {type(error).__name__}: {error}")
            return None
        if response.status == 404:
            if missing:
                self._say(missing)
        elif response.status >= 500:
            self._say(f"! The bot failed to handle this (HTTP {response.status}); its log has the details.")
        elif response.status >= 400:
            self._say(f"! The bot refused this (HTTP {response.status}): {response.body[:200]}")
        return response

    def _send(self, payload: Json, *, missing: str | None) -> BoltResponse | None:
        return self._dispatch(urlencode({"payload": json.dumps(payload)}), missing=missing)

    def _payload(self, kind: str) -> Json:
        return {
            "type": kind,
            "team": {"id": self.team_id, "domain": self.team_domain},
            "user": {
                "id": self.user_id,
                "username": self.user_name,
                "name": self.user_name,
                "team_id": self.team_id,
            },
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def _channel_json(self, channel: str) -> Json:
        if channel.startswith("D"):
            return {"id": channel, "name": "directmessage"}
        return {
            "id": channel,
            "name": self.channel_name if channel == self.channel_id else channel.lstrip("#"),
        }

    def _message_json(self, message: _Message) -> Json:
        content: Json = {
            "type": "message",
            "user": self.bot_user_id,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": self.team_id,
            "ts": message.ts,
            "text": message.content.get("text", ""),
            "blocks": deepcopy(message.content.get("blocks") or []),
        }
        if message.content.get("attachments"):
            content["attachments"] = deepcopy(message.content["attachments"])
        if message.thread_ts:
            content["thread_ts"] = message.thread_ts
        return content

    def _view_json(self, top: _OpenView) -> Json:
        view = deepcopy(top.view)
        view.update(
            {
                "id": top.id,
                "team_id": self.team_id,
                "type": view.get("type", "modal"),
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "external_id": view.get("external_id", ""),
                "state": {"values": deepcopy(top.values)},
                "hash": top.hash,
                "clear_on_close": bool(view.get("clear_on_close", False)),
                "notify_on_close": bool(view.get("notify_on_close", False)),
                "root_view_id": top.root_id,
                "previous_view_id": top.previous_id,
                "app_id": APP_ID,
                "app_installed_team_id": self.team_id,
                "bot_id": BOT_ID,
            }
        )
        return view

    def _new_key(self) -> str:
        return f"console-{next(self._ids)}"

    def _trigger_id(self) -> str:
        return f"{next(self._ids)}.{self._epoch}.{secrets.token_hex(16)}"

    def _next_ts(self) -> str:
        number = next(self._ids)
        return f"{self._epoch + number}.{number:06d}"

    # ------------------------------------------------------------------- what the bot sent

    def _collect(self, batch: _Batch | None = None) -> _Batch:
        batch = batch if batch is not None else _Batch()
        calls = self.slack.calls
        if len(calls) < self._seen:  # someone cleared the recording
            self._seen = 0
        fresh = list(calls[self._seen :])
        self._seen = len(calls)
        for call in fresh:
            try:
                self._apply(call, batch)
            except Exception as error:  # noqa: BLE001 - one odd call must not hide the others
                batch.notes.append(f"! Could not show {call.method}: {type(error).__name__}: {error}")
        return batch

    def _apply(self, call: RecordedCall, batch: _Batch) -> None:
        method, body = call.method, dict(call.body)
        if method == "chat.postMessage":
            channel = _dm_channel(str(body.get("channel", "")))
            thread_ts = str(body["thread_ts"]) if body.get("thread_ts") else None
            self._add_message(batch, channel, body, ephemeral=False, thread_ts=thread_ts)
        elif method == "chat.postEphemeral":
            recipient = str(body.get("user") or "") or None
            self._add_message(batch, str(body.get("channel", "")), body, ephemeral=True, recipient=recipient)
        elif method == "chat.update":
            self._update_message(
                batch, _dm_channel(str(body.get("channel", ""))), str(body.get("ts", "")), body
            )
        elif method == "chat.delete":
            mid = self._by_ts.get((_dm_channel(str(body.get("channel", ""))), str(body.get("ts", ""))))
            if mid is not None:
                self._delete_message(batch, mid)
        elif method == "response_url":
            self._from_response_url(call.key or "", body, batch)
        elif method in ("views.open", "views.push", "views.update"):
            self._view_call(method, body, batch)
        elif method == "views.publish":
            batch.notes.append("— App Home updated —")
        elif method == "files.completeUploadExternal":
            where = body.get("channel_id") or body.get("channels")
            for upload in _decoded(body.get("files")) or []:
                title = upload.get("title") or upload.get("id")
                batch.notes.append(
                    f"— file shared{f' in {self._label(str(where))}' if where else ''}: {title} —"
                )

    def _add_message(
        self,
        batch: _Batch,
        channel: str,
        body: Mapping[str, Any],
        *,
        ephemeral: bool,
        recipient: str | None = None,
        thread_ts: str | None = None,
        ts: str | None = None,
        updated: bool = False,
    ) -> int:
        mid = next(self._ids)
        message = _Message(
            mid, channel, ts or self._next_ts(), _content(body), ephemeral, recipient, thread_ts
        )
        self._messages[mid] = message
        self._by_ts[(channel, message.ts)] = mid
        batch.touch(mid, updated=updated)
        return mid

    def _update_message(self, batch: _Batch, channel: str, ts: str, body: Mapping[str, Any]) -> None:
        mid = self._by_ts.get((channel, ts))
        if mid is None:
            # A message the console never saw posted (its ts came from an answer the console cannot read).
            self._add_message(batch, channel, body, ephemeral=False, ts=ts, updated=True)
            return
        message = self._messages[mid]
        message.content.update(_content(body))  # chat.update keeps the fields it is not given
        message.deleted = False
        batch.touch(mid, updated=True)

    def _delete_message(self, batch: _Batch, mid: int) -> None:
        self._messages[mid].deleted = True
        batch.touch(mid, updated=True)

    def _from_response_url(self, key: str, body: Mapping[str, Any], batch: _Batch) -> None:
        target = self._targets.setdefault(key, _ResponseTarget(channel=self.channel_id))
        original = target.message if target.message is not None else target.last_posted
        if body.get("delete_original"):
            if original is not None:
                self._delete_message(batch, original)
            return
        if body.get("replace_original") and original is not None and not self._messages[original].deleted:
            message = self._messages[original]
            message.content = _content(body)  # a replacement is the whole message
            batch.touch(original, updated=True)
            return
        ephemeral = body.get("response_type") != "in_channel"
        target.last_posted = self._add_message(batch, target.channel, body, ephemeral=ephemeral)

    def _view_call(self, method: str, body: Mapping[str, Any], batch: _Batch) -> None:
        view = _decoded(body.get("view"))
        if not isinstance(view, Mapping):
            batch.notes.append(f"! {method} without a view")
            return
        if method == "views.update":
            wanted = body.get("view_id")
            external = body.get("external_id")
            entry = next(
                (
                    v
                    for v in self._views
                    if v.id == wanted or (external and v.view.get("external_id") == external)
                ),
                None,
            )
            if entry is None and self._views:
                entry = self._views[-1]  # its id came from views.open's answer, which the console cannot read
            if entry is None:
                batch.notes.append("(the bot updated a form that is no longer open)")
                return
            self._replace_view(entry, view)
            return
        self._push_view(view)

    def _push_view(self, view: Mapping[str, Any]) -> None:
        normalized = _normalize_view(view)
        view_id = f"V0C{next(self._ids):07d}"
        previous = self._views[-1] if self._views else None
        self._views.append(
            _OpenView(
                id=view_id,
                view=normalized,
                values=_initial_values(normalized),
                hash=self._view_hash(),
                root_id=previous.root_id if previous else view_id,
                previous_id=previous.id if previous else None,
            )
        )
        self._view_version += 1

    def _replace_view(self, entry: _OpenView, view: Mapping[str, Any]) -> None:
        normalized = _normalize_view(view)
        values = _initial_values(normalized)
        # Slack keeps what was typed into an input whose block_id and action_id stay the same.
        for block_id, by_action in values.items():
            for action_id, state in by_action.items():
                old = entry.values.get(block_id, {}).get(action_id)
                if old is not None and old.get("type") == state.get("type"):
                    by_action[action_id] = old
        entry.view = normalized
        entry.values = values
        entry.hash = self._view_hash()
        self._view_version += 1

    def _view_hash(self) -> str:
        return f"{self._epoch}.{secrets.token_hex(4)}"

    # -------------------------------------------------------------------------------- output

    def _show(self, batch: _Batch) -> None:
        listing: list[tuple[int, ButtonRef]] = []
        number = 1
        for mid, updated in batch.touched.items():
            message = self._messages[mid]
            if message.deleted:
                if updated:
                    first = render_message(message.content)[0].split("\n", 1)[0]
                    self._say(f"\n— message deleted: {_short(first)} —")
                continue
            text, refs = render_message(message.content, first_button=number)
            number += len(refs)
            listing.extend((mid, ref) for ref in refs)
            self._say(f"\n{self._header(message, updated)}\n{text}")
        for note in batch.notes:
            self._say(note)
        if listing:
            self._listing = {ref.number: (mid, ref) for mid, ref in listing}
        else:  # buttons of messages that changed are gone; the rest of the listing still counts
            self._listing = {n: entry for n, entry in self._listing.items() if entry[0] not in batch.touched}

    def _header(self, message: _Message, updated: bool) -> str:
        if message.ephemeral:
            where = "ephemeral"
            if message.recipient and message.recipient != self.user_id:
                where += f" to @{message.recipient}"
        elif message.channel.startswith("D"):
            where = "DM"
            other = message.channel[1:]
            if other[:1] in ("U", "W") and other != self.user_id:
                where += f" to @{other}"
        else:
            where = f"in {self._label(message.channel)}"
        if message.thread_ts:
            where += ", in a thread"
        if updated:
            where += ", updated"
        return f"— {where} —"

    def _label(self, channel: str) -> str:
        if channel.startswith("#"):
            return channel
        return "#" + (self.channel_name if channel == self.channel_id else channel)

    def _say(self, text: str) -> None:
        self.out.write(text + "\n")


# ------------------------------------------------------------------------------------- helpers


def _isatty(stream: object) -> bool:
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty()) if callable(isatty) else False
    except (OSError, ValueError):
        return False


def _span(count: int) -> str:
    return "1" if count == 1 else f"1-{count}"


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _prompt(label: str, optional: bool, notes: Sequence[str]) -> str:
    head = _labelled(label, optional)
    return f"{head} [{'; '.join(notes)}]: " if notes else f"{head}: "


def _labelled(label: str, optional: bool) -> str:
    # Slack writes "(optional)" after the label of an optional input; some labels already say so.
    if not optional or "optional" in label.lower() or "任意" in label:
        return label
    return f"{label} (optional)"


def _decoded(value: object) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _content(body: Mapping[str, Any]) -> Json:
    content: Json = {}
    for name in ("text", "blocks", "attachments", "mrkdwn"):
        if name in body:
            content[name] = _decoded(body[name]) if name != "text" else body[name]
    return content


def _dm_channel(channel: str) -> str:
    # Slack (and LocalSlack) post a message sent to a user id into the DM with that user.
    return "D" + channel if channel[:1] in ("U", "W") else channel


def _ack_message(body: str) -> Json:
    if body.startswith("{"):
        try:
            parsed = json.loads(body)
        except ValueError:
            return {"text": body}
        return parsed if isinstance(parsed, dict) else {"text": body}
    return {"text": body}


def _json_body(response: BoltResponse) -> Json:
    if not response.body:
        return {}
    try:
        parsed = json.loads(response.body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _suggested_options(body: Mapping[str, Any]) -> list[tuple[str | None, Json]]:
    listed: list[tuple[str | None, Json]] = [(None, option) for option in body.get("options") or []]
    for group in body.get("option_groups") or []:
        heading = text_of(group.get("label"))
        listed.extend((heading, option) for option in group.get("options") or [])
    return listed


def _input_blocks(view: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    return [
        block
        for block in view.get("blocks") or []
        if block.get("type") == "input" and isinstance(block.get("element"), Mapping)
    ]


def _normalize_view(view: Mapping[str, Any]) -> Json:
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


def _initial_state(element: Mapping[str, Any]) -> Json:
    kind = str(element.get("type", ""))
    spec = _STATE_FIELDS.get(kind)
    if spec is None:
        return {"type": kind}
    state_field, initial_field = spec
    default: Any = [] if kind in _MULTI_KINDS else None
    return {"type": kind, state_field: deepcopy(element.get(initial_field, default))}


def _initial_values(view: Mapping[str, Any]) -> dict[str, dict[str, Json]]:
    values: dict[str, dict[str, Json]] = {}
    for block in _input_blocks(view):
        element = block["element"]
        values.setdefault(str(block["block_id"]), {})[str(element["action_id"])] = _initial_state(element)
    return values


def _chosen(value: object) -> list[Mapping[str, Any]]:
    if isinstance(value, list):
        return [option for option in value if isinstance(option, Mapping)]
    if isinstance(value, Mapping):
        return [value]
    return []


def _pick(text: str, options: Sequence[Mapping[str, Any]], multi: bool) -> list[Json] | None:
    """The options chosen by number (`2`, `1,3`) or by their exact label; None if `text` names none."""
    parts = [part for part in re.split(r"[,\s]+", text.strip()) if part]
    if parts and all(part.isdigit() for part in parts):
        numbers = [int(part) for part in parts]
        if all(1 <= number <= len(options) for number in numbers) and (multi or len(numbers) == 1):
            return [deepcopy(dict(options[number - 1])) for number in dict.fromkeys(numbers)]
        return None
    wanted = text.strip().casefold()
    for option in options:
        if wanted in (text_of(option.get("text")).casefold(), str(option.get("value", "")).casefold()):
            return [deepcopy(dict(option))]
    return None


def _text_problem(element: Mapping[str, Any], text: str) -> str | None:
    kind = element.get("type")
    if element.get("min_length") and len(text) < int(element["min_length"]):
        return f"At least {element['min_length']} characters, please."
    if element.get("max_length") and len(text) > int(element["max_length"]):
        return f"At most {element['max_length']} characters, please (this is {len(text)})."
    if kind == "email_text_input" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        return "Type an email address."
    if kind == "url_text_input" and not re.match(r"https?://\S+$", text):
        return "Type a URL starting with http:// or https://."
    if kind == "number_input":
        pattern = r"-?\d+(\.\d+)?" if element.get("is_decimal_allowed") else r"-?\d+"
        if not re.fullmatch(pattern, text):
            return "Type a number." if element.get("is_decimal_allowed") else "Type a whole number."
        number = float(text)
        if element.get("min_value") is not None and number < float(element["min_value"]):
            return f"The smallest allowed is {element['min_value']}."
        if element.get("max_value") is not None and number > float(element["max_value"]):
            return f"The largest allowed is {element['max_value']}."
    return None


def _valid_when(kind: str, text: str) -> bool:
    if kind == "datepicker":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return False
        try:
            date.fromisoformat(text)
        except ValueError:
            return False
        return True
    match = re.fullmatch(r"(\d{2}):(\d{2})", text)
    return match is not None and int(match.group(1)) < 24 and int(match.group(2)) < 60


# --------------------------------------------------------------------------------- the real app


def slack_locale(locale: str | None, settings: Settings) -> str:
    """The Slack locale of the console's user: `ja` → `ja-JP`, anything else → `en-US`; full tags kept."""
    code = locale or settings.pyramid_locale
    if "-" in code:
        return code
    return "ja-JP" if code == "ja" else "en-US"


def run_console(
    settings: Settings,
    db: Database,
    clock: Clock,
    *,
    team_id: str = "T0LOCAL",
    user_id: str = "U0LOCAL",
    user_name: str = "you",
    locale: str | None = None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> int:
    """`pyramid-bot console`: the real app against a local fake Slack, driven from the terminal."""
    from slack_sdk import WebClient

    from bot.app import build_app
    from bot.local_slack import LocalSlack

    fake = LocalSlack(team_id=team_id, bot_user_id="UBOT")
    fake.start()
    try:
        fake.add_user(
            user_id, name=user_name, tz=settings.pyramid_timezone, locale=slack_locale(locale, settings)
        )
        client = WebClient(token="xoxb-console", base_url=fake.base_url)
        # No scheduler runs beside the console: take today's snapshot (and any backfill) now, so that
        # /pyramid shows its 7- and 30-day trends from earlier console sessions.
        from bot.jobs.snapshots import take_snapshots
        from bot.runtime import Runtime

        take_snapshots(Runtime(settings=settings, db=db, clock=clock), clock.now())
        app = build_app(
            settings, db=db, clock=clock, client=client, verify_requests=False, process_before_response=True
        )
        # The session says itself when the bot has no handler; Bolt's long suggestion is for developers.
        quiet = _WithoutUnhandledWarnings()
        app.logger.addFilter(quiet)
        try:
            local = {
                "digest": (
                    "send today's morning digest to you now",
                    _digest_now(settings, db, clock, client, team_id, user_id),
                )
            }
            session = ConsoleSession(
                app, fake, team_id=team_id, user_id=user_id, user_name=user_name, local_commands=local
            )
            return session.run(stdin, stdout)
        finally:
            app.logger.removeFilter(quiet)
    finally:
        fake.stop()


def _digest_now(
    settings: Settings, db: Database, clock: Clock, client: Any, team_id: str, user_id: str
) -> Callable[[], str]:
    """The console has no scheduler running: `digest` sends this morning's digest on demand."""
    from bot.jobs.digest import send_digests_for
    from bot.runtime import Runtime

    runtime = Runtime(settings=settings, db=db, clock=clock)

    def send() -> str:
        day = clock.today(settings.zone)
        runs = send_digests_for(runtime, client, day=day, users=[user_id], teams=[team_id])
        outcome = runs[0].result.outcome.value if runs else "empty"
        return {
            "sent": "",
            "already": f"(today's digest, {day}, was already sent: one per day)",
            "empty": "(nothing to act on today: no digest)",
        }.get(outcome, f"(digest: {outcome})")

    return send


class _WithoutUnhandledWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Unhandled request")
