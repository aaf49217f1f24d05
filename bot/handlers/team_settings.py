"""The team settings (issue 15): `/pyramid settings` and the App Home's Settings button open the modal
for the team's managers (a polite refusal for anyone else, and nothing opens); its submission is
checked field by field, stored before the ack that closes it, and confirmed to the admin after it.
Thin: read, call one use case, render, reply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot import interactions as ids
from bot.domain.team_settings import DORMANT_FIELDS, SettingsDraft, SettingsErrors
from bot.handlers import form_state as form
from bot.handlers.managing import ask_slack_if_admin
from bot.handlers.replying import Asker, Json, asker, error_reply, post_private
from bot.i18n import t
from bot.jobs.team_channel import join_team_channel
from bot.runtime import NotStored, OutcomeUnknown
from bot.usecases import team_settings
from bot.usecases.managing_facts import NotAManager
from bot.views.team_settings import refused_view, settings_modal, settings_refused, settings_saved

SETTINGS_WORDS = frozenset({"settings", "setting", "config", "設定"})
T = TypeVar("T")


def register(app: App) -> None:
    app.view(ids.SETTINGS_CALLBACK)(submit_settings)
    app.action(ids.OPEN_SETTINGS)(settings_pressed)


def is_settings_request(text: str) -> bool:
    """`/pyramid settings` (or `/pyramid 設定`)."""
    return text.strip().lower() in SETTINGS_WORDS


def settings_command(ack: Ack, command: Json, me: Asker) -> None:
    """Refused in the ack itself; for a manager, acked and the modal opened with the command's trigger."""
    try:
        found = _as_known_admin(me, lambda: team_settings.current(me.runtime, me.team_id, me.user_id))
    except (NotStored, OutcomeUnknown) as error:
        ack(response_type="ephemeral", **error_reply(error, me.locale, example=None))
        return
    if isinstance(found, NotAManager):
        ack(response_type="ephemeral", **settings_refused(found, me.locale))
        return
    ack()
    view = settings_modal(found, me.locale, command.get("channel_id"))
    me.client.views_open(trigger_id=command["trigger_id"], view=view)


def settings_pressed(ack: Ack, body: Json, context: BoltContext, client: WebClient) -> None:
    """The App Home's button (shown to managers only; checked again here: a button can be replayed)."""
    ack()
    me = asker(context, client)
    try:
        found = _as_known_admin(me, lambda: team_settings.current(me.runtime, me.team_id, me.user_id))
    except (NotStored, OutcomeUnknown) as error:
        post_private(client, me.user_id, None, error_reply(error, me.locale, example=None))
        return
    if isinstance(found, NotAManager):
        post_private(client, me.user_id, None, settings_refused(found, me.locale))
        return
    client.views_open(trigger_id=body["trigger_id"], view=settings_modal(found, me.locale, None))


def submit_settings(ack: Ack, view: Json, context: BoltContext, client: WebClient) -> None:
    """Stored before the ack that closes the modal; a bad field keeps it open with the error under it."""
    me = asker(context, client)
    draft = read_settings_form(form.values_of(view))
    try:
        saved = _as_known_admin(me, lambda: team_settings.save(me.runtime, me.team_id, me.user_id, draft))
    except SettingsErrors as error:
        ack(
            response_action="errors",
            errors={
                ids.settings_block(field): t(me.locale, e.code, **e.params)
                for field, e in error.errors.items()
            },
        )
        return
    except (NotStored, OutcomeUnknown) as error:
        text = error_reply(error, me.locale, example=None)["text"]
        ack(response_action="errors", errors={ids.settings_block("channel"): text})
        return
    if isinstance(saved, NotAManager):
        # No longer a manager since the modal opened: the refusal replaces the form.
        ack(response_action="update", view=refused_view(saved, me.locale))
        return
    ack()
    runtime, user_id = me.runtime, me.user_id
    channel = ids.metadata_of(view.get("private_metadata")).channel
    reply = settings_saved(saved.config, user_id, me.locale)

    def after() -> None:
        post_private(client, user_id, channel, reply)
        if saved.channel_changed and saved.config.channel:
            join_team_channel(runtime, client, saved.config.channel)

    runtime.after(after)


def read_settings_form(values: Json) -> SettingsDraft:
    """The modal's values as typed or picked (checked by the use case, bot/domain/team_settings.py)."""

    def state(field: str) -> dict[str, Any]:
        name = ids.settings_block(field)
        found = values.get(name, {}).get(name, {})
        return found if isinstance(found, dict) else {}

    def option(field: str) -> str | None:
        picked = state(field).get("selected_option")
        return str(picked["value"]) if isinstance(picked, dict) and "value" in picked else None

    def options(field: str) -> tuple[str, ...]:
        return tuple(
            str(o.get("value")) for o in state(field).get("selected_options") or [] if isinstance(o, dict)
        )

    def text(field: str, key: str = "value") -> str | None:
        value = state(field).get(key)
        return str(value) if value is not None else None

    dormant = tuple(text(field) for field in DORMANT_FIELDS)
    return SettingsDraft(
        channel=text("channel", "selected_conversation"),
        locale=option("locale"),
        timezone=option("timezone"),
        digest_time=text("digest_time", "selected_time"),
        working_days=options("working_days"),
        holiday_country=text("holiday_country"),
        summary_day=option("summary_day"),
        summary_time=text("summary_time", "selected_time"),
        dormant=(dormant[0], dormant[1], dormant[2], dormant[3]),
        managers=tuple(str(user) for user in state("managers").get("selected_users") or []),
        evening_prompt="on" in options("evening_prompt"),
        segment_lapse=text("segment_lapse"),
    )


def _as_known_admin(me: Asker, run: Callable[[], T]) -> T:
    """Refused only because Slack was never asked whether the user is an admin: asked now, run again."""
    found = run()
    if isinstance(found, NotAManager) and found.admin_unknown and ask_slack_if_admin(me):
        return run()
    return found
