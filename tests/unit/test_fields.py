"""bot/domain/fields.py: the one set of checks a log passes, from the modal and from the commands."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain import fields
from bot.domain.activities import ActivityKind
from bot.domain.fields import MAX_NAME, MAX_NOTE, MAX_SEGMENT, FieldErrors, LogDraft, ParseError
from bot.domain.parsing import ParseError as ParsingError
from bot.domain.parsing import parse_deal, parse_meeting

TODAY = date(2026, 11, 22)


def test_parsing_uses_the_same_error_and_limits() -> None:
    assert ParsingError is ParseError
    with pytest.raises(ParseError) as raised:
        parse_meeting("N" * (MAX_NAME + 1), TODAY)
    assert raised.value.code == "name_too_long"
    with pytest.raises(ParseError) as raised:
        parse_meeting("Acme -- " + "x" * (MAX_NOTE + 1), TODAY)
    assert raised.value.code == "note_too_long"


def test_a_good_meeting_passes_with_today_by_default() -> None:
    checked = fields.check_log(LogDraft("meeting", "  Acme   Corp ", ActivityKind.VISIT, note="  hi "), TODAY)
    assert checked.name == "Acme Corp"
    assert checked.on == TODAY
    assert checked.note == "hi"
    assert checked.amount is None


def test_a_deal_reads_its_amount_text() -> None:
    draft = LogDraft(
        "deal", None, ActivityKind.WON, amount_text=" 1.2M ", on=date(2026, 11, 1), account_id=42
    )
    checked = fields.check_log(draft, TODAY)
    assert checked.amount == 1_200_000
    assert (checked.name, checked.account_id) == (None, 42)


def test_a_log_names_or_picks_an_account() -> None:
    with pytest.raises(FieldErrors) as raised:
        fields.check_log(LogDraft("meeting", None, ActivityKind.VISIT), TODAY)
    assert raised.value.errors["account"].code == "empty_account"
    typed = fields.check_log(LogDraft("meeting", "Acme", ActivityKind.VISIT, account_id=42), TODAY)
    assert (typed.name, typed.account_id) == ("Acme", None)  # a typed name wins


def test_every_problem_is_listed_by_field() -> None:
    draft = LogDraft(
        "deal",
        "",
        ActivityKind.VISIT,
        "visit",
        on=date(2026, 12, 1),
        amount_text="lots",
        note="x" * (MAX_NOTE + 1),
        revisit_on=date(2026, 11, 1),
    )
    with pytest.raises(FieldErrors) as raised:
        fields.check_log(draft, TODAY)
    codes = {field: error.code for field, error in raised.value.errors.items()}
    assert codes == {
        "account": "empty_account",
        "kind": "missing_outcome",
        "date": "future_date",
        "amount": "bad_amount",
        "revisit": "revisit_needs_lost",
        "note": "note_too_long",
    }
    # As a ParseError it is the first problem: what a command answers.
    assert raised.value.code == "empty_account"


def test_a_meeting_refuses_a_deal_kind_and_a_deal_a_touch() -> None:
    with pytest.raises(FieldErrors) as raised:
        fields.check_log(LogDraft("meeting", "Acme", ActivityKind.WON, "won"), TODAY)
    assert raised.value.code == "bad_kind"
    assert raised.value.params == {"word": "won"}
    with pytest.raises(FieldErrors) as raised:
        fields.check_log(LogDraft("deal", "Acme", None), TODAY)
    assert raised.value.code == "missing_outcome"


def test_a_revisit_date_must_be_ahead_and_for_a_lost_deal() -> None:
    lost = LogDraft("deal", "Acme", ActivityKind.LOST, revisit_on=TODAY)
    with pytest.raises(FieldErrors) as raised:
        fields.check_log(lost, TODAY)
    assert raised.value.errors["revisit"].code == "past_date"
    ahead = LogDraft("deal", "Acme", ActivityKind.LOST, revisit_on=date(2027, 4, 1))
    assert fields.check_log(ahead, TODAY).revisit_on == date(2027, 4, 1)


def test_the_name_limit_is_inclusive() -> None:
    assert fields.account_name("N" * MAX_NAME) == "N" * MAX_NAME
    with pytest.raises(ParseError, match="name_too_long"):
        fields.account_name("N" * (MAX_NAME + 1))


def test_a_long_segment_is_refused_not_cut() -> None:
    assert fields.segment("  strategic ") == "strategic"
    assert fields.segment("S" * MAX_SEGMENT) == "S" * MAX_SEGMENT
    with pytest.raises(ParseError) as raised:
        fields.segment("S" * (MAX_SEGMENT + 1))
    assert raised.value.code == "segment_too_long"
    assert raised.value.params == {"limit": MAX_SEGMENT, "length": MAX_SEGMENT + 1}


@pytest.mark.parametrize(
    "text",
    ["Acme visit", "Acme call yesterday -- met the CTO", '"Big Fish Co" meal 2026-11-20'],
)
def test_what_a_meeting_command_reads_passes_the_checks(text: str) -> None:
    touch = parse_meeting(text, TODAY)
    draft = LogDraft("meeting", touch.account, touch.kind, on=touch.on, note=touch.note)
    checked = fields.check_log(draft, TODAY)
    assert (checked.name, checked.kind, checked.on) == (touch.account, touch.kind, touch.on)


@pytest.mark.parametrize("text", ["Acme won 1.2M", "Acme lost 3M revisit 2027-04-01 -- budget"])
def test_what_a_deal_command_reads_passes_the_checks(text: str) -> None:
    deal = parse_deal(text, TODAY)
    draft = LogDraft(
        "deal", deal.account, deal.outcome, on=deal.on, amount=deal.amount, revisit_on=deal.revisit_on
    )
    checked = fields.check_log(draft, TODAY)
    assert (checked.amount, checked.revisit_on) == (deal.amount, deal.revisit_on)
