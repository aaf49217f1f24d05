"""Buttons: "did you mean" answers, the account card's log buttons, sharing a pyramid."""

from __future__ import annotations

import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.handlers.after_log import after_logged
from bot.handlers.commands import pyramid_reply
from bot.handlers.payloads import BadPayload, NearMatchChoice, ShareValue, parse_account_id, parse_json
from bot.handlers.replying import respond_error
from bot.i18n import t
from bot.runtime import Runtime
from bot.services import accounts, cards
from bot.services.accounts import AccountRef
from bot.services.activities import Logged, log_activity
from bot.services.errors import UserFacingError
from bot.services.pending import take
from bot.views import card as card_view
from bot.views import replies
from bot.views.modals import log_modal

log = logging.getLogger(__name__)


def register(app: App, runtime: Runtime) -> None:
    def near_match(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        answer_near_match(runtime, body, action, respond, client)

    def show_account(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        show_account_card(runtime, body, action, respond, client)

    def open_log(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        open_log_modal(runtime, body, action, respond, client)

    def share(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        share_pyramid(runtime, body, action, respond, client)

    app.action(re.compile(r"^near_match_(use_\d+|create)$"))(near_match)
    app.action(re.compile(r"^show_account_\d+$"))(show_account)
    app.action(re.compile(r"^open_log_(meeting|deal)$"))(open_log)
    app.action("share_pyramid")(share)


def answer_near_match(
    runtime: Runtime, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
) -> None:
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    profile = runtime.profile(client, team_id, user_id)
    try:
        choice = parse_json(NearMatchChoice, action.get("value"))
    except BadPayload:
        log.warning("refused a malformed near-match value")
        respond(replace_original=True, **replies.plain_notice(t(profile.locale, "choice_expired")))
        return

    def work(session: Any) -> Logged | None:
        request = take(session, team_id, choice.p, AccountRef(account_id=choice.a))
        if request is None:
            return None
        outcome = log_activity(
            session,
            request,
            now=runtime.clock.now(),
            today=runtime.clock.today(profile.zone),
            repeater_threshold=runtime.settings.pyramid_repeater_threshold,
            auto=runtime.auto_followups(),
        )
        assert isinstance(outcome, Logged), "an answered question names its account"
        return outcome

    try:
        outcome = runtime.transaction(work)
    except UserFacingError as error:
        respond_error(respond, error, profile.locale, example=None)
        return
    if outcome is None:
        respond(replace_original=True, **replies.plain_notice(t(profile.locale, "choice_expired")))
        return
    respond(replace_original=True, **replies.logged(outcome, profile.locale))
    after_logged(runtime, client, team_id, outcome)


def show_account_card(
    runtime: Runtime, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
) -> None:
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    profile = runtime.profile(client, team_id, user_id)
    try:
        account_id = parse_account_id(action.get("value"))
        card = runtime.transaction(lambda session: cards.account_card(session, team_id, account_id))
    except (BadPayload, UserFacingError):
        respond_error(respond, UserFacingError("account_gone"), profile.locale, example=None)
        return
    respond(
        replace_original=True,
        **card_view.account_card(card, runtime.clock.today(profile.zone), profile.locale),
    )


def open_log_modal(
    runtime: Runtime, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
) -> None:
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    profile = runtime.profile(client, team_id, user_id)
    which = "deal" if action["action_id"].endswith("deal") else "meeting"
    account = None
    try:
        # An empty value (App Home's quick buttons) opens the modal with no account chosen yet.
        if action.get("value"):
            account_id = parse_account_id(action.get("value"))
            account = runtime.transaction(lambda session: accounts.get_account(session, team_id, account_id))
    except (BadPayload, UserFacingError):
        respond_error(respond, UserFacingError("account_gone"), profile.locale, example=None)
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
    runtime: Runtime, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
) -> None:
    team_id, user_id = body["team"]["id"], body["user"]["id"]
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
    respond(response_type="in_channel", replace_original=False, **reply)
