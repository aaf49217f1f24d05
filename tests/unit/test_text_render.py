"""Block Kit rendered as terminal text (bot.console.render): pure, so plain dictionaries in, text out."""

from __future__ import annotations

from typing import Any

from bot.console.elements import ButtonRef, describe_element
from bot.console.mrkdwn import display_width, mrkdwn_to_text
from bot.console.render import DIVIDER, render_blocks, render_message, render_modal, render_view


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def mrkdwn(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


def button(text: str, action_id: str, value: str | None = None, **extra: Any) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "button", "text": plain(text), "action_id": action_id, **extra}
    if value is not None:
        element["value"] = value
    return element


# ----------------------------------------------------------------------------------- mrkdwn


def test_mrkdwn_mentions_links_and_specials_become_readable() -> None:
    text = "Hi <@U123>, see <https://example.com/a|the report> in <#C9|sales> <!here> <https://x.org>"
    assert (
        mrkdwn_to_text(text)
        == "Hi @U123, see the report (https://example.com/a) in #sales @here https://x.org"
    )


def test_mrkdwn_keeps_bold_and_unescapes_entities() -> None:
    assert mrkdwn_to_text("*Acme &amp; Co* &lt;b&gt; _new_") == "*Acme & Co* <b> _new_"


def test_mrkdwn_labelled_mentions_dates_groups_and_mail() -> None:
    text = (
        "<@U1|sato> <!subteam^S1|@sales> <!date^1700000000^{date}|Nov 14> <mailto:a@b.jp|a@b.jp> <!channel>"
    )
    assert mrkdwn_to_text(text) == "@sato @sales Nov 14 a@b.jp @channel"


def test_code_block_keeps_its_spacing_on_lines_of_its_own() -> None:
    drawing = "      █       1  4 Repeater\n   ███████    7  1 Acquaintance"
    text = f"*Team pyramid*\n```\n{drawing}\n```\n1 accounts"
    assert mrkdwn_to_text(text) == f"*Team pyramid*\n```\n{drawing}\n```\n1 accounts"


def test_inline_fence_is_put_on_lines_of_its_own_and_left_untouched() -> None:
    assert mrkdwn_to_text("Look:```  <@U1> &lt;x&gt;```done") == "Look:\n```\n  <@U1> <x>\n```\ndone"


def test_display_width_counts_wide_characters_twice() -> None:
    assert display_width("Acme") == 4
    assert display_width("株式会社") == 8


# ----------------------------------------------------------------------------------- blocks


def test_header_is_underlined_to_its_display_width() -> None:
    text, buttons = render_blocks([{"type": "header", "text": plain("顧客 Acme")}])
    assert text == "顧客 Acme\n=========" and buttons == []


def test_section_with_fields_and_a_button_accessory() -> None:
    block = {
        "type": "section",
        "block_id": "card",
        "text": mrkdwn("*Acme* — <@U1>"),
        "fields": [mrkdwn("*Stage*\n2 Prospect"), mrkdwn("*Owner*\n<@U1>")],
        "accessory": button("Open", "open_card", "42"),
    }
    text, buttons = render_blocks([block])
    assert text == "*Acme* — @U1\n*Stage*  2 Prospect\n*Owner*  @U1\n[1] Open"
    assert buttons == [ButtonRef(1, "open_card", "card", "42", "Open")]


def test_short_section_gets_its_accessory_on_the_same_line() -> None:
    block = {"type": "section", "text": mrkdwn("Acme is lapsing"), "accessory": button("Log", "log", "1")}
    text, _ = render_blocks([block], first_button=4)
    assert text == "Acme is lapsing   [4] Log"


def test_actions_are_numbered_from_first_button_and_keep_their_ids() -> None:
    blocks = [
        {
            "type": "actions",
            "block_id": "acts",
            "elements": [
                button("Log a meeting", "open_log_meeting", "7", style="primary"),
                button("Log a deal", "open_log_deal", "7"),
                button("Docs", "docs", url="https://example.com"),
            ],
        }
    ]
    text, buttons = render_blocks(blocks, first_button=3)
    assert text == "[3] Log a meeting  [4] Log a deal  [5] Docs (https://example.com)"
    assert [(b.number, b.action_id, b.block_id, b.value, b.text) for b in buttons] == [
        (3, "open_log_meeting", "acts", "7", "Log a meeting"),
        (4, "open_log_deal", "acts", "7", "Log a deal"),
        (5, "docs", "acts", None, "Docs"),
    ]
    assert buttons[2].url == "https://example.com"
    assert buttons[0].element["style"] == "primary"


