"""The account card: everything a rep needs to know about one account on one screen."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.status import (
    DEFAULT_DORMANT_RULES,
    AccountStatus,
    DormantRules,
    dormant_on,
    effective_status,
)
from bot.models import Activity
from bot.services import accounts
from bot.services.activities import recent_activities
from bot.usecases.facts import AccountCard, AccountFacts, ActivityFacts

HISTORY_LINES = 5

__all__ = ["HISTORY_LINES", "AccountCard", "account_card"]


def account_card(
    session: Session,
    team_id: str,
    account_id: int,
    *,
    today: date,
    rules: DormantRules = DEFAULT_DORMANT_RULES,
) -> AccountCard:
    """The card's view-model, copied out of the rows (the view never sees the ORM), with the account's
    status on `today`."""
    account = accounts.get_account(session, team_id, account_id)
    stage = account.current_step.stage
    status = effective_status(account.status, stage, account.last_touch_on, account.created_on, today, rules)
    since = (
        dormant_on(stage, account.last_touch_on, account.created_on, rules)
        if status is AccountStatus.DORMANT
        else account.status_on
    )
    count = session.scalar(
        select(func.count())
        .select_from(Activity)
        .where(Activity.team_id == team_id, Activity.account_id == account_id)
    )
    history = recent_activities(session, team_id, account_id, HISTORY_LINES)
    return AccountCard(
        account=AccountFacts.of(account),
        history=[ActivityFacts.of(activity) for activity in history],
        activity_count=count or 0,
        status=status,
        status_since=since,
        quiet_days=(today - (account.last_touch_on or account.created_on)).days,
    )
