"""The App Home tab: published when the rep opens it, and again after each of their actions (coalesced:
a burst of actions rebuilds it once), always after the ack."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.handlers.replying import runtime_in
from bot.runtime import Runtime
from bot.services import digests, pyramids
from bot.views.home import home_view

log = logging.getLogger(__name__)


def home_opened(
    ack: Ack, body: dict[str, Any], event: dict[str, Any], context: BoltContext, client: WebClient
) -> None:
    ack()
    # An org-wide install's events name no team in `authorizations`, so Bolt's context has only the
    # enterprise; the envelope's team_id is the workspace whose Home was opened, the one commands
    # from that workspace store under.
    team_id = context.team_id or body.get("team_id") or context.enterprise_id
    if event.get("tab") == "home" and team_id and event.get("user"):
        # The rep is looking at it now: no coalescing delay.
        runtime, team, user = runtime_in(context), str(team_id), str(event["user"])
        runtime.after(lambda: refresh_home(runtime, client, team, user), key=("home", team, user))


def register(app: App) -> None:
    app.event("app_home_opened")(home_opened)


def refresh_home_soon(runtime: Runtime, client: WebClient, team_id: str, user_id: str) -> None:
    """After a rep's own action: once per burst of actions (PYRAMID_HOME_REFRESH_DELAY seconds)."""
    runtime.after(
        lambda: refresh_home(runtime, client, team_id, user_id),
        key=("home", team_id, user_id),
        delay=runtime.settings.pyramid_home_refresh_delay,
    )


def refresh_home(runtime: Runtime, client: WebClient, team_id: str, user_id: str) -> None:
    """Best effort: the home tab is a convenience; a failure here must not spoil the action itself."""
    if not team_id or not user_id:
        return
    try:
        profile = runtime.profile(client, team_id, user_id)
        today = runtime.clock.today(profile.zone)
        with runtime.db.read() as session:
            dist = pyramids.distribution_for(session, team_id, user_id)
            digest = digests.digest_for(session, team_id, user_id, today)
        client.views_publish(user_id=user_id, view=home_view(dist, digest, profile.locale))
    except SlackApiError as error:
        log.warning("could not publish the home tab of %s: %s", user_id, error.response.get("error"))
