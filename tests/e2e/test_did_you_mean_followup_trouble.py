"""`/followup` and `/trouble` with a name only close to existing accounts ask "did you mean", like
`/meeting`: the request is parked, one button per close account, answered once. A name close to none
is refused. These commands never create an account.

The clock stands at Sunday 2026-11-22 10:00 Asia/Tokyo."""

from __future__ import annotations

import json
from datetime import date

import pytest

from bot.db import Database
from bot.models import PendingRequest
from tests.support.database import account_named, count, followups, recoveries
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_USER
from tests.support.slack_driver import SlackDriver, find_button, text_of

pytestmark = pytest.mark.usefixtures("settled")


@pytest.mark.parametrize(
    ("known", "typed", "command", "rest"),
    [
        ("Acme Trading", "Acme Tradin", "/followup", "2026-12-01 -- call back"),
        ("Acme Trading", "Acme Tradin", "/trouble", "-- late delivery"),
        ("山田商事", "ヤマダ商事", "/followup", "12/4 -- 電話する"),
        ("山田商事", "やまだ商事", "/trouble", "-- 納期遅れ"),
        ("丸山印刷", "丸山印", "/followup", "来週金曜"),
    ],
)
def test_a_close_name_is_asked_about_and_nothing_is_stored(
    driver: SlackDriver, db: Database, known: str, typed: str, command: str, rest: str
) -> None:
    driver.run("/meeting", f'"{known}" visit')
    question = driver.run(command, f"{typed} {rest}")
    assert f"No account is called *{typed}*. Did you mean one of these?" in text_of(question), text_of(
        question
    )
    use, _ = find_button(question, f"{command[1:]}_pick_0")
    assert use["text"]["text"] == known
    assert json.loads(use["value"])["a"] == account_named(db, known).id
    assert f"Run {command} again" in text_of(question)
    assert (len(followups(db)), len(recoveries(db)), count(db, PendingRequest)) == (0, 0, 1)


def test_followup_pick_schedules_once(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", '"Acme Trading" visit')
    question = driver.run("/followup", "Acme Tradin 2026-12-01 -- call back")

    _, key = driver.press(question, "followup_pick_0")
    answer = driver.reply(key)

    assert answer.get("replace_original") is True, answer
    assert "*Acme Trading*" in text_of(answer) and "2026-12-01" in text_of(answer), text_of(answer)
    [followup] = followups(db)
    account = account_named(db, "Acme Trading")
    assert (followup.account_id, followup.due_on, followup.note) == (
        account.id,
        date(2026, 12, 1),
        "call back",
    )
    assert count(db, PendingRequest) == 0

    _, key = driver.press(question, "followup_pick_0")
    assert "That choice has already been made." in text_of(driver.reply(key))
    assert len(followups(db)) == 1


def test_trouble_pick_opens_once_in_japanese(driver: SlackDriver, db: Database, slack: FakeSlack) -> None:
    driver.run("/meeting", "山田商事 訪問", user=OTHER_USER)
    question = driver.run("/trouble", "ヤマダ商事 -- 納期が2日遅れた", user=OTHER_USER)
    assert "*ヤマダ商事* という取引先はありません。こちらのことでしょうか？" in text_of(question)
    assert "登録済みの取引先名で /trouble をもう一度実行してください。" in text_of(question)

    _, key = driver.press(question, "trouble_pick_0", user=OTHER_USER)
    answer = driver.reply(key)

    [recovery] = recoveries(db)
    assert recovery.account_id == account_named(db, "山田商事").id
    assert recovery.what == "納期が2日遅れた"
    assert "山田商事" in text_of(answer), text_of(answer)
    assert count(db, PendingRequest) == 0

    _, key = driver.press(question, "trouble_pick_0", user=OTHER_USER)
    assert "この選択はすでに済んでいます。" in text_of(driver.reply(key))
    assert len(recoveries(db)) == 1


@pytest.mark.parametrize(
    ("command", "text"),
    [("/followup", "Initech 2026-12-01"), ("/trouble", "Initech -- late"), ("/followup", "東京電機 12/4")],
)
def test_a_name_close_to_none_is_refused(driver: SlackDriver, db: Database, command: str, text: str) -> None:
    driver.run("/meeting", '"Acme Trading" visit')
    reply = driver.run(command, text)
    name = text.split(" ")[0]
    assert f"*{name}*" in text_of(reply) and "Did you mean" not in text_of(reply), text_of(reply)
    assert (len(followups(db)), len(recoveries(db)), count(db, PendingRequest)) == (0, 0, 0)


def test_an_exact_name_still_schedules_at_once(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "山田商事 訪問")
    reply = driver.run("/followup", "山田商事様 2026-12-01")
    assert "Did you mean" not in text_of(reply)
    assert len(followups(db)) == 1
