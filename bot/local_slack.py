"""A stand-in for Slack's Web API on loopback that records every call and answers like Slack.

It has two users:

* the end-to-end tests, which point ``slack_sdk.WebClient(base_url=fake.base_url)`` and Bolt's
  ``respond()`` (through a ``response_url`` from :meth:`LocalSlack.response_url`) at it and then
  assert on what the bot really sent;
* the offline console mode, where the same server plays Slack so that the real Bolt handlers run
  unchanged and their output can be rendered in a terminal (see :meth:`LocalSlack.add_listener`).

Only the standard library is used: an ``http.server.ThreadingHTTPServer`` serving from a daemon
thread. Port 0 (the default) lets the OS pick a free port, so any number of fakes can run at once.

Routes:

* ``POST|GET /api/<method>``  - a Web API call (what ``WebClient`` sends; it always POSTs)
* ``POST /respond/<key>``     - a post to a response URL (what Bolt's ``respond()`` sends)
* ``POST /upload/<file_id>``  - the file bytes of ``files_upload_v2``'s second step
"""

from __future__ import annotations

import contextlib
import dataclasses
import email.message
import email.utils
import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from bot.clock import Clock

__all__ = ["JSON_FIELDS", "Call", "LocalSlack"]

log = logging.getLogger(__name__)

# Parameters whose value Slack expects as JSON. Form-encoded clients (and some callers of the JSON API)
# send them as JSON *strings*; they are decoded so that tests can assert on structure, not on text.
# Any other parameter is kept exactly as sent.
JSON_FIELDS = frozenset(
    {
        "attachments",
        "blocks",
        "files",
        "inputs",
        "metadata",
        "outputs",
        "payload",  # the form field of old-style response_url / incoming-webhook posts
        "profile",
        "unfurls",
        "user_auth_blocks",
        "view",
    }
)

BOT_ID = "BLOCAL"
APP_ID = "ALOCAL"
# Message timestamps look like Slack's ("1700000000.000100") and only ever grow, so ordering by ts works.
_TS_EPOCH = 1_700_000_000
# How often the serving thread checks for stop(): the default 0.5 s would make every stop() (so every
# test using a fresh fake) that slow; 20 ms of idle select() calls cost nothing measurable.
_POLL_INTERVAL = 0.02
_DEFAULT_TZ = "Asia/Tokyo"
_DEFAULT_LOCALE = "en-US"

