"""Payloads shaped exactly like Slack's real ones (issue 8, items 2 and 7; "Tests", second bullet).

The shapes follow slackapi/bolt-python's own tests (tests/scenario_tests/test_view_submission.py,
test_block_suggestion.py, test_slash_command.py, test_events_org_apps.py, tests/slack_bolt/request/
test_request.py) and Slack's reference pages for organisation-wide apps and Slack Connect:

- App Home presses: a `view` container and the published home view; no `response_url`, no `channel`,
  no `message`.
- Enterprise Grid, organisation-wide install: `team` null (interactivity) or `{"id", "enterprise_id"}`,
  `enterprise`, `is_enterprise_install: true`, `W…` user ids with `user.team_id`; commands carry
  `enterprise_id` and `is_enterprise_install=true`; events carry `authorizations[0].team_id: null`.
- Slack Connect: the payload's `team`, `user.team_id` and `view.team_id` name the other organisation;
  `view.app_installed_team_id` names the workspace that installed the app.
- View submissions with `"value": null`, `"selected_option": null`, `"selected_date": null` and
  `response_urls: []`; event deliveries retried with `X-Slack-Retry-Num` / `X-Slack-Retry-Reason`.

What Bolt puts in `context.team_id` for each shape, and so where the bot reads and writes (see `who()` in
bot/handlers/replying.py, and `home_opened` in bot/handlers/home.py for events):

- a Grid command (`team_id=T…`, `enterprise_id=E…`): `T…`;
- block_actions / block_suggestion / view_submission with `team: null`: `view.app_installed_team_id`,
  else `user.team_id`;
- view_submission / block_suggestion from Slack Connect: `view.app_installed_team_id`, the installing
  team (never the other organisation's `team` or `user.team_id`);
- app_home_opened from an org-wide install (`authorizations[0].team_id: null`): Bolt has the enterprise
  id only; the bot takes the envelope's `team_id` (the workspace whose Home was opened), else the
  enterprise id.

The clock stands at Sunday 2026-11-22 10:00 Asia/Tokyo.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any, TypeVar

import pytest
from slack_sdk import WebClient
from sqlalchemy import select

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.jobs.digest import send_digests_for
from bot.models import Account, Activity, Followup, Recovery, RecoveryEvent, StepChange
from bot.runtime import Runtime
from bot.views.modals import ACCOUNT_ACTION, DEAL_CALLBACK, MEETING_CALLBACK
from tests.support.database import account_id, rows, the_recovery
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_TEAM, OTHER_USER, TEAM, USER
from tests.support.slack_driver import (
    Sent,
    SlackDriver,
    date_picked,
    eventually,
    find_button,
    press_in,
    settle,
    text_of,
)

T = TypeVar("T")
TODAY = date(2026, 11, 22)
APP = "A0PYRAMID"
ANSWER_WITHIN = 3.0  # seconds: Slack shows an error to the user after 3 s without an answer

ENTERPRISE = "E0ORG1"  # the Grid organisation TEAM belongs to
GRID_USER = "W0GRID1"  # an Enterprise Grid user id (W…), home workspace TEAM
SIBLING_TEAM = "T0TEAM3"  # another workspace of the same organisation
EXT_TEAM = "T0EXTORG"  # Slack Connect: a workspace of another organisation
EXT_ENTERPRISE = "E0EXTORG"
EXT_USER = "W0EXT1"
# The `team` of a payload from EXT_TEAM.
EXT_TEAM_FIELD = {"id": EXT_TEAM, "domain": "other-side", "enterprise_id": EXT_ENTERPRISE}


# --------------------------------------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def _quiet_logs(caplog: pytest.LogCaptureFixture, driver: SlackDriver, slack: FakeSlack) -> Iterator[None]:
    """Whatever the shape, nothing the bot does is logged as an error or with a traceback."""
    caplog.set_level(logging.INFO)
    slack.add_user(GRID_USER, name="tanaka", tz="Asia/Tokyo", locale="en-US")
    slack.add_user(EXT_USER, name="kim", tz="Asia/Tokyo", locale="en-US")
    yield
    settle(slack)
    bad = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not bad, [f"{r.name}: {r.getMessage()}" for r in bad]


def post_json(driver: SlackDriver, body: dict[str, Any], headers: dict[str, str] | None = None) -> Sent:
    """An Events API delivery, signed, with extra headers (Slack's retry headers)."""
    return driver.event(body, headers=headers)


def timed(send: Callable[[], Sent]) -> Sent:
    """Sends, and checks Slack would have had its answer in time."""
    started = time.monotonic()
    sent = send()
    elapsed = time.monotonic() - started
    assert sent.status == 200, sent
    assert elapsed < ANSWER_WITHIN, f"answered after {elapsed:.2f} s"
    return sent


def command(
    driver: SlackDriver,
    name: str,
    text: str,
    *,
    user: str,
    team: str,
    extra: dict[str, str] | None = None,
    channel: str = "C0SALES",
) -> dict[str, Any]:
    """A slash command with Slack's own fields plus `extra` (Grid: enterprise_id, is_enterprise_install);
    returns the reply (in the ack, or at the response URL)."""
    keys: list[str] = []

    def send() -> Sent:
        sent, key = driver.command(
            name,
            text,
            user=user,
            team=team,
            channel=channel,
            trigger_id=f"111.222.{uuid.uuid4().hex}",
            extra={"api_app_id": APP, "is_enterprise_install": "false", **(extra or {})},
        )
        keys.append(key)
        return sent

    timed(send)
    return driver.reply(keys[0])


def grid_extra(enterprise: str = ENTERPRISE) -> dict[str, str]:
    return {"enterprise_id": enterprise, "enterprise_name": "Acme Holdings", "is_enterprise_install": "true"}


def run_as(
    driver: SlackDriver, commands: list[tuple[str, str]], *, user: str = USER, team: str = TEAM
) -> None:
    for name, text in commands:
        reply = text_of(command(driver, name, text, user=user, team=team))
        assert any(
            word in reply for word in ("Logged", "scheduled", "Recovery opened", "記録", "設定", "開始")
        ), reply
    settle(driver.slack)


def snapshot(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every business row, for "changed exactly once" (deliveries and caches left out: they move after
    the ack on their own)."""
    with db.transaction() as session:
        return {
            model.__tablename__: [
                tuple(row) for row in session.execute(select(*model.__table__.columns).order_by(model.id))
            ]
            for model in (Account, Activity, StepChange, Followup, Recovery, RecoveryEvent)
        }


def publishes(slack: FakeSlack, user: str = USER) -> list[dict[str, Any]]:
    return [c.body["view"] for c in slack.calls_to("views.publish") if c.body.get("user_id") == user]


def next_home(
    slack: FakeSlack,
    before: int,
    user: str = USER,
    until: Callable[[dict[str, Any]], bool] = lambda view: True,
) -> dict[str, Any]:
    """The latest Home published for `user` after the first `before`, once one satisfies `until` (a
    refresh still on its way from an earlier action may land first)."""
    found = eventually(lambda: [view for view in publishes(slack, user)[before:] if until(view)])
    assert found, f"no such views.publish for {user} after {before}; calls: {[c.method for c in slack.calls]}"
    return found[-1]


def home_event(
    user: str, *, team: str | None = TEAM, event_id: str | None = None, org_wide: bool = False
) -> dict[str, Any]:
    """app_home_opened as the Events API delivers it (bolt-python test_events_org_apps.py)."""
    body: dict[str, Any] = {
        "token": "legacy",
        "team_id": team,
        "api_app_id": APP,
        "event": {
            "type": "app_home_opened",
            "user": user,
            "channel": "D0HOME",
            "tab": "home",
            "event_ts": "1700000000.000100",
        },
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": 1700000000,
        "authorizations": [
            {
                "enterprise_id": ENTERPRISE if org_wide else None,
                "team_id": None if org_wide else team,
                "user_id": "U0BOT",
                "is_bot": True,
                "is_enterprise_install": org_wide,
            }
        ],
        "is_ext_shared_channel": False,
    }
    if org_wide:
        body["enterprise_id"] = ENTERPRISE
    return body


def open_home(driver: SlackDriver, user: str = USER, **kwargs: Any) -> dict[str, Any]:
    settle(driver.slack)
    before = len(publishes(driver.slack, user))
    timed(lambda: post_json(driver, home_event(user, **kwargs)))
    return next_home(driver.slack, before, user)


def as_published(view: dict[str, Any], team: str = TEAM) -> dict[str, Any]:
    """The home view as Slack holds it after views.publish, as a block_actions payload carries it."""
    return {
        "id": "V0HOME",
        "team_id": team,
        "type": "home",
        "blocks": view["blocks"],
        "private_metadata": "",
        "callback_id": view.get("callback_id", ""),
        "state": {"values": {}},
        "hash": "1700000000.Wj3Xq9Zs",
        "title": {"type": "plain_text", "text": "View Title"},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": None,
        "submit": None,
        "previous_view_id": None,
        "root_view_id": "V0HOME",
        "app_id": APP,
        "external_id": "",
        "app_installed_team_id": team,
        "bot_id": "B0PYRAMID",
    }


def element_action(
    view: dict[str, Any], action_id: str, *, block_id: str | None = None, value: str | None = None
) -> dict[str, Any]:
    """The action a press on `action_id` sends (the first such element, or the one in `block_id`, or the
    one with `value`). A block the bot sent without an id gets one from Slack, as here."""
    for block in view["blocks"]:
        if block_id is not None and block.get("block_id") != block_id:
            continue
        elements = block.get("elements", []) if block.get("type") == "actions" else []
        for element in [*elements, block.get("accessory") or {}]:
            if element.get("action_id") != action_id or value not in (None, element.get("value")):
                continue
            action: dict[str, Any] = {
                "action_id": action_id,
                "block_id": block.get("block_id") or uuid.uuid4().hex[:4],
                "type": element["type"],
                "action_ts": "1700000001.000200",
            }
            if element["type"] == "button":
                action["text"] = element["text"]
                if "value" in element:  # Slack sends no value for a button that has none
                    action["value"] = element["value"]
            return action
    raise AssertionError(f"no {action_id} in {block_id or 'the view'}")


def press_home(
    driver: SlackDriver,
    view: dict[str, Any],
    action: dict[str, Any],
    *,
    user: str = USER,
    team: str | None = TEAM,
    user_team: str = TEAM,
    enterprise: str | None = None,
) -> Sent:
    """A press on the App Home, as Slack sends it: a view container, the view, no response URL, no channel."""
    payload = {
        "type": "block_actions",
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": user_team},
        "api_app_id": APP,
        "token": "legacy",
        "container": {"type": "view", "view_id": "V0HOME"},
        "trigger_id": f"111.222.{uuid.uuid4().hex}",
        "team": None
        if team is None
        else {"id": team, "domain": "acme", **({"enterprise_id": enterprise} if enterprise else {})},
        "enterprise": None if enterprise is None else {"id": enterprise, "name": "Acme Holdings"},
        "is_enterprise_install": enterprise is not None and team is None,
        "view": as_published(view, user_team if team is None else team),
        "actions": [action],
    }
    return timed(lambda: driver.payload(payload))


def block_ids(view: dict[str, Any]) -> set[str]:
    return {block["block_id"] for block in view["blocks"] if block.get("block_id")}


# ------------------------------------------------------------------------------------- 1. App Home presses


def home_book(driver: SlackDriver) -> None:
    """USER: Acme with a follow-up due today and an open recovery (which schedules one for tomorrow)."""
    run_as(driver, [("/meeting", "Acme visit"), ("/followup", "Acme today -- send the brochure")])
    run_as(driver, [("/trouble", "Acme -- wrong invoice")])


def the_followup(db: Database) -> Followup:
    [found] = rows(db, Followup, Followup.note == "send the brochure")
    return found


def responded(driver: SlackDriver, db: Database) -> None:
    """Moves the recovery to "responded" with a Home press, so that the Home asks the next delivery's
    date."""
    view = open_home(driver)
    before = len(publishes(driver.slack))
    press_home(driver, view, element_action(view, "recovery_responded"))
    next_home(driver.slack, before)
    assert the_recovery(db).status == "responded"


HOME_PRESSES = [
    # action, then: what is true of the database and of the republished Home after the press
    "followup_done",
    "followup_snooze",
    "followup_reschedule",
    "recovery_responded",
    "recovery_delivery_on",
    "recovery_lost",
]


@pytest.mark.parametrize("action_id", HOME_PRESSES)
def test_every_home_button_answers_first_and_stale_press_and_republishes(
    driver: SlackDriver, slack: FakeSlack, db: Database, action_id: str
) -> None:
    home_book(driver)
    if action_id == "recovery_delivery_on":
        responded(driver, db)
    view = open_home(driver)
    followup, recovery = the_followup(db), the_recovery(db)
    item = f"fu_{followup.id}" if action_id.startswith("followup") else f"rc_{recovery.id}"
    assert item in block_ids(view)
    action = element_action(view, action_id, block_id=f"{item}_actions")
    if action_id in ("followup_reschedule", "recovery_delivery_on"):
        action["selected_date"] = "2026-11-25"
    responses = len(slack.calls_to("response_url"))
    before = snapshot(db)

    # First press: stored once, the Home republished with the new state.
    published = len(publishes(slack))
    press_home(driver, view, action)
    if action_id == "recovery_responded":
        fresh = next_home(slack, published, until=lambda v: "recovery_delivery_on" in str(v))
    elif action_id == "recovery_delivery_on":
        fresh = next_home(slack, published, until=lambda v: "2026-11-25" in str(v))
    else:
        fresh = next_home(slack, published, until=lambda v: item not in block_ids(v))
    settle(slack)
    after = snapshot(db)
    assert after != before
    expected: Callable[[], bool] = {
        "followup_done": lambda: the_followup(db).status == "done" and the_followup(db).done_by == USER,
        # A week from Sunday the 22nd is a Sunday: the follow-up moves to Monday the 30th.
        "followup_snooze": lambda: the_followup(db).due_on == date(2026, 11, 30),
        "followup_reschedule": lambda: the_followup(db).due_on == date(2026, 11, 25),
        "recovery_responded": lambda: the_recovery(db).status == "responded",
        "recovery_delivery_on": lambda: the_recovery(db).status == "awaiting",
        "recovery_lost": lambda: the_recovery(db).status == "lost",
    }[action_id]
    assert expected(), (action_id, the_followup(db).__dict__, the_recovery(db).__dict__)
    if action_id == "recovery_responded":
        # Still pending, now asking the next delivery's date instead of Responded (no Recovered).
        assert element_action(fresh, "recovery_delivery_on", block_id=f"{item}_actions")
        with pytest.raises(AssertionError):
            element_action(fresh, "recovery_responded", block_id=f"{item}_actions")
        assert "recovery_recovered" not in str(fresh)
    elif action_id == "recovery_delivery_on":
        # Awaiting the delivery: the date shown, still movable; the verdict comes after it.
        assert item in block_ids(fresh) and "awaiting the next delivery" in str(fresh)
    else:
        assert item not in block_ids(fresh), (action_id, block_ids(fresh))

    # Second press, on the stale Home Slack still shows: answered, nothing changes, the Home is
    # republished so that the stale copy is replaced.
    published = len(publishes(slack))
    press_home(driver, view, action)
    again = next_home(slack, published)
    settle(slack)
    assert snapshot(db) == after
    assert block_ids(again) == block_ids(fresh)
    # No response URL and no channel on the Home: nothing is posted anywhere else.
    assert len(slack.calls_to("response_url")) == responses
    assert slack.calls_to("chat.postEphemeral") == []
    assert slack.calls_to("chat.update") == []


@pytest.mark.parametrize("action_id", ["open_log_meeting", "open_log_deal"])
def test_the_home_quick_buttons_have_no_value_and_open_an_empty_modal_every_press(
    driver: SlackDriver, slack: FakeSlack, db: Database, action_id: str
) -> None:
    """The quick buttons store nothing, so they republish nothing: each press opens the log modal."""
    home_book(driver)
    view = open_home(driver)
    action = element_action(view, action_id, block_id="home_quick")
    assert "value" not in action  # Slack rejects an empty value; the button has none
    before = snapshot(db)
    for press in (1, 2):
        press_home(driver, view, action)
        [*_, opened] = slack.wait_for("views.open", press)
        modal = opened.body["view"]
        assert modal["callback_id"] == (DEAL_CALLBACK if action_id.endswith("deal") else MEETING_CALLBACK)
        account = next(b for b in modal["blocks"] if b.get("block_id") == "account")
        assert "initial_option" not in account["element"]
    settle(slack)
    assert snapshot(db) == before


def test_a_lapsing_accounts_log_button_on_the_home_opens_the_modal_for_that_account(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    run_as(driver, [("/deal", "Greenfield proposed 2026-09-15")])
    view = open_home(driver)
    greenfield = account_id(db, "Greenfield")
    action = element_action(view, "open_log_meeting", value=str(greenfield))
    before = snapshot(db)
    for press in (1, 2):
        press_home(driver, view, action)
        modal = slack.wait_for("views.open", press)[-1].body["view"]
        account = next(b for b in modal["blocks"] if b.get("block_id") == "account")
        assert account["element"]["initial_option"]["value"] == str(greenfield)
    settle(slack)
    assert snapshot(db) == before


def test_a_grid_workspace_home_press_is_answered_in_that_workspace(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    """A workspace install inside a Grid organisation: `team` has an `enterprise_id`, the user a W… id."""
    run_as(
        driver,
        [("/meeting", "Acme visit"), ("/followup", "Acme today -- send the brochure")],
        user=GRID_USER,
    )
    view = open_home(driver, GRID_USER)
    [followup] = rows(db, Followup)
    action = element_action(view, "followup_done", block_id=f"fu_{followup.id}_actions")
    for _press in (1, 2):
        before = len(publishes(slack, GRID_USER))
        press_home(driver, view, action, user=GRID_USER, enterprise=ENTERPRISE)
        fresh = next_home(slack, before, GRID_USER, until=lambda v: f"fu_{followup.id}" not in block_ids(v))
        assert f"fu_{followup.id}" not in block_ids(fresh)
        [done] = rows(db, Followup)
        assert (done.team_id, done.status, done.done_by) == (TEAM, "done", GRID_USER)


def test_a_home_press_on_a_followup_deleted_meanwhile_republishes_without_it(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    """The item is gone (its account was deleted meanwhile): no response URL to say so, so the Home is
    republished and shows the truth."""
    home_book(driver)
    view = open_home(driver)
    followup = the_followup(db)
    action = element_action(view, "followup_done", block_id=f"fu_{followup.id}_actions")
    with db.transaction() as session:
        gone = session.get(Followup, followup.id)
        assert gone is not None
        session.delete(gone)
    before = snapshot(db)
    published = len(publishes(slack))
    press_home(driver, view, action)
    fresh = next_home(slack, published, until=lambda v: f"fu_{followup.id}" not in block_ids(v))
    assert f"fu_{followup.id}" not in block_ids(fresh)
    settle(slack)
    assert snapshot(db) == before


def test_the_checklist_in_the_owners_dm_stores_once_and_republishes_the_home(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    """The five-step checklist lives in the owner's DM (the Home lists what is still owed): a tick is
    stored once, the Home shows the step as no longer owed; the same tick again changes nothing."""
    home_book(driver)
    recovery = the_recovery(db)
    steps_id = f"rc_{recovery.id}_steps"

    def has_steps(message: dict[str, Any]) -> bool:
        return any(b.get("block_id") == steps_id for b in message.get("blocks") or [])

    # The DM goes out after the ack (through the delivery ledger): wait for it.
    [checklist] = eventually(lambda: [m for m in slack.history(USER) if has_steps(m)])
    dm = str(next(c.body["channel"] for c in slack.calls_to("chat.postMessage") if has_steps(c.body)))
    assert "acknowledge the feeling" in text_of(open_home(driver))
    tick = {
        "type": "checkboxes",
        "action_id": "recovery_steps",
        "block_id": f"rc_{recovery.id}_steps",
        "selected_options": [{"text": {"type": "plain_text", "text": "1."}, "value": "acknowledge"}],
        "action_ts": "1700000001.000200",
    }
    before = snapshot(db)
    published = len(publishes(slack))
    timed(lambda: press_in(driver, checklist, dm, "recovery_steps", action=tick)[0])
    fresh = next_home(slack, published, until=lambda v: "acknowledge the feeling" not in text_of(v))
    settle(slack)
    after = snapshot(db)
    assert after != before and the_recovery(db).steps_done == 1
    assert "acknowledge the feeling" not in text_of(fresh) and "reassure" in text_of(fresh)
    timed(lambda: press_in(driver, checklist, dm, "recovery_steps", action=tick)[0])
    settle(slack)
    assert snapshot(db) == after


def test_presses_whose_after_work_ends_at_once_are_all_answered_in_time(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    """A press with nothing to rewrite (here a "did you mean" answer with a forged value, sent with the
    Home's shape: no response URL, no channel) queues after-work that ends before the listener returns.
    Every one is answered in time: the runtime never waits on itself (it once deadlocked right here)."""
    view = {
        "blocks": [
            {
                "type": "actions",
                "block_id": "b",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "near_match_create",
                        "value": "not-a-request",
                        "text": {"type": "plain_text", "text": "Create"},
                    }
                ],
            }
        ]
    }
    before = snapshot(db)
    for _ in range(20):
        press_home(driver, view, element_action(view, "near_match_create"))
    settle(slack)
    assert snapshot(db) == before


# ---------------------------------------------------------------------------- 2. Enterprise Grid shapes


def test_a_grid_command_with_enterprise_fields_lands_in_its_workspace(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    """Slack's Grid command (bolt-python test_slash_command.py): team_id T…, enterprise_id E…, user W…."""
    reply = command(driver, "/meeting", "Acme visit", user=GRID_USER, team=TEAM, extra=grid_extra())
    assert "Logged" in text_of(reply), reply
    [account] = rows(db, Account)
    [activity] = rows(db, Activity)
    assert (account.team_id, account.owner_id) == (TEAM, GRID_USER)
    assert (activity.team_id, activity.user_id) == (TEAM, GRID_USER)
    # The same rep's next command, with the same shape, finds it.
    card = text_of(command(driver, "/account", "Acme", user=GRID_USER, team=TEAM, extra=grid_extra()))
    assert f"*Owner* <@{GRID_USER}>" in card and "Meetings in person: 1" in card, card


def test_an_org_wide_press_with_team_null_is_answered_in_the_users_workspace(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    """block_actions from an org-wide install (bolt-python test_request.py): `team` null, the workspace
    only in `user.team_id`; Bolt's context.team_id is that workspace."""
    run_as(
        driver,
        [("/meeting", "Acme visit"), ("/followup", "Acme today -- send the brochure")],
        user=GRID_USER,
    )
    [followup] = rows(db, Followup)
    key = uuid.uuid4().hex[:10]
    payload: dict[str, Any] = {
        "type": "block_actions",
        "user": {"id": GRID_USER, "username": "tanaka", "name": "tanaka", "team_id": TEAM},
        "api_app_id": APP,
        "token": "legacy",
        "container": {
            "type": "message",
            "message_ts": "1700000000.000100",
            "channel_id": "D0GRID1",
            "is_ephemeral": False,
        },
        "trigger_id": f"111.222.{uuid.uuid4().hex}",
        "team": None,
        "enterprise": {"id": ENTERPRISE, "name": "Acme Holdings"},
        "is_enterprise_install": True,
        "channel": {"id": "D0GRID1", "name": "directmessage"},
        "state": {"values": {}},
        "response_url": slack.response_url(key),
        "actions": [
            {
                "action_id": "followup_done",
                "block_id": f"fu_{followup.id}_actions",
                "text": {"type": "plain_text", "text": "Done"},
                "value": str(followup.id),
                "type": "button",
                "action_ts": "1700000001.000200",
            }
        ],
    }
    before = len(publishes(slack, GRID_USER))
    timed(lambda: driver.payload(payload))
    assert eventually(lambda: rows(db, Followup)[0].status == "done")
    assert rows(db, Followup)[0].done_by == GRID_USER
    next_home(slack, before, GRID_USER)
    # A second press on the same message: answered at the response URL, nothing changes.
    done = snapshot(db)
    timed(lambda: driver.payload(payload))
    reply = eventually(lambda: [c.body for c in slack.calls_to("response_url") if c.key == key])
    assert reply and "already done" in text_of(reply[-1]), reply
    assert snapshot(db) == done


def log_view(
    *,
    callback: str = MEETING_CALLBACK,
    team: str,
    installed: str,
    values: dict[str, dict[str, Any]],
    view_id: str | None = None,
) -> dict[str, Any]:
    """The submitted log modal as view_submission carries it (bolt-python test_view_submission.py)."""
    return {
        "id": view_id or f"V{uuid.uuid4().hex[:10].upper()}",
        "team_id": team,
        "type": "modal",
        "blocks": [],
        "private_metadata": json.dumps({"channel": "C0SALES"}),
        "callback_id": callback,
        "state": {"values": values},
        "hash": "1700000000.CmTS8F7U",
        "title": {"type": "plain_text", "text": "Log a meeting"},
        "clear_on_close": False,
        "notify_on_close": False,
        "close": {"type": "plain_text", "text": "Cancel"},
        "submit": {"type": "plain_text", "text": "Log"},
        "previous_view_id": None,
        "root_view_id": view_id or "V0ROOT",
        "app_id": APP,
        "external_id": "",
        "app_installed_team_id": installed,
        "bot_id": "B0PYRAMID",
    }


def meeting_values(account: str, *, note: str | None = None, day: str | None = None) -> dict[str, Any]:
    return {
        "account": {
            ACCOUNT_ACTION: {
                "type": "external_select",
                "selected_option": {"text": {"type": "plain_text", "text": "x"}, "value": account},
            }
        },
        "kind": {
            "kind": {
                "type": "radio_buttons",
                "selected_option": {"text": {"type": "plain_text", "text": "Visit"}, "value": "visit"},
            }
        },
        "date": {"date": {"type": "datepicker", "selected_date": day}},
        "note": {"note": {"type": "plain_text_input", "value": note}},
    }


def submission(
    view: dict[str, Any],
    *,
    user: str,
    user_team: str,
    team: dict[str, Any] | None,
    enterprise: str | None = None,
    org_wide: bool = False,
) -> dict[str, Any]:
    return {
        "type": "view_submission",
        "team": team,
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": user_team},
        "api_app_id": APP,
        "token": "legacy",
        "trigger_id": f"111.222.{uuid.uuid4().hex}",
        "view": view,
        "response_urls": [],
        "is_enterprise_install": org_wide,
        "enterprise": None if enterprise is None else {"id": enterprise, "name": "Org"},
    }


def suggestion(
    user: str,
    name: str,
    *,
    user_team: str,
    team: dict[str, Any] | None,
    enterprise: dict[str, Any],
    view_team: str,
) -> dict[str, Any]:
    """The account type-ahead's block_suggestion for "acme" in a log modal opened in `view_team`; an
    org-wide install when `team` is null."""
    return {
        "type": "block_suggestion",
        "user": {"id": user, "username": name, "name": name, "team_id": user_team},
        "container": {"type": "view", "view_id": "V0LOG"},
        "api_app_id": APP,
        "token": "legacy",
        "action_id": ACCOUNT_ACTION,
        "block_id": "account",
        "value": "acme",
        "team": team,
        "enterprise": enterprise,
        "is_enterprise_install": team is None,
        "view": log_view(team=view_team, installed=TEAM, values={}, view_id="V0LOG"),
    }


def test_an_org_wide_view_submission_with_team_null_logs_in_the_installed_workspace(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    """bolt-python test_request.py: `team` null, the user's home workspace in `user.team_id`, and the
    workspace the modal was opened in as `view.app_installed_team_id`: Bolt takes the latter."""
    run_as(driver, [("/meeting", "Acme visit")], user=GRID_USER)
    acme = account_id(db, "Acme")
    view = log_view(team=SIBLING_TEAM, installed=TEAM, values=meeting_values(str(acme), note="tea"))
    payload = submission(
        view, user=GRID_USER, user_team=SIBLING_TEAM, team=None, enterprise=ENTERPRISE, org_wide=True
    )
    sent = timed(lambda: driver.payload(payload))
    assert sent.body.strip() in ("", "{}"), sent  # closes the modal
    activities = rows(db, Activity, Activity.note == "tea")
    assert [(a.team_id, a.account_id, a.user_id) for a in activities] == [(TEAM, acme, GRID_USER)]
    assert rows(db, Account, Account.team_id != TEAM) == []


def test_an_org_wide_type_ahead_with_team_null_offers_the_workspaces_accounts(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    run_as(driver, [("/meeting", "Acme Japan visit")], user=GRID_USER)
    run_as(driver, [("/meeting", "Acme Corp visit")], user=OTHER_USER, team=OTHER_TEAM)
    enterprise = {"id": ENTERPRISE, "name": "Acme Holdings"}
    payload = suggestion(
        GRID_USER, "tanaka", user_team=TEAM, team=None, enterprise=enterprise, view_team=TEAM
    )
    sent = timed(lambda: driver.payload(payload))
    options = [o["text"]["text"] for o in sent.json()["options"]]
    assert any("Acme Japan" in o for o in options), options
    assert not any("Acme Corp" in o for o in options), options


def test_an_org_wide_app_home_opened_shows_the_workspaces_data(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    """An org-wide install's events name no team in `authorizations` (bolt-python test_events_org_apps.py),
    so Bolt's context has the enterprise id only. The Home must show what the rep logged with commands,
    which carry the workspace's team_id: the bot takes the envelope's `team_id` (the workspace whose Home
    was opened)."""
    run_as(
        driver,
        [("/meeting", "Acme visit"), ("/followup", "Acme today -- send the brochure")],
        user=GRID_USER,
    )
    view = open_home(driver, GRID_USER, org_wide=True)
    assert "send the brochure" in text_of(view), text_of(view)
    assert "No accounts yet" not in text_of(view)
    # A press on that Home (team null, app_installed_team_id the workspace) works on the same data.
    [followup] = rows(db, Followup)
    before = len(publishes(slack, GRID_USER))
    press_home(
        driver,
        view,
        element_action(view, "followup_done", block_id=f"fu_{followup.id}_actions"),
        user=GRID_USER,
        team=None,
        enterprise=ENTERPRISE,
    )
    fresh = next_home(slack, before, GRID_USER, until=lambda v: f"fu_{followup.id}" not in block_ids(v))
    assert rows(db, Followup)[0].status == "done"
    assert f"fu_{followup.id}" not in block_ids(fresh)


def test_an_org_wide_event_with_no_team_at_all_still_answers(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    """Neither the envelope nor the authorization names a workspace: answered 200, and the Home is the
    enterprise-scoped one (empty: nothing is ever stored under the enterprise id by commands)."""
    view = open_home(driver, GRID_USER, team=None, org_wide=True)
    assert "No accounts yet" in text_of(view)


# ------------------------------------------------------------------------------------ 3. Slack Connect


def connect_book(driver: SlackDriver) -> None:
    """The installing team has "Acme Japan"; the other organisation, which has the app too, has its own
    "Acme Japan" with other counts (the one that must never be touched)."""
    run_as(driver, [("/meeting", "Acme Japan visit")])
    run_as(
        driver,
        [("/meeting", "Acme Japan call"), ("/meeting", "Acme Japan call")],
        user=EXT_USER,
        team=EXT_TEAM,
    )


def from_connect(values: dict[str, Any]) -> dict[str, Any]:
    """A log modal EXT_USER submitted from a Slack Connect channel: opened in EXT_TEAM, installed in TEAM."""
    view = log_view(team=EXT_TEAM, installed=TEAM, values=values)
    return submission(view, user=EXT_USER, user_team=EXT_TEAM, team=EXT_TEAM_FIELD, enterprise=EXT_ENTERPRISE)


def test_a_form_submitted_from_a_slack_connect_channel_is_stored_in_the_installing_team(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    connect_book(driver)
    acme = account_id(db, "Acme Japan")
    theirs = snapshot(db)
    payload = from_connect(meeting_values(str(acme), note="from Seoul"))
    timed(lambda: driver.payload(payload))
    [activity] = rows(db, Activity, Activity.note == "from Seoul")
    assert (activity.team_id, activity.account_id, activity.user_id) == (TEAM, acme, EXT_USER)
    # The other organisation's rows are exactly as they were.
    ext_accounts = [r for r in snapshot(db)["accounts"] if TEAM not in r]
    assert ext_accounts == [r for r in theirs["accounts"] if TEAM not in r]


def test_a_new_account_typed_in_a_slack_connect_form_is_created_in_the_installing_team(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    connect_book(driver)
    payload = from_connect(meeting_values("new:Busan Steel"))
    timed(lambda: driver.payload(payload))
    [busan] = rows(db, Account, Account.name == "Busan Steel")
    assert busan.team_id == TEAM


def test_type_ahead_from_a_slack_connect_channel_searches_the_installing_team(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    connect_book(driver)
    run_as(driver, [("/meeting", "Acme Seoul visit")], user=EXT_USER, team=EXT_TEAM)
    team, enterprise = EXT_TEAM_FIELD, {"id": EXT_ENTERPRISE, "name": "Other Org"}
    payload = suggestion(
        EXT_USER, "kim", user_team=EXT_TEAM, team=team, enterprise=enterprise, view_team=EXT_TEAM
    )
    sent = timed(lambda: driver.payload(payload))
    options = sent.json()["options"]
    values = [o["value"] for o in options]
    assert str(account_id(db, "Acme Japan")) in values, options
    assert str(account_id(db, "Acme Japan", EXT_TEAM)) not in values, options
    assert not any("Acme Seoul" in o["text"]["text"] for o in options), options


def test_a_command_from_a_slack_connect_channel_reads_the_installing_team(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    """A slash command carries no `user.team_id`: its `team_id` is the workspace whose installation
    answers it. From a shared channel that is the installing team, whoever the user is."""
    connect_book(driver)
    card = text_of(
        command(
            driver,
            "/account",
            "Acme Japan",
            user=EXT_USER,
            team=TEAM,
            channel="C0SHARED",
            extra={"enterprise_id": EXT_ENTERPRISE, "enterprise_name": "Other Org"},
        )
    )
    # The installing team's Acme Japan (USER's, one visit), not the other organisation's (two calls).
    assert f"*Owner* <@{USER}>" in card and "Meetings in person: 1" in card, card
    assert f"<@{EXT_USER}>" not in card, card


def test_a_message_button_pressed_by_another_organisations_user_touches_neither_team(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    """A message button (no view, so no `app_installed_team_id`) pressed in a shared channel by a user of
    another organisation: Bolt's context.team_id is that organisation's team (`team.id`). The bot looks
    the record up there, finds nothing, says so, and changes nothing in either team: it never writes
    across organisations on the strength of an id in a button value."""
    connect_book(driver)
    run_as(driver, [("/followup", "Acme Japan today -- call them")])
    [followup] = rows(db, Followup, Followup.team_id == TEAM)
    message = {
        "ts": "1700000000.000100",
        "text": "follow-up",
        "blocks": [
            {
                "type": "actions",
                "block_id": f"fu_{followup.id}_actions",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "followup_done",
                        "value": str(followup.id),
                        "text": {"type": "plain_text", "text": "Done"},
                    }
                ],
            }
        ],
    }
    before = snapshot(db)
    sent, key = press_in(driver, message, "C0SHARED", "followup_done", user=EXT_USER, team=EXT_TEAM)
    assert "no longer exists" in text_of(driver.reply(key))
    settle(slack)
    assert snapshot(db) == before


# ------------------------------------------------------------------ 4. null values, response_urls, retries


def test_a_submission_with_null_optional_values_is_stored_with_defaults(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    run_as(driver, [("/meeting", "Acme visit")])
    acme = account_id(db, "Acme")
    meeting = log_view(team=TEAM, installed=TEAM, values=meeting_values(str(acme), note=None, day=None))
    timed(lambda: driver.payload(submission(meeting, user=USER, user_team=TEAM, team={"id": TEAM})))
    deal_values = {
        **meeting_values(str(acme), note=None, day=None),
        "kind": {
            "kind": {
                "type": "radio_buttons",
                "selected_option": {"text": {"type": "plain_text", "text": "Won"}, "value": "won"},
            }
        },
        "amount": {"amount": {"type": "plain_text_input", "value": None}},
        "revisit": {"revisit": {"type": "datepicker", "selected_date": None}},
    }
    deal = log_view(callback=DEAL_CALLBACK, team=TEAM, installed=TEAM, values=deal_values)
    timed(lambda: driver.payload(submission(deal, user=USER, user_team=TEAM, team={"id": TEAM})))
    logged = rows(db, Activity, Activity.account_id == acme)
    assert [(a.kind, a.occurred_on, a.note, a.amount, a.revisit_on) for a in logged] == [
        ("visit", TODAY, None, None, None),
        ("visit", TODAY, None, None, None),
        ("won", TODAY, None, None, None),
    ]


@pytest.mark.parametrize("missing", ["account", "kind"])
def test_a_submission_with_a_required_value_null_keeps_the_modal_open(
    driver: SlackDriver, slack: FakeSlack, db: Database, missing: str
) -> None:
    run_as(driver, [("/meeting", "Acme visit")])
    values = meeting_values(str(account_id(db, "Acme")))
    action = ACCOUNT_ACTION if missing == "account" else "kind"
    values[missing][action]["selected_option"] = None
    before = snapshot(db)
    view = log_view(team=TEAM, installed=TEAM, values=values)
    sent = timed(lambda: driver.payload(submission(view, user=USER, user_team=TEAM, team={"id": TEAM})))
    answer = sent.json()
    assert answer["response_action"] == "errors" and missing in answer["errors"], answer
    assert snapshot(db) == before


def test_an_app_home_opened_retry_is_answered_and_publishes_the_same_home(
    driver: SlackDriver, slack: FakeSlack, db: Database
) -> None:
    """Slack redelivers an event it had no 200 for within 3 s (`X-Slack-Retry-Num: 1`,
    `X-Slack-Retry-Reason: http_timeout`). Decision: every delivery is answered 200 and publishes the
    Home at most once (views.publish replaces the tab: a repeat is harmless and shows the same state); a
    retry arriving while the first publish is still queued is coalesced with it. So one event gives one
    or two publishes of the same view, never more; a new event publishes again."""
    run_as(driver, [("/meeting", "Acme visit")])
    start = len(publishes(slack))
    event = home_event(USER, event_id="Ev0RETRIED1")
    timed(lambda: post_json(driver, event))
    first = next_home(slack, start)
    retry = {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
    timed(lambda: post_json(driver, event, retry))
    settle(slack, quiet=0.5)
    after_retry = publishes(slack)[start:]
    assert 1 <= len(after_retry) <= 2, len(after_retry)
    assert all(view == first for view in after_retry)
    # A second retry (Slack retries up to three times) is no different.
    timed(lambda: post_json(driver, event, {**retry, "X-Slack-Retry-Num": "2"}))
    settle(slack, quiet=0.5)
    assert len(publishes(slack)) - start <= len(after_retry) + 1
    assert all(view == first for view in publishes(slack)[start:])
    # A distinct event (the rep opens the tab again) publishes once more.
    count = len(publishes(slack))
    timed(lambda: post_json(driver, home_event(USER)))
    next_home(slack, count)
    settle(slack, quiet=0.5)
    assert len(publishes(slack)) == count + 1


# -------------------------------------------------------- 5. forged values on a message the bot posted


def test_forged_values_naming_another_teams_records_change_nothing(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    """USER presses buttons of the digest DM the bot posted them, with values naming OTHER_TEAM's
    follow-up, recovery and account (a forged payload): each is refused, and no row of any team moves."""
    run_as(
        driver,
        [("/meeting", "Acme visit"), ("/followup", "Acme today -- send the brochure")],
    )
    run_as(
        driver,
        [("/meeting", "Kawasaki visit"), ("/followup", "Kawasaki today -- theirs")],
        user=OTHER_USER,
        team=OTHER_TEAM,
    )
    run_as(driver, [("/trouble", "Kawasaki -- broken part")], user=OTHER_USER, team=OTHER_TEAM)
    send_digests_for(
        Runtime(settings=settings, db=db, clock=clock),
        WebClient(token="xoxb-test", base_url=slack.base_url),
        day=TODAY,
        users=[USER],
        teams=[TEAM],
    )
    [digest] = [
        m
        for m in slack.history(USER)
        if (m.get("metadata") or {}).get("event_payload", {}).get("kind") == "digest"
    ]
    dm = str(slack.calls_to("chat.postMessage")[-1].body.get("channel"))
    theirs = [f for f in rows(db, Followup) if f.team_id == OTHER_TEAM and f.note == "theirs"][0]
    [their_recovery] = rows(db, Recovery, Recovery.team_id == OTHER_TEAM)
    their_account = account_id(db, "Kawasaki", OTHER_TEAM)
    before = snapshot(db)

    def press(action_id: str, value: str, *, expect: str | None) -> None:
        find_button(digest, "followup_done")  # the digest does have buttons to forge
        sent, key = press_in(driver, digest, dm, action_id, value=value)
        assert sent.status == 200
        if expect is not None:
            assert expect in text_of(driver.reply(key)), action_id

    press("followup_done", str(theirs.id), expect="no longer exists")
    press("followup_snooze", str(theirs.id), expect="no longer exists")
    reschedule = date_picked("followup_reschedule", f"fu_{theirs.id}_actions", "2026-11-30")
    sent, key = press_in(driver, digest, dm, "followup_reschedule", action=reschedule)
    assert "no longer exists" in text_of(driver.reply(key))
    for action_id in ("recovery_responded", "recovery_lost", "verdict_yes", "verdict_no", "recovery_take"):
        sent, key = press_in(
            driver,
            digest,
            dm,
            action_id,
            action={
                "type": "button",
                "action_id": action_id,
                "block_id": f"rc_{their_recovery.id}_actions",
                "value": str(their_recovery.id),
                "text": {"type": "plain_text", "text": "x"},
                "action_ts": "1700000001.000200",
            },
        )
        assert "no longer exists" in text_of(driver.reply(key)), action_id
    steps = {
        "type": "checkboxes",
        "action_id": "recovery_steps",
        "block_id": f"rc_{their_recovery.id}_steps",
        "selected_options": [{"text": {"type": "plain_text", "text": "x"}, "value": "acknowledge"}],
        "action_ts": "1700000001.000200",
    }
    press_in(driver, digest, dm, "recovery_steps", action=steps)
    show: dict[str, Any] = {
        "type": "button",
        "action_id": f"show_account_{their_account}",
        "block_id": "forged",
        "value": str(their_account),
        "text": {"type": "plain_text", "text": "x"},
        "action_ts": "1700000001.000200",
    }
    sent, key = press_in(driver, digest, dm, show["action_id"], action=show)
    assert "no longer exists" in text_of(driver.reply(key))
    opens = len(slack.calls_to("views.open"))
    log = {**show, "action_id": "open_log_meeting"}
    sent, key = press_in(driver, digest, dm, "open_log_meeting", action=log)
    assert "no longer exists" in text_of(driver.reply(key))
    settle(slack)
    assert len(slack.calls_to("views.open")) == opens  # no modal with their account in it
    assert snapshot(db) == before
    # And nothing of theirs reached this rep.
    for call in slack.calls_to("response_url"):
        assert "Kawasaki" not in text_of(call.body) and "broken part" not in text_of(call.body)
