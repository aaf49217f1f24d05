"""The stored `/pyramid` figures and revenue (issue 9) follow what the bot records after the snapshot job:
logs (today and dated back), corrections that take a step back down, and merges (which move an
imported standing's step changes to the survivor in place). After each, the answer from the stored rows
is the answer computed from scratch, for the team and each rep, revenue included."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import delete, func, select, update

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.domain.activities import ActivityKind
from bot.domain.stages import Step, StepReason, Tally, evidence_floor
from bot.models import Account, Activity, PyramidFigures, PyramidSnapshot
from bot.runtime import Runtime
from bot.services import accounts, analytics, corrections, flow, managing, pyramids, revenue, snapshots
from bot.usecases import pyramids as pyramids_usecase
from tests.support import factories
from tests.support.ids import OTHER_USER, TEAM, USER

TODAY = date(2026, 11, 22)
JOB_AT = datetime(2026, 11, 22, 0, 5, tzinfo=UTC)
OWNERS: tuple[str | None, ...] = (None, USER, OTHER_USER)


def moment(day: date) -> datetime:
    return datetime.combine(day, time(2), tzinfo=UTC)


def log_on(db: Database, name: str, kind: str, day: date, user: str = USER, amount: int | None = None) -> int:
    """A log made on `day` (its step change dated then too); the activity's id."""
    done = factories.log_in(db, name, kind, user=user, on=day, today=day, now=moment(day), amount=amount)
    return done.activity.id


def imported(db: Database, name: str, step: Step, user: str, day: date) -> int:
    """An account as an imported list leaves it (as tests/integration/test_managing.py makes one)."""
    with db.transaction() as session:
        account = accounts.create_account(session, TEAM, name, user, now=moment(day), today=day, step=step)
        accounts.store_tally(account, Tally().raised_to(evidence_floor(step)))
        accounts.record_step_change(
            session, account, None, step, user_id=user, now=moment(day), today=day, reason=StepReason.IMPORT
        )
        return account.id


def job(db: Database) -> int:
    with db.transaction() as session:
        return snapshots.write_snapshot(session, TEAM, TODAY, now=JOB_AT)


def answer(db: Database, owner: str | None, *, from_scratch: bool) -> analytics.Analytics:
    """`/pyramid`'s numbers; from scratch: with no stored row at all (rolled back afterwards)."""
    with db.transaction() as session:
        if from_scratch:
            session.execute(delete(PyramidFigures))
        dist = pyramids.distribution_for(session, TEAM, owner, today=TODAY)
        result = analytics.analytics_for(session, TEAM, owner, dist, TODAY)
        session.rollback()
    return replace(result, revenue_state=None)


def assert_stored_equal_from_scratch(db: Database, *, stored: bool = True, dormant_too: bool = False) -> None:
    """Every number equal; the accounts going dormant too when `dormant_too` (right after the job: they
    are stored as of then, a later log can touch one)."""
    for owner in OWNERS:
        got = answer(db, owner, from_scratch=False)
        assert (got.retention_as_of is not None) is stored, (owner, got.retention_as_of)
        assert got.dormant_as_of == JOB_AT, owner
        scratch = answer(db, owner, from_scratch=True)
        assert scratch.dormant_as_of is None and scratch.flow is not None and got.flow is not None
        if dormant_too:
            assert got.flow.dormant_by_week == scratch.flow.dormant_by_week, owner
        flow = replace(got.flow, dormant_by_week=scratch.flow.dormant_by_week)
        assert replace(got, retention_as_of=None, dormant_as_of=None, flow=flow) == scratch, owner


