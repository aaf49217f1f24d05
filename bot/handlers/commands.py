"""Slash commands: /meeting, /deal, /account, /pyramid.

A command that stores something stores it before its ack and answers in the ack itself, so that an
HTTP 200 always means "stored" (SPEC §8); everything else it causes runs after the ack."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot import notify
from bot.domain.fields import LogWhat
from bot.domain.parsing import ParseError, parse_pyramid
from bot.handlers import managing, team_settings
from bot.handlers.messages import preview_reply
from bot.handlers.replying import (
    FAILURES,
    Asker,
    Json,
    asker,
    command_key,
    command_text,
    ephemeral,
    error_reply,
)
from bot.runtime import NotStored, Runtime
from bot.usecases import accounts, logs, pyramids, renewals
from bot.usecases.logs import is_unread
from bot.usecases.managing import Outcome
from bot.views import card as card_view
from bot.views import replies
from bot.views.blocks import Message
from bot.views.modals import account_modal, log_modal
from bot.views.pyramid import pyramid_reply

__all__ = ["FAILURES", "pyramid_answer", "register"]


def register(app: App) -> None:
    app.command("/meeting")(meeting)
    app.command("/deal")(deal)
    app.command("/account")(account_command)
    app.command("/pyramid")(pyramid_command)


def meeting(ack: Ack, command: Json, context: BoltContext, client: WebClient) -> None:
    log_command("meeting", ack, command, asker(context, client))


def deal(ack: Ack, command: Json, context: BoltContext, client: WebClient) -> None:
    log_command("deal", ack, command, asker(context, client))


def log_command(what: LogWhat, ack: Ack, command: Json, me: Asker) -> None:
    """With no text, the log modal; else stored (or asked about) before the ack, which answers."""
    if not (text := command_text(command)):
        ack()
        view = log_modal(what, locale=me.locale, today=me.shown_today, channel_id=command.get("channel_id"))
        me.client.views_open(trigger_id=command["trigger_id"], view=view)
        return
    key = command_key(command)
    try:
        outcome = logs.log_command(me.runtime, what, text, me.team_id, me.user_id, me.today, key)
    except FAILURES as error:
        # A line Pyramid could not read completely (`山田商事 昨日会食`): what the plain-words reader
        # understood is shown for the rep to confirm, fix or cancel; nothing is stored until then.
        understood = (
            preview_reply(me, text, f"command:{key}", command_line=True) if is_unread(error) else None
        )
        ack(**ephemeral(understood or error_reply(error, me.locale, example=what)))
        return
    ack(**ephemeral(replies.log_reply(outcome.result, me.locale)))
    notify.after_action(me.runtime, me.client, me.team_id, outcome.home_user, outcome.queued)


def account_command(ack: Ack, command: Json, context: BoltContext, client: WebClient) -> None:
    """With no text, a modal to pick an account; else its card, close names, or an edit."""
    me = asker(context, client)
    if not (text := command_text(command)):
        ack()
        view = account_modal(locale=me.locale, channel_id=command.get("channel_id"))
        client.views_open(trigger_id=command["trigger_id"], view=view)
        return
    try:
        renewal = renewals.renewal_command(me.runtime, me.team_id, me.user_id, text, me.today, me.locale)
        if renewal is not None:
            ack(**ephemeral(replies.renewal_recorded(renewal, me.locale, me.shown_today)))
            return
        found = managing.as_known_admin(
            me,
            lambda: accounts.account_command(
                me.runtime, me.team_id, text, user_id=me.user_id, today=me.today
            ),
        )
    except FAILURES as error:
        ack(**ephemeral(error_reply(error, me.locale, example=managing.example_for(error, "account"))))
        return
    if isinstance(found, Outcome):
        managing.answer_correction(ack, me, found)  # a manager's correction
        return
    ack(**ephemeral(card_view.account_reply(found, me.shown_today, me.locale)))


def pyramid_command(
    ack: Ack, command: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """Read-only and the heaviest reply: acked at once, answered at the response URL after the ack."""
    me = asker(context, client)
    if team_settings.is_settings_request(command_text(command)):
        team_settings.settings_command(ack, command, me)
        return
    try:
        request = parse_pyramid(command_text(command))
    except ParseError as error:
        ack(**ephemeral(error_reply(error, me.locale, example="pyramid")))
        return
    ack()
    owner = me.user_id if request.scope == "me" else request.user_id
    scope, detail = request.scope, request.detail
    me.runtime.after(lambda: respond(**ephemeral(pyramid_answer(me, scope, owner, detail))))


def pyramid_answer(me: Asker, scope: str, owner: str | None, detail: bool) -> Message:
    try:
        return pyramid_message_for(me.runtime, me.team_id, scope, owner, detail, me.locale)
    except NotStored as error:
        return error_reply(error, me.locale, example=None)


def pyramid_message_for(
    runtime: Runtime,
    team_id: str,
    scope: str,
    owner: str | None,
    detail: bool,
    locale: str,
    by: str | None = None,
) -> Message:
    """A pyramid for `/pyramid`, with a Share button; or shared in a channel `by` someone, without."""
    today = runtime.clock.today(runtime.team_config(team_id).zone)
    dist, numbers = pyramids.pyramid_facts(runtime, team_id, owner, today)
    return pyramid_reply(dist, numbers, scope, owner, detail, locale, shared_by=by)
