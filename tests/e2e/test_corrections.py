"""Corrections of activities end to end (issue 11): *Undo* on a log's reply, *Edit* / *Delete* from the
account card, stage announcements made untrue corrected in the channel, and "did you mean" answers that
log exactly what was typed. Each test checks what was stored and what the bot sent back."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.domain.delivery import DeliveryStatus
from bot.domain.followups import FollowupStatus
from bot.domain.stages import StepReason
from bot.interactions import PREVIEW_CONFIRM
from bot.jobs.announcements import announce_last_hour
from bot.jobs.outbox import Outcome
from bot.jobs.scheduler import sweep
from bot.models import AccountEvent, Activity, Delivery
from tests.support.console import type_into_console
from tests.support.database import (
    account_named,
    activities_of,
    followups,
    row_counts,
    rows,
    step_changes_of,
)
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_USER, TEAM, USER
from tests.support.server import jobs_client, runtime_for
from tests.support.slack_driver import (
    SlackDriver,
    find_button,
    interaction,
    posts_to,
    settle,
    text_of,
    updates,
)

# ------------------------------------------------------------------------------------------- helpers


def find_button_or_none(message: dict[str, Any], action_id: str) -> dict[str, Any] | None:
    try:
        return find_button(message, action_id)[0]
    except AssertionError:
        return None


def events_of(db: Database, account_id: int) -> list[AccountEvent]:
    return rows(db, AccountEvent, AccountEvent.account_id == account_id)


def announcement(db: Database, activity_id: int) -> Delivery:
    [row] = rows(db, Delivery, Delivery.kind == "stage_change", Delivery.ref == str(activity_id))
    return row


def undo(driver: SlackDriver, reply: dict[str, Any], user: str = USER) -> dict[str, Any]:
    sent, key = driver.press(reply, "undo_activity", user=user)
    assert sent.status == 200, sent
    return driver.reply(key)


# ------------------------------------------------------------------------------------------- undo


def test_undo_of_a_win_moves_the_account_back_and_keeps_the_activity(
    driver: SlackDriver, db: Database, slack: FakeSlack
) -> None:
    driver.run("/meeting", "Acme visit yesterday")
    reply = driver.run("/deal", "Acme won 1.2M -- signed twice by mistake")
    [win] = [a for a in activities_of(db, account_named(db, "Acme").id) if a.kind == "won"]
    button, _ = find_button(reply, "undo_activity")
    assert button["value"] == str(win.id)
    assert button["text"]["text"] == "Undo"
    assert account_named(db, "Acme").step == "won"
    [after_sale] = followups(db)
    assert after_sale.status == FollowupStatus.OPEN.value
    settle(slack)

    answer = undo(driver, reply)

    assert answer.get("replace_original") is True, answer
    text = text_of(answer)
    assert "Undone: the won deal with *Acme* on" in text, text
    assert "*Acme* is now on 1.3 met once (Acquaintance)." in text
    assert "Step corrected: 3.1 one deal won → 1.3 met once." in text
    assert "The follow-up this log had scheduled is cancelled." in text
    acme = account_named(db, "Acme")
    assert (acme.step, acme.deals_won, acme.in_person_meetings) == ("met", 0, 1)
    # Kept, marked deleted by whom and when; never erased.
    [kept] = [a for a in activities_of(db, acme.id) if a.id == win.id]
    assert (kept.deleted_by, kept.deleted_at is not None, kept.amount) == (USER, True, 1_200_000)
    last = step_changes_of(db, acme.id)[-1]
    assert (last.from_step, last.to_step, last.reason, last.user_id) == (
        "won",
        "met",
        StepReason.CORRECTION.value,
        USER,
    )
    [event] = events_of(db, acme.id)
    assert (event.kind, event.user_id, event.activity_id) == ("undo", USER, win.id)
    detail = json.loads(event.detail or "{}")
    assert detail["activity"]["kind"] == "won" and detail["activity"]["amount"] == 1_200_000
    assert detail["step"] == {"before": "won", "after": "met"}
    assert [f.status for f in followups(db)] == [FollowupStatus.CANCELLED.value]


def test_a_second_undo_is_harmless_and_says_so(driver: SlackDriver, db: Database) -> None:
    reply = driver.run("/meeting", "Acme visit")
    undo(driver, reply)
    changes = len(step_changes_of(db, account_named(db, "Acme").id))

    again = undo(driver, reply)

    assert "already undone or deleted" in text_of(again), text_of(again)
    assert again.get("replace_original") is not True
    acme = account_named(db, "Acme")
    assert len(step_changes_of(db, acme.id)) == changes
    assert [e.kind for e in events_of(db, acme.id)] == ["undo"]


def test_another_users_undo_is_refused(driver: SlackDriver, db: Database) -> None:
    reply = driver.run("/meeting", "Acme visit")

    refused = undo(driver, reply, user=OTHER_USER)

    assert "取り消せるのは記録した本人だけです。" in text_of(refused), text_of(refused)
    acme = account_named(db, "Acme")
    assert acme.step == "met"
    assert [a.deleted_at for a in activities_of(db, acme.id)] == [None]
    assert events_of(db, acme.id) == []


def test_after_24_hours_undo_points_to_the_card(driver: SlackDriver, db: Database, clock: FixedClock) -> None:
    reply = driver.run("/meeting", "Acme visit")
    clock.advance(timedelta(hours=24))

    late = undo(driver, reply)

    assert "Undo is only offered for 24 hours" in text_of(late), text_of(late)
    assert "Edit or Delete on the account card" in text_of(late)
    assert account_named(db, "Acme").step == "met"


def test_undo_in_japanese(driver: SlackDriver, db: Database) -> None:
    reply = driver.run("/meeting", "山田商事 会食 昨日", user=OTHER_USER)
    button, _ = find_button(reply, "undo_activity")
    assert button["text"]["text"] == "取り消す"

    answer = undo(driver, reply, user=OTHER_USER)

    text = text_of(answer)
    assert "取り消しました：*山田商事* の会食（11/21(土)）。" in text, text
    assert "*山田商事* は現在 1.1" in text
    assert account_named(db, "山田商事").step == "name_only"


def test_a_retried_log_after_its_undo_stores_nothing_again(driver: SlackDriver, db: Database) -> None:
    sent, key = driver.command("/meeting", "Acme visit", trigger_id="trig.same")
    undo(driver, driver.reply(key))

    again, _ = driver.command("/meeting", "Acme visit", trigger_id="trig.same")

    assert again.status == 200
    acme = account_named(db, "Acme")
    assert len(activities_of(db, acme.id)) == 1
    assert acme.step == "name_only"


def test_a_forged_undo_of_another_teams_activity_is_refused(driver: SlackDriver, db: Database) -> None:
    reply = driver.run("/meeting", "Acme visit")
    [activity] = activities_of(db, account_named(db, "Acme").id)
    sent, key = driver.press(reply, "undo_activity", team="T0OTHER", value=str(activity.id))

    assert sent.status == 200
    assert "no longer exists" in text_of(driver.reply(key))
    assert rows(db, Activity, Activity.deleted_at.is_not(None)) == []


# ------------------------------------------------------------------------------- announcements


def test_undoing_a_posted_win_corrects_its_announcement(
    driver: SlackDriver, db: Database, slack: FakeSlack
) -> None:
    reply = driver.run("/deal", "Acme won 1.2M")
    settle(slack)
    [posted] = posts_to(slack, "C0TEAM")
    assert "🎉" in posted["text"]
    [win] = activities_of(db, account_named(db, "Acme").id)
    row = announcement(db, win.id)
    assert row.status == DeliveryStatus.SENT.value

    answer = undo(driver, reply)
    settle(slack)

    assert "The team channel's announcement is corrected." in text_of(answer)
    [update] = updates(slack)
    assert (update["channel"], update["ts"]) == (row.channel, row.ts)
    text = text_of(update)
    assert f"~{posted['text']}~" in text, text
    assert f"Corrected by <@{USER}>: *Acme* is back to Acquaintance." in text
    assert len(posts_to(slack, "C0TEAM")) == 1  # corrected in place, nothing new posted


def test_undoing_a_win_whose_announcement_is_still_pending_never_sends_it(
    driver: SlackDriver, db: Database, slack: FakeSlack, settings: Settings, clock: FixedClock
) -> None:
    slack.fail("chat.postMessage", "500", when=lambda body: body.get("channel") == "C0TEAM")
    reply = driver.run("/deal", "Acme won 1.2M")
    settle(slack)
    [win] = activities_of(db, account_named(db, "Acme").id)
    assert announcement(db, win.id).status == DeliveryStatus.PENDING.value
    posts = len(posts_to(slack, "C0TEAM"))

    undo(driver, reply)
    clock.advance(timedelta(hours=1))
    sweep(runtime_for(settings, db, clock), jobs_client(slack))
    settle(slack)

    assert announcement(db, win.id).status == DeliveryStatus.EMPTY.value
    assert len(posts_to(slack, "C0TEAM")) == posts  # the failed attempt only: never sent since
    assert updates(slack) == []


def test_an_undo_that_keeps_the_stage_leaves_the_announcement(
    driver: SlackDriver, db: Database, slack: FakeSlack
) -> None:
    driver.run("/deal", "Acme won")
    reply = driver.run("/meeting", "Acme call")
    settle(slack)

    undo(driver, reply)
    settle(slack)

    assert updates(slack) == []
    with db.transaction() as session:
        statuses = session.scalars(select(Delivery.status).where(Delivery.kind == "stage_change")).all()
    assert statuses == [DeliveryStatus.SENT.value]


# ------------------------------------------------------------------------------ the card's menu


def choose(
    driver: SlackDriver, card: dict[str, Any], index: int, do: str, *, user: str = USER
) -> tuple[Any, str]:
    """Picks *Edit* or *Delete* in the overflow menu of the card's `index`-th activity."""
    menu, block_id = find_button(card, f"activity_menu_{index}")
    [option] = [o for o in menu["options"] if json.loads(o["value"])["do"] == do]
    key = uuid.uuid4().hex[:10]
    payload = {
        **interaction("block_actions", user, TEAM),
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "C0SALES"},
        "channel": {"id": "C0SALES", "name": "sales"},
        "response_url": driver.slack.response_url(key),
        "actions": [
            {
                "type": "overflow",
                "action_id": menu["action_id"],
                "block_id": block_id,
                "selected_option": option,
                "action_ts": "1700000001.000200",
            }
        ],
    }
    sent = driver.payload(payload)
    assert sent.status == 200, sent
    return sent, key


