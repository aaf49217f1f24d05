"""Accounts leave the pyramid and come back (SPEC §2 "Status", issue 11 part 2), end to end: an account
silent past its stage's threshold leaves the counts as dormant and comes back on its next touch; a
recovery closed lost and a former customer's final lost deal take it out as lost, and a new touch brings
it back; the pyramid, its beside line, the card and the export agree.

The clock starts at Sunday 2026-11-22 10:00 Asia/Tokyo; USER reads English, OTHER_USER Japanese.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.cli import main
from bot.clock import FixedClock
from bot.db import Database
from bot.models import Account, AccountEvent
from tests.support.database import account_named, cli_environment
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_USER, TEAM, USER
from tests.support.slack_driver import SlackDriver, drawn_pyramid, eventually, press_in, text_of

pytestmark = pytest.mark.usefixtures("settled")

DM = "D" + USER
STAGE_LINE = re.compile(r"█* *(\d+) +\S+ +\S+  (\d) \S")


def jst(year: int, month: int, day: int, hour: int = 10) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC) - timedelta(hours=9)


def stage_counts(reply: dict[str, Any]) -> dict[int, int]:
    """{stage: count} read back from the drawn pyramid of a /pyramid reply."""
    drawing = drawn_pyramid(reply)
    found = {int(m[2]): int(m[1]) for m in STAGE_LINE.finditer(drawing)}
    assert sorted(found) == [1, 2, 3, 4], drawing
    return found


def log(driver: SlackDriver, command: str, text: str, user: str = USER) -> str:
    reply = text_of(driver.run(command, text, user=user))
    assert "Logged" in reply or "記録" in reply, reply
    return reply


def status_of(db: Database, name: str) -> str:
    return account_named(db, name).status


def events_of(db: Database, name: str) -> list[tuple[str, str]]:
    account = account_named(db, name)
    with db.transaction() as session:
        rows = session.scalars(
            select(AccountEvent).where(AccountEvent.account_id == account.id).order_by(AccountEvent.id)
        )
        return [(event.kind, event.user_id) for event in rows]


def set_stored(db: Database, name: str, status: str) -> None:
    """What a manager's archive does (their command is another change's); here the row is set."""
    with db.transaction() as session:
        account = session.scalars(select(Account).where(Account.team_id == TEAM, Account.name == name)).one()
        account.status = status


# --------------------------------------------------------------------------------------------- dormant


def test_an_account_silent_past_its_threshold_leaves_the_counts_and_comes_back_on_its_next_touch(
    driver: SlackDriver, db: Database, clock: FixedClock
) -> None:
    log(driver, "/deal", "Acme won")  # a customer: dormant after 90 days without a touch
    log(driver, "/meeting", "Beta visit")  # an acquaintance: 365 days
    assert stage_counts(driver.run("/pyramid")) == {4: 0, 3: 1, 2: 0, 1: 1}

    clock.set(jst(2027, 2, 19))  # 89 days later: still active
    assert stage_counts(driver.run("/pyramid")) == {4: 0, 3: 1, 2: 0, 1: 1}
    clock.set(jst(2027, 2, 20))  # 90 days: dormant, beside the pyramid
    reply = driver.run("/pyramid", "detail")
    assert stage_counts(reply) == {4: 0, 3: 0, 2: 0, 1: 1}
    text = text_of(reply)
    assert "Beside the pyramid: 1 dormant (stage 3: 1), 0 lost — win-back candidates" in text, text
    assert "2 accounts in all: 1 active, 1 dormant, 0 lost, 0 archived." in text
    card = text_of(driver.run("/account", "Acme"))
    assert "💤 Dormant since" in card and "no touch for 90 days" in card, card

    reply_to_touch = log(driver, "/meeting", "Acme call")
    assert "back in the pyramid" not in reply_to_touch  # dormant is derived: nothing to announce
    reply = driver.run("/pyramid")
    assert stage_counts(reply) == {4: 0, 3: 1, 2: 0, 1: 1}
    assert "Beside the pyramid" not in text_of(reply)
    assert account_named(db, "Acme").step == "won"  # back on the step it had
    assert "Dormant" not in text_of(driver.run("/account", "Acme"))


# ------------------------------------------------------------------------------------------------ lost


def checklist_of(slack: FakeSlack, user: str = USER) -> dict[str, Any]:
    """The owner's checklist DM of the recovery just opened (it follows the /trouble reply)."""

    def found() -> list[dict[str, Any]]:
        return [
            m
            for m in slack.history(user)
            if (m.get("metadata") or {}).get("event_payload", {}).get("kind") == "trouble_dm"
        ]

    [message] = eventually(found)
    return message


