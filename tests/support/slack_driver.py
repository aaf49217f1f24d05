"""Slack as the app sees it: requests signed exactly as Slack signs them (slash commands, button presses,
modal submissions, suggestions, events), and readers of what the bot sent back to the fake Web API."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_TEAM, OTHER_USER, SIGNING_SECRET, TEAM, TEAM_CHANNEL, USER
from tests.support.server import LIVE_RUNTIMES, events_url, serving
from tests.support.threads import at_once

__all__ = ["OTHER_TEAM", "OTHER_USER", "SIGNING_SECRET", "TEAM", "TEAM_CHANNEL", "USER"]

T = TypeVar("T")


@dataclass
class Sent:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackDriver:
    """Sends what Slack would send, signed; reads what the bot posted back from the fake."""

    def __init__(self, url: str, slack: FakeSlack) -> None:
        self.url = url
        self.slack = slack
        # Slash-command acks by response key: a reply can come in the ack itself (Slack shows it).
        self.acks: dict[str, Sent] = {}

    # --- raw requests -------------------------------------------------------------------------
    def post(
        self,
        body: str,
        *,
        content_type: str,
        sign: bool = True,
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
        headers: dict[str, str] | None = None,
    ) -> Sent:
        """`headers` are sent besides the signature's (Slack's retry headers, for instance)."""
        all_headers = {"Content-Type": content_type}
        if sign:
            ts = str(timestamp if timestamp is not None else int(time.time()))
            all_headers["X-Slack-Request-Timestamp"] = ts
            all_headers["X-Slack-Signature"] = SignatureVerifier(secret).generate_signature(
                timestamp=ts, body=body
            )
        all_headers.update(headers or {})
        request = urllib.request.Request(self.url, data=body.encode(), headers=all_headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Sent(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Sent(error.code, error.read().decode())

    def form(self, fields: dict[str, str], **kwargs: Any) -> Sent:
        return self.post(urlencode(fields), content_type="application/x-www-form-urlencoded", **kwargs)

    def payload(self, payload: dict[str, Any], **kwargs: Any) -> Sent:
        return self.form({"payload": json.dumps(payload)}, **kwargs)

    def event(self, body: dict[str, Any], **kwargs: Any) -> Sent:
        """An Events API delivery (JSON)."""
        return self.post(json.dumps(body), content_type="application/json", **kwargs)

    # --- what Slack sends ---------------------------------------------------------------------
    def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str = USER,
        team: str = TEAM,
        trigger_id: str | None = None,
        channel: str = "C0SALES",
        extra: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> tuple[Sent, str]:
        """A slash command with Slack's own fields (and `extra` ones: Enterprise Grid's, for instance)."""
        key = uuid.uuid4().hex[:10]
        trigger = trigger_id or f"trig.{uuid.uuid4().hex}"
        fields = command_fields(
            command, text, user, team, self.slack.response_url(key), trigger, channel=channel
        )
        sent = self.form({**fields, **(extra or {})}, **kwargs)
        self.acks[key] = sent
        return sent, key

    def run(self, command: str, text: str = "", **kwargs: Any) -> dict[str, Any]:
        """A command and the reply it got at its response URL."""
        sent, key = self.command(command, text, **kwargs)
        assert sent.status == 200, sent
        return self.reply(key)

    def same_delivery(
        self, command: str, text: str, trigger_id: str, copies: int = 3
    ) -> list[tuple[Sent, str]]:
        """One command delivered `copies` times at once (Slack retrying while the first is under way):
        every copy carries the same trigger id. Returns each copy's answer and response key."""
        sent, errors = at_once([lambda: self.command(command, text, trigger_id=trigger_id)] * copies)
        assert errors == [], errors
        return sent

    def reply(self, key: str, timeout: float = 5.0) -> dict[str, Any]:
        """The reply to a command: in its ack when it came there, else at its response URL."""
        acked = self.acks.get(key)
        if acked is not None and acked.status == 200 and acked.body.strip():
            body = acked.json()
            if isinstance(body, dict) and (body.get("text") or body.get("blocks")):
                return body
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for call in self.slack.calls_to("response_url"):
                if call.key == key:
                    return call.body
            time.sleep(0.01)
        raise AssertionError(f"no reply at response URL {key}; calls: {[c.method for c in self.slack.calls]}")

    def press(
        self,
        message: dict[str, Any],
        action_id: str,
        *,
        user: str = USER,
        team: str = TEAM,
        value: str | None = None,
        channel: str = "C0SALES",
    ) -> tuple[Sent, str]:
        """Presses the button `action_id` of a message the bot posted (or a forged value)."""
        key = uuid.uuid4().hex[:10]
        container = {
            "type": "message",
            "message_ts": "1700000000.000100",
            "channel_id": channel,
            "is_ephemeral": True,
        }
        payload = {
            **interaction("block_actions", user, team),
            "container": container,
            "channel": {"id": channel, "name": "sales"},
            "response_url": self.slack.response_url(key),
            "actions": [button_action(message, action_id, value)],
        }
        return self.payload(payload), key

    def submit(
        self,
        view: dict[str, Any],
        values: dict[str, dict[str, Any]],
        *,
        user: str = USER,
        team: str = TEAM,
        view_id: str | None = None,
    ) -> Sent:
        payload = {
            **interaction("view_submission", user, team),
            "view": {
                **view,
                "id": view_id or view.get("id") or f"V{uuid.uuid4().hex[:10].upper()}",
                "team_id": team,
                "state": {"values": values},
            },
        }
        return self.payload(payload)

    def options(
        self,
        action_id: str,
        value: str,
        *,
        view: dict[str, Any] | None = None,
        user: str = USER,
        team: str = TEAM,
    ) -> Sent:
        payload = {
            "type": "block_suggestion",
            "team": {"id": team, "domain": "acme"},
            "user": {"id": user, "name": user.lower(), "team_id": team},
            "api_app_id": "A0PYRAMID",
            "token": "legacy",
            "action_id": action_id,
            "block_id": "account",
            "value": value,
            "view": view or {"id": "V0", "type": "modal"},
        }
        return self.payload(payload)


