"""HTTP mode: Bolt's WSGI adapter behind waitress, plus `GET /healthz` and `GET /readyz`; with OAuth
(many workspaces, bot/installs.py) also Slack's install flow, `GET /slack/install` and
`GET /slack/oauth_redirect`, answered by Bolt's OAuth flow (its state checked against our database).

Every `POST /slack/events` passes the edge below before Bolt sees it:

1. the body is read as raw bytes (at most MAX_BODY_BYTES);
2. Slack's signature and its 5-minute timestamp window are checked on those bytes
   (401 before anything is parsed);
3. the body is decoded and parsed the way Bolt parses it, and its minimal shape is checked
   (a slash command has its command, team, user, trigger and response URL; an interaction
   payload is a JSON object with a known type and a user; …) — 400 otherwise.

A refusal is one short log line (never the body, never the secret) and no traceback, so
nobody on the internet can fill the logs, and no handler ever sees a body it cannot read.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse
from slack_bolt.middleware.request_verification import RequestVerification
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context
from slack_sdk.signature import SignatureVerifier

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

    from bot.health import Readiness  # bot.health is imported by whoever passes the check
    from bot.metrics import Metrics

log = logging.getLogger("bot.server")

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
INSTALL_PATH = "/slack/install"
OAUTH_REDIRECT_PATH = "/slack/oauth_redirect"
# Slack's largest bodies (a view submission of a 100-block modal) stay far below this.
MAX_BODY_BYTES = 1024 * 1024

ReadinessCheck = Callable[[], "Readiness"]


def bolt_request(body: str, *, headers: dict[str, str], query: str | None = None) -> BoltRequest:
    """Bolt's request, except that a slash command whose text contains the word "payload" stays a
    command: Bolt takes any form body containing "payload" for an interaction and reads it as empty."""
    request = BoltRequest(body=body, query=query, headers=headers)  # type: ignore[arg-type]
    if not request.body and body:
        fields = dict(parse_qsl(body, keep_blank_values=True))
        if "payload" not in fields and "command" in fields:
            request.body = fields
            request.context = build_context(BoltContext({}), fields)
    return request


# --------------------------------------------------------------------------------------------- signature


class _RawBodyVerifier(SignatureVerifier):
    """slack_sdk's verifier (its clock, its 5-minute window, its constant-time comparison), with the
    HMAC taken over the raw bytes as Slack signs them: a body that is not UTF-8 is then refused as
    unsigned or as malformed, never with a UnicodeDecodeError."""

    def generate_signature(self, *, timestamp: str, body: str | bytes) -> str | None:
        if timestamp is None:
            return None
        raw = body.encode() if isinstance(body, str) else body or b""
        base = b"v0:" + timestamp.encode() + b":" + raw
        return "v0=" + hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()


_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def _signature_problem(verifier: SignatureVerifier, raw: bytes, environ: WSGIEnvironment) -> str | None:
    timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
    signature = environ.get("HTTP_X_SLACK_SIGNATURE")
    if not timestamp or not signature:
        return "unsigned"
    if not _TIMESTAMP.fullmatch(timestamp):
        return "malformed timestamp"
    if not verifier.is_valid(body=raw, timestamp=timestamp, signature=signature):
        return "bad signature or timestamp outside 5 minutes"
    return None


def _is_ssl_check(raw: bytes) -> bool:
    """Slack's `ssl_check=1&token=…`, which it sends unsigned to test the certificate of a
    slash command's URL; answered 200 with nothing done, as Bolt does."""
    if len(raw) > 200 or not raw.startswith(b"ssl_check=1"):
        return False
    fields = parse_qsl(raw.decode("ascii", "replace"), keep_blank_values=True)
    return dict(fields).get("ssl_check") == "1" and {name for name, _ in fields} <= {"ssl_check", "token"}


# --------------------------------------------------------------------------------------------- shape


class BadBody(ValueError):
    """A signed body Bolt must not see; the message is the one-line reason logged and answered."""


