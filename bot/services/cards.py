"""The account card: everything a rep needs to know about one account on one screen."""

from __future__ import annotations

from datetime import UTC, date, tzinfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.stages import Step
from bot.domain.status import (
    DEFAULT_DORMANT_RULES,
    AccountStatus,
    DormantRules,
    dormant_on,
    effective_status,
)
from bot.domain.winback import wants_winback
from bot.models import Activity
from bot.services import accounts, managing, recoveries, revenue
from bot.services.activities import recent_activities
from bot.services.status import live_activity
from bot.usecases.facts import AccountCard, AccountFacts, ActivityFacts, RecoveryFacts
from bot.usecases.managing_facts import CorrectionFacts

HISTORY_LINES = 5
# A manager's recent hand corrections (step, merge, archive, restore, lost) shown on the card.
CORRECTION_LINES = 3
RECOVERY_LINES = 5

__all__ = ["HISTORY_LINES", "AccountCard", "account_card"]


def account_card(
    session: Session,
    team_id: str,
    account_id: int,
    *,
    today: date,
    rules: DormantRules = DEFAULT_DORMANT_RULES,
    zone: tzinfo = UTC,
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
        .where(Activity.team_id == team_id, Activity.account_id == account_id, live_activity())
    )
    history = recent_activities(session, team_id, account_id, HISTORY_LINES)
    shown, recovery_count = recoveries.of_account(session, team_id, account_id, RECOVERY_LINES)
    return AccountCard(
        account=AccountFacts.of(account),
        history=[ActivityFacts.of(activity) for activity in history],
        activity_count=count or 0,
        status=status,
        status_since=since,
        quiet_days=(today - (account.last_touch_on or account.created_on)).days,
        revenue=revenue.revenue_of_account(session, team_id, account_id, today),
        recoveries=tuple(RecoveryFacts.of(recovery, account) for recovery in shown),
        recovery_count=recovery_count,
        at_risk_since=account.at_risk_since,
        winback=wants_winback(account.segment, status, account.deals_won),
        corrections=tuple(
            _correction(found, zone)
            for found in managing.recent_corrections(session, team_id, account_id, CORRECTION_LINES)
        ),
    )


def _correction(found: managing.Correction, zone: tzinfo) -> CorrectionFacts:
    """A hand correction as the card shows it, dated in the team's zone."""
    known = {step.value: step for step in Step}
    steps = {
        key: known[value]
        for key in ("from", "to")
        if isinstance(value := found.detail.get(key), str) and value in known
    }
    return CorrectionFacts(
        kind=found.kind,
        user_id=found.user_id,
        on=found.at.astimezone(zone).date(),
        reason=found.reason,
        other=found.other,
        from_step=steps.get("from"),
        to_step=steps.get("to"),
        merged_out="into" in found.detail,
    )
