"""/trouble and the recovery buttons: Responded, Recovered, Lost, the five-step checklist, the verdict."""

from __future__ import annotations

from functools import partial
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.domain.parsing import ParseError, parse_trouble
from bot.domain.recovery import RecoveryStatus, mask_of
from bot.handlers.home import refresh_home
from bot.handlers.payloads import BadPayload, parse_account_id
from bot.handlers.replying import command_text, respond_error, update_item
from bot.i18n import t
from bot.jobs.outbox import deliver_once
from bot.runtime import Runtime
from bot.services import accounts, recoveries
from bot.services.errors import UserFacingError
from bot.services.recoveries import Opened
from bot.views import recovery as recovery_view
from bot.views import replies
from bot.views.blocks import escape, mention

TRANSITIONS = {
    "recovery_responded": RecoveryStatus.RESPONDED,
    "recovery_recovered": RecoveryStatus.RECOVERED,
    "recovery_lost": RecoveryStatus.LOST,
    "verdict_yes": RecoveryStatus.RECOVERED,
}


def register(app: App, runtime: Runtime) -> None:
    def trouble(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
        ack()
        trouble_command(runtime, command, respond, client)

    def transition(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        press(runtime, body, action, respond, client)

    def steps(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        check_steps(runtime, body, action, respond, client)

    app.command("/trouble")(trouble)
    for action_id in (*TRANSITIONS, "verdict_not_yet"):
        app.action(action_id)(transition)
    app.action("recovery_steps")(steps)


def trouble_command(runtime: Runtime, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
    team_id, user_id = command["team_id"], command["user_id"]
    profile = runtime.profile(client, team_id, user_id)
    today = runtime.clock.today(profile.zone)
    try:
        request = parse_trouble(command_text(command))
        opened = runtime.transaction(
            lambda session: recoveries.open_recovery(
                session,
                accounts.require_by_name(session, team_id, request.account),
                user_id=user_id,
                what=request.what,
                now=runtime.clock.now(),
                today=today,
                request_key=f"command:{command['trigger_id']}",
                followup_next_day=runtime.settings.pyramid_followup_after_trouble,
            )
        )
    except (ParseError, UserFacingError) as error:
        respond_error(respond, error, profile.locale, example="trouble")
        return
    if opened.duplicate:
        respond(response_type="ephemeral", **replies.plain_notice(t(profile.locale, "trouble_duplicate")))
        return
    text = t(
        profile.locale,
        "trouble_opened",
        account=escape(opened.account.name),
        what=escape(opened.recovery.what),
        owner=mention(opened.recovery.owner_id),
    )
    if runtime.settings.pyramid_team_channel:
        text += " " + t(profile.locale, "trouble_channel_told")
    respond(response_type="ephemeral", **replies.plain_notice("🛟 " + text))
    announce(runtime, client, opened)
    refresh_home(runtime, client, team_id, opened.recovery.owner_id)


def announce(runtime: Runtime, client: WebClient, opened: Opened) -> None:
    """The owner gets the five steps; the team channel is told (complaints belong to the organisation).
    Both go through the delivery ledger so that a retry never posts them twice."""
    recovery, account = opened.recovery, opened.account
    owner = runtime.profile(client, recovery.team_id, recovery.owner_id)
    deliver_once(
        runtime.db,
        client,
        team_id=recovery.team_id,
        kind="trouble_dm",
        ref=str(recovery.id),
        channel=recovery.owner_id,
        build=lambda: recovery_view.owner_checklist(recovery, account, owner.locale),
        now=runtime.clock.now(),
    )
    channel = runtime.settings.pyramid_team_channel
    if channel:
        deliver_once(
            runtime.db,
            client,
            team_id=recovery.team_id,
            kind="trouble_post",
            ref=str(recovery.id),
            channel=channel,
            build=lambda: recovery_view.channel_post(recovery, account, runtime.settings.pyramid_locale),
            now=runtime.clock.now(),
        )


def press(
    runtime: Runtime, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
) -> None:
    team_id, user_id = body["team"]["id"], body["user"]["id"]
    profile = runtime.profile(client, team_id, user_id)
    locale = profile.locale
    action_id = str(action.get("action_id"))
    now = runtime.clock.now()
    clock_time = now.astimezone(profile.zone).strftime("%H:%M")
    try:
        recovery_id = parse_account_id(action.get("value"))
        if action_id == "verdict_not_yet":
            recovery, _account = runtime.transaction(lambda s: recoveries.get(s, team_id, recovery_id))
            update_item(
                client,
                body,
                f"rc_{recovery.id}",
                t(locale, "verdict_not_yet_note", user=mention(user_id), time=clock_time),
            )
            return
        target = TRANSITIONS[action_id]
        change = runtime.transaction(
            lambda s: recoveries.move(s, team_id, recovery_id, target, user_id=user_id, now=now)
        )
    except BadPayload:
        respond_error(respond, UserFacingError("recovery_gone"), locale, example=None)
        return
    except UserFacingError as error:
        respond_error(respond, error, locale, example=None)
        return
    status = RecoveryStatus(change.recovery.status)
    label = t(locale, f"recovery_status_{status.value}")
    if action_id == "verdict_yes" and change.changed:
        note = t(locale, "verdict_yes_note", user=mention(user_id), time=clock_time)
    else:
        note = t(locale, "recovery_moved_note", status=label, user=mention(user_id), time=clock_time)
    if change.changed:
        update_item(client, body, f"rc_{change.recovery.id}", note)
        refresh_home(runtime, client, team_id, user_id)
    else:
        text = t(locale, "recovery_not_moved", status=label)
        respond(response_type="ephemeral", replace_original=False, **replies.plain_notice(text))


def check_steps(
    runtime: Runtime, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
) -> None:
    team_id = body["team"]["id"]
    block_id = str(action.get("block_id", ""))
    try:
        recovery_id = parse_account_id(block_id.removeprefix("rc_").removesuffix("_steps"))
    except BadPayload:
        return
    selected = [str(option.get("value")) for option in action.get("selected_options") or []]
    try:
        runtime.transaction(lambda s: recoveries.set_steps(s, team_id, recovery_id, mask_of(selected)))
    except UserFacingError as error:
        respond_error(respond, error, runtime.settings.pyramid_locale, example=None)


def ask_verdicts(runtime: Runtime, client: WebClient, team_id: str, recovery_ids: tuple[int, ...]) -> None:
    """After a win: "did it clearly exceed expectations?" to each recovery's owner, once per recovery ask."""
    for recovery_id in recovery_ids:
        recovery, account = runtime.transaction(
            partial(recoveries.get, team_id=team_id, recovery_id=recovery_id)
        )
        owner = runtime.profile(client, team_id, recovery.owner_id)
        asked_at = recovery.verdict_asked_at.isoformat() if recovery.verdict_asked_at else ""
        deliver_once(
            runtime.db,
            client,
            team_id=team_id,
            kind="verdict",
            ref=f"{recovery.id}:{asked_at}",
            channel=recovery.owner_id,
            build=partial(recovery_view.verdict_question, recovery, account, owner.locale),
            now=runtime.clock.now(),
        )
