"""What a Japanese rep really types, end to end (issue 13): the forms are read and stored as meant,
and a line that cannot be read as meant stores nothing and says which word was wrong.

The clock stands at Sunday 2026-11-22 10:00 Asia/Tokyo; OTHER_USER's Slack locale is Japanese.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.db import Database
from bot.models import Account, Activity, Followup
from tests.support.database import every_row
from tests.support.slack_driver import OTHER_USER, SlackDriver, text_of


def test_a_japanese_line_is_read_as_the_rep_meant_it(driver: SlackDriver, db: Database) -> None:
    meeting = driver.run("/meeting", "山田商事様 打ち合わせ 11/20(金) ーー 見積の件", user=OTHER_USER)
    assert "*山田商事* との訪問を11/20(金)付けで記録しました。" in text_of(meeting), text_of(meeting)

    deal = driver.run("/deal", "山田商事 成約 一億二千万円(税別) 昨日", user=OTHER_USER)
    assert "*山田商事* の受注を11/21(土)付けで記録しました。" in text_of(deal), text_of(deal)

    followup = driver.run("/followup", "山田商事 来月中旬 ーー 追加発注の確認", user=OTHER_USER)
    assert followup.get("response_type") == "ephemeral", followup

    with db.transaction() as s:
        accounts = list(s.scalars(select(Account)))
        assert [a.name for a in accounts] == ["山田商事"]
        activities = list(s.scalars(select(Activity).order_by(Activity.id)))
        assert [(a.kind, a.occurred_on, a.amount, a.note) for a in activities] == [
            ("visit", date(2026, 11, 20), None, "見積の件"),
            ("won", date(2026, 11, 21), 120_000_000, None),
        ]
        followups = list(s.scalars(select(Followup)))
        # the win scheduled its own after-sale call; the rep's follow-up is the other one
        assert (date(2026, 12, 11), "追加発注の確認") in [(f.due_on, f.note) for f in followups]


def test_a_weekday_that_does_not_match_stores_nothing_and_names_the_word(
    driver: SlackDriver, db: Database
) -> None:
    before = every_row(db)
    reply = driver.run("/followup", "山田商事 12/4(木) -- 電話する", user=OTHER_USER)
    body = text_of(reply)
    assert "「12/4(木)」は日付と曜日が合いません（2026-12-04）。" in body, body
    assert "例：`/followup" in body, body
    assert every_row(db) == before


def test_help_shows_how_the_command_is_written_and_creates_no_account(
    driver: SlackDriver, db: Database
) -> None:
    before = every_row(db)
    for text in ("help", "ヘルプ"):
        reply = driver.run("/meeting", text, user=OTHER_USER)
        body = text_of(reply)
        assert "このコマンドは次のように入力します（何も記録していません）。" in body, body
        assert "例：`/meeting" in body, body
    assert every_row(db) == before
