"""The HTTP side of the Slack stand-in: a loopback server, and requests decoded into `Call`s.

Only the standard library is used: an ``http.server.ThreadingHTTPServer`` serving from a daemon
thread. Whoever owns the server (`bot.console.standin.SlackStandIn`) turns each request into a reply
through its ``handle(path, headers, raw)`` and writes it with ``write(handler, reply)``.
"""

from __future__ import annotations

import contextlib
import email.message
import email.utils
import json
import logging
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol, cast
from urllib.parse import parse_qsl, unquote, urlsplit

__all__ = ["JSON_FIELDS", "Answer", "Call", "Reply", "Server", "decode_request"]

log = logging.getLogger(__name__)

Answer = dict[str, Any]

# Parameters whose value Slack expects as JSON. Form-encoded clients (and some callers of the JSON API)
# send them as JSON *strings*; they are decoded so that readers get structure, not text.
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


@dataclass(frozen=True)
class Call:
    """One request the stand-in received."""

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
class Reply:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: Answer, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
        body = json.dumps(payload).encode("utf-8")
        return cls(status, body, "application/json; charset=utf-8", headers or {})

    @classmethod
    def text(cls, text: str, status: int = 200) -> Reply:
        return cls(status, text.encode("utf-8"), "text/plain; charset=utf-8")

    def write(self, handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(self.status)
        handler.send_header("Content-Type", self.content_type)
        handler.send_header("Content-Length", str(len(self.body)))
        for name, value in self.headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(self.body)


class Owner(Protocol):
    """What the server asks of the stand-in it serves."""

    def handle(self, path: str, headers: dict[str, str], raw: bytes) -> Reply: ...

    def write(self, handler: BaseHTTPRequestHandler, reply: Reply) -> None: ...


class Server(ThreadingHTTPServer):
    # Request threads must not keep the process (or a test run) alive after stop().
    daemon_threads = True

    def __init__(self, address: tuple[str, int], owner: Owner) -> None:
        super().__init__(address, _Handler)
        self.owner = owner

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up before its answer makes the late answer fail: not worth a traceback.
        log.debug("Slack stand-in: a client went away before its answer", exc_info=True)


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
        owner = cast(Server, self.server).owner
        try:
            reply = owner.handle(self.path, headers, raw)
        except Exception as exc:
            # A bug in the stand-in must show up as a failed call, not as a dropped connection.
            log.exception("Slack stand-in failed to answer %s", self.path)
            reply = Reply.json({"ok": False, "error": "fatal_error", "detail": repr(exc)}, status=500)
        owner.write(self, reply)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - signature of the base class
        # The base class writes every request to stderr, which would garble the console's terminal.
        log.debug("%s - " + format, self.address_string(), *args)


# ---------------------------------------------------------------------- decoding


def decode_request(path: str, headers: dict[str, str], raw: bytes) -> Call | None:
    """The call a request makes, or None for a path that is no Slack call.

    Routes: ``POST|GET /api/<method>`` (a Web API call), ``POST /respond/<key>`` (a post to a response
    URL, what Bolt's ``respond()`` sends), ``POST /upload/<file_id>`` (the bytes of ``files_upload_v2``).
    """
    url = urlsplit(path)
    route, _, rest = url.path.lstrip("/").partition("/")
    if not rest:
        return None
    content_type = headers.get("content-type", "")
    if route == "api":
        body = dict(parse_qsl(url.query, keep_blank_values=True))
        body.update(_decode_body(content_type, raw))
        return Call(rest, _decode_json_fields(body), headers)
    if route == "respond":
        return Call(
            "response_url", _decode_json_fields(_decode_body(content_type, raw)), headers, unquote(rest)
        )
    if route == "upload":
        # urllib labels these raw bytes as a form; the route, not the content type, says what they are.
        return Call("upload", {"size": len(raw), "bytes": raw}, headers, unquote(rest))
    return None


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
            # Not JSON after all (Slack would reject it): keep what was sent, for whoever reads it.
            with contextlib.suppress(ValueError):
                decoded[name] = json.loads(value)
    return decoded


def truthy(value: Any) -> bool:
    # WebClient turns booleans into "1"/"0"; other clients send "true"/"false" or JSON booleans.
    return value is True or str(value).lower() in {"1", "true"}


def id_list(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(item) for item in value if item]
    return [item.strip() for item in str(value or "").split(",") if item.strip()]


def resolve_channel(channel: str) -> str:
    # Posting to a user id lands in the DM with that user; Slack answers with the DM's channel id.
    return "D" + channel if channel[:1] in {"U", "W"} else channel
