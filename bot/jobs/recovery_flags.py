"""Recoveries still without a response after FLAG_AFTER_DAYS (domain.recovery) are flagged to the team
channel, once."""

from __future__ import annotations

import logging
from datetime import datetime
from functools import partial

from slack_sdk import WebClient

from bot.jobs.outbox import Delivered, deliver_once, report_failure
from bot.runtime import Runtime
from bot.services import recoveries
from bot.usecases.facts import RecoveryFacts
from bot.views.recovery import flag_post

log = logging.getLogger(__name__)


def flag_overdue_recoveries(runtime: Runtime, client: WebClient, now: datetime) -> list[Delivered]:
    channel = runtime.settings.pyramid_team_channel
    if not channel:
        return []
    with runtime.db.transaction() as session:
        overdue = recoveries.overdue_open(session, now)
    results = []
    for recovery, account in overdue:
        days = (now - recovery.opened_at).days
        try:
            results.append(
                deliver_once(
                    runtime.db,
                    client,
                    team_id=recovery.team_id,
                    kind="recovery_flag",
                    ref=str(recovery.id),
                    channel=channel,
                    build=partial(
                        flag_post, RecoveryFacts.of(recovery, account), days, runtime.settings.pyramid_locale
                    ),
                    now=now,
                )
            )
        except Exception as error:
            # One flag's failure never stops the others; the next tick tries it again.
            report_failure(log, error, f"recovery flag {recovery.team_id} {recovery.id}")
    return results
