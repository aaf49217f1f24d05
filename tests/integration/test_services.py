"""Use cases on a real, migrated database (SQLite; PostgreSQL when PYRAMID_TEST_DATABASE_URL is set)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.clock import FixedClock
from bot.db import Database
from bot.domain.activities import ActivityKind
from bot.domain.stages import Stage, Step
from bot.models import Account, Activity, PendingRequest, StepChange
from bot.services import accounts, cards, pyramids
from bot.services.accounts import AccountRef, NearMatchQuestion
from bot.services.activities import Logged, LogRequest, log_activity
from bot.services.errors import UserFacingError
from bot.services.pending import Asked, log_or_ask, take
from tests.support import factories
from tests.support.database import count_in
from tests.support.ids import OTHER_TEAM, OTHER_USER, TEAM, USER

REP, OTHER_REP = USER, OTHER_USER  # the workspace's two reps
TODAY = date(2026, 11, 22)


def _log(
    session: Session,
    clock: FixedClock,
    name: str | None = "Acme Corp",
    kind: ActivityKind = ActivityKind.VISIT,
    **given: object,
) -> Logged | NearMatchQuestion:
    """A log at the clock's time (tests/support/factories.log: team, user, on, threshold, …)."""
    return factories.log(session, name, kind, now=clock.now(), **given)


_logged = factories.logged


def _book(db: Database, clock: FixedClock, ours: list[str], theirs: list[str]) -> list[Account]:
    """Accounts of TEAM (`ours`) and of OTHER_TEAM (`theirs`), created in one transaction."""
    with db.transaction() as session:
        made = [_create(session, clock, name) for name in ours]
        return made + [_create(session, clock, name, team=OTHER_TEAM) for name in theirs]


def _create(session: Session, clock: FixedClock, name: str, *, team: str = TEAM, owner: str = REP) -> Account:
    return accounts.create_account(session, team, name, owner, now=clock.now(), today=TODAY)


# ---------------------------------------------------------------------------------- log_activity


