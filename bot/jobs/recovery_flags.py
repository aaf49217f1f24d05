"""The recovery clock, run by the scheduler's tick; each message once (delivery ledger refs).

- The escalation ladder of a failure still without a response (domain.recovery.rungs_reached): at the
  end of the working day it was opened (PYRAMID_EVENING_TIME), the owner is reminded; day 3, the team
  channel is told, with the buttons to take it over; day 7, the managers by DM (from the morning,
  PYRAMID_DIGEST_TIME, never in the night). Strategic accounts one step earlier.
- The second half: a response with no date for the next delivery yet is asked for it the day after (a
  date picker); once the next delivery's day is over, the owner is asked whether it clearly exceeded
  expectations (only yes closes it as recovered).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial

from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.domain.recovery import Rung, rungs_reached
from bot.domain.team_settings import TeamConfig
from bot.jobs.outbox import Delivered, deliver_once, report_failure
from bot.runtime import Runtime
from bot.services import managers, recoveries
from bot.services.profiles import locale_in
from bot.usecases.facts import RecoveryFacts
from bot.views import recovery as recovery_view
from bot.views.blocks import Message

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Due:
    """One message the clock owes: where it goes and its ledger key."""

    team_id: str
    kind: str
    ref: str
    channel: str
    message: Message


def flag_overdue_recoveries(runtime: Runtime, client: WebClient, now: datetime) -> list[Delivered]:
    """Everything the recovery clock owes now, each posted once; one failure never stops the others."""
    with runtime.db.transaction() as session:
        teams = runtime.served_teams(session)
    owed: list[Due] = []
    for team_id in teams:
        try:
            owed.extend(_owed(runtime, runtime.team_config(team_id), now))
        except Exception as error:
            # One team's failure never stops another's; the next tick tries it again.
            report_failure(log, error, f"recovery clock {team_id}")
    results = []
    for due in owed:
        team_client = runtime.client_for(due.team_id, like=client)
        if team_client is None:
            continue  # the team uninstalled the app: its recoveries stay, its flags stop
        try:
            results.append(
                deliver_once(
                    runtime.db,
                    team_client,
                    team_id=due.team_id,
                    kind=due.kind,
                    ref=due.ref,
                    channel=due.channel,
                    build=partial(_built, due.message),
                    now=now,
                )
            )
        except Exception as error:
            # The next tick tries it again.
            report_failure(log, error, f"recovery {due.kind} {due.team_id} {due.ref}")
    runtime.count_deliveries(*results)
    return results


def _built(message: Message) -> Message:
    return message


def _owed(runtime: Runtime, team: TeamConfig, now: datetime) -> list[Due]:
    """What the clock owes one team, on its own clock (zone, morning and evening, channel, managers).
    Each look-up reads the team's own recoveries only."""
    today = now.astimezone(team.zone).date()
    with runtime.db.transaction() as session:
        return [
            *ladder(session, team, now),
            *delivery_questions(session, team, today),
            *verdict_questions(session, team, today),
        ]


def ladder(session: Session, settings: TeamConfig, now: datetime) -> Iterator[Due]:
    """The rungs reached by now by the team's recoveries still without a response."""
    local = now.astimezone(settings.zone)
    today = local.date()
    team_managers: dict[str, list[str]] = {}
    tomorrow = today + timedelta(days=1)
    for recovery, account in recoveries.unresponded_since(session, settings.team_id, opened_before=tomorrow):
        facts = RecoveryFacts.of(recovery, account)
        team, ref = recovery.team_id, str(recovery.id)
        days = (today - recovery.opened_on).days
        opened = recovery.opened_at.astimezone(settings.zone)
        reached = rungs_reached(
            opened,
            local,
            account.segment,
            end_of_day=settings.evening_time,
            morning=settings.digest_time,
        )
        for rung in reached:
            if rung is Rung.OWNER:
                locale = locale_in(session, team, recovery.owner_id, settings.locale)
                message = recovery_view.owner_reminder(facts, locale, today)
                yield Due(team, "recovery_remind", ref, recovery.owner_id, message)
            elif rung is Rung.CHANNEL and settings.channel:
                message = recovery_view.flag_post(facts, days, settings.locale)
                yield Due(team, "recovery_flag", ref, settings.channel, message)
            elif rung is Rung.MANAGERS:
                if team not in team_managers:
                    team_managers[team] = managers.manager_ids(session, team, settings.managers)
                for manager in team_managers[team]:
                    locale = locale_in(session, team, manager, settings.locale)
                    message = recovery_view.managers_escalation(facts, days, locale)
                    yield Due(team, "recovery_escalate", f"{ref}:{manager}", manager, message)


def delivery_questions(session: Session, settings: TeamConfig, today: date) -> Iterator[Due]:
    """Responded on an earlier day and still no date for the next delivery: Pyramid asks for it, once
    per response."""
    day_start = datetime.combine(today, time.min, tzinfo=settings.zone)
    for recovery, account, event_id in recoveries.undated_since(session, settings.team_id, day_start):
        facts = RecoveryFacts.of(recovery, account)
        locale = locale_in(session, recovery.team_id, recovery.owner_id, settings.locale)
        message = recovery_view.delivery_question(facts, locale)
        yield Due(recovery.team_id, "delivery_ask", f"{recovery.id}:{event_id}", recovery.owner_id, message)


def verdict_questions(session: Session, settings: TeamConfig, today: date) -> Iterator[Due]:
    """After the next delivery's day, its owner is asked once per delivery date."""
    for recovery, account in recoveries.deliveries_past(session, settings.team_id, today):
        facts = RecoveryFacts.of(recovery, account)
        locale = locale_in(session, recovery.team_id, recovery.owner_id, settings.locale)
        message = recovery_view.verdict_question(facts, locale, today)
        ref = f"{recovery.id}:{recovery.delivery_on}"
        yield Due(recovery.team_id, "verdict", ref, recovery.owner_id, message)
