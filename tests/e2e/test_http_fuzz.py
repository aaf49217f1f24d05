"""Fuzzing the HTTP endpoint (hypothesis): whatever arrives at /slack/events, signed or not, in any
content type, the answer is never a 5xx and the logs never hold a traceback."""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.e2e.test_security import post_raw
from tests.support.fake_slack import FakeSlack
from tests.support.ids import TEAM, USER
from tests.support.slack_driver import SlackDriver, settle

KEYS = [
    "type",
    "user",
    "team",
    "actions",
    "action_id",
    "view",
    "id",
    "callback_id",
    "state",
    "values",
    "value",
    "event",
    "challenge",
    "command",
    "text",
    "team_id",
    "user_id",
    "trigger_id",
    "response_url",
    "ssl_check",
    "token",
]
WORDS = [
    "block_actions",
    "block_suggestion",
    "view_submission",
    "view_closed",
    "event_callback",
    "url_verification",
    "app_home_opened",
    "/meeting",
    "/pyramid",
    "/account",
    "/nothing",
    TEAM,
    USER,
    "1",
    "",
]
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/json",
    "application/json; charset=utf-8",
    "text/plain",
    "multipart/form-data; boundary=x",
    "",
]

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12)
words = st.sampled_from(WORDS) | st.text(max_size=12)
json_values = st.recursive(
    scalars | words,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), children, max_size=5)
    ),
    max_leaves=16,
)
shaped = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=7)


def command_bodies(response_url: str) -> st.SearchStrategy[bytes]:
    """Forms shaped like slash commands, with random text; up to two fields dropped or blanked."""
    fields = st.fixed_dictionaries(
        {
            "command": st.sampled_from(["/meeting", "/deal", "/account", "/pyramid", "/followup", "/nope"]),
            "team_id": st.just(TEAM),
            "user_id": st.just(USER),
            "trigger_id": st.text(min_size=1, max_size=8).map(lambda t: "trig." + t),
            "response_url": st.just(response_url),
            "channel_id": st.just("C0SALES"),
            "text": st.text(max_size=40) | st.sampled_from(["Acme visit", "Acme won 1M", "<@U0REP2|suzuki>"]),
        }
    )
    spoiled = st.sets(
        st.sampled_from(["command", "team_id", "user_id", "trigger_id", "response_url"]), max_size=2
    )

    def spoil(form: dict[str, str], names: set[str], blank: bool) -> bytes:
        for name in names:
            if blank:
                form[name] = ""
            else:
                del form[name]
        return urlencode(form).encode()

    return st.builds(spoil, fields, spoiled, st.booleans())


def press_bodies(response_url: str) -> st.SearchStrategy[bytes]:
    """Button presses on the app's own action ids with forged values, and random ones."""
    action = st.fixed_dictionaries(
        {
            "action_id": st.sampled_from(
                [
                    "near_match_use_0",
                    "near_match_create",
                    "show_account_0",
                    "open_log_meeting",
                    "share_pyramid",
                ]
            )
            | st.text(max_size=8),
            "block_id": st.text(max_size=6),
            "type": st.just("button"),
            "value": st.text(max_size=30) | st.none(),
        }
    )
    payload = st.fixed_dictionaries(
        {
            "type": st.just("block_actions"),
            "team": st.just({"id": TEAM, "domain": "acme"}),
            "user": st.just({"id": USER, "team_id": TEAM}),
            "trigger_id": st.just("trig.fuzz"),
            "response_url": st.just(response_url),
            "container": st.just({"type": "message", "channel_id": "C0SALES", "is_ephemeral": True}),
            "channel": st.just({"id": "C0SALES"}),
            "actions": st.lists(action, max_size=2),
        }
    )
    return payload.map(lambda p: urlencode({"payload": json.dumps(p)}).encode())


def bodies(response_url: str) -> st.SearchStrategy[bytes]:
    return st.one_of(
        st.binary(max_size=120),
        st.text(max_size=120).map(str.encode),
        json_values.map(lambda v: json.dumps(v).encode()),
        shaped.map(lambda v: json.dumps(v).encode()),
        shaped.map(lambda v: urlencode({"payload": json.dumps(v)}).encode()),
        st.dictionaries(st.sampled_from(KEYS), words, max_size=8).map(lambda v: urlencode(v).encode()),
        command_bodies(response_url),
        press_bodies(response_url),
    )


def test_no_body_gets_a_5xx_or_a_traceback(
    driver: SlackDriver, slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    answers: dict[int, int] = {}

    @settings(
        max_examples=300,
        deadline=None,
        derandomize=True,  # the same examples on every run: deterministic in CI
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        raw=bodies(slack.response_url("fuzz")),
        content_type=st.sampled_from(CONTENT_TYPES),
        signed=st.sampled_from([True, True, False]),
    )
    def one(raw: bytes, content_type: str, signed: bool) -> None:
        started = time.monotonic()
        sent = post_raw(driver.url, raw, content_type=content_type, sign=signed)
        assert sent.status < 500, (raw, content_type, signed, sent)
        assert time.monotonic() - started < 3.0
        if not signed and not raw.startswith(b"ssl_check=1"):
            assert sent.status == 401, (raw, sent)
        answers[sent.status] = answers.get(sent.status, 0) + 1
        assert_no_traceback(caplog.records)

    one()
    settle(slack)
    assert_no_traceback(caplog.records)
    # The fuzzing reached past the edge too, not only into its refusals.
    assert answers.get(401, 0) > 30 and answers.get(400, 0) > 50, answers
    assert answers.get(200, 0) + answers.get(404, 0) > 10, answers


def assert_no_traceback(records: list[Any]) -> None:
    failures = [r.getMessage() for r in records if r.exc_info or r.levelno >= logging.ERROR]
    assert failures == []