def press_in(
    driver: SlackDriver,
    message: dict[str, Any],
    channel: str,
    action_id: str,
    *,
    user: str = USER,
    team: str = TEAM,
    value: str | None = None,
    action: dict[str, Any] | None = None,
) -> tuple[Sent, str]:
    """Presses an element of a message the bot posted to `channel`, as Slack sends it for a real (not
    ephemeral) message: the container names the message and the payload carries it."""
    key = uuid.uuid4().hex[:10]
    payload = {
        **interaction("block_actions", user, team),
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "channel": {"id": channel, "name": "directmessage"},
        "message": {
            "type": "message",
            "ts": message["ts"],
            "text": message.get("text", ""),
            "blocks": message.get("blocks", []),
        },
        "response_url": driver.slack.response_url(key),
        "actions": [action or button_action(message, action_id, value)],
    }
    sent = driver.payload(payload)
    assert sent.status == 200, sent
    return sent, key


def settle(slack: FakeSlack, quiet: float = 0.15, timeout: float = 3.0) -> None:
    """Waits until the work that goes on after the acks (announcements, the home tab) has finished
    and the fake Slack has had no new call for `quiet` seconds."""
    for _ in range(2):  # after-work may queue more after-work (an answer, then the Home)
        for runtime in list(LIVE_RUNTIMES):
            runtime.drain(timeout)
    deadline = time.monotonic() + timeout
    seen = len(slack.calls)
    while time.monotonic() < deadline:
        time.sleep(quiet)
        now = len(slack.calls)
        if now == seen:
            return
        seen = now


def command_fields(
    command: str,
    text: str,
    user: str,
    team: str,
    response_url: str,
    trigger_id: str,
    *,
    channel: str = "C0SALES",
    domain: str = "acme",
) -> dict[str, str]:
    """A slash command's form fields, as Slack sends them."""
    return {
        "token": "legacy",
        "team_id": team,
        "team_domain": domain,
        "channel_id": channel,
        "channel_name": "sales",
        "user_id": user,
        "user_name": user.lower(),
        "command": command,
        "text": text,
        "api_app_id": "A0PYRAMID",
        "response_url": response_url,
        "trigger_id": trigger_id,
    }


def interaction(kind: str, user: str, team: str) -> dict[str, Any]:
    """The fields every interaction payload of `kind` starts with: who, from which workspace, a trigger."""
    return {
        "type": kind,
        "team": {"id": team, "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
        "api_app_id": "A0PYRAMID",
        "token": "legacy",
        "trigger_id": f"trig.{uuid.uuid4().hex}",
    }


def find_button(
    message: dict[str, Any], action_id: str, value: str | None = None
) -> tuple[dict[str, Any], str]:
    """The element `action_id` of a message or view (the one with `value`, when given) and its block id."""
    for block in message.get("blocks", []):
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        for element in [*elements, block.get("accessory") or {}]:
            if element.get("action_id") == action_id and value in (None, element.get("value")):
                return element, block.get("block_id", "")
    found = f"no button {action_id}" + ("" if value is None else f" with value {value!r}")
    raise AssertionError(f"{found} in {json.dumps(message)[:500]}")


def button_action(message: dict[str, Any], action_id: str, value: str | None = None) -> dict[str, Any]:
    """The action a press on the button `action_id` sends (`value`: a forged one instead of its own)."""
    element, block_id = find_button(message, action_id)
    return {
        "action_id": action_id,
        "block_id": block_id,
        "type": element.get("type", "button"),
        "value": value if value is not None else element.get("value"),
        "text": element.get("text"),
        "action_ts": "1700000001.000200",
    }


def date_picked(action_id: str, block_id: str, day: str) -> dict[str, Any]:
    """A day picked in a message's datepicker (YYYY-MM-DD), as a block_actions payload's action."""
    return {
        "type": "datepicker",
        "action_id": action_id,
        "block_id": block_id,
        "selected_date": day,
        "action_ts": "1700000001.000200",
    }


def drawn_pyramid(message: Mapping[str, Any]) -> str:
    """The pyramid drawn in a message or view: its one section whose text is a code block."""
    [drawing] = [
        block["text"]["text"]
        for block in message["blocks"]
        if block.get("type") == "section" and block["text"]["text"].startswith("```")
    ]
    return str(drawing)


def text_of(message: dict[str, Any]) -> str:
    """Every piece of text in a message, for assertions."""
    parts = [message.get("text") or ""]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                parts.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(message.get("blocks", []))
    return "\n".join(parts)


def eventually(probe: Callable[[], T], timeout: float = 5.0) -> T:
    """The probe's first truthy result within `timeout` seconds (else its last result)."""
    deadline = time.monotonic() + timeout
    while True:
        result = probe()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.02)