# Everything Slack sends to a request URL (https://docs.slack.dev/reference/interaction-payloads).
_PAYLOAD_TYPES = frozenset(
    {
        "block_actions",
        "block_suggestion",
        "view_submission",
        "view_closed",
        "shortcut",
        "message_action",
        "interactive_message",
        "dialog_submission",
        "dialog_cancellation",
        "dialog_suggestion",
        "workflow_step_edit",
    }
)
_EVENT_TYPES = frozenset({"url_verification", "event_callback", "app_rate_limited"})
_COMMAND_FIELDS = ("command", "team_id", "user_id", "trigger_id", "response_url")


def checked_body(body: str, content_type: str | None) -> dict[str, Any]:
    """The body as Bolt will read it (same JSON-or-form rule as `slack_bolt.request.internals.
    parse_body`), once its minimal shape is known to be right; BadBody otherwise."""
    if not body:
        raise BadBody("empty body")
    if (content_type or "").split(";")[0] == "application/json" or body.startswith("{"):
        return _checked_event(_json_object(body, "JSON body"))
    fields = dict(parse_qsl(body, keep_blank_values=True))
    if "payload" in fields:
        return _checked_payload(_json_object(fields["payload"], "payload"))
    return _checked_command(fields)


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        raise BadBody(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise BadBody(f"{what} is not a JSON object")
    return value


def _checked_command(fields: Mapping[str, str]) -> dict[str, Any]:
    missing = [name for name in _COMMAND_FIELDS if not fields.get(name)]
    if missing:
        raise BadBody(f"command without {', '.join(missing)}")
    if not fields["command"].startswith("/"):
        raise BadBody("command not starting with /")
    if not fields["response_url"].startswith(("https://", "http://")):
        raise BadBody("command with a response_url that is not a URL")
    return dict(fields)


def _checked_payload(payload: dict[str, Any]) -> dict[str, Any]:
    kind = payload.get("type")
    if not isinstance(kind, str) or kind not in _PAYLOAD_TYPES:
        raise BadBody("payload of no known type")
    user = payload.get("user")
    if not isinstance(user, dict) or not _is_id(user.get("id")):
        raise BadBody(f"{kind} without a user id")
    team = payload.get("team")
    if team is not None and not (isinstance(team, dict) and _is_id(team.get("id"))):
        # An org-wide install sends "team": null; a team, when there, has an id.
        raise BadBody(f"{kind} with a malformed team")
    _PAYLOAD_CHECKS.get(kind, _nothing_more)(kind, payload)
    return payload


def _nothing_more(kind: str, payload: dict[str, Any]) -> None:
    return None


def _check_actions(kind: str, payload: dict[str, Any]) -> None:
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions:
        raise BadBody(f"{kind} without actions")
    if not all(isinstance(action, dict) and _is_id(action.get("action_id")) for action in actions):
        raise BadBody(f"{kind} with a malformed action")


def _check_view(kind: str, payload: dict[str, Any]) -> None:
    view = payload.get("view")
    if not isinstance(view, dict) or not _is_id(view.get("id")):
        raise BadBody(f"{kind} without a view id")
    if not isinstance(view.get("callback_id", ""), str):
        raise BadBody(f"{kind} with a malformed callback_id")
    state = view.get("state")
    if state is not None and not (isinstance(state, dict) and isinstance(state.get("values", {}), dict)):
        raise BadBody(f"{kind} with a malformed state")


def _check_suggestion(kind: str, payload: dict[str, Any]) -> None:
    if not _is_id(payload.get("action_id")) or not isinstance(payload.get("value"), str):
        raise BadBody(f"{kind} without an action_id or a value")


_PAYLOAD_CHECKS: dict[str, Callable[[str, dict[str, Any]], None]] = {
    "block_actions": _check_actions,
    "view_submission": _check_view,
    "view_closed": _check_view,
    "block_suggestion": _check_suggestion,
}


def _checked_event(body: dict[str, Any]) -> dict[str, Any]:
    kind = body.get("type")
    if not isinstance(kind, str) or kind not in _EVENT_TYPES:
        raise BadBody("JSON body of no known type")
    if kind == "url_verification" and not isinstance(body.get("challenge"), str):
        raise BadBody("url_verification without a challenge")
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not _is_id(event.get("type")):
            raise BadBody("event_callback without an event type")
    return body


def _is_id(value: object) -> bool:
    return isinstance(value, str) and bool(value)


# --------------------------------------------------------------------------------------------- WSGI


def wsgi_app(
    app: App,
    *,
    signing_secret: str | None = None,
    readiness: ReadinessCheck | None = None,
    metrics: Metrics | None = None,
) -> WSGIApplication:
    """The WSGI application. `signing_secret` defaults to the app's own when the app verifies
    requests (an app built with `verify_requests=False`, as for the console, then verifies
    nothing here either); `readiness` answers `GET /readyz` and `metrics` `GET /metrics` (404 when
    not given)."""
    secret = signing_secret if signing_secret is not None else _app_secret(app)
    verifier = _RawBodyVerifier(secret) if secret else None
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO"), environ.get("REQUEST_METHOD")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return _plain(start_response, "200 OK", "ok")
        if path == READY_PATH and method in ("GET", "HEAD"):
            return _ready(start_response, readiness)
        if path == METRICS_PATH and method in ("GET", "HEAD"):
            return _metrics(start_response, metrics)
        if path == EVENTS_PATH and method == "POST":
            return _events(app, verifier, environ, start_response, metrics)
        if path in (INSTALL_PATH, OAUTH_REDIRECT_PATH) and method == "GET":
            if app.oauth_flow is None:
                return _plain(
                    start_response, "404 Not Found", "installs need SLACK_CLIENT_ID and SLACK_CLIENT_SECRET"
                )
            return slack(environ, start_response)
        return slack(environ, start_response)

    return application


def _app_secret(app: App) -> str | None:
    verifies = any(isinstance(middleware, RequestVerification) for middleware in app._middleware_list)
    return app._signing_secret if verifies else None


def _ready(start_response: StartResponse, readiness: ReadinessCheck | None) -> list[bytes]:
    if readiness is None:
        return _plain(start_response, "404 Not Found", "no readiness check configured")
    state = readiness()
    if state.ok:
        return _plain(start_response, "200 OK", "ok")
    log.warning("not ready: %s", state.reason)
    return _plain(start_response, "503 Service Unavailable", f"not ready: {state.reason}")


def _metrics(start_response: StartResponse, metrics: Metrics | None) -> list[bytes]:
    if metrics is None:
        return _plain(start_response, "404 Not Found", "no metrics configured")
    from bot.metrics import CONTENT_TYPE

    body = metrics.exposition()
    start_response("200 OK", [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(body)))])
    return [body]


