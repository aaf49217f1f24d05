"""`/pyramid` from stored figures (issue 9): the daily job stores conversion flows, time in stage and
retention per team and owner; `analytics_for` reads them and adds what was recorded since. Whatever is
recorded after the job (moves today, moves dated back into the window, new accounts, new owners), the
result is the one computed from the whole history."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event, select

from bot.db import Database
from bot.domain.analytics import medians
from bot.domain.stages import LADDER, Stage, Step
from bot.models import Account, PyramidFigures, StepChange
from bot.services import analytics, pyramids, snapshots

TEAM = "T0FIG"
OWNERS = ["U0A", "U0B", "U0C"]
TODAY = date(2026, 11, 22)


def moment(day: date, minute: int = 0) -> datetime:
    return datetime.combine(day, time(3, minute % 60), tzinfo=UTC)


class History:
    """Accounts climbing the ladder at random, as the bot records them (from_step is the step before)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.next_id = 1
        self.steps: dict[int, Step] = {}

    def account(self, session: object, owner: str, created: date) -> int:
        account_id = self.next_id
        self.next_id += 1
        self.steps[account_id] = Step.NAME_ONLY
        session.add(  # type: ignore[attr-defined]
            Account(
                id=account_id,
                team_id=TEAM,
                name=f"Firm {account_id}",
                name_key=f"firm {account_id}",
                owner_id=owner,
                step=Step.NAME_ONLY.value,
                created_on=created,
                last_touch_on=created + timedelta(self.rng.randrange(0, max(1, (TODAY - created).days))),
                created_at=moment(created),
                updated_at=moment(created),
            )
        )
        return account_id

    def climb(
        self,
        session: object,
        account_id: int,
        on: date,
        *,
        imported: bool = False,
        change_id: int | None = None,
    ) -> None:
        before = self.steps[account_id]
        higher = [
            step
            for step in LADDER
            if step.value != before.value and LADDER.index(step) > LADDER.index(before)
        ]
        if not higher:
            return
        after = self.rng.choice(higher[:3])
        self.steps[account_id] = after
        session.add(  # type: ignore[attr-defined]
            StepChange(
                id=change_id,
                team_id=TEAM,
                account_id=account_id,
                from_step=before.value,
                to_step=after.value,
                changed_at=moment(on, self.rng.randrange(60)),
                changed_on=on,
                user_id="U0X",
                reason="import" if imported else "activity",
            )
        )
        account = session.get(Account, account_id)  # type: ignore[attr-defined]
        account.step = after.value


def seed(db: Database, history: History, accounts: int = 240) -> None:
    rng = history.rng
    with db.transaction() as session:
        ids = [
            history.account(session, rng.choice(OWNERS), TODAY - timedelta(rng.randrange(1, 700)))
            for _ in range(accounts)
        ]
        session.flush()
        # Climbs in time order, so that ids follow the recording order as in the bot.
        events = sorted(
            (session.get(Account, i).created_on + timedelta(rng.randrange(0, 700)), i)  # type: ignore[union-attr]
            for i in ids
            for _ in range(rng.randrange(0, 4))
        )
        for on, account_id in events:
            if on < TODAY:
                history.climb(session, account_id, on, imported=rng.random() < 0.05)
                session.flush()


def computed_from_history(db: Database, owner: str | None) -> analytics.Analytics:
    """analytics_for with no stored figures: every number from the history."""
    with db.transaction() as session:
        stored = session.scalars(select(PyramidFigures)).all()
        saved = [(r.team_id, r.owner_id, r.day, r.figures) for r in stored]
        for row in stored:
            session.delete(row)
        session.flush()
        result = analytics.analytics_for(
            session, TEAM, owner, pyramids.distribution_for(session, TEAM, owner, today=TODAY), TODAY
        )
        session.rollback()
    del saved
    return replace(result, revenue_state=None)


def from_figures(db: Database, owner: str | None) -> analytics.Analytics:
    """analytics_for from the stored figures; it says when their retention was counted (which the
    figures from history, counted just now, do not), then compared on the numbers alone."""
    with db.transaction() as session:
        assert analytics.stored_figures(session, TEAM, owner, TODAY) is not None
        result = analytics.analytics_for(
            session, TEAM, owner, pyramids.distribution_for(session, TEAM, owner, today=TODAY), TODAY
        )
    assert result.retention_as_of is not None
    return replace(result, retention_as_of=None, dormant_as_of=None, revenue_state=None)


def after_the_job(db: Database, history: History, changes: int, new_owner: str) -> None:
    """Moves today, moves dated back into the window, imports, new accounts and a new owner."""
    rng = history.rng
    with db.transaction() as session:
        for account_id in rng.sample(range(1, history.next_id), changes):
            on = rng.choice([TODAY, TODAY - timedelta(rng.randrange(1, 80))])
            history.climb(session, account_id, on, imported=rng.random() < 0.1)
            session.flush()
        for owner in (*OWNERS, new_owner):
            for _ in range(3):
                account_id = history.account(session, owner, TODAY)
                session.flush()
                history.climb(session, account_id, TODAY)
                session.flush()


