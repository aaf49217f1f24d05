"""The readers of a submitted modal's state (bot/handlers/form_state.py), as Slack sends it."""

from __future__ import annotations

from datetime import date

from bot.handlers import form_state as form

VALUES = {
    "note": {"note": {"type": "plain_text_input", "value": "Called about the renewal"}},
    "account": {"account_pick": {"type": "external_select", "selected_option": {"value": "42"}}},
    "kind": {"kind": {"type": "radio_buttons", "selected_option": {"value": "meal"}}},
    "empty_kind": {"empty_kind": {"type": "radio_buttons", "selected_option": None}},
    "date": {"date": {"type": "datepicker", "selected_date": "2026-11-28"}},
    "bad_date": {"bad_date": {"type": "datepicker", "selected_date": "2026-02-30"}},
    "cleared": None,
}


def test_a_text_input_reads_its_value_by_block_then_action_id() -> None:
    assert form.text(VALUES, "note") == "Called about the renewal"
    assert form.text(VALUES, "note", "note") == "Called about the renewal"


def test_a_select_reads_the_chosen_options_value() -> None:
    assert form.selected(VALUES, "account", "account_pick") == "42"
    assert form.selected(VALUES, "kind") == "meal"
    assert form.selected(VALUES, "empty_kind") is None


def test_a_date_picker_reads_a_day_and_a_malformed_one_reads_as_none() -> None:
    assert form.picked_date(VALUES, "date") == date(2026, 11, 28)
    assert form.picked_date(VALUES, "bad_date") is None


def test_an_input_left_out_or_cleared_reads_as_none() -> None:
    for block in ("missing", "cleared"):
        assert form.text(VALUES, block) is None
        assert form.selected(VALUES, block) is None
        assert form.picked_date(VALUES, block) is None
    assert form.text(VALUES, "account") is None  # the block is there, its action id is not "account"


def test_the_values_of_a_view_are_under_its_state() -> None:
    assert form.values_of({"state": {"values": VALUES}}) is VALUES
    assert form.values_of({}) == {}
