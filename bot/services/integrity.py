"""`pyramid-bot db check [--fix]`: do every account's counters and step agree with its activities?

What an account should hold is recomputed from what was logged, with the ladder's own rule
(`domain.stages`):

- **Counters** (remote touches, in-person meetings, meals, proposals, deals won and lost) are counts
  of the account's activities, and the last touch is the latest activity date. Deleted activities
  are left out (`deleted_at`).
- **Step**: the highest step the evidence supports, since steps climb automatically and only then.
  Two recorded kinds of step change explain a step the activities alone do not give, and the
  check honours them by replaying the account's history in order:
  an *import* (the account came in at a step: its counters were raised to that step's evidence
  floor, and the step to the imported one) and a *manual* step set by a manager (the step as
  recorded; later activities climb from there). A *correction* is itself computed from the
  activities (a repair, an undone or deleted log), so it explains nothing: replaying it would keep a
  step that a later deletion should lower. A stored step above the activities with no such row to
  explain it, or below them, is a mismatch.

The check is set-based: one GROUP BY over the activities for every account, plus, for the few
accounts with imports or hand-set steps, one query for their step changes and one for their
activities; the repair locks each account and recomputes it inside its own transaction, so a log
arriving meanwhile is counted, never overwritten.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from sqlalchemy import ColumnElement, case, func, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from bot.db import Database
from bot.domain.activities import ActivityKind
from bot.domain.stages import (
    TALLY_COUNTERS,
    Climb,
    Step,
    StepReason,
    Tally,
    climb,
    evidence_floor,
    step_for,
)
from bot.models import Account, Activity, StepChange
from bot.services import accounts

# Who a repair's step change is recorded as (a step change needs a user).
CHECKER = "db-check"
COUNTERS = TALLY_COUNTERS
FIELDS = (*COUNTERS, "last_touch_on", "step")
# Bound on the ids put in one IN (...) list.
_CHUNK = 500


@dataclass(frozen=True)
class Expected:
    tally: Tally
    step: Step


@dataclass(frozen=True)
class Mismatch:
    team_id: str
    account_id: int
    account: str
    field: str
    stored: str
    expected: str

    def line(self) -> str:
        return (
            f"{self.team_id} account {self.account_id} ({self.account}): "
            f"{self.field} is {self.stored}, expected {self.expected}"
        )


@dataclass(frozen=True)
class Report:
    accounts_checked: int
    mismatches: tuple[Mismatch, ...]
    accounts_fixed: tuple[int, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return not self.mismatches

    @property
    def accounts_wrong(self) -> int:
        return len({(m.team_id, m.account_id) for m in self.mismatches})


def check(db: Database, *, repeater_threshold: int, team_ids: list[str] | None = None) -> Report:
    """Every mismatch between stored and recomputed values, in one read-only transaction (on SQLite a
    snapshot that never holds the write lock, so logging goes on during a check)."""
    with db.read() as session:
        return Report(*_check(session, repeater_threshold, team_ids))


def fix(
    db: Database,
    *,
    repeater_threshold: int,
    now: datetime,
    today: date,
    team_ids: list[str] | None = None,
) -> Report:
    """Checks, then repairs each wrong account in its own transaction (row locked, recomputed inside
    it). Returns what was found and which accounts were repaired."""
    found = check(db, repeater_threshold=repeater_threshold, team_ids=team_ids)
    fixed: list[int] = []
    for team_id, account_id in sorted({(m.team_id, m.account_id) for m in found.mismatches}):
        with db.transaction() as session:
            if _repair(session, team_id, account_id, repeater_threshold, now=now, today=today):
                fixed.append(account_id)
    return replace(found, accounts_fixed=tuple(fixed))


# ------------------------------------------------------------------------------------ the check


@dataclass(frozen=True)
class _Scope:
    """Which accounts: some teams (none: all of them), or one account. Each table is filtered on its
    own team and account columns, so that their indexes serve the reads."""

    team_ids: tuple[str, ...] = ()
    account_id: int | None = None

    def on(
        self, team_id: InstrumentedAttribute[str], account_id: InstrumentedAttribute[int]
    ) -> ColumnElement[bool]:
        if self.account_id is not None:
            return account_id == self.account_id
        return team_id.in_(self.team_ids) if self.team_ids else true()


def _check(session: Session, threshold: int, team_ids: list[str] | None) -> tuple[int, tuple[Mismatch, ...]]:
    scope = _Scope(team_ids=tuple(team_ids or ()))
    tallies = _tallies(session, scope)
    replayed = _replayed(session, scope, threshold)
    mismatches: list[Mismatch] = []
    checked = 0
    columns = [getattr(Account, name) for name in FIELDS]
    statement = (
        select(Account.team_id, Account.id, Account.name, *columns)
        .where(scope.on(Account.team_id, Account.id))
        .order_by(Account.team_id, Account.id)
    )
    for row in session.execute(statement.execution_options(yield_per=5000)):
        checked += 1
        team_id, account_id, name, *values = row
        expected = replayed.get(account_id)
        if expected is None:
            tally = tallies.get(account_id, Tally())
            expected = Expected(tally, step_for(tally.evidence, threshold))
        mismatches.extend(
            _compare(team_id, account_id, name, dict(zip(FIELDS, values, strict=True)), expected)
        )
    return checked, tuple(mismatches)


def _compare(
    team_id: str, account_id: int, name: str, stored: dict[str, object], expected: Expected
) -> Iterator[Mismatch]:
    wanted: dict[str, object] = {
        field: getattr(expected.tally, field) for field in (*COUNTERS, "last_touch_on")
    }
    wanted["step"] = expected.step.value
    for field_name in FIELDS:
        if stored[field_name] != wanted[field_name]:
            yield Mismatch(
                team_id, account_id, name, field_name, _show(stored[field_name]), _show(wanted[field_name])
            )


def _show(value: object) -> str:
    if value is None:
        return "none"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _live() -> ColumnElement[bool]:
    """Activities that count: not deleted by a correction."""
    return Activity.deleted_at.is_(None)


def _kinds(test: str) -> list[str]:
    return [kind.value for kind in ActivityKind if getattr(kind, test)]


def _tallies(session: Session, scope: _Scope) -> dict[int, Tally]:
    """Every account's counts in one GROUP BY over the activities."""

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    kind = Activity.kind
    statement = (
        select(
            Activity.account_id,
            count(kind.in_(_kinds("is_remote"))),
            count(kind.in_(_kinds("is_in_person"))),
            count(kind == ActivityKind.MEAL.value),
            count(kind == ActivityKind.PROPOSED.value),
            count(kind == ActivityKind.WON.value),
            count(kind == ActivityKind.LOST.value),
            func.max(Activity.occurred_on),
        )
        .where(scope.on(Activity.team_id, Activity.account_id), _live())
        .group_by(Activity.account_id)
    )
    return {
        row[0]: Tally(
            remote_touches=int(row[1]),
            in_person_meetings=int(row[2]),
            meals=int(row[3]),
            proposals=int(row[4]),
            deals_won=int(row[5]),
            deals_lost=int(row[6]),
            last_touch_on=row[7],
        )
        for row in session.execute(statement)
    }


