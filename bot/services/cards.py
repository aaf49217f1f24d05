"""The account card: everything a rep needs to know about one account on one screen."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import Account, Activity
from bot.services import accounts
from bot.services.activities import recent_activities

HISTORY_LINES = 5


@dataclass(frozen=True)
class AccountCard:
    account: Account
    history: list[Activity]
    activity_count: int


def account_card(session: Session, team_id: str, account_id: int) -> AccountCard:
    account = accounts.get_account(session, team_id, account_id)
    count = session.scalar(
        select(func.count())
        .select_from(Activity)
        .where(Activity.team_id == team_id, Activity.account_id == account_id)
    )
    return AccountCard(
        account=account,
        history=recent_activities(session, team_id, account_id, HISTORY_LINES),
        activity_count=count or 0,
    )
