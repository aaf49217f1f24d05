"""The tests' Slack: the console's stand-in for the Web API, plus what only tests need.

`FakeSlack` extends `bot.console.standin.SlackStandIn` (which serves the HTTP and answers like Slack)
with: failure injection (`fail`, `fail_next`: rate limits, 5xx, HTML error pages, dropped connections,
timeouts, API errors, a post that lands but whose answer is lost), the bot's membership of channels
(`set_membership`), waiting for calls (`wait_for`), listeners, the bot's messages per channel
(`history`), the few Web API methods only tests call (chat.delete, chat.getPermalink,
views.push, views.update), and installs through OAuth: `grant` a code that `oauth.v2.access` exchanges
for a bot token of one workspace (or of an org, org-wide), `auth.test` answers for whichever token asks,
`revoke` makes a team's tokens answer `token_revoked`, and `token_of(call)` says which token a call used.

The end-to-end tests point ``slack_sdk.WebClient(base_url=fake.base_url)`` and Bolt's ``respond()``
(through a ``response_url`` from :meth:`FakeSlack.response_url`) at it and assert on what the bot sent.
"""

from __future__ import annotations

import base64
import dataclasses
import itertools
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from bot.console.standin import SlackStandIn
from bot.console.wire import JSON_FIELDS, Answer, Call, Reply, resolve_channel

__all__ = ["FAILURE_MODES", "JSON_FIELDS", "Call", "FakeSlack"]

log = logging.getLogger(__name__)

FAILURE_MODES = frozenset({"json", "html", "drop", "timeout"})
_HTML_503 = (
    "<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head>"
    "<body><h1>Service Unavailable</h1><p>The server is temporarily unable to service your request."
    "</p></body></html>"
)


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


@dataclass(frozen=True)
class _FaultyReply(Reply):
    # Close the connection without answering; or answer only after `delay` seconds.
    drop: bool = False
    delay: float = 0.0


@dataclass(frozen=True)
class Grant:
    """One workspace's (or, org-wide, one org's) consent to install the app, as oauth.v2.access reports it."""

    team_id: str | None
    team_name: str
    enterprise_id: str | None
    installer: str
    token: str
    bot_user_id: str


