"""Who is a manager (SPEC §2 corrections, §5 escalation): the workspace's admins and owners, as Slack's
users.info said when the user's profile was last cached (services.profiles), and the configured list
(`PYRAMID_MANAGERS`)."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import SlackUser


def is_manager(session: Session, team_id: str, user_id: str, configured: Collection[str]) -> bool:
    if user_id in configured:
        return True
    admin = session.scalar(
        select(SlackUser.is_admin).where(SlackUser.team_id == team_id, SlackUser.user_id == user_id)
    )
    return bool(admin)


def manager_ids(session: Session, team_id: str, configured: Collection[str]) -> list[str]:
    """Every manager of the team we know of, sorted: the configured ones, then cached admins."""
    admins = session.scalars(
        select(SlackUser.user_id).where(SlackUser.team_id == team_id, SlackUser.is_admin.is_(True))
    )
    return sorted(set(configured) | set(admins))


def admin_unknown(session: Session, team_id: str, user_id: str) -> bool:
    """Slack was never asked whether the user is an admin (no cached profile, or one cached before the
    flag was kept): a refusal on that ground is checked with Slack once more."""
    cached = session.scalar(
        select(SlackUser.is_admin).where(SlackUser.team_id == team_id, SlackUser.user_id == user_id)
    )
    return cached is None
