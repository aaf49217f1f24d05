"""Data for tests and benchmarks, made through the bot's own services (bot/services) so that what is
stored is what production stores: logs, accounts, follow-ups and recoveries. Times default to the
tests' clock (Sunday 22 November 2026, 10:00 in Tokyo) and the rep to USER of TEAM."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.db import Database
from bot.domain.activities import ActivityKind
from bot.domain.stages import Step
from bot.models import Account, Delivery, Followup, Recovery
from bot.services import accounts, followups, recoveries
from bot.services.accounts import AccountRef, NearMatchQuestion
from bot.services.activities import Logged, LogRequest, log_activity
from tests.support.ids import TEAM, USER

NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
REPEATER_THRESHOLD = 3


def log(
    session: Session, name: str | None, kind: ActivityKind | str = ActivityKind.VISIT, **given: Any
) -> Logged | NearMatchQuestion:
    """One activity logged through `log_activity`, as a command or a modal logs it. `given`: team, user,
    on (the activity's day), now, today, threshold (the repeater's), account_id, create_new, and the
    request's own fields (amount, note, revisit_on, request_key)."""
    now, today = given.pop("now", NOW), given.pop("today", TODAY)
    threshold = given.pop("threshold", REPEATER_THRESHOLD)
    ref = AccountRef(
        account_id=given.pop("account_id", None), name=name, create_new=given.pop("create_new", False)
    )
    team, user, on = given.pop("team", TEAM), given.pop("user", USER), given.pop("on", TODAY)
    request = LogRequest(team_id=team, user_id=user, account=ref, kind=ActivityKind(kind), on=on, **given)
    return log_activity(session, request, now=now, today=today, repeater_threshold=threshold)


def logged(result: Logged | NearMatchQuestion) -> Logged:
    """The result of a log that must have been stored (not a "did you mean…?")."""
    assert isinstance(result, Logged), result
    return result


def log_in(db: Database, name: str, kind: ActivityKind | str, **given: Any) -> Logged:
    """A log in its own transaction, creating the account when new; it must be stored."""
    given.setdefault("create_new", True)
    with db.transaction() as session:
        return logged(log(session, name, kind, **given))


def quiet_account(
    session: Session, name: str, step: str, deals_won: int, quiet_since: date, key: str | None = None
) -> Account:
    """An account created on `step` (two meetings, a meal, a proposal and `deals_won` wins behind it, without
    the activities themselves), last touched on `quiet_since`; its name key is `key` when given."""
    account = accounts.create_account(session, TEAM, name, USER, now=NOW, today=quiet_since, step=Step(step))
    account.name, account.name_key = name, key or account.name_key
    account.in_person_meetings, account.meals, account.proposals = 2, 1, 1
    account.deals_won, account.last_touch_on = deals_won, quiet_since
    session.flush()
    return account


def followup(session: Session, account: Account, due_on: date, note: str | None) -> Followup:
    """A follow-up the account's owner scheduled, through `followups.schedule`."""
    user = account.owner_id
    return followups.schedule(
        session, account, user_id=user, created_by=user, due_on=due_on, note=note, source="manual", now=NOW
    )


def recovery(session: Session, account: Account, what: str) -> Recovery:
    """A recovery its owner opened, through `recoveries.open_recovery` (without the next-day follow-up)."""
    user, fresh = account.owner_id, {"request_key": None, "followup_next_day": False}
    return recoveries.open_recovery(
        session, account, user_id=user, what=what, now=NOW, today=TODAY, **fresh
    ).recovery


def claim(db: Database, ref: str, claimed_at: datetime, kind: str = "digest", token: str = "f" * 32) -> None:
    """A delivery claimed at `claimed_at` and not finished: another worker's under way, or one that
    crashed before posting (a ledger row only the outbox writes, so written here as it would)."""
    row = Delivery(
        team_id=TEAM, kind=kind, ref=ref, status="claimed", claim_token=token, claimed_at=claimed_at
    )
    with db.transaction() as session:
        session.add(row)
