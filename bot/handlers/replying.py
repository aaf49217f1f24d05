"""Shared ways of answering: who is asking, error messages with an example, answers to any surface
(a slash command's ack, a message's response URL, a channel, the App Home), posting where the user asked.

Talking to Slack is this package's job; everything else a listener needs is one call to bot/usecases."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar, cast

from slack_bolt import Ack, BoltContext, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import notify
from bot.domain.parsing import ParseError
from bot.i18n import t
from bot.interactions import BadPayload
from bot.runtime import NotStored, OutcomeUnknown, Runtime
from bot.services.errors import UserFacingError
from bot.services.profiles import Profile
from bot.views import replies
from bot.views.blocks import Message
from bot.views.digest import replace_item

log = logging.getLogger(__name__)

# What a listener answers with a message instead of an apology: the user's mistake, or the database.
FAILURES = (ParseError, UserFacingError, NotStored, OutcomeUnknown)
T = TypeVar("T")
Failure = ParseError | UserFacingError | NotStored | OutcomeUnknown
Json = dict[str, Any]  # a request's body, action, command or view, as Bolt passes it


class NoIdentity(UserFacingError):
    """A request that names no team or user: nothing can be scoped to it."""

    def __init__(self) -> None:
        super().__init__("unexpected_request")


class ZoneNotKnown(UserFacingError):
    """The rep's time zone was not known in time to date what they sent (see `Asker.today`)."""

    def __init__(self) -> None:
        super().__init__("zone_not_known")


def runtime_in(context: BoltContext) -> Runtime:
    """The runtime Bolt's context carries (put there by the global middleware in bot/app.py)."""
    return cast(Runtime, context["runtime"])


def who(context: BoltContext) -> tuple[str, str]:
    """The team whose data this is and the user asking, from Bolt's context (never the payload's
    `team`: it is null for org-wide installs and names the other organisation in Slack Connect)."""
    team_id = context.team_id or context.enterprise_id
    user_id = context.user_id
    if not team_id or not user_id:
        raise NoIdentity
    return str(team_id), str(user_id)


@dataclass(frozen=True)
class Asker:
    """Who is asking, in which language and zone, and the runtime and client to answer with."""

    runtime: Runtime
    client: WebClient
    team_id: str
    user_id: str
    profile: Profile
    now: datetime

    @property
    def locale(self) -> str:
        return self.profile.locale

    @property
    def today(self) -> date:
        """The rep's own today, to date what they store. `ZoneNotKnown` while Slack has not told the
        rep's zone in time: a record dated by the team's day could be a day off, so nothing is stored
        and the rep is asked to send it again (by then Slack has usually answered)."""
        if not self.profile.known:
            raise ZoneNotKnown
        return self.shown_today

    @property
    def shown_today(self) -> date:
        """The day to show ("3 days ago", a form's default date, which the rep sees and can change):
        the rep's, or the team's while the rep's zone is still being asked."""
        return self.runtime.clock.today(self.profile.zone)

    @property
    def clock_time(self) -> str:
        """The time of the request on the asker's clock, "14:05"."""
        return self.now.astimezone(self.profile.zone).strftime("%H:%M")

    def tell(self, body: Json, respond: Respond, reply: Message) -> None:
        tell(self.client, body, respond, self.user_id, reply)

    def tell_later(self, body: Json, respond: Respond, reply: Message) -> None:
        tell_later(self.runtime, self.client, body, respond, self.user_id, reply)

    def replace_later(self, body: Json, respond: Respond, reply: Message) -> None:
        """`replace_pressed`, after the ack: the pressed message becomes the reply."""
        self.runtime.after(lambda: replace_pressed(self.client, body, respond, reply))


def asker(context: BoltContext, client: WebClient) -> Asker:
    runtime = runtime_in(context)
    team_id, user_id = who(context)
    profile = runtime.profile(client, team_id, user_id)
    return Asker(runtime, client, team_id, user_id, profile, runtime.clock.now())


def command_key(command: dict[str, Any]) -> str:
    """A command's idempotency key: a retried delivery of the same command carries the same trigger."""
    return f"command:{command['trigger_id']}"


def command_text(command: dict[str, Any]) -> str:
    """The text the user typed. Slack sends &, < and > escaped (real mentions stay as <@U…>)."""
    text = str(command.get("text") or "")
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").strip()


def ephemeral(reply: Message) -> dict[str, Any]:
    return {"response_type": "ephemeral", **reply}


