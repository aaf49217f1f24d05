"""The app leaves a workspace (`app_uninstalled`) or loses its bot token (`tokens_revoked`): the token
goes, that team's jobs stop, and what it had queued to post is dropped, so that it is neither retried
for days nor counted among other teams' failures. Its data stays until `pyramid-bot team delete T…`."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.domain.delivery import UNINSTALLED, DeliveryStatus
from bot.models import Delivery
from bot.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Left:
    teams: tuple[str, ...]
    dropped: int


def uninstalled(
    runtime: Runtime,
    team_id: str | None,
    enterprise_id: str | None,
    *,
    org_wide: bool,
    bot_only: bool = False,
) -> Left:
    """`team_id` (or, for an org-wide install, every workspace of `enterprise_id` we know) lost the app:
    its installation (the bot's only, with `bot_only`) is deleted and its queued deliveries dropped."""
    installs = runtime.installs
    if org_wide and enterprise_id:
        teams = tuple(installs.workspaces_of(enterprise_id))
        installs.forget(None, enterprise_id, bot_only=bot_only)
    else:
        teams = (team_id,) if team_id else ()
        installs.forget(team_id, enterprise_id, bot_only=bot_only)
    for team in teams:
        installs.forget_token(team)

    def work(session: Session) -> int:
        return sum(drop_queued(session, team) for team in teams)

    dropped = runtime.transaction(work) if teams else 0
    log.info("the app left %s (%d queued deliveries dropped)", ", ".join(teams) or enterprise_id, dropped)
    return Left(teams, dropped)


def drop_queued(session: Session, team_id: str) -> int:
    """The team's deliveries still waiting (pending, or claimed by a post under way) are dropped, with
    `app_uninstalled`: never retried, never posted with another team's token, not counted as failed."""
    result = session.execute(
        update(Delivery)
        .where(
            Delivery.team_id == team_id,
            Delivery.status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.CLAIMED.value]),
        )
        .values(status=DeliveryStatus.DROPPED.value, last_error=UNINSTALLED)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