def opened(slack: FakeSlack, count: int = 1) -> dict[str, Any]:
    view: dict[str, Any] = slack.wait_for("views.open", count=count)[count - 1].body["view"]
    return view


def edit_values(kind: str, on: str, amount: str | None = None, note: str | None = None) -> dict[str, Any]:
    return {
        "kind": {"kind": {"type": "radio_buttons", "selected_option": {"value": kind}}},
        "date": {"date": {"type": "datepicker", "selected_date": on}},
        "amount": {"amount": {"type": "plain_text_input", "value": amount}},
        "note": {"note": {"type": "plain_text_input", "value": note}},
    }


def test_edit_from_the_card_changes_a_win_into_a_loss_and_recomputes(
    driver: SlackDriver, db: Database, slack: FakeSlack
) -> None:
    driver.run("/meeting", "Acme visit 2026-11-10")
    driver.run("/deal", "Acme won 1.2M 2026-11-20 -- big order")
    settle(slack)
    card = driver.run("/account", "Acme")
    assert "*Step* 3.1 one deal won" in text_of(card)

    choose(driver, card, 0, "edit")
    view = opened(slack)
    assert view["callback_id"] == "edit_activity"
    blocks = {b.get("block_id"): b for b in view["blocks"]}
    assert blocks["kind"]["element"]["initial_option"]["value"] == "won"
    assert blocks["date"]["element"]["initial_date"] == "2026-11-20"
    assert blocks["amount"]["element"]["initial_value"] == "1200000"
    assert blocks["note"]["element"]["initial_value"] == "big order"

    answer = driver.submit(view, edit_values("lost", "2026-11-19", "1.2M", "they chose another vendor"))

    assert not answer.body or answer.json().get("response_action") is None, answer.body
    acme = account_named(db, "Acme")
    [win] = [a for a in activities_of(db, acme.id) if a.amount]
    assert (win.kind, str(win.occurred_on), win.note, win.edited_by) == (
        "lost",
        "2026-11-19",
        "they chose another vendor",
        USER,
    )
    assert (acme.step, acme.deals_won, acme.deals_lost) == ("met", 0, 1)
    [event] = events_of(db, acme.id)
    detail = json.loads(event.detail or "{}")
    assert event.kind == "edit"
    assert (detail["before"]["kind"], detail["after"]["kind"]) == ("won", "lost")
    assert detail["before"]["note"] == "big order"
    [posted] = slack.wait_for("chat.postEphemeral")
    assert "Changed to: the lost deal with *Acme* on 2026-11-19" in text_of(posted.body), text_of(posted.body)
    assert "*Acme* is now on 1.3 met once (Acquaintance)." in text_of(posted.body)
    settle(slack)
    [update] = updates(slack)
    assert "is back to Acquaintance" in text_of(update)
    assert [f.status for f in followups(db)] == [FollowupStatus.CANCELLED.value]