@dataclass(frozen=True)
class _Event:
    at: datetime
    order: int  # activities before step changes stamped at the same instant (a change follows its log)
    row_id: int
    kind: ActivityKind | None = None
    on: date | None = None
    reason: str | None = None
    to_step: Step | None = None


def _replayed(session: Session, scope: _Scope, threshold: int) -> dict[int, Expected]:
    """Accounts whose history holds an import or a hand-set step, replayed in order."""
    changes: dict[int, list[_Event]] = defaultdict(list)
    statement = select(
        StepChange.account_id, StepChange.id, StepChange.reason, StepChange.to_step, StepChange.changed_at
    ).where(
        scope.on(StepChange.team_id, StepChange.account_id),
        StepChange.reason.in_([StepReason.IMPORT.value, StepReason.MANUAL.value]),
    )
    for account_id, change_id, reason, to_step, at in session.execute(statement):
        changes[account_id].append(_Event(at, 1, change_id, reason=reason, to_step=Step(to_step)))
    if not changes:
        return {}
    events = changes
    for chunk in _chunks(sorted(changes)):
        rows = session.execute(
            select(
                Activity.account_id, Activity.id, Activity.kind, Activity.occurred_on, Activity.created_at
            ).where(Activity.account_id.in_(chunk), _live())
        )
        for account_id, activity_id, kind, on, at in rows:
            events[account_id].append(_Event(at, 0, activity_id, kind=ActivityKind(kind), on=on))
    return {account_id: _replay(history, threshold) for account_id, history in events.items()}


