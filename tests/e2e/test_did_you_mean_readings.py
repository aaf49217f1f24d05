"""`/meeting ダイワ電機 訪問` beside an existing 大和電機(株) (大和 also reads だいわ) asks "did you mean",
stores nothing until answered, and the button logs the visit to 大和電機; the other way round too. A
name that only looks alike by a rare reading is created at once, as any new name.

The clock stands at Sunday 2026-11-22 10:00 Asia/Tokyo."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.db import Database
from tests.support.database import account_named, activities_of, all_accounts, row_counts
from tests.support.ids import OTHER_USER
from tests.support.slack_driver import SlackDriver, find_button, text_of

pytestmark = pytest.mark.usefixtures("settled")


@pytest.mark.parametrize(("known", "typed"), [("大和電機(株)", "ダイワ電機"), ("ダイワ電機", "大和電機")])
def test_a_name_read_another_way_asks_and_the_button_logs_to_the_known_account(
    driver: SlackDriver, db: Database, known: str, typed: str
) -> None:
    driver.run("/meeting", f"{known} 電話", user=OTHER_USER)
    account = account_named(db, known)

    question = driver.run("/meeting", f"{typed} 訪問", user=OTHER_USER)

    assert f"*{typed}* という取引先はありません。こちらのことでしょうか？" in text_of(question), text_of(
        question
    )
    use, _ = find_button(question, "near_match_use_0")
    assert json.loads(use["value"])["a"] == account.id
    assert use["text"]["text"] == f"{known} に記録"
    assert row_counts(db) == {"Account": 1, "Activity": 1, "StepChange": 1, "PendingRequest": 1}

    _, key = driver.press(question, "near_match_use_0", user=OTHER_USER)
    answer = driver.reply(key)

    assert known in text_of(answer), text_of(answer)
    visits = [(a.kind, a.occurred_on) for a in activities_of(db, account.id)]
    assert visits == [("call", date(2026, 11, 22)), ("visit", date(2026, 11, 22))]
    assert [a.name for a in all_accounts(db)] == [known]
    assert row_counts(db)["PendingRequest"] == 0


def test_a_rare_reading_alone_is_not_asked_about(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "山田商事 電話", user=OTHER_USER)
    reply = driver.run("/meeting", "サンデン商事 訪問", user=OTHER_USER)
    assert "こちらのことでしょうか" not in text_of(reply), text_of(reply)
    assert sorted(a.name for a in all_accounts(db)) == ["サンデン商事", "山田商事"]