def test_the_first_log_creates_the_account(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        result = _logged(_log(session, clock, "Ａｃｍｅ　Corp", note="met the IT manager"))
    assert result.created_account
    assert not result.duplicate
    with db.transaction() as session:
        account = session.scalars(select(Account)).one()
        assert account.team_id == TEAM
        assert account.name == "Acme Corp"  # NFKC
        assert account.name_key == "acme"
        assert account.owner_id == REP
        assert account.current_step is Step.MET
        assert account.in_person_meetings == 1
        assert account.last_touch_on == TODAY
        assert account.created_on == TODAY
        activity = session.scalars(select(Activity)).one()
        assert activity.account_id == account.id
        assert activity.kind == "visit"
        assert activity.note == "met the IT manager"
        assert activity.user_id == REP


def test_the_first_log_is_reported_as_a_climb_from_name_only(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        result = _logged(_log(session, clock, kind=ActivityKind.WON, amount=1_200_000))
    assert result.climb.before is Step.NAME_ONLY
    assert result.climb.after is Step.WON
    assert result.climb.stage_changed
    assert result.climb.skipped == (Step.REMOTE, Step.MET, Step.MET_TWICE, Step.DINED, Step.PROPOSED)
    with db.transaction() as session:
        assert session.scalars(select(Activity.amount)).one() == 1_200_000


def test_logging_again_finds_the_account_by_any_spelling(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        first = _logged(_log(session, clock, "Acme Corp"))
    with db.transaction() as session:
        second = _logged(_log(session, clock, "ACME Co., Ltd.", ActivityKind.MEAL))
    assert not second.created_account
    assert second.account.id == first.account.id
    with db.transaction() as session:
        assert count_in(session, Account) == 1
        assert count_in(session, Activity) == 2


def test_the_ladder_is_climbed_and_every_change_recorded(db: Database, clock: FixedClock) -> None:
    path = [
        (ActivityKind.CALL, Step.REMOTE),
        (ActivityKind.EMAIL, Step.REMOTE),
        (ActivityKind.VISIT, Step.MET),
        (ActivityKind.VISIT, Step.MET_TWICE),
        (ActivityKind.MEAL, Step.DINED),
        (ActivityKind.PROPOSED, Step.PROPOSED),
        (ActivityKind.LOST, Step.PROPOSED),
        (ActivityKind.WON, Step.WON),
        (ActivityKind.WON, Step.REPEAT),
        (ActivityKind.WON, Step.REPEATER),
    ]
    for index, (kind, expected) in enumerate(path):
        with db.transaction() as session:
            result = _logged(_log(session, clock, kind=kind, on=TODAY - timedelta(days=len(path) - index)))
        assert result.account.current_step is expected, kind
        clock.advance(timedelta(minutes=1))
    with db.transaction() as session:
        changes = session.scalars(select(StepChange).order_by(StepChange.id)).all()
        moves = [(change.from_step, change.to_step) for change in changes]
        assert moves == [
            ("name_only", "remote"),
            ("remote", "met"),
            ("met", "met_twice"),
            ("met_twice", "dined"),
            ("dined", "proposed"),
            ("proposed", "won"),
            ("won", "repeat"),
            ("repeat", "repeater"),
        ]
        for change in changes:
            assert change.reason == "activity"
            assert change.team_id == TEAM
            assert change.user_id == REP
            assert change.changed_on == TODAY
            assert change.changed_at.tzinfo is not None
            activity = session.get(Activity, change.activity_id)
            assert activity is not None and activity.account_id == change.account_id
        account = session.scalars(select(Account)).one()
        assert (account.deals_won, account.deals_lost, account.proposals) == (3, 1, 1)


def test_a_log_that_does_not_move_the_step_records_no_change(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        _log(session, clock, kind=ActivityKind.CALL)
    with db.transaction() as session:
        result = _logged(_log(session, clock, kind=ActivityKind.EMAIL))
    assert not result.climb.moved
    with db.transaction() as session:
        assert count_in(session, StepChange) == 1


def test_the_repeater_threshold_is_used(db: Database, clock: FixedClock) -> None:
    for _ in range(3):
        with db.transaction() as session:
            result = _logged(_log(session, clock, kind=ActivityKind.WON, threshold=4))
    assert result.account.current_step is Step.REPEAT
    with db.transaction() as session:
        result = _logged(_log(session, clock, kind=ActivityKind.WON, threshold=4))
    assert result.account.current_step is Step.REPEATER


def test_a_hand_set_higher_step_is_kept(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        account = _create(session, clock, "Acme")
        account.step = Step.WON.value  # a manager's correction
    with db.transaction() as session:
        result = _logged(_log(session, clock, "Acme", ActivityKind.CALL))
    assert result.account.current_step is Step.WON
    assert not result.climb.moved


def test_the_same_request_key_stores_nothing_twice(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        first = _logged(_log(session, clock, kind=ActivityKind.VISIT, request_key="command:trigger-1"))
    with db.transaction() as session:
        again = _logged(_log(session, clock, kind=ActivityKind.VISIT, request_key="command:trigger-1"))
    assert again.duplicate
    assert not again.created_account
    assert not again.climb.moved
    assert again.activity.id == first.activity.id
    assert again.account.id == first.account.id
    with db.transaction() as session:
        assert count_in(session, Activity) == 1
        assert count_in(session, StepChange) == 1
        assert session.scalars(select(Account.in_person_meetings)).one() == 1
    with db.transaction() as session:
        other = _logged(_log(session, clock, kind=ActivityKind.VISIT, request_key="command:trigger-2"))
    assert not other.duplicate
    assert other.account.current_step is Step.MET_TWICE


def test_request_keys_are_per_team(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        _log(session, clock, team=TEAM, request_key="view:V1")
    with db.transaction() as session:
        other = _logged(_log(session, clock, team=OTHER_TEAM, request_key="view:V1"))
    assert not other.duplicate
    assert other.account.team_id == OTHER_TEAM


def test_last_touch_only_moves_forward(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        _log(session, clock, on=date(2026, 11, 10))
    with db.transaction() as session:
        _log(session, clock, on=date(2026, 11, 1), kind=ActivityKind.CALL)  # backdated
    with db.transaction() as session:
        assert session.scalars(select(Account.last_touch_on)).one() == date(2026, 11, 10)
    with db.transaction() as session:
        _log(session, clock, on=date(2026, 11, 20), kind=ActivityKind.EMAIL)
    with db.transaction() as session:
        assert session.scalars(select(Account.last_touch_on)).one() == date(2026, 11, 20)


def test_teams_are_kept_apart(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        mine = _logged(_log(session, clock, "Acme", team=TEAM, kind=ActivityKind.WON))
    with db.transaction() as session:
        theirs = _logged(_log(session, clock, "Acme", team=OTHER_TEAM, user=OTHER_REP))
    assert theirs.created_account
    assert theirs.account.id != mine.account.id
    assert theirs.account.current_step is Step.MET
    with db.transaction() as session:
        assert count_in(session, Account) == 2
        assert accounts.find_by_name(session, TEAM, "acme").id == mine.account.id  # type: ignore[union-attr]
        assert accounts.find_by_name(session, OTHER_TEAM, "acme").id == theirs.account.id  # type: ignore[union-attr]
        with pytest.raises(UserFacingError) as raised:
            accounts.get_account(session, TEAM, theirs.account.id)
        assert raised.value.code == "account_gone"


def test_logging_by_another_teams_account_id_is_refused(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        theirs = _logged(_log(session, clock, "Globex", team=OTHER_TEAM))
    with pytest.raises(UserFacingError), db.transaction() as session:
        _log(session, clock, None, account_id=theirs.account.id, team=TEAM)
    with db.transaction() as session:
        assert count_in(session, Activity) == 1


def test_logging_by_account_id(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        account = _create(session, clock, "Acme")
    with db.transaction() as session:
        result = _logged(_log(session, clock, None, ActivityKind.CALL, account_id=account.id))
    assert result.account.id == account.id
    assert not result.created_account


def test_a_near_name_asks_instead_of_creating(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        _create(session, clock, "Acme Trading")
    with db.transaction() as session:
        question = _log(session, clock, "Acme")
    assert isinstance(question, NearMatchQuestion)
    assert question.name == "Acme"
    assert [candidate.name for candidate in question.candidates] == ["Acme Trading"]
    with db.transaction() as session:
        assert count_in(session, Account) == 1
        assert count_in(session, Activity) == 0
    with db.transaction() as session:
        created = _logged(_log(session, clock, "Acme", create_new=True))
    assert created.created_account


# ---------------------------------------------------------------------------------------- resolve


def test_resolve_exact_near_and_new(db: Database, clock: FixedClock) -> None:
    acme, _, _ = _book(db, clock, ["Acme Corp", "Globex"], theirs=["Acme Trading"])
    with db.transaction() as session:
        exact = accounts.resolve(session, TEAM, AccountRef(name="ＡＣＭＥ Inc."))
        assert isinstance(exact, Account) and exact.id == acme.id
        by_id = accounts.resolve(session, TEAM, AccountRef(account_id=acme.id))
        assert isinstance(by_id, Account) and by_id.id == acme.id
        near = accounts.resolve(session, TEAM, AccountRef(name="Acme Japan"))
        assert isinstance(near, NearMatchQuestion)
        assert [candidate.id for candidate in near.candidates] == [acme.id]  # not the other team's
        assert near.name == "Acme Japan"
        assert accounts.resolve(session, TEAM, AccountRef(name="Acme Japan", create_new=True)) is None
        assert accounts.resolve(session, TEAM, AccountRef(name="Initech")) is None
        # The other team has no account close to "Globex".
        assert accounts.resolve(session, OTHER_TEAM, AccountRef(name="Globex")) is None


def test_resolve_needs_a_name_or_an_id(db: Database) -> None:
    with db.transaction() as session, pytest.raises(UserFacingError) as raised:
        accounts.resolve(session, TEAM, AccountRef())
    assert raised.value.code == "empty_account"


def test_similar_accounts_never_include_the_exact_one(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        _create(session, clock, "Acme")
        _create(session, clock, "Acme Trading")
    with db.transaction() as session:
        similar = accounts.similar_accounts(session, TEAM, "acme")
        assert [account.name for account in similar] == ["Acme Trading"]


def test_require_by_name(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        _create(session, clock, "Acme")
    with db.transaction() as session:
        assert accounts.require_by_name(session, TEAM, "ACME K.K.").name == "Acme"
        with pytest.raises(UserFacingError) as raised:
            accounts.require_by_name(session, TEAM, "Ｇｌｏｂｅｘ")
        assert raised.value.code == "account_not_found"
        assert raised.value.params == {"name": "Globex"}
        with pytest.raises(UserFacingError):
            accounts.require_by_name(session, OTHER_TEAM, "Acme")


def test_one_key_per_team_is_enforced_by_the_database(db: Database, clock: FixedClock) -> None:
    from sqlalchemy.exc import IntegrityError

    with db.transaction() as session:
        _create(session, clock, "Acme")
    with pytest.raises(IntegrityError), db.transaction() as session:
        _create(session, clock, "ACME Corp.")


# -------------------------------------------------------------------------------------- typeahead


def test_typeahead_prefix_first_then_contains(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        for name in ("Big Acme", "Acme Trading", "Zeta Acme", "Acme", "Globex", "Initech"):
            _create(session, clock, name)
        _create(session, clock, "Acme Holdings", team=OTHER_TEAM)
    with db.transaction() as session:
        names = [account.name for account in accounts.typeahead(session, TEAM, "acme")]
        assert names == ["Acme", "Acme Trading", "Big Acme", "Zeta Acme"]
        assert [a.name for a in accounts.typeahead(session, TEAM, "ACME Co., Ltd.")] == names
        assert [a.name for a in accounts.typeahead(session, TEAM, "glo")] == ["Globex"]
        assert accounts.typeahead(session, TEAM, "nothing like it") == []
        everything = [account.name for account in accounts.typeahead(session, TEAM, "  ")]
        assert len(everything) == 6
        assert "Acme Holdings" not in everything
        assert len(accounts.typeahead(session, TEAM, "acme", limit=2)) == 2
        assert [a.name for a in accounts.typeahead(session, OTHER_TEAM, "")] == ["Acme Holdings"]


def test_typeahead_treats_like_wildcards_as_text(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        _create(session, clock, "100% Juice")
        _create(session, clock, "100 Juice")
        _create(session, clock, "A_B Trading")
        _create(session, clock, "AXB Trading")
    with db.transaction() as session:
        assert [a.name for a in accounts.typeahead(session, TEAM, "100%")] == ["100% Juice"]
        assert [a.name for a in accounts.typeahead(session, TEAM, "a_b")] == ["A_B Trading"]


def test_typeahead_keeps_prefix_matches_beyond_the_fetched_window(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        for index in range(8):
            _create(session, clock, f"A{index} Acme")  # contains "acme" and sorts before "acme zeta"
        _create(session, clock, "Acme Zeta")  # the only name that starts with "acme"
    with db.transaction() as session:
        first = accounts.typeahead(session, TEAM, "acme", limit=2)
        assert first[0].name == "Acme Zeta"


# ------------------------------------------------------------------------------------ edits


def test_rename_and_clash(db: Database, clock: FixedClock) -> None:
    acme, _, _ = _book(db, clock, ["Acme", "Globex"], theirs=["Initech"])
    with db.transaction() as session:
        account = accounts.get_account(session, TEAM, acme.id)
        with pytest.raises(UserFacingError) as raised:
            accounts.rename(session, account, "GLOBEX Inc.", now=clock.now())
        assert raised.value.code == "name_taken"
        assert raised.value.params == {"name": "GLOBEX Inc."}
    with db.transaction() as session:
        account = accounts.get_account(session, TEAM, acme.id)
        accounts.rename(session, account, "Acme Corp.", now=clock.now())  # its own key: fine
        accounts.rename(session, account, "Initech", now=clock.now())  # another team's name: fine
    with db.transaction() as session:
        account = accounts.get_account(session, TEAM, acme.id)
        assert account.name == "Initech"
        assert account.name_key == "initech"
        assert accounts.find_by_name(session, TEAM, "Acme") is None


def test_owner_and_segment_edits(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        acme = _create(session, clock, "Acme")
    clock.advance(timedelta(hours=1))
    with db.transaction() as session:
        account = accounts.get_account(session, TEAM, acme.id)
        accounts.change_owner(session, account, OTHER_REP, now=clock.now())
        accounts.change_segment(session, account, "strategic", now=clock.now())
    with db.transaction() as session:
        account = accounts.get_account(session, TEAM, acme.id)
        assert (account.owner_id, account.segment) == (OTHER_REP, "strategic")
        assert account.updated_at == clock.now()
        accounts.change_segment(session, account, None, now=clock.now())
    with db.transaction() as session:
        assert accounts.get_account(session, TEAM, acme.id).segment is None


def test_count_accounts(db: Database, clock: FixedClock) -> None:
    _book(db, clock, ["Acme", "Globex"], theirs=["Acme"])
    with db.transaction() as session:
        assert accounts.count_accounts(session, TEAM) == 2
        assert accounts.count_accounts(session, OTHER_TEAM) == 1
        assert accounts.count_accounts(session, "T0NONE") == 0


# --------------------------------------------------------------------------------------- pending


def _ask(db: Database, clock: FixedClock, name: str = "Acme", **extra: object) -> Asked:
    request = LogRequest(
        team_id=TEAM,
        user_id=REP,
        account=AccountRef(name=name),
        kind=ActivityKind.WON,
        on=date(2026, 11, 20),
        amount=1_200_000,
        note="a long note " * 50,
        revisit_on=None,
        request_key="command:trigger-9",
        **extra,  # type: ignore[arg-type]
    )
    with db.transaction() as session:
        outcome = log_or_ask(session, request, now=clock.now(), today=TODAY, repeater_threshold=3)
    assert isinstance(outcome, Asked)
    return outcome


def test_log_or_ask_logs_when_there_is_no_doubt(db: Database, clock: FixedClock) -> None:
    request = LogRequest(
        team_id=TEAM, user_id=REP, account=AccountRef(name="Acme"), kind=ActivityKind.CALL, on=TODAY
    )
    with db.transaction() as session:
        outcome = log_or_ask(session, request, now=clock.now(), today=TODAY, repeater_threshold=3)
    assert isinstance(outcome, Logged)
    with db.transaction() as session:
        assert count_in(session, PendingRequest) == 0


def test_log_or_ask_parks_and_take_answers_once_with_an_existing_account(
    db: Database, clock: FixedClock
) -> None:
    with db.transaction() as session:
        trading = _create(session, clock, "Acme Trading")
    asked = _ask(db, clock)
    assert asked.name == "Acme"
    assert [candidate.id for candidate in asked.candidates] == [trading.id]
    with db.transaction() as session:
        assert count_in(session, PendingRequest) == 1
        assert count_in(session, Activity) == 0
    with db.transaction() as session:
        request = take(session, TEAM, asked.pending_id, AccountRef(account_id=trading.id))
        assert request is not None
        assert request.account == AccountRef(account_id=trading.id)
        assert (request.kind, request.on, request.amount) == (ActivityKind.WON, date(2026, 11, 20), 1_200_000)
        assert request.note == "a long note " * 50
        assert request.request_key == "command:trigger-9"
        assert request.user_id == REP
        logged = _logged(log_activity(session, request, now=clock.now(), today=TODAY, repeater_threshold=3))
        assert logged.account.id == trading.id
    with db.transaction() as session:
        assert take(session, TEAM, asked.pending_id, AccountRef(account_id=trading.id)) is None
        assert count_in(session, PendingRequest) == 0
        assert count_in(session, Account) == 1
        assert count_in(session, Activity) == 1


def test_take_to_create_a_new_account(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        _create(session, clock, "Acme Trading")
    asked = _ask(db, clock)
    with db.transaction() as session:
        request = take(session, TEAM, asked.pending_id, AccountRef())
        assert request is not None
        assert request.account == AccountRef(name="Acme", create_new=True)
        logged = _logged(log_activity(session, request, now=clock.now(), today=TODAY, repeater_threshold=3))
        assert logged.created_account
        assert logged.account.current_step is Step.WON
    with db.transaction() as session:
        assert take(session, TEAM, asked.pending_id, AccountRef()) is None
        assert sorted(session.scalars(select(Account.name))) == ["Acme", "Acme Trading"]


def test_take_is_scoped_to_the_team(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        _create(session, clock, "Acme Trading")
    asked = _ask(db, clock)
    with db.transaction() as session:
        assert take(session, OTHER_TEAM, asked.pending_id, AccountRef()) is None
    with db.transaction() as session:
        assert take(session, TEAM, asked.pending_id, AccountRef()) is not None


def test_take_of_an_unknown_id(db: Database) -> None:
    with db.transaction() as session:
        assert take(session, TEAM, "0" * 32, AccountRef()) is None


def test_old_questions_are_forgotten(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        _create(session, clock, "Acme Trading")
    old = _ask(db, clock)
    clock.advance(timedelta(days=8))
    new = _ask(db, clock)
    with db.transaction() as session:
        assert take(session, TEAM, old.pending_id, AccountRef()) is None
        assert take(session, TEAM, new.pending_id, AccountRef()) is not None


# -------------------------------------------------------------------------------------- pyramids


def test_distribution_for_team_and_owner(db: Database, clock: FixedClock) -> None:
    plan = [
        ("A1", REP, [ActivityKind.CALL]),
        ("A2", REP, [ActivityKind.VISIT]),
        ("A3", REP, []),
        ("A4", OTHER_REP, [ActivityKind.VISIT, ActivityKind.VISIT]),
        ("A5", OTHER_REP, [ActivityKind.WON]),
        ("A6", REP, [ActivityKind.WON, ActivityKind.WON, ActivityKind.WON]),
    ]
    for name, owner, kinds in plan:
        with db.transaction() as session:
            _create(session, clock, name, owner=owner)
        for kind in kinds:
            with db.transaction() as session:
                _log(session, clock, name, kind, user=owner)
    with db.transaction() as session:
        _create(session, clock, "Elsewhere", team=OTHER_TEAM)
    with db.transaction() as session:
        team = pyramids.distribution_for(session, TEAM, today=TODAY)
        mine = pyramids.distribution_for(session, TEAM, REP, today=TODAY)
        theirs = pyramids.distribution_for(session, TEAM, OTHER_REP, today=TODAY)
        nobody = pyramids.distribution_for(session, TEAM, "U0NOBODY", today=TODAY)
        other_team = pyramids.distribution_for(session, OTHER_TEAM, today=TODAY)
    assert team.total == 6
    assert team.by_stage == {Stage.ACQUAINTANCE: 3, Stage.PROSPECT: 1, Stage.CUSTOMER: 1, Stage.REPEATER: 1}
    assert team.count(Step.REMOTE) == 1 and team.count(Step.MET) == 1 and team.count(Step.NAME_ONLY) == 1
    assert mine.by_stage == {Stage.ACQUAINTANCE: 3, Stage.PROSPECT: 0, Stage.CUSTOMER: 0, Stage.REPEATER: 1}
    assert theirs.by_stage == {Stage.ACQUAINTANCE: 0, Stage.PROSPECT: 1, Stage.CUSTOMER: 1, Stage.REPEATER: 0}
    assert nobody.total == 0
    assert other_team.total == 1 and other_team.count(Step.NAME_ONLY) == 1


# ----------------------------------------------------------------------------------------- cards


def test_account_card_history_newest_first(db: Database, clock: FixedClock) -> None:
    days = [date(2026, 11, day) for day in (3, 10, 1, 20, 15, 5, 12)]
    for index, day in enumerate(days):
        with db.transaction() as session:
            _log(session, clock, "Acme", ActivityKind.CALL, on=day, note=f"touch {index}")
    with db.transaction() as session:
        account_id = session.scalars(select(Account.id)).one()
        card = cards.account_card(session, TEAM, account_id, today=TODAY)
    assert card.account.id == account_id
    assert card.activity_count == 7
    assert len(card.history) == cards.HISTORY_LINES == 5
    assert [activity.occurred_on for activity in card.history] == sorted(days, reverse=True)[:5]


def test_account_card_of_a_new_account(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        acme = _create(session, clock, "Acme")
    with db.transaction() as session:
        card = cards.account_card(session, TEAM, acme.id, today=TODAY)
    assert card.history == []
    assert card.activity_count == 0


def test_account_card_is_scoped_to_the_team(db: Database, clock: FixedClock) -> None:
    with db.transaction() as session:
        theirs = _create(session, clock, "Acme", team=OTHER_TEAM)
    with db.transaction() as session, pytest.raises(UserFacingError):
        cards.account_card(session, TEAM, theirs.id, today=TODAY)
