"""Type-ahead for the account select in the modals."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot import interactions as ids
from bot.handlers.replying import Json, runtime_in, who
from bot.runtime import NotStored
from bot.usecases import accounts
from bot.views.modals import account_options as options_view


def register(app: App) -> None:
    app.options(ids.ACCOUNT_ACTION)(account_options)


def account_options(ack: Ack, body: Json, context: BoltContext, client: WebClient) -> None:
    runtime = runtime_in(context)
    team_id, user_id = who(context)
    try:
        found = accounts.typeahead(runtime, team_id, str(body.get("value") or ""))
    except NotStored:
        ack(options=[])  # the select shows "no results"; typing again asks again
        return
    # The rep's language only when it is needed: to offer the typed name as a new account.
    locale = runtime.profile(client, team_id, user_id).locale if found.offer_new else ""
    ack(options=options_view(found, locale))
