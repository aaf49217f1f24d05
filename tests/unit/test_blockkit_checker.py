"""The strict Block Kit checker refuses what Slack refuses, names the rule and the place, and sees what
the bot sent through the fake Web API (so the end-to-end hook in tests/e2e/conftest.py has teeth)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk import WebClient

from tests.support.blockkit import BlockKitViolation, check_ack_body, check_calls, check_message, check_view
from tests.support.fake_slack import FakeSlack


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def button(text: str = "Done", action_id: str = "done", value: str | None = "1") -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id}
    if value is not None:
        element["value"] = value
    return element


GOOD_MESSAGE: dict[str, Any] = {
    "text": "Your morning digest",
    "blocks": [
        {"type": "header", "text": plain("Today")},
        {"type": "section", "block_id": "fu_1", "text": mrkdwn("*Acme* — call back <@U1> &amp; co")},
        {"type": "actions", "block_id": "fu_1_actions", "elements": [button(), button("Later", "later")]},
        {"type": "context", "elements": [mrkdwn("… and 3 more.")]},
        {"type": "divider"},
    ],
}

GOOD_MODAL: dict[str, Any] = {
    "type": "modal",
    "callback_id": "log_meeting",
    "title": plain("Log a meeting"),
    "submit": plain("Log"),
    "close": plain("Cancel"),
    "private_metadata": json.dumps({"channel": "C1"}),
    "blocks": [
        {
            "type": "input",
            "block_id": "kind",
            "label": plain("Kind"),
            "element": {
                "type": "static_select",
                "action_id": "kind",
                "options": [{"text": plain("Visit"), "value": "visit"}],
            },
        }
    ],
}


def select(options: list[dict[str, Any]]) -> dict[str, Any]:
    """A static select offering `options`, as a section's accessory."""
    return {"type": "static_select", "action_id": "pick", "options": options}


