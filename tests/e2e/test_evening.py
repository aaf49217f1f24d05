"""The evening prompt (issue 14): off by default; when on, one DM per rep per working day at the rep's
own PYRAMID_EVENING_TIME (not on weekends or Japanese holidays), exactly once however often the
scheduler ticks; a reply in its thread is previewed like any message in plain words, in that thread.

Tuesday 2026-11-24 is a working day; Monday the 23rd is a public holiday in Japan.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.jobs.evening import EveningRun, send_due_evening_prompts
from bot.jobs.outbox import Outcome
from bot.services import accounts
from tests.e2e.test_plain_words import event
from tests.support.database import every_row
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_USER, TEAM, USER
from tests.support.server import jobs_client, runtime_for
from tests.support.slack_driver import SlackDriver, eventually, settle, text_of

NEW_YORK_REP = "U0NYREP"
TUESDAY_6PM_TOKYO = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def book(db: Database, slack: FakeSlack) -> None:
    slack.add_user(NEW_YORK_REP, name="smith", tz="America/New_York", locale="en-US")
    with db.transaction() as session:
        for name, owner in (("Acme", USER), ("山田商事", OTHER_USER), ("Globex", NEW_YORK_REP)):
            accounts.create_account(
                session, TEAM, name, owner, now=TUESDAY_6PM_TOKYO, today=date(2026, 11, 1)
            )


def tick(
    settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack, at: datetime
) -> list[EveningRun]:
    clock.set(at)
    runtime = runtime_for(settings, db, clock)
    return send_due_evening_prompts(runtime, jobs_client(slack), clock.now())


def prompts_to(slack: FakeSlack, user: str) -> list[dict[str, Any]]:
    """The prompts in the user's DM (the ledger posts to the user's id, or the DM's once it knows it)."""
    return [
        c.body
        for c in slack.calls_to("chat.postMessage")
        if c.body.get("channel") in (user, "D" + user) and not c.body.get("thread_ts")
    ]


def on(settings: Settings) -> Settings:
    return settings.model_copy(update={"pyramid_evening_prompt": True})


def test_off_by_default(settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack) -> None:
    book(db, slack)
    assert settings.pyramid_evening_prompt is False
    assert tick(settings, db, clock, slack, TUESDAY_6PM_TOKYO) == []
    assert slack.calls_to("chat.postMessage") == []


def test_each_rep_is_asked_once_a_working_day_at_their_own_evening(
    settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack
) -> None:
    book(db, slack)
    settings = on(settings)
    assert tick(settings, db, clock, slack, datetime(2026, 11, 24, 8, 55, tzinfo=UTC)) == []  # 17:55 Tokyo

    runs = tick(settings, db, clock, slack, TUESDAY_6PM_TOKYO)
    assert sorted((r.user_id, r.day, r.result.outcome) for r in runs) == [
        (USER, date(2026, 11, 24), Outcome.SENT),
        (OTHER_USER, date(2026, 11, 24), Outcome.SENT),
    ]
    [english] = prompts_to(slack, USER)
    assert "Anything to log from today?" in text_of(english)
    [japanese] = prompts_to(slack, OTHER_USER)
    assert "今日の活動で記録しておくことはありますか？" in text_of(japanese), text_of(japanese)

    again = tick(settings, db, clock, slack, datetime(2026, 11, 24, 12, 0, tzinfo=UTC))  # 21:00 Tokyo
    assert {r.result.outcome for r in again if r.user_id != NEW_YORK_REP} == {Outcome.ALREADY}
    assert len(prompts_to(slack, USER)) == 1 and len(prompts_to(slack, OTHER_USER)) == 1

    # 18:00 in New York is 08:00 the next morning in Tokyo: only the New York rep is asked then.
    late = tick(settings, db, clock, slack, datetime(2026, 11, 24, 23, 0, tzinfo=UTC))
    assert [(r.user_id, r.result.outcome) for r in late] == [(NEW_YORK_REP, Outcome.SENT)]
    assert len(prompts_to(slack, NEW_YORK_REP)) == 1


def test_no_prompt_on_a_holiday_or_a_weekend(
    settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack
) -> None:
    book(db, slack)
    settings = on(settings)
    holiday = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Labor Thanksgiving Day, 18:00 Tokyo
    saturday = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    for at in (holiday, saturday):
        assert [r for r in tick(settings, db, clock, slack, at) if r.user_id != NEW_YORK_REP] == []
    assert prompts_to(slack, USER) == [] and prompts_to(slack, OTHER_USER) == []


def test_a_reply_in_the_prompts_thread_is_previewed_there_and_nothing_is_stored(
    driver: SlackDriver, settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack
) -> None:
    book(db, slack)
    [run] = [r for r in tick(on(settings), db, clock, slack, TUESDAY_6PM_TOKYO) if r.user_id == USER]
    assert run.result.ts
    before = every_row(db)

    dm = "D" + USER
    reply = event(
        "message", USER, "Visited Acme today, sent the quote", dm, "1763974900.000100", channel_type="im"
    )
    reply["event"]["thread_ts"] = run.result.ts
    assert driver.event(reply).status == 200

    def previews() -> list[dict[str, Any]]:
        return [c.body for c in slack.calls_to("chat.postMessage") if c.body.get("thread_ts")]

    assert eventually(previews)
    [preview] = previews()
    assert (preview["channel"], preview.get("thread_ts")) == (dm, run.result.ts)
    assert "*Acme*" in text_of(preview) and "Log all" in text_of(preview), text_of(preview)
    settle(slack)
    assert every_row(db) == {**before, "previews": 1}
