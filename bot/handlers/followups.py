"""/followup and the follow-up buttons of the digest and the App Home (Done, Snooze 1 week, Reschedule).

Every change is stored before the ack; the message or Home tab it came from is rewritten after it."""

from __future__ import annotations

from datetime import date

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import interactions as ids
from bot import notify
from bot.domain.parsing import ParseError
from bot.handlers import picks
from bot.handlers.replying import (
    FAILURES,
    Asker,
    Json,
    asker,
    command_key,
    command_text,
    ephemeral,
    error_reply,
    refuse_press,
    update_item,
)
from bot.interactions import BadPayload
from bot.usecases import followups
from bot.usecases.facts import AskedFacts
from bot.usecases.followups import FollowupChanged, Press
from bot.views import replies
from bot.views.pick import pick_account

PRESSES: dict[str, Press] = {
    ids.FOLLOWUP_DONE: "done",
    ids.FOLLOWUP_SNOOZE: "snooze",
    ids.FOLLOWUP_RESCHEDULE: "reschedule",
}


def register(app: App) -> None:
    app.command("/followup")(followup_command)
    app.action(ids.FOLLOWUP_PICK)(answer_pick)
    for action_id in PRESSES:
        app.action(action_id)(press)


def followup_command(ack: Ack, command: Json, context: BoltContext, client: WebClient) -> None:
    me = asker(context, client)
    try:
        text, key = command_text(command), command_key(command)
        scheduled = followups.schedule(me.runtime, me.team_id, me.user_id, text, me.today, key)
    except FAILURES as error:
        ack(**ephemeral(error_reply(error, me.locale, example="followup")))
        return
    if isinstance(scheduled, AskedFacts):
        ack(**ephemeral(pick_account(scheduled, "followup", me.locale)))
        return
    reply = replies.followup_scheduled(scheduled.account_name, scheduled.due, me.locale, me.shown_today)
    ack(**ephemeral(reply))
    notify.after_action(me.runtime, client, me.team_id, me.user_id)


def answer_pick(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """The account picked for a parked `/followup`: scheduled before the ack, the question replaced
    by the answer after it. A second press (or a malformed value) is told the choice was made."""
    me, choice = asker(context, client), ids.near_match_choice(action.get("value"))
    scheduled = picks.answer_pick(
        ack,
        body,
        respond,
        me,
        lambda: followups.answer(me.runtime, me.team_id, choice, me.today),
        lambda done: replies.followup_scheduled(done.account_name, done.due, me.locale, me.shown_today),
    )
    if scheduled is not None:
        notify.after_action(me.runtime, client, me.team_id, me.user_id)


def press(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    me, what = asker(context, client), PRESSES[str(action.get("action_id"))]
    try:
        followup_id = ids.followup_id_of(action)
        picked = _picked_date(action) if what == "reschedule" else None
        change = followups.press(me.runtime, me.team_id, me.user_id, followup_id, what, me.today, picked)
    except (BadPayload, *FAILURES) as error:
        ack()
        refuse_press(me, body, respond, error, gone="followup_gone")
        return
    ack()
    me.runtime.after(lambda: _show_change(me, body, respond, change, what))
    notify.after_action(me.runtime, client, me.team_id, me.user_id)


def _show_change(me: Asker, body: Json, respond: Respond, change: FollowupChanged, what: Press) -> None:
    followup = change.followup
    now = me.runtime.clock.now()
    note = replies.followup_note(
        followup, what == "snooze", me.user_id, me.profile.zone, now, me.locale, change.moved_from
    )
    update_item(me.client, body, ids.followup_item(followup.id), note)
    if not change.changed and followup.done:
        # A second click, or a click on an old copy of the digest: harmless, and said so.
        me.tell(body, respond, replies.followup_already_done(followup, me.user_id, me.locale))


def _picked_date(action: Json) -> date:
    try:
        return date.fromisoformat(str(action.get("selected_date")))
    except ValueError:
        raise ParseError("bad_date", word=str(action.get("selected_date"))) from None