def test_stored_figures_plus_what_came_after_equal_the_figures_from_history(db: Database) -> None:
    history = History(seed=4)
    seed(db, history)
    with db.transaction() as session:
        assert snapshots.write_snapshot(session, TEAM, TODAY) == (1 + len(OWNERS)) * len(Stage)
    owners: list[str | None] = [None, *OWNERS]
    for owner in owners:
        assert from_figures(db, owner) == computed_from_history(db, owner)
    # Rounds of changes after the job, each read twice (the second time from what the first one kept).
    for round_ in range(3):
        after_the_job(db, history, changes=30, new_owner=f"U0NEW{round_}")
        owners.append(f"U0NEW{round_}")
        for owner in owners:
            assert from_figures(db, owner) == computed_from_history(db, owner), (round_, owner)
            assert from_figures(db, owner) == computed_from_history(db, owner), (round_, owner)


def test_a_change_committed_late_with_a_lower_id_is_still_counted(db: Database) -> None:
    """PostgreSQL hands out ids before commit: id n+2 can be seen before id n+1. What lies beyond a
    missing id is never kept as settled, so n+1 is counted when it appears."""
    history = History(seed=7)
    seed(db, history, accounts=80)
    with db.transaction() as session:
        snapshots.write_snapshot(session, TEAM, TODAY)
        last = session.scalar(select(StepChange.id).order_by(StepChange.id.desc()).limit(1))
        assert last is not None
    first, second = (a.id for a in _climbable(db)[:2])
    with db.transaction() as session:
        history.climb(session, second, TODAY, change_id=last + 2)
    for owner in (None, *OWNERS):
        assert from_figures(db, owner) == computed_from_history(db, owner)
    with db.transaction() as session:  # the earlier transaction commits now, with the lower id
        history.climb(session, first, TODAY - timedelta(3), change_id=last + 1)
    for owner in (None, *OWNERS):
        assert from_figures(db, owner) == computed_from_history(db, owner)


def _climbable(db: Database) -> list[Account]:
    with db.transaction() as session:
        rows = session.scalars(
            select(Account).where(Account.step != Step.REPEATER.value).order_by(Account.id)
        )
        return list(rows)


def test_the_job_refreshes_the_stored_figures_once_enough_changes_came_after(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(analytics, "REFRESH_AFTER_CHANGES", 20)
    history = History(seed=8)
    seed(db, history, accounts=60)
    with db.transaction() as session:
        written = analytics.write_figures(session, TEAM, TODAY)
        before = analytics.stored_figures(session, TEAM, None, TODAY)
    after_the_job(db, history, changes=5, new_owner="U0NEW")
    with db.transaction() as session:
        assert analytics.write_figures(session, TEAM, TODAY) == 0  # fewer than 20 changes since
    after_the_job(db, history, changes=25, new_owner="U0NEW")
    with db.transaction() as session:
        assert analytics.write_figures(session, TEAM, TODAY) == written + 1  # U0NEW has a row now
        after = analytics.stored_figures(session, TEAM, None, TODAY)
    assert before is not None and after is not None
    assert after.last_change_id > before.last_change_id and after.token != before.token
    for owner in (None, *OWNERS, "U0NEW"):
        assert from_figures(db, owner) == computed_from_history(db, owner)


def test_the_daily_job_stores_the_figures_once_a_day_and_keeps_only_the_latest(db: Database) -> None:
    history = History(seed=5)
    seed(db, history, accounts=60)
    with db.transaction() as session:
        written = analytics.write_figures(session, TEAM, TODAY - timedelta(1))
        assert written == 1 + len({a.owner_id for a in session.scalars(select(Account))})
    with db.transaction() as session:
        assert analytics.write_figures(session, TEAM, TODAY - timedelta(1)) == 0
        assert analytics.stored_figures(session, TEAM, None, TODAY) is None  # yesterday's are not today's
        assert analytics.write_figures(session, TEAM, TODAY) == written
    with db.transaction() as session:
        assert {row.day for row in session.scalars(select(PyramidFigures))} == {TODAY}


def test_pyramid_from_figures_reads_a_bounded_number_of_statements(db: Database) -> None:
    history = History(seed=6)
    seed(db, history, accounts=120)
    with db.transaction() as session:
        snapshots.write_snapshot(session, TEAM, TODAY)
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_rest: object) -> None:
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        with db.transaction() as session:
            analytics.analytics_for(
                session, TEAM, None, pyramids.distribution_for(session, TEAM, None, today=TODAY), TODAY
            )
    finally:
        event.remove(db.engine, "before_cursor_execute", count)
    # The distribution (all accounts by step, the owners, the silent ones step by step, those stored as
    # other than active), the figures row, any merge since, the changes and the accounts since, and a
    # look for the snapshots of 7 and 30 days ago (none here); then the flow (new accounts, the stored
    # counts of accounts going dormant, open recoveries: retention comes with the figures row) and
    # revenue (the database's state with the stored revenue, which the job stored in that very state).
    # No read of the 90 days' history, nor of the won and open proposals, nor of the accounts going
    # dormant step by step.
    selects = [s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    distribution = 3 + len(LADDER)
    assert len(selects) == distribution + 6 + 3 + 1, selects
    assert not any("step_changes.team_id" in s for s in selects[distribution + 6 :]), selects
    assert not any("changed_at >=" in s for s in selects), selects


def test_medians_from_counts_are_statistics_median() -> None:
    rng = random.Random(1)
    for _ in range(200):
        days = [rng.randrange(0, 30) for _ in range(rng.randrange(0, 12))]
        got = medians({Stage.PROSPECT: Counter(days)})
        assert got[Stage.PROSPECT] == (float(statistics.median(days)) if days else None)
        assert got[Stage.ACQUAINTANCE] is None
