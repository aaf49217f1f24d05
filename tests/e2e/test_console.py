"""The console plays Slack for a real Bolt app: payloads in, recorded Web API calls rendered as text.

A tiny app of the test's own stands in for Pyramid's handlers: `/meeting` answers with buttons, one
button opens a modal with every kind of input, its account field is served by an options listener,
and the submission is refused once with `response_action: errors`.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.clock import FixedClock
from bot.console.run import slack_locale
from bot.console.session import ConsoleSession
from bot.console.standin import SlackStandIn
from bot.db import Database
from tests.support.console import type_into_console

USER = "U0LOCAL"
ACCOUNTS = ["Acme Corp", "Acme Logistics", "Globex"]


def plain(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def meeting_modal(metadata: str) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": "log_meeting",
        "private_metadata": metadata,
        "notify_on_close": True,
        "title": plain("Log a meeting"),
        "submit": plain("Save"),
        "close": plain("Cancel"),
        "blocks": [
            {"type": "section", "text": {"type": "mrkdwn", "text": "Tell us about the *meeting*."}},
            {
                "type": "input",
                "block_id": "account",
                "label": plain("Account"),
                "element": {"type": "external_select", "action_id": "account", "min_query_length": 1},
            },
            {
                "type": "input",
                "block_id": "kind",
                "label": plain("Kind"),
                "element": {
                    "type": "radio_buttons",
                    "action_id": "kind",
                    "options": [option("Call", "call"), option("Visit", "visit")],
                    "initial_option": option("Visit", "visit"),
                },
            },
            {
                "type": "input",
                "block_id": "date",
                "label": plain("Date"),
                "element": {"type": "datepicker", "action_id": "date", "initial_date": "2024-05-01"},
            },
            {
                "type": "input",
                "block_id": "stage",
                "label": plain("Stage"),
                "element": {
                    "type": "static_select",
                    "action_id": "stage",
                    "options": [option("Prospect", "2"), option("Customer", "3")],
                },
            },
            {
                "type": "input",
                "block_id": "note",
                "optional": True,
                "label": plain("Note"),
                "element": {"type": "plain_text_input", "action_id": "note", "multiline": True},
            },
            {
                "type": "input",
                "block_id": "title",
                "label": plain("Title"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": "title",
                    "initial_value": "Quarterly review",
                },
            },
        ],
    }


def deal_modal(with_extra: bool) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {
            "type": "actions",
            "block_id": "tools",
            "elements": [
                {"type": "button", "action_id": "add_field", "text": plain("Add a field"), "value": "x"}
            ],
        },
        {
            "type": "input",
            "block_id": "amount",
            "label": plain("Amount"),
            "element": {"type": "plain_text_input", "action_id": "amount", "placeholder": plain("1.2M")},
        },
    ]
    if with_extra:
        blocks.append(
            {
                "type": "input",
                "block_id": "extra",
                "label": plain("Extra"),
                "element": {"type": "plain_text_input", "action_id": "extra"},
            }
        )
    return {
        "type": "modal",
        "callback_id": "log_deal",
        "title": plain("Log a deal"),
        "submit": plain("Save"),
        "blocks": blocks,
    }


def build_test_app(fake: SlackStandIn, seen: dict[str, list[Any]]) -> App:
    app = App(
        client=WebClient(base_url=fake.base_url, token="xoxb-test"),
        signing_secret="x",
        request_verification_enabled=False,
        process_before_response=True,
        token_verification_enabled=False,
    )

    def record(name: str, value: Any) -> None:
        seen.setdefault(name, []).append(value)

    @app.command("/meeting")
    def meeting(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        record("commands", command)
        respond(
            text="Log a meeting?",
            blocks=[
                {
                    "type": "section",
                    "text": {
                        "type": "mrkdwn",
                        "text": f"Log a meeting with *{command['text']}*, <@{command['user_id']}>?",
                    },
                },
                {
                    "type": "actions",
                    "block_id": "choices",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": "open_form",
                            "text": plain("Open the form"),
                            "value": "acme",
                        },
                        {"type": "button", "action_id": "done", "text": plain("Done"), "value": "d1"},
                    ],
                },
            ],
        )

    @app.command("/deal")
    def deal(ack: Ack, command: dict[str, Any], client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=command["trigger_id"], view=deal_modal(with_extra=False))

    @app.command("/hello")
    def hello(ack: Ack) -> None:
        ack("Hello from ack, <@U0LOCAL>")

    @app.command("/pick")
    def pick(ack: Ack, respond: Respond) -> None:
        ack()
        select = {
            "type": "static_select",
            "action_id": "pick_stage",
            "placeholder": plain("Stage"),
            "options": [option("Prospect", "2"), option("Customer", "3")],
        }
        confirm = {
            "title": plain("Archive?"),
            "text": plain("The account leaves the pyramid."),
            "confirm": plain("Archive"),
            "deny": plain("Keep"),
        }
        archive = {"type": "button", "action_id": "archive", "text": plain("Archive"), "confirm": confirm}
        respond(text="Pick", blocks=[{"type": "actions", "block_id": "tools", "elements": [select, archive]}])

    @app.action("pick_stage")
    def picked(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        record("picked", body)

    @app.action("archive")
    def archived(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        record("archived", body)

    @app.command("/boom")
    def boom(ack: Ack) -> None:
        ack()
        raise RuntimeError("kaput")

    @app.action("open_form")
    def open_form(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        record("open_form", body)
        client.views_open(trigger_id=body["trigger_id"], view=meeting_modal(body["actions"][0]["value"]))

    @app.action("add_field")
    def add_field(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        record("add_field", body)
        client.views_update(
            view_id=body["view"]["id"], hash=body["view"]["hash"], view=deal_modal(with_extra=True)
        )

    @app.options("account")
    def account_options(ack: Ack, body: dict[str, Any]) -> None:
        record("suggestions", body)
        query = str(body["value"]).lower()
        ack(options=[option(name, str(i)) for i, name in enumerate(ACCOUNTS, 1) if query in name.lower()])

    @app.view("log_meeting")
    def submit_meeting(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        record("submissions", view)
        if len(seen["submissions"]) == 1:
            ack(response_action="errors", errors={"note": "Say what happened."})
            return
        ack()
        client.chat_postMessage(
            channel=body["user"]["id"],
            text="Logged",
            blocks=[
                {"type": "section", "text": {"type": "mrkdwn", "text": "Logged the meeting."}},
                {
                    "type": "actions",
                    "elements": [
                        {"type": "button", "action_id": "done", "text": plain("Mark done"), "value": "d2"}
                    ],
                },
            ],
        )

    @app.view("log_deal")
    def submit_deal(ack: Ack, view: dict[str, Any]) -> None:
        record("deals", view)
        ack()

    @app.view_closed("log_meeting")
    def closed(ack: Ack, body: dict[str, Any]) -> None:
        ack()
        record("closed", body)

    @app.action("done")
    def done(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        record("done", body)
        container = body["container"]
        if container["is_ephemeral"]:
            respond(replace_original=True, text="Done ✓")
        else:
            client.chat_update(
                channel=container["channel_id"], ts=container["message_ts"], text="Marked done ✓", blocks=[]
            )

    return app


@pytest.fixture
def fake() -> Iterator[SlackStandIn]:
    with SlackStandIn(team_id="T0LOCAL", bot_user_id="UBOT") as slack:
        yield slack


@pytest.fixture
def seen() -> dict[str, list[Any]]:
    return {}


@pytest.fixture
def session(fake: SlackStandIn, seen: dict[str, list[Any]]) -> ConsoleSession:
    return ConsoleSession(build_test_app(fake, seen), fake, out=io.StringIO())


def feed(session: ConsoleSession, *lines: str) -> str:
    """Type lines into the session; returns what it printed meanwhile."""
    out = session.out
    assert isinstance(out, io.StringIO)
    start = len(out.getvalue())
    for line in lines:
        session.handle_line(line)
    return out.getvalue()[start:]


# ---------------------------------------------------------------------------------- commands


def test_slash_command_payload_is_shaped_as_slack_sends_it(
    session: ConsoleSession, seen: dict[str, list[Any]], fake: SlackStandIn
) -> None:
    feed(session, "/meeting   Acme visit", "/meeting Globex")
    first, second = seen["commands"]
    assert first["command"] == "/meeting" and first["text"] == "Acme visit"
    assert (first["team_id"], first["user_id"], first["user_name"]) == ("T0LOCAL", USER, "you")
    assert (first["channel_id"], first["channel_name"]) == ("C0LOCAL", "console")
    assert first["response_url"].startswith(fake.root_url + "respond/")
    assert first["response_url"] != second["response_url"]
    assert first["trigger_id"] != second["trigger_id"]


def test_reply_through_response_url_is_rendered_with_numbered_buttons(session: ConsoleSession) -> None:
    printed = feed(session, "/meeting Acme")
    assert "— ephemeral —\nLog a meeting with *Acme*, @U0LOCAL?\n[1] Open the form  [2] Done" in printed
    assert [(b.number, b.action_id) for b in session.buttons] == [(1, "open_form"), (2, "done")]
    assert session.prompt == "pyramid> "


def test_ack_text_of_a_command_is_shown_like_slack_does(session: ConsoleSession) -> None:
    assert "— ephemeral —\nHello from ack, @U0LOCAL" in feed(session, "/hello")


def test_pressing_a_button_sends_block_actions_and_replace_original_replaces_the_message(
    session: ConsoleSession, seen: dict[str, list[Any]]
) -> None:
    feed(session, "/meeting Acme")
    printed = feed(session, "2")
    body = seen["done"][0]
    assert body["type"] == "block_actions"
    assert body["container"]["type"] == "message" and body["container"]["is_ephemeral"] is True
    assert body["container"]["channel_id"] == "C0LOCAL" and body["channel"]["id"] == "C0LOCAL"
    assert "message" not in body  # Slack leaves it out for ephemeral messages
    assert body["response_url"] != seen["commands"][0]["response_url"]
    assert body["actions"][0]["action_id"] == "done" and body["actions"][0]["value"] == "d1"
    assert body["actions"][0]["type"] == "button" and body["actions"][0]["block_id"] == "choices"
    assert "— ephemeral, updated —\nDone ✓" in printed
    # The replaced message has no buttons left; its old numbers are gone.
    assert "no buttons" in feed(session, "1")


def test_unknown_button_number_and_free_text_get_a_hint(session: ConsoleSession) -> None:
    assert "no buttons to press yet" in feed(session, "3")
    feed(session, "/meeting Acme")
    assert "There is no button [9]; the latest listing has 1, 2." in feed(session, "9")
    assert feed(session, "", "   ") == ""


def test_unknown_command_and_failing_handler_do_not_end_the_session(session: ConsoleSession) -> None:
    assert "/nope is not a command of this bot" in feed(session, "/nope")
    assert "failed to handle this (HTTP 500)" in feed(session, "/boom")
    assert session.handle_line("/meeting Acme") is True
    assert "[1] Open the form" in session.out.getvalue()  # type: ignore[attr-defined]


def test_select_in_a_message_asks_for_its_option_and_confirm_dialogs_are_honoured(
    session: ConsoleSession, seen: dict[str, list[Any]]
) -> None:
    printed = feed(session, "/pick")
    assert "[1] Stage ▾ (Prospect / Customer)  [2] Archive" in printed
    printed = feed(session, "1")
    assert "  1) Prospect\n  2) Customer" in printed and session.prompt.startswith("Stage [1-2")
    feed(session, "2")
    action = seen["picked"][0]["actions"][0]
    assert action["type"] == "static_select" and action["selected_option"] == option("Customer", "3")

    assert "Archive?\nThe account leaves the pyramid." in feed(session, "2")
    assert "nothing was sent" in feed(session, "n")
    assert "archived" not in seen
    feed(session, "2", "y")
    assert seen["archived"][0]["actions"][0]["action_id"] == "archive"


def test_an_app_that_raises_does_not_end_the_session(fake: SlackStandIn) -> None:
    class Broken:
        def dispatch(self, request: Any) -> Any:
            raise RuntimeError("wiring is wrong")

    session = ConsoleSession(Broken(), fake, out=io.StringIO())  # type: ignore[arg-type]
    assert "! The bot failed: RuntimeError: wiring is wrong" in feed(session, "/meeting Acme")
    assert session.handle_line("help") is True


# ------------------------------------------------------------------------------------ modals


def test_modal_is_walked_field_by_field_and_submitted_as_slack_shapes_it(
    session: ConsoleSession, seen: dict[str, list[Any]]
) -> None:
    feed(session, "/meeting Acme")
    printed = feed(session, "1")
    assert "== Log a meeting ==\nTell us about the *meeting*." in printed
    assert session.prompt.startswith("Account [type to search")

    printed = feed(session, "acm")
    assert "  1) Acme Corp\n  2) Acme Logistics" in printed and "Globex" not in printed
    suggestion = seen["suggestions"][0]
    assert suggestion["type"] == "block_suggestion"
    assert (suggestion["action_id"], suggestion["block_id"], suggestion["value"]) == (
        "account",
        "account",
        "acm",
    )
    assert suggestion["view"]["callback_id"] == "log_meeting"

    printed = feed(session, "2")  # Acme Logistics
    assert "  1) Call\n  2) Visit  (current)" in printed
    assert session.prompt == "Kind [1-2; Enter keeps Visit]: "
    feed(session, "")  # keeps Visit
    assert session.prompt == "Date [YYYY-MM-DD; Enter keeps 2024-05-01]: "
    assert "Type a date as YYYY-MM-DD." in feed(session, "2024-13-01")
    feed(session, "2024-05-02")
    assert "Choose one of 1-2." in feed(session, "")  # required, nothing chosen yet: asked again
    assert session.prompt.startswith("Stage [1-2")
    feed(session, "1")
    assert session.prompt == "Note (optional) [several lines, an empty line ends]: "
    feed(session, "")  # optional, left empty
    assert session.prompt == 'Title [Enter keeps "Quarterly review"]: '
    printed = feed(session, "")
    assert "The form was not accepted:\n  Note: Say what happened." in printed
    assert session.prompt.startswith("Note (optional)")  # only the refused field is asked again

    first = seen["submissions"][0]
    assert first["state"]["values"]["note"] == {"note": {"type": "plain_text_input", "value": None}}

    feed(session, "Met the CTO", "and the CFO")
    printed = feed(session, "")
    assert "Form submitted." in printed
    assert "— DM —\nLogged the meeting.\n[1] Mark done" in printed
    assert session.open_view is None and session.prompt == "pyramid> "

    view = seen["submissions"][1]
    assert view["callback_id"] == "log_meeting" and view["private_metadata"] == "acme"
    assert view["id"] == first["id"] and view["id"].startswith("V")
    assert view["state"]["values"] == {
        "account": {"account": {"type": "external_select", "selected_option": option("Acme Logistics", "2")}},
        "kind": {"kind": {"type": "radio_buttons", "selected_option": option("Visit", "visit")}},
        "date": {"date": {"type": "datepicker", "selected_date": "2024-05-02"}},
        "stage": {"stage": {"type": "static_select", "selected_option": option("Prospect", "2")}},
        "note": {"note": {"type": "plain_text_input", "value": "Met the CTO\nand the CFO"}},
        "title": {"title": {"type": "plain_text_input", "value": "Quarterly review"}},
    }

    # The DM's button updates it in place with chat.update.
    printed = feed(session, "1")
    done = seen["done"][0]
    assert done["container"]["channel_id"] == "DU0LOCAL" and done["container"]["is_ephemeral"] is False
    assert done["message"]["blocks"][0]["text"]["text"] == "Logged the meeting."
    assert "— DM, updated —\nMarked done ✓" in printed


def test_cancel_closes_the_modal_and_tells_the_bot(
    session: ConsoleSession, seen: dict[str, list[Any]]
) -> None:
    feed(session, "/meeting Acme", "1", "acm", "1")
    printed = feed(session, "cancel")
    assert "Form closed." in printed
    assert session.open_view is None and session.prompt == "pyramid> "
    closed = seen["closed"][0]
    assert closed["type"] == "view_closed" and closed["view"]["callback_id"] == "log_meeting"
    assert "submissions" not in seen


def test_search_with_no_match_asks_again(session: ConsoleSession) -> None:
    feed(session, "/meeting Acme", "1")
    assert "No matches; try another search." in feed(session, "zzz")
    assert session.prompt.startswith("Account [type to search")


def test_button_inside_a_modal_updates_it_and_keeps_what_was_typed(
    session: ConsoleSession, seen: dict[str, list[Any]]
) -> None:
    printed = feed(session, "/deal")
    assert "== Log a deal ==\n[#1] Add a field" in printed
    assert session.prompt == "Amount [1.2M]: "
    assert "Form submitted." in feed(session, "500k")  # the last field answered: submitted at once
    assert seen["deals"][0]["state"]["values"]["amount"]["amount"]["value"] == "500k"

    feed(session, "/deal")
    printed = feed(session, "#1")
    pressed = seen["add_field"][0]
    assert pressed["container"] == {"type": "view", "view_id": pressed["view"]["id"]}
    assert pressed["actions"][0]["action_id"] == "add_field" and "response_url" not in pressed
    assert "[#1] Add a field" in printed and session.prompt == "Amount [1.2M]: "
    feed(session, "1.2M")
    assert session.prompt == "Extra: "
    feed(session, "more")
    values = seen["deals"][1]["state"]["values"]
    assert values == {
        "amount": {"amount": {"type": "plain_text_input", "value": "1.2M"}},
        "extra": {"extra": {"type": "plain_text_input", "value": "more"}},
    }


# ---------------------------------------------------------------------------------- the loop


def test_run_reads_a_pipe_until_quit(fake: SlackStandIn, seen: dict[str, list[Any]]) -> None:
    session = ConsoleSession(build_test_app(fake, seen), fake)
    stdout = io.StringIO()
    status = session.run(io.StringIO("help\n\n/meeting Acme\nquit\n/meeting never\n"), stdout)
    printed = stdout.getvalue()
    assert status == 0
    for word in ("/meeting", "/deal", "/account", "/pyramid", "help", "quit", "[1], [2]"):
        assert word in printed
    assert "pyramid> /meeting Acme\n" in printed  # lines from a pipe are echoed
    assert "[1] Open the form" in printed
    assert printed.rstrip().endswith("Bye.")
    assert len(seen["commands"]) == 1


def test_end_of_input_inside_a_modal_closes_it(fake: SlackStandIn, seen: dict[str, list[Any]]) -> None:
    session = ConsoleSession(build_test_app(fake, seen), fake)
    stdout = io.StringIO()
    assert session.run(io.StringIO("/meeting Acme\n1\nacm"), stdout) == 0
    assert "Form closed." in stdout.getvalue()
    assert seen["closed"]


# ---------------------------------------------------------------------------- the real wiring


def test_slack_locale_follows_the_setting_unless_given() -> None:
    class Settings:
        pyramid_locale = "ja"

    assert slack_locale(None, Settings()) == "ja-JP"  # type: ignore[arg-type]
    assert slack_locale("en", Settings()) == "en-US"  # type: ignore[arg-type]
    assert slack_locale("fr-FR", Settings()) == "fr-FR"  # type: ignore[arg-type]


def test_run_console_drives_the_real_app(db: Database, clock: FixedClock, database_url: str) -> None:
    lines = "/meeting Acme visit -- first visit\n/pyramid\n/nope\nquit\n"
    run = type_into_console(db, clock, database_url, lines, locale="en")
    status, printed = run.status, run.printed
    assert status == 0
    assert "pyramid> /meeting Acme visit -- first visit\n\n— ephemeral —\n" in printed
    assert "*Acme*" in printed and "first visit" in printed
    assert "```\n" in printed and "█" in printed  # the pyramid is drawn in a code block, spacing kept
    assert "[1] " in printed  # the pyramid's share button
    assert "/nope is not a command" in printed


def test_a_sentence_is_a_message_to_the_bot_previewed_then_logged(
    db: Database, clock: FixedClock, database_url: str
) -> None:
    # Buttons are numbered in the latest listing: the preview's are [1] and [2] Edit (the meal, the
    # follow-up), [3] Log all and [4] Cancel (the meeting's reply had its own [1] Undo).
    lines = "/meeting 山田商事 電話\n昨日山田商事の部長と会食。来月提案予定\n3\nquit\n"
    printed = type_into_console(db, clock, database_url, lines, locale="ja").printed
    assert "「すべて記録」を押すまで何も記録しません" in printed, printed
    assert "[1] 修正" in printed and "[3] すべて記録" in printed, printed
    assert "*山田商事* との会食を11/21(土)付けで記録しました。" in printed, printed
    assert "*山田商事* のフォローアップを12/1(火)に設定しました。" in printed, printed
