"""Slack's Web API on loopback, for the console: the real Bolt app and WebClient talk to it unchanged.

It answers the calls Pyramid makes the way Slack does (`bot.console.webapi`) and keeps every call so
that the console can render what the bot sent. The bot is a member of every channel; nothing here
fails on purpose (the tests' FakeSlack, in tests/support/fake_slack.py, adds that).
"""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from bot.console.webapi import DEFAULT_LOCALE, DEFAULT_TZ, User, WebApi
from bot.console.wire import Call, Reply, Server, decode_request

__all__ = ["Call", "SlackStandIn"]

log = logging.getLogger(__name__)

# How often the serving thread checks for stop(): the default 0.5 s would make every stop() that slow.
_POLL_INTERVAL = 0.02


class SlackStandIn:
    """Slack's Web API on loopback: keeps every call (thread-safe) and answers like Slack.

    Use as a context manager (``with SlackStandIn() as slack:``) or call :meth:`start` / :meth:`stop`.
    """

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, team_id: str = "T0LOCAL", bot_user_id: str = "UBOT"
    ) -> None:
        self.host = host
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self._requested_port = port
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        # One condition guards all mutable state below (subclasses may wait on it for calls to arrive).
        self._cond = threading.Condition()
        self._calls: list[Call] = []
        self.api = WebApi(team_id, bot_user_id, lambda: self.root_url)
        # The bot itself is a user, as in a real workspace (users.info on the bot's id answers is_bot).
        self.add_user(bot_user_id, name="pyramid", is_bot=True)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> SlackStandIn:
        """Start serving in a daemon thread (idempotent); returns self, so that it chains."""
        if self._server is not None:
            return self
        server = Server((self.host, self._requested_port), self)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            name=f"local-slack:{self.port}",
            daemon=True,
        )
        self._thread.start()
        log.debug("Slack stand-in serving at %s", self.base_url)
        return self

    def stop(self) -> None:
        """Stop serving and free the port (idempotent). Recorded calls stay readable."""
        server, thread = self._server, self._thread
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)
        self._server = None
        self._thread = None

    def __enter__(self) -> SlackStandIn:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ addresses and calls

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the Slack stand-in is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def base_url(self) -> str:
        """The Web API base URL; the trailing slash matters, WebClient appends the method name to it."""
        return f"{self.root_url}api/"

    def response_url(self, key: str = "r1") -> str:
        """A response URL for a command/interaction payload; posts to it are recorded under `key`."""
        return f"{self.root_url}respond/{quote(key, safe='')}"

    @property
    def calls(self) -> list[Call]:
        """A copy of every call so far, in arrival order."""
        with self._cond:
            return list(self._calls)

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        tz: str = DEFAULT_TZ,
        locale: str = DEFAULT_LOCALE,
        is_bot: bool = False,
        deleted: bool = False,
        email: str | None = None,
        is_admin: bool = False,
    ) -> None:
        """Add (or replace) a user that users.info and users.list answer with."""
        ZoneInfo(tz)  # fail here, at setup, on a misspelt time zone
        user = User(user_id, name or user_id.lower(), tz, locale, is_bot, deleted, email, is_admin)
        with self._cond:
            self.api.users[user_id] = user

    # ------------------------------------------------------------------ request handling

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> Reply:
        """Decode, record and answer one request (called on a server thread)."""
        call = decode_request(path, headers, raw)
        if call is None:
            # Not a Slack call, most likely a base_url without its trailing slash.
            path_only = urlsplit(path).path
            return Reply.json({"ok": False, "error": "unknown_method", "path": path_only}, status=404)
        return self.receive(call)

    def receive(self, call: Call) -> Reply:
        with self._cond:
            self._calls.append(call)
            reply = self._reply(call)
            self._cond.notify_all()
        return reply

    def write(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        reply.write(handler)

    def _reply(self, call: Call) -> Reply:
        """The answer to `call`; runs with the lock held, so answers may touch state freely."""
        if call.method == "response_url":
            return Reply.text("ok")  # what Slack answers; slack_sdk's WebhookClient only checks the status
        if call.method == "upload":
            return Reply.text(f"OK - {call.body['size']}")
        return Reply.json(self.api.answer(call.method, call.body))
