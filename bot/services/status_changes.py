"""Changes of an account's stored status that follow from what happened to it (SPEC §2 "Status", §5):
a lost account touched again comes back, a former customer's final "no" or a recovery that ended lost
takes it out. Each change is written to the audit trail (AccountEvent) with who and when.

The rule of which log changes what is `domain.status.status_after_log`; a manager's status changes
(archive, restore, marking lost) are the managers' commands'.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.domain.activities import ActivityKind
from bot.domain.status import AccountStatus, StatusMove, status_after_log
from bot.models import Account, AccountEvent
from bot.services import accounts

_STATUS_AFTER = {StatusMove.REACTIVATED: AccountStatus.ACTIVE, StatusMove.LOST: AccountStatus.LOST}


def after_log(
    session: Session,
    account: Account,
    *,
    kind: ActivityKind,
    revisit_on: date | None,
    activity_id: int,
    user_id: str,
    now: datetime,
    today: date,
) -> StatusMove | None:
    """Inside the log's transaction, with `account` locked and its counters already updated."""
    move = status_after_log(AccountStatus(account.status), kind, account.deals_won, revisit_on)
    if move is not None:
        _set(session, account, move, user_id=user_id, now=now, today=today, activity_id=activity_id)
    return move


def lost_by_recovery(session: Session, account: Account, *, user_id: str, now: datetime) -> bool:
    """A recovery ended lost (closed by `user_id`): the account leaves the pyramid as lost. Archived and
    merged accounts keep their status; an account already lost is left as it is. True if changed."""
    locked = accounts.lock(session, account)
    if AccountStatus(locked.status) is not AccountStatus.ACTIVE:
        return False
    # The recovery's transition carries only the instant; the day it names is good enough for status_on.
    _set(session, locked, StatusMove.LOST, user_id=user_id, now=now, today=now.date())
    return True


def _set(
    session: Session,
    account: Account,
    move: StatusMove,
    *,
    user_id: str,
    now: datetime,
    today: date,
    activity_id: int | None = None,
) -> None:
    account.status = _STATUS_AFTER[move].value
    account.status_on = today
    session.add(
        AccountEvent(
            team_id=account.team_id,
            account_id=account.id,
            kind=move.value,
            user_id=user_id,
            at=now,
            activity_id=activity_id,
        )
    )
