"""A manager's corrections on SQLite and PostgreSQL (bot/services/managing.py, bot/usecases/managing.py):
what a merge moves and recomputes, merged names, merges racing each other, and hand-set steps under
the integrity check."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.domain.activities import ActivityKind
from bot.domain.parsing import StepSet
from bot.domain.stages import Step, StepReason, Tally, evidence_floor
from bot.models import Account, AccountEvent, Activity, StepChange
from bot.runtime import Runtime
from bot.services import accounts, integrity
from bot.services.errors import UserFacingError
from bot.usecases import managing
from bot.usecases.managing_facts import MergeFacts, NotAManager, StepSetFacts
from tests.support import factories
from tests.support.threads import at_once

TEAM, REP, BOSS = "T0TEAM1", "U0REP1", "U0BOSS1"
THRESHOLD = 3


@pytest.fixture
def runtime(db: Database, clock: FixedClock) -> Iterator[Runtime]:
    settings = Settings(_env_file=None, database_url="sqlite://", pyramid_managers=BOSS)  # type: ignore[call-arg]
    runtime = Runtime(settings=settings, db=db, clock=clock, inline=True)
    yield runtime
    runtime.close()


def _log(db: Database, clock: FixedClock, name: str, kind: ActivityKind) -> int:
    clock.advance(timedelta(seconds=1))
    logged = factories.log_in(db, name, kind, user=REP, now=clock.now(), threshold=THRESHOLD)
    return logged.account.id


def _imported(db: Database, clock: FixedClock, name: str, step: Step) -> int:
    """An account as an imported list leaves it: on `step`, its counters at that step's floor."""
    clock.advance(timedelta(seconds=1))
    with db.transaction() as session:
        account = accounts.create_account(
            session, TEAM, name, REP, now=clock.now(), today=factories.TODAY, step=step
        )
        accounts.store_tally(account, Tally().raised_to(evidence_floor(step)))
        accounts.record_step_change(
            session,
            account,
            None,
            step,
            user_id=REP,
            now=clock.now(),
            today=factories.TODAY,
            reason=StepReason.IMPORT,
        )
        return account.id


def _get(db: Database, account_id: int) -> Account:
    with db.read() as session:
        found = session.get(Account, account_id)
        assert found is not None
        return found


def _merge(runtime: Runtime, survivor: int, merged: int, user: str = BOSS) -> managing.Outcome:
    return managing.merge(runtime, TEAM, user, factories.TODAY, survivor, merged, "one company")


def test_a_merge_carries_the_imported_standing_and_recomputes_both(
    runtime: Runtime, db: Database, clock: FixedClock
) -> None:
    survivor = _log(db, clock, "Yamada Shoji", ActivityKind.VISIT)  # 1.3
    merged = _imported(db, clock, "Yamada Trading", Step.WON)  # 3.1 from a list, no activities

    outcome = _merge(runtime, survivor, merged)

    assert isinstance(outcome.result, MergeFacts)
    assert (outcome.result.before, outcome.result.after) == (Step.MET, Step.WON)
    assert _get(db, survivor).step == Step.WON.value
    gone = _get(db, merged)
    assert (gone.status, gone.merged_into_id, gone.step, gone.deals_won) == (
        "merged",
        survivor,
        "name_only",
        0,
    )
    assert integrity.check(db, repeater_threshold=THRESHOLD).ok
    with db.read() as session:
        imports = session.scalars(
            select(StepChange).where(StepChange.reason == StepReason.IMPORT.value)
        ).all()
        assert [change.account_id for change in imports] == [survivor]

    # A later log on the survivor climbs from what both had.
    _log(db, clock, "Yamada Shoji", ActivityKind.WON)
    assert _get(db, survivor).step == Step.REPEAT.value
    assert integrity.check(db, repeater_threshold=THRESHOLD).ok


