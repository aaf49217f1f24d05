"""`build_app`: the one place that wires the handlers to Bolt."""

from __future__ import annotations

import json
import logging
import re
import uuid
import weakref
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse, Respond
from slack_bolt.authorization.authorize import InstallationStoreAuthorize
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from sqlalchemy.exc import DBAPIError

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.domain import names
from bot.handlers import (
    actions,
    commands,
    corrections,
    followups,
    home,
    installs,
    managing,
    messages,
    modals,
    options,
    recoveries,
    team_settings,
)
from bot.i18n import t
from bot.installs import BOT_SCOPES
from bot.runtime import NotStored, OutcomeUnknown, Runtime
from bot.server import INSTALL_PATH, OAUTH_REDIRECT_PATH
from bot.services.profiles import cached_locale
from bot.views.replies import plain_notice

log = logging.getLogger("bot")
_runtimes: weakref.WeakKeyDictionary[App, Runtime] = weakref.WeakKeyDictionary()


def build_app(
    settings: Settings,
    *,
    db: Database | None = None,
    clock: Clock | None = None,
    client: WebClient | None = None,
    verify_requests: bool = True,
    process_before_response: bool = False,
) -> App:
    """`verify_requests=False` only for the local console, which plays Slack itself.
    `process_before_response=True` (the console): the work that normally follows the ack runs before
    `dispatch` returns, so that a single-threaded caller sees all of a request's effects."""
    runtime = Runtime(
        settings=settings,
        db=db or Database(settings.database_url),
        clock=clock or Clock(),
        inline=process_before_response,
    )
    if settings.oauth_mode:
        # Each request's token is its workspace's installation's (Bolt's authorize); this client lends
        # only its URL.
        client = WebClient(base_url=client.base_url if client is not None else settings.slack_api_url)
    elif client is None:
        token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
        client = WebClient(token=token, base_url=settings.slack_api_url)
    secret = settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else None
    if verify_requests and not secret:
        raise ValueError("SLACK_SIGNING_SECRET is required to verify Slack's requests")
    app = App(
        client=client,
        oauth_settings=oauth_settings(settings, runtime) if settings.oauth_mode else None,
        signing_secret=secret or "unused-by-the-console",
        request_verification_enabled=verify_requests,
        # auth.test is called on the first request instead, so building the app needs no network.
        token_verification_enabled=False,
        # Listeners run in the request's own thread and the response goes out when they return: a
        # listener stores, acks, and hands everything else to `runtime.after` (a separate pool), so an
        # ack never queues behind other requests' work in Bolt's listener pool.
        process_before_response=True,
        logger=logging.getLogger("bot.slack"),
    )
    app.use(_with_runtime(runtime))
    if settings.oauth_mode:
        app.use(_workspace_of_org(runtime))
    for surface in (
        commands,
        actions,
        modals,
        options,
        followups,
        recoveries,
        home,
        messages,
        corrections,
        managing,
        team_settings,
        installs,
    ):
        surface.register(app)
    app.error(_error_handler(runtime))
    _runtimes[app] = runtime
    return app


_KANJI = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")


def _with_runtime(runtime: Runtime) -> Callable[..., None]:
    """A global middleware: every listener finds the runtime in Bolt's context (`runtime_in`)."""

    def with_runtime(
        context: BoltContext,
        body: dict[str, Any],
        next: Callable[[], None],  # noqa: A002 - Bolt's name
    ) -> None:
        context["runtime"] = runtime
        if not names.readings_loaded() and _KANJI.search(json.dumps(body, ensure_ascii=False)):
            # Once per process, before the ack and outside any transaction's deadline: a Japanese name
            # is read with a dictionary that takes half a second to load (and 100 MiB, so not at start).
            names.load_readings()
        next()

    return with_runtime


