"""End-to-end harness: the real app behind its real HTTP server, driven by requests signed exactly as
Slack signs them, with the Web API pointed at a local fake that records every call."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier
from waitress.server import create_server

from bot.app import build_app, runtime_of
from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.local_slack import Call, LocalSlack
from bot.runtime import Runtime
from bot.server import wsgi_app
from tests.support.blockkit import check_ack_body, check_calls

SIGNING_SECRET = "test-signing-secret"
TEAM = "T0TEAM1"
OTHER_TEAM = "T0TEAM2"
USER = "U0REP1"
OTHER_USER = "U0REP2"


@pytest.fixture
def slack() -> Iterator[LocalSlack]:
    with LocalSlack(team_id=TEAM) as fake:
        fake.add_user(USER, name="sato", tz="Asia/Tokyo", locale="en-US")
        fake.add_user(OTHER_USER, name="suzuki", tz="Asia/Tokyo", locale="ja-JP")
        yield fake


@pytest.fixture
def settings(slack: LocalSlack, database_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token="xoxb-test",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=slack.base_url,
        database_url=database_url,
        pyramid_team_channel="C0TEAM",
        pyramid_locale="en",
        pyramid_timezone="Asia/Tokyo",
        # The Home is rebuilt at once after an action here, so tests see it without waiting out the
        # coalescing window (tests/unit/test_runtime.py covers the window itself).
        pyramid_home_refresh_delay=0,
    )


@dataclass
class Sent:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


class SlackDriver:
    """Sends what Slack would send, signed; reads what the bot posted back from the fake."""

    def __init__(self, url: str, slack: LocalSlack) -> None:
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
    ) -> Sent:
        headers = {"Content-Type": content_type}
        if sign:
            ts = str(timestamp if timestamp is not None else int(time.time()))
            headers["X-Slack-Request-Timestamp"] = ts
            headers["X-Slack-Signature"] = SignatureVerifier(secret).generate_signature(
                timestamp=ts, body=body
            )
        request = urllib.request.Request(self.url, data=body.encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Sent(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return Sent(error.code, error.read().decode())

    def form(self, fields: dict[str, str], **kwargs: Any) -> Sent:
        return self.post(urlencode(fields), content_type="application/x-www-form-urlencoded", **kwargs)

    def payload(self, payload: dict[str, Any], **kwargs: Any) -> Sent:
        return self.form({"payload": json.dumps(payload)}, **kwargs)

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
        **kwargs: Any,
    ) -> tuple[Sent, str]:
        key = uuid.uuid4().hex[:10]
        fields = {
            "token": "legacy",
            "team_id": team,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "sales",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A0PYRAMID",
            "response_url": self.slack.response_url(key),
            "trigger_id": trigger_id or f"trig.{uuid.uuid4().hex}",
        }
        sent = self.form(fields, **kwargs)
        self.acks[key] = sent
        return sent, key

    def run(self, command: str, text: str = "", **kwargs: Any) -> dict[str, Any]:
        """A command and the reply it got at its response URL."""
        sent, key = self.command(command, text, **kwargs)
        assert sent.status == 200, sent
        return self.reply(key)

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
        button, block_id = find_button(message, action_id)
        key = uuid.uuid4().hex[:10]
        payload = {
            "type": "block_actions",
            "team": {"id": team, "domain": "acme"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
            "api_app_id": "A0PYRAMID",
            "token": "legacy",
            "trigger_id": f"trig.{uuid.uuid4().hex}",
            "container": {
                "type": "message",
                "message_ts": "1700000000.000100",
                "channel_id": channel,
                "is_ephemeral": True,
            },
            "channel": {"id": channel, "name": "sales"},
            "response_url": self.slack.response_url(key),
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block_id,
                    "type": "button",
                    "value": value if value is not None else button.get("value"),
                    "text": button["text"],
                    "action_ts": "1700000001.000200",
                }
            ],
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
            "type": "view_submission",
            "team": {"id": team, "domain": "acme"},
            "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
            "api_app_id": "A0PYRAMID",
            "token": "legacy",
            "trigger_id": f"trig.{uuid.uuid4().hex}",
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
    if action is None:
        element, block_id = find_button(message, action_id)
        action = {
            "action_id": action_id,
            "block_id": block_id,
            "type": element.get("type", "button"),
            "value": value if value is not None else element.get("value"),
            "text": element.get("text"),
            "action_ts": "1700000001.000200",
        }
    key = uuid.uuid4().hex[:10]
    payload = {
        "type": "block_actions",
        "team": {"id": team, "domain": "acme"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": team},
        "api_app_id": "A0PYRAMID",
        "token": "legacy",
        "trigger_id": f"trig.{uuid.uuid4().hex}",
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
        "actions": [action],
    }
    sent = driver.payload(payload)
    assert sent.status == 200, sent
    return sent, key


# The runtimes of the apps the tests are serving, so that `settle` can wait for their after-work.
LIVE_RUNTIMES: list[Runtime] = []


def settle(slack: LocalSlack, quiet: float = 0.15, timeout: float = 3.0) -> None:
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


def find_button(message: dict[str, Any], action_id: str) -> tuple[dict[str, Any], str]:
    for block in message.get("blocks", []):
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("action_id") == action_id:
                return element, block.get("block_id", "")
        accessory = block.get("accessory")
        if accessory and accessory.get("action_id") == action_id:
            return accessory, block.get("block_id", "")
    raise AssertionError(f"no button {action_id} in {json.dumps(message)[:500]}")


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


@pytest.fixture
def app_server(settings: Settings, db: Database, clock: FixedClock, slack: LocalSlack) -> Iterator[str]:
    app = build_app(
        settings, db=db, clock=clock, client=WebClient(token="xoxb-test", base_url=slack.base_url)
    )
    LIVE_RUNTIMES.append(runtime_of(app))
    server = create_server(wsgi_app(app), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    port = server.effective_port  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}"
    # Let the listeners still working after their ack (home tab, announcements) finish while the fake
    # Slack is up, so that no thread outlives its test.
    LIVE_RUNTIMES.remove(runtime_of(app))
    runtime_of(app).close()
    # Stop from inside waitress's own loop (closing its sockets from here would race its select()):
    # the loop ends when its socket map is empty.
    channels = dict(server._map)  # type: ignore[union-attr]
    server.trigger.pull_trigger(server._map.clear)  # type: ignore[union-attr]
    thread.join(timeout=5)
    for channel in channels.values():
        channel.close()
    server.task_dispatcher.shutdown()  # type: ignore[union-attr]


@pytest.fixture
def driver(app_server: str, slack: LocalSlack) -> SlackDriver:
    return SlackDriver(app_server + "/slack/events", slack)


@pytest.fixture(autouse=True)
def slack_limits(request: pytest.FixtureRequest) -> Iterator[None]:
    """At the end of every end-to-end test, every message and view the bot sent (Web API calls, response
    URL posts, and replies carried in HTTP ack bodies) is checked against Slack's real limits."""
    yield
    fake = request.node.funcargs.get("slack")
    if isinstance(fake, LocalSlack):
        check_calls(fake.calls)
    driver = request.node.funcargs.get("driver")
    acks = getattr(driver, "acks", None)  # slash-command acks recorded by the driver, by response key
    for key, sent in (acks or {}).items():
        if sent.status == 200:
            check_ack_body(sent.body, f"ack {key}")


__all__ = ["Call", "SlackDriver", "find_button", "text_of"]
