"""Corrections against the database (SQLite and PostgreSQL): a removed or edited activity is kept and
recomputed from, deleted activities count for nothing, and `pyramid-bot export --activities` lists every
activity with who deleted or edited it."""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Iterator
from datetime import UTC, date, timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.clock import FixedClock
from bot.config import get_settings
from bot.db import Database
from bot.domain.activities import ActivityKind
from bot.domain.fields import LogFields
from bot.domain.winback import LostReason
from bot.services import cards, corrections, integrity
from bot.services.accounts import AccountRef
from bot.services.activities import Logged, LogRequest, log_activity
from bot.services.activity_export import ACTIVITY_FIELDS
from bot.services.errors import UserFacingError

TEAM = "T0TEAM1"
REP = "U0REP1"
BOSS = "U0BOSS"
TODAY = date(2026, 11, 22)


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str) -> Iterator[None]:
    for name in list(os.environ):
        if name.upper().startswith(("PYRAMID_", "SLACK_")) and name != "PYRAMID_TEST_DATABASE_URL":
            monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def log(db: Database, clock: FixedClock, kind: ActivityKind, *, amount: int | None = None) -> int:
    with db.transaction() as session:
        request = LogRequest(
            team_id=TEAM, user_id=REP, account=AccountRef(name="Acme"), kind=kind, on=TODAY, amount=amount
        )
        logged = log_activity(session, request, now=clock.now(), today=TODAY, repeater_threshold=3)
        assert isinstance(logged, Logged)
        return logged.activity.id


def remove(db: Database, clock: FixedClock, activity_id: int) -> corrections.Corrected:
    with db.transaction() as session:
        account, activity = corrections.locked_activity(session, TEAM, activity_id)
        return corrections.remove(
            session, account, activity, how="delete", user_id=BOSS, now=clock.now(), today=TODAY, threshold=3
        )


def test_a_removed_repeat_win_lowers_the_step_and_db_check_agrees(db: Database, clock: FixedClock) -> None:
    log(db, clock, ActivityKind.VISIT)
    log(db, clock, ActivityKind.WON)
    clock.advance(timedelta(minutes=1))
    second = log(db, clock, ActivityKind.WON, amount=500_000)

    done = remove(db, clock, second)

    assert (done.climb.before.value, done.climb.after.value) == ("repeat", "won")
    report = integrity.check(db, repeater_threshold=3)
    assert report.ok, [m.line() for m in report.mismatches]
    with db.read() as session:
        card = cards.account_card(session, TEAM, done.account.id, today=clock.today(UTC))
    assert card.activity_count == 2
    assert [a.kind for a in card.history] == [ActivityKind.WON, ActivityKind.VISIT]


def test_an_edit_records_before_and_after(db: Database, clock: FixedClock) -> None:
    visit = log(db, clock, ActivityKind.VISIT)
    changed = LogFields(None, ActivityKind.MEAL, TODAY - timedelta(days=1), None, "lunch", None, 1)
    with db.transaction() as session:
        account, activity = corrections.locked_activity(session, TEAM, visit)
        done = corrections.edit(
            session, account, activity, changed, user_id=REP, now=clock.now(), today=TODAY, threshold=3
        )
        assert (done.climb.before.value, done.climb.after.value) == ("met", "dined")
        assert (account.meals, account.last_touch_on) == (1, TODAY - timedelta(days=1))
    assert integrity.check(db, repeater_threshold=3).ok


def test_a_loss_edited_into_a_win_loses_its_reason(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        request = LogRequest(
            team_id=TEAM,
            user_id=REP,
            account=AccountRef(name="Acme"),
            kind=ActivityKind.LOST,
            on=TODAY,
            lost_reason=LostReason.PRICE,
        )
        logged = log_activity(session, request, now=clock.now(), today=TODAY, repeater_threshold=3)
        assert isinstance(logged, Logged) and logged.activity.lost_reason == "price"
        lost_id = logged.activity.id
    changed = LogFields(None, ActivityKind.WON, TODAY, None, None, None, 1)
    with db.transaction() as session:
        account, activity = corrections.locked_activity(session, TEAM, lost_id)
        done = corrections.edit(
            session, account, activity, changed, user_id=REP, now=clock.now(), today=TODAY, threshold=3
        )
        assert activity.lost_reason is None
        assert done is not None


def test_another_teams_activity_is_not_found(db: Database, clock: FixedClock) -> None:
    visit = log(db, clock, ActivityKind.VISIT)
    with db.transaction() as session, pytest.raises(UserFacingError):
        corrections.locked_activity(session, "T0OTHER", visit)


def test_export_activities_lists_deleted_and_edited_ones(
    db: Database, clock: FixedClock, capsys: pytest.CaptureFixture[str]
) -> None:
    log(db, clock, ActivityKind.VISIT)
    win = log(db, clock, ActivityKind.WON, amount=1_200_000)
    remove(db, clock, win)

    assert main(["export", "--activities", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [list(row) for row in rows] == [list(ACTIVITY_FIELDS)] * 2
    deleted = next(row for row in rows if row["id"] == win)
    assert (deleted["account"], deleted["kind"], deleted["amount"], deleted["user"]) == (
        "Acme",
        "won",
        1_200_000,
        REP,
    )
    assert deleted["deleted_by"] == BOSS
    assert deleted["deleted_at"] == clock.now().isoformat()
    live = next(row for row in rows if row["id"] != win)
    assert (live["deleted_at"], live["deleted_by"]) == (None, None)

    assert main(["export", "--activities", "--format", "csv"]) == 0
    lines = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [line["kind"] for line in lines] == ["visit", "won"]
    assert lines[1]["deleted_by"] == BOSS


def test_export_activities_of_an_empty_database(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--activities"]) == 0
    assert json.loads(capsys.readouterr().out) == []
