"""The app under its production HTTP server (waitress) in this process, for the end-to-end and
reliability tests and the benchmarks; the runtime and Web API client the scheduled jobs get."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from waitress.server import create_server

from bot.app import build_app, runtime_of
from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.health import Readiness
from bot.jobs.scheduler import add_retries
from bot.runtime import Runtime
from bot.server import EVENTS_PATH, wsgi_app

# The runtimes of the apps being served, so that `settle` (tests/support/slack_driver.py) can wait for
# the work they do after their acks.
LIVE_RUNTIMES: list[Runtime] = []


@dataclass
class Waitress:
    """A waitress server running in a thread of this process."""

    server: Any
    thread: threading.Thread

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.effective_port}"

    def stop(self) -> None:
        # Stop from inside waitress's own loop (closing its sockets from here would race its select()):
        # the loop ends when its socket map is empty.
        channels = dict(self.server._map)
        self.server.trigger.pull_trigger(self.server._map.clear)
        self.thread.join(timeout=5)
        for channel in channels.values():
            channel.close()
        self.server.task_dispatcher.shutdown()


def start_waitress(wsgi: Callable[..., Any], threads: int = 4) -> Waitress:
    """Serves `wsgi` on a free 127.0.0.1 port."""
    server: Any = create_server(wsgi, host="127.0.0.1", port=0, threads=threads)
    thread = threading.Thread(target=server.run, daemon=True, name="waitress")
    thread.start()
    return Waitress(server, thread)


@contextmanager
def serving(
    settings: Settings,
    db: Database,
    slack_url: str,
    *,
    clock: Clock | None = None,
    threads: int = 4,
    token: str = "xoxb-test",
    readiness: Callable[[], Readiness] | None = None,
) -> Iterator[str]:
    """The real app (build_app) behind waitress; yields its base URL. On the way out the app's after-work
    (Home, announcements) finishes while the fake Slack is still up, then the server stops."""
    app = build_app(settings, db=db, clock=clock, client=WebClient(token=token, base_url=slack_url))
    runtime = runtime_of(app)
    LIVE_RUNTIMES.append(runtime)
    served = start_waitress(wsgi_app(app, readiness=readiness), threads)
    try:
        yield served.url
    finally:
        LIVE_RUNTIMES.remove(runtime)
        runtime.close()
        served.stop()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def events_url(base_url: str) -> str:
    return base_url + EVENTS_PATH


def runtime_for(settings: Settings, db: Database, clock: Clock) -> Runtime:
    """The runtime a scheduled job gets."""
    return Runtime(settings=settings, db=db, clock=clock)


def jobs_client(slack: Any) -> WebClient:
    """The Web API client the scheduler gives its jobs (with its retries), to a fake Slack (or its URL)."""
    base_url = slack if isinstance(slack, str) else slack.base_url
    return add_retries(WebClient(token="xoxb-test", base_url=base_url))