def error_reply(error: Failure, locale: str, example: str | None) -> Message:
    if isinstance(error, NotStored):
        return replies.plain_notice(t(locale, "error_not_stored"))
    if isinstance(error, OutcomeUnknown):
        return replies.plain_notice(t(locale, "error_outcome_unknown"))
    if isinstance(error, ZoneNotKnown):
        example = None  # nothing was wrong with what the rep typed: the same line, sent again, is right
    return replies.error(error.code, dict(error.params), locale, example)


def tell(client: WebClient, body: dict[str, Any], respond: Respond, user_id: str, reply: Message) -> None:
    """A short ephemeral answer to a press, on whatever surface it came from. The App Home has no
    response URL and no channel: there the refreshed tab itself shows what happened."""
    if body.get("response_url"):
        respond(response_type="ephemeral", replace_original=False, **reply)
        return
    channel = _channel_of(body)
    if channel:
        try:
            client.chat_postEphemeral(channel=channel, user=user_id, **reply)
        except SlackApiError as error:
            log.info("could not answer in %s: %s", channel, error.response.get("error"))


def tell_later(
    runtime: Runtime, client: WebClient, body: dict[str, Any], respond: Respond, user_id: str, reply: Message
) -> None:
    """`tell`, after the ack (a press is acked first; talking to Slack is after-work)."""
    runtime.after(lambda: tell(client, body, respond, user_id, reply))


def refusal(error: Exception, locale: str, gone: str) -> Message:
    """Why a press changed nothing: a malformed value reads as the item (`gone`) being gone."""
    if isinstance(error, BadPayload):
        error = UserFacingError(gone)
    assert isinstance(error, FAILURES)
    return error_reply(error, locale, example=None)


def refuse_press(me: Asker, body: Json, respond: Respond, error: Exception, gone: str) -> None:
    """After the ack of a press that changed nothing: say why. When the item is gone meanwhile, on
    the App Home (no response URL, no channel) the rebuilt tab shows it."""
    me.tell_later(body, respond, refusal(error, me.locale, gone))
    if isinstance(error, BadPayload | UserFacingError):
        notify.refresh_home_soon(me.runtime, me.client, me.team_id, me.user_id)


def stored_or_refused(
    ack: Ack, body: Json, respond: Respond, me: Asker, gone: str, store: Callable[[], T]
) -> T | None:
    """A press whose change is stored before its ack: acked once `store()` is done, with its result. A
    value naming nothing of the team's (`gone`), or a change refused, is acked and told why: None then,
    the press changed nothing."""
    try:
        done = store()
    except (BadPayload, *FAILURES) as error:
        ack()
        refuse_press(me, body, respond, error, gone)
        return None
    ack()
    return done


def replace_pressed(client: WebClient, body: dict[str, Any], respond: Respond, reply: Message) -> None:
    """Replaces the message whose button was pressed (a "did you mean" question, a card)."""
    if body.get("response_url"):
        respond(replace_original=True, **reply)
        return
    user_id = str((body.get("user") or {}).get("id") or "")
    channel = _channel_of(body)
    if channel and user_id:
        post_private(client, user_id, channel, reply)


def post_private(client: WebClient, user_id: str, channel_id: str | None, reply: Message) -> None:
    """An ephemeral message in the channel the user was in; their DM with the app when that fails
    (the bot is not in a private channel, or the modal was opened from App Home)."""
    if channel_id:
        try:
            client.chat_postEphemeral(channel=channel_id, user=user_id, **reply)
            return
        except SlackApiError as error:
            log.info(
                "ephemeral post to %s failed (%s); sending a DM", channel_id, error.response.get("error")
            )
    client.chat_postMessage(channel=user_id, **reply)


def update_item(client: WebClient, body: dict[str, Any], block_id: str, note: str) -> None:
    """Rewrites the pressed message in place: the item's buttons become a line saying what happened."""
    message = body.get("message")
    channel = _channel_of(body)
    if not message or not channel:
        return  # an ephemeral or view container: nothing to rewrite
    blocks = replace_item(message.get("blocks") or [], block_id, note)
    try:
        client.chat_update(channel=channel, ts=message["ts"], text=message.get("text") or note, blocks=blocks)
    except SlackApiError as error:
        log.warning("could not update the message in %s: %s", channel, error.response.get("error"))


def _channel_of(body: dict[str, Any]) -> str | None:
    channel = (body.get("container") or {}).get("channel_id") or (body.get("channel") or {}).get("id")
    return str(channel) if channel else None
