"""Won amounts and open proposal value per stage, and one account's (bot.domain.revenue says what they
are). Deleted activities count for nothing (live_activity); merged accounts live on only as names."""

from __future__ import annotations

import functools
import json
from datetime import date
from typing import Any

from sqlalchemy import delete, exists, func, literal_column, select, text
from sqlalchemy.orm import Session, aliased

from bot.domain.activities import ActivityKind
from bot.domain.revenue import AccountRevenue, Deal, Revenue, StageRevenue, account_revenue, year_bounds
from bot.domain.stages import LADDER, Stage, Step
from bot.models import Account, AccountEvent, Activity, PyramidFigures, StepChange
from bot.services.status import live_activity, not_merged

DEAL_KINDS = (ActivityKind.PROPOSED.value, ActivityKind.WON.value, ActivityKind.LOST.value)
DECIDED = (ActivityKind.WON.value, ActivityKind.LOST.value)
CUSTOMER_STEPS = [step.value for step in LADDER if step.stage.is_customer]


def revenue_for(session: Session, team_id: str, owner_id: str | None, today: date) -> Revenue:
    """The team's (or one owner's accounts') revenue per the accounts' current stage."""
    return revenue_and_state(session, team_id, owner_id, today)[0]


def revenue_and_state(
    session: Session, team_id: str, owner_id: str | None, today: date
) -> tuple[Revenue, list[object] | None]:
    """The revenue, and the database state it was read live in when it is the team's, was not stored in
    that state and had no write in flight (None otherwise): the caller may store it (`store_revenue`,
    after the answer). The team's is the stored one when the database is still in the state it was
    stored in (by the snapshot job or after an earlier read), else read live: either way exactly what a
    live read gives, on every replica."""
    if owner_id is not None:
        # One rep's accounts are few; and an owner change writes no row the state would see.
        return _revenue(session, team_id, owner_id, today), None
    state, stored = _state_and_stored(session, team_id, today)
    if stored is not None and stored[0] == state:
        return stored[1], None
    # Read after the state: a write committed in between has ids above it (or was in flight then, so its
    # transaction id is in it), so the state never matches again and the pair is never taken as current.
    revenue = _revenue(session, team_id, None, today)
    # A state with transactions in flight (PostgreSQL) comes back only if the very same ones are in flight
    # again, i.e. practically never: not worth a write (and that write would be in flight for others).
    in_flight = session.get_bind().dialect.name == "postgresql" and state[-1] is not None
    return revenue, (None if in_flight else state)


def store_revenue(session: Session, team_id: str, day: date, state: list[object], revenue: Revenue) -> None:
    """Stores the team's revenue of `day` as read in `state`, in place of the team's earlier row."""
    session.execute(
        delete(PyramidFigures).where(
            PyramidFigures.team_id == team_id, PyramidFigures.owner_id == STORED_OWNER
        )
    )
    by_stage = {
        str(stage.value): [part.this_year, part.last_year, part.open_value, part.open_count]
        for stage, part in revenue.by_stage.items()
    }
    row = {"state": state, "year": revenue.year, "by_stage": by_stage}
    session.add(PyramidFigures(team_id=team_id, owner_id=STORED_OWNER, day=day, figures=json.dumps(row)))


# pyramid_figures.owner_id of the team's stored revenue (a Slack user id never starts with "#").
STORED_OWNER = "#revenue"


def write_revenue(session: Session, team_id: str, day: date) -> bool:
    """The snapshot job (every tick): the team's revenue of `day` stored with the database state it was
    read in, unless the stored one is still in that state. Call it before the job's transaction writes
    anything: on PostgreSQL its own transaction id would be in the state, and never match again.
    True if written."""
    revenue, state = revenue_and_state(session, team_id, None, day)
    if state is None:
        return False
    store_revenue(session, team_id, day, state, revenue)
    return True


def _state_and_stored(
    session: Session, team_id: str, day: date
) -> tuple[list[object], tuple[list[object], Revenue] | None]:
    """In one statement: the database's state (`_STATE`) and the team's stored revenue of `day`."""
    stored = (
        select(PyramidFigures.figures)
        .where(
            PyramidFigures.team_id == team_id,
            PyramidFigures.owner_id == STORED_OWNER,
            PyramidFigures.day == day,
        )
        .scalar_subquery()
    )
    pg = session.get_bind().dialect.name == "postgresql"
    *state, text_ = session.execute(select(*_state_columns(pg), stored)).one()
    return state, (_parsed(text_) if text_ is not None else None)


@functools.lru_cache(maxsize=64)
def _parsed(text_: str) -> tuple[list[object], Revenue]:
    """A stored row, parsed once per process (rows are rewritten, never changed in place)."""
    data = json.loads(text_)
    by_stage = {
        Stage(int(stage)): StageRevenue(*(int(number) for number in numbers))
        for stage, numbers in data["by_stage"].items()
    }
    return list(data["state"]), Revenue(year=int(data["year"]), by_stage=by_stage)