def test_a_recovery_closed_lost_moves_the_account_out_and_a_new_touch_brings_it_back(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock
) -> None:
    log(driver, "/deal", "Acme won")
    log(driver, "/meeting", "Beta visit")
    driver.run("/trouble", "Acme -- the shipment arrived broken")
    clock.advance(timedelta(hours=2))
    press_in(driver, checklist_of(slack), DM, "recovery_lost", user=OTHER_USER)
    slack.wait_for("chat.update")

    assert status_of(db, "Acme") == "lost"
    assert events_of(db, "Acme") == [("lost", OTHER_USER)]  # who closed it
    reply = driver.run("/pyramid")
    assert stage_counts(reply) == {4: 0, 3: 0, 2: 0, 1: 1}
    assert "Beside the pyramid: 0 dormant, 1 lost (stage 3: 1)" in text_of(reply)
    assert "❌ Lost since" in text_of(driver.run("/account", "Acme"))

    clock.advance(timedelta(days=30))
    back = log(driver, "/meeting", "Acme visit")
    assert "Acme is back in the pyramid" in back, back
    assert status_of(db, "Acme") == "active"
    assert events_of(db, "Acme") == [("lost", OTHER_USER), ("reactivated", USER)]
    assert stage_counts(driver.run("/pyramid")) == {4: 0, 3: 1, 2: 0, 1: 1}


def test_a_former_customers_final_lost_deal_takes_it_out_a_revisit_date_keeps_it_in(
    driver: SlackDriver, db: Database
) -> None:
    log(driver, "/deal", "Acme won")
    out = log(driver, "/deal", "Acme lost -- went with a competitor")
    assert "Acme is now marked lost and leaves the pyramid" in out, out
    assert (status_of(db, "Acme"), events_of(db, "Acme")) == ("lost", [("lost", USER)])

    log(driver, "/deal", "Bravo won")
    timing = log(driver, "/deal", "Bravo lost revisit 2027-04-01")
    assert "marked lost" not in timing, timing
    assert (status_of(db, "Bravo"), events_of(db, "Bravo")) == ("active", [])

    never = log(driver, "/deal", "Charlie lost")  # never a customer: a prospect's no is no status
    assert "marked lost" not in never
    assert status_of(db, "Charlie") == "active"

    # One more "no" with no date keeps a lost account lost; a proposal brings it back.
    log(driver, "/deal", "Acme lost")
    assert status_of(db, "Acme") == "lost"
    assert "back in the pyramid" in log(driver, "/deal", "Acme proposed")
    assert status_of(db, "Acme") == "active"


def test_lost_and_back_in_japanese(driver: SlackDriver, db: Database) -> None:
    log(driver, "/deal", "山田商事 受注", user=OTHER_USER)
    out = log(driver, "/deal", "山田商事 失注", user=OTHER_USER)
    assert "山田商事を離反として記録し、ピラミッドから外しました" in out, out
    assert "再訪 <日付>" in out
    back = log(driver, "/meeting", "山田商事 訪問", user=OTHER_USER)
    assert "山田商事がピラミッドに戻りました" in back, back
    reply = text_of(driver.run("/pyramid", user=OTHER_USER))
    assert "ピラミッドの外" not in reply
    log(driver, "/deal", "山田商事 失注", user=OTHER_USER)
    reply = text_of(driver.run("/pyramid", user=OTHER_USER))
    assert "🔁 ピラミッドの外：休眠 0社、離反 1社（ステージ別 3: 1）。掘り起こしの候補です" in reply, reply
    assert "取引先は全部で1社：アクティブ 0社、休眠 0社、離反 1社、アーカイブ済み 0社。" in reply