def test_an_edit_is_checked_like_a_log_and_stores_nothing_when_wrong(
    driver: SlackDriver, db: Database, slack: FakeSlack
) -> None:
    driver.run("/deal", "Acme proposed 1.2M")
    card = driver.run("/account", "Acme")
    choose(driver, card, 0, "edit")
    view = opened(slack)

    answer = driver.submit(view, edit_values("won", "2026-12-24", "lots"))

    assert answer.json()["response_action"] == "errors"
    assert set(answer.json()["errors"]) == {"date", "amount"}
    [activity] = activities_of(db, account_named(db, "Acme").id)
    assert (activity.kind, activity.edited_at) == ("proposed", None)
    assert events_of(db, account_named(db, "Acme").id) == []


def test_delete_asks_first_then_keeps_the_activity_as_deleted(
    driver: SlackDriver, db: Database, slack: FakeSlack
) -> None:
    driver.run("/meeting", "Acme visit 2026-11-10")
    driver.run("/meeting", "Acme meal 2026-11-20 -- dinner with the CEO")
    card = driver.run("/account", "Acme")
    assert account_named(db, "Acme").step == "dined"

    choose(driver, card, 0, "delete")
    view = opened(slack)
    assert view["callback_id"] == "delete_activity"
    assert "Delete the meal with *Acme* on 2026-11-20 (Fri)?" in text_of(view), text_of(view)
    assert account_named(db, "Acme").step == "dined"  # nothing happens before the confirmation

    driver.submit(view, {})

    acme = account_named(db, "Acme")
    assert (acme.step, acme.meals, acme.in_person_meetings) == ("met", 0, 1)
    meal = next(a for a in activities_of(db, acme.id) if a.kind == "meal")
    assert meal.deleted_by == USER
    assert [e.kind for e in events_of(db, acme.id)] == ["delete"]
    [posted] = slack.wait_for("chat.postEphemeral")
    assert "Deleted: the meal with *Acme*" in text_of(posted.body)
    # The card no longer lists or counts it.
    card = driver.run("/account", "Acme")
    assert "dinner with the CEO" not in text_of(card)
    assert "Meetings in person: 1" in text_of(card)


