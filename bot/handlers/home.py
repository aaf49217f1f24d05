"""The App Home tab: published when the rep opens it, and again after each of their actions (coalesced:
a burst of actions rebuilds it once, bot/notify.py), always after the ack."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot import notify
from bot.handlers.replying import Json, runtime_in


def register(app: App) -> None:
    app.event("app_home_opened")(home_opened)


def home_opened(ack: Ack, body: Json, event: Json, context: BoltContext, client: WebClient) -> None:
    ack()
    # An org-wide install's events name no team in `authorizations`, so Bolt's context has only the
    # enterprise; the envelope's team_id is the workspace whose Home was opened, the one commands
    # from that workspace store under.
    team_id = context.team_id or body.get("team_id") or context.enterprise_id
    if event.get("tab") == "home" and team_id and event.get("user"):
        notify.refresh_home_now(runtime_in(context), client, str(team_id), str(event["user"]))
