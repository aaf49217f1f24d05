"""The console's own words where the bot gave none (an element with no placeholder, a modal with no
title, a field's check) in the user's language; English by default, as before."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot.console.questions import labelled, text_problem
from bot.console.render import render_message, render_modal

ELEMENTS: list[dict[str, Any]] = [
    {"type": "static_select", "action_id": "a", "options": []},
    {"type": "external_select", "action_id": "b"},
    {"type": "users_select", "action_id": "c"},
    {"type": "conversations_select", "action_id": "d"},
    {"type": "datepicker", "action_id": "e"},
    {"type": "timepicker", "action_id": "f"},
]
VIEW: dict[str, Any] = {
    "type": "modal",
    "blocks": [
        {"type": "actions", "block_id": "x", "elements": ELEMENTS},
        {"type": "image", "image_url": "https://example.com/p.png", "alt_text": "pyramid"},
        {"type": "file", "external_id": "f1", "source": "remote"},
    ],
}
_ENGLISH = re.compile(r"[A-Za-z]{4,} [a-z]{3,}|\b(?:choose|search|date|time|text|image|file|Form)\b")


def test_a_view_drawn_in_japanese_has_no_english_word_of_the_console() -> None:
    text, buttons = render_modal(VIEW, locale="ja")
    assert text.startswith("== フォーム ==")
    for shown in ("選択 ▾", "検索 ▾ （入力して検索）", "ユーザーを選択 ▾", "チャンネルを選択 ▾"):
        assert shown in text, text
    assert "日付を選択 ▾ （日付）" in text and "時刻を選択 ▾ （時刻）" in text
    assert "[画像：pyramid]" in text and "[ファイル]" in text
    assert len(buttons) == len(ELEMENTS)
    assert not _ENGLISH.search(text.replace("pyramid", "")), text
    assert render_message({}, locale="ja")[0] == "（空のメッセージ）"


def test_the_same_view_in_english_is_drawn_as_before() -> None:
    text, _ = render_modal(VIEW)
    assert text.startswith("== Form ==")
    assert "search ▾ (type to search)" in text and "pick a date ▾ (date)" in text
    assert "[image: pyramid]" in text and "[file]" in text
    assert render_message({})[0] == "(empty message)"


@pytest.mark.parametrize(
    ("element", "typed", "english", "japanese"),
    [
        ({"type": "plain_text_input", "min_length": 3}, "ab", "At least 3 characters, please.", "3文字以上"),
        ({"type": "plain_text_input", "max_length": 2}, "abc", "At most 2 characters", "2文字以内"),
        ({"type": "email_text_input"}, "nobody", "Type an email address.", "メールアドレス"),
        ({"type": "url_text_input"}, "example", "Type a URL starting", "URL を入力"),
        ({"type": "number_input"}, "x", "Type a whole number.", "整数を入力"),
        ({"type": "number_input", "min_value": "5"}, "3", "The smallest allowed is 5.", "5 以上"),
    ],
)
def test_a_field_check_is_said_in_the_users_language(
    element: dict[str, Any], typed: str, english: str, japanese: str
) -> None:
    assert english in (text_problem(element, typed) or "")
    said = text_problem(element, typed, "ja") or ""
    assert japanese in said and not re.search(r"[A-Za-z]{4,} [a-z]{3,}", said), said


def test_an_optional_label_is_marked_in_the_users_language() -> None:
    assert labelled("Note", True) == "Note (optional)"
    assert labelled("メモ", True, "ja") == "メモ（任意）"
    assert labelled("メモ（任意）", True, "ja") == "メモ（任意）"
