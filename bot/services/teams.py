"""A team's data, all of it: `pyramid-bot team delete T…` removes every row of one workspace (when it
leaves Pyramid, or to honour a request to erase its data). Nothing of another team is touched."""

from __future__ import annotations

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.models import Base


def row_counts(session: Session, team_id: str) -> dict[str, int]:
    """How many rows each table holds for the team (what a delete would remove)."""
    return {
        table.name: int(
            session.scalar(select(func.count()).select_from(table).where(table.c.team_id == team_id)) or 0
        )
        for table in Base.metadata.sorted_tables
    }


def delete_team(session: Session, team_id: str) -> dict[str, int]:
    """Deletes every row of the team, children before parents, in the caller's transaction; returns how
    many rows each table lost."""
    deleted: dict[str, int] = {}
    for table in reversed(Base.metadata.sorted_tables):
        result = session.execute(delete(table).where(table.c.team_id == team_id))
        deleted[table.name] = int(getattr(result, "rowcount", 0) or 0)
    return deleted
