"""The account card: everything a rep needs to know about one account on one screen."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.models import Activity
from bot.services import accounts, recoveries
from bot.services.activities import recent_activities
from bot.usecases.facts import AccountCard, AccountFacts, ActivityFacts, RecoveryFacts

HISTORY_LINES = 5
RECOVERY_LINES = 5

__all__ = ["HISTORY_LINES", "AccountCard", "account_card"]


def account_card(session: Session, team_id: str, account_id: int) -> AccountCard:
    """The card's view-model, copied out of the rows (the view never sees the ORM)."""
    account = accounts.get_account(session, team_id, account_id)
    count = session.scalar(
        select(func.count())
        .select_from(Activity)
        .where(Activity.team_id == team_id, Activity.account_id == account_id)
    )
    history = recent_activities(session, team_id, account_id, HISTORY_LINES)
    shown, recovery_count = recoveries.of_account(session, team_id, account_id, RECOVERY_LINES)
    return AccountCard(
        account=AccountFacts.of(account),
        history=[ActivityFacts.of(activity) for activity in history],
        activity_count=count or 0,
        recoveries=tuple(RecoveryFacts.of(recovery, account) for recovery in shown),
        recovery_count=recovery_count,
        at_risk_since=account.at_risk_since,
    )
