"""What must never get through: unsigned or stale requests, repeated deliveries, and values that name
another workspace's data (forged buttons, selects and "did you mean" answers)."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
import urllib.error
import urllib.request
import uuid
from typing import Any
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import select

from bot.db import Database
from bot.models import Account, Activity, PendingRequest
from tests.support.database import all_accounts, row_counts
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_TEAM, SIGNING_SECRET, TEAM, USER
from tests.support.slack_driver import Sent, SlackDriver, find_button, option, text_of
from tests.support.slack_driver import command_fields as slack_command_fields

EMPTY = {"Account": 0, "Activity": 0, "StepChange": 0, "PendingRequest": 0}


def snapshot(db: Database) -> list[tuple[Any, ...]]:
    """Every account and activity of both teams, to compare before and after."""
    with db.transaction() as s:
        accounts = [
            (a.id, a.team_id, a.name, a.owner_id, a.step, a.segment, a.last_touch_on, a.in_person_meetings)
            for a in s.scalars(select(Account).order_by(Account.id))
        ]
        activities = [(a.id, a.account_id, a.kind) for a in s.scalars(select(Activity).order_by(Activity.id))]
        pending = [p.id for p in s.scalars(select(PendingRequest).order_by(PendingRequest.id))]
    return [*accounts, *activities, *pending]


def command_fields(text: str, slack: FakeSlack, trigger_id: str = "trig.raw") -> dict[str, str]:
    return slack_command_fields("/meeting", text, USER, TEAM, slack.response_url("raw"), trigger_id)


# --------------------------------------------------------------------------------------------- signatures


@pytest.mark.parametrize(
    "how",
    [
        pytest.param({"sign": False}, id="unsigned"),
        pytest.param({"secret": "not-the-signing-secret"}, id="wrong-secret"),
        pytest.param({"timestamp": -600}, id="ten-minutes-old"),
        pytest.param({"timestamp": +600}, id="ten-minutes-ahead"),
    ],
)
def test_refused_requests_store_and_post_nothing(
    driver: SlackDriver, slack: FakeSlack, db: Database, how: dict[str, Any]
) -> None:
    if "timestamp" in how:
        how = {"timestamp": int(time.time()) + how["timestamp"]}  # relative to now, not to collection
    sent, _ = driver.command("/meeting", "Acme visit", **how)
    pressed = driver.payload(
        {"type": "block_actions", "team": {"id": TEAM}, "user": {"id": USER}, "actions": []}, **how
    )

    assert sent.status == 401, sent
    assert pressed.status == 401, pressed
    assert row_counts(db) == EMPTY
    # Refused before any listener ran: not even the user's profile was looked up.
    assert [c.method for c in slack.calls] == []


def test_a_body_changed_after_signing_is_refused(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    ts = str(int(time.time()))
    signed = urlencode(command_fields("Acme visit", slack))
    forged = urlencode(command_fields("Acme won 999M", slack))
    signature = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=ts, body=signed)
    request = urllib.request.Request(
        driver.url,
        data=forged.encode(),
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature,
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code

    assert status == 401
    assert row_counts(db) == EMPTY
    assert slack.calls == []


def test_a_correctly_signed_request_is_accepted(driver: SlackDriver, db: Database) -> None:
    """The control for the refusals above: the same command, signed, is stored."""
    reply = driver.run("/meeting", "Acme visit")
    assert "Logged a visit" in text_of(reply)
    assert row_counts(db)["Activity"] == 1


def test_healthz(driver: SlackDriver) -> None:
    base = driver.url.removesuffix("/slack/events")
    with urllib.request.urlopen(base + "/healthz", timeout=5) as response:
        assert response.status == 200
        assert response.read().strip() == b"ok"


# --------------------------------------------------------------------------------------------- repeats


@pytest.mark.parametrize(
    ("command", "text", "kind"),
    [("/meeting", "Acme visit", "visit"), ("/deal", "アクメ 受注 120万", "won")],
)
def test_the_same_command_delivered_twice_stores_one_activity(
    driver: SlackDriver, db: Database, command: str, text: str, kind: str
) -> None:
    trigger = f"trig.{uuid.uuid4().hex}"
    first = driver.run(command, text, trigger_id=trigger)
    second = driver.run(command, text, trigger_id=trigger)

    [account] = all_accounts(db)
    with db.transaction() as s:
        activities = list(s.scalars(select(Activity)))
    assert [(a.kind, a.request_key) for a in activities] == [(kind, f"command:{trigger}")]
    assert row_counts(db) == {"Account": 1, "Activity": 1, "StepChange": 1, "PendingRequest": 0}
    assert account.in_person_meetings + account.deals_won == 1

    assert "Already logged" not in text_of(first)
    body = text_of(second)
    assert "Already logged: this request was received before, so nothing new was stored." in body, body
    assert "New account" not in body
    assert "Step unchanged." in body

    # Another delivery (a new trigger id) is a new activity.
    driver.run(command, text)
    assert row_counts(db)["Activity"] == 2


def test_simultaneous_deliveries_of_one_command_store_one_activity(driver: SlackDriver, db: Database) -> None:
    driver.run("/pyramid")  # users.info cached, so the three deliveries race on the database only
    copies = driver.same_delivery("/meeting", "Acme visit", "trig.same-delivery")

    replies = [text_of(driver.reply(key)) for _sent, key in copies]
    assert [sent.status for sent, _key in copies] == [200, 200, 200]
    assert row_counts(db) == {"Account": 1, "Activity": 1, "StepChange": 1, "PendingRequest": 0}
    assert sum("Already logged" in r for r in replies) == 2, replies
    assert not any("went wrong" in r for r in replies), replies


# --------------------------------------------------------------------------------------------- other teams


@pytest.fixture
def theirs(driver: SlackDriver, db: Database) -> Account:
    """An account of OTHER_TEAM, created through its own command."""
    driver.run("/deal", "Acme won 5M -- their secret deal", team=OTHER_TEAM)
    [account] = all_accounts(db, OTHER_TEAM)
    return account


@pytest.mark.parametrize("action_id", ["open_log_meeting", "open_log_deal"])
def test_a_card_button_naming_another_teams_account_opens_nothing(
    driver: SlackDriver, slack: FakeSlack, db: Database, theirs: Account, action_id: str
) -> None:
    driver.run("/meeting", "Globex visit")
    card = driver.run("/account", "Globex")
    before = snapshot(db)

    sent, key = driver.press(card, action_id, value=str(theirs.id))
    answer = driver.reply(key)

    assert sent.status == 200
    assert "That account no longer exists in this workspace." in text_of(answer)
    assert "Acme" not in text_of(answer)
    assert slack.calls_to("views.open") == []
    assert snapshot(db) == before


def test_a_which_account_button_naming_another_teams_account_shows_nothing(
    driver: SlackDriver, db: Database, theirs: Account
) -> None:
    driver.run("/meeting", "Acme Trading visit")
    question = driver.run("/account", "Acme Tradin")
    before = snapshot(db)

    _, key = driver.press(question, "show_account_0", value=str(theirs.id))
    answer = driver.reply(key)

    assert "no longer exists" in text_of(answer)
    assert "secret" not in text_of(answer) and "5,000,000" not in text_of(answer)
    assert snapshot(db) == before


def test_account_command_cannot_see_another_teams_account(
    driver: SlackDriver, db: Database, theirs: Account
) -> None:
    missing = driver.run("/account", "Acme")
    assert "No account is called *Acme*" in text_of(missing)
    assert "their secret deal" not in text_of(missing)

    # Editing it from TEAM is refused too.
    before = snapshot(db)
    edit = driver.run("/account", "Acme owner <@U0REP1>")
    assert "No account is called *Acme*" in text_of(edit)
    assert snapshot(db) == before

    # With an account of the same name in both teams, each sees its own.
    driver.run("/meeting", "ACME visit")
    ours = driver.run("/account", "Acme")
    assert "*Step* 1.3 met once" in text_of(ours)
    assert "5,000,000" not in text_of(ours)
    theirs_card = driver.run("/account", "Acme", team=OTHER_TEAM)
    assert "*Step* 3.1 one deal won" in text_of(theirs_card)
    assert [a.step for a in all_accounts(db)] == ["met"]
    assert [a.step for a in all_accounts(db, OTHER_TEAM)] == ["won"]


def test_a_modal_submission_naming_another_teams_account_stores_nothing(
    driver: SlackDriver, slack: FakeSlack, db: Database, theirs: Account
) -> None:
    driver.command("/meeting", "")
    view = slack.wait_for("views.open")[0].body["view"]
    before = snapshot(db)

    values = {
        "account": {"account_select": {"type": "external_select", "selected_option": option(str(theirs.id))}},
        "kind": {"kind": {"type": "radio_buttons", "selected_option": option("visit")}},
        "date": {"date": {"type": "datepicker", "selected_date": "2026-11-22"}},
        "note": {"note": {"type": "plain_text_input", "value": None}},
    }
    answer = driver.submit(view, values)

    # Refused inside the modal itself, which stays open with what the rep typed.
    assert answer.status == 200
    assert answer.json()["response_action"] == "errors"
    assert "no longer exists" in answer.json()["errors"]["account"]
    assert snapshot(db) == before


@pytest.mark.parametrize("name", ["   ", "", "N" * 500], ids=["blank", "empty", "too-long"])
def test_a_forged_new_account_name_in_a_modal_stores_nothing(
    driver: SlackDriver, slack: FakeSlack, db: Database, name: str
) -> None:
    driver.command("/meeting", "")
    view = slack.wait_for("views.open")[0].body["view"]
    values = {
        "account": {"account_select": {"type": "external_select", "selected_option": option("new:" + name)}},
        "kind": {"kind": {"type": "radio_buttons", "selected_option": option("visit")}},
        "date": {"date": {"type": "datepicker", "selected_date": "2026-11-22"}},
        "note": {"note": {"type": "plain_text_input", "value": None}},
    }
    answer = driver.submit(view, values)

    # The select's value comes back from the client: the name in it is checked like a typed one.
    assert answer.json()["response_action"] == "errors", answer
    assert set(answer.json()["errors"]) == {"account"}
    assert row_counts(db) == EMPTY
    assert slack.calls_to("chat.postEphemeral") == []


# ----------------------------------------------------------------------------------------- near-match values


@pytest.fixture
def question(driver: SlackDriver, db: Database) -> dict[str, Any]:
    """TEAM's open "did you mean Acme Trading?" question (one parked request)."""
    driver.run("/meeting", "Acme Trading visit")
    asked = driver.run("/meeting", "Acme Tradin visit")
    find_button(asked, "near_match_use_0")
    return asked


