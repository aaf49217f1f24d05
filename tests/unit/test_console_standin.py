"""The console's stand-in for Slack answers every Web API method Pyramid calls; nothing fails on purpose."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk import WebClient

from bot.console.standin import SlackStandIn

BOT = Path(__file__).resolve().parents[2] / "bot"
# WebClient methods that make more than one call.
SEVERAL = {"files_upload_v2": {"files.getUploadURLExternal", "files.completeUploadExternal"}}


def methods_pyramid_calls() -> set[str]:
    """Web API methods called as `client.x_y(` or `slack.x_y(` anywhere in bot/ outside the console."""
    found: set[str] = {"auth.test"}  # Bolt's first request
    for path in BOT.rglob("*.py"):
        if "console" in path.relative_to(BOT).parts:
            continue
        for name in re.findall(r"\b(?:client|slack)\.([a-z]+_[A-Za-z0-9_]+)\(", path.read_text("utf-8")):
            found |= SEVERAL.get(name, {name.replace("_", ".", 1)})
    return found


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as slack:
        yield slack


def test_every_method_pyramid_calls_has_an_answer(standin: SlackStandIn) -> None:
    called = methods_pyramid_calls()
    assert {"chat.postMessage", "views.open", "users.info"} <= called  # the scan finds the calls
    assert called - standin.api.answers.keys() == set()


def test_no_failure_injection_in_the_product() -> None:
    for name in ("fail", "fail_next", "set_membership", "wait_for", "add_listener"):
        assert not hasattr(SlackStandIn, name)
    for path in BOT.rglob("*.py"):
        assert "tests." not in "".join(re.findall(r"^\s*(?:from|import) \S+", path.read_text("utf-8"), re.M))


def test_posts_land_in_the_history_that_delivery_reads(standin: SlackStandIn) -> None:
    client = WebClient(token="xoxb-console", base_url=standin.base_url)
    posted = client.chat_postMessage(
        channel="U1", text="hello", metadata={"event_type": "e", "event_payload": {}}
    )
    assert posted["channel"] == "DU1"
    history = client.conversations_history(channel="DU1", include_all_metadata=True)
    assert [message["text"] for message in history["messages"]] == ["hello"]
    assert history["messages"][0]["metadata"]["event_type"] == "e"
    assert client.conversations_join(channel="C1")["channel"]["is_member"] is True
    assert [call.method for call in standin.calls] == [
        "chat.postMessage",
        "conversations.history",
        "conversations.join",
    ]