def _events(
    app: App,
    verifier: SignatureVerifier | None,
    environ: WSGIEnvironment,
    start_response: StartResponse,
    metrics: Metrics | None = None,
) -> list[bytes]:
    """A request to /slack/events, answered; counted and timed when `metrics` is given (a refusal
    before the body is read counts as kind "refused")."""
    if metrics is None:
        return _answer_events(app, verifier, environ, start_response)
    started = time.monotonic()
    seen: dict[str, str] = {}

    def counting(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
        seen["status"] = status
        return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

    answer = _answer_events(app, verifier, environ, counting, seen)
    kind, status, seconds = (
        seen.get("kind", "refused"),
        int(seen.get("status", "500")[:3]),
        time.monotonic() - started,
    )
    metrics.observe(kind, status, seconds)
    # One line per request (with PYRAMID_LOG_FORMAT=json, one object): what, whose, how it ended, how
    # fast. Never a token, a signature or anything the user typed.
    log.info(
        "request %s %s: %d in %.3f s",
        kind,
        seen.get("team", "-"),
        status,
        seconds,
        extra={"surface": kind, "team": seen.get("team"), "status": status, "seconds": round(seconds, 4)},
    )
    return answer


def _answer_events(
    app: App,
    verifier: SignatureVerifier | None,
    environ: WSGIEnvironment,
    start_response: StartResponse,
    seen: dict[str, str] | None = None,
) -> list[bytes]:
    where = environ.get("REMOTE_ADDR") or "?"
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = -1
    if length < 0:
        return _refuse(start_response, "400 Bad Request", "malformed Content-Length", where)
    if length > MAX_BODY_BYTES:
        return _refuse(start_response, "413 Content Too Large", f"body of {length} bytes", where)
    raw: bytes = environ["wsgi.input"].read(length) if length else b""
    if _is_ssl_check(raw):
        return _plain(start_response, "200 OK", "")
    if verifier is not None:
        problem = _signature_problem(verifier, raw, environ)
        if problem is not None:
            return _refuse(start_response, "401 Unauthorized", problem, where)
    try:
        body = raw.decode("utf-8")
    except UnicodeDecodeError:
        return _refuse(start_response, "400 Bad Request", "body is not UTF-8", where)
    content_type = environ.get("CONTENT_TYPE") or None
    if seen is not None:
        from bot.metrics import request_labels  # loaded only where metrics are served

        seen["kind"], team = request_labels(body, content_type)
        if team:
            seen["team"] = team
    try:
        checked_body(body, content_type)
    except BadBody as error:
        return _refuse(start_response, "400 Bad Request", str(error), where)
    headers = {"content-type": content_type or "", **_slack_headers(environ)}
    bolt_response = app.dispatch(bolt_request(body, headers=headers, query=environ.get("QUERY_STRING")))
    response = WsgiHttpResponse(bolt_response.status, bolt_response.headers, bolt_response.body)
    start_response(response.status, response.get_headers())
    return list(response.get_body())


def _slack_headers(environ: WSGIEnvironment) -> dict[str, str]:
    return {
        key[5:].lower().replace("_", "-"): str(value)
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }


def _refuse(start_response: StartResponse, status: str, reason: str, where: str) -> list[bytes]:
    log.warning("refused a request to %s from %s: %s (%s)", EVENTS_PATH, where, reason, status[:3])
    return _plain(start_response, status, reason)


def _plain(start_response: StartResponse, status: str, text: str) -> list[bytes]:
    body = (text + "\n").encode() if text else b""
    start_response(
        status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))]
    )
    return [body]


