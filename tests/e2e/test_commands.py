"""Slash commands end to end: what a rep types, what is stored, and what the bot answers.

Every test checks both sides: the rows in the database and the reply posted to the response URL.
The clock stands at Sunday 2026-11-22 10:00 Asia/Tokyo; both users are in Tokyo.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from bot.clock import FixedClock
from bot.db import Database
from bot.domain.stages import Step
from bot.models import Account, Activity
from tests.support.database import activities_of, all_accounts, every_row, row_counts, step_changes_of
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_TEAM, OTHER_USER, TEAM, USER
from tests.support.slack_driver import SlackDriver, drawn_pyramid, find_button, text_of

TODAY = date(2026, 11, 22)
YESTERDAY = date(2026, 11, 21)

# --------------------------------------------------------------------------------------------- helpers


def the_account(db: Database, team: str = TEAM) -> Account:
    found = all_accounts(db, team)
    assert len(found) == 1, [a.name for a in found]
    return found[0]


def snapshot(account: Account) -> tuple[Any, ...]:
    return (
        account.name,
        account.name_key,
        account.owner_id,
        account.step,
        account.segment,
        account.last_touch_on,
        account.in_person_meetings,
        account.deals_won,
    )


def assert_ephemeral(reply: dict[str, Any]) -> str:
    assert reply.get("response_type") == "ephemeral", reply
    return text_of(reply)


# --------------------------------------------------------------------------------------------- /meeting


def test_meeting_in_english_creates_the_account_and_logs_the_visit(driver: SlackDriver, db: Database) -> None:
    reply = driver.run("/meeting", "Acme Corp visit yesterday -- met the new IT manager")

    account = the_account(db)
    assert (account.name, account.owner_id, account.step) == ("Acme Corp", USER, Step.MET.value)
    assert (account.in_person_meetings, account.last_touch_on) == (1, YESTERDAY)
    [activity] = activities_of(db, account.id)
    assert (activity.kind, activity.occurred_on, activity.user_id) == ("visit", YESTERDAY, USER)
    assert activity.note == "met the new IT manager"
    assert activity.amount is None

    body = assert_ephemeral(reply)
    assert "Logged a visit with *Acme Corp* on 2026-11-21" in body, body
    assert "New account *Acme Corp* created, owned by <@U0REP1>" in body, body
    assert "Moved up: 1.1 name only → 1.3 met once" in body, body
    assert "met the new IT manager" in body
    assert "Next: 2.1 met twice" in body, body


def test_meeting_with_japanese_keywords(driver: SlackDriver, db: Database) -> None:
    reply = driver.run("/meeting", "「アクメ商事」 会食 昨日 -- 部長と会食")

    account = the_account(db)
    assert account.name == "アクメ商事"
    [activity] = activities_of(db, account.id)
    assert (activity.kind, activity.occurred_on, activity.note) == ("meal", YESTERDAY, "部長と会食")
    # A meal is an in-person meeting and a meal: 2.2 straight away.
    assert account.step == Step.DINED.value
    assert (account.in_person_meetings, account.meals) == (1, 1)

    body = assert_ephemeral(reply)  # USER's Slack locale is English
    assert "Logged a meal with *アクメ商事* on 2026-11-21" in body, body
    assert "2.2 shared a meal" in body, body


@pytest.mark.parametrize(
    ("word", "kind", "step"),
    [
        ("", "visit", Step.MET),
        ("call", "call", Step.REMOTE),
        ("email", "email", Step.REMOTE),
        ("visit", "visit", Step.MET),
        ("meal", "meal", Step.DINED),
        ("電話", "call", Step.REMOTE),
        ("メール", "email", Step.REMOTE),
        ("訪問", "visit", Step.MET),
        ("面談", "visit", Step.MET),
        ("会食", "meal", Step.DINED),
        ("飲み", "meal", Step.DINED),
        ("食事", "meal", Step.DINED),
    ],
)
def test_meeting_kind_words(driver: SlackDriver, db: Database, word: str, kind: str, step: Step) -> None:
    reply = driver.run("/meeting", f"Globex {word}".strip())

    account = the_account(db)
    [activity] = activities_of(db, account.id)
    assert (activity.kind, activity.occurred_on) == (kind, TODAY)
    assert account.step == step.value
    body = assert_ephemeral(reply)
    assert f"Logged a {kind} with *Globex* on 2026-11-22" in body, body
    assert f"{step.label} " in body


def test_names_are_matched_after_normalising(driver: SlackDriver, db: Database) -> None:
    first = driver.run("/meeting", "ACME Corp.")
    second = driver.run("/meeting", "acme")
    third = driver.run("/meeting", "Ａｃｍｅ　Ｉｎｃ call")

    account = the_account(db)
    assert account.name == "ACME Corp."
    assert len(activities_of(db, account.id)) == 3
    assert (account.in_person_meetings, account.remote_touches) == (2, 1)
    assert "New account" in text_of(first)
    assert "New account" not in text_of(second)
    assert "New account" not in text_of(third)
    assert "*ACME Corp.*" in text_of(second)


def test_japanese_company_suffixes_are_one_account(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "株式会社アクメ 訪問")
    reply = driver.run("/meeting", "アクメ(株) 訪問")

    account = the_account(db)
    assert len(activities_of(db, account.id)) == 2
    assert account.step == Step.MET_TWICE.value
    assert "New account" not in text_of(reply)
    assert "2.1" in text_of(reply)


def test_backdated_meeting_does_not_move_last_touch_back(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")
    reply = driver.run("/meeting", "Acme call 2026-11-01 -- an old call I forgot")

    account = the_account(db)
    assert account.last_touch_on == TODAY
    dates = [a.occurred_on for a in activities_of(db, account.id)]
    assert dates == [TODAY, date(2026, 11, 1)]
    assert "on 2026-11-01" in text_of(reply)

    # A later backdated log still moves it forward when it is the newest.
    driver.run("/meeting", "Initech visit 11/01")
    driver.run("/meeting", "Initech visit 11/10")
    [_, initech] = all_accounts(db)
    assert initech.last_touch_on == date(2026, 11, 10)


# --------------------------------------------------------------------------------------------- /deal


@pytest.mark.parametrize(
    ("word", "kind", "step"),
    [
        ("proposed", "proposed", Step.PROPOSED),
        ("won", "won", Step.WON),
        ("lost", "lost", Step.NAME_ONLY),
        ("提案", "proposed", Step.PROPOSED),
        ("受注", "won", Step.WON),
        ("失注", "lost", Step.NAME_ONLY),
    ],
)
def test_deal_outcome_words(driver: SlackDriver, db: Database, word: str, kind: str, step: Step) -> None:
    reply = driver.run("/deal", f"Globex {word}")

    account = the_account(db)
    [activity] = activities_of(db, account.id)
    assert (activity.kind, activity.occurred_on, activity.amount) == (kind, TODAY, None)
    assert account.step == step.value
    body = assert_ephemeral(reply)
    assert "for *Globex* on 2026-11-22" in body, body
    assert f"{step.label} " in body


@pytest.mark.parametrize(
    ("amount", "stored"),
    [
        ("1200000", 1_200_000),
        ("1,200,000", 1_200_000),
        ("1.2M", 1_200_000),
        ("500k", 500_000),
        ("120万", 1_200_000),
        ("1.5億", 150_000_000),
        ("¥1,200,000", 1_200_000),
    ],
)
def test_deal_amounts_are_stored_as_integers(
    driver: SlackDriver, db: Database, amount: str, stored: int
) -> None:
    reply = driver.run("/deal", f"Acme won {amount} yesterday -- first order")

    [activity] = activities_of(db, the_account(db).id)
    assert type(activity.amount) is int
    assert activity.amount == stored
    assert (activity.kind, activity.occurred_on, activity.note) == ("won", YESTERDAY, "first order")
    assert f"Amount: ¥{stored:,}." in text_of(reply)


def test_deal_in_japanese(driver: SlackDriver, db: Database) -> None:
    reply = driver.run("/deal", "アクメ商事 受注 120万 昨日 -- 初回発注")

    account = the_account(db)
    [activity] = activities_of(db, account.id)
    assert (activity.kind, activity.amount, activity.occurred_on) == ("won", 1_200_000, YESTERDAY)
    assert activity.note == "初回発注"
    assert account.step == Step.WON.value
    body = assert_ephemeral(reply)
    assert "Logged a won deal for *アクメ商事* on 2026-11-21" in body, body
    assert "Amount: ¥1,200,000" in body


def test_lost_deal_with_revisit_date(driver: SlackDriver, db: Database) -> None:
    reply = driver.run("/deal", "Acme lost revisit 2027-04-01 -- budget next fiscal year")

    [activity] = activities_of(db, the_account(db).id)
    assert (activity.kind, activity.revisit_on) == ("lost", date(2027, 4, 1))
    assert the_account(db).deals_lost == 1
    assert "Revisit on 2027-04-01" in text_of(reply)


# --------------------------------------------------------------------------------------------- the ladder


LADDER_RUN = [
    # command, text, step after, reply fragments
    ("/meeting", "Acme visit", Step.MET, ["Moved up: 1.1 name only → 1.3 met once"]),
    (
        "/meeting",
        "Acme visit",
        Step.MET_TWICE,
        ["Moved up: 1.3 met once → 2.1 met twice", "New stage: Acquaintance → Prospect!"],
    ),
    ("/meeting", "Acme meal", Step.DINED, ["Moved up: 2.1 met twice → 2.2 shared a meal"]),
    ("/deal", "Acme proposed", Step.PROPOSED, ["Moved up: 2.2 shared a meal → 2.3 proposal submitted"]),
    ("/meeting", "Acme visit", Step.PROPOSED, ["2.3 proposal submitted", "Step unchanged."]),
    (
        "/deal",
        "Acme won 1.2M",
        Step.WON,
        ["Moved up: 2.3 proposal submitted → 3.1 one deal won", "New stage: Prospect → Customer!"],
    ),
    ("/deal", "Acme won", Step.REPEAT, ["Moved up: 3.1 one deal won → 3.2 two deals won"]),
    (
        "/deal",
        "Acme won",
        Step.REPEATER,
        ["Moved up: 3.2 two deals won → 4.1 repeat customer", "New stage: Customer → Repeater!"],
    ),
    ("/deal", "Acme lost", Step.REPEATER, ["Step unchanged."]),
]


def test_the_ladder_through_real_commands(driver: SlackDriver, db: Database) -> None:
    previous = Step.NAME_ONLY
    expected_changes: list[tuple[str | None, str, int]] = []
    for command, text, step, fragments in LADDER_RUN:
        reply = driver.run(command, text)
        account = the_account(db)
        latest = activities_of(db, account.id)[-1]
        assert account.step == step.value, (text, account.step)
        body = assert_ephemeral(reply)
        for fragment in fragments:
            assert fragment in body, (text, fragment, body)
        if step != previous:
            expected_changes.append((previous.value, step.value, latest.id))
        else:
            assert "Moved up" not in body and "New stage" not in body, body
        previous = step

        changes = step_changes_of(db, account.id)
        assert [(c.from_step, c.to_step, c.activity_id) for c in changes] == expected_changes
        assert all(c.reason == "activity" and c.user_id == USER for c in changes)

    account = the_account(db)
    assert (account.in_person_meetings, account.meals, account.proposals) == (4, 1, 1)
    assert (account.deals_won, account.deals_lost) == (3, 1)
    assert len(activities_of(db, account.id)) == len(LADDER_RUN)


def test_a_first_log_that_is_a_win_lands_on_3_1_and_names_the_skipped_steps(
    driver: SlackDriver, db: Database
) -> None:
    reply = driver.run("/deal", "Umbrella won 3M")

    account = the_account(db)
    [activity] = activities_of(db, account.id)
    assert account.step == Step.WON.value
    [change] = step_changes_of(db, account.id)
    assert (change.from_step, change.to_step, change.activity_id) == ("name_only", "won", activity.id)

    body = assert_ephemeral(reply)
    assert "Moved up: 1.1 name only → 3.1 one deal won" in body, body
    assert "New stage: Acquaintance → Customer!" in body, body
    skipped = "1.2 called or emailed, 1.3 met once, 2.1 met twice, 2.2 shared a meal, 2.3 proposal submitted"
    assert f"Never logged on the way: {skipped}" in body, body


def test_a_stage_change_is_announced_to_the_team_channel(driver: SlackDriver, slack: FakeSlack) -> None:
    driver.run("/meeting", "Acme visit")  # 1.1 → 1.3: a step change only, not announced
    driver.run("/meeting", "Acme visit")  # 1.3 → 2.1: Acquaintance → Prospect

    [post] = slack.wait_for("chat.postMessage", timeout=2)
    assert post.body["channel"] == "C0TEAM"
    assert "Acme" in text_of(post.body) and "Prospect" in text_of(post.body)


def test_a_step_never_moves_down(driver: SlackDriver, db: Database) -> None:
    driver.run("/deal", "Acme won")
    reply = driver.run("/meeting", "Acme call")

    account = the_account(db)
    assert account.step == Step.WON.value
    assert len(step_changes_of(db, account.id)) == 1
    assert "3.1 one deal won" in text_of(reply)
    assert "Step unchanged." in text_of(reply)


# --------------------------------------------------------------------------------------------- /account


def test_account_card(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit 2026-11-02 -- intro")
    driver.run("/meeting", "Acme visit 2026-11-12 -- demo")
    driver.run("/deal", "Acme proposed 1.2M 2026-11-15")
    reply = driver.run("/account", "acme")

    account = the_account(db)
    assert account.step == Step.PROPOSED.value
    body = assert_ephemeral(reply)
    assert reply["blocks"][0] == {
        "type": "header",
        "text": {"type": "plain_text", "text": "Acme", "emoji": True},
    }
    assert "*Stage* 2 Prospect · *Step* 2.3 proposal submitted" in body, body
    assert "*Owner* <@U0REP1>" in body
    assert "*Last touch* 2026-11-15 (Sun) (7 days ago)" in body, body
    assert "Meetings in person: 2 · proposals: 1 · deals won: 0" in body
    # History, newest first, with amounts and notes.
    # (each activity its own section, with its Edit / Delete menu: tests/e2e/test_corrections.py)
    texts = [b.get("text", {}).get("text", "") for b in reply["blocks"]]
    start = next(index for index, text in enumerate(texts) if "Recent history" in text)
    lines = texts[start + 1 : start + 4]
    assert lines[0] == "• 2026-11-15 (Sun) · proposal ¥1,200,000 · <@U0REP1>", lines
    assert lines[1] == "• 2026-11-12 (Thu) · visit · <@U0REP1> — demo", lines
    assert lines[2] == "• 2026-11-02 (Mon) · visit · <@U0REP1> — intro", lines
    # Next step with advice.
    assert "Next: 3.1 one deal won. Ask for the decision." in body, body
    # Buttons that open the log modals for this account.
    meeting_button, _ = find_button(reply, "open_log_meeting")
    deal_button, _ = find_button(reply, "open_log_deal")
    assert meeting_button["value"] == deal_button["value"] == str(account.id)


def test_account_card_for_an_account_never_touched_after_a_loss(driver: SlackDriver, db: Database) -> None:
    driver.run("/deal", "Acme lost")
    reply = driver.run("/account", "Acme")
    body = text_of(reply)
    assert "*Step* 1.1 name only" in body
    assert "*Last touch* today" in body
    assert "lost deal" in body
    assert the_account(db).step == Step.NAME_ONLY.value


def test_account_edits_in_english(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")

    reply = driver.run("/account", "Acme owner <@U0REP2|suzuki>")
    assert the_account(db).owner_id == OTHER_USER
    assert "*Acme* is now owned by <@U0REP2>" in assert_ephemeral(reply)

    reply = driver.run("/account", "Acme segment strategic")
    assert the_account(db).segment == "strategic"
    assert "*Acme* is now in segment *strategic*" in text_of(reply)

    reply = driver.run("/account", "Acme segment none")
    assert the_account(db).segment is None
    assert "no longer has a segment" in text_of(reply)

    reply = driver.run("/account", "Acme rename Acme Holdings")
    account = the_account(db)
    assert (account.name, account.name_key) == ("Acme Holdings", "acme holdings")
    assert "*Acme* is now called *Acme Holdings*" in text_of(reply)

    card = driver.run("/account", "Acme Holdings")
    assert "*Owner* <@U0REP2>" in text_of(card)
    assert len(activities_of(db, account.id)) == 1  # edits log nothing


def test_account_edits_with_japanese_keywords(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "アクメ商事 訪問")

    driver.run("/account", "アクメ商事 担当 <@U0REP2|suzuki>")
    driver.run("/account", "アクメ商事 セグメント strategic")
    reply = driver.run("/account", "アクメ商事 名前変更 アクメホールディングス")

    account = the_account(db)
    assert (account.owner_id, account.segment, account.name) == (
        OTHER_USER,
        "strategic",
        "アクメホールディングス",
    )
    assert "*アクメ商事* is now called *アクメホールディングス*" in text_of(reply)


def test_rename_to_an_existing_name_is_refused(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")
    driver.run("/meeting", "Globex visit")
    before = [snapshot(a) for a in all_accounts(db)]

    reply = driver.run("/account", "Globex rename ACME Inc.")

    assert [snapshot(a) for a in all_accounts(db)] == before
    body = assert_ephemeral(reply)
    assert "Another account is already called *ACME Inc.*" in body, body
    assert "Example:" in body


def test_unknown_account(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme visit")
    before = row_counts(db)

    reply = driver.run("/account", "Unknown")

    assert row_counts(db) == before
    body = assert_ephemeral(reply)
    assert "No account is called *Unknown*" in body, body
    assert "Example:" in body


def test_account_near_name_offers_the_close_ones(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Acme Trading visit")
    acme = the_account(db)

    reply = driver.run("/account", "Acme Tradin")

    button, _ = find_button(reply, "show_account_0")
    assert button["value"] == str(acme.id)
    assert "Did you mean" in text_of(reply)
    assert len(all_accounts(db)) == 1


# --------------------------------------------------------------------------------------------- /pyramid


# count, then the 7- and 30-day changes ("+2", "±0", or "–" before any snapshot), then the label
STAGE_LINE = re.compile(r"(\d+)(?:\s+(?:[+-]\d+|±0|–)){0,2}\s+(\d(?:\.\d)?) ")


def drawn_counts(reply: dict[str, Any]) -> dict[str, int]:
    """{"4": n, "3": n, ..., "2.3": n, ...} read back from the drawn pyramid."""
    drawing = drawn_pyramid(reply)
    counts = {}
    for line in drawing.strip("`\n").splitlines():
        if "30d" in line or "30日" in line:
            continue  # the column headings
        found = STAGE_LINE.search(line)
        assert found, line
        counts[found[2]] = int(found[1])
    return counts


def db_counts(db: Database, owner: str | None = None, team: str = TEAM) -> tuple[Counter[str], Counter[str]]:
    """(by stage, by step label) as the database holds them."""
    rows = [a for a in all_accounts(db, team) if owner is None or a.owner_id == owner]
    stages = Counter(str(Step(a.step).stage.value) for a in rows)
    steps = Counter(Step(a.step).label for a in rows)
    return stages, steps


def fallback(title: str, stages: Counter[str]) -> str:
    return f"{title} — " + " · ".join(f"{s}: {stages[s]}" for s in "4321")


def build_team(driver: SlackDriver) -> None:
    """USER: three acquaintances, two prospects, one customer. OTHER_USER: two customers."""
    driver.run("/meeting", "A1 visit")
    driver.run("/meeting", "A2 call")
    driver.run("/meeting", "A3 email")
    driver.run("/meeting", "P1 meal")
    driver.run("/deal", "P2 proposed")
    driver.run("/deal", "C1 won")
    driver.run("/deal", "C2 won", user=OTHER_USER)
    driver.run("/deal", "C3 受注", user=OTHER_USER)
    driver.run("/meeting", "Elsewhere visit", team=OTHER_TEAM)  # never counted in TEAM


def test_pyramid_team_me_user_and_detail(driver: SlackDriver, db: Database) -> None:
    build_team(driver)

    # Team: 3 / 2 / 3 / 0 → stage 2 does not outnumber stage 3.
    team = driver.run("/pyramid")
    stages, steps = db_counts(db)
    assert stages == Counter({"1": 3, "2": 2, "3": 3})
    assert team["text"] == fallback("Team pyramid", stages)
    assert drawn_counts(team) == {s: stages[s] for s in "4321"}
    body = assert_ephemeral(team)
    assert "Accounts: 8" in body
    assert "Not healthy" in body
    assert "Stage 2 (2) ≤ stage 3 (3)" in body, body
    assert "Stage 1 (3)" not in body
    find_button(team, "share_pyramid")

    # Me: 3 / 2 / 1 / 0 → healthy.
    mine = driver.run("/pyramid", "me")
    my_stages, _ = db_counts(db, owner=USER)
    assert mine["text"] == fallback("Your pyramid", my_stages)
    assert drawn_counts(mine) == {s: my_stages[s] for s in "4321"}
    assert "Healthy" in text_of(mine) and "Accounts: 6" in text_of(mine)

    # A colleague, by mention.
    theirs = driver.run("/pyramid", "<@U0REP2|suzuki>")
    their_stages, _ = db_counts(db, owner=OTHER_USER)
    assert their_stages == Counter({"3": 2})
    assert theirs["text"] == fallback("Pyramid of <@U0REP2>", their_stages)
    assert "Stage 1 (0) ≤ stage 2 (0)" in text_of(theirs)

    # Detail: the nine steps, each equal to the database.
    detail = driver.run("/pyramid", "team detail")
    drawn = drawn_counts(detail)
    for step in Step:
        assert drawn[step.label] == steps[step.label], (step, drawn)
    assert "1.2 called or emailed" in text_of(detail)


def test_pyramid_in_japanese_keywords(driver: SlackDriver, db: Database) -> None:
    build_team(driver)

    reply = driver.run("/pyramid", "自分 詳細")
    my_stages, my_steps = db_counts(db, owner=USER)
    drawn = drawn_counts(reply)
    assert {s: drawn[s] for s in "4321"} == {s: my_stages[s] for s in "4321"}
    assert drawn["1.2"] == my_steps["1.2"] == 2

    reply = driver.run("/pyramid", "チーム")
    stages, _ = db_counts(db)
    assert reply["text"] == fallback("Team pyramid", stages)


def test_empty_pyramid(driver: SlackDriver, db: Database) -> None:
    reply = driver.run("/pyramid")
    assert "No accounts yet" in assert_ephemeral(reply)
    assert row_counts(db)["Account"] == 0


# --------------------------------------------------------------------------------------------- Japanese


def test_the_japanese_user_gets_japanese_replies(driver: SlackDriver, db: Database) -> None:
    meeting = driver.run("/meeting", "アクメ商事 訪問 昨日", user=OTHER_USER)
    assert "*アクメ商事* との訪問を11/21(土)付けで記録しました。" in text_of(meeting), text_of(meeting)
    assert "ステップアップ：1.1 名前のみ → 1.3 面談1回" in text_of(meeting)

    deal = driver.run("/deal", "アクメ商事 受注 120万", user=OTHER_USER)
    body = text_of(deal)
    assert "*アクメ商事* の受注を11/22(日)付けで記録しました。" in body, body
    assert "金額：120万円" in body
    assert "ステージが変わりました：知り合い → 顧客！" in body, body

    card = driver.run("/account", "アクメ商事", user=OTHER_USER)
    assert "*ステージ* 3 顧客 · *ステップ* 3.1 受注1件" in text_of(card)
    assert "活動を記録" in text_of(card)

    pyramid = driver.run("/pyramid", user=OTHER_USER)
    assert pyramid["text"].startswith("チームのピラミッド")

    error = driver.run("/deal", "アクメ商事 受注 12abc", user=OTHER_USER)
    assert "「12abc」は金額として読めません。" in text_of(error)
    assert "例：`/deal アクメ商事 受注 120万" in text_of(error)

    account = the_account(db)
    assert account.owner_id == OTHER_USER
    assert [a.kind for a in activities_of(db, account.id)] == ["visit", "won"]


# --------------------------------------------------------------------------------------------- bad input


LONG_NOTE = "x" * 10_000

BAD_INPUT = [
    ("/deal", "Acme visit", "Say what happened: proposed, won or lost."),
    ("/deal", "Acme shipped", "Say what happened: proposed, won or lost."),
    ("/deal", "Acme", "Say what happened"),
    ("/meeting", "Acme won", '"won" is not a kind this command knows.'),
    ("/meeting", "Acme visit 2026-02-30", '"2026-02-30" is not a date I understand.'),
    ("/deal", "Acme won 2026-02-30", '"2026-02-30" is not a date I understand.'),
    ("/deal", "Acme won 12abc", '"12abc" is not an amount I understand.'),
    ("/deal", "Acme won 0", '"0" is not an amount I understand.'),
    ("/meeting", "Acme visit tomorrow", "2026-11-23 is in the future"),
    ("/meeting", "Acme 2026-12-01", "2026-12-01 is in the future"),
    ("/deal", "Acme won next week", "2026-11-23 is in the future"),
    ("/meeting", "-- hi", "Please name the account."),
    ("/deal", "won 1.2M", "Please name the account."),
    ("/meeting", f"Acme visit -- {LONG_NOTE}", "The note is 10000 characters; the limit is 1000."),
    ("/deal", f"Acme won -- {LONG_NOTE}", "The note is 10000 characters; the limit is 1000."),
    ("/meeting", "N" * 121, "An account name can be at most 120 characters."),
    ("/deal", "Acme won revisit 2027-01-01", "A revisit date goes with a lost deal."),
    ("/deal", "Acme lost revisit 2026-11-01", "2026-11-01 is in the past"),
    ("/account", "Acme owner bob", '"bob" is not a Slack user'),
    ("/account", "Acme segment", "Please give a new value for segment."),
    ("/account", "Nobody Inc", "No account is called *Nobody Inc*."),
    ("/pyramid", "everyone", '"everyone" is not a pyramid I can show.'),
    ("/pyramid", "@bob", '"@bob" is not a Slack user'),
]


@pytest.mark.parametrize(
    ("command", "text", "message"), BAD_INPUT, ids=[f"{c} {t[:30]}" for c, t, _ in BAD_INPUT]
)
def test_bad_input_gets_an_example_and_stores_nothing(
    driver: SlackDriver, db: Database, command: str, text: str, message: str
) -> None:
    driver.run("/meeting", "Acme visit 2026-11-20")
    before_rows = every_row(db)
    before = snapshot(the_account(db))

    reply = driver.run(command, text)

    assert every_row(db) == before_rows
    assert snapshot(the_account(db)) == before
    body = assert_ephemeral(reply)
    assert message in body, body
    assert "Example: `" + command in body, body
    assert len(reply["text"]) < 300  # short


def test_bad_input_for_a_new_account_creates_no_account(driver: SlackDriver, db: Database) -> None:
    for text in ("Fresh visit tomorrow", "Fresh 2026-02-30", "Fresh won -- " + LONG_NOTE):
        command = "/deal" if " won " in text else "/meeting"
        reply = driver.run(command, text)
        assert "Example:" in text_of(reply)
    assert set(every_row(db).values()) == {0}


@pytest.mark.parametrize(
    ("user", "command", "bad"),
    [
        (USER, "/meeting", "Acme tomorrow"),
        (USER, "/deal", "Acme won 12abc"),
        (OTHER_USER, "/meeting", "アクメ 明日"),
        (OTHER_USER, "/deal", "アクメ 受注 12abc"),
    ],
)
def test_the_example_in_an_error_message_is_correct(
    driver: SlackDriver, db: Database, user: str, command: str, bad: str
) -> None:
    error = driver.run(command, bad, user=user)
    found = re.search(r"(?:Example: |例：)`([^`]+)`", text_of(error))
    assert found, text_of(error)
    example_command, _, example_text = found[1].partition(" ")
    assert example_command == command

    reply = driver.run(example_command, example_text, user=user)

    assert "Example" not in text_of(reply) and "例:" not in text_of(reply), text_of(reply)
    [account] = all_accounts(db)
    assert len(activities_of(db, account.id)) == 1


def test_today_is_the_reps_own_today(driver: SlackDriver, slack: FakeSlack, db: Database) -> None:
    # 2026-11-22 01:00 UTC is still Saturday the 21st, 17:00, in Los Angeles.
    slack.add_user("U0LAREP", name="lee", tz="America/Los_Angeles", locale="en-US")
    # The rep's zone is known once Slack has been asked: a first request on a loaded machine may be read
    # in the team's zone while users.info is under way (Runtime.profile's deadline).
    driver.run("/pyramid", "me", user="U0LAREP")
    reply = driver.run("/meeting", "Acme visit", user="U0LAREP")
    refused = driver.run("/meeting", "Acme visit 2026-11-22", user="U0LAREP")

    [activity] = activities_of(db, the_account(db).id)
    assert activity.occurred_on == date(2026, 11, 21)
    assert the_account(db).last_touch_on == date(2026, 11, 21)
    assert "on 2026-11-21 (Sat)" in text_of(reply)
    assert "2026-11-22 is in the future" in text_of(refused)


def test_dates_follow_the_clock_past_midnight(driver: SlackDriver, db: Database, clock: FixedClock) -> None:
    clock.set(datetime(2026, 11, 22, 15, 30, tzinfo=UTC))  # 00:30 on the 23rd in Tokyo
    driver.run("/meeting", "Acme visit")
    driver.run("/meeting", "Acme call yesterday")
    driver.run("/meeting", "Acme email 昨日")

    dates = [a.occurred_on for a in activities_of(db, the_account(db).id)]
    assert dates == [date(2026, 11, 23), date(2026, 11, 22), date(2026, 11, 22)]
    assert the_account(db).last_touch_on == date(2026, 11, 23)


def test_characters_slack_escapes_in_command_text_are_stored_as_typed(
    driver: SlackDriver, db: Database
) -> None:
    # What Slack sends for: /meeting AT&T visit -- Q&A with the <CTO>
    reply = driver.run("/meeting", "AT&amp;T visit -- Q&amp;A with the &lt;CTO&gt;")

    account = the_account(db)
    [activity] = activities_of(db, account.id)
    assert (account.name, activity.note) == ("AT&T", "Q&A with the <CTO>")
    assert "*AT&amp;T*" in text_of(reply) and "&amp;amp;" not in text_of(reply)


def test_pyramid_counts_only_the_team(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "Mine visit")
    driver.run("/deal", "Initech won", team=OTHER_TEAM)
    driver.run("/deal", "Hooli won", team=OTHER_TEAM)

    reply = driver.run("/pyramid")
    assert reply["text"] == "Team pyramid — 4: 0 · 3: 0 · 2: 0 · 1: 1"
    other = driver.run("/pyramid", team=OTHER_TEAM)
    assert other["text"] == "Team pyramid — 4: 0 · 3: 2 · 2: 0 · 1: 0"
    assert len(all_accounts(db, OTHER_TEAM)) == 2


def test_a_note_that_mentions_payload_is_still_a_command(driver: SlackDriver, db: Database) -> None:
    # Bolt alone would take any form body containing "payload" for an interaction and drop it.
    reply = driver.run("/meeting", "Acme visit -- they asked about the payload limits")
    assert "Acme" in text_of(reply)
    with db.transaction() as session:
        notes = session.scalars(select(Activity.note)).all()
    assert notes == ["they asked about the payload limits"]