class FakeSlack(SlackStandIn):
    """The console's Slack stand-in with failure injection, membership, waiting and listeners."""

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, team_id: str = "T0LOCAL", bot_user_id: str = "UBOT"
    ) -> None:
        super().__init__(host, port, team_id, bot_user_id)
        self._failures: dict[str, deque[_Failure]] = {}
        self._listeners: list[Callable[[Call], None]] = []
        # Channels the bot is not a member of (by default it is in every channel), and which of them are
        # private (conversations.join cannot join those: someone must /invite the bot).
        self._outside: set[str] = set()
        self._private: set[str] = set()
        # OAuth: codes not yet exchanged, tokens issued (token -> grant), tokens revoked; app credentials.
        self.client_id, self.client_secret, self.app_id = "1111.2222", "oauth-secret", "A0PYRAMID"
        self.scopes: tuple[str, ...] = ()
        self._codes: dict[str, Grant] = {}
        self._grants: dict[str, Grant] = {}
        self._revoked: set[str] = set()
        self._serial = itertools.count(1)
        api = self.api
        api.answers.update(
            {
                "chat.delete": self._chat_delete,
                "chat.getPermalink": self._chat_get_permalink,
                "views.push": lambda body: api.view_answer("views.push", body),
                "views.update": lambda body: api.view_answer("views.update", body),
                "conversations.join": self._conversations_join_unless_private,
                "chat.postMessage": self._inside(api.chat_post_message, posting=True),
                "conversations.history": self._inside(api.conversations_history),
                "conversations.replies": self._inside(api.conversations_replies),
                "files.completeUploadExternal": self._inside(api.files_complete_upload),
                "oauth.v2.access": self._oauth_v2_access,
                "auth.test": self._auth_test,
            }
        )

    def start(self) -> FakeSlack:
        super().start()
        return self

    def __enter__(self) -> FakeSlack:
        return self.start()

    # ------------------------------------------------------------------ recorded calls

    def calls_to(self, method: str) -> list[Call]:
        with self._cond:
            return self._calls_to(method)

    def _calls_to(self, method: str) -> list[Call]:
        return [call for call in self._calls if call.method == method]

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
        """Call `callback(call)` for every call as it arrives.

        It runs on the server's request thread before the answer is sent, so calls are seen in the
        order the bot made them. Exceptions are logged and do not affect the answer.
        """
        with self._cond:
            self._listeners.append(callback)

    def history(self, channel: str) -> list[Answer]:
        """The bot's messages in a channel (a user id means its DM), oldest first, as last updated."""
        with self._cond:
            return [dict(message) for message in self.api.history.get(resolve_channel(channel), [])]

    # ------------------------------------------------------------------ membership

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

    def _inside(
        self, answer: Callable[[dict[str, Any]], Answer], *, posting: bool = False
    ) -> Callable[[dict[str, Any]], Answer]:
        def gated(body: dict[str, Any]) -> Answer:
            if posting and (error := self.api.channel_error(body)):
                return error
            where = body.get("channel") or body.get("channel_id") or body.get("channels")
            channel = resolve_channel(str(where or ""))
            if channel in self._outside and (not posting or channel in self._private):
                return {"ok": False, "error": "not_in_channel"}
            return answer(body)

        return gated

    def _conversations_join_unless_private(self, body: dict[str, Any]) -> Answer:
        channel = str(body.get("channel") or "")
        if channel.startswith(("C", "G")) and channel in self._private:
            return {"ok": False, "error": "method_not_supported_for_channel_type"}
        answer = self.api.conversations_join(body)
        if answer["ok"]:
            self._outside.discard(channel)
        return answer

    # ------------------------------------------------------------------ OAuth installs

    def grant(
        self,
        code: str,
        *,
        team: str | None,
        team_name: str = "Acme",
        enterprise: str | None = None,
        installer: str = "U0ADMIN",
    ) -> Grant:
        """An admin approved the install on Slack's consent page: Slack redirects back with `code`,
        which oauth.v2.access exchanges (once) for a new bot token. `team=None`: an org-wide install of
        `enterprise`."""
        number = next(self._serial)
        grant = Grant(team, team_name, enterprise, installer, f"xoxb-{number}-oauth-{code}", f"UBOT{number}")
        with self._cond:
            self._codes[code] = grant
        return grant

    def revoke(self, team: str | None = None, enterprise: str | None = None) -> None:
        """Slack revokes the tokens of an uninstalled workspace (or org): they answer token_revoked."""
        with self._cond:
            for token, grant in self._grants.items():
                if (team is not None and grant.team_id == team) or (
                    enterprise is not None and grant.team_id is None and grant.enterprise_id == enterprise
                ):
                    self._revoked.add(token)

    @staticmethod
    def token_of(call: Call) -> str | None:
        """The token a Web API call was made with (the Authorization header, or a `token` field)."""
        header = call.headers.get("authorization", "")
        if header.startswith("Bearer "):
            return header[len("Bearer ") :]
        token = call.body.get("token")
        return str(token) if token else None

    def calls_with(self, method: str, token: str) -> list[Call]:
        return [call for call in self.calls_to(method) if self.token_of(call) == token]

    def _oauth_v2_access(self, body: dict[str, Any]) -> Answer:
        """Slack's answer (https://docs.slack.dev/reference/methods/oauth.v2.access): the bot token and
        who installed where; `team` is null and `is_enterprise_install` true for an org-wide install."""
        client_id, client_secret = str(body.get("client_id") or ""), str(body.get("client_secret") or "")
        if client_id != self.client_id:
            return {"ok": False, "error": "invalid_client_id"}
        if client_secret != self.client_secret:
            return {"ok": False, "error": "bad_client_secret"}
        grant = self._codes.pop(str(body.get("code") or ""), None)
        if grant is None:
            return {"ok": False, "error": "invalid_code"}
        self._grants[grant.token] = grant
        return {
            "ok": True,
            "app_id": self.app_id,
            "authed_user": {"id": grant.installer},
            "scope": ",".join(self.scopes),
            "token_type": "bot",
            "access_token": grant.token,
            "bot_user_id": grant.bot_user_id,
            "team": None if grant.team_id is None else {"id": grant.team_id, "name": grant.team_name},
            "enterprise": None
            if grant.enterprise_id is None
            else {"id": grant.enterprise_id, "name": "Acme Holdings"},
            "is_enterprise_install": grant.team_id is None,
        }

    def _auth_test(self, body: dict[str, Any]) -> Answer:
        grant = self._grants.get(str(body.get("token") or ""))
        if grant is None:
            return self.api.auth_test(body)
        return {
            "ok": True,
            "url": self.root_url,
            "team": grant.team_name,
            "user": "pyramid",
            "team_id": grant.team_id or "",
            "user_id": grant.bot_user_id,
            "bot_id": "B" + grant.bot_user_id[1:],
            "enterprise_id": grant.enterprise_id or "",
            "is_enterprise_install": grant.team_id is None,
        }

    # ------------------------------------------------------------------ methods only tests call

    def _chat_delete(self, body: dict[str, Any]) -> Answer:
        if not body.get("channel") or not body.get("ts"):
            return {"ok": False, "error": "message_not_found"}
        return {"ok": True, "channel": str(body["channel"]), "ts": str(body["ts"])}

    def _chat_get_permalink(self, body: dict[str, Any]) -> Answer:
        channel, ts = str(body.get("channel", "")), str(body.get("message_ts", ""))
        permalink = f"{self.root_url}archives/{channel}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel, "permalink": permalink}

    # ------------------------------------------------------------------ failure injection

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

    # ------------------------------------------------------------------ request handling

    def receive(self, call: Call) -> Reply:
        reply = super().receive(call)
        with self._cond:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(call)
            except Exception:
                log.exception("FakeSlack listener failed on %s", call.method)
        return reply

    def _reply(self, call: Call) -> Reply:
        token = self.token_of(call)
        if call.method == "oauth.v2.access":
            call = dataclasses.replace(call, body={**call.body, **self._basic_auth(call)})
        elif call.method == "auth.test" and token:
            call = dataclasses.replace(call, body={**call.body, "token": token})
        if token in self._revoked:
            return Reply.json({"ok": False, "error": "token_revoked"})
        failure = self._pop_failure(call.method, call.body)
        if failure is None:
            return super()._reply(call)
        if failure.mode == "timeout":
            # Slow, not failed: carried out (after_effect) or not, answered too late either way.
            answered = super()._reply(call) if failure.after_effect else self._failed(failure)
            return _FaultyReply(answered.status, answered.body, answered.content_type, delay=failure.delay)
        if failure.after_effect:
            super()._reply(call)
        return self._failed(failure)

    def write(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None:
        if isinstance(reply, _FaultyReply) and reply.drop:
            handler.close_connection = True  # nothing written: the client sees the connection dropped
            return
        if isinstance(reply, _FaultyReply) and reply.delay:
            time.sleep(reply.delay)
        reply.write(handler)

    @staticmethod
    def _basic_auth(call: Call) -> dict[str, str]:
        """oauth.v2.access's client id and secret, sent by slack_sdk as HTTP Basic auth."""
        header = call.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return {}
        client_id, _, secret = base64.b64decode(header[len("Basic ") :]).decode().partition(":")
        return {"client_id": client_id, "client_secret": secret}

    def _pop_failure(self, method: str, body: dict[str, Any]) -> _Failure | None:
        """The first pending failure of `method` that applies to this call, taken off its queue."""
        queue = self._failures.get(method) or deque()
        for failure in queue:
            if failure.when is None or failure.when(body):
                queue.remove(failure)
                return failure
        return None

    @staticmethod
    def _failed(failure: _Failure) -> Reply:
        if failure.mode == "drop":
            return _FaultyReply(0, b"", "", drop=True)
        if failure.mode == "html":
            return Reply(failure.status, _HTML_503.encode("utf-8"), "text/html; charset=utf-8")
        if failure.mode == "timeout":
            return Reply.json({"ok": False, "error": "request_timeout"}, status=504)
        headers = {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
        return Reply.json({"ok": False, "error": failure.error}, status=failure.status, headers=headers)
