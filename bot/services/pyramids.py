"""The stage distribution of a team or of one rep, counted by the database from indexed columns."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.pyramid import Distribution, distribution_from
from bot.models import Account


def distribution_for(session: Session, team_id: str, owner_id: str | None = None) -> Distribution:
    statement = select(Account.step, func.count()).where(Account.team_id == team_id)
    if owner_id is not None:
        statement = statement.where(Account.owner_id == owner_id)
    rows = session.execute(statement.group_by(Account.step)).all()
    return distribution_from({step: count for step, count in rows})
