"""Slack's Web API on loopback, for the console: the real Bolt app and WebClient talk to it unchanged.

It answers the calls Pyramid makes (grep ``client.`` in bot/: messages, ephemeral messages, updates,
views, users.info, conversations open/join/history/replies, files_upload_v2 and response URLs) the
way Slack does, and keeps every call so that the console can render what the bot sent.
The bot is a member of every channel; nothing here fails on purpose.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import Any
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.console.wire import Answer, Call, Reply, Server, decode_request, id_list, resolve_channel, truthy

__all__ = ["APP_ID", "BOT_ID", "Call", "SlackStandIn"]

log = logging.getLogger(__name__)

BOT_ID = "BLOCAL"
APP_ID = "ALOCAL"
# Message timestamps look like Slack's ("1700000000.000100") and only ever grow, so ordering by ts works.
TS_EPOCH = 1_700_000_000
# How often the serving thread checks for stop(): the default 0.5 s would make every stop() that slow.
_POLL_INTERVAL = 0.02
DEFAULT_TZ = "Asia/Tokyo"
DEFAULT_LOCALE = "en-US"


@dataclass(frozen=True)
class User:
    id: str
    name: str
    tz: str = DEFAULT_TZ
    locale: str = DEFAULT_LOCALE
    is_bot: bool = False
    deleted: bool = False


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
        self._users: dict[str, User] = {}
        self._file_names: dict[str, str] = {}
        # Messages posted by the bot, per channel, oldest first: what conversations.history answers.
        self._history: dict[str, list[Answer]] = {}
        # A single sequence for timestamps and ids keeps every generated value unique and increasing.
        self._seq = 0
        self._answers: dict[str, Callable[[dict[str, Any]], Answer]] = {
            "auth.test": self._auth_test,
            "users.info": self._users_info,
            "conversations.open": self._conversations_open,
            "conversations.join": self._conversations_join,
            "conversations.history": self._conversations_history,
            "conversations.replies": self._conversations_replies,
            "chat.postMessage": self._chat_post_message,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "chat.update": self._chat_update,
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
    ) -> None:
        """Add (or replace) a user that users.info answers with."""
        ZoneInfo(tz)  # fail here, at setup, on a misspelt time zone
        user = User(user_id, name or user_id.lower(), tz, locale, is_bot, deleted)
        with self._cond:
            self._users[user_id] = user

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
        answer = self._answers.get(call.method)
        return Reply.json(answer(call.body) if answer else {"ok": True})

    def _next_ts(self) -> str:
        self._seq += 1
        return f"{TS_EPOCH + self._seq // 10_000}.{self._seq % 10_000 * 100:06d}"

    def _next_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}{self._seq:08d}"

    # ------------------------------------------------------------------ answers: workspace

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
        user = self._users.get(user_id) or User(user_id, user_id.lower())
        return {"ok": True, "user": self._user_json(user, truthy(body.get("include_locale")))}

    def _user_json(self, user: User, include_locale: bool) -> Answer:
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

    # ------------------------------------------------------------------ answers: conversations

    def _conversations_open(self, body: dict[str, Any]) -> Answer:
        if body.get("channel"):
            return {"ok": True, "channel": {"id": str(body["channel"])}}
        users = id_list(body.get("users"))
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        # A DM's id is derived from the user so that it is stable across calls, as in Slack.
        channel_id = "D" + users[0] if len(users) == 1 else "G" + "".join(sorted(users))
        return {"ok": True, "channel": {"id": channel_id}}

    def _conversations_join(self, body: dict[str, Any]) -> Answer:
        channel = str(body.get("channel") or "")
        if not channel.startswith(("C", "G")):
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": channel, "is_member": True}}

    def _conversations_history(self, body: dict[str, Any]) -> Answer:
        channel = resolve_channel(str(body.get("channel", "")))
        oldest = float(body.get("oldest") or 0)
        with_metadata = truthy(body.get("include_all_metadata"))
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

    def _conversations_replies(self, body: dict[str, Any]) -> Answer:
        channel = resolve_channel(str(body.get("channel", "")))
        ts = str(body.get("ts", ""))
        thread = [
            dict(message)
            for message in self._history.get(channel, [])
            if message["ts"] == ts or message.get("thread_ts") == ts
        ]
        return {"ok": True, "messages": thread, "has_more": False}

    # ------------------------------------------------------------------ answers: messages

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

    def _chat_post_message(self, body: dict[str, Any]) -> Answer:
        if error := self._channel_error(body):
            return error
        ts = self._next_ts()
        channel = resolve_channel(str(body["channel"]))
        message = self._message(body, ts)
        self._history.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_post_ephemeral(self, body: dict[str, Any]) -> Answer:
        if error := self._channel_error(body):
            return error
        return {"ok": True, "message_ts": self._next_ts()}

    def _chat_update(self, body: dict[str, Any]) -> Answer:
        if not body.get("channel") or not body.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        ts = str(body["ts"])
        stored = self._history.get(resolve_channel(str(body["channel"])), [])
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

    # ------------------------------------------------------------------ answers: views and files

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
                "hash": f"{TS_EPOCH}.{self._next_id('h')}",
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
            self._history.setdefault(resolve_channel(str(channel)), []).append(message)
        return {"ok": True, "files": completed}
