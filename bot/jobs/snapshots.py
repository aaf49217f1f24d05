"""The daily snapshot of every team's pyramid (and each rep's), with a one-time backfill from history."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.jobs.outbox import report_failure
from bot.runtime import Runtime
from bot.services import snapshots

log = logging.getLogger(__name__)


def take_snapshots(runtime: Runtime, now: datetime) -> int:
    """Idempotent: a day already snapshotted is left alone, and the backfill finds nothing to do twice.
    Each team's day is its own (its time zone) and its dormant rules its own."""
    with runtime.db.transaction() as session:
        teams = runtime.served_teams(session)
    written = 0
    for team_id in teams:
        try:
            written += _snapshot(runtime, team_id, now)
        except Exception as error:
            # One team's failure never stops another's snapshot; the next tick tries this one again.
            report_failure(log, error, f"snapshot {team_id}")
    return written


def _snapshot(runtime: Runtime, team_id: str, now: datetime) -> int:
    team = runtime.team_config(team_id)
    today = now.astimezone(team.zone).date()
    with runtime.db.transaction() as session:
        backfilled = snapshots.backfill(session, team_id, today)
        written = backfilled + snapshots.write_snapshot(session, team_id, today, team.dormant_rules, now=now)
    if backfilled:
        log.info("backfilled %d snapshot rows for %s", backfilled, team_id)
    return written
