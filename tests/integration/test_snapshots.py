"""Daily pyramid snapshots on the real database (bot/services/snapshots.py, bot/jobs/snapshots.py):
one row per team, owner and stage and day, written once per day; the one-time backfill from the stored
step changes; and the lookup of the snapshot nearest to a day."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.domain.stages import Stage
from bot.jobs.snapshots import take_snapshots
from bot.models import Account, PyramidSnapshot
from bot.runtime import Runtime
from bot.services import snapshots
from bot.services.activities import Logged
from tests.support import factories
from tests.support.database import count

TEAM = "T0TEAM1"
OTHER_TEAM = "T0TEAM2"
U1, U2, U3 = "U0REP1", "U0REP2", "U0REP3"
S1, S2, S3, S4 = Stage.ACQUAINTANCE, Stage.PROSPECT, Stage.CUSTOMER, Stage.REPEATER
MON = date(2026, 11, 2)  # a Monday


def day_n(n: int) -> date:
    return MON + timedelta(days=n)


def log(db: Database, name: str, kind: str, day: date, user: str = U1, team: str = TEAM) -> Logged:
    """Logs as it happened on `day` (so the account is created and its step changes dated that day)."""
    now = datetime.combine(day, time(3), tzinfo=UTC)
    return factories.log_in(db, name, kind, on=day, now=now, today=day, user=user, team=team)


def rows(db: Database, team: str = TEAM) -> dict[tuple[date, str, Stage], int]:
    with db.transaction() as session:
        found = session.execute(
            select(
                PyramidSnapshot.day, PyramidSnapshot.owner_id, PyramidSnapshot.stage, PyramidSnapshot.count
            )
            .where(PyramidSnapshot.team_id == team)
            .order_by(PyramidSnapshot.day, PyramidSnapshot.owner_id, PyramidSnapshot.stage)
        ).all()
    return {(day, owner, Stage(stage)): count for day, owner, stage, count in found}


def counts(one: int = 0, two: int = 0, three: int = 0, four: int = 0) -> dict[Stage, int]:
    return {S1: one, S2: two, S3: three, S4: four}


def write(db: Database, day: date, team: str = TEAM) -> int:
    with db.transaction() as session:
        return snapshots.write_snapshot(session, team, day)


def backfill(db: Database, today: date, team: str = TEAM) -> int:
    with db.transaction() as session:
        return snapshots.backfill(session, team, today)


def counts_on(db: Database, day: date, owner: str | None = None, team: str = TEAM) -> dict[Stage, int] | None:
    with db.transaction() as session:
        return snapshots.counts_on(session, team, owner, day)


# --------------------------------------------------------------------------------------------- write_snapshot


@pytest.fixture
def today_team(db: Database) -> None:
    """U1: two acquaintances and a customer; U2: one prospect; another team: one repeater."""
    today = date(2026, 11, 22)
    log(db, "Acme", "visit", today)
    log(db, "Globex", "call", today)
    log(db, "Initech", "won", today)
    log(db, "Umbrella", "meal", today, user=U2)
    for _ in range(3):
        log(db, "Elsewhere", "won", today, user=U3, team=OTHER_TEAM)


def test_write_snapshot_writes_team_and_per_owner_rows(db: Database, today_team: None) -> None:
    day = date(2026, 11, 22)
    assert write(db, day) == 3 * 4  # the team, U1 and U2, four stages each
    found = rows(db)
    assert {key: value for key, value in found.items() if key[1] == ""} == {
        (day, "", S1): 2,
        (day, "", S2): 1,
        (day, "", S3): 1,
        (day, "", S4): 0,
    }
    assert [found[(day, U1, s)] for s in Stage] == [2, 0, 1, 0]
    assert [found[(day, U2, s)] for s in Stage] == [0, 1, 0, 0]
    # The other team is untouched.
    assert rows(db, OTHER_TEAM) == {}


def test_write_snapshot_is_idempotent_per_day(db: Database, today_team: None) -> None:
    day = date(2026, 11, 22)
    assert write(db, day) == 12
    before = rows(db)
    log(db, "Hooli", "visit", day)  # the live distribution moves on...
    assert write(db, day) == 0  # ...but the day is already there: nothing is rewritten or added
    assert rows(db) == before
    # The next day is a new snapshot, with the new account.
    assert write(db, day + timedelta(1)) == 12
    assert rows(db)[(day + timedelta(1), "", S1)] == 3


def test_write_snapshot_of_a_team_without_accounts_is_zeros(db: Database) -> None:
    day = date(2026, 11, 22)
    assert write(db, day) == 4
    assert rows(db) == {(day, "", stage): 0 for stage in Stage}
    assert counts_on(db, day) == counts()


def test_write_snapshot_reads_back_through_counts_on(db: Database, today_team: None) -> None:
    day = date(2026, 11, 22)
    write(db, day)
    assert counts_on(db, day) == counts(2, 1, 1, 0)
    assert counts_on(db, day, U1) == counts(2, 0, 1, 0)
    assert counts_on(db, day, U2) == counts(0, 1, 0, 0)
    # An owner with no accounts that day had none: zeros, not "no snapshot".
    assert counts_on(db, day, "U0NOBODY") == counts()


# --------------------------------------------------------------------------------------------- backfill


def build_history(db: Database) -> None:
    """Two weeks of U1 and U2 logging (Monday 2 November onwards); see EXPECTED for the counts."""
    log(db, "Acme", "visit", day_n(0))  # Mon: Acme 1 (U1)
    log(db, "Globex", "call", day_n(1))  # Tue: Globex 1 (U1)
    log(db, "Acme", "visit", day_n(2))  # Wed: Acme 1 → 2 (met twice)
    log(db, "Initech", "won", day_n(4), user=U2)  # Fri: Initech created and won: 1 → 3 at once
    # Sat, Sun: nothing.
    log(db, "Acme", "won", day_n(7))  # Mon: Acme 2 → 3
    log(db, "Globex", "proposed", day_n(7))  # Mon: Globex 1 → 2
    log(db, "Globex", "call", day_n(8))  # Tue: a call, no change
    log(db, "Initech", "won", day_n(8), user=U2)  # Tue: Initech 3.1 → 3.2, same stage
    log(db, "Initech", "won", day_n(9), user=U2)  # Wed: Initech 3 → 4


# Counts at the start of each day, by hand: {day offset: {owner: (s1, s2, s3, s4)}}.
EXPECTED: dict[int, dict[str, tuple[int, int, int, int]]] = {
    0: {"": (0, 0, 0, 0), U1: (0, 0, 0, 0), U2: (0, 0, 0, 0)},
    1: {"": (1, 0, 0, 0), U1: (1, 0, 0, 0), U2: (0, 0, 0, 0)},
    2: {"": (2, 0, 0, 0), U1: (2, 0, 0, 0), U2: (0, 0, 0, 0)},
    3: {"": (1, 1, 0, 0), U1: (1, 1, 0, 0), U2: (0, 0, 0, 0)},
    4: {"": (1, 1, 0, 0), U1: (1, 1, 0, 0), U2: (0, 0, 0, 0)},
    5: {"": (1, 1, 1, 0), U1: (1, 1, 0, 0), U2: (0, 0, 1, 0)},
    6: {"": (1, 1, 1, 0), U1: (1, 1, 0, 0), U2: (0, 0, 1, 0)},
    7: {"": (1, 1, 1, 0), U1: (1, 1, 0, 0), U2: (0, 0, 1, 0)},
    8: {"": (0, 1, 2, 0), U1: (0, 1, 1, 0), U2: (0, 0, 1, 0)},
    9: {"": (0, 1, 2, 0), U1: (0, 1, 1, 0), U2: (0, 0, 1, 0)},
    10: {"": (0, 1, 1, 1), U1: (0, 1, 1, 0), U2: (0, 0, 0, 1)},
    11: {"": (0, 1, 1, 1), U1: (0, 1, 1, 0), U2: (0, 0, 0, 1)},
    12: {"": (0, 1, 1, 1), U1: (0, 1, 1, 0), U2: (0, 0, 0, 1)},
}


def expected_rows(last: int) -> dict[tuple[date, str, Stage], int]:
    return {
        (day_n(n), owner, stage): values[stage.value - 1]
        for n, by_owner in EXPECTED.items()
        if n <= last
        for owner, values in by_owner.items()
        for stage in Stage
    }


def test_backfill_rebuilds_each_past_day_from_the_history(db: Database) -> None:
    build_history(db)
    today = day_n(13)
    written = backfill(db, today)
    assert written == 13 * 3 * 4  # 13 days (first account's day to yesterday), 3 owners, 4 stages
    assert rows(db) == expected_rows(12)


def test_backfilled_days_read_back_through_counts_on(db: Database) -> None:
    build_history(db)
    backfill(db, day_n(13))
    for n, by_owner in EXPECTED.items():
        assert counts_on(db, day_n(n)) == dict(zip(Stage, by_owner[""], strict=True)), n
        assert counts_on(db, day_n(n), U1) == dict(zip(Stage, by_owner[U1], strict=True)), n
        assert counts_on(db, day_n(n), U2) == dict(zip(Stage, by_owner[U2], strict=True)), n


def test_backfill_team_rows_are_the_sum_of_owner_rows(db: Database) -> None:
    build_history(db)
    backfill(db, day_n(13))
    found = rows(db)
    for n in range(13):
        for stage in Stage:
            assert found[(day_n(n), "", stage)] == found[(day_n(n), U1, stage)] + found[(day_n(n), U2, stage)]


def test_backfill_runs_once_in_effect(db: Database) -> None:
    build_history(db)
    today = day_n(13)
    assert backfill(db, today) > 0
    after_first = rows(db)
    assert backfill(db, today) == 0
    assert backfill(db, today + timedelta(5)) == 0  # later days are the daily job's, not the backfill's
    assert rows(db) == after_first
    # Today's live snapshot then continues the series, from the live distribution.
    assert write(db, today) == 12
    assert counts_on(db, today) == counts(0, 1, 1, 1)
    assert backfill(db, today) == 0


def test_backfill_fills_the_days_before_the_first_snapshot_only(db: Database) -> None:
    build_history(db)
    # The daily job was switched on (and wrote its first row) on day 10, after history began.
    assert write(db, day_n(10)) == 12
    live = {key: value for key, value in rows(db).items()}
    written = backfill(db, day_n(13))
    assert written == 10 * 3 * 4  # days 0..9
    found = rows(db)
    assert {k: v for k, v in found.items() if k[0] < day_n(10)} == expected_rows(9)
    assert {k: v for k, v in found.items() if k[0] >= day_n(10)} == live
    assert backfill(db, day_n(13)) == 0


def test_backfill_of_a_team_with_no_accounts_writes_nothing(db: Database) -> None:
    assert backfill(db, day_n(10)) == 0
    assert count(db, PyramidSnapshot) == 0


def test_backfill_of_a_team_whose_first_account_is_today_writes_nothing(db: Database) -> None:
    log(db, "Acme", "visit", day_n(5))
    assert backfill(db, day_n(5)) == 0
    assert count(db, PyramidSnapshot) == 0


def test_backfill_of_a_team_created_mid_week(db: Database) -> None:
    """The other team's first account is created on Wednesday: its rows begin that day (with the counts
    at its start, nothing yet) and hold only what happened after; this team is not touched."""
    build_history(db)
    wednesday = day_n(2)
    log(db, "Soylent", "visit", wednesday, user=U3, team=OTHER_TEAM)
    log(db, "Tyrell", "won", wednesday + timedelta(1), user=U3, team=OTHER_TEAM)
    monday = day_n(7)
    written = backfill(db, monday, team=OTHER_TEAM)
    assert written == 5 * 2 * 4  # Wednesday to Sunday; the team and U3
    found = rows(db, OTHER_TEAM)
    assert min(day for day, _, _ in found) == wednesday
    assert counts_on(db, wednesday, team=OTHER_TEAM) == counts()
    assert counts_on(db, wednesday + timedelta(1), team=OTHER_TEAM) == counts(1, 0, 0, 0)
    assert counts_on(db, wednesday + timedelta(2), team=OTHER_TEAM) == counts(1, 0, 1, 0)
    assert counts_on(db, day_n(6), U3, team=OTHER_TEAM) == counts(1, 0, 1, 0)
    # The days before the team existed have no snapshot.
    assert counts_on(db, wednesday - timedelta(1), team=OTHER_TEAM) is None
    # This team has no rows from the other team's backfill.
    assert rows(db) == {}


# --------------------------------------------------------------------------------------------- counts_on


def test_counts_on_takes_the_nearest_earlier_snapshot_within_a_week(db: Database) -> None:
    day = date(2026, 11, 10)
    log(db, "Acme", "visit", day)
    assert write(db, day) == 8
    log(db, "Globex", "visit", day + timedelta(2))
    assert write(db, day + timedelta(2)) == 8

    assert counts_on(db, day) == counts(1)
    assert counts_on(db, day + timedelta(1)) == counts(1)  # the day before is the nearest
    assert counts_on(db, day + timedelta(2)) == counts(2)
    assert counts_on(db, day + timedelta(8)) == counts(2)  # 6 days after the last: still within a week
    assert counts_on(db, day + timedelta(10)) is None  # 8 days after: beyond a week
    assert counts_on(db, day - timedelta(1)) is None  # before any snapshot


def test_counts_on_reads_one_team_only(db: Database) -> None:
    day = date(2026, 11, 10)
    log(db, "Acme", "visit", day)
    write(db, day)
    assert counts_on(db, day, team=OTHER_TEAM) is None


def test_counts_on_for_an_owner_uses_the_teams_nearest_day(db: Database) -> None:
    day = date(2026, 11, 10)
    log(db, "Acme", "visit", day, user=U2)
    write(db, day)  # U2 has a row on the 10th
    with db.transaction() as session:
        # The account goes to U1 before the next snapshot: on the 12th U2 has no row at all.
        account = session.scalar(select(Account).where(Account.team_id == TEAM))
        assert account is not None
        account.owner_id = U1
    write(db, day + timedelta(2))
    assert counts_on(db, day + timedelta(3), U2) == counts()  # not the 10th's row
    assert counts_on(db, day + timedelta(3), U1) == counts(1)
    assert counts_on(db, day + timedelta(1), U2) == counts(1)


# --------------------------------------------------------------------------------------------- the job


@pytest.fixture
def runtime(db: Database, database_url: str) -> Iterator[Runtime]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=database_url,
        pyramid_timezone="Asia/Tokyo",
    )
    yield Runtime(settings=settings, db=db, clock=FixedClock(datetime(2026, 11, 22, 1, 0, tzinfo=UTC)))


def test_take_snapshots_backfills_then_writes_today_once(db: Database, runtime: Runtime) -> None:
    build_history(db)
    log(db, "Soylent", "visit", day_n(3), user=U3, team=OTHER_TEAM)
    # 16:00 UTC on the 14th is 01:00 on the 15th in Tokyo: the snapshot is the team's day, the 15th.
    now = datetime.combine(day_n(12), time(16), tzinfo=UTC)
    written = take_snapshots(runtime, now)
    assert written == (13 * 12 + 12) + (10 * 8 + 8)  # this team: backfill + today; the other: the same
    assert counts_on(db, day_n(13)) == counts(0, 1, 1, 1)
    assert rows(db) == {**expected_rows(12), **{k: v for k, v in rows(db).items() if k[0] == day_n(13)}}
    assert take_snapshots(runtime, now) == 0
    assert take_snapshots(runtime, now + timedelta(hours=5)) == 0  # still the 15th in Tokyo
    # The next day: only that day's rows.
    assert take_snapshots(runtime, now + timedelta(days=1)) == 12 + 8
