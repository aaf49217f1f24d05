"""HTTP mode: Bolt's WSGI adapter behind waitress, plus `GET /healthz`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from slack_bolt import App, BoltContext
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_bolt.adapter.wsgi.http_request import WsgiHttpRequest
from slack_bolt.request import BoltRequest
from slack_bolt.request.internals import build_context
from slack_bolt.response import BoltResponse

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


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


class _Handler(SlackRequestHandler):
    def dispatch(self, request: WsgiHttpRequest) -> BoltResponse:
        return self.app.dispatch(
            bolt_request(request.get_body(), headers=request.get_headers(), query=request.query_string)  # type: ignore[arg-type]
        )


def wsgi_app(app: App) -> WSGIApplication:
    slack = _Handler(app, path=EVENTS_PATH)

    def application(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == HEALTH_PATH and environ.get("REQUEST_METHOD") in ("GET", "HEAD"):
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [b"ok\n"]
        return slack(environ, start_response)

    return application


def serve(app: App, *, host: str, port: int, threads: int = 8) -> None:
    # waitress: a production WSGI server in pure Python; Bolt's built-in server is for development only.
    from waitress import serve as waitress_serve

    waitress_serve(wsgi_app(app), host=host, port=port, threads=threads, ident="pyramid")
