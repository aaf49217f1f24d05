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
    try:
        if content_type and content_type.startswith("application/json"):
            data = json.loads(body)
            if data.get("type") == "event_callback":
                return "event:" + str((data.get("event") or {}).get("type") or "?")[:40]
            return str(data.get("type") or "json")[:40]
        fields = parse_qs(body)
        if "command" in fields:
            command = fields["command"][0]
            return command[:40] if command.startswith("/") else "command"
        if "payload" in fields:
            return str(json.loads(fields["payload"][0]).get("type") or "payload")[:40]
    except (ValueError, AttributeError, IndexError):
        pass
    return "other"