def their_pending(driver: SlackDriver, db: Database) -> tuple[str, int]:
    """OTHER_TEAM's own open question: (its pending id, its account id)."""
    driver.run("/meeting", "Acme Trading call", team=OTHER_TEAM)
    asked = driver.run("/meeting", "Acme Tradin call", team=OTHER_TEAM)
    value = json.loads(find_button(asked, "near_match_use_0")[0]["value"])
    return value["p"], value["a"]


def test_forged_near_match_values_change_nothing(
    driver: SlackDriver, db: Database, question: dict[str, Any]
) -> None:
    pending_id, their_account = their_pending(driver, db)
    [ours] = all_accounts(db)
    our_pending = json.loads(find_button(question, "near_match_use_0")[0]["value"])["p"]
    forged = [
        "not json at all",
        "",
        "[]",
        '{"p": "../../etc"}',
        json.dumps({"p": our_pending, "a": ours.id, "extra": 1}),
        json.dumps({"p": our_pending, "a": -1}),
        json.dumps({"p": pending_id, "a": their_account}),  # another team's question and account
        json.dumps({"p": pending_id, "a": ours.id}),  # another team's question, our account
        json.dumps({"p": pending_id}),  # another team's question, "create"
        json.dumps({"p": our_pending, "a": their_account}),  # our question, another team's account
    ]
    before = snapshot(db)
    for value in forged:
        for action in ("near_match_use_0", "near_match_create"):
            sent, key = driver.press(question, action, value=value)
            assert sent.status == 200
            answer = driver.reply(key)
            body = text_of(answer)
            assert "already been made" in body or "no longer exists" in body, (value, body)
            assert "Logged" not in body
            assert snapshot(db) == before, value

    # The real answer still works afterwards, and only for TEAM.
    _, key = driver.press(question, "near_match_use_0")
    assert "Logged a visit with *Acme Trading*" in text_of(driver.reply(key))
    assert len(all_accounts(db)) == 1
    assert [a.in_person_meetings for a in all_accounts(db)] == [2]
    their_accounts = all_accounts(db, OTHER_TEAM)
    assert [(a.name, a.remote_touches) for a in their_accounts] == [("Acme Trading", 1)]
    with db.transaction() as s:
        assert s.scalar(select(PendingRequest.team_id).where(PendingRequest.id == pending_id)) == OTHER_TEAM