def oauth_settings(settings: Settings, runtime: Runtime) -> OAuthSettings:
    """Many workspaces: Slack's install flow at /slack/install and /slack/oauth_redirect, installations and
    states in our database (tables of migration 0017; the stores never create them)."""
    from bot.oauth_stores import ClockedStateStore

    oauth = OAuthSettings(
        client_id=settings.slack_client_id,
        client_secret=settings.slack_client_secret.get_secret_value()
        if settings.slack_client_secret
        else None,
        scopes=list(BOT_SCOPES),
        redirect_uri=settings.slack_redirect_uri,
        install_path=INSTALL_PATH,
        redirect_uri_path=OAUTH_REDIRECT_PATH,
        # /slack/install answers with a redirect to Slack's consent page (the state in its URL).
        install_page_rendering_enabled=False,
        installation_store=runtime.installs.store,
        state_store=ClockedStateStore(runtime.db.engine, runtime.clock),
    )
    if isinstance(oauth.authorize, InstallationStoreAuthorize):
        # Bolt asks auth.test about the stored token on every request unless it remembers the answer,
        # which never changes for a token (an uninstalled workspace's token is no longer found at all).
        oauth.authorize.cache_enabled = True
    return oauth


def _workspace_of_org(runtime: Runtime) -> Callable[..., None]:
    """An org-wide install's requests carry the org's token; our data stays the workspace's. Events of such
    an install name no team in `authorizations`, so Bolt's context has none: the envelope's `team_id` (the
    workspace where it happened) is put there. Each workspace seen is remembered for the jobs."""

    def workspace_of_org(context: BoltContext, body: dict[str, Any], next: Callable[[], None]) -> None:  # noqa: A002
        event = body.get("event")
        leaving = isinstance(event, dict) and event.get("type") in ("app_uninstalled", "tokens_revoked")
        if context.is_enterprise_install and context.enterprise_id and not leaving:
            if not context.team_id and isinstance(body.get("team_id"), str) and body["team_id"]:
                context["team_id"] = body["team_id"]
            if context.team_id:
                try:
                    runtime.installs.remember_workspace(str(context.team_id), str(context.enterprise_id))
                except DBAPIError:
                    # Only the jobs need it, and the workspace's next request writes it: answer this one.
                    log.warning("could not record that %s belongs to its org", context.team_id)
        next()

    return workspace_of_org


def runtime_of(app: App) -> Runtime:
    """The runtime an app was built with (graceful shutdown drains its after-work)."""
    return _runtimes[app]


def _error_handler(runtime: Runtime) -> Any:
    def handle_error(
        error: Exception,
        body: dict[str, Any],
        context: BoltContext,
        response: BoltResponse | None,
        respond: Respond | None,
    ) -> None:
        """Every unexpected failure: logged with its traceback and an id the user can quote. Listeners
        store before they ack, so a failure here means nothing was stored; the user is told so in the
        ack itself when it is a command, at the response URL otherwise."""
        error_id = uuid.uuid4().hex[:8]
        if isinstance(error, (NotStored, OutcomeUnknown)):
            log.warning("request not served (%s), error id %s", type(error).__name__, error_id)
        else:
            log.error(
                "unhandled error %s in %s request", error_id, body.get("type") or "command", exc_info=error
            )
        locale = _locale_of(runtime, context)
        key = {NotStored: "error_not_stored", OutcomeUnknown: "error_outcome_unknown"}.get(type(error))
        notice = plain_notice(t(locale, key) if key else t(locale, "error_unexpected", error_id=error_id))
        if response is not None and body.get("command"):
            # Answered in the ack: Slack shows it at once, and nothing hangs on a response URL.
            response.status = 200
            response.body = json.dumps({"response_type": "ephemeral", **notice}, ensure_ascii=False)
            response.headers["content-type"] = ["application/json;charset=utf-8"]
            return
        if response is not None and body.get("type") in ("block_actions", "event_callback"):
            # The press or event is answered (Slack would otherwise show a generic failure); the
            # apology follows at the response URL when there is one.
            response.status = 200
            response.body = ""
        if respond is None or not body.get("response_url") and not body.get("response_urls"):
            return
        runtime.after(lambda: respond(response_type="ephemeral", replace_original=False, **notice))

    return handle_error


def _locale_of(runtime: Runtime, context: BoltContext) -> str:
    """The user's language from the profile cache only: no Slack call while handling a failure."""
    team_id = context.team_id or context.enterprise_id
    user_id = context.user_id
    if not team_id or not user_id:
        return runtime.settings.pyramid_locale
    default = runtime.team_config_or_defaults(str(team_id)).locale
    try:
        return cached_locale(runtime.db, str(team_id), str(user_id), default)
    except Exception:  # noqa: BLE001 - the database may be what failed; the apology still goes out
        log.warning("no profile for the apology to %s", user_id)
        return default