Answer = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One request the fake received, in the shape tests want to assert on."""

    # Web API method, e.g. "chat.postMessage"; or "response_url" for posts to a response URL;
    # or "upload" for file bytes posted to an upload URL.
    method: str
    # The decoded request: every parameter sent (query string, form or JSON), with JSON_FIELDS decoded.
    # For "upload" it is {"size": n, "bytes": raw bytes}.
    body: dict[str, Any]
    # Request headers with lower-cased names (urllib sends "Content-type", other clients "Content-Type").
    headers: dict[str, str]
    # For "response_url": the key in the URL; for "upload": the file id; otherwise None.
    key: str | None = None


@dataclass(frozen=True)
class _Failure:
    status: int
    retry_after: int | None
    error: str
    # Carry the call out and then answer with the failure: a post that landed but whose answer was lost.
    after_effect: bool = False
    # How it fails: "json" ({"ok": false, "error": …} with `status`), "html" (a non-JSON error page with
    # `status`, as a load balancer answers), "drop" (the connection is closed without an answer) or
    # "timeout" (the answer comes only after `delay` seconds, past the client's timeout).
    mode: str = "json"
    delay: float = 0.0
    # Only calls whose decoded body this accepts fail (None: any call to the method).
    when: Callable[[dict[str, Any]], bool] | None = None


FAILURE_MODES = frozenset({"json", "html", "drop", "timeout"})
_HTML_503 = (
    "<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head>"
    "<body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request."
    "</p></body></html>"
)


@dataclass(frozen=True)
class _User:
    id: str
    name: str
    tz: str
    locale: str
    is_bot: bool
    deleted: bool


@dataclass(frozen=True)
class _Reply:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)
    # Failure injection: close the connection without answering; or answer only after `delay` seconds.
    drop: bool = False
    delay: float = 0.0

    @classmethod
    def json(cls, payload: Answer, status: int = 200, headers: dict[str, str] | None = None) -> _Reply:
        body = json.dumps(payload).encode("utf-8")
        return cls(status, body, "application/json; charset=utf-8", headers or {})

    @classmethod
    def text(cls, text: str, status: int = 200) -> _Reply:
        return cls(status, text.encode("utf-8"), "text/plain; charset=utf-8")


class LocalSlack:
    """Slack's Web API on loopback: records every call (thread-safe) and answers like Slack.

    Use as a context manager (``with LocalSlack() as fake:``) or call :meth:`start` / :meth:`stop`.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        team_id: str = "T0LOCAL",
        bot_user_id: str = "UBOT",
    ) -> None:
        self.host = host
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self._requested_port = port
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        # One condition guards all mutable state below; wait_for() sleeps on it until a call arrives.
        self._cond = threading.Condition()
        self._calls: list[Call] = []
        self._users: dict[str, _User] = {}
        self._failures: dict[str, deque[_Failure]] = {}
        self._listeners: list[Callable[[Call], None]] = []
        self._file_names: dict[str, str] = {}
        # Messages posted by the bot, per channel, oldest first: what conversations.history answers.
        self._history: dict[str, list[Answer]] = {}
        # Channels the bot is not a member of (by default it is in every channel), and which of them are
        # private (conversations.join cannot join those: someone must /invite the bot).
        self._outside: set[str] = set()
        self._private: set[str] = set()
        # A single sequence for timestamps and ids keeps every generated value unique and increasing.
        self._seq = 0
        self._answers: dict[str, Callable[[dict[str, Any]], Answer]] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "users.list": self._users_list,
            "conversations.open": self._conversations_open,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.getPermalink": self._chat_get_permalink,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "conversations.join": self._conversations_join,
            "views.open": lambda body: self._view_answer("views.open", body),
            "views.push": lambda body: self._view_answer("views.push", body),
            "views.update": lambda body: self._view_answer("views.update", body),
            "views.publish": lambda body: self._view_answer("views.publish", body),
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
        }
        # The bot itself is a user, as in a real workspace (users.info on the bot's id answers is_bot).
        self.add_user(bot_user_id, name="pyramid", is_bot=True)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> LocalSlack:
        """Start serving in a daemon thread (idempotent); returns self so ``LocalSlack().start()`` chains."""
        if self._server is not None:
            return self
        server = _Server((self.host, self._requested_port), self)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": _POLL_INTERVAL},
            name=f"local-slack:{self.port}",
            daemon=True,
        )
        self._thread.start()
        log.debug("LocalSlack serving at %s", self.base_url)
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

    def __enter__(self) -> LocalSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # ------------------------------------------------------------------ addresses

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("LocalSlack is not running; call start() first")
        return int(self._server.server_address[1])

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def base_url(self) -> str:
        """The Web API base URL; the trailing slash matters, WebClient appends the method name to it."""
        return f"{self.root_url}api/"

    def response_url(self, key: str = "r1") -> str:
        """A response URL for a fake command/interaction payload; posts to it are recorded under `key`."""
        return f"{self.root_url}respond/{quote(key, safe='')}"

    # ------------------------------------------------------------------ recorded calls

    @property
    def calls(self) -> list[Call]:
        """A copy of every call so far, in arrival order."""
        with self._cond:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return self._calls_to(method)

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until at least `count` calls to `method` arrived; return all calls to it.

        Bolt runs listeners (and so the bot's Slack calls) on worker threads, so a test must wait
        for them rather than assert right after dispatching. Raises AssertionError on timeout.
        """
        with self._cond:
            arrived = self._cond.wait_for(lambda: len(self._calls_to(method)) >= count, timeout=timeout)
            matching = self._calls_to(method)
            if not arrived:
                seen = [call.method for call in self._calls]
                raise AssertionError(
                    f"expected at least {count} call(s) to {method!r} within {timeout}s, "
                    f"got {len(matching)}; methods seen in order: {seen}"
                )
            return matching

    def clear(self) -> None:
        """Forget the recorded calls. Users, pending failures and listeners are kept."""
        with self._cond:
            self._calls.clear()

    def add_listener(self, callback: Callable[[Call], None]) -> None:
        """Call `callback(call)` for every call as it arrives (e.g. to render it in the console).

        It runs on the server's request thread before the answer is sent, so output appears in the
        order the bot produced it. Exceptions are logged and do not affect the answer.
        """
        with self._cond:
            self._listeners.append(callback)

    # ------------------------------------------------------------------ behaviour knobs

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        tz: str = _DEFAULT_TZ,
        locale: str = _DEFAULT_LOCALE,
        is_bot: bool = False,
        deleted: bool = False,
    ) -> None:
        """Add (or replace) a user that users.info / users.list answer with."""
        ZoneInfo(tz)  # fail here, in the test's setup, on a misspelt time zone
        user = _User(user_id, name or user_id.lower(), tz, locale, is_bot, deleted)
        with self._cond:
            self._users[user_id] = user

    def fail_next(
        self,
        method: str,
        *,
        status: int = 429,
        retry_after: int | None = 1,
        error: str = "ratelimited",
        times: int = 1,
        after_effect: bool = False,
    ) -> None:
        """Make the next `times` calls to `method` fail with `status` and ``{"ok": false, "error": error}``.

        A Retry-After header is sent when `retry_after` is not None. Failed calls are still recorded.
        status=200 simulates an API-level error such as "channel_not_found". `method` may also be
        "response_url" or "upload". With after_effect=True the call takes effect (a message is stored
        in the channel's history) before the failure is answered, as when Slack's answer is lost.
        """
        if times < 1:
            raise ValueError("times must be at least 1")
        self._add_failures(method, _Failure(status, retry_after, error, after_effect), times)

    def fail(
        self,
        method: str,
        how: str,
        *,
        times: int = 1,
        after_effect: bool = False,
        delay: float = 1.0,
        retry_after: int = 1,
        when: Callable[[dict[str, Any]], bool] | None = None,
    ) -> None:
        """Make the next `times` calls to `method` fail the way Slack (or the network to it) does.

        `how` is one of:

        * ``"drop"``: the connection is closed without an answer (the client sees a dropped connection);
        * ``"timeout"``: the answer comes after `delay` seconds (give the client a smaller timeout);
        * ``"html503"``: HTTP 503 with an HTML page, not JSON (what a proxy in front of Slack answers);
        * ``"500"``: HTTP 500 with ``{"ok": false, "error": "internal_error"}``;
        * ``"429"``: HTTP 429 ``ratelimited`` with ``Retry-After: retry_after``;
        * any other string: HTTP 200 ``{"ok": false, "error": how}``, e.g. ``"not_in_channel"``.

        With after_effect=True the call is carried out (a post lands) before the failure, as when only
        the answer is lost. With `when`, only calls whose decoded body it accepts fail (e.g. the posts
        to one channel, or those carrying one delivery's metadata); other calls pass.
        """
        failures = {
            "drop": _Failure(0, None, "", after_effect, mode="drop"),
            "timeout": _Failure(200, None, "", after_effect, mode="timeout", delay=delay),
            "html503": _Failure(503, None, "", after_effect, mode="html"),
            "500": _Failure(500, None, "internal_error", after_effect),
            "429": _Failure(429, retry_after, "ratelimited", after_effect),
        }
        failure = failures.get(how) or _Failure(200, None, how, after_effect)
        self._add_failures(method, dataclasses.replace(failure, when=when), times)

    def _add_failures(self, method: str, failure: _Failure, times: int) -> None:
        if times < 1:
            raise ValueError("times must be at least 1")
        with self._cond:
            self._failures.setdefault(method, deque()).extend([failure] * times)

    def set_membership(self, channel: str, *, member: bool, private: bool = False) -> None:
        """Put the bot in or out of `channel`. Outside a channel, reading its history and sharing files
        there answer not_in_channel (posting works in a public channel, as with chat:write.public; not
        in a private one); conversations.join gets it in, unless the channel is private."""
        with self._cond:
            if member:
                self._outside.discard(channel)
            else:
                self._outside.add(channel)
            if private:
                self._private.add(channel)
            else:
                self._private.discard(channel)

    def is_member(self, channel: str) -> bool:
        with self._cond:
            return channel not in self._outside

    # ------------------------------------------------------------------ request handling

    def _handle(self, path: str, headers: dict[str, str], raw: bytes) -> _Reply:
        """Decode, record and answer one request (called on a server thread)."""
        url = urlsplit(path)
        route, _, rest = url.path.lstrip("/").partition("/")
        key: str | None = None
        body: dict[str, Any]
        if route == "api" and rest:
            method = rest
            body = dict(parse_qsl(url.query, keep_blank_values=True))
            body.update(_decode_body(headers.get("content-type", ""), raw))
        elif route == "respond" and rest:
            method, key = "response_url", unquote(rest)
            body = _decode_body(headers.get("content-type", ""), raw)
        elif route == "upload" and rest:
            # urllib labels these raw bytes as a form; the route, not the content type, says what they are.
            method, key = "upload", unquote(rest)
            body = {"size": len(raw), "bytes": raw}
        else:
            # Unknown paths are not Slack calls, most likely a base_url without its trailing slash.
            return _Reply.json({"ok": False, "error": "unknown_method", "path": url.path}, status=404)

        call = Call(method=method, body=_decode_json_fields(body), headers=headers, key=key)
        with self._cond:
            self._calls.append(call)
            failure = self._pop_failure(method, call.body)
            if failure and failure.mode == "timeout":
                # Slow, not failed: carried out (after_effect) or not, answered too late either way.
                answered = self._answer(call) if failure.after_effect else self._fail(failure)
                reply = _Reply(answered.status, answered.body, answered.content_type, delay=failure.delay)
            else:
                if failure and failure.after_effect:
                    self._answer(call)
                reply = self._fail(failure) if failure else self._answer(call)
            listeners = list(self._listeners)
            self._cond.notify_all()
        for listener in listeners:
            try:
                listener(call)
            except Exception:
                log.exception("LocalSlack listener failed on %s", method)
        return reply

    def _pop_failure(self, method: str, body: dict[str, Any]) -> _Failure | None:
        """The first pending failure of `method` that applies to this call, taken off its queue."""
        queue = self._failures.get(method) or deque()
        for failure in queue:
            if failure.when is None or failure.when(body):
                queue.remove(failure)
                return failure
        return None

    @staticmethod
    def _fail(failure: _Failure) -> _Reply:
        if failure.mode == "drop":
            return _Reply(0, b"", "", drop=True)
        if failure.mode == "html":
            return _Reply(failure.status, _HTML_503.encode("utf-8"), "text/html; charset=utf-8")
        if failure.mode == "timeout":
            return _Reply.json({"ok": False, "error": "request_timeout"}, status=504)
        headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
        return _Reply.json({"ok": False, "error": failure.error}, status=failure.status, headers=headers)

    def _answer(self, call: Call) -> _Reply:
        if call.method == "response_url":
            return _Reply.text("ok")  # what Slack answers; slack_sdk's WebhookClient only checks the status
        if call.method == "upload":
            return _Reply.text(f"OK - {call.body['size']}")
        answer = self._answers.get(call.method)
        return _Reply.json(answer(call.body) if answer else {"ok": True})

    # The answers below run with self._cond held, so they may touch state freely.

    def _next_seq(self) -> int:
        self._seq += 1
        return self._seq

    def _next_ts(self) -> str:
        seq = self._next_seq()
        return f"{_TS_EPOCH + seq // 10_000}.{seq % 10_000 * 100:06d}"

    def _next_id(self, prefix: str) -> str:
        return f"{prefix}{self._next_seq():08d}"

    def _calls_to(self, method: str) -> list[Call]:
        return [call for call in self._calls if call.method == method]

    def _auth_test(self, body: dict[str, Any]) -> Answer:
        return {
            "ok": True,
            "url": self.root_url,
            "team": "Local",
            "team_id": self.team_id,
            "user": "pyramid",
            "user_id": self.bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def _users_info(self, body: dict[str, Any]) -> Answer:
        user_id = str(body.get("user") or "")
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        user = self._users.get(user_id) or _User(
            user_id, user_id.lower(), _DEFAULT_TZ, _DEFAULT_LOCALE, is_bot=False, deleted=False
        )
        return {"ok": True, "user": self._user_json(user, _truthy(body.get("include_locale")))}

    def _users_list(self, body: dict[str, Any]) -> Answer:
        include_locale = _truthy(body.get("include_locale"))
        members = [self._user_json(user, include_locale) for user in self._users.values()]
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}

    def _user_json(self, user: _User, include_locale: bool) -> Answer:
        # Slack reports the zone's *current* offset, so it changes with daylight saving time; so does this.
        now = Clock().now().astimezone(ZoneInfo(user.tz))
        offset = now.utcoffset()
        answer: Answer = {
            "id": user.id,
            "team_id": self.team_id,
            "name": user.name,
            "real_name": user.name,
            "tz": user.tz,
            "tz_label": now.tzname(),
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "is_bot": user.is_bot,
            "deleted": user.deleted,
            "profile": {"real_name": user.name, "display_name": user.name},
        }
        if include_locale:
            answer["locale"] = user.locale
        return answer

    def _conversations_open(self, body: dict[str, Any]) -> Answer:
        if body.get("channel"):
            return {"ok": True, "channel": {"id": str(body["channel"])}}
        users = _id_list(body.get("users"))
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        # A DM's id is derived from the user so that it is stable across calls, as in Slack.
        channel_id = "D" + users[0] if len(users) == 1 else "G" + "".join(sorted(users))
        return {"ok": True, "channel": {"id": channel_id}}

    def _message(self, body: dict[str, Any], ts: str) -> Answer:
        message: Answer = {
            "type": "message",
            "text": body.get("text", ""),
            "blocks": body.get("blocks", []),
            "ts": ts,
            "user": self.bot_user_id,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": self.team_id,
        }
        for optional in ("attachments", "thread_ts", "metadata"):
            if body.get(optional):
                message[optional] = body[optional]
        return message

    @staticmethod
    def _channel_error(body: dict[str, Any]) -> Answer | None:
        if not body.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not (body.get("text") or body.get("blocks") or body.get("attachments")):
            return {"ok": False, "error": "no_text"}
        return None

    def _outside_error(self, channel: str, *, posting: bool = False) -> Answer | None:
        if channel in self._outside and (not posting or channel in self._private):
            return {"ok": False, "error": "not_in_channel"}
        return None

    def _conversations_join(self, body: dict[str, Any]) -> Answer:
        channel = str(body.get("channel") or "")
        if not channel.startswith(("C", "G")):
            return {"ok": False, "error": "channel_not_found"}
        if channel in self._private:
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        self._outside.discard(channel)
        return {"ok": True, "channel": {"id": channel, "is_member": True}}

    def _chat_post_message(self, body: dict[str, Any]) -> Answer:
        if error := self._channel_error(body):
            return error
        if error := self._outside_error(str(body["channel"]), posting=True):
            return error
        ts = self._next_ts()
        channel = _resolve_channel(str(body["channel"]))
        message = self._message(body, ts)
        self._history.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _conversations_history(self, body: dict[str, Any]) -> Answer:
        channel = _resolve_channel(str(body.get("channel", "")))
        if error := self._outside_error(channel):
            return error
        oldest = float(body.get("oldest") or 0)
        with_metadata = _truthy(body.get("include_all_metadata"))
        messages = []
        for message in reversed(self._history.get(channel, [])):  # newest first, as Slack answers
            if float(message["ts"]) < oldest:
                continue
            shown = dict(message)
            if not with_metadata:
                shown.pop("metadata", None)
            messages.append(shown)
        limit = int(body.get("limit") or 100)
        return {"ok": True, "messages": messages[:limit], "has_more": len(messages) > limit}

    def history(self, channel: str) -> list[Answer]:
        """The bot's messages in a channel (a user id means its DM), oldest first, as last updated."""
        with self._cond:
            return [dict(message) for message in self._history.get(_resolve_channel(channel), [])]

    def _chat_post_ephemeral(self, body: dict[str, Any]) -> Answer:
        if error := self._channel_error(body):
            return error
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, body: dict[str, Any]) -> Answer:
        if not body.get("channel") or not body.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        ts = str(body["ts"])
        stored = self._history.get(_resolve_channel(str(body["channel"])), [])
        for index, message in enumerate(stored):
            if message["ts"] == ts:
                updated = self._message(body, ts)
                updated.setdefault("metadata", message.get("metadata"))
                stored[index] = {key: value for key, value in updated.items() if value is not None}
        return {
            "ok": True,
            "channel": str(body["channel"]),
            "ts": ts,
            "text": body.get("text", ""),
            "message": self._message(body, ts),
        }

    def _chat_delete(self, body: dict[str, Any]) -> Answer:
        if not body.get("channel") or not body.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": str(body["channel"]), "ts": str(body["ts"])}

    def _chat_get_permalink(self, body: dict[str, Any]) -> Answer:
        channel, ts = str(body.get("channel", "")), str(body.get("message_ts", ""))
        permalink = f"{self.root_url}archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": permalink}

    def _view_answer(self, method: str, body: dict[str, Any]) -> Answer:
        sent = body.get("view")
        view: Answer = dict(sent) if isinstance(sent, dict) else {}
        # views.update addresses an existing view, which keeps its id; every other call creates one.
        updating = method == "views.update" and body.get("view_id")
        view_id = str(body["view_id"]) if updating else self._next_id("V")
        view.update(
            {
                "id": view_id,
                "team_id": self.team_id,
                "hash": f"{_TS_EPOCH}.{self._next_id('h')}",
                "state": {"values": {}},
                "private_metadata": view.get("private_metadata", ""),
                "callback_id": view.get("callback_id", ""),
                "app_id": APP_ID,
                "bot_id": BOT_ID,
            }
        )
        if method == "views.open":
            view["root_view_id"] = view_id
        if body.get("external_id"):
            view["external_id"] = body["external_id"]
        return {"ok": True, "view": view}

    def _files_get_upload_url(self, body: dict[str, Any]) -> Answer:
        file_id = self._next_id("F")
        self._file_names[file_id] = str(body.get("filename") or "")
        return {"ok": True, "upload_url": f"{self.root_url}upload/{quote(file_id)}", "file_id": file_id}

    def _files_complete_upload(self, body: dict[str, Any]) -> Answer:
        files = body.get("files")
        if not isinstance(files, list) or not all(isinstance(f, dict) and f.get("id") for f in files):
            return {"ok": False, "error": "invalid_arguments"}
        completed = []
        for f in files:
            name = self._file_names.get(str(f["id"]), "")
            completed.append({"id": f["id"], "title": f.get("title") or name, "name": name})
        channel = body.get("channel_id") or body.get("channels")
        if channel and (error := self._outside_error(str(channel))):
            return error
        if channel:
            # Sharing to a channel (or a thread) posts a message carrying the files, as Slack does.
            message: Answer = {
                "type": "message",
                "ts": self._next_ts(),
                "user": self.bot_user_id,
                "files": completed,
                "text": body.get("initial_comment", ""),
            }
            if body.get("thread_ts"):
                message["thread_ts"] = str(body["thread_ts"])
            self._history.setdefault(_resolve_channel(str(channel)), []).append(message)
        return {"ok": True, "files": completed}

    def _conversations_replies(self, body: dict[str, Any]) -> Answer:
        channel = _resolve_channel(str(body.get("channel", "")))
        if error := self._outside_error(channel):
            return error
        ts = str(body.get("ts", ""))
        thread = [
            dict(message)
            for message in self._history.get(channel, [])
            if message["ts"] == ts or message.get("thread_ts") == ts
        ]
        return {"ok": True, "messages": thread, "has_more": False}


class _Server(ThreadingHTTPServer):
    # Request threads must not keep the process (or a test run) alive after stop().
    daemon_threads = True

    def __init__(self, address: tuple[str, int], fake: LocalSlack) -> None:
        super().__init__(address, _Handler)
        self.fake = fake

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (an injected timeout) makes the late answer fail: not worth a traceback.
        log.debug("LocalSlack: a client went away before its answer", exc_info=True)


class _Handler(BaseHTTPRequestHandler):
    server_version = "LocalSlack"

    def do_POST(self) -> None:  # noqa: N802 - the name http.server dispatches to
        self._serve()

    def do_GET(self) -> None:  # noqa: N802
        self._serve()

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {name.lower(): value for name, value in self.headers.items()}
        try:
            reply = cast(_Server, self.server).fake._handle(self.path, headers, raw)
        except Exception as exc:
            # A bug in the fake must show up as a failed call in the test, not as a dropped connection.
            log.exception("LocalSlack failed to answer %s", self.path)
            reply = _Reply.json({"ok": False, "error": "fatal_error", "detail": repr(exc)}, status=500)
        if reply.drop:
            self.close_connection = True  # nothing written: the client sees the connection dropped
            return
        if reply.delay:
            time.sleep(reply.delay)
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        # The base class writes every request to stderr, which would garble the console mode's terminal.
        log.debug("%s - " + format, self.address_string(), *args)


# ---------------------------------------------------------------------- decoding helpers


def _decode_body(content_type: str, raw: bytes) -> dict[str, Any]:
    """Decode a JSON, multipart or url-encoded body into a dict of parameters."""
    if not raw:
        return {}
    mime, params = _parse_header_value(content_type)
    if mime == "application/json":
        parsed = json.loads(raw.decode(params.get("charset", "utf-8")))
        return parsed if isinstance(parsed, dict) else {"json": parsed}
    if mime == "multipart/form-data" and "boundary" in params:
        return _parse_multipart(raw, params["boundary"])
    # application/x-www-form-urlencoded, and the default for anything unlabelled.
    return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True))


