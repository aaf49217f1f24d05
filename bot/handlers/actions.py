"""Buttons: "did you mean" answers, the account card's log buttons, sharing a pyramid."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.handlers.after_log import after_logged, log_reply
from bot.handlers.commands import FAILURES, pyramid_reply
from bot.handlers.payloads import BadPayload, NearMatchChoice, ShareValue, parse_account_id, parse_json
from bot.handlers.replying import error_reply, replace_pressed, runtime_in, tell, tell_later, who
from bot.i18n import t
from bot.notify import Queued, queue_after_log
from bot.runtime import NotStored, Runtime
from bot.services import accounts, cards
from bot.services.accounts import AccountRef
from bot.services.activities import Logged, log_activity
from bot.services.errors import UserFacingError
from bot.services.pending import take
from bot.views import card as card_view
from bot.views import replies
from bot.views.modals import log_modal

log = logging.getLogger(__name__)


def show_account(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    ack()
    runtime_in(context).after(
        lambda: show_account_card(runtime_in(context), body, action, context, respond, client)
    )


def open_log(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    ack()
    open_log_modal(runtime_in(context), body, action, context, respond, client)


def share(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    ack()
    runtime_in(context).after(
        lambda: share_pyramid(runtime_in(context), body, action, context, respond, client)
    )


def register(app: App) -> None:
    app.action(re.compile(r"^near_match_(use_\d+|create)$"))(answer_near_match)
    app.action(re.compile(r"^show_account_\d+$"))(show_account)
    app.action(re.compile(r"^open_log_(meeting|deal)$"))(open_log)
    app.action("share_pyramid")(share)


def answer_near_match(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    """Stored before the ack, like a command; the question is replaced by the answer after it."""
    runtime = runtime_in(context)
    team_id, user_id = who(context)
    profile = runtime.profile(client, team_id, user_id)
    today = runtime.clock.today(profile.zone)
    try:
        choice = parse_json(NearMatchChoice, action.get("value"))
    except BadPayload:
        log.warning("refused a malformed near-match value")
        ack()
        expired = replies.plain_notice(t(profile.locale, "choice_expired"))
        runtime.after(lambda: replace_pressed(client, body, respond, expired))
        return

    def work(session: Session) -> tuple[Logged | None, tuple[Queued, ...]]:
        request = take(session, team_id, choice.p, AccountRef(account_id=choice.a))
        if request is None:
            return None, ()
        now = runtime.clock.now()
        outcome = log_activity(
            session,
            request,
            now=now,
            today=today,
            repeater_threshold=runtime.settings.pyramid_repeater_threshold,
            auto=runtime.auto_followups(),
        )
        assert isinstance(outcome, Logged), "an answered question names its account"
        return outcome, queue_after_log(session, runtime.settings, outcome, now=now)

    try:
        outcome, queued = runtime.store(work)
    except FAILURES as error:
        ack()
        tell_later(runtime, client, body, respond, user_id, error_reply(error, profile.locale, example=None))
        return
    ack()
    if outcome is None:
        expired = replies.plain_notice(t(profile.locale, "choice_expired"))
        runtime.after(lambda: replace_pressed(client, body, respond, expired))
        return
    reply = log_reply(outcome, profile.locale)
    runtime.after(lambda: replace_pressed(client, body, respond, reply))
    after_logged(runtime, client, team_id, outcome, queued)


def show_account_card(
    runtime: Runtime,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    team_id, user_id = who(context)
    profile = runtime.profile(client, team_id, user_id)
    try:
        account_id = parse_account_id(action.get("value"))
        card = runtime.query(lambda session: cards.account_card(session, team_id, account_id))
    except (BadPayload, UserFacingError):
        tell(
            client, body, respond, user_id, error_reply(UserFacingError("account_gone"), profile.locale, None)
        )
        return
    except NotStored as error:
        tell(client, body, respond, user_id, error_reply(error, profile.locale, None))
        return
    reply = card_view.account_card(card, runtime.clock.today(profile.zone), profile.locale)
    replace_pressed(client, body, respond, reply)


def open_log_modal(
    runtime: Runtime,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    """Opened before the ack is sent: a trigger id is only good for 3 seconds."""
    team_id, user_id = who(context)
    profile = runtime.profile(client, team_id, user_id)
    which = "deal" if str(action.get("action_id", "")).endswith("deal") else "meeting"
    account = None
    try:
        # No value (App Home's quick buttons) opens the modal with no account chosen yet.
        if action.get("value"):
            account_id = parse_account_id(action.get("value"))
            account = runtime.query(lambda session: accounts.get_account(session, team_id, account_id))
    except (BadPayload, UserFacingError):
        tell_later(
            runtime,
            client,
            body,
            respond,
            user_id,
            error_reply(UserFacingError("account_gone"), profile.locale, None),
        )
        return
    except NotStored as error:
        tell_later(runtime, client, body, respond, user_id, error_reply(error, profile.locale, None))
        return
    channel_id = (body.get("channel") or {}).get("id")
    view = log_modal(
        which,
        locale=profile.locale,
        today=runtime.clock.today(profile.zone),
        channel_id=channel_id,
        account=account,
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


def share_pyramid(
    runtime: Runtime,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    team_id, user_id = who(context)
    try:
        value = parse_json(ShareValue, action.get("value"))
    except BadPayload:
        log.warning("refused a malformed share value")
        return
    reply = pyramid_reply(
        runtime,
        team_id,
        value.s,
        value.u,
        value.d,
        runtime.settings.pyramid_locale,
        shareable=False,
        shared_by=user_id,
    )
    # The channel sees it in the team's language; the sharer's own copy stays as it was.
    if body.get("response_url"):
        respond(response_type="in_channel", replace_original=False, **reply)
    elif (body.get("channel") or {}).get("id"):
        client.chat_postMessage(channel=str(body["channel"]["id"]), **reply)
