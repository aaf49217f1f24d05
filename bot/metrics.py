"""`GET /metrics` for Prometheus: what an operator watches to know Pyramid is answering Slack in time
and delivering what it owes (prometheus_client, one registry per app so that tests and several apps in
one process never mix their counts).

- `pyramid_requests_total{kind,status}` and `pyramid_request_seconds{kind}`: every request Slack sent to
  /slack/events, by kind (command name, block_actions, view_submission, event type, …) and HTTP status;
  the seconds until it was answered (Slack gives up after 3).
- `pyramid_not_stored_total{reason}`: user actions the database did not take in time (the user was told).
- `pyramid_after_work_running`: work waiting or running after acks (posts, Home refreshes).
- `pyramid_deliveries{status}`: the delivery ledger's rows still pending or given up (`failed`), read at
  scrape time with one indexed count.
- `pyramid_delivered_total{kind,outcome}`: what this process did with each message it owed (digest,
  summary, recovery_flag, …: sent, empty, already, busy, retry, failed, dropped).
- `pyramid_slack_api_errors_total{error}`: Slack's error codes (or the network's) met while posting.
- `pyramid_job_seconds{job,outcome}` and `pyramid_scheduler_lag_seconds{job}`: each scheduled job's
  run time, and how late it started against its schedule.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select

from bot.db import Database
from bot.domain.delivery import DeliveryStatus
from bot.models import Delivery

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Slack's 3-second limit sits between the last two buckets: an ack past it shows at once.
SECONDS_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 3.0, 5.0)
JOB_BUCKETS = (0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0)
WATCHED_DELIVERIES = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "pyramid_requests",
            "Requests Slack sent to /slack/events",
            ("kind", "status"),
            registry=self.registry,
        )
        self.seconds = Histogram(
            "pyramid_request_seconds",
            "Seconds until a Slack request was answered",
            ("kind",),
            buckets=SECONDS_BUCKETS,
            registry=self.registry,
        )
        self.not_stored = Counter(
            "pyramid_not_stored",
            "User actions the database did not take in time",
            ("reason",),
            registry=self.registry,
        )
        self.after_work = Gauge(
            "pyramid_after_work_running", "Work queued or running after acks", registry=self.registry
        )

        self.deliveries = Counter(
            "pyramid_delivered",
            "Messages owed, by kind and what became of them",
            ("kind", "outcome"),
            registry=self.registry,
        )
        self.slack_errors = Counter(
            "pyramid_slack_api_errors",
            "Errors Slack (or the network) answered while posting",
            ("error",),
            registry=self.registry,
        )
        self.job_seconds = Histogram(
            "pyramid_job_seconds",
            "Seconds a scheduled job ran",
            ("job", "outcome"),
            buckets=JOB_BUCKETS,
            registry=self.registry,
        )
        self.scheduler_lag = Histogram(
            "pyramid_scheduler_lag_seconds",
            "Seconds a scheduled job started after its scheduled time",
            ("job",),
            buckets=JOB_BUCKETS,
            registry=self.registry,
        )

    def delivered(self, kind: str | None, outcome: str, error: str | None) -> None:
        self.deliveries.labels(kind=kind or "?", outcome=outcome).inc()
        if error:
            # Slack's codes are a closed list (and ours: app_uninstalled); cut anything longer.
            self.slack_errors.labels(error=error[:40]).inc()

    def watch(self, running: Callable[[], int], db: Database | None = None) -> None:
        """What is read at scrape time: the after-work in flight, and (with `db`) the ledger's backlog."""
        self.after_work.set_function(running)
        if db is not None:
            self.registry.register(_DeliveryBacklog(db))

    def observe(self, kind: str, status: int, seconds: float) -> None:
        self.requests.labels(kind=kind, status=str(status)).inc()
        self.seconds.labels(kind=kind).observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _DeliveryBacklog(Collector):
    def __init__(self, db: Database) -> None:
        self._db = db

    def collect(self) -> Any:
        family = GaugeMetricFamily("pyramid_deliveries", "Delivery ledger rows by status", labels=("status",))
        counts = dict.fromkeys((status.value for status in WATCHED_DELIVERIES), 0)
        try:
            with self._db.read(deadline_ms=1000) as session:
                statement = (
                    select(Delivery.status, func.count())
                    .where(Delivery.status.in_(list(counts)))
                    .group_by(Delivery.status)
                )
                counts.update({str(status): int(count) for status, count in session.execute(statement)})
        except Exception:  # noqa: BLE001 - a scrape must answer even when the database does not
            log.warning("metrics: the delivery ledger could not be counted", exc_info=True)
            return
        for status, count in counts.items():
            family.add_metric([status], count)
        yield family

    def describe(self) -> Any:
        return []


def request_kind(body: str, content_type: str | None) -> str:
    """A label for a Slack request: the command ("/meeting"), the interaction type ("block_actions"), or
    the event type ("event:app_home_opened"). Never user text: labels must stay few."""
    return request_labels(body, content_type)[0]


def request_labels(body: str, content_type: str | None) -> tuple[str, str | None]:
    """The request's kind (see `request_kind`) and the Slack team id it came from, when it says."""
    try:
        if content_type and content_type.startswith("application/json"):
            data = json.loads(body)
            team = _team_of(data)
            if data.get("type") == "event_callback":
                return "event:" + str((data.get("event") or {}).get("type") or "?")[:40], team
            return str(data.get("type") or "json")[:40], team
        fields = parse_qs(body)
        if "command" in fields:
            command = fields["command"][0]
            team = fields["team_id"][0][:20] if fields.get("team_id") else None
            return (command[:40] if command.startswith("/") else "command"), team
        if "payload" in fields:
            payload = json.loads(fields["payload"][0])
            return str(payload.get("type") or "payload")[:40], _team_of(payload)
    except (ValueError, AttributeError, IndexError):
        pass
    return "other", None


def _team_of(data: dict[str, Any]) -> str | None:
    """`team_id` of an event, `team.id` of an interaction, else the user's team (Enterprise Grid)."""
    team = (
        data.get("team_id") or (data.get("team") or {}).get("id") or (data.get("user") or {}).get("team_id")
    )
    return str(team)[:20] if team else None
