"""Data for tests and benchmarks, made through the bot's own services (bot/services) so that what is
stored is what production stores: logs, accounts, follow-ups and recoveries.

`quiet_account` is the one exception: an account already on a step with its counters and a long
silence, without the history that would put it there (tests of large books need hundreds of them)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.db import Database
from bot.domain.activities import ActivityKind
from bot.domain.names import name_key
from bot.models import Account, Followup, Recovery
from bot.services import accounts, followups, recoveries
from bot.services.accounts import AccountRef, NearMatchQuestion
from bot.services.activities import Logged, LogRequest, log_activity

TEAM = "T0TEAM1"
USER = "U0REP1"
# Sunday 22 November 2026, 10:00 in Tokyo (the clock of the tests).
NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
REPEATER_THRESHOLD = 3


def log(
    session: Session,
    name: str | None,
    kind: ActivityKind | str = ActivityKind.VISIT,
    *,
    team: str = TEAM,
    user: str = USER,
    on: date = TODAY,
    now: datetime = NOW,
    today: date | None = None,
    account_id: int | None = None,
    create_new: bool = False,
    threshold: int = REPEATER_THRESHOLD,
    **extra: Any,
) -> Logged | NearMatchQuestion:
    """One activity logged through `log_activity`, as a command or a modal logs it."""
    request = LogRequest(
        team_id=team,
        user_id=user,
        account=AccountRef(account_id=account_id, name=name, create_new=create_new),
        kind=ActivityKind(kind),
        on=on,
        **extra,
    )
    return log_activity(session, request, now=now, today=today or TODAY, repeater_threshold=threshold)


def logged(result: Logged | NearMatchQuestion) -> Logged:
    """The result of a log that must have been stored (not a "did you mean…?")."""
    assert isinstance(result, Logged), result
    return result


def log_in(db: Database, name: str, kind: ActivityKind | str, **kwargs: Any) -> Logged:
    """A log in its own transaction, creating the account when new; it must be stored."""
    kwargs.setdefault("create_new", True)
    with db.transaction() as session:
        return logged(log(session, name, kind, **kwargs))


def create_account(
    session: Session,
    name: str,
    *,
    team: str = TEAM,
    owner: str = USER,
    now: datetime = NOW,
    today: date = TODAY,
) -> Account:
    return accounts.create_account(session, team, name, owner, now=now, today=today)


def quiet_account(
    session: Session,
    name: str,
    *,
    step: str,
    deals_won: int,
    quiet_since: date,
    team: str = TEAM,
    owner: str = USER,
    now: datetime = NOW,
    key: str | None = None,
) -> Account:
    """An account on `step` (a visit or two, a meal, a proposal, `deals_won` wins) whose last touch was
    on `quiet_since`; its name key is `key`, else the one the bot derives from its name."""
    account = Account(
        team_id=team,
        name=name,
        name_key=key if key is not None else name_key(name),
        owner_id=owner,
        step=step,
        remote_touches=0,
        in_person_meetings=2,
        meals=1,
        proposals=1,
        deals_won=deals_won,
        deals_lost=0,
        last_touch_on=quiet_since,
        created_on=quiet_since,
        created_at=now,
        updated_at=now,
    )
    session.add(account)
    session.flush()
    return account


def followup(
    session: Session,
    account: Account,
    *,
    due_on: date,
    note: str | None,
    user: str = USER,
    source: str = "manual",
    now: datetime = NOW,
) -> Followup:
    """A follow-up scheduled by the rep, through `followups.schedule`."""
    return followups.schedule(
        session, account, user_id=user, created_by=user, due_on=due_on, note=note, source=source, now=now
    )


def recovery(
    session: Session,
    account: Account,
    *,
    what: str,
    user: str = USER,
    now: datetime = NOW,
    today: date = TODAY,
) -> Recovery:
    """A recovery opened through `recoveries.open_recovery` (without its next-day follow-up)."""
    return recoveries.open_recovery(
        session,
        account,
        user_id=user,
        what=what,
        now=now,
        today=today,
        request_key=None,
        followup_next_day=False,
    ).recovery