def test_a_manager_may_delete_a_reps_log_and_another_rep_may_not(
    driver_with: Any, db: Database, slack: FakeSlack
) -> None:
    driver = driver_with(pyramid_managers="U0BOSS")
    driver.run("/meeting", "Acme visit")
    card = driver.run("/account", "Acme", user=OTHER_USER)

    _, key = choose(driver, card, 0, "delete", user=OTHER_USER)
    refused = driver.reply(key)
    assert "変更できるのは記録した本人か、マネージャーだけです。" in text_of(refused), text_of(refused)
    assert slack.calls_to("views.open") == []

    choose(driver, card, 0, "delete", user="U0BOSS")
    driver.submit(opened(slack), {}, user="U0BOSS")

    acme = account_named(db, "Acme")
    assert acme.step == "name_only"
    [event] = events_of(db, acme.id)
    assert (event.kind, event.user_id) == ("delete", "U0BOSS")


# ------------------------------------------------------------------- "did you mean" logs what was typed


def test_a_line_with_unread_words_shows_what_was_understood_and_logs_it_on_confirmation(
    driver: SlackDriver, db: Database
) -> None:
    """Never a "did you mean" about a name that swallowed unread words (its answer would log a visit
    today): the line is read as plain words instead, and what was understood waits for *Log all*."""
    driver.run("/meeting", '"Acme Trading" visit 2026-11-01')
    before = row_counts(db)

    preview = driver.run("/meeting", "Acme Trading meal yesterday evening -- met the CFO")

    text = text_of(preview)
    assert "*Acme Trading*" in text and "meal" in text, text
    assert find_button_or_none(preview, "near_match_use_0") is None
    assert {k: v for k, v in row_counts(db).items() if k != "Preview"} == before  # nothing stored yet

    _, key = driver.press(preview, PREVIEW_CONFIRM)
    driver.reply(key)
    logged = activities_of(db, account_named(db, "Acme Trading").id)[-1]
    assert (logged.kind, str(logged.occurred_on)) == ("meal", "2026-11-21")


