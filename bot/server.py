"""HTTP mode: Bolt's WSGI adapter behind waitress, plus `GET /healthz`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


def wsgi_app(app: App) -> WSGIApplication:
    slack = SlackRequestHandler(app, path=EVENTS_PATH)

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