def test_a_merged_name_finds_its_survivor_through_a_chain(
    runtime: Runtime, db: Database, clock: FixedClock
) -> None:
    first = _log(db, clock, "Alpha", ActivityKind.CALL)
    second = _log(db, clock, "Beta", ActivityKind.CALL)
    third = _log(db, clock, "Gamma", ActivityKind.CALL)
    _merge(runtime, second, first)
    _merge(runtime, third, second)

    with db.read() as session:
        found = accounts.find_by_name(session, TEAM, "alpha")
        assert found is not None and found.id == third
        assert [a.name for a in accounts.typeahead(session, TEAM, "")] == ["Gamma"]
        stored = accounts.find_by_name_as_stored(session, TEAM, "Alpha")
        assert stored is not None and stored.id == first
    with db.read() as session:
        assert session.scalars(select(Activity.account_id)).all() == [third, third, third]


def test_the_same_merge_confirmed_twice_at_once_is_done_once(
    runtime: Runtime, db: Database, clock: FixedClock
) -> None:
    survivor = _log(db, clock, "Acme Holdings", ActivityKind.VISIT)
    merged = _log(db, clock, "Acme Japan", ActivityKind.WON)

    results, errors = at_once([lambda: _merge(runtime, survivor, merged)] * 2)

    assert errors == []
    facts = [outcome.result for outcome in results]
    assert sorted(isinstance(f, MergeFacts) and f.already for f in facts) == [False, True]
    with db.read() as session:
        events = session.scalars(select(AccountEvent.account_id).where(AccountEvent.kind == "merge")).all()
        assert sorted(events) == sorted([survivor, merged])
    assert _get(db, survivor).deals_won == 1
    assert integrity.check(db, repeater_threshold=THRESHOLD).ok


def test_two_opposite_merges_at_once_never_deadlock(
    runtime: Runtime, db: Database, clock: FixedClock
) -> None:
    one = _log(db, clock, "Acme Holdings", ActivityKind.VISIT)
    other = _log(db, clock, "Acme Japan", ActivityKind.CALL)

    results, errors = at_once([lambda: _merge(runtime, one, other), lambda: _merge(runtime, other, one)])

    # The rows are locked in id order: one merge wins, the other finds its survivor merged.
    assert len(results) == 1 and len(errors) == 1, (results, errors)
    assert isinstance(errors[0], UserFacingError) and errors[0].code == "account_is_merged"
    statuses = sorted(_get(db, account_id).status for account_id in (one, other))
    assert statuses == ["active", "merged"]
    assert integrity.check(db, repeater_threshold=THRESHOLD).ok


def test_only_managers_correct_and_a_refusal_stores_nothing(
    runtime: Runtime, db: Database, clock: FixedClock
) -> None:
    account = _log(db, clock, "Acme", ActivityKind.VISIT)
    request = StepSet(account="Acme", step=Step.WON, reason="paper order")

    refused = managing.correct(runtime, TEAM, REP, factories.TODAY, request)
    assert refused.result == NotAManager((BOSS,), admin_unknown=True)  # no profile of the rep cached here
    assert _get(db, account).step == Step.MET.value
    assert isinstance(_merge(runtime, account, account, user=REP).result, NotAManager)

    done = managing.correct(runtime, TEAM, BOSS, factories.TODAY, request)
    assert isinstance(done.result, StepSetFacts) and done.result.changed
    assert _get(db, account).step == Step.WON.value
    assert integrity.check(db, repeater_threshold=THRESHOLD).ok


def test_a_step_set_down_by_hand_is_not_an_advancement_in_the_summary(
    runtime: Runtime, db: Database, clock: FixedClock
) -> None:
    from bot.domain.stages import Stage
    from bot.services.summaries import advancements

    _log(db, clock, "Acme", ActivityKind.WON)  # 1 → 3: an advancement
    clock.advance(timedelta(seconds=1))
    managing.correct(runtime, TEAM, BOSS, factories.TODAY, StepSet("Acme", Step.MET, "the win was a trial"))
    with db.read() as session:
        moves = advancements(session, TEAM, StepChange.team_id == TEAM)
    assert [(move.before, move.after) for move in moves] == [(Stage.ACQUAINTANCE, Stage.CUSTOMER)]