def with_message(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    message = copy.deepcopy(GOOD_MESSAGE)
    change(message)
    return message


def with_modal(change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    view = copy.deepcopy(GOOD_MODAL)
    change(view)
    return view


BAD_MESSAGES: dict[str, tuple[Callable[[dict[str, Any]], None], str, str]] = {
    "51 blocks": (lambda m: m.update(blocks=[{"type": "divider"}] * 51), "blocks.max_items", "blocks"),
    "section text of 3,001": (
        lambda m: m["blocks"][1]["text"].update(text="x" * 3001),
        "section.text.max_length",
        "blocks[1].text.text",
    ),
    "header of 151": (
        lambda m: m["blocks"][0]["text"].update(text="x" * 151),
        "header.text.max_length",
        "blocks[0].text.text",
    ),
    "mrkdwn header": (
        lambda m: m["blocks"][0].update(text=mrkdwn("x")),
        "text.plain_text_only",
        "blocks[0].text",
    ),
    "11 fields": (
        lambda m: m["blocks"].append({"type": "section", "fields": [mrkdwn("f")] * 11}),
        "section.fields.max_items",
        "blocks[5].fields",
    ),
    "field of 2,001": (
        lambda m: m["blocks"].append({"type": "section", "fields": [mrkdwn("f" * 2001)]}),
        "section.field.max_length",
        "blocks[5].fields[0].text",
    ),
    "11 context elements": (
        lambda m: m["blocks"][3].update(elements=[mrkdwn("c")] * 11),
        "context.elements.max_items",
        "blocks[3].elements",
    ),
    "button text of 76": (
        lambda m: m["blocks"][2]["elements"][0]["text"].update(text="b" * 76),
        "button.text.max_length",
        "blocks[2].elements[0].text.text",
    ),
    "button value of 2,001": (
        lambda m: m["blocks"][2]["elements"][0].update(value="v" * 2001),
        "button.value",
        "blocks[2].elements[0].value",
    ),
    "empty button value": (
        lambda m: m["blocks"][2]["elements"][0].update(value=""),
        "button.value",
        "blocks[2].elements[0].value",
    ),
    "action_id of 256": (
        lambda m: m["blocks"][2]["elements"][0].update(action_id="a" * 256),
        "action_id.max_length",
        "blocks[2].elements[0].action_id",
    ),
    "block_id of 256": (
        lambda m: m["blocks"][1].update(block_id="b" * 256),
        "block_id.max_length",
        "blocks[1].block_id",
    ),
    "duplicate block ids": (
        lambda m: m["blocks"][2].update(block_id="fu_1"),
        "block_id.unique",
        "blocks[2].block_id",
    ),
    "duplicate action ids": (
        lambda m: m["blocks"][2]["elements"][1].update(action_id="done"),
        "action_id.unique_in_block",
        "blocks[2].elements[1].action_id",
    ),
    "empty text": (lambda m: m["blocks"][1]["text"].update(text="  "), "text.empty", "blocks[1].text.text"),
    "unknown block": (lambda m: m["blocks"].append({"type": "sparkles"}), "block.unknown", "blocks[5]"),
    "unknown key": (lambda m: m["blocks"][4].update(colour="red"), "block.slack_sdk.round_trip", "blocks[4]"),
    "too much text in all": (
        lambda m: m.update(blocks=[{"type": "section", "text": mrkdwn("x" * 2500)} for _ in range(5)]),
        "message.blocks_text.max_length (msg_blocks_too_long)",
        "blocks",
    ),
    "text of 40,001": (lambda m: m.update(text="t" * 40_001), "message.text.max_length", "text"),
    "no fallback text": (lambda m: m.pop("text"), "message.fallback_text", "text"),
    "cut link": (
        lambda m: m["blocks"][1]["text"].update(text="see <https://example.com|the do…"),
        "mrkdwn.open_link",
        "blocks[1].text.text",
    ),
    "cut entity": (
        lambda m: m["blocks"][1]["text"].update(text="R&am…"),
        "mrkdwn.cut_entity",
        "blocks[1].text.text",
    ),
    "open code block": (
        lambda m: m["blocks"][1]["text"].update(text="```\n█████ 12…"),
        "mrkdwn.open_code_block",
        "blocks[1].text.text",
    ),
    "101 options": (
        lambda m: m["blocks"][1].update(
            accessory=select([{"text": plain(str(i)), "value": str(i)} for i in range(101)])
        ),
        "static_select.options.max_items",
        "blocks[1].accessory.options",
    ),
    "option text of 76": (
        lambda m: m["blocks"][1].update(accessory=select([{"text": plain("o" * 76), "value": "1"}])),
        "option.text.max_length",
        "blocks[1].accessory.options[0].text.text",
    ),
    "option value of 151": (
        lambda m: m["blocks"][1].update(accessory=select([{"text": plain("o"), "value": "v" * 151}])),
        "option.value",
        "blocks[1].accessory.options[0].value",
    ),
}


def test_a_good_message_and_modal_pass() -> None:
    check_message(GOOD_MESSAGE)
    check_view(GOOD_MODAL)
    check_view({"type": "home", "blocks": GOOD_MESSAGE["blocks"]})


@pytest.mark.parametrize("case", sorted(BAD_MESSAGES))
def test_the_checker_refuses_what_slack_refuses(case: str) -> None:
    change, rule, path = BAD_MESSAGES[case]
    with pytest.raises(BlockKitViolation) as raised:
        check_message(with_message(change), "chat.postMessage#0")
    assert raised.value.rule == rule, str(raised.value)
    assert raised.value.path == f"chat.postMessage#0 {path}", str(raised.value)
    assert rule in str(raised.value) and path in str(raised.value)


BAD_VIEWS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "title of 25": (lambda v: v["title"].update(text="t" * 25), "modal.title.max_length"),
    "submit of 25": (lambda v: v["submit"].update(text="s" * 25), "modal.submit.max_length"),
    "close of 25": (lambda v: v["close"].update(text="c" * 25), "modal.close.max_length"),
    "no submit with inputs": (lambda v: v.pop("submit"), "modal.submit.required"),
    "private_metadata of 3,001": (
        lambda v: v.update(private_metadata="m" * 3001),
        "view.private_metadata.max_length",
    ),
    "callback_id of 256": (lambda v: v.update(callback_id="c" * 256), "view.callback_id.max_length"),
    "101 blocks": (lambda v: v.update(blocks=[{"type": "divider"}] * 101), "blocks.max_items"),
}


@pytest.mark.parametrize("case", sorted(BAD_VIEWS))
def test_the_checker_refuses_bad_views(case: str) -> None:
    change, rule = BAD_VIEWS[case]
    with pytest.raises(BlockKitViolation) as raised:
        check_view(with_modal(change))
    assert raised.value.rule == rule, str(raised.value)


def test_a_home_view_of_100_blocks_passes_and_a_message_of_100_does_not() -> None:
    blocks = [{"type": "divider"}] * 100
    check_view({"type": "home", "blocks": blocks})
    with pytest.raises(BlockKitViolation, match="blocks.max_items"):
        check_message({"text": "x", "blocks": blocks})


def test_what_the_bot_sent_through_the_fake_is_checked() -> None:
    with FakeSlack() as fake:
        client = WebClient(token="xoxb-test", base_url=fake.base_url)
        client.chat_postMessage(channel="C1", **GOOD_MESSAGE)
        client.views_publish(user_id="U1", view={"type": "home", "blocks": GOOD_MESSAGE["blocks"]})
        client.auth_test()  # not a message: not checked
        assert check_calls(fake.calls) == 2
        too_long = {"text": "x", "blocks": [{"type": "section", "text": mrkdwn("x" * 3001)}]}
        client.chat_update(channel="C1", ts="1.2", **too_long)
        with pytest.raises(BlockKitViolation) as raised:
            check_calls(fake.calls)
    assert raised.value.rule == "section.text.max_length"
    assert raised.value.path == "chat.update#3 blocks[0].text.text"


def test_a_reply_in_an_ack_body_is_checked() -> None:
    assert not check_ack_body("")
    assert not check_ack_body("ok")
    assert check_ack_body(json.dumps({"response_type": "ephemeral", **GOOD_MESSAGE}))
    with pytest.raises(BlockKitViolation, match="header.text.max_length"):
        check_ack_body(json.dumps(with_message(lambda m: m["blocks"][0]["text"].update(text="h" * 151))))


# ------------------------------------------------------------------ the settings modal's elements


def settings_view(element: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": plain("Team settings"),
        "submit": plain("Save"),
        "blocks": [{"type": "input", "block_id": "b", "label": plain("Field"), "element": element}],
    }


def option(value: str) -> dict[str, Any]:
    return {"text": plain(value), "value": value}


@pytest.mark.parametrize(
    ("element", "rule"),
    [
        ({"type": "timepicker", "action_id": "t", "initial_time": "9:00"}, "timepicker.initial_time"),
        ({"type": "timepicker", "action_id": "t", "initial_time": "24:00"}, "timepicker.initial_time"),
        (
            {"type": "conversations_select", "action_id": "c", "filter": {"include": ["channels"]}},
            "conversations_select.filter.include",
        ),
        (
            {"type": "conversations_select", "action_id": "c", "filter": {"include": []}},
            "conversations_select.filter.include",
        ),
        (
            {"type": "conversations_select", "action_id": "c", "initial_conversation": ""},
            "conversations_select.initial_conversation",
        ),
        (
            {"type": "multi_users_select", "action_id": "u", "initial_users": "U1"},
            "multi_users_select.initial_users",
        ),
        (
            {"type": "multi_users_select", "action_id": "u", "max_selected_items": 0},
            "multi_users_select.max_selected_items",
        ),
        (
            {
                "type": "checkboxes",
                "action_id": "d",
                "options": [option("mon"), option("tue")],
                "initial_options": [option("sun")],
            },
            "initial_options.offered",
        ),
    ],
)
def test_the_settings_elements_are_checked(element: dict[str, Any], rule: str) -> None:
    with pytest.raises(BlockKitViolation, match=rule.replace(".", r"\.")):
        check_view(settings_view(element))


def test_well_formed_settings_elements_pass() -> None:
    for element in (
        {"type": "timepicker", "action_id": "t", "initial_time": "09:00"},
        {"type": "conversations_select", "action_id": "c", "filter": {"include": ["public", "private"]}},
        {"type": "multi_users_select", "action_id": "u", "initial_users": ["U1", "U2"]},
        {
            "type": "checkboxes",
            "action_id": "d",
            "options": [option("mon")],
            "initial_options": [option("mon")],
        },
    ):
        check_view(settings_view(element))
