"""An unexpected failure (a bug) is logged with its traceback and an id, and the user gets a short
apology quoting that id: in the ack itself for a command, at the response URL for a button; never a
5xx that Slack would show as a generic failure, and nothing stored."""

from __future__ import annotations

import re

import pytest

from bot.services import pending
from tests.support.slack_driver import SlackDriver, find_button, settle, text_of


def _broken(*_args: object, **_kwargs: object) -> object:
    raise RuntimeError("a bug")


def test_a_command_that_fails_unexpectedly_is_answered_in_its_ack(
    driver: SlackDriver, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("bot.usecases.logs.log_or_ask", _broken)
    sent, _key = driver.command("/meeting", "Acme visit")
    assert sent.status == 200
    reply = sent.json()
    assert reply["response_type"] == "ephemeral"
    match = re.search(r"error id ([0-9a-f]{8})", text_of(reply))
    assert match, text_of(reply)
    assert "nothing was stored" in text_of(reply)
    assert any(match.group(1) in r.getMessage() and r.exc_info for r in caplog.records)


def test_a_button_that_fails_unexpectedly_is_answered_with_an_apology(
    driver: SlackDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    driver.run("/meeting", '"Acme Trading" visit 2026-11-01')
    question = driver.run("/meeting", "Acme Tradin visit")
    find_button(question, "near_match_use_0")
    monkeypatch.setattr("bot.usecases.logs.take", _broken)
    assert pending.take is not _broken  # only the use case's reference is broken

    sent, key = driver.press(question, "near_match_use_0")
    assert sent.status == 200
    settle(driver.slack)
    apology = driver.reply(key)
    assert re.search(r"error id [0-9a-f]{8}", text_of(apology)), text_of(apology)