def test_selects_overflow_and_datepicker_are_listed_and_numbered() -> None:
    options = [{"text": plain("Call"), "value": "call"}, {"text": plain("Visit"), "value": "visit"}]
    blocks = [
        {
            "type": "actions",
            "block_id": "a",
            "elements": [
                {
                    "type": "static_select",
                    "action_id": "kind",
                    "placeholder": plain("Kind"),
                    "options": options,
                },
                {"type": "overflow", "action_id": "more", "options": options},
                {"type": "datepicker", "action_id": "when", "initial_date": "2024-05-01"},
                {"type": "external_select", "action_id": "acct", "placeholder": plain("Account")},
            ],
        }
    ]
    text, buttons = render_blocks(blocks)
    assert text == (
        "[1] Kind ▾ (Call / Visit)  [2] ⋯ (Call / Visit)  "
        "[3] 2024-05-01 ▾ (date)  [4] Account ▾ (type to search)"
    )
    assert [b.kind for b in buttons] == ["static_select", "overflow", "datepicker", "external_select"]


def test_select_with_initial_option_shows_it() -> None:
    element = {
        "type": "radio_buttons",
        "action_id": "kind",
        "options": [{"text": plain("Call"), "value": "call"}, {"text": plain("Visit"), "value": "visit"}],
        "initial_option": {"text": plain("Visit"), "value": "visit"},
    }
    text, _ = render_blocks([{"type": "actions", "elements": [element]}])
    assert text == "[1] Visit ▾ (Call / Visit)"


def test_context_divider_and_image() -> None:
    blocks: list[dict[str, Any]] = [
        {
            "type": "context",
            "elements": [{"type": "image", "image_url": "x", "alt_text": "logo"}, mrkdwn("by <@U1>")],
        },
        {"type": "divider"},
        {
            "type": "image",
            "image_url": "https://x/p.png",
            "alt_text": "the pyramid",
            "title": plain("Pyramid"),
        },
        {"type": "image", "image_url": "https://x/q.png", "alt_text": "chart"},
    ]
    text, _ = render_blocks(blocks)
    assert text == f"[image: logo] · by @U1\n{DIVIDER}\nPyramid\n[image: the pyramid]\n[image: chart]"


def test_rich_text_sections_lists_quotes_and_code() -> None:
    block = {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_section",
                "elements": [
                    {"type": "text", "text": "Hello "},
                    {"type": "text", "text": "team", "style": {"bold": True}},
                    {"type": "text", "text": " "},
                    {"type": "user", "user_id": "U1"},
                    {"type": "emoji", "name": "tada", "unicode": "1f389"},
                    {"type": "link", "url": "https://x.org", "text": "site"},
                ],
            },
            {
                "type": "rich_text_list",
                "style": "ordered",
                "elements": [
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "first"}]},
                    {"type": "rich_text_section", "elements": [{"type": "text", "text": "second"}]},
                ],
            },
            {
                "type": "rich_text_list",
                "style": "bullet",
                "indent": 1,
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "nested"}]}],
            },
            {"type": "rich_text_quote", "elements": [{"type": "text", "text": "quoted\nlines"}]},
            {"type": "rich_text_preformatted", "elements": [{"type": "text", "text": "  ▲\n ▲▲▲"}]},
        ],
    }
    text, _ = render_blocks([block])
    assert text == (
        "Hello *team* @U1🎉site (https://x.org)\n1. first\n2. second\n  • nested\n"
        "> quoted\n> lines\n```\n  ▲\n ▲▲▲\n```"
    )


def test_unknown_blocks_are_named_not_dropped() -> None:
    text, _ = render_blocks([{"type": "call", "call_id": "R1"}])
    assert text == "[call block]"


# ---------------------------------------------------------------------------------- messages


