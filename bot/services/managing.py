"""A manager's corrections of accounts (SPEC §2 "Corrections"): a step set by hand, two accounts merged
into one, an account archived, restored or marked lost. Each is recorded in `account_events` (who,
when, why); the callers hold the account rows' locks (`services.accounts.lock`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.domain.stages import Climb, Step, StepReason, step_for
from bot.domain.status import AccountStatus
from bot.models import Account, AccountEvent, Activity, Followup, Recovery, StepChange
from bot.services import accounts, integrity
from bot.services.errors import UserFacingError

# The kinds of hand corrections this module records (the card lists these).
MANAGER_EVENT_KINDS = ("step", "merge", "archive", "restore", "lost")
# What each status verb stores.
STATUS_OF = {
    "archive": AccountStatus.ARCHIVED,
    "restore": AccountStatus.ACTIVE,
    "lost": AccountStatus.LOST,
}


def record_event(
    session: Session,
    account: Account,
    kind: str,
    *,
    user_id: str,
    now: datetime,
    reason: str | None,
    detail: dict[str, object] | None = None,
    other: Account | None = None,
) -> AccountEvent:
    event = AccountEvent(
        team_id=account.team_id,
        account_id=account.id,
        kind=kind,
        user_id=user_id,
        at=now,
        reason=reason,
        detail=json.dumps(detail, ensure_ascii=False) if detail else None,
        other_account_id=other.id if other is not None else None,
    )
    session.add(event)
    return event


def refuse_merged(session: Session, account: Account) -> None:
    """A merged account lives on only as a name that finds its survivor: nothing is done to it."""
    if account.status == AccountStatus.MERGED:
        survivor = accounts.follow_merges(session, account)
        into = survivor.name if survivor is not None else "?"
        raise UserFacingError("account_is_merged", name=account.name, account=into)


# ------------------------------------------------------------------------------------------ step


@dataclass(frozen=True)
class StepSetResult:
    climb: Climb
    supported: Step  # the step the logged evidence alone supports (a later log climbs from the set one)
    change: StepChange | None  # None: the account was already on that step


def set_step(
    session: Session,
    account: Account,
    step: Step,
    *,
    reason: str,
    user_id: str,
    now: datetime,
    today: date,
    threshold: int,
) -> StepSetResult:
    refuse_merged(session, account)
    before = account.current_step
    supported = step_for(accounts.tally_of(account).evidence, threshold)
    if before == step:
        return StepSetResult(Climb(before=before, after=step), supported, None)
    account.step = step.value
    account.updated_at = now
    change = accounts.record_step_change(
        session, account, before, step, user_id=user_id, now=now, today=today, reason=StepReason.MANUAL
    )
    change.note = reason
    record_event(
        session,
        account,
        "step",
        user_id=user_id,
        now=now,
        reason=reason,
        detail={"from": before.value, "to": step.value},
    )
    session.flush()  # the change's id names its announcement
    return StepSetResult(Climb(before=before, after=step), supported, change)


# ---------------------------------------------------------------------------------------- status


def change_status(
    session: Session,
    account: Account,
    verb: str,
    *,
    reason: str | None,
    user_id: str,
    now: datetime,
    today: date,
) -> tuple[AccountStatus, bool]:
    """The stored status before, and whether it changed (a repeat of the same command changes nothing)."""
    refuse_merged(session, account)
    before = AccountStatus(account.status)
    after = STATUS_OF[verb]
    if before == after:
        return before, False
    account.status = after.value
    account.status_on = today
    account.updated_at = now
    record_event(
        session,
        account,
        verb,
        user_id=user_id,
        now=now,
        reason=reason,
        detail={"from": before.value, "to": after.value},
    )
    return before, True


# ----------------------------------------------------------------------------------------- merge


@dataclass(frozen=True)
class Moving:
    """What a merge moves from one account to the other."""

    activities: int
    followups: int
    recoveries: int


def check_merge(session: Session, survivor: Account, merged: Account) -> None:
    """Refused: an account into itself, into a merged one, or one merged already."""
    if survivor.id == merged.id:
        raise UserFacingError("merge_into_itself", name=survivor.name)
    refuse_merged(session, survivor)
    refuse_merged(session, merged)


def moving(session: Session, merged: Account) -> Moving:
    """What a merge of `merged` would move (deleted activities too: they are kept, and move along)."""

    def count(model: type[Activity] | type[Followup] | type[Recovery]) -> int:
        statement = (
            select(func.count())
            .select_from(model)
            .where(model.team_id == merged.team_id, model.account_id == merged.id)
        )
        return session.scalar(statement) or 0

    return Moving(count(Activity), count(Followup), count(Recovery))


def lock_pair(session: Session, first: Account, second: Account) -> tuple[Account, Account]:
    """Both rows locked in id order (two merges of the same pair at once cannot deadlock), returned in
    the order given."""
    locked = {row.id: accounts.lock(session, row) for row in sorted((first, second), key=lambda a: a.id)}
    return locked[first.id], locked[second.id]


def merge(
    session: Session,
    survivor: Account,
    merged: Account,
    *,
    reason: str | None,
    user_id: str,
    now: datetime,
    today: date,
    threshold: int,
) -> tuple[Moving, Climb]:
    """Folds `merged` into `survivor` (both locked by the caller): its activities, follow-ups and
    recoveries move, and the step changes of an import (the standing the list gave it); its other step
    changes stay with it as its own history. Both are recomputed from the activities they now have (a
    step that moves is recorded as a correction by the manager)."""
    check_merge(session, survivor, merged)
    moved = moving(session, merged)
    team = survivor.team_id
    for model in (Activity, Followup, Recovery):
        session.execute(
            update(model)
            .where(model.team_id == team, model.account_id == merged.id)
            .values(account_id=survivor.id)
            .execution_options(synchronize_session=False)
        )
    session.execute(
        update(StepChange)
        .where(
            StepChange.team_id == team,
            StepChange.account_id == merged.id,
            StepChange.reason == StepReason.IMPORT.value,
        )
        .values(account_id=survivor.id)
        .execution_options(synchronize_session=False)
    )
    merged.status = AccountStatus.MERGED.value
    merged.status_on = today
    merged.merged_into_id = survivor.id
    merged.updated_at = now
    counts = {"activities": moved.activities, "followups": moved.followups, "recoveries": moved.recoveries}
    record_event(
        session,
        survivor,
        "merge",
        user_id=user_id,
        now=now,
        reason=reason,
        detail={"merged": merged.name, **counts},
        other=merged,
    )
    record_event(
        session,
        merged,
        "merge",
        user_id=user_id,
        now=now,
        reason=reason,
        detail={"into": survivor.name, **counts},
        other=survivor,
    )
    session.flush()
    climb = integrity.recompute(session, survivor, threshold=threshold, user_id=user_id, now=now, today=today)
    # The merged account holds nothing now: its counters and step follow (so `db check` agrees, and a
    # list that does not look at the status never counts its evidence twice).
    integrity.recompute(session, merged, threshold=threshold, user_id=user_id, now=now, today=today)
    return moved, climb


# ------------------------------------------------------------------------------------------ card


@dataclass(frozen=True)
class Correction:
    kind: str
    user_id: str
    at: datetime
    reason: str | None
    detail: dict[str, object]
    other: str | None  # the other account's name (a merge)


def recent_corrections(session: Session, team_id: str, account_id: int, limit: int) -> list[Correction]:
    """The account's latest hand corrections by managers, newest first."""
    rows = session.execute(
        select(AccountEvent, Account.name)
        .outerjoin(Account, Account.id == AccountEvent.other_account_id)
        .where(
            AccountEvent.team_id == team_id,
            AccountEvent.account_id == account_id,
            AccountEvent.kind.in_(MANAGER_EVENT_KINDS),
        )
        .order_by(AccountEvent.at.desc(), AccountEvent.id.desc())
        .limit(limit)
    ).all()
    return [
        Correction(event.kind, event.user_id, event.at, event.reason, _detail(event.detail), other)
        for event, other in rows
    ]


def _detail(raw: str | None) -> dict[str, object]:
    try:
        found = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return found if isinstance(found, dict) else {}
