"""/followup and the follow-up buttons of the digest and the App Home (Done, Snooze 1 week, Reschedule).

Every change is stored before the ack; the message or Home tab it came from is rewritten after it."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient
from sqlalchemy.orm import Session

from bot.domain.parsing import ParseError, parse_followup
from bot.handlers.commands import FAILURES
from bot.handlers.home import refresh_home_soon
from bot.handlers.payloads import BadPayload, parse_account_id
from bot.handlers.replying import (
    command_text,
    ephemeral,
    error_reply,
    runtime_in,
    tell,
    tell_later,
    update_item,
    who,
)
from bot.i18n import t
from bot.runtime import Runtime
from bot.services import accounts, followups
from bot.services.errors import UserFacingError
from bot.services.followups import FollowupChange
from bot.views import replies
from bot.views.blocks import escape, fmt_date, mention


def pressed(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
) -> None:
    what = str(action.get("action_id", "")).removeprefix("followup_")
    press(runtime_in(context), ack, body, action, context, respond, client, what)


def register(app: App) -> None:
    app.command("/followup")(followup_command)
    for what in ("done", "snooze", "reschedule"):
        app.action(f"followup_{what}")(pressed)


def followup_command(ack: Ack, command: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    runtime = runtime_in(context)
    team_id, user_id = who(context)
    profile = runtime.profile(client, team_id, user_id)
    today = runtime.clock.today(profile.zone)
    request_key = f"command:{command['trigger_id']}"
    try:
        request = parse_followup(command_text(command), today)

        def work(session: Session) -> tuple[str, date]:
            account = accounts.require_by_name(session, team_id, request.account)
            existing = followups.find_by_request(session, team_id, request_key)
            if existing is None:
                followups.schedule(
                    session,
                    account,
                    user_id=user_id,
                    created_by=user_id,
                    due_on=request.due_on,
                    note=request.note,
                    source="manual",
                    now=runtime.clock.now(),
                    request_key=request_key,
                )
            return account.name, request.due_on

        name, due_on = runtime.store(work)
    except FAILURES as error:
        ack(**ephemeral(error_reply(error, profile.locale, example="followup")))
        return
    text = t(
        profile.locale, "followup_scheduled", account=escape(name), date=fmt_date(due_on, profile.locale)
    )
    ack(**ephemeral(replies.plain_notice("✅ " + text)))
    refresh_home_soon(runtime, client, team_id, user_id)


def press(
    runtime: Runtime,
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    context: BoltContext,
    respond: Respond,
    client: WebClient,
    what: str,
) -> None:
    team_id, user_id = who(context)
    profile = runtime.profile(client, team_id, user_id)
    locale, today = profile.locale, runtime.clock.today(profile.zone)
    try:
        followup_id = _followup_id(action)
        if what == "done":
            change = runtime.store(
                lambda s: followups.complete(
                    s, team_id, followup_id, user_id=user_id, now=runtime.clock.now()
                )
            )
        else:
            due_on = followups.snooze_date(today) if what == "snooze" else _picked_date(action)
            change = runtime.store(
                lambda s: followups.move(
                    s,
                    team_id,
                    followup_id,
                    due_on=due_on,
                    today=today,
                    user_id=user_id,
                    snooze=what == "snooze",
                )
            )
    except BadPayload:
        ack()
        tell_later(
            runtime,
            client,
            body,
            respond,
            user_id,
            error_reply(UserFacingError("followup_gone"), locale, example=None),
        )
        refresh_home_soon(runtime, client, team_id, user_id)
        return
    except FAILURES as error:
        ack()
        tell_later(runtime, client, body, respond, user_id, error_reply(error, locale, example=None))
        if isinstance(error, UserFacingError):
            # Gone meanwhile: on the App Home (no response URL, no channel) the rebuilt tab shows it.
            refresh_home_soon(runtime, client, team_id, user_id)
        return
    ack()
    runtime.after(lambda: _show_change(runtime, client, body, respond, team_id, user_id, change, what))
    refresh_home_soon(runtime, client, team_id, user_id)


def _show_change(
    runtime: Runtime,
    client: WebClient,
    body: dict[str, Any],
    respond: Respond,
    team_id: str,
    user_id: str,
    change: FollowupChange,
    what: str,
) -> None:
    profile = runtime.profile(client, team_id, user_id)
    locale = profile.locale
    followup = change.followup
    if followup.status == "done":
        # When it was done, not when this (maybe second) press came: the message keeps telling the truth.
        done_at = followup.done_at or runtime.clock.now()
        clock_time = done_at.astimezone(profile.zone).strftime("%H:%M")
        note = t(locale, "followup_done_note", user=mention(followup.done_by or user_id), time=clock_time)
    elif what == "snooze":
        note = t(
            locale, "followup_snoozed_note", date=fmt_date(followup.due_on, locale), user=mention(user_id)
        )
    else:
        note = t(locale, "followup_moved_note", date=fmt_date(followup.due_on, locale), user=mention(user_id))
    update_item(client, body, f"fu_{followup.id}", note)
    if not change.changed and followup.status == "done":
        # A second click, or a click on an old copy of the digest: harmless, and said so.
        text = t(locale, "followup_already_done", user=mention(followup.done_by or user_id))
        tell(client, body, respond, user_id, replies.plain_notice(text))


def _followup_id(action: dict[str, Any]) -> int:
    if action.get("type") == "datepicker":
        block_id = str(action.get("block_id", ""))
        return parse_account_id(block_id.removeprefix("fu_").removesuffix("_actions"))
    return parse_account_id(action.get("value"))


def _picked_date(action: dict[str, Any]) -> date:
    try:
        return date.fromisoformat(str(action.get("selected_date")))
    except ValueError:
        raise ParseError("bad_date", word=str(action.get("selected_date"))) from None
