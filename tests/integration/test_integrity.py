"""`pyramid-bot db check [--fix]` and `services.integrity`: counters and steps recomputed from the
activities, on SQLite and PostgreSQL. Counters are corrupted by hand, as a lost update would leave them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, update

from bot.cli import main
from bot.clock import FixedClock
from bot.config import get_settings
from bot.db import Database
from bot.domain.activities import ActivityKind
from bot.domain.stages import Step
from bot.models import Account, StepChange
from bot.services import integrity
from bot.services.accounts import AccountRef
from bot.services.activities import LogRequest, log_activity
from bot.services.imports import apply_import, read_import
from tests.support import factories
from tests.support.database import cli_environment
from tests.support.threads import at_once

TEAM = "T0TEAM1"
OTHER_TEAM = "T0TEAM2"
REP = "U0REP1"
TODAY = date(2026, 11, 22)
THRESHOLD = 3


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> Iterator[None]:
    cli_environment(monkeypatch, database_url, tmp_path)
    yield
    get_settings.cache_clear()


def _log(
    db: Database, clock: FixedClock, name: str, kind: ActivityKind, *, team: str = TEAM, days_ago: int = 0
) -> None:
    clock.advance(timedelta(seconds=1))  # distinct instants, as real logs have
    on = TODAY - timedelta(days=days_ago)
    factories.log_in(
        db, name, kind, team=team, user=REP, on=on, now=clock.now(), today=TODAY, threshold=THRESHOLD
    )


def _seed(db: Database, clock: FixedClock) -> None:
    V, M, C, E, P, W, L = (
        ActivityKind.VISIT,
        ActivityKind.MEAL,
        ActivityKind.CALL,
        ActivityKind.EMAIL,
        ActivityKind.PROPOSED,
        ActivityKind.WON,
        ActivityKind.LOST,
    )
    plan: list[tuple[str, str, list[tuple[ActivityKind, int]]]] = [
        (TEAM, "Acme", [(C, 9), (V, 8), (M, 5), (P, 4), (W, 3), (L, 2), (W, 1)]),
        (TEAM, "Globex", [(E, 3), (C, 1)]),
        (TEAM, "Initech", [(V, 2), (V, 6)]),  # backdated: the last touch is the latest date, not the last log
        (OTHER_TEAM, "Umbrella", [(W, 0), (W, 0), (W, 0), (W, 0)]),
    ]
    for team, name, logs in plan:
        for kind, days_ago in logs:
            _log(db, clock, name, kind, team=team, days_ago=days_ago)


def _id(db: Database, name: str) -> int:
    with db.transaction() as session:
        found = session.scalar(select(Account.id).where(Account.name == name))
        assert found is not None
        return found


def _corrupt(db: Database, name: str, **values: Any) -> None:
    with db.transaction() as session:
        session.execute(update(Account).where(Account.name == name).values(**values))


def _check(db: Database) -> integrity.Report:
    return integrity.check(db, repeater_threshold=THRESHOLD)


def _fix(db: Database, clock: FixedClock) -> integrity.Report:
    clock.advance(timedelta(seconds=1))
    return integrity.fix(db, repeater_threshold=THRESHOLD, now=clock.now(), today=TODAY)


def _found(report: integrity.Report) -> set[tuple[str, str, str, str, str]]:
    return {(m.team_id, m.account, m.field, m.stored, m.expected) for m in report.mismatches}


def _step_changes(db: Database, name: str) -> list[tuple[str | None, str, str]]:
    with db.transaction() as session:
        rows = session.execute(
            select(StepChange.from_step, StepChange.to_step, StepChange.reason)
            .join(Account, Account.id == StepChange.account_id)
            .where(Account.name == name)
            .order_by(StepChange.changed_at, StepChange.id)
        ).all()
        return [(before, after, reason) for before, after, reason in rows]


def test_logged_accounts_agree_with_their_activities(db: Database, clock: FixedClock) -> None:
    _seed(db, clock)
    report = _check(db)
    assert report.accounts_checked == 4
    assert report.mismatches == ()
    assert report.ok


def test_corrupted_counters_are_reported_field_by_field(db: Database, clock: FixedClock) -> None:
    _seed(db, clock)
    # What a lost update leaves: counters below the activities; the step of Umbrella moved down.
    _corrupt(db, "Acme", in_person_meetings=1, deals_won=1, last_touch_on=TODAY - timedelta(days=3))
    _corrupt(db, "Globex", remote_touches=7)
    _corrupt(db, "Umbrella", deals_won=2, step=Step.REPEAT.value)
    report = _check(db)
    assert _found(report) == {
        (TEAM, "Acme", "in_person_meetings", "1", "2"),
        (TEAM, "Acme", "deals_won", "1", "2"),
        (TEAM, "Acme", "last_touch_on", "2026-11-19", "2026-11-21"),
        (TEAM, "Globex", "remote_touches", "7", "2"),
        (OTHER_TEAM, "Umbrella", "deals_won", "2", "4"),
        (OTHER_TEAM, "Umbrella", "step", "repeat", "repeater"),
    }
    assert report.accounts_wrong == 3
    assert {m.account_id for m in report.mismatches if m.account == "Acme"} == {_id(db, "Acme")}


def test_fix_repairs_counters_and_records_a_step_correction(db: Database, clock: FixedClock) -> None:
    _seed(db, clock)
    _corrupt(db, "Acme", in_person_meetings=0, meals=0, last_touch_on=None)
    _corrupt(db, "Umbrella", deals_won=1, step=Step.WON.value)
    before_globex = _step_changes(db, "Globex")

    fixed = _fix(db, clock)
    assert len(fixed.mismatches) == 5
    assert sorted(fixed.accounts_fixed) == sorted([_id(db, "Acme"), _id(db, "Umbrella")])
    assert _check(db).ok

    with db.transaction() as session:
        acme = session.scalars(select(Account).where(Account.name == "Acme")).one()
        assert (acme.in_person_meetings, acme.meals, acme.last_touch_on) == (2, 1, TODAY - timedelta(days=1))
        umbrella = session.scalars(select(Account).where(Account.name == "Umbrella")).one()
        assert (umbrella.deals_won, umbrella.step) == (4, Step.REPEATER.value)
    # Counters alone: no step change. A step moved by the repair: one row, reason "correction".
    assert [c for c in _step_changes(db, "Acme") if c[2] == "correction"] == []
    assert _step_changes(db, "Umbrella")[-1] == ("won", "repeater", "correction")
    assert _step_changes(db, "Globex") == before_globex
    # A second repair finds nothing to do and records nothing.
    assert _fix(db, clock).accounts_fixed == ()
    assert len([c for c in _step_changes(db, "Umbrella") if c[2] == "correction"]) == 1


def test_a_step_above_the_evidence_without_a_correction_is_wrong(db: Database, clock: FixedClock) -> None:
    _seed(db, clock)
    _corrupt(db, "Initech", step=Step.WON.value)  # two visits support met_twice, nothing explains won
    assert _found(_check(db)) == {(TEAM, "Initech", "step", "won", "met_twice")}
    _fix(db, clock)
    assert _check(db).ok
    assert _step_changes(db, "Initech")[-1] == ("won", "met_twice", "correction")


def test_a_manual_step_explains_a_step_above_the_evidence(db: Database, clock: FixedClock) -> None:
    _seed(db, clock)
    account_id = _id(db, "Initech")
    clock.advance(timedelta(seconds=1))
    with db.transaction() as session:
        session.execute(update(Account).where(Account.id == account_id).values(step=Step.PROPOSED.value))
        session.add(
            StepChange(
                team_id=TEAM,
                account_id=account_id,
                from_step=Step.MET_TWICE.value,
                to_step=Step.PROPOSED.value,
                changed_at=clock.now(),
                changed_on=TODAY,
                user_id="U0MANAGER",
                reason="manual",
            )
        )
    assert _check(db).ok
    # Later evidence climbs from the hand-set step, and the check follows it.
    _log(db, clock, "Initech", ActivityKind.WON)
    assert _check(db).ok
    _corrupt(db, "Initech", step=Step.PROPOSED.value)
    assert _found(_check(db)) == {(TEAM, "Initech", "step", "proposed", "won")}


def test_imported_accounts_keep_the_evidence_of_their_imported_step(db: Database, clock: FixedClock) -> None:
    rows, problems = read_import("name,owner,step\nHooli,U0REP1,won\nVandelay,U0REP1,\n")
    assert problems == []
    with db.transaction() as session:
        apply_import(session, TEAM, rows, now=clock.now(), today=TODAY)
    assert _check(db).ok  # no activities, yet counters at the floor of "won" are right
    _log(db, clock, "Hooli", ActivityKind.WON)
    _log(db, clock, "Vandelay", ActivityKind.CALL)
    assert _check(db).ok
    _corrupt(db, "Hooli", deals_won=1, step=Step.WON.value)
    assert _found(_check(db)) == {
        (TEAM, "Hooli", "deals_won", "1", "2"),
        (TEAM, "Hooli", "step", "won", "repeat"),
    }
    _fix(db, clock)
    assert _check(db).ok


def test_the_check_reads_every_account_in_a_bounded_number_of_queries(
    db: Database, clock: FixedClock
) -> None:
    """Set-based: the number of statements does not grow with the number of accounts."""
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    engines = {db.engine, getattr(db, "read_engine", db.engine)}  # SQLite reads on an engine of their own

    def queries() -> int:
        statements.clear()
        for engine in engines:
            event.listen(engine, "before_cursor_execute", count)
        try:
            assert _check(db).ok
        finally:
            for engine in engines:
                event.remove(engine, "before_cursor_execute", count)
        return len([s for s in statements if s.lstrip().upper().startswith("SELECT")])

    _seed(db, clock)
    few = queries()
    assert few >= 2  # the accounts and the GROUP BY over the activities, at least
    for index in range(30):
        _log(db, clock, f"Bulk {index:02d}", ActivityKind.VISIT)
    assert queries() == few


# ------------------------------------------------------------------------------------------ the CLI


def test_db_check_cli_reports_and_exits_1(
    db: Database, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed(db, clock)
    assert main(["db", "check"]) == 0
    assert "4 accounts checked, 0 disagree" in capsys.readouterr().out

    _corrupt(db, "Globex", remote_touches=0, step=Step.NAME_ONLY.value)
    assert main(["db", "check"]) == 1
    out = capsys.readouterr().out
    globex = _id(db, "Globex")
    assert f"{TEAM} account {globex} (Globex): remote_touches is 0, expected 2" in out
    assert f"{TEAM} account {globex} (Globex): step is name_only, expected remote" in out
    assert "4 accounts checked, 1 disagree with their activities (2 mismatches)." in out

    assert main(["db", "check", "--team", OTHER_TEAM]) == 0
    capsys.readouterr()

    assert main(["db", "check", "--fix"]) == 0
    assert "Repaired 1 accounts." in capsys.readouterr().out
    assert main(["db", "check"]) == 0
    assert _step_changes(db, "Globex")[-1] == ("name_only", "remote", "correction")


def test_a_repair_while_reps_log_counts_every_log(db: Database, clock: FixedClock) -> None:
    """--fix locks each account and recomputes under the lock: logs arriving meanwhile are kept."""
    _seed(db, clock)
    _corrupt(db, "Acme", in_person_meetings=0, deals_won=0, step=Step.NAME_ONLY.value)

    def log(index: int) -> None:
        with db.transaction() as session:
            request = LogRequest(
                team_id=TEAM,
                user_id=REP,
                account=AccountRef(name="Acme"),
                kind=ActivityKind.VISIT,
                on=TODAY,
                request_key=f"during-fix-{index}",
            )
            log_activity(session, request, now=clock.now(), today=TODAY, repeater_threshold=THRESHOLD)

    _results, errors = at_once([partial(log, index) for index in range(8)] + [lambda: _fix(db, clock)])
    assert errors == []
    # Whatever the order, nothing is left wrong: a log before the repair is recomputed by it, a log
    # after it climbs from repaired counters, and none is overwritten by the repair's values.
    assert _check(db).ok
    acme = _id(db, "Acme")
    with db.transaction() as session:
        account = session.get(Account, acme)
        assert account is not None
        assert (account.in_person_meetings, account.deals_won) == (2 + 8, 2)
