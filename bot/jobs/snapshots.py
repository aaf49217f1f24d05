"""The daily snapshot of every team's pyramid (and each rep's), with a one-time backfill from history."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.runtime import Runtime
from bot.services import accounts, snapshots

log = logging.getLogger(__name__)


def take_snapshots(runtime: Runtime, now: datetime) -> int:
    """Idempotent: a day already snapshotted is left alone, and the backfill finds nothing to do twice."""
    today = now.astimezone(runtime.settings.zone).date()
    with runtime.db.transaction() as session:
        teams = accounts.team_ids(session)
    written = 0
    for team_id in teams:
        with runtime.db.transaction() as session:
            backfilled = snapshots.backfill(session, team_id, today)
            written += backfilled + snapshots.write_snapshot(
                session, team_id, today, runtime.settings.dormant_rules, now=now
            )
        if backfilled:
            log.info("backfilled %d snapshot rows for %s", backfilled, team_id)
    return written
