"""bot/interactions.py: the ids the views build are the ids the listeners are registered on, and the
values they carry read back."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest

from bot import interactions as ids
from bot.domain.recovery import RecoveryStatus
from bot.domain.stages import Step
from bot.usecases.facts import AccountFacts, AskedFacts, RecoveryFacts
from bot.views import card, modals, pyramid, recovery, replies
from bot.views.digest import replace_item

ACCOUNT = AccountFacts(id=42, team_id="T1", name="Acme", owner_id="U1", current_step=Step.MET)


def elements(message: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for block in message["blocks"]:
        found.extend(block.get("elements") or [])
        if block.get("accessory"):
            found.append(block["accessory"])
    return [element for element in found if "action_id" in element]


def test_did_you_mean_buttons_match_the_listener_and_carry_a_valid_choice() -> None:
    asked = AskedFacts("Acmee", (ACCOUNT, ACCOUNT), "f" * 32)
    buttons = elements(replies.log_reply(asked, "en"))
    assert [button["action_id"] for button in buttons] == [
        ids.near_match_use(0),
        ids.near_match_use(1),
        ids.NEAR_MATCH_CREATE,
    ]
    assert all(ids.NEAR_MATCH.match(button["action_id"]) for button in buttons)
    choice = ids.near_match_choice(buttons[0]["value"])
    assert choice is not None and (choice.p, choice.a) == ("f" * 32, 42)
    created = ids.near_match_choice(buttons[-1]["value"])
    assert created is not None and created.a is None


@pytest.mark.parametrize("raw", [None, "", "{", '{"p": "x"}', '{"p": "' + "f" * 32 + '", "a": 0}'])
def test_a_malformed_near_match_value_is_none(raw: str | None) -> None:
    assert ids.near_match_choice(raw) is None


def test_the_cards_buttons_open_the_log_modals() -> None:
    from bot.usecases.facts import AccountCard

    buttons = elements(card.account_card(AccountCard(ACCOUNT, [], 0), date(2026, 11, 22), "en"))
    assert {button["action_id"] for button in buttons} == {ids.OPEN_LOG_MEETING, ids.OPEN_LOG_DEAL}
    assert all(ids.OPEN_LOG.match(button["action_id"]) for button in buttons)
    assert {ids.log_which(button["action_id"]) for button in buttons} == {"meeting", "deal"}
    assert all(ids.parse_id(button["value"]) == 42 for button in buttons)


def test_which_account_buttons_match_the_listener() -> None:
    buttons = elements(card.which_account("Acm", (ACCOUNT,), "en"))
    assert all(ids.SHOW_ACCOUNT.match(button["action_id"]) for button in buttons)


def test_the_share_button_carries_a_share_value() -> None:
    from bot.domain.pyramid import distribution_from, health

    dist = distribution_from({"met": 3})
    message = pyramid.pyramid_message(
        dist, health(dist), title="t", detail=True, locale="en", share_value=ids.share_value("me", "U1", True)
    )
    [button] = elements(message)
    assert button["action_id"] == ids.SHARE_PYRAMID
    value = ids.parse_json(ids.ShareValue, button["value"])
    assert (value.s, value.u, value.d) == ("me", "U1", True)


def test_the_checklist_and_its_buttons_name_the_recovery() -> None:
    facts = RecoveryFacts(7, "T1", "Acme", "U1", "U2", "late", RecoveryStatus.OPEN)
    message = recovery.owner_checklist(facts, "en")
    steps = next(block for block in message["blocks"] if block.get("block_id", "").endswith("_steps"))
    assert ids.recovery_id_of_steps(steps["block_id"]) == 7
    assert steps["elements"][0]["action_id"] == ids.RECOVERY_STEPS
    actions = [element["action_id"] for element in elements(message) if element["type"] == "button"]
    assert actions == [ids.RECOVERY_RESPONDED, ids.RECOVERY_LOST]
    # A press replaces the item's buttons with a line, under the item's own block ids.
    item = ids.recovery_item(7)
    replaced = replace_item(message["blocks"], item, "done")
    assert [block.get("block_id") for block in replaced][-1] == ids.item_done(item)


def test_a_followup_press_is_read_from_its_value_or_its_block() -> None:
    assert ids.followup_id_of({"type": "button", "value": "12"}) == 12
    block = ids.item_actions(ids.followup_item(12))
    assert ids.followup_id_of({"type": "datepicker", "block_id": block}) == 12
    with pytest.raises(ids.BadPayload):
        ids.followup_id_of({"type": "button", "value": "0"})


def test_modal_metadata_round_trips_and_forgives_garbage() -> None:
    assert ids.metadata_of(ids.modal_metadata("C123")).channel == "C123"
    assert ids.metadata_of(ids.modal_metadata(None)).channel is None
    assert ids.metadata_of("not json").channel is None
    assert ids.metadata_of(json.dumps({"channel": "bad"})).channel is None


def test_the_log_modal_uses_the_field_names_the_reader_reads() -> None:
    view = modals.log_modal("deal", locale="en", today=date(2026, 11, 22), channel_id=None, account=ACCOUNT)
    assert view["callback_id"] == ids.DEAL_CALLBACK
    inputs = {block["block_id"]: block["element"]["action_id"] for block in view["blocks"]}
    assert inputs == {
        ids.ACCOUNT_BLOCK: ids.ACCOUNT_ACTION,
        ids.KIND_FIELD: ids.KIND_FIELD,
        ids.DATE_FIELD: ids.DATE_FIELD,
        ids.AMOUNT_FIELD: ids.AMOUNT_FIELD,
        ids.REVISIT_FIELD: ids.REVISIT_FIELD,
        ids.LOST_REASON_FIELD: ids.LOST_REASON_FIELD,
        ids.NOTE_FIELD: ids.NOTE_FIELD,
    }


def test_no_view_spells_an_action_id_itself() -> None:
    """Every action id a view builds is one bot/interactions.py names."""
    import pathlib

    known = {value for value in vars(ids).values() if isinstance(value, str)}
    for path in pathlib.Path("bot/views").glob("*.py"):
        for literal in re.findall(r'"action_id": "([a-z_]+)"', path.read_text()):
            assert literal in known, f"{path}: {literal}"