def test_message_without_blocks_renders_its_mrkdwn_text() -> None:
    text, buttons = render_message({"text": "Logged a visit with *Acme* <@U1>"})
    assert text == "Logged a visit with *Acme* @U1" and buttons == []


def test_message_blocks_win_over_the_fallback_text() -> None:
    message = {"text": "fallback", "blocks": [{"type": "section", "text": mrkdwn("the *real* one")}]}
    assert render_message(message)[0] == "the *real* one"


def test_message_attachments_are_barred_and_numbered_after_the_blocks() -> None:
    message = {
        "blocks": [{"type": "actions", "elements": [button("A", "a")]}],
        "attachments": [
            {
                "pretext": "Weekly",
                "title": "Summary",
                "text": "3 wins",
                "fields": [{"title": "Stage 1", "value": "12"}],
                "blocks": [{"type": "actions", "elements": [button("B", "b")]}],
                "image_url": "https://x/p.png",
                "fallback": "pyramid image",
            }
        ],
    }
    text, buttons = render_message(message, first_button=2)
    assert text == "[2] A\nWeekly\n│ *Summary*\n│ 3 wins\n│ Stage 1: 12\n│ [3] B\n│ [image: pyramid image]"
    assert [b.action_id for b in buttons] == ["a", "b"]


def test_empty_message_says_so() -> None:
    assert render_message({})[0] == "(empty message)"


# ------------------------------------------------------------------------------------- views


def test_view_shows_its_title_and_non_input_blocks_with_hash_numbered_buttons() -> None:
    view = {
        "type": "modal",
        "title": plain("Log a meeting"),
        "blocks": [
            {"type": "section", "text": mrkdwn("For *Acme*")},
            {
                "type": "input",
                "block_id": "note",
                "label": plain("Note"),
                "element": {"type": "plain_text_input"},
            },
            {"type": "actions", "block_id": "more", "elements": [button("Add attendee", "add")]},
        ],
    }
    text, buttons = render_modal(view)
    assert text == "== Log a meeting ==\nFor *Acme*\n[#1] Add attendee"
    assert buttons[0].action_id == "add" and buttons[0].block_id == "more"
    assert render_view(view) == text


def test_view_with_only_inputs_is_just_its_title() -> None:
    view = {"title": plain("Account"), "blocks": [{"type": "input", "label": plain("A"), "element": {}}]}
    assert render_view(view) == "== Account =="


def test_input_blocks_in_messages_are_described() -> None:
    block = {
        "type": "input",
        "label": plain("Note"),
        "optional": True,
        "element": {"type": "plain_text_input", "placeholder": plain("what happened")},
    }
    assert render_blocks([block])[0] == "Note (optional): (what happened)"


def test_each_element_type_is_described_on_one_line() -> None:
    stages = [{"text": plain("Prospect"), "value": "2"}, {"text": plain("Customer"), "value": "3"}]
    chosen = {"type": "static_select", "placeholder": plain("Stage"), "options": stages}
    picked = describe_element({**chosen, "initial_option": stages[1]})
    assert picked == "Stage: Customer ▾ (Prospect / Customer)"
    assert describe_element({"type": "checkboxes", "options": stages}) == "choose ▾ (Prospect / Customer)"
    assert describe_element({"type": "overflow", "options": stages}) == "⋯ (Prospect / Customer)"
    assert describe_element({"type": "external_select"}) == "search ▾ (type to search)"
    assert describe_element({"type": "multi_users_select", "initial_users": ["U1", "U2"]}) == "@U1, @U2 ▾"
    assert describe_element({"type": "channels_select", "initial_channel": "C1"}) == "#C1 ▾"
    assert describe_element({"type": "datepicker", "initial_date": "2024-05-01"}) == "2024-05-01 ▾ (date)"
    assert describe_element({"type": "timepicker"}) == "pick a time ▾ (time)"
    assert describe_element({"type": "number_input", "initial_value": "3"}) == '"3"'
    assert describe_element({"type": "plain_text_input", "placeholder": plain("Note")}) == "(Note)"
    assert describe_element({"type": "rich_text_input", "placeholder": plain("Say")}) == "Say"
    assert describe_element({"type": "file_input"}) == "(file_input)"
