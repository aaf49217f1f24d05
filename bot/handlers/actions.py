"""Buttons: "did you mean" answers, the account card's log buttons, sharing a pyramid, win-back letters."""

from __future__ import annotations

import logging

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import interactions as ids
from bot import notify
from bot.handlers.commands import pyramid_message_for
from bot.handlers.replying import (
    FAILURES,
    Asker,
    Json,
    asker,
    error_reply,
    refusal,
    replace_pressed,
    runtime_in,
    who,
)
from bot.interactions import BadPayload, ShareValue, parse_id, parse_json
from bot.runtime import NotStored, Runtime
from bot.services.errors import UserFacingError
from bot.usecases import accounts, logs, winback
from bot.usecases.logs import LogOutcome
from bot.views import card as card_view
from bot.views import replies
from bot.views import winback as winback_view
from bot.views.modals import log_modal

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(ids.NEAR_MATCH)(answer_near_match)
    app.action(ids.SHOW_ACCOUNT)(show_account)
    app.action(ids.OPEN_LOG)(open_log)
    app.action(ids.SHARE_PYRAMID)(share)
    app.action(ids.DRAFT_WINBACK)(draft_winback)
    app.action(ids.WINBACK_SENT)(log_letter_sent)


def answer_near_match(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """Stored before the ack, like a command; the question is replaced by the answer after it."""
    me, choice = asker(context, client), ids.near_match_choice(action.get("value"))
    try:
        # A malformed value (None) is answered as an expired question.
        outcome = logs.answer_near_match(me.runtime, me.team_id, choice, today=me.today)
    except FAILURES as error:
        ack()
        me.tell_later(body, respond, error_reply(error, me.locale, example=None))
        return
    ack()
    _logged(me, body, respond, outcome)


def show_account(ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond) -> None:
    """A name under `/account`'s "did you mean": its card replaces the question, after the ack."""
    ack()
    runtime_in(context).after(lambda: _show_card(asker(context, context.client), body, action, respond))


def _show_card(me: Asker, body: Json, action: Json, respond: Respond) -> None:
    try:
        card = accounts.card(me.runtime, me.team_id, parse_id(action.get("value")))
    except (BadPayload, UserFacingError, NotStored) as error:
        me.tell(body, respond, refusal(error, me.locale, gone="account_gone"))
        return
    replace_pressed(me.client, body, respond, card_view.account_card(card, me.shown_today, me.locale))


def open_log(ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond) -> None:
    """The log modal, opened right after the ack: a trigger id is only good for 3 seconds."""
    ack()
    me = asker(context, context.client)
    try:
        # No value (App Home's quick buttons): no account chosen yet.
        value = action.get("value")
        account = accounts.account(me.runtime, me.team_id, parse_id(value)) if value else None
    except (BadPayload, UserFacingError, NotStored) as error:
        me.tell_later(body, respond, refusal(error, me.locale, gone="account_gone"))
        return
    which, channel_id = ids.log_which(str(action.get("action_id"))), (body.get("channel") or {}).get("id")
    view = log_modal(which, locale=me.locale, today=me.shown_today, channel_id=channel_id, account=account)
    me.client.views_open(trigger_id=body["trigger_id"], view=view)


def share(ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond) -> None:
    """The pyramid goes to the channel in the team's language; the sharer's own copy stays."""
    ack()
    runtime_in(context).after(
        lambda: _share(runtime_in(context), who(context), body, action, respond, context.client)
    )


def _share(
    runtime: Runtime, who_: tuple[str, str], body: Json, action: Json, respond: Respond, client: WebClient
) -> None:
    try:
        value = parse_json(ShareValue, action.get("value"))
    except BadPayload:
        log.warning("refused a malformed share value")
        return
    team_id, user_id = who_
    locale = runtime.team_config(team_id).locale
    reply = pyramid_message_for(runtime, team_id, value.s, value.u, value.d, locale, by=user_id)
    if body.get("response_url"):
        respond(response_type="in_channel", replace_original=False, **reply)
    elif (body.get("channel") or {}).get("id"):
        client.chat_postMessage(channel=str(body["channel"]["id"]), **reply)


def draft_winback(ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond) -> None:
    """*Draft win-back letter* (card, digest): the letter, only to the rep, after the ack."""
    ack()
    runtime_in(context).after(lambda: _draft(asker(context, context.client), body, action, respond))


def _draft(me: Asker, body: Json, action: Json, respond: Respond) -> None:
    try:
        # The press's trigger id names this draft: its *Log as sent* logs one letter, however often pressed.
        draft_key = str(body.get("trigger_id") or action.get("action_ts") or "")
        found = winback.draft(me.runtime, me.team_id, parse_id(action.get("value")), draft_key)
    except (BadPayload, UserFacingError, NotStored) as error:
        me.tell(body, respond, refusal(error, me.locale, gone="account_gone"))
        return
    me.tell(body, respond, winback_view.draft_message(found, me.locale))


def log_letter_sent(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """*Log as sent*: a `letter` touch stored before the ack (once per draft); the draft becomes the reply."""
    me = asker(context, client)
    try:
        sent = ids.winback_sent_of(action.get("value"))
        outcome = winback.log_sent(me.runtime, me.team_id, me.user_id, sent, today=me.today)
    except BadPayload as error:
        ack()
        me.tell_later(body, respond, refusal(error, me.locale, gone="account_gone"))
        return
    except FAILURES as error:
        ack()
        me.tell_later(body, respond, error_reply(error, me.locale, example=None))
        return
    ack()
    _logged(me, body, respond, outcome)


def _logged(me: Asker, body: Json, respond: Respond, outcome: LogOutcome) -> None:
    """After the ack of a press that logged: the pressed message becomes the log's reply; the Home
    and the channel's announcements follow."""
    me.replace_later(body, respond, replies.log_reply(outcome.result, me.locale))
    notify.after_action(me.runtime, me.client, me.team_id, outcome.home_user, outcome.queued)