def test_a_line_with_words_that_cannot_be_placed_is_refused_with_what_was_wrong(
    driver: SlackDriver, db: Database
) -> None:
    driver.run("/meeting", '"Acme Trading" visit 2026-11-01')

    reply = driver.run("/meeting", "Acme Tradin meal yesterday evening -- met the CFO")

    text = text_of(reply)
    # The plain-words reader cannot place the misspelt name either: shown as not read (which
    # company?), and nothing is stored or asked about.
    assert "Not read: “Acme Tradin meal yesterday evening (met the CFO)” (which company?)" in text, text
    assert find_button_or_none(reply, "near_match_use_0") is None
    assert row_counts(db)["Activity"] == 1


def test_a_japanese_line_run_together_is_read_and_confirmed_in_japanese(
    driver: SlackDriver, db: Database
) -> None:
    driver.run("/meeting", "山田商事 訪問 11/01", user=OTHER_USER)

    preview = driver.run("/meeting", "山田商事 昨日会食 ーー 部長と", user=OTHER_USER)

    assert "*山田商事*" in text_of(preview) and "会食" in text_of(preview), text_of(preview)
    assert row_counts(db)["Activity"] == 1
    _, key = driver.press(preview, PREVIEW_CONFIRM, user=OTHER_USER)
    driver.reply(key)
    logged = activities_of(db, account_named(db, "山田商事").id)[-1]
    assert (logged.kind, str(logged.occurred_on)) == ("meal", "2026-11-21")
    assert "部長と" in (logged.note or "")  # the typed note is kept


