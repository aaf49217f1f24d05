"""Type-ahead for the account select in the modals."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.domain.names import name_key
from bot.domain.parsing import MAX_NAME
from bot.handlers.replying import runtime_in, who
from bot.runtime import NotStored, Runtime
from bot.services import accounts
from bot.views.modals import ACCOUNT_ACTION, account_option, new_account_option

MAX_OPTIONS = 100


def account_options(ack: Ack, body: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    try:
        choices = account_choices(runtime_in(context), body, context, client)
    except NotStored:
        choices = []  # the select shows "no results"; typing again asks again
    ack(options=choices)


def register(app: App) -> None:
    app.options(ACCOUNT_ACTION)(account_options)


def account_choices(
    runtime: Runtime, body: dict[str, Any], context: BoltContext, client: WebClient
) -> list[dict[str, Any]]:
    team_id, user_id = who(context)
    query = " ".join(str(body.get("value") or "").split())[:MAX_NAME]
    found = runtime.query(lambda session: accounts.typeahead(session, team_id, query))
    options = [account_option(account) for account in found]
    # Offer to create the typed name unless it already exists (the log then goes to that account).
    if query and not any(account.name_key == name_key(query) for account in found):
        locale = runtime.profile(client, team_id, user_id).locale
        options.insert(0, new_account_option(query, locale))
    return options[:MAX_OPTIONS]