def _replay(history: Iterable[_Event], threshold: int) -> Expected:
    tally, step = Tally(), Step.NAME_ONLY
    for event in sorted(history, key=lambda e: (e.at, e.order, e.row_id)):
        if event.kind is not None and event.on is not None:
            tally = tally.plus(event.kind, event.on)
            step = climb(step, tally.evidence, threshold).after
        elif event.to_step is not None and event.reason == StepReason.IMPORT:
            # An import raises, never lowers (services/exports.py).
            tally = tally.raised_to(evidence_floor(event.to_step))
            step = max(step, event.to_step)
        elif event.to_step is not None:
            step = event.to_step  # a manager's hand: the step as recorded
    return Expected(tally, step)


def _chunks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), _CHUNK):
        yield ids[start : start + _CHUNK]


# ------------------------------------------------------------------------------------ the repair


def _repair(
    session: Session, team_id: str, account_id: int, threshold: int, *, now: datetime, today: date
) -> bool:
    account = session.scalar(
        select(Account).where(Account.team_id == team_id, Account.id == account_id).with_for_update()
    )
    if account is None:
        return False  # gone meanwhile
    expected = _expected(session, account_id, threshold)
    stored = {name: getattr(account, name) for name in FIELDS}
    if not list(_compare(team_id, account_id, account.name, stored, expected)):
        return False  # a concurrent log or repair already made it right
    _store(session, account, expected, user_id=CHECKER, now=now, today=today)
    return True


def recompute(
    session: Session,
    account: Account,
    *,
    threshold: int,
    user_id: str,
    now: datetime,
    today: date,
    activity_id: int | None = None,
) -> Climb:
    """After a correction (an activity undone, edited or deleted, two accounts merged): the account's
    counters, last touch and step recomputed from its live activities (and the imports and hand-set
    steps in its history). The caller holds the account's row lock (`services.accounts.lock`). A step
    that moves, down as well as up, is recorded as a `correction` by `user_id`."""
    expected = _expected(session, account.id, threshold)
    before = account.current_step
    _store(session, account, expected, user_id=user_id, now=now, today=today, activity_id=activity_id)
    return Climb(before=before, after=expected.step)


def _expected(session: Session, account_id: int, threshold: int) -> Expected:
    scope = _Scope(account_id=account_id)
    expected = _replayed(session, scope, threshold).get(account_id)
    if expected is None:
        tally = _tallies(session, scope).get(account_id, Tally())
        expected = Expected(tally, step_for(tally.evidence, threshold))
    return expected


def _store(
    session: Session,
    account: Account,
    expected: Expected,
    *,
    user_id: str,
    now: datetime,
    today: date,
    activity_id: int | None = None,
) -> None:
    accounts.store_tally(account, expected.tally)
    if account.step != expected.step.value:
        before = account.current_step
        account.step = expected.step.value
        accounts.record_step_change(
            session,
            account,
            before,
            expected.step,
            user_id=user_id,
            now=now,
            today=today,
            reason=StepReason.CORRECTION,
            activity_id=activity_id,
        )
    account.updated_at = now