def test_the_near_match_answer_logs_the_typed_kind_date_and_note(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", '"Acme Trading" visit 2026-11-01')
    question = driver.run("/meeting", "Acme Tradin meal yesterday -- met the CFO")
    assert "Did you mean one of these?" in text_of(question)

    _, key = driver.press(question, "near_match_use_0")
    answer = driver.reply(key)

    assert "Logged a meal with *Acme Trading* on 2026-11-21" in text_of(answer), text_of(answer)
    acme = account_named(db, "Acme Trading")
    logged = activities_of(db, acme.id)[-1]
    assert (logged.kind, str(logged.occurred_on), logged.note) == ("meal", "2026-11-21", "met the CFO")
    find_button(answer, "undo_activity")  # the answer is a log's reply: it can be undone


def test_the_near_match_answer_in_japanese_keeps_a_deals_amount_date_and_note(
    driver: SlackDriver, db: Database
) -> None:
    driver.run("/meeting", "アクメ商事 訪問", user=OTHER_USER)
    question = driver.run("/deal", "アクメ商 受注 120万 昨日 ーー 初回", user=OTHER_USER)

    _, key = driver.press(question, "near_match_use_0", user=OTHER_USER)
    answer = driver.reply(key)

    assert "アクメ商事" in text_of(answer)
    logged = activities_of(db, account_named(db, "アクメ商事").id)[-1]
    assert (logged.kind, logged.amount, str(logged.occurred_on), logged.note) == (
        "won",
        1_200_000,
        "2026-11-21",
        "初回",
    )


def test_a_longer_name_that_is_a_name_is_still_asked_about(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", '"Acme Trading" visit 2026-11-01')

    question = driver.run("/meeting", "Acme Trading Japan call")

    find_button(question, "near_match_create")
    assert row_counts(db)["PendingRequest"] == 1


# ------------------------------------------------------------------------------------ the console


def test_undo_and_delete_work_in_the_console(db: Database, clock: FixedClock, database_url: str) -> None:
    # Undo the win ([1] on its reply), then the card's menu ([1] beside the visit): 2) 削除, confirmed.
    lines = "/meeting 山田商事 訪問\n/deal 山田商事 受注 120万\n1\n/account 山田商事\n1\n2\n\nquit\n"
    printed = type_into_console(db, clock, database_url, lines, locale="ja").printed
    assert "[1] 取り消す" in printed, printed
    assert "↩️ 取り消しました：*山田商事* の受注（11/22(日)）（120万円）。" in printed, printed
    assert "[1] ⋯ (修正 / 削除)" in printed, printed
    assert "🗑️ 削除しました：*山田商事* の訪問（11/22(日)）。" in printed, printed
    acme = account_named(db, "山田商事", team="T0LOCAL")
    assert (acme.step, acme.deals_won) == ("name_only", 0)
    assert [e.kind for e in events_of(db, acme.id)] == ["undo", "delete"]


def test_undoing_a_win_listed_in_a_posted_hourly_message_adds_the_correction_below_it(
    driver_with: Any, db: Database, slack: FakeSlack, settings: Settings, clock: FixedClock
) -> None:
    driver = driver_with(pyramid_announce_hourly=True)
    reply = driver.run("/deal", "Acme won 1.2M")
    driver.run("/meeting", "Globex visit yesterday", user=OTHER_USER)
    driver.run("/meeting", "Globex visit", user=OTHER_USER)  # into Prospect: listed too
    hourly = settings.model_copy(update={"pyramid_announce_hourly": True})
    clock.advance(timedelta(hours=1, minutes=2))
    runs = announce_last_hour(runtime_for(hourly, db, clock), jobs_client(slack), clock.now())
    [sent] = [run for run in runs if run.outcome is Outcome.SENT]
    [posted] = posts_to(slack, "C0TEAM")
    assert "*Acme*" in text_of(posted) and "*Globex*" in text_of(posted)

    undo(driver, reply)
    settle(slack)

    [update] = updates(slack)
    assert (update["channel"], update["ts"]) == (sent.channel, sent.ts)
    text = text_of(update)
    assert "*Globex*" in text  # the hour's other lines are still true: kept
    assert f"Corrected by <@{USER}>: *Acme* is back to Acquaintance." in text, text
