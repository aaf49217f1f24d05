"""The app uninstalled from a workspace (or an org), or its bot token revoked: `app_uninstalled` and
`tokens_revoked` (bot/usecases/installs.py says what goes and what stays)."""

from __future__ import annotations

from slack_bolt import Ack, App, BoltContext

from bot.handlers.replying import Json, runtime_in
from bot.usecases import installs


def register(app: App) -> None:
    app.event("app_uninstalled")(app_uninstalled)
    app.event("tokens_revoked")(tokens_revoked)


def app_uninstalled(ack: Ack, body: Json, context: BoltContext) -> None:
    ack()
    installs.uninstalled(
        runtime_in(context), *_where(body, context), org_wide=bool(context.is_enterprise_install)
    )


def tokens_revoked(ack: Ack, body: Json, event: Json, context: BoltContext) -> None:
    ack()
    # Only the bot's token matters: Pyramid keeps no user tokens.
    if (event.get("tokens") or {}).get("bot"):
        installs.uninstalled(
            runtime_in(context),
            *_where(body, context),
            org_wide=bool(context.is_enterprise_install),
            bot_only=True,
        )


def _where(body: Json, context: BoltContext) -> tuple[str | None, str | None]:
    """The workspace (the envelope's team_id when Bolt's context has none) and the org."""
    team_id = context.team_id or body.get("team_id")
    return (str(team_id) if team_id else None), (
        str(context.enterprise_id) if context.enterprise_id else None
    )