def _parse_multipart(raw: bytes, boundary: str) -> dict[str, Any]:
    """Split a multipart/form-data body: text fields become str, file fields stay bytes."""
    fields: dict[str, Any] = {}
    for chunk in raw.split(b"--" + boundary.encode("ascii"))[1:]:
        if chunk.startswith(b"--"):  # the closing delimiter
            break
        head, found, content = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        if not found:
            continue
        content = content.removesuffix(b"\r\n")  # the line break belongs to the next delimiter
        disposition = ""
        for line in head.decode("utf-8").split("\r\n"):
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-disposition":
                disposition = value.strip()
        _, params = _parse_header_value(disposition)
        if "name" in params:
            fields[params["name"]] = content if "filename" in params else content.decode("utf-8")
    return fields


def _parse_header_value(value: str) -> tuple[str, dict[str, str]]:
    """'multipart/form-data; boundary=x' -> ('multipart/form-data', {'boundary': 'x'}), quotes handled."""
    message = email.message.Message()
    message["content-type"] = value
    params = message.get_params(failobj=[])
    main = value.split(";", 1)[0].strip().lower()
    return main, {key.lower(): email.utils.collapse_rfc2231_value(val) for key, val in params[1:]}


def _decode_json_fields(body: dict[str, Any]) -> dict[str, Any]:
    decoded = dict(body)
    for name in JSON_FIELDS & decoded.keys():
        value = decoded[name]
        if isinstance(value, str):
            # Not JSON after all (Slack would reject it): keep what was sent, for the test's assertion.
            with contextlib.suppress(ValueError):
                decoded[name] = json.loads(value)
    return decoded


def _truthy(value: Any) -> bool:
    # WebClient turns booleans into "1"/"0"; other clients send "true"/"false" or JSON booleans.
    return value is True or str(value).lower() in {"1", "true"}


def _id_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value if item]
    return [item.strip() for item in str(value or "").split(",") if item.strip()]


def _resolve_channel(channel: str) -> str:
    # Posting to a user id lands in the DM with that user; Slack answers with the DM's channel id.
    return "D" + channel if channel[:1] in {"U", "W"} else channel
