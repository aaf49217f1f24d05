"""Slash commands: /meeting, /deal, /account, /pyramid.

A command that stores something stores it before its ack and answers in the ack itself, so that an
HTTP 200 always means "stored" (SPEC §8); everything else it causes runs after the ack."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.domain.activities import ActivityKind
from bot.domain.parsing import (
    AccountEdit,
    ParseError,
    parse_account,
    parse_deal,
    parse_meeting,
    parse_pyramid,
)
from bot.domain.pyramid import Distribution, health
from bot.handlers.after_log import after_logged, log_reply, store_log
from bot.handlers.replying import command_text, ephemeral, error_reply, runtime_in, who
from bot.i18n import t
from bot.runtime import NotStored, OutcomeUnknown, Runtime
from bot.services import accounts, cards, pyramids
from bot.services.accounts import AccountRef
from bot.services.activities import LogRequest
from bot.services.analytics import Analytics, analytics_for
from bot.services.errors import UserFacingError
from bot.views import card as card_view
from bot.views import replies
from bot.views.blocks import Message, mention
from bot.views.modals import account_modal, log_modal
from bot.views.pyramid import pyramid_message

FAILURES = (ParseError, UserFacingError, NotStored, OutcomeUnknown)


def meeting(ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    log_command(runtime_in(context), "meeting", ack, command, context, client)


def deal(ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    log_command(runtime_in(context), "deal", ack, command, context, client)


def register(app: App) -> None:
    app.command("/meeting")(meeting)
    app.command("/deal")(deal)
    app.command("/account")(account_command)
    app.command("/pyramid")(pyramid_command)


def log_command(
    runtime: Runtime, which: str, ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    team_id, user_id = who(context)
    profile = runtime.profile(client, team_id, user_id)
    today = runtime.clock.today(profile.zone)
    text = command_text(command)
    if not text:
        ack()
        view = log_modal(which, locale=profile.locale, today=today, channel_id=command.get("channel_id"))
        client.views_open(trigger_id=command["trigger_id"], view=view)
        return
    try:
        if which == "deal":
            parsed_deal = parse_deal(text, today)
            account_name, kind, on = parsed_deal.account, parsed_deal.outcome, parsed_deal.on
            amount, note, revisit = parsed_deal.amount, parsed_deal.note, parsed_deal.revisit_on
        else:
            parsed = parse_meeting(text, today)
            account_name, kind, on = parsed.account, parsed.kind, parsed.on
            amount, note, revisit = None, parsed.note, None
        request = LogRequest(
            team_id=team_id,
            user_id=user_id,
            account=AccountRef(name=account_name),
            kind=ActivityKind(kind),
            on=on,
            amount=amount,
            note=note,
            revisit_on=revisit,
            request_key=f"command:{command['trigger_id']}",
        )
        outcome, queued = store_log(runtime, request, today=today)
    except FAILURES as error:
        ack(**ephemeral(error_reply(error, profile.locale, example=which)))
        return
    ack(**ephemeral(log_reply(outcome, profile.locale)))
    after_logged(runtime, client, team_id, outcome, queued)


def account_command(ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    runtime = runtime_in(context)
    team_id, _user_id = who(context)
    profile = runtime.profile(client, team_id, _user_id)
    locale = profile.locale
    today = runtime.clock.today(profile.zone)
    text = command_text(command)
    if not text:
        ack()
        view = account_modal(locale=locale, channel_id=command.get("channel_id"))
        client.views_open(trigger_id=command["trigger_id"], view=view)
        return
    try:
        request = parse_account(text)
        if isinstance(request, AccountEdit):
            reply = runtime.store(lambda session: _edit(session, runtime, team_id, request, locale))
        else:
            reply = runtime.query(
                lambda session: _card_or_choices(session, team_id, request.account, today, locale)
            )
    except FAILURES as error:
        ack(**ephemeral(error_reply(error, locale, example="account")))
        return
    ack(**ephemeral(reply))


def _card_or_choices(session: Session, team_id: str, name: str, today: Any, locale: str) -> Message:
    found = accounts.find_by_name(session, team_id, name)
    if found is not None:
        return card_view.account_card(cards.account_card(session, team_id, found.id), today, locale)
    similar = accounts.similar_accounts(session, team_id, name)
    if not similar:
        raise UserFacingError("account_not_found", name=name)
    return card_view.which_account(name, similar, locale)


def _edit(session: Session, runtime: Runtime, team_id: str, edit: AccountEdit, locale: str) -> Message:
    account = accounts.lock(session, accounts.require_by_name(session, team_id, edit.account))
    now = runtime.clock.now()
    if edit.field == "owner":
        accounts.change_owner(session, account, edit.value, now=now)
        return replies.edited("edited_owner", locale, account=account.name, owner=mention(edit.value))
    if edit.field == "segment":
        segment = (
            None if edit.value.strip().lower() in accounts.CLEAR_SEGMENT_WORDS else edit.value.strip()[:40]
        )
        accounts.change_segment(session, account, segment, now=now)
        if segment is None:
            return replies.edited("edited_segment_cleared", locale, account=account.name)
        return replies.edited("edited_segment", locale, account=account.name, segment=segment)
    old_name = account.name
    accounts.rename(session, account, edit.value, now=now)
    return replies.edited("edited_rename", locale, old=old_name, new=account.name)


def pyramid_command(
    ack: Ack,
    command: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    """Read-only and the heaviest reply: acked at once, answered at the response URL after the ack."""
    runtime = runtime_in(context)
    team_id, user_id = who(context)
    profile = runtime.profile(client, team_id, user_id)
    try:
        request = parse_pyramid(command_text(command))
    except ParseError as error:
        ack(**ephemeral(error_reply(error, profile.locale, example="pyramid")))
        return
    ack()
    owner = user_id if request.scope == "me" else request.user_id

    def answer() -> None:
        try:
            reply = pyramid_reply(
                runtime, team_id, request.scope, owner, request.detail, profile.locale, shareable=True
            )
        except NotStored as error:
            reply = error_reply(error, profile.locale, example=None)
        respond(**ephemeral(reply))

    runtime.after(answer)


def pyramid_reply(
    runtime: Runtime,
    team_id: str,
    scope: str,
    owner: str | None,
    detail: bool,
    locale: str,
    *,
    shareable: bool,
    shared_by: str | None = None,
) -> Message:
    today = runtime.clock.today(runtime.settings.zone)

    def gather(session: Session) -> tuple[Distribution, Analytics]:
        dist = pyramids.distribution_for(session, team_id, owner)
        return dist, analytics_for(session, team_id, owner, dist, today)

    dist, numbers = runtime.query(gather, deadline=10.0)
    if scope == "team" or owner is None:
        title = t(locale, "pyramid_title_team")
    elif scope == "me" and shared_by is None:
        # "Your pyramid" only to its owner; in a channel it is named.
        title = t(locale, "pyramid_title_me")
    else:
        title = t(locale, "pyramid_title_user", user=mention(owner))
    share: dict[str, object] | None = {"s": scope, "u": owner, "d": detail} if shareable else None
    return pyramid_message(
        dist,
        health(dist),
        title=title,
        detail=detail,
        locale=locale,
        share_value=share,
        shared_by=shared_by,
        analytics=numbers,
    )