# --------------------------------------------------------------------------------------------- hostile bodies


def post_raw(
    url: str,
    raw: bytes,
    *,
    content_type: str = "application/x-www-form-urlencoded",
    sign: bool = True,
    headers: dict[str, str] | None = None,
) -> Sent:
    """Sends bytes as they are (they need not be UTF-8), signed over those bytes as Slack signs."""
    sent_headers = {"Content-Type": content_type, **(headers or {})}
    if sign:
        ts = str(int(time.time()))
        base = b"v0:" + ts.encode() + b":" + raw
        digest = hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()
        sent_headers |= {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": "v0=" + digest}
    request = urllib.request.Request(url, data=raw, headers=sent_headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Sent(response.status, response.read().decode())
    except urllib.error.HTTPError as error:
        return Sent(error.code, error.read().decode(errors="replace"))


def form_bytes(fields: dict[str, str]) -> bytes:
    return urlencode(fields).encode()


JSON = "application/json"
HOSTILE = [
    pytest.param(b"payload=", "application/x-www-form-urlencoded", id="empty-payload"),
    pytest.param(b"payload={not-json", "application/x-www-form-urlencoded", id="payload-not-json"),
    pytest.param(b"payload=%7Bnot-json", "application/x-www-form-urlencoded", id="payload-not-json-encoded"),
    pytest.param(b"payload=[]", "application/x-www-form-urlencoded", id="payload-list"),
    pytest.param(b"payload=null", "application/x-www-form-urlencoded", id="payload-null"),
    pytest.param(b"payload=%22text%22", "application/x-www-form-urlencoded", id="payload-string"),
    pytest.param(b"\xff\xfepayload=\xc3(", "application/x-www-form-urlencoded", id="invalid-utf8-form"),
    pytest.param(b'{"type": "\xff"}', JSON, id="invalid-utf8-json"),
    pytest.param(b"[]", JSON, id="json-list"),
    pytest.param(b"null", JSON, id="json-null"),
    pytest.param(b"{", JSON, id="json-truncated"),
    pytest.param(b"[" * 100_000 + b"]" * 100_000, JSON, id="json-nested-100k"),
    pytest.param(b'{"type": "event_callback"}', JSON, id="event-without-event"),
    pytest.param(b'{"type": "block_actions", "user": {"id": "U0REP1"}}', JSON, id="interaction-as-json"),
    pytest.param(b'{"type": "url_verification"}', JSON, id="url-verification-without-challenge"),
    pytest.param(b"", "application/x-www-form-urlencoded", id="empty"),
    pytest.param(b"hello", "text/plain", id="plain-text"),
    pytest.param(b"a=1&b=2", "application/x-www-form-urlencoded", id="form-of-nothing"),
    pytest.param(
        form_bytes({"payload": json.dumps({"type": "block_actions", "user": {"id": USER}, "actions": []})}),
        "application/x-www-form-urlencoded",
        id="block-actions-without-actions",
    ),
    pytest.param(
        form_bytes({"payload": json.dumps({"type": "block_actions", "actions": [{"action_id": "x"}]})}),
        "application/x-www-form-urlencoded",
        id="block-actions-without-user",
    ),
    pytest.param(
        form_bytes({"payload": json.dumps({"type": "view_submission", "user": {"id": USER}, "view": None})}),
        "application/x-www-form-urlencoded",
        id="view-submission-without-view",
    ),
    pytest.param(
        form_bytes({"payload": json.dumps({"type": "nonsense", "user": {"id": USER}})}),
        "application/x-www-form-urlencoded",
        id="payload-of-unknown-type",
    ),
    pytest.param(
        form_bytes({"payload": json.dumps({"type": "block_suggestion", "user": {"id": USER}, "team": 5})}),
        "application/x-www-form-urlencoded",
        id="payload-with-a-team-that-is-a-number",
    ),
]


def no_traceback(caplog: pytest.LogCaptureFixture) -> None:
    assert [r.getMessage() for r in caplog.records if r.exc_info or r.stack_info] == []
    assert "Traceback" not in caplog.text


def refusals(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.server"]


@pytest.mark.parametrize("signed", [False, True], ids=["unsigned", "signed"])
@pytest.mark.parametrize(("raw", "content_type"), HOSTILE)
def test_a_hostile_body_gets_a_4xx_fast_and_one_log_line(
    driver: SlackDriver,
    slack: FakeSlack,
    db: Database,
    caplog: pytest.LogCaptureFixture,
    raw: bytes,
    content_type: str,
    signed: bool,
) -> None:
    caplog.set_level(logging.INFO)
    started = time.monotonic()
    sent = post_raw(driver.url, raw, content_type=content_type, sign=signed)
    elapsed = time.monotonic() - started

    # Unsigned: refused before anything is parsed. Signed: refused as malformed.
    assert sent.status == (400 if signed else 401), sent
    assert elapsed < 1.0
    [line] = refusals(caplog)
    assert line.levelno == logging.WARNING
    assert ("unsigned" in line.getMessage()) is not signed
    assert "\n" not in line.getMessage()
    assert SIGNING_SECRET not in caplog.text
    if len(raw) > 8:
        assert raw.decode(errors="replace") not in caplog.text  # the body is never logged
    no_traceback(caplog)
    assert row_counts(db) == EMPTY
    assert slack.calls == []


@pytest.mark.parametrize("missing", ["team_id", "user_id", "trigger_id", "command", "response_url"])
@pytest.mark.parametrize("how", ["absent", "blank"])
def test_a_signed_command_missing_a_field_gets_a_400_not_a_handler_error(
    driver: SlackDriver,
    slack: FakeSlack,
    db: Database,
    caplog: pytest.LogCaptureFixture,
    missing: str,
    how: str,
) -> None:
    fields = command_fields("Acme visit", slack)
    if how == "absent":
        del fields[missing]
    else:
        fields[missing] = ""
    sent = driver.form(fields)

    assert sent.status == 400, sent
    assert missing in sent.body
    assert len(refusals(caplog)) == 1
    no_traceback(caplog)
    assert row_counts(db) == EMPTY
    assert slack.calls == []


def test_a_body_over_a_megabyte_is_refused_unread(
    driver: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    sent = post_raw(driver.url, b"payload=" + b"x" * (1024 * 1024 + 1))
    assert sent.status == 413
    no_traceback(caplog)


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": "not-a-number", "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": "9" * 40, "X-Slack-Signature": "v0=00"},
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "garbage"},
        {"X-Slack-Request-Timestamp": str(int(time.time()))},
    ],
    ids=["timestamp-not-a-number", "timestamp-huge", "signature-garbage", "signature-missing"],
)
def test_malformed_signature_headers_get_a_401_without_a_traceback(
    driver: SlackDriver, slack: FakeSlack, caplog: pytest.LogCaptureFixture, headers: dict[str, str]
) -> None:
    sent = post_raw(driver.url, form_bytes(command_fields("Acme visit", slack)), sign=False, headers=headers)
    assert sent.status == 401
    assert len(refusals(caplog)) == 1
    no_traceback(caplog)
    assert slack.calls == []


def test_slacks_unsigned_ssl_check_is_answered_and_does_nothing(
    driver: SlackDriver, slack: FakeSlack
) -> None:
    sent = post_raw(driver.url, b"ssl_check=1&token=legacy", sign=False)
    assert sent.status == 200
    assert slack.calls == []
    # Only that exact shape: a command riding on ssl_check=1 is refused unsigned.
    smuggled = post_raw(
        driver.url, b"ssl_check=1&" + form_bytes(command_fields("Acme visit", slack)), sign=False
    )
    assert smuggled.status == 401


def test_a_signed_interaction_from_an_org_wide_install_passes_the_edge(
    driver: SlackDriver, caplog: pytest.LogCaptureFixture
) -> None:
    """The edge checks shape, not policy: "team": null (org-wide install) is a shape Slack sends."""
    payload = {
        "type": "block_suggestion",
        "team": None,
        "enterprise": {"id": "E0ORG"},
        "is_enterprise_install": True,
        "user": {"id": USER, "team_id": TEAM},
        "action_id": "account_select",
        "block_id": "account",
        "value": "Ac",
        "view": {"id": "V0", "type": "modal"},
    }
    driver.payload(payload)
    assert refusals(caplog) == []


def test_the_edge_verifies_even_when_the_app_does_not(settings: Any, db: Database, slack: FakeSlack) -> None:
    """The console builds the app with verify_requests=False; served over HTTP with a secret, the
    edge still verifies. Without a secret and with such an app, nothing verifies (the console)."""
    from slack_sdk import WebClient

    from bot.app import build_app
    from bot.server import wsgi_app

    app = build_app(
        settings,
        db=db,
        client=WebClient(token="xoxb-test", base_url=slack.base_url),
        verify_requests=False,
    )
    # A command no listener takes: past the edge, Bolt answers 404 and nothing runs after.
    raw = form_bytes({**command_fields("Acme visit", slack), "command": "/not-ours"})

    def call(application: Any, headers: dict[str, str]) -> str:
        statuses: list[str] = []
        environ = {
            "REQUEST_METHOD": "POST",
            "PATH_INFO": "/slack/events",
            "CONTENT_TYPE": "application/x-www-form-urlencoded",
            "CONTENT_LENGTH": str(len(raw)),
            "wsgi.input": io.BytesIO(raw),
            "REMOTE_ADDR": "127.0.0.1",
            **headers,
        }
        b"".join(application(environ, lambda status, _headers: statuses.append(status)))
        return statuses[0]

    assert call(wsgi_app(app, signing_secret=SIGNING_SECRET), {}).startswith("401")
    ts = str(int(time.time()))
    signature = (
        "v0=" + hmac.new(SIGNING_SECRET.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256).hexdigest()
    )
    signed = {"HTTP_X_SLACK_REQUEST_TIMESTAMP": ts, "HTTP_X_SLACK_SIGNATURE": signature}
    assert call(wsgi_app(app, signing_secret=SIGNING_SECRET), signed).startswith("404")
    assert call(wsgi_app(app), {}).startswith("404")
