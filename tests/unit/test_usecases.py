"""bot/usecases: each user action is one call that opens its own transaction and hands back frozen
view-models, never rows of the ORM (the listeners and the views cannot touch the database)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.domain.activities import ActivityKind
from bot.domain.fields import MAX_SEGMENT, FieldErrors, ParseError
from bot.domain.followups import Due
from bot.domain.recovery import FIVE_STEPS, RecoveryStatus
from bot.domain.stages import Step
from bot.interactions import NearMatchChoice
from bot.runtime import Runtime
from bot.services.errors import UserFacingError
from bot.usecases import accounts, followups, logs, recoveries
from bot.usecases.facts import AccountCard, AskedFacts, Choices, Edited, LoggedFacts

TEAM, REP = "T0TEAM1", "U0REP1"


@pytest.fixture
def runtime(db: Database, clock: FixedClock) -> Iterator[Runtime]:
    settings = Settings(_env_file=None, database_url="sqlite://")  # type: ignore[call-arg]
    runtime = Runtime(settings=settings, db=db, clock=clock, inline=True)
    yield runtime
    runtime.close()


def _log(runtime: Runtime, text: str, key: str, what: logs.LogWhat = "meeting") -> logs.LogOutcome:
    today = runtime.clock.today(runtime.settings.zone)
    return logs.log_command(runtime, what, text, TEAM, REP, today, f"command:{key}")


def _frozen(value: object) -> None:
    assert dataclasses.is_dataclass(value) and type(value).__dataclass_params__.frozen  # type: ignore[attr-defined]


def test_a_logged_meeting_comes_back_as_view_models(runtime: Runtime) -> None:
    outcome = _log(runtime, "Acme Corp visit", "1")
    result = outcome.result
    assert isinstance(result, LoggedFacts)
    _frozen(result)
    _frozen(result.account)
    assert result.account.name == "Acme Corp"
    assert result.activity.kind is ActivityKind.VISIT
    assert result.created_account
    assert outcome.stored is result
    assert outcome.home_user == REP


def test_the_same_command_twice_is_stored_once(runtime: Runtime) -> None:
    _log(runtime, "Acme visit", "1")
    again = _log(runtime, "Acme visit", "1")
    assert isinstance(again.result, LoggedFacts) and again.result.duplicate
    assert again.stored is None
    assert again.home_user is None
    assert again.queued == ()


def test_a_command_is_checked_like_the_modal(runtime: Runtime) -> None:
    with pytest.raises(ParseError) as raised:
        _log(runtime, "Acme won", "1", what="meeting")
    assert raised.value.code == "bad_kind"
    assert not isinstance(raised.value, FieldErrors)  # the parser saw it first; the same words


def test_a_close_name_is_asked_about_then_answered_once(runtime: Runtime) -> None:
    _log(runtime, '"Acme Trading" visit', "1")
    asked = _log(runtime, "Acme Tradin visit", "2").result
    assert isinstance(asked, AskedFacts)
    assert [candidate.name for candidate in asked.candidates] == ["Acme Trading"]
    today = runtime.clock.today(runtime.settings.zone)
    choice = NearMatchChoice(p=asked.pending_id, a=asked.candidates[0].id)
    answered = logs.answer_near_match(runtime, TEAM, choice, today=today)
    assert isinstance(answered.result, LoggedFacts)
    assert answered.result.account.name == "Acme Trading"
    assert logs.answer_near_match(runtime, TEAM, choice, today=today).result is None
    assert logs.answer_near_match(runtime, TEAM, None, today=today).result is None


def test_the_account_command_gives_a_card_close_names_or_an_edit(runtime: Runtime) -> None:
    _log(runtime, "Acme Corp visit", "1")
    found = accounts.account_command(runtime, TEAM, "Acme Corp")
    assert isinstance(found, AccountCard)
    assert found.account.current_step is Step.MET
    assert [line.kind for line in found.history] == [ActivityKind.VISIT]
    close = accounts.account_command(runtime, TEAM, "Acme Crop")
    assert isinstance(close, Choices) and close.candidates[0].name == "Acme Corp"
    edited = accounts.account_command(runtime, TEAM, "Acme Corp segment strategic")
    assert edited == Edited("segment", "Acme Corp", "strategic")
    with pytest.raises(UserFacingError):
        accounts.account_command(runtime, TEAM, "Nothing Like It")


def test_a_too_long_segment_is_refused_and_nothing_is_stored(runtime: Runtime) -> None:
    _log(runtime, "Acme visit", "1")
    accounts.account_command(runtime, TEAM, "Acme segment strategic")
    with pytest.raises(ParseError) as raised:
        accounts.account_command(runtime, TEAM, "Acme segment " + "S" * (MAX_SEGMENT + 1))
    assert raised.value.code == "segment_too_long"
    card = accounts.account_command(runtime, TEAM, "Acme")
    assert isinstance(card, AccountCard) and card.account.segment == "strategic"


def test_the_typeahead_offers_a_new_name_only_when_it_is_new(runtime: Runtime) -> None:
    _log(runtime, "Acme visit", "1")
    assert accounts.typeahead(runtime, TEAM, "  Acme ").offer_new is None
    found = accounts.typeahead(runtime, TEAM, "Acm")
    assert [account.name for account in found.accounts] == ["Acme"]
    assert found.offer_new == "Acm"


def test_a_followup_is_scheduled_once_and_pressed(runtime: Runtime) -> None:
    _log(runtime, "Acme visit", "1")
    today = runtime.clock.today(runtime.settings.zone)
    scheduled = followups.schedule(runtime, TEAM, REP, "Acme 2026-12-01", today, "command:f1")
    assert scheduled == followups.Scheduled("Acme", Due(on=date(2026, 12, 1), asked=date(2026, 12, 1)))
    followups.schedule(runtime, TEAM, REP, "Acme 2026-12-01", today, "command:f1")
    with runtime.db.read() as session:
        from bot.services.followups import find_by_request

        followup = find_by_request(session, TEAM, "command:f1")
        assert followup is not None
        followup_id = followup.id
    done = followups.press(runtime, TEAM, REP, followup_id, "done", today)
    assert done.changed and done.followup.done and done.followup.done_by == REP
    again = followups.press(runtime, TEAM, REP, followup_id, "done", today)
    assert not again.changed


def test_trouble_opens_a_recovery_that_moves(runtime: Runtime) -> None:
    _log(runtime, "Acme visit", "1")
    today = runtime.clock.today(runtime.settings.zone)
    opened = recoveries.open_trouble(runtime, TEAM, REP, "Acme -- late delivery", today, "command:t1")
    assert not opened.duplicate and opened.recovery.status is RecoveryStatus.OPEN
    assert {item.kind for item in opened.queued} == {"trouble_dm"}
    recovery_id = opened.recovery.id
    moved = recoveries.respond(runtime, TEAM, recovery_id, REP)
    assert moved.changed and moved.recovery.status is RecoveryStatus.RESPONDED
    dated = recoveries.set_delivery(runtime, TEAM, recovery_id, today + timedelta(days=2), REP)
    assert dated.changed and dated.recovery.status is RecoveryStatus.AWAITING
    early = recoveries.verdict(runtime, TEAM, recovery_id, True, REP, today + timedelta(days=2))
    assert not early.changed and early.recovery.status is RecoveryStatus.AWAITING
    assert recoveries.check_steps(runtime, TEAM, recovery_id, [FIVE_STEPS[0]])
    assert not recoveries.check_steps(runtime, TEAM, recovery_id, [FIVE_STEPS[0]])
    assert recoveries.recovery(runtime, TEAM, recovery_id).account_name == "Acme"
    with pytest.raises(UserFacingError):
        recoveries.recovery(runtime, TEAM, recovery_id + 1000)
