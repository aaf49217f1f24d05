"""A manager's corrections end to end: `/account <name> step|merge|archive|restore|lost …` and the merge's
confirm button, by a workspace admin (users.info says is_admin), by a configured manager
(PYRAMID_MANAGERS), and refused to a rep. The clock stands at Sunday 2026-11-22 10:00 Asia/Tokyo."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from bot.clock import FixedClock
from bot.db import Database
from bot.domain.stages import Step
from bot.models import Account, AccountEvent, SlackUser, StepChange
from bot.services import integrity
from tests.support.console import type_into_console
from tests.support.database import (
    account_named,
    activities_of,
    every_row,
    followups,
    recoveries,
    rows,
    step_changes_of,
)
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_TEAM, OTHER_USER, TEAM, USER
from tests.support.slack_driver import SlackDriver, find_button, text_of

TODAY = date(2026, 11, 22)
BOSS = "U0BOSS1"  # a workspace admin: users.info answers is_admin true


@pytest.fixture(autouse=True)
def boss(slack: FakeSlack) -> None:
    slack.add_user(BOSS, name="tanaka", tz="Asia/Tokyo", locale="en-US", is_admin=True)


def events_of(db: Database, account_id: int) -> list[AccountEvent]:
    return sorted(rows(db, AccountEvent, AccountEvent.account_id == account_id), key=lambda e: e.id)


def manual_changes(db: Database, account_id: int) -> list[StepChange]:
    return [change for change in step_changes_of(db, account_id) if change.reason == "manual"]


def ephemeral_text(reply: dict[str, Any]) -> str:
    assert reply.get("response_type") == "ephemeral", reply
    return text_of(reply)


# ------------------------------------------------------------------------------------ who may


def test_a_rep_is_refused_and_told_who_can(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")
    driver.run("/account", "Acme", user=BOSS)  # the admin's profile is known from now on
    before = every_row(db)

    for line in ("Acme step won -- signed", "Acme archive", "Acme lost -- gone", 'Acme merge "Acme Japan"'):
        body = ephemeral_text(driver.run("/account", line))
        assert "Only managers can" in body, body
        assert "workspace admins and owners" in body and "PYRAMID_MANAGERS" in body
        assert "Ask <@U0BOSS1>." in body, body

    assert every_row(db) == before
    assert account_named(db, "Acme").step == Step.MET.value


def test_a_rep_cannot_press_a_managers_merge_button(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme Holdings visit")
    driver.run("/meeting", "Acme Japan call")
    plan = driver.run("/account", '"Acme Holdings" merge "Acme Japan"', user=BOSS)
    before = every_row(db)

    sent, key = driver.press(plan, "account_merge_confirm", user=USER)

    assert sent.status == 200
    assert "Only managers can" in text_of(driver.reply(key))
    assert every_row(db) == before


def test_an_admin_whose_flag_was_never_cached_is_asked_about_once_more(
    driver: SlackDriver, db: Database, slack: FakeSlack, clock: FixedClock
) -> None:
    driver.run("/meeting", "Acme visit")
    with db.transaction() as session:  # a profile cached a moment ago, before the admin flag was kept
        session.add(
            SlackUser(
                team_id=TEAM,
                user_id=BOSS,
                name="tanaka",
                locale="en-US",
                tz="Asia/Tokyo",
                fetched_at=clock.now(),
            )
        )
    slack.clear()

    body = ephemeral_text(driver.run("/account", "Acme archive", user=BOSS))

    assert "*Acme* is archived" in body, body
    assert [call.body["user"] for call in slack.calls_to("users.info")] == [BOSS]
    with db.read() as session:
        assert session.get(SlackUser, (TEAM, BOSS)).is_admin is True  # type: ignore[union-attr]

    # A rep Slack said is no admin is refused without asking Slack again.
    slack.clear()
    assert "Only managers can" in text_of(driver.run("/account", "Acme restore"))
    assert slack.calls_to("users.info") == []


def test_a_configured_manager_corrects_in_japanese(
    driver_with: Callable[..., SlackDriver], db: Database, slack: FakeSlack
) -> None:
    driver = driver_with(pyramid_managers=OTHER_USER)  # suzuki, a ja-JP user, is no Slack admin
    driver.run("/meeting", "アクメ商事 訪問")

    reply = driver.run("/account", "アクメ商事 ステップ 2.1 -- 展示会で名刺交換済み", user=OTHER_USER)

    body = ephemeral_text(reply)
    assert "*アクメ商事* のステップを手動で変更しました：1.3 面談1回 → 2.1 面談2回以上。" in body, body
    assert "理由：展示会で名刺交換済み" in body
    account = account_named(db, "アクメ商事")
    assert account.step == Step.MET_TWICE.value
    [change] = manual_changes(db, account.id)
    assert (change.user_id, change.note) == (OTHER_USER, "展示会で名刺交換済み")

    reply = driver.run("/account", "アクメ商事 離反 -- 他社に切り替え", user=OTHER_USER)
    assert "*アクメ商事* を離反として記録しました。" in text_of(reply)
    assert account_named(db, "アクメ商事").status == "lost"


# ------------------------------------------------------------------------------------ step


def test_a_manager_sets_a_step_by_hand(
    driver: SlackDriver, db: Database, slack: FakeSlack, clock: FixedClock
) -> None:
    driver.run("/meeting", "Acme visit")  # 1.3
    clock.advance(timedelta(seconds=1))  # the integrity check replays the history in the order it happened

    reply = driver.run("/account", "Acme step won -- the order came on paper", user=BOSS)

    body = ephemeral_text(reply)
    assert "*Acme*: step 1.3 met once → 3.1 one deal won, set by hand." in body, body
    assert "Why: the order came on paper" in body
    assert "The team channel was told of the stage change." in body
    account = account_named(db, "Acme")
    assert account.step == Step.WON.value
    assert account.deals_won == 0  # the evidence is what was logged; the step is the manager's word
    [change] = manual_changes(db, account.id)
    assert (change.from_step, change.to_step, change.user_id, change.note) == (
        "met",
        "won",
        BOSS,
        "the order came on paper",
    )
    [event] = events_of(db, account.id)
    assert (event.kind, event.user_id, event.reason) == ("step", BOSS, "the order came on paper")
    assert json.loads(event.detail or "{}") == {"from": "met", "to": "won"}

    [post] = slack.wait_for("chat.postMessage", timeout=2)
    assert post.body["channel"] == "C0TEAM"
    announced = text_of(post.body)
    assert "<@U0BOSS1> set *Acme* from Acquaintance to Customer by hand: the order came on paper" in announced

    # Later logs climb from the hand-set step, and the integrity check agrees with it.
    clock.advance(timedelta(seconds=1))
    driver.run("/meeting", "Acme visit")
    assert account_named(db, "Acme").step == Step.WON.value
    driver.run("/deal", "Acme won")
    assert account_named(db, "Acme").step == Step.WON.value  # one logged win supports 3.1, no more
    driver.run("/deal", "Acme won")
    assert account_named(db, "Acme").step == Step.REPEAT.value
    assert integrity.check(db, repeater_threshold=3).ok

    card = text_of(driver.run("/account", "Acme"))
    assert "Corrections by hand:" in card
    assert "<@U0BOSS1> set the step 1.3 → 3.1 — the order came on paper" in card, card


def test_a_step_set_below_the_evidence_warns_and_a_repeat_changes_nothing(
    driver: SlackDriver, db: Database
) -> None:
    driver.run("/deal", "Acme won")
    driver.run("/deal", "Acme won")  # 3.2

    body = ephemeral_text(
        driver.run("/account", "Acme step 1.3 -- the wins were logged on Globex", user=BOSS)
    )
    assert "3.2 two deals won → 1.3 met once" in body, body
    assert "what was logged supports 3.2 two deals won, so the next log moves it up again" in body
    # A customer who drops to acquaintance is a stage change: it is announced too.
    assert "The team channel was told" in body

    again = ephemeral_text(
        driver.run("/account", "Acme step met -- the wins were logged on Globex", user=BOSS)
    )
    assert "*Acme* is already on step 1.3 met once. Nothing was changed." in again
    account = account_named(db, "Acme")
    assert account.step == Step.MET.value
    assert len(manual_changes(db, account.id)) == 1
    assert len(events_of(db, account.id)) == 1


def test_a_step_within_a_stage_is_not_announced(driver: SlackDriver, db: Database, slack: FakeSlack) -> None:
    driver.run("/meeting", "Acme visit")
    driver.run("/meeting", "Acme visit")  # 2.1: announced (Acquaintance → Prospect)
    slack.wait_for("chat.postMessage", timeout=2)
    slack.clear()

    body = ephemeral_text(driver.run("/account", "Acme step dined -- lunch was not logged", user=BOSS))

    assert "2.1 met twice → 2.2 shared a meal" in body
    assert "team channel" not in body
    assert slack.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(
    ("line", "expected", "example"),
    [
        ("Acme step won", "Please say why after ` -- `", "/account Acme step met -- "),
        ("Acme step top -- because", "*top* is not a step", "/account Acme step met -- "),
        ("Acme step -- because", "Which step?", "/account Acme step met -- "),
        ("Acme lost", "Please say why after ` -- `", "/account Acme lost -- moved to a competitor"),
        ("Acme merge", "Which account should be merged into *Acme*?", '/account Acme merge "Acme Japan"'),
    ],
)
def test_bad_corrections_get_an_example_and_store_nothing(
    driver: SlackDriver, db: Database, line: str, expected: str, example: str
) -> None:
    driver.run("/meeting", "Acme visit")
    before = every_row(db)

    body = ephemeral_text(driver.run("/account", line, user=BOSS))

    assert expected in body, body
    assert "Example:" in body and example in body, body
    assert every_row(db) == before


# ------------------------------------------------------------------------------------ merge


def _two_accounts(driver: SlackDriver) -> None:
    driver.run("/meeting", "Acme Holdings visit")
    driver.run("/deal", "Acme Japan won 1.2M -- first order")
    driver.run("/meeting", "Acme Japan meal")
    driver.run("/followup", "Acme Japan next week -- thank-you call")
    driver.run("/trouble", "Acme Japan -- delivery arrived late")


def test_a_merge_is_shown_then_done_on_confirmation(driver: SlackDriver, db: Database) -> None:
    _two_accounts(driver)
    acme, japan = account_named(db, "Acme Holdings"), account_named(db, "Acme Japan")
    # The win scheduled its after-sale follow-ups, besides the one asked for.
    japans_followups = len([f for f in followups(db) if f.account_id == japan.id])
    assert japans_followups >= 2
    before = every_row(db)

    plan = driver.run("/account", '"Acme Holdings" merge "Acme Japan" -- one company, two names', user=BOSS)

    body = ephemeral_text(plan)
    assert "Merge *Acme Japan* into *Acme Holdings*?" in body, body
    moving = f"Moving to *Acme Holdings*: activities 2, follow-ups {japans_followups}, recoveries 1;"
    assert moving in body, body
    assert "cannot be undone" in body
    button, _ = find_button(plan, "account_merge_confirm")
    assert button["confirm"]["title"]["text"] == "Merge these accounts?"
    assert every_row(db) == before  # shown, not done

    sent, key = driver.press(plan, "account_merge_confirm", user=BOSS)

    assert sent.status == 200
    done = text_of(driver.reply(key))
    moved = (
        f"was merged into *Acme Holdings*. Moved: activities 2, follow-ups {japans_followups}, recoveries 1."
    )
    assert moved in done, done
    assert "Step of *Acme Holdings*: 1.3 met once → 3.1 one deal won." in done, done
    acme, japan = account_named(db, "Acme Holdings"), account_named(db, "Acme Japan")
    assert (japan.status, japan.merged_into_id, japan.status_on) == ("merged", acme.id, TODAY)
    assert len(activities_of(db, acme.id)) == 3 and activities_of(db, japan.id) == []
    assert {f.account_id for f in followups(db)} == {acme.id}
    assert [r.account_id for r in recoveries(db)] == [acme.id]
    assert (acme.step, acme.deals_won, acme.meals, acme.in_person_meetings) == ("won", 1, 1, 2)
    [on_acme] = events_of(db, acme.id)
    [on_japan] = events_of(db, japan.id)
    assert (on_acme.kind, on_acme.user_id, on_acme.reason, on_acme.other_account_id) == (
        "merge",
        BOSS,
        "one company, two names",
        japan.id,
    )
    assert (on_japan.kind, on_japan.other_account_id) == ("merge", acme.id)
    assert integrity.check(db, repeater_threshold=3).ok

    # A double click: found done, nothing moves twice.
    after = every_row(db)
    sent, key = driver.press(plan, "account_merge_confirm", user=BOSS)
    assert "*Acme Japan* is already merged into *Acme Holdings*. Nothing more was done." in text_of(
        driver.reply(key)
    )
    assert every_row(db) == after


def test_the_merged_name_finds_the_survivor_and_leaves_the_lists(driver: SlackDriver, db: Database) -> None:
    _two_accounts(driver)
    plan = driver.run("/account", '"Acme Holdings" merge "Acme Japan"', user=BOSS)
    driver.reply(driver.press(plan, "account_merge_confirm", user=BOSS)[1])
    acme = account_named(db, "Acme Holdings")

    reply = driver.run("/meeting", "Acme Japan call")
    assert "New account" not in text_of(reply)
    assert len(activities_of(db, acme.id)) == 4
    card = text_of(driver.run("/account", "acme japan"))
    assert "Acme" in card and "Corrections by hand:" in card
    assert "<@U0BOSS1> merged *Acme Japan* into it" in card, card

    values = [o["value"] for o in driver.options("account_select", "acme").json()["options"]]
    assert str(account_named(db, "Acme Japan").id) not in values
    assert str(acme.id) in values

    body = text_of(driver.run("/account", "Acme Japn"))  # close to the merged name only: not offered
    assert "Did you mean" not in body


def test_merges_that_make_no_sense_are_refused(driver: SlackDriver, db: Database) -> None:
    _two_accounts(driver)
    driver.run("/meeting", "Globex visit")
    driver.run("/meeting", "Initech visit", team=OTHER_TEAM)
    before = every_row(db)

    itself = text_of(driver.run("/account", '"Acme Holdings" merge "ACME Holdings Inc."', user=BOSS))
    assert "*Acme Holdings* cannot be merged into itself." in itself, itself
    missing = text_of(driver.run("/account", '"Acme Holdings" merge Initech', user=BOSS))  # another team's
    assert "No account is called *Initech*" in missing
    assert every_row(db) == before

    plan = driver.run("/account", '"Acme Holdings" merge "Acme Japan"', user=BOSS)
    driver.reply(driver.press(plan, "account_merge_confirm", user=BOSS)[1])
    into_merged = text_of(driver.run("/account", '"Acme Japan" merge Globex', user=BOSS))
    assert "*Acme Japan* was merged into *Acme Holdings*: correct *Acme Holdings* instead." in into_merged, (
        into_merged
    )
    restore = text_of(driver.run("/account", '"Acme Japan" restore', user=BOSS))
    assert "was merged into *Acme Holdings*" in restore
    [japan] = rows(db, Account, Account.name == "Acme Japan")  # in the console's own team
    assert japan.status == "merged"


def test_a_forged_merge_value_naming_another_teams_account_is_refused(
    driver: SlackDriver, db: Database
) -> None:
    driver.run("/meeting", "Acme Holdings visit")
    driver.run("/meeting", "Acme Japan visit")
    driver.run("/meeting", "Initech visit", team=OTHER_TEAM)
    plan = driver.run("/account", '"Acme Holdings" merge "Acme Japan"', user=BOSS)
    theirs = account_named(db, "Initech", team=OTHER_TEAM)
    before = every_row(db)

    forged = json.dumps({"s": account_named(db, "Acme Holdings").id, "m": theirs.id})
    sent, key = driver.press(plan, "account_merge_confirm", user=BOSS, value=forged)

    assert sent.status == 200
    assert "no longer exists" in text_of(driver.reply(key))
    assert every_row(db) == before


def test_a_merge_can_be_cancelled(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme Holdings visit")
    driver.run("/meeting", "Acme Japan visit")
    plan = driver.run("/account", "Acme Holdings マージ Acme Japan", user=BOSS)
    before = every_row(db)

    sent, key = driver.press(plan, "account_merge_cancel", user=BOSS)

    assert "Merge cancelled. Nothing was changed." in text_of(driver.reply(key))
    assert every_row(db) == before


# ------------------------------------------------------------------------------------ status


def test_archive_restore_and_lost(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")

    archived = ephemeral_text(driver.run("/account", "Acme archive -- closed its Tokyo office", user=BOSS))
    assert "*Acme* is archived" in archived and "Why: closed its Tokyo office" in archived
    account = account_named(db, "Acme")
    assert (account.status, account.status_on) == ("archived", TODAY)
    again = ephemeral_text(driver.run("/account", "Acme archive", user=BOSS))
    assert "*Acme* is already archived. Nothing was changed." in again

    restored = ephemeral_text(driver.run("/account", "Acme restore", user=BOSS))
    assert "*Acme* is active again (it was archived)." in restored
    assert account_named(db, "Acme").status == "active"

    lost = ephemeral_text(driver.run("/account", "Acme lost -- moved to a competitor", user=BOSS))
    assert "*Acme* is marked lost" in lost
    assert account_named(db, "Acme").status == "lost"

    kinds = [(e.kind, e.user_id, e.reason) for e in events_of(db, account.id)]
    assert kinds == [
        ("archive", BOSS, "closed its Tokyo office"),
        ("restore", BOSS, None),
        ("lost", BOSS, "moved to a competitor"),
    ]
    card = text_of(driver.run("/account", "Acme"))
    assert "<@U0BOSS1> marked it lost — moved to a competitor" in card, card
    assert "<@U0BOSS1> archived it — closed its Tokyo office" in card


def test_names_that_contain_correction_words_are_still_names(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", '"Paradise Lost" visit')
    driver.run("/meeting", '"Big Step Co" visit')

    assert "Paradise Lost" in text_of(driver.run("/account", '"Paradise Lost"'))
    assert "Big Step Co" in text_of(driver.run("/account", "Big Step Co"))
    assert account_named(db, "Paradise Lost").status == "active"


def test_the_card_of_a_long_history_of_corrections_stays_within_limits(
    driver: SlackDriver, db: Database
) -> None:
    driver.run("/meeting", "Acme visit")
    reason = "理由" * 400  # 800 characters, the longest kind a note allows is 1000
    for step in ("won", "met", "won", "met"):
        driver.run("/account", f"Acme step {step} -- {reason}", user=BOSS)

    card = driver.run("/account", "Acme")  # checked against Slack's limits by the autouse fixture

    corrections = next(
        b for b in card["blocks"] if "Corrections by hand" in json.dumps(b, ensure_ascii=False)
    )
    assert corrections["type"] == "context"
    assert corrections["elements"][0]["text"].count("• ") == 3  # the latest three
    assert len(corrections["elements"][0]["text"]) <= 2000


# ------------------------------------------------------------------------------------ console


def test_a_merge_in_the_console(db: Database, clock: FixedClock, database_url: str) -> None:
    """The console's user owns the local workspace (an admin); the confirm dialog is asked for."""
    lines = (
        "/meeting Acme Holdings visit\n/meeting Acme Japan call\n"
        '/account "Acme Holdings" merge "Acme Japan" -- one company\n1\ny\n'
        "/account Acme Holdings step won -- paper order\nquit\n"
    )
    printed = type_into_console(db, clock, database_url, lines, locale="en").printed
    assert "Merge *Acme Japan* into *Acme Holdings*?" in printed, printed
    assert "Merge these accounts?" in printed
    assert "*Acme Japan* was merged into *Acme Holdings*." in printed, printed
    assert "step 1.3 met once → 3.1 one deal won, set by hand." in printed, printed
    [japan] = rows(db, Account, Account.name == "Acme Japan")  # in the console's own team
    assert japan.status == "merged"