def serve(
    app: App,
    *,
    host: str,
    port: int,
    threads: int = 16,
    signing_secret: str | None = None,
    readiness: ReadinessCheck | None = None,
    metrics: Metrics | None = None,
    on_stop: Callable[[float], None] | None = None,
    grace: float = 10.0,
) -> None:
    """Serves until SIGTERM or SIGINT, then shuts down gracefully (every deploy sends SIGTERM):
    stop accepting connections, finish the requests under way and send their answers, then
    `on_stop(seconds left)` (drain after-work, stop the scheduler), all within `grace` seconds.
    Returns normally, so the process exits 0."""
    # waitress: a production WSGI server in pure Python; Bolt's built-in server is for development only.
    from waitress import wasyncore
    from waitress.server import create_server

    application = wsgi_app(app, signing_secret=signing_secret, readiness=readiness, metrics=metrics)
    server: Any = create_server(
        application,
        host=host,
        port=port,
        threads=threads,
        ident="pyramid",
        # Bigger bodies are refused by waitress before they are buffered (413), not after.
        max_request_body_size=MAX_BODY_BYTES,
    )
    stopping = threading.Event()

    def stop_accepting() -> None:
        # Runs in waitress's own loop (via its trigger): the listening socket closes, so new
        # connections are refused while the requests under way finish. Not server.close(): that
        # also closes the trigger, so the loop could end at once (nothing left in its map) and
        # finish() would pull a closed trigger (OSError: bad file descriptor).
        wasyncore.dispatcher.close(server)

    def finish() -> None:
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _busy(server):
            time.sleep(0.02)
        if _busy(server):
            log.warning("requests still under way after %.0f s; stopping anyway", grace)
        if on_stop is not None:
            on_stop(max(deadline - time.monotonic(), 1.0))
        server.trigger.pull_trigger(server._map.clear)  # the loop ends when its map is empty

    def on_signal(signum: int, _frame: object) -> None:
        if stopping.is_set():
            return
        stopping.set()
        log.info("%s received: finishing the requests under way", signal.Signals(signum).name)
        server.trigger.pull_trigger(stop_accepting)
        threading.Thread(target=finish, name="pyramid-shutdown", daemon=True).start()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    try:
        server.run()
    finally:
        server.task_dispatcher.shutdown(cancel_pending=False, timeout=grace)
        log.info("stopped")


def _busy(server: Any) -> bool:
    """Whether a request is queued, running, or has an answer not yet sent."""
    from waitress.channel import HTTPChannel

    dispatcher = server.task_dispatcher
    if dispatcher.active_count or dispatcher.queue:
        return True
    return any(
        isinstance(channel, HTTPChannel) and (channel.requests or channel.total_outbufs_len)
        for channel in list(server._map.values())
    )