# PostgreSQL: the transactions in flight that wrote to what revenue reads. INSERT, UPDATE and DELETE hold
# RowExclusiveLock on their table until the transaction ends (pg_locks lists fast-path locks too), and an
# id is handed out inside the INSERT that takes it. Only those: a write elsewhere (the delivery ledger,
# the stored figures themselves) does not make the team's stored revenue out of date.
_WRITING = text(
    "(SELECT string_agg(DISTINCT virtualtransaction, ',' ORDER BY virtualtransaction) FROM pg_locks"
    " WHERE locktype = 'relation' AND mode = 'RowExclusiveLock'"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND relation IN ('activities'::regclass, 'step_changes'::regclass, 'account_events'::regclass,"
    " 'accounts'::regclass))"
)


def _state_columns(pg: bool) -> list[Any]:
    """What changes whenever anything revenue depends on may have changed: the highest ids of what it
    reads, activities (a log), step changes (an account changing stage) and account events (corrections:
    an edit, a delete, a merge, all recorded there). SQLite has one writer at a time and hands out ids
    above every committed one. PostgreSQL hands out ids before commit, so a write still in flight (its
    ids below some already committed) is in the state by its transaction, and leaves it on commit."""
    highest: list[Any] = [
        select(func.max(Activity.id)).scalar_subquery(),
        select(func.max(StepChange.id)).scalar_subquery(),
        select(func.max(AccountEvent.id)).scalar_subquery(),
    ]
    if pg:
        highest.append(_WRITING)
    return highest


def _revenue(session: Session, team_id: str, owner_id: str | None, today: date) -> Revenue:
    """Two queries: won amounts and open proposals, each grouped by step."""
    totals: dict[Step, list[int]] = {}
    for step, this_year, last_year in _won(session, team_id, owner_id, today):
        totals.setdefault(Step(step), [0, 0, 0, 0])[0:2] = [int(this_year or 0), int(last_year or 0)]
    for step, value, count in _open(session, team_id, owner_id):
        totals.setdefault(Step(step), [0, 0, 0, 0])[2:4] = [int(value or 0), int(count or 0)]
    by_stage: dict[Stage, StageRevenue] = {}
    for step, (this_year, last_year, value, count) in totals.items():
        part = by_stage.get(step.stage, StageRevenue())
        by_stage[step.stage] = StageRevenue(
            this_year=part.this_year + this_year,
            last_year=part.last_year + last_year,
            open_value=part.open_value + value,
            open_count=part.open_count + count,
        )
    return Revenue(year=today.year, by_stage=by_stage)


def _won(
    session: Session, team_id: str, owner_id: str | None, today: date
) -> list[tuple[str, int | None, int | None]]:
    """Won amounts of the two calendar years, grouped by the account's step. Driven from the accounts on
    a customer step (ix_accounts_team_step), each one's wins read on (team_id, account_id, kind,
    occurred_on): a live win puts an account on a customer step, so no other account has one to add."""
    last_start, this_start, next_start = year_bounds(today)
    statement = (
        select(
            Account.step,
            func.sum(Activity.amount).filter(Activity.occurred_on >= this_start),
            func.sum(Activity.amount).filter(Activity.occurred_on < this_start),
        )
        .join(Account, Account.id == Activity.account_id)
        .where(
            Activity.team_id == team_id,
            Activity.kind == ActivityKind.WON.value,
            Activity.occurred_on >= last_start,
            Activity.occurred_on < next_start,
            Activity.amount.is_not(None),
            live_activity(),
            Account.team_id == team_id,
            Account.step.in_(CUSTOMER_STEPS),
            not_merged(),
        )
        .group_by(Account.step)
    )
    if owner_id is not None:
        statement = statement.where(Account.owner_id == owner_id)
    return [(step, this_year, last_year) for step, this_year, last_year in session.execute(statement)]


def _open(session: Session, team_id: str, owner_id: str | None) -> list[tuple[str, int | None, int]]:
    """Per step, the sum and number of open proposals: driven from the accounts that ever had a proposal
    (the partial index ix_accounts_team_owner_proposed), each account's latest proposal read backwards on
    (team_id, account_id, kind, occurred_on), so the cost follows those accounts, not the history."""
    latest_id = (
        select(Activity.id)
        .where(
            Activity.team_id == team_id,
            Activity.account_id == Account.id,
            Activity.kind == ActivityKind.PROPOSED.value,
            live_activity(),
        )
        .order_by(Activity.occurred_on.desc(), Activity.id.desc())
        .limit(1)
        .correlate(Account)
        .scalar_subquery()
    )
    proposal = aliased(Activity)
    decided = exists().where(
        Activity.team_id == team_id,
        Activity.account_id == Account.id,
        Activity.kind.in_(DECIDED),
        Activity.occurred_on >= proposal.occurred_on,
        live_activity(),
    )
    statement = (
        select(Account.step, func.sum(proposal.amount), func.count())
        .select_from(Account)
        .join(proposal, proposal.id == latest_id)
        .where(
            Account.team_id == team_id,
            # A literal, so that the partial index (WHERE proposals > 0) matches.
            Account.proposals > literal_column("0"),
            not_merged(),
            proposal.amount.is_not(None),
            ~decided,
        )
        .group_by(Account.step)
    )
    if owner_id is not None:
        statement = statement.where(Account.owner_id == owner_id)
    return [(step, value, count) for step, value, count in session.execute(statement)]


def revenue_of_account(session: Session, team_id: str, account_id: int, today: date) -> AccountRevenue:
    """One account's won amounts this year and last, and its open proposal (the card): its deal
    activities, read on (team_id, account_id, kind, occurred_on)."""
    rows = session.execute(
        select(Activity.id, Activity.kind, Activity.occurred_on, Activity.amount).where(
            Activity.team_id == team_id,
            Activity.account_id == account_id,
            Activity.kind.in_(DEAL_KINDS),
            live_activity(),
        )
    ).all()
    deals = [Deal(id=id_, kind=ActivityKind(kind), on=on, amount=amount) for id_, kind, on, amount in rows]
    return account_revenue(deals, today)