def test_a_retried_log_changes_the_status_once(driver: SlackDriver, db: Database) -> None:
    log(driver, "/deal", "Acme won")
    copies = driver.same_delivery("/deal", "Acme lost", trigger_id="T-lost-once")
    assert all(sent.status == 200 for sent, _ in copies)
    assert events_of(db, "Acme") == [("lost", USER)]


# -------------------------------------------------------------------------- the pyramid agrees with export


def exported(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    database_url: str,
    day: str,
) -> list[dict[str, Any]]:
    cli_environment(monkeypatch, database_url, tmp_path)
    capsys.readouterr()
    assert main(["export", "--format", "json", "--date", day]) == 0
    return [row for row in json.loads(capsys.readouterr().out) if row["team_id"] == TEAM]


def test_the_numbers_in_pyramid_agree_with_export(
    driver: SlackDriver,
    slack: FakeSlack,
    db: Database,
    clock: FixedClock,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    database_url: str,
) -> None:
    """A mixed history: logs at every stage by two reps, a customer dormant by the clock, one lost by a
    recovery, one lost by a final "no", one archived; the /pyramid counts (team and each rep) are the
    export's active rows per stage, and the line of every status matches the export's."""
    clock.set(jst(2026, 8, 1))
    log(driver, "/deal", "Oldco won")  # untouched from here: dormant by December
    log(driver, "/deal", "Keepco won")
    clock.set(jst(2026, 11, 22))
    for command, text, user in [
        ("/meeting", "Acme visit", USER),
        ("/meeting", "Acme meal", USER),
        ("/meeting", "Globex call", USER),
        ("/deal", "Initech won", OTHER_USER),
        ("/deal", "Initech won", OTHER_USER),
        ("/deal", "Initech won", OTHER_USER),
        ("/meeting", "Hooli visit", OTHER_USER),
        ("/meeting", "Keepco visit", USER),
        ("/deal", "Umbrella won", USER),
        ("/deal", "Umbrella lost", USER),  # a former customer's final no: lost
        ("/meeting", "Shelfco call", USER),
        ("/deal", "Stark won", OTHER_USER),
    ]:
        log(driver, command, text, user)
    driver.run("/trouble", "Stark -- wrong parts", user=OTHER_USER)
    press_in(driver, checklist_of(slack, OTHER_USER), "D" + OTHER_USER, "recovery_lost", user=OTHER_USER)
    eventually(lambda: status_of(db, "Stark") == "lost")
    set_stored(db, "Shelfco", "archived")

    team = driver.run("/pyramid")
    mine = driver.run("/pyramid", "me")
    theirs = driver.run("/pyramid", f"<@{OTHER_USER}|suzuki> detail")
    rows = exported(monkeypatch, capsys, tmp_path, database_url, "2026-11-22")

    def active_by_stage(owner: str | None = None) -> dict[int, int]:
        counted = Counter(
            row["stage"]
            for row in rows
            if row["status"] == "active" and (owner is None or row["owner"] == owner)
        )
        return {stage: counted[stage] for stage in (1, 2, 3, 4)}

    assert stage_counts(team) == active_by_stage() == {4: 1, 3: 1, 2: 1, 1: 2}
    assert stage_counts(mine) == active_by_stage(USER)
    assert stage_counts(theirs) == active_by_stage(OTHER_USER)
    by_status = Counter(row["status"] for row in rows)
    assert by_status == {"active": 5, "dormant": 1, "lost": 2, "archived": 1}
    assert (
        f"{len(rows)} accounts in all: {by_status['active']} active, {by_status['dormant']} dormant, "
        f"{by_status['lost']} lost, {by_status['archived']} archived."
    ) in text_of(team)
    assert "Beside the pyramid: 1 dormant (stage 3: 1), 2 lost (stage 3: 2)" in text_of(team)
