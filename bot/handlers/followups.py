"""/followup and the follow-up buttons of the digest (Done, Snooze 1 week, Reschedule)."""

from __future__ import annotations

from datetime import date
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.domain.parsing import ParseError, parse_followup
from bot.handlers.home import refresh_home
from bot.handlers.payloads import BadPayload, parse_account_id
from bot.handlers.replying import command_text, respond_error, update_item
from bot.i18n import t
from bot.runtime import Runtime
from bot.services import accounts, followups
from bot.services.errors import UserFacingError
from bot.views import replies
from bot.views.blocks import escape, fmt_date, mention


def register(app: App, runtime: Runtime) -> None:
    def followup(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        followup_command(runtime, command, respond, client)

    def done(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        press(runtime, body, action, respond, client, "done")

    def snooze(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        press(runtime, body, action, respond, client, "snooze")

    def reschedule(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        press(runtime, body, action, respond, client, "reschedule")

    app.command("/followup")(followup)
    app.action("followup_done")(done)
    app.action("followup_snooze")(snooze)
    app.action("followup_reschedule")(reschedule)


def followup_command(runtime: Runtime, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
    team_id, user_id = command["team_id"], command["user_id"]
    profile = runtime.profile(client, team_id, user_id)
    today = runtime.clock.today(profile.zone)
    request_key = f"command:{command['trigger_id']}"
    try:
        request = parse_followup(command_text(command), today)

        def work(session: Any) -> tuple[str, date]:
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

        name, due_on = runtime.transaction(work)
    except (ParseError, UserFacingError) as error:
        respond_error(respond, error, profile.locale, example="followup")
        return
    text = t(
        profile.locale, "followup_scheduled", account=escape(name), date=fmt_date(due_on, profile.locale)
    )
    respond(response_type="ephemeral", **replies.plain_notice("✅ " + text))
    refresh_home(runtime, client, team_id, user_id)


def press(
    runtime: Runtime,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    what: str,
) -> None:
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    profile = runtime.profile(client, team_id, user_id)
    locale, today = profile.locale, runtime.clock.today(profile.zone)
    try:
        followup_id = _followup_id(action)
        if what == "done":
            change = runtime.transaction(
                lambda s: followups.complete(
                    s, team_id, followup_id, user_id=user_id, now=runtime.clock.now()
                )
            )
        else:
            due_on = followups.snooze_date(today) if what == "snooze" else _picked_date(action)
            change = runtime.transaction(
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
        respond_error(respond, UserFacingError("followup_gone"), locale, example=None)
        return
    except (UserFacingError, ParseError) as error:
        respond_error(respond, error, locale, example=None)
        return
    followup = change.followup
    clock_time = runtime.clock.now().astimezone(profile.zone).strftime("%H:%M")
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
    refresh_home(runtime, client, team_id, user_id)
    if not change.changed and followup.status == "done":
        # A second click, or a click on an old copy of the digest: harmless, and said so.
        text = t(locale, "followup_already_done", user=mention(followup.done_by or user_id))
        respond(response_type="ephemeral", replace_original=False, **replies.plain_notice(text))


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
