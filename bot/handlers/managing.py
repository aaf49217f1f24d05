"""A manager's corrections of accounts (issue 11): the answer to `/account <name> step|merge|archive|
restore|lost …` (the command itself is bot/handlers/commands.py's), and the merge's confirm and cancel
buttons. Thin: ack, parse, call one use case, render, respond."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import interactions as ids
from bot import notify
from bot.handlers.replying import FAILURES, Asker, Failure, Json, asker, ephemeral, refusal
from bot.interactions import BadPayload
from bot.usecases import managing
from bot.usecases.managing_facts import NotAManager
from bot.views import managing as managing_view

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(ids.MERGE_CONFIRM)(merge_confirmed)
    app.action(ids.MERGE_CANCEL)(merge_cancelled)


T = TypeVar("T")


def as_known_admin(me: Asker, run: Callable[[], T]) -> T:
    """Runs a correction; when it was refused only because Slack was never asked whether the user is an
    admin (a profile cached before that was kept), asks Slack now and runs it once more."""
    outcome = run()
    result = outcome.result if isinstance(outcome, managing.Outcome) else None
    unknown = isinstance(result, NotAManager) and result.admin_unknown
    if unknown and ask_slack_if_admin(me):
        return run()
    return outcome


def ask_slack_if_admin(me: Asker) -> bool:
    """Asks Slack now whether the user is an admin or owner (users.info), and remembers the answer;
    False when Slack did not answer."""
    fetch = partial(_users_info, me.client)
    return managing.remember_profile(me.runtime, me.team_id, me.user_id, fetch)


# The question is asked before the command's ack, which Slack awaits 3 seconds at most.
USERS_INFO_TIMEOUT = 2  # seconds (whole ones: slack_sdk takes an int)


def _users_info(client: WebClient, user_id: str) -> dict[str, Any] | None:
    quick = WebClient(token=client.token, base_url=client.base_url, timeout=USERS_INFO_TIMEOUT)
    try:
        user = quick.users_info(user=user_id, include_locale=True).get("user")
    except SlackApiError as error:
        log.warning("users.info failed for %s: %s", user_id, error.response.get("error"))
        return None
    except OSError as error:  # unreachable or too slow: refused as before, the next request asks again
        log.warning("users.info failed for %s: %s", user_id, error)
        return None
    return user if isinstance(user, dict) else None


def answer_correction(ack: Ack, me: Asker, outcome: managing.Outcome) -> None:
    """A correction is stored before the ack, which answers; the channel hears of a stage change after."""
    ack(**ephemeral(managing_view.correction_reply(outcome.result, me.locale)))
    if outcome.queued:
        notify.after_action(me.runtime, me.client, me.team_id, None, outcome.queued)


def example_for(error: Failure, default: str) -> str:
    """The example a bad `/account` line is answered with: a correction's own, or the command's."""
    code = getattr(error, "code", None)
    params = getattr(error, "params", {})
    found = managing_view.example_for(code, dict(params)) if isinstance(code, str) else None
    return found or default


def merge_confirmed(
    ack: Ack, body: Json, action: Json, context: BoltContext, respond: Respond, client: WebClient
) -> None:
    """Stored before the ack; the plan is replaced by what was done after it. A second press finds the
    merge done and says so; nothing moves twice."""
    me = asker(context, client)
    try:
        value = ids.merge_value_of(action.get("value"))
        outcome = as_known_admin(
            me,
            lambda: managing.merge(me.runtime, me.team_id, me.user_id, me.today, value.s, value.m, value.r),
        )
    except (BadPayload, *FAILURES) as error:
        ack()
        me.tell_later(body, respond, refusal(error, me.locale, gone="account_gone"))
        return
    ack()
    reply = managing_view.correction_reply(outcome.result, me.locale)
    me.replace_later(body, respond, reply)
    notify.after_action(me.runtime, client, me.team_id, None, outcome.queued)


def merge_cancelled(ack: Ack, body: Json, context: BoltContext, respond: Respond, client: WebClient) -> None:
    ack()
    me = asker(context, client)
    reply = managing_view.merge_cancelled(me.locale)
    me.replace_later(body, respond, reply)