def seed(db: Database) -> dict[str, int]:
    """Climbs before and inside the 90-day window, wins and proposals with amounts, an import."""
    ids = {}
    for offset, (name, user) in enumerate(
        [("Acme", USER), ("Globex", USER), ("Initech", OTHER_USER), ("Umbrella", OTHER_USER), ("Hooli", USER)]
    ):
        start = TODAY - timedelta(days=400 - 30 * offset)
        log_on(db, name, "visit", start, user)
        log_on(db, name, "visit", start + timedelta(days=40), user)
        ids[name] = log_on(db, name, "meal", TODAY - timedelta(days=60 - 7 * offset), user)
    log_on(db, "Acme", "proposed", TODAY - timedelta(days=20), amount=300_000)
    log_on(db, "Acme", "won", TODAY - timedelta(days=10), amount=300_000)
    log_on(db, "Initech", "won", TODAY - timedelta(days=380), OTHER_USER, amount=50_000)
    ids["Globex proposal"] = log_on(db, "Globex", "proposed", TODAY - timedelta(days=5), amount=120_000)
    # An acquaintance last touched 370 days ago: gone dormant (365 days) 5 days ago.
    log_on(db, "Sleepy", "visit", TODAY - timedelta(days=370), OTHER_USER)
    ids["Imported"] = imported(db, "Imported Co", Step.PROPOSED, OTHER_USER, TODAY - timedelta(days=30))
    ids["Survivor"] = imported(db, "Survivor Co", Step.MET, USER, TODAY - timedelta(days=200))
    return ids


def test_stored_figures_follow_logs_corrections_and_merges(db: Database) -> None:
    ids = seed(db)
    assert job(db) > 0
    assert_stored_equal_from_scratch(db, dormant_too=True)

    # Logs after the job: today, and dated back into the window.
    log_on(db, "Hooli", "proposed", TODAY, amount=80_000)
    log_on(db, "Umbrella", "won", TODAY - timedelta(days=3), OTHER_USER, amount=40_000)
    log_on(db, "Newco", "visit", TODAY, OTHER_USER)
    assert_stored_equal_from_scratch(db)
    # Sleepy touched again: no longer dormant now, still counted in the job's figures (as of then).
    stored_before = answer(db, None, from_scratch=False).flow
    log_on(db, "Sleepy", "call", TODAY, OTHER_USER)
    stored_after, scratch = (
        answer(db, None, from_scratch=False).flow,
        answer(db, None, from_scratch=True).flow,
    )
    assert stored_before is not None and stored_after is not None and scratch is not None
    assert stored_after.dormant_by_week == stored_before.dormant_by_week
    assert scratch.dormant_by_week[0] == stored_after.dormant_by_week[0] - 1

    # A correction takes a step back: the proposal that put Globex on "proposed" is deleted.
    with db.transaction() as session:
        account, activity = corrections.locked_activity(session, TEAM, ids["Globex proposal"])
        before = account.step
        done = corrections.remove(
            session,
            account,
            activity,
            how="delete",
            user_id=USER,
            now=moment(TODAY),
            today=TODAY,
            threshold=factories.REPEATER_THRESHOLD,
        )
    assert done.climb.after.value != before  # it did move
    assert_stored_equal_from_scratch(db)

    # A merge moves the imported standing's step changes to the survivor in place (no new id shows it):
    # until the job stores the figures again, `/pyramid` counts from history (and says nothing is as of).
    with db.transaction() as session:
        survivor = accounts.lock(session, session.get(Account, ids["Survivor"]))  # type: ignore[arg-type]
        merged = accounts.lock(session, session.get(Account, ids["Imported"]))  # type: ignore[arg-type]
        managing.merge(
            session, survivor, merged, reason=None, user_id=USER, now=moment(TODAY), today=TODAY, threshold=3
        )
    assert_stored_equal_from_scratch(db, stored=False)
    job(db)
    with db.transaction() as session:
        figures = analytics.stored_figures(session, TEAM, None, TODAY)
        assert figures is not None and not analytics.merged_since(session, TEAM, figures.last_event_id)
    assert_stored_equal_from_scratch(db, dormant_too=True)