def option(value: str, text: str | None = None) -> dict[str, Any]:
    """A selected option as Slack sends it in state values."""
    return {"text": {"type": "plain_text", "text": text or value, "emoji": True}, "value": value}


def posts_to(slack: FakeSlack, channel: str) -> list[dict[str, Any]]:
    """What the bot posted (chat.postMessage) to `channel`."""
    return [c.body for c in slack.calls_to("chat.postMessage") if c.body.get("channel") == channel]


def kind_of(body: dict[str, Any]) -> str | None:
    """The kind a message the bot sent names in its metadata."""
    return ((body.get("metadata") or {}).get("event_payload") or {}).get("kind")


def posts_of_kind(slack: FakeSlack, kind: str, channel: str = TEAM_CHANNEL) -> list[dict[str, Any]]:
    """What the bot posted to `channel` (the team channel unless told) of this metadata kind."""
    return [post for post in posts_to(slack, channel) if kind_of(post) == kind]


def run_logged(driver: SlackDriver, slack: FakeSlack, commands: Iterable[tuple[str, str, str]]) -> None:
    """(command, text, user) each, each reply checked for an error, each waited for: a log's work after
    the reply starts by republishing the rep's home, and /trouble ends with the team channel's post;
    the after-work is done before the caller moves the clock on."""
    for command, text, user in commands:
        published = len(slack.calls_to("views.publish"))
        troubles = len(posts_of_kind(slack, "trouble_post"))
        reply = text_of(driver.run(command, text, user=user))
        assert any(word in reply for word in ("Logged", "記録", "Recovery opened", "リカバリー")), reply
        if command == "/trouble":
            assert eventually(lambda n=troubles: len(posts_of_kind(slack, "trouble_post")) > n)
        else:
            slack.wait_for("views.publish", published + 1)
    settle(slack)


def updates(slack: FakeSlack) -> list[dict[str, Any]]:
    return [c.body for c in slack.calls_to("chat.update")]


@contextmanager
def driving(
    settings: Settings, db: Database, clock: Clock, slack: FakeSlack, *, settle_after: bool = False
) -> Iterator[SlackDriver]:
    """A driver for the app with these settings behind its own waitress server (as the `driver` fixture
    has); `settle_after`: the after-work of the last action finishes before the app stops."""
    with serving(settings, db, slack.base_url, clock=clock) as url:
        try:
            yield SlackDriver(events_url(url), slack)
        finally:
            if settle_after:
                settle(slack)


def as_published_home(view: dict[str, Any]) -> dict[str, Any]:
    """The view as Slack holds it after views.publish (ids added), as a block_actions payload carries it."""
    return {
        **view,
        "id": "V0HOME",
        "team_id": TEAM,
        "hash": "1700000000.abc",
        "state": {"values": {}},
        "app_id": "A0PYRAMID",
        "bot_id": "B0PYRAMID",
    }


def press_home(
    driver: SlackDriver,
    view: dict[str, Any],
    action_id: str,
    *,
    value: str | None = None,
    user: str = USER,
    team: str = TEAM,
) -> Sent:
    """A press on the home tab, as Slack sends it: a view container, no message, no response URL."""
    button, block_id = find_button(view, action_id, value)
    published = as_published_home(view)
    action = {
        "action_id": action_id,
        "block_id": block_id,
        "type": "button",
        "value": button.get("value"),
        "text": button["text"],
        "action_ts": "1700000001.000200",
    }
    payload = {
        **interaction("block_actions", user, team),
        "container": {"type": "view", "view_id": published["id"]},
        "view": published,
        "actions": [action],
    }
    sent = driver.payload(payload)
    assert sent.status == 200, sent
    return sent
