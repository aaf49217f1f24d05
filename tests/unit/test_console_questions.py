"""The console's questions (bot.console.questions) driven line by line, without an app or a Slack."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest

from bot.console.flow import Cancelled, Json
from bot.console.payloads import Identity
from bot.console.questions import Questions


def ask(prompt: str) -> Generator[str, str, str]:
    line = yield prompt
    if line.strip().lower() == "cancel":
        raise Cancelled
    return line


def answer(question: Generator[str, str, Json], *lines: str) -> tuple[Json, list[str]]:
    """Feed `lines` to a question; its state and the prompts it showed."""
    prompts = [next(question)]
    try:
        for line in lines:
            prompts.append(question.send(line))
    except StopIteration as stop:
        return stop.value, prompts
    raise AssertionError(f"still asking after {lines}: {prompts[-1]!r}")


@pytest.fixture
def said() -> list[str]:
    return []


@pytest.fixture
def questions(said: list[str]) -> Questions:
    return Questions(ask, said.append, Identity(user_id="U0ME", channel_id="C0HERE"))


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def options(*labels: str) -> list[dict[str, Any]]:
    return [{"text": plain(label), "value": label.lower()} for label in labels]


def no_suggestions(query: str) -> list[tuple[str | None, Json]]:
    return []


def test_a_user_id_me_or_several(questions: Questions, said: list[str]) -> None:
    single = {"type": "users_select"}
    state, prompts = answer(questions.ids(single, "Owner", False, {"type": "users_select"}), "", "C1", "me")
    assert state == {"type": "users_select", "selected_user": "U0ME"}
    assert prompts[0] == "Owner [a user id such as U0ME, or me]: "
    assert said == ["  Owner is required.", "  Type a user id such as U0ME, or me."]
    several = {"type": "multi_users_select"}
    current = {"type": "multi_users_select", "selected_users": ["U1"]}
    state, prompts = answer(questions.ids(several, "Team", True, current), "<@u2|sato>, U3")
    assert state == {"type": "multi_users_select", "selected_users": ["U2", "U3"]}
    assert "Enter keeps @U1" in prompts[0]
    assert answer(questions.ids(several, "Team", True, current), "")[0] == current


def test_channels_accept_here_and_refuse_two_where_one_goes(questions: Questions, said: list[str]) -> None:
    element = {"type": "conversations_select"}
    state, _ = answer(questions.ids(element, "Where", False, {}), "C1 C2", "here")
    assert state == {"type": "conversations_select", "selected_conversation": "C0HERE"}
    assert said == ["  Type a channel id such as C0HERE."]


def test_text_is_checked_kept_or_cleared(questions: Questions, said: list[str]) -> None:
    element = {"type": "plain_text_input", "min_length": 3}
    state, _ = answer(questions.text(element, "Name", False, {"type": "plain_text_input"}), "ab", "abc")
    assert state == {"type": "plain_text_input", "value": "abc"}
    assert said == ["  At least 3 characters, please."]
    kept = {"type": "plain_text_input", "value": "old"}
    assert answer(questions.text(element, "Name", True, kept), "")[0] == kept
    assert answer(questions.text(element, "Name", True, kept), "-")[0] == {
        "type": "plain_text_input",
        "value": None,
    }


def test_multiline_text_ends_at_an_empty_line(questions: Questions) -> None:
    element = {"type": "plain_text_input", "multiline": True}
    state, prompts = answer(questions.text(element, "Note", True, {}), "one", "two", "")
    assert state == {"type": "plain_text_input", "value": "one\ntwo"}
    assert prompts[1:3] == ["… ", "… "]


def test_dates_and_times(questions: Questions, said: list[str]) -> None:
    date_state, _ = answer(
        questions.when({"type": "datepicker"}, "Day", False, {}), "2024-02-30", "2024-02-29"
    )
    assert date_state == {"type": "datepicker", "selected_date": "2024-02-29"}
    time_state, _ = answer(questions.when({"type": "timepicker"}, "At", False, {}), "24:00", "09:30")
    assert time_state == {"type": "timepicker", "selected_time": "09:30"}
    assert said == ["  Type a date as YYYY-MM-DD.", "  Type a time as HH:MM."]


def test_choices_by_number_or_label(questions: Questions, said: list[str]) -> None:
    element = {"type": "static_select", "options": options("Call", "Visit")}
    state, prompts = answer(questions.choice(element, "Kind", False, {}), "3", "visit")
    assert state["selected_option"]["value"] == "visit"
    assert prompts[0] == "Kind [1-2]: "
    assert said == ["Kind", "  1) Call", "  2) Visit", "  Choose a number from 1 to 2."]
    several = {"type": "checkboxes", "options": options("A", "B", "C")}
    state, _ = answer(questions.choice(several, "Tags", True, {}), "1,3")
    assert [option["value"] for option in state["selected_options"]] == ["a", "c"]


def test_a_search_asks_the_bot_then_picks(questions: Questions, said: list[str]) -> None:
    asked: list[str] = []

    def suggest(query: str) -> list[tuple[str | None, Json]]:
        asked.append(query)
        return [("Accounts", option) for option in options("Acme", "Acme Logistics")]

    element = {"type": "external_select", "min_query_length": 2}
    state, prompts = answer(questions.search(element, "Account", False, {}, suggest), "a", "ac", "2")
    assert state["selected_option"]["value"] == "acme logistics"
    assert asked == ["ac"]
    assert prompts[-1].startswith("Account [pick 1-2, or type another search]")
    assert said[0] == "  Type at least 2 characters to search."
    assert answer(questions.search(element, "Account", True, {}, no_suggestions), "")[0] == {
        "type": "external_select",
        "selected_option": None,
    }


def test_cancel_ends_any_question(questions: Questions) -> None:
    question = questions.text({"type": "plain_text_input"}, "Name", False, {})
    next(question)
    with pytest.raises(Cancelled):
        question.send("cancel")
