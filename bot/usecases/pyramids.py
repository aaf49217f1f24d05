"""Reads behind the pyramid replies and the App Home."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.domain.health import Flow
from bot.domain.pyramid import Distribution
from bot.domain.revenue import Revenue
from bot.runtime import Runtime
from bot.services import digests, pyramids
from bot.services.analytics import Analytics, analytics_for, flow_of
from bot.services.digests import Digest
from bot.services.revenue import store_revenue

PYRAMID_DEADLINE = 10.0  # seconds: read after the ack, the heaviest reply


def pyramid_facts(
    runtime: Runtime, team_id: str, owner: str | None, today: date
) -> tuple[Distribution, Analytics]:
    """A pyramid (the team's when `owner` is None) and its numbers."""
    team = runtime.team_config(team_id)
    rules = team.dormant_rules

    def gather(session: Session) -> tuple[Distribution, Analytics]:
        dist = pyramids.distribution_for(session, team_id, owner, today=today, rules=rules)
        return dist, analytics_for(session, team_id, owner, dist, today, rules)

    dist, numbers = runtime.query(gather, deadline=PYRAMID_DEADLINE)
    if numbers.revenue_state is not None and numbers.revenue is not None:
        _store_revenue_later(runtime, team_id, today, numbers.revenue_state, numbers.revenue)
    zone = team.zone
    # Stored in UTC, read in the team's zone.
    if isinstance(numbers.retention_as_of, datetime):
        numbers = replace(numbers, retention_as_of=numbers.retention_as_of.astimezone(zone))
    if isinstance(numbers.dormant_as_of, datetime):
        numbers = replace(numbers, dormant_as_of=numbers.dormant_as_of.astimezone(zone))
    return dist, numbers


def _store_revenue_later(
    runtime: Runtime, team_id: str, today: date, state: list[object], revenue: Revenue
) -> None:
    """After the answer, once per team at a time: the team's revenue as just read, so that the next
    `/pyramid` (on any replica) reads it stored while nothing is written."""

    def store() -> None:
        runtime.transaction(lambda session: store_revenue(session, team_id, today, state, revenue))

    runtime.after(store, key=("store_revenue", team_id))


def home_flow(runtime: Runtime, team_id: str, user_id: str, today: date) -> Flow:
    """The rep's flow, for the App Home's health line (shape and flow, as `/pyramid me` judges it)."""
    with runtime.db.read() as session:
        return flow_of(session, team_id, user_id, today, runtime.team_config(team_id).dormant_rules)


def home_facts(runtime: Runtime, team_id: str, user_id: str, today: date) -> tuple[Distribution, Digest]:
    """The rep's App Home: their pyramid and what is due. After-work, so no deadline."""
    with runtime.db.read() as session:
        dist = pyramids.distribution_for(
            session, team_id, user_id, today=today, rules=runtime.team_config(team_id).dormant_rules
        )
        return dist, digests.digest_for(
            session, team_id, user_id, today, runtime.team_config(team_id).lapse_rules
        )
