"""`build_app`: the one place that wires the handlers to Bolt."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import App, Respond
from slack_sdk import WebClient

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.handlers import actions, commands, followups, home, modals, options, recoveries
from bot.i18n import t
from bot.runtime import Runtime
from bot.services.profiles import cached_locale
from bot.views.replies import plain_notice

log = logging.getLogger("bot")


def build_app(
    settings: Settings,
    *,
    db: Database | None = None,
    clock: Clock | None = None,
    client: WebClient | None = None,
    verify_requests: bool = True,
    process_before_response: bool = False,
) -> App:
    """`verify_requests=False` only for the local console, which plays Slack itself."""
    runtime = Runtime(settings=settings, db=db or Database(settings.database_url), clock=clock or Clock())
    if client is None:
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        client = WebClient(token=token, base_url=settings.slack_api_url)
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    if verify_requests and not secret:
        raise ValueError("SLACK_SIGNING_SECRET is required to verify Slack's requests")
    app = App(
        client=client,
        signing_secret=secret or "unused-by-the-console",
        request_verification_enabled=verify_requests,
        # auth.test is called on the first request instead, so building the app needs no network.
        token_verification_enabled=False,
        process_before_response=process_before_response,
        logger=logging.getLogger("bot.slack"),
    )
    commands.register(app, runtime)
    actions.register(app, runtime)
    modals.register(app, runtime)
    options.register(app, runtime)
    followups.register(app, runtime)
    recoveries.register(app, runtime)
    home.register(app, runtime)
    app.error(_error_handler(runtime))
    return app


def _error_handler(runtime: Runtime) -> Any:
    def handle_error(error: Exception, body: dict[str, Any], respond: Respond | None) -> None:
        """Every unexpected failure: logged with its traceback and an id the user can quote."""
        error_id = uuid.uuid4().hex[:8]
        log.error("unhandled error %s in %s request", error_id, body.get("type") or "command", exc_info=error)
        if respond is None or not body.get("response_url") and not body.get("response_urls"):
            return
        locale = _locale_of(runtime, body)
        try:
            respond(
                response_type="ephemeral",
                replace_original=False,
                **plain_notice(t(locale, "error_unexpected", error_id=error_id)),
            )
        except Exception:  # noqa: BLE001 - the apology is best effort; the error itself is already logged
            log.exception("could not tell the user about error %s", error_id)

    return handle_error


def _locale_of(runtime: Runtime, body: dict[str, Any]) -> str:
    """The user's language from the profile cache only: no Slack call while handling a failure."""
    team_id = body.get("team_id") or (body.get("team") or {}).get("id")
    user_id = body.get("user_id") or (body.get("user") or {}).get("id")
    default = runtime.settings.pyramid_locale
    if not team_id or not user_id:
        return default
    try:
        return cached_locale(runtime.db, str(team_id), str(user_id), default)
    except Exception:  # noqa: BLE001 - the database may be what failed; the apology still goes out
        log.warning("no profile for the apology to %s", user_id)
        return default