def test_the_teams_revenue_comes_from_the_stored_row_until_anything_is_written(db: Database) -> None:
    seed(db)
    job(db)

    def team_revenue() -> tuple[int, int]:
        with db.transaction() as session:
            total = revenue.revenue_for(session, TEAM, None, TODAY).total
            return total.this_year, total.open_value

    with db.transaction() as session:
        row = session.scalar(
            select(PyramidFigures.figures).where(PyramidFigures.owner_id == revenue.STORED_OWNER)
        )
    assert row is not None
    assert team_revenue() == (300_000, 120_000)
    # The stored row is what is read: made different on purpose, it is what comes back...
    with db.transaction() as session:
        forged = row.replace("300000", "300001")
        session.execute(
            PyramidFigures.__table__.update()  # type: ignore[attr-defined]
            .where(PyramidFigures.owner_id == revenue.STORED_OWNER)
            .values(figures=forged)
        )
    assert team_revenue() == (300_001, 120_000)
    # ...until anything is written: then it is read live, and the job stores it again.
    log_on(db, "Acme", "won", TODAY, amount=5)
    assert team_revenue() == (300_005, 120_000)
    with db.transaction() as session:
        assert revenue.write_revenue(session, TEAM, TODAY) is True
    with db.transaction() as session:
        assert revenue.write_revenue(session, TEAM, TODAY) is False  # nothing changed since
    assert team_revenue() == (300_005, 120_000)
    assert log_on(db, "Initech", "visit", TODAY, OTHER_USER) and team_revenue() == (300_005, 120_000)
    with db.transaction() as session:
        kinds = {
            (r.owner_id, r.day) for r in session.scalars(select(PyramidFigures)) if r.owner_id.startswith("#")
        }
    assert kinds == {(revenue.STORED_OWNER, TODAY), (flow.STORED_OWNER, TODAY)}
    assert ActivityKind.WON.value == "won"


def test_pyramid_stores_the_revenue_it_read_live_for_the_next_reader(db: Database) -> None:
    """`/pyramid team` reads the revenue live when nothing stored is current, then stores it after the
    answer: the next call reads it stored, until the next write."""
    seed(db)
    settings = Settings(_env_file=None, database_url="sqlite://")  # type: ignore[call-arg]
    runtime = Runtime(settings=settings, db=db, clock=FixedClock(JOB_AT), inline=True)
    try:
        first = pyramids_usecase.pyramid_facts(runtime, TEAM, None, TODAY)[1]
        second = pyramids_usecase.pyramid_facts(runtime, TEAM, None, TODAY)[1]
        assert first.revenue_state is not None and second.revenue_state is None
        assert first.revenue == second.revenue and first.revenue is not None
        assert first.revenue.total.this_year == 300_000
        log_on(db, "Globex", "won", TODAY, amount=7)
        third = pyramids_usecase.pyramid_facts(runtime, TEAM, None, TODAY)[1]
        assert third.revenue_state is not None and third.revenue is not None
        assert third.revenue.total.this_year == 300_007
    finally:
        runtime.close()


def test_on_postgresql_only_a_write_in_flight_to_what_revenue_reads_makes_the_stored_one_stale(
    db: Database,
) -> None:
    """PostgreSQL hands out ids before commit: a transaction writing activities (or step changes, account
    events, accounts) and not yet committed makes the stored revenue not current; one writing elsewhere
    (here the snapshots) does not. A forged stored row tells which was read."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer: a write in flight is never seen by a reader")
    seed(db)
    job(db)
    with db.transaction() as session:
        session.execute(
            PyramidFigures.__table__.update()  # type: ignore[attr-defined]
            .where(PyramidFigures.owner_id == revenue.STORED_OWNER)
            .values(figures=func.replace(PyramidFigures.figures, "300000", "300001"))
        )

    def team_this_year() -> int:
        with db.transaction() as session:
            return revenue.revenue_for(session, TEAM, None, TODAY).total.this_year

    assert team_this_year() == 300_001  # the stored row
    with db.engine.connect() as elsewhere:
        elsewhere.execute(delete(PyramidSnapshot).where(PyramidSnapshot.day == TODAY - timedelta(days=400)))
        assert team_this_year() == 300_001  # a write elsewhere: still current
        elsewhere.rollback()
    with db.engine.connect() as writing:
        writing.execute(update(Activity).where(Activity.id == -1).values(note="x"))  # takes the table's lock
        assert team_this_year() == 300_000  # read live
        writing.rollback()
    assert team_this_year() == 300_001
