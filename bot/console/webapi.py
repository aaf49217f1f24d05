"""Slack's answers to the Web API methods Pyramid calls, with the state they need.

The methods are those the bot calls (grep ``client.`` in bot/; tests/unit/test_console_standin.py
checks): chat.postMessage / postEphemeral / update, views.open / publish, users.info,
conversations.open / join / history / replies, the two steps of files_upload_v2, and auth.test
(Bolt's first request). Any other method is answered ``{"ok": true}``. Not thread-safe by itself:
`SlackStandIn` calls it under its lock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.console.wire import Answer, id_list, resolve_channel, truthy

__all__ = ["APP_ID", "BOT_ID", "TS_EPOCH", "User", "WebApi"]

BOT_ID = "BLOCAL"
APP_ID = "ALOCAL"
# Message timestamps look like Slack's ("1700000000.000100") and only ever grow, so ordering by ts works.
TS_EPOCH = 1_700_000_000
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
    email: str | None = None
    is_admin: bool = False  # a workspace admin (or owner): a manager for Pyramid


class WebApi:
    """What Slack answers, method by method; `answers` maps a method name to its answer."""

    def __init__(self, team_id: str, bot_user_id: str, root_url: Callable[[], str]) -> None:
        self.team_id = team_id
        self.bot_user_id = bot_user_id
        self._root_url = root_url
        self.users: dict[str, User] = {}
        # Messages posted by the bot, per channel, oldest first: what conversations.history answers.
        self.history: dict[str, list[Answer]] = {}
        self._file_names: dict[str, str] = {}
        # A single sequence for timestamps and ids keeps every generated value unique and increasing.
        self._seq = 0
        self.answers: dict[str, Callable[[dict[str, Any]], Answer]] = {
            "auth.test": self.auth_test,
            "users.info": self.users_info,
            "users.list": self.users_list,
            "conversations.open": self.conversations_open,
            "conversations.join": self.conversations_join,
            "conversations.history": self.conversations_history,
            "conversations.replies": self.conversations_replies,
            "chat.postMessage": self.chat_post_message,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.update": self.chat_update,
            "views.open": lambda body: self.view_answer("views.open", body),
            "views.publish": lambda body: self.view_answer("views.publish", body),
            "files.getUploadURLExternal": self.files_get_upload_url,
            "files.completeUploadExternal": self.files_complete_upload,
        }

    def answer(self, method: str, body: dict[str, Any]) -> Answer:
        answer = self.answers.get(method)
        return answer(body) if answer else {"ok": True}

    def _next_ts(self) -> str:
        self._seq += 1
        return f"{TS_EPOCH + self._seq // 10_000}.{self._seq % 10_000 * 100:06d}"

    def _next_id(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}{self._seq:08d}"

    # ------------------------------------------------------------------ answers: workspace

    def auth_test(self, body: dict[str, Any]) -> Answer:
        return {
            "ok": True,
            "url": self._root_url(),
            "team": "Local",
            "team_id": self.team_id,
            "user": "pyramid",
            "user_id": self.bot_user_id,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    def users_info(self, body: dict[str, Any]) -> Answer:
        user_id = str(body.get("user") or "")
        if not user_id:
            return {"ok": False, "error": "user_not_found"}
        user = self.users.get(user_id) or User(user_id, user_id.lower())
        return {"ok": True, "user": self.user_json(user, truthy(body.get("include_locale")))}

    def users_list(self, body: dict[str, Any]) -> Answer:
        """Every user at once (no paging: a console or test workspace is small)."""
        include_locale = truthy(body.get("include_locale"))
        members = [self.user_json(user, include_locale) for user in self.users.values()]
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}

    def user_json(self, user: User, include_locale: bool) -> Answer:
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
            "is_admin": user.is_admin,
            "is_owner": False,
            "profile": {
                "real_name": user.name,
                "display_name": user.name,
                **({"email": user.email} if user.email else {}),
            },
        }
        if include_locale:
            answer["locale"] = user.locale
        return answer

    # ------------------------------------------------------------------ answers: conversations

    def conversations_open(self, body: dict[str, Any]) -> Answer:
        if body.get("channel"):
            return {"ok": True, "channel": {"id": str(body["channel"])}}
        users = id_list(body.get("users"))
        if not users:
            return {"ok": False, "error": "users_list_not_supplied"}
        # A DM's id is derived from the user so that it is stable across calls, as in Slack.
        channel_id = "D" + users[0] if len(users) == 1 else "G" + "".join(sorted(users))
        return {"ok": True, "channel": {"id": channel_id}}

    def conversations_join(self, body: dict[str, Any]) -> Answer:
        channel = str(body.get("channel") or "")
        if not channel.startswith(("C", "G")):
            return {"ok": False, "error": "channel_not_found"}
        return {"ok": True, "channel": {"id": channel, "is_member": True}}

    def conversations_history(self, body: dict[str, Any]) -> Answer:
        channel = resolve_channel(str(body.get("channel", "")))
        oldest = float(body.get("oldest") or 0)
        with_metadata = truthy(body.get("include_all_metadata"))
        messages = []
        for message in reversed(self.history.get(channel, [])):  # newest first, as Slack answers
            if float(message["ts"]) < oldest:
                continue
            shown = dict(message)
            if not with_metadata:
                shown.pop("metadata", None)
            messages.append(shown)
        limit = int(body.get("limit") or 100)
        return {"ok": True, "messages": messages[:limit], "has_more": len(messages) > limit}

    def conversations_replies(self, body: dict[str, Any]) -> Answer:
        channel = resolve_channel(str(body.get("channel", "")))
        ts = str(body.get("ts", ""))
        thread = [
            dict(message)
            for message in self.history.get(channel, [])
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
    def channel_error(body: dict[str, Any]) -> Answer | None:
        if not body.get("channel"):
            return {"ok": False, "error": "channel_not_found"}
        if not (body.get("text") or body.get("blocks") or body.get("attachments")):
            return {"ok": False, "error": "no_text"}
        return None

    def chat_post_message(self, body: dict[str, Any]) -> Answer:
        if error := self.channel_error(body):
            return error
        ts = self._next_ts()
        channel = resolve_channel(str(body["channel"]))
        message = self._message(body, ts)
        self.history.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def chat_post_ephemeral(self, body: dict[str, Any]) -> Answer:
        if error := self.channel_error(body):
            return error
        return {"ok": True, "message_ts": self._next_ts()}

    def chat_update(self, body: dict[str, Any]) -> Answer:
        if not body.get("channel") or not body.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        ts = str(body["ts"])
        stored = self.history.get(resolve_channel(str(body["channel"])), [])
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

    def view_answer(self, method: str, body: dict[str, Any]) -> Answer:
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

    def files_get_upload_url(self, body: dict[str, Any]) -> Answer:
        file_id = self._next_id("F")
        self._file_names[file_id] = str(body.get("filename") or "")
        return {"ok": True, "upload_url": f"{self._root_url()}upload/{quote(file_id)}", "file_id": file_id}

    def files_complete_upload(self, body: dict[str, Any]) -> Answer:
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
            self.history.setdefault(resolve_channel(str(channel)), []).append(message)
        return {"ok": True, "files": completed}
