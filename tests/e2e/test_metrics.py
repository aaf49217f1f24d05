"""`GET /metrics` (Prometheus): what an operator watches, counted from what Slack really sent. A signed
command, a button press, a refused forgery and a database that does not answer each show up; the
delivery ledger's backlog is read at scrape time."""

from __future__ import annotations

import logging
import re
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import NoReturn

import pytest
from apscheduler.events import EVENT_JOB_SUBMITTED, JobSubmissionEvent
from slack_sdk import WebClient

from bot.app import build_app, runtime_of
from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.jobs.outbox import enqueue
from bot.jobs.scheduler import build_scheduler, run_job, sweep
from bot.metrics import Metrics, request_kind
from bot.runtime import NotStored, Runtime
from bot.server import wsgi_app
from bot.views.blocks import message
from tests.support.fake_slack import FakeSlack
from tests.support.ids import TEAM
from tests.support.server import events_url, jobs_client, runtime_for, start_waitress
from tests.support.slack_driver import SlackDriver, settle


@contextmanager
def measured(
    settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack
) -> Iterator[tuple[str, SlackDriver]]:
    app = build_app(
        settings, db=db, clock=clock, client=WebClient(token="xoxb-test", base_url=slack.base_url)
    )
    runtime = runtime_of(app)
    metrics = Metrics()
    runtime.metrics = metrics
    metrics.watch(runtime.after_work_in_flight, db)
    served = start_waitress(wsgi_app(app, metrics=metrics))
    try:
        yield served.url, SlackDriver(events_url(served.url), slack)
    finally:
        runtime.close()
        served.stop()


def scrape(url: str) -> str:
    with urllib.request.urlopen(url + "/metrics", timeout=5) as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        return str(response.read().decode())


def value(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{label}"' for key, label in labels.items())
    pattern = re.escape(name) + (r"\{" + re.escape(wanted) + r"\}" if labels else "") + r" ([0-9.e+-]+)"
    found = re.search(pattern, text)
    return float(found[1]) if found else 0.0


def test_metrics_count_commands_refusals_and_the_ledger(
    settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack
) -> None:
    with measured(settings, db, clock, slack) as (url, driver):
        for _ in range(3):
            driver.run("/meeting", "Acme visit")
        forged = driver.form({"command": "/meeting", "text": "Acme"}, secret="not-the-secret")
        assert forged.status == 401
        settle(slack)
        text = scrape(url)
    assert value(text, "pyramid_requests_total", kind="/meeting", status="200") == 3
    assert value(text, "pyramid_requests_total", kind="refused", status="401") == 1
    assert value(text, "pyramid_request_seconds_count", kind="/meeting") == 3
    assert value(text, "pyramid_request_seconds_bucket", kind="/meeting", le="3.0") == 3
    assert 'pyramid_deliveries{status="pending"}' in text and 'pyramid_deliveries{status="failed"}' in text
    assert "pyramid_after_work_running " in text


def test_an_action_the_database_did_not_take_is_counted(
    settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    def database_does_not_answer(*_args: object) -> NoReturn:
        raise NotStored("deadline")

    with measured(settings, db, clock, slack) as (url, driver):
        monkeypatch.setattr(Runtime, "_race_once", database_does_not_answer)
        reply = driver.run("/meeting", "Acme visit")
        monkeypatch.undo()
        assert "Nothing was stored" in str(reply), reply
        text = scrape(url)
    assert value(text, "pyramid_not_stored_total", reason="deadline") == 1


def test_request_kinds_are_few_labels_never_user_text() -> None:
    form = "application/x-www-form-urlencoded"
    assert request_kind("command=%2Fmeeting&text=secret+stuff", form) == "/meeting"
    assert request_kind('payload={"type":"block_actions"}', form) == "block_actions"
    body = '{"type":"event_callback","event":{"type":"app_home_opened"}}'
    assert request_kind(body, "application/json") == "event:app_home_opened"
    assert request_kind("garbage", form) == "other"


def test_deliveries_are_counted_by_kind_and_outcome_and_each_request_is_one_log_line(
    settings: Settings,
    db: Database,
    clock: FixedClock,
    slack: FakeSlack,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="bot.server")
    with measured(settings, db, clock, slack) as (url, driver):
        driver.run("/meeting", "Acme visit")
        assert "Recovery opened" in str(driver.run("/trouble", "Acme -- the secret delivery came late"))
        settle(slack)
        text = scrape(url)
    # The recovery's post to the team channel and the owner's DM, sent after the ack.
    assert value(text, "pyramid_delivered_total", kind="trouble_post", outcome="sent") == 1, [
        x for x in text.splitlines() if "delivered" in x
    ]
    [line] = [r for r in caplog.records if r.getMessage().startswith("request /trouble")]
    assert (line.__dict__["surface"], line.__dict__["team"], line.__dict__["status"]) == (
        "/trouble",
        TEAM,
        200,
    )
    assert 0 <= line.__dict__["seconds"] < 3
    assert "secret" not in line.getMessage() and "xoxb" not in line.getMessage()


def test_a_failed_post_counts_slacks_error(
    settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack
) -> None:
    runtime = runtime_for(settings, db, clock)
    runtime.metrics = Metrics()
    slack.fail_next("chat.postMessage", status=200, retry_after=None, error="channel_not_found")
    with db.transaction() as session:
        enqueue(
            session,
            team_id=TEAM,
            kind="note",
            ref="1",
            channel="C0GONE",
            message=message("x", []),
            now=clock.now(),
        )
    sweep(runtime, jobs_client(slack))
    text = runtime.metrics.exposition().decode()
    assert value(text, "pyramid_delivered_total", kind="note", outcome="failed") == 1
    assert value(text, "pyramid_slack_api_errors_total", error="channel_not_found") == 1


def test_each_job_is_timed_logged_once_and_a_failure_never_stops_the_next(
    settings: Settings, db: Database, clock: FixedClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.jobs.scheduler")
    runtime = runtime_for(settings, db, clock)
    runtime.metrics = Metrics()

    def broken() -> NoReturn:
        raise RuntimeError("boom")

    run_job(runtime, "digests", broken)
    run_job(runtime, "sweep", lambda: [1, 2])
    text = runtime.metrics.exposition().decode()
    assert value(text, "pyramid_job_seconds_count", job="digests", outcome="error") == 1
    assert value(text, "pyramid_job_seconds_count", job="sweep", outcome="ok") == 1
    lines = [r.__dict__ for r in caplog.records if r.getMessage().startswith("job ")]
    assert [(line["job"], line["outcome"], line["items"]) for line in lines] == [
        ("digests", "error", 0),
        ("sweep", "ok", 2),
    ]


def test_the_scheduler_lag_is_how_late_a_job_started(
    settings: Settings, db: Database, clock: FixedClock
) -> None:
    runtime = runtime_for(settings, db, clock)
    runtime.metrics = Metrics()
    scheduler = build_scheduler(runtime, WebClient(token="xoxb-test"), blocking=False)
    late = JobSubmissionEvent(
        EVENT_JOB_SUBMITTED, "pyramid-tick", "default", [clock.now() - timedelta(seconds=42)]
    )
    scheduler._dispatch_event(late)
    text = runtime.metrics.exposition().decode()
    assert value(text, "pyramid_scheduler_lag_seconds_sum", job="pyramid-tick") == 42
