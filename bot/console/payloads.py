"""What the console sends the bot: the requests Slack would send, dispatched to the Bolt app in-process."""

from __future__ import annotations

import itertools
import json
import secrets
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urlencode

from slack_bolt import App
from slack_bolt.response import BoltResponse

from bot.console.flow import Json, Say
from bot.console.webapi import APP_ID, TS_EPOCH
from bot.i18n import t
from bot.server import bolt_request

VERIFICATION_TOKEN = "console"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


class RecordedCall(Protocol):
    """What the console reads of one call its Slack recorded (`bot.console.wire.Call`)."""

    @property
    def method(self) -> str: ...

    @property
    def body(self) -> Mapping[str, Any]: ...

    @property
    def key(self) -> str | None: ...


class SlackDouble(Protocol):
    """The part of `bot.console.standin.SlackStandIn` the console uses."""

    @property
    def calls(self) -> Sequence[RecordedCall]: ...

    def response_url(self, key: str) -> str: ...


@dataclass(frozen=True)
class Identity:
    """Who types in the console, where, and which bot answers."""

    team_id: str = "T0LOCAL"
    user_id: str = "U0LOCAL"
    user_name: str = "you"
    channel_id: str = "C0LOCAL"
    channel_name: str = "console"
    team_domain: str = "local"
    bot_user_id: str = "UBOT"
    locale: str = "en"  # the language of the console's own words: "en" or "ja"


class BotLink:
    """Builds Slack's payloads for one user and hands them to `app.dispatch`; failures are said."""

    def __init__(self, app: App, slack: SlackDouble, me: Identity, say: Say) -> None:
        self.app = app
        self.slack = slack
        self.me = me
        self._say = say
        self._ids = itertools.count(1)

    # ------------------------------------------------------------------ ids

    def next_id(self) -> int:
        return next(self._ids)

    def new_key(self) -> str:
        return f"console-{self.next_id()}"

    def trigger_id(self) -> str:
        return f"{self.next_id()}.{TS_EPOCH}.{secrets.token_hex(16)}"

    def next_ts(self) -> str:
        # Only for unique, increasing ts values; never a clock reading.
        number = self.next_id()
        return f"{TS_EPOCH + number}.{number:06d}"

    # ------------------------------------------------------------------ payloads

    def command_form(self, command: str, text: str, key: str) -> Json:
        me = self.me
        return {
            "token": VERIFICATION_TOKEN,
            "team_id": me.team_id,
            "team_domain": me.team_domain,
            "channel_id": me.channel_id,
            "channel_name": me.channel_name,
            "user_id": me.user_id,
            "user_name": me.user_name,
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.slack.response_url(key),
            "trigger_id": self.trigger_id(),
        }

    def payload(self, kind: str) -> Json:
        me = self.me
        return {
            "type": kind,
            "team": {"id": me.team_id, "domain": me.team_domain},
            "user": {"id": me.user_id, "username": me.user_name, "name": me.user_name, "team_id": me.team_id},
            "api_app_id": APP_ID,
            "token": VERIFICATION_TOKEN,
            "is_enterprise_install": False,
            "enterprise": None,
        }

    def message_event(self, text: str) -> Json:
        """The Events API delivery of a message the user wrote in their DM with the bot."""
        me, ts = self.me, self.next_ts()
        return {
            "type": "event_callback",
            "team_id": me.team_id,
            "api_app_id": APP_ID,
            "event": {
                "type": "message",
                "channel_type": "im",
                "channel": self.dm_channel,
                "user": me.user_id,
                "text": text,
                "ts": ts,
                "event_ts": ts,
                # As Slack's clients give each message: the same message on a retry, another next time.
                "client_msg_id": str(uuid.uuid4()),
            },
            "event_id": f"Ev{self.next_id():08d}",
            "event_time": TS_EPOCH,
        }

    @property
    def dm_channel(self) -> str:
        return "D" + self.me.user_id

    def channel_json(self, channel: str) -> Json:
        if channel.startswith("D"):
            return {"id": channel, "name": "directmessage"}
        name = self.me.channel_name if channel == self.me.channel_id else channel.lstrip("#")
        return {"id": channel, "name": name}

    # ------------------------------------------------------------------ dispatching

    def dispatch(self, body: str, *, missing: str | None, content_type: str = FORM) -> BoltResponse | None:
        request = bolt_request(body, headers={"content-type": content_type})
        try:
            response = self.app.dispatch(request)
        except Exception as error:  # noqa: BLE001 - the session outlives any failure of the bot
            self._say(t(self.me.locale, "con_bot_failed", error=f"{type(error).__name__}: {error}"))
            return None
        if response.status == 404:
            if missing:
                self._say(missing)
        elif response.status >= 500:
            self._say(t(self.me.locale, "con_bot_http_failed", status=response.status))
        elif response.status >= 400:
            self._say(t(self.me.locale, "con_bot_refused", status=response.status, body=response.body[:200]))
        return response

    def send(self, payload: Json, *, missing: str | None) -> BoltResponse | None:
        return self.dispatch(urlencode({"payload": json.dumps(payload)}), missing=missing)

    def send_command(self, form: Json, *, missing: str) -> BoltResponse | None:
        return self.dispatch(urlencode(form), missing=missing)

    def send_event(self, body: Json) -> BoltResponse | None:
        return self.dispatch(json.dumps(body), missing=None, content_type=JSON)


def json_body(response: BoltResponse | None) -> Json | None:
    """The JSON object a 200 answer carries ({} when it carries none); None for no or another answer."""
    if response is None or response.status != 200:
        return None
    if not response.body:
        return {}
    try:
        parsed = json.loads(response.body)
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}
