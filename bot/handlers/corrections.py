"""Listeners for corrections of activities (issue 11): *Undo* on a log's reply, the card's *Edit* /
*Delete* menu and their modals. Thin: ack, parse, call one use case, render, respond. A correction is
stored before its ack; the channel's announcements it made untrue are corrected after it."""

from __future__ import annotations

import logging
from datetime import date

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import interactions as ids
from bot import notify
from bot.domain import fields
from bot.domain.activities import ActivityKind
from bot.domain.fields import FieldErrors, LogDraft, LogFields
from bot.handlers import form_state as form
from bot.handlers.replying import (
    FAILURES,
    Asker,
    Json,
    asker,
    post_private,
    refusal,
)
from bot.i18n import t
from bot.interactions import ActivityChoice, BadPayload, CorrectionTarget, parse_id, parse_json
from bot.runtime import Runtime
from bot.usecases import corrections
from bot.usecases.facts import CorrectedFacts
from bot.views import corrections as shown

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(ids.UNDO_ACTIVITY)(undo)
    app.action(ids.ACTIVITY_MENU)(menu)
    app.view(ids.EDIT_ACTIVITY_CALLBACK)(submit_edit)
    app.view(ids.DELETE_ACTIVITY_CALLBACK)(submit_delete)


def undo(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """Stored before the ack; the log's reply is replaced by what was undone after it. A refusal (not
    the author, too late, already undone) is a short private answer; the reply stays."""
    me = asker(context, client)
    try:
        activity_id = parse_id(action.get("value"))
        done = corrections.undo(me.runtime, me.team_id, me.user_id, activity_id, today=me.today)
    except (BadPayload, *FAILURES) as error:
        ack()
        me.tell_later(body, respond, refusal(error, me.locale, gone="activity_gone"))
        return
    ack()
    reply = shown.corrected(done, me.locale)
    me.replace_later(body, respond, reply)
    _after(me, done)


def menu(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """*Edit* or *Delete* beside an activity on the card: its modal, opened at once (a trigger id is good
    for 3 seconds), or why not (another rep's log, deleted meanwhile)."""
    ack()
    me = asker(context, client)
    try:
        choice = parse_json(ActivityChoice, (action.get("selected_option") or {}).get("value"))
        found = corrections.editable(me.runtime, me.team_id, me.user_id, choice.a)
    except (BadPayload, *FAILURES) as error:
        me.tell_later(body, respond, refusal(error, me.locale, gone="activity_gone"))
        return
    channel = (body.get("channel") or {}).get("id")
    modal = shown.edit_modal if choice.do == "edit" else shown.delete_modal
    client.views_open(trigger_id=body["trigger_id"], view=modal(found, channel, me.locale))


def submit_edit(ack: Ack, view: Json, context: BoltContext, client: WebClient) -> None:
    """Checked as a log is (errors under their inputs, the modal stays open), stored before the ack."""
    me = asker(context, client)
    try:
        target = parse_json(CorrectionTarget, view.get("private_metadata"))
        changed = _edited(view, target.a, me.today, me.locale)
        done = corrections.edit(me.runtime, me.team_id, me.user_id, target.a, changed, today=me.today)
    except _FormErrors as error:
        ack(response_action="errors", errors=error.errors)
        return
    except (BadPayload, *FAILURES) as error:
        ack(
            response_action="errors",
            errors={ids.NOTE_FIELD: refusal(error, me.locale, "activity_gone")["text"]},
        )
        return
    ack()
    reply = shown.corrected(done, me.locale)
    me.runtime.after(lambda: post_private(client, me.user_id, target.channel, reply))
    _after(me, done)


def submit_delete(ack: Ack, view: Json, context: BoltContext, client: WebClient) -> None:
    """The confirmation modal's *Delete*: stored before the ack; the answer is posted after it."""
    me = asker(context, client)
    try:
        target = parse_json(CorrectionTarget, view.get("private_metadata"))
        done = corrections.delete(me.runtime, me.team_id, me.user_id, target.a, today=me.today)
    except (BadPayload, *FAILURES) as error:
        ack()  # the modal has no input to show it under: answered beside the card instead
        answer = refusal(error, me.locale, gone="activity_gone")
        channel = ids.metadata_of(view.get("private_metadata")).channel
        me.runtime.after(lambda: post_private(client, me.user_id, channel, answer))
        return
    ack()
    reply = shown.corrected(done, me.locale)
    me.runtime.after(lambda: post_private(client, me.user_id, target.channel, reply))
    _after(me, done)


class _FormErrors(Exception):
    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _edited(view: Json, activity_id: int, today: date, locale: str) -> LogFields:
    values = form.values_of(view)
    kind_word = form.selected(values, ids.KIND_FIELD) or ""
    kind = next((kind for kind in ActivityKind if kind.value == kind_word), None)
    draft = LogDraft(
        "deal" if kind is not None and kind.is_deal else "meeting",
        None,
        kind,
        kind_word,
        on=form.picked_date(values, ids.DATE_FIELD),
        amount_text=form.text(values, ids.AMOUNT_FIELD),
        note=form.text(values, ids.NOTE_FIELD),
        # The account is not edited here: the activity's own stands for it in check_log's account rule.
        account_id=activity_id,
    )
    try:
        checked = fields.check_log(draft, today)
    except FieldErrors as error:
        raise _FormErrors(
            {key: t(locale, f"error_{e.code}", **e.params) for key, e in error.errors.items()}
        ) from None
    return checked


def _after(me: Asker, done: CorrectedFacts) -> None:
    """After the ack: the channel's untrue announcements corrected, the rep's Home refreshed."""
    if done.withdrawn:
        runtime, client = me.runtime, me.client
        team_id = me.team_id
        runtime.after(lambda: fix_announcements(runtime, client, team_id, done))
    notify.refresh_home_soon(me.runtime, me.client, me.team_id, me.user_id)


def fix_announcements(runtime: Runtime, client: WebClient, team_id: str, done: CorrectedFacts) -> None:
    """Each posted announcement the correction made untrue, rewritten in place (chat.update is
    idempotent: a repeat writes the same text). Best effort: a failure is logged, the correction stands."""
    locale = runtime.team_config(team_id).locale  # the announcement was written in the team's language
    for posted in done.withdrawn:
        fixed = shown.announcement_corrected(posted, done, locale)
        try:
            client.chat_update(channel=posted.channel, ts=posted.ts, **fixed)
        except SlackApiError as error:
            log.warning(
                "could not correct the announcement %s in %s: %s",
                posted.ts,
                posted.channel,
                error.response.get("error"),
            )
