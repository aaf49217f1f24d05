"""Which bot token speaks for which workspace: one `SLACK_BOT_TOKEN` for every team (single-token mode,
the default), or each workspace's own, stored when it installed the app through Slack's OAuth flow
(`SLACK_CLIENT_ID` and `SLACK_CLIENT_SECRET` with no `SLACK_BOT_TOKEN`).

The installations live in our database, in the tables slack_sdk's SQLAlchemy stores read and write
(`slack_installations`, `slack_bots`, `slack_oauth_states`), created by migration 0017 and never by the
stores themselves. An Enterprise Grid org-wide install is one row keyed by the enterprise id (its team id
is empty); which workspaces belong to such an org is learnt from their requests and kept in
`slack_org_workspaces`, so that the jobs, which start from a workspace's data, find the org's token.

`TeamClients.client_for` is the one place a job (or the CLI) gets the client that posts for a team.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from slack_sdk import WebClient

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database

if TYPE_CHECKING:
    # slack_sdk's stores import sqlalchemy.ext.asyncio (about 0.2 s): loaded in OAuth mode only.
    from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

log = logging.getLogger(__name__)

# The bot scopes the app asks for when a workspace installs it; manifest.yml lists the same ones
# (tests/unit/test_manifest.py checks that the two agree).
BOT_SCOPES = (
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    "users:read",
    "users:read.email",
    "files:write",
    "channels:read",
    "channels:join",
    "im:history",
    "channels:history",
    "groups:history",
    "app_mentions:read",
)
# A process remembers a team's token this long (an uninstall seen by another replica is then noticed
# within it; one seen here is forgotten at once).
TOKEN_MEMORY = timedelta(minutes=5)

# Which org each workspace seen through an org-wide install belongs to (ours; the stores' own tables
# are in bot/oauth_stores.py, loaded only when they are used).
metadata = sa.MetaData()
org_workspaces = sa.Table(
    "slack_org_workspaces",
    metadata,
    sa.Column("team_id", sa.String(32), primary_key=True),
    sa.Column("enterprise_id", sa.String(32), nullable=False),
)


class TeamClients:
    """The client that posts for a team, outside any request (jobs, the delivery sweep, the CLI)."""

    def __init__(self, settings: Settings, db: Database, clock: Clock) -> None:
        self.settings = settings
        self.db = db
        self.clock = clock
        self.oauth = settings.oauth_mode
        self.store: SQLAlchemyInstallationStore | None = None
        if self.oauth:
            from bot.oauth_stores import installation_store

            self.store = installation_store(str(settings.slack_client_id), db.engine)
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[datetime, str | None]] = {}
        self._known_workspaces: set[tuple[str, str]] = set()

    # ------------------------------------------------------------------ tokens
    def token_for(self, team_id: str, enterprise_id: str | None = None) -> str | None:
        """The bot token that speaks for `team_id` (None: not installed). Never logged."""
        if not self.oauth:
            single = self.settings.slack_bot_token
            return single.get_secret_value() if single else None
        now = self.clock.now()
        with self._lock:
            cached = self._tokens.get(team_id)
        if cached is not None and now - cached[0] < TOKEN_MEMORY:
            return cached[1]
        token = self._stored_token(team_id, enterprise_id)
        with self._lock:
            self._tokens[team_id] = (now, token)
        return token

    def _stored_token(self, team_id: str, enterprise_id: str | None) -> str | None:
        """The latest bot token of the workspace's own install, else of its org's org-wide install. Read
        on the read engine: jobs ask inside their own transactions, which on SQLite hold the write lock."""
        from bot.oauth_stores import bots

        column = bots.c
        latest = (
            sa.select(column.bot_token)
            .where(column.client_id == self.settings.slack_client_id, column.bot_token.is_not(None))
            .order_by(column.installed_at.desc())
            .limit(1)
        )
        with self.db.read_engine.connect() as connection:
            own = connection.scalar(latest.where(column.team_id == team_id))
            if own is not None:
                return str(own)
            org = enterprise_id or connection.scalar(
                sa.select(org_workspaces.c.enterprise_id).where(org_workspaces.c.team_id == team_id)
            )
            if org is None:
                return None
            found = connection.scalar(
                latest.where(
                    column.enterprise_id == org,
                    column.team_id.is_(None),
                    column.is_enterprise_install.is_(True),
                )
            )
        return str(found) if found is not None else None

    def client_for(
        self, team_id: str, enterprise_id: str | None = None, *, like: WebClient | None = None
    ) -> WebClient | None:
        """A client with the team's token, or None when the team has no installation. `like` lends its
        URL, timeout and retry handlers (the jobs' client); in single-token mode it is returned as is."""
        if not self.oauth and like is not None:
            return like
        token = self.token_for(team_id, enterprise_id)
        if token is None:
            return None
        if like is None:
            return WebClient(token=token, base_url=self.settings.slack_api_url)
        return WebClient(
            token=token,
            base_url=like.base_url,
            timeout=like.timeout,
            retry_handlers=list(like.retry_handlers),
        )

    # ------------------------------------------------------------------ which teams
    def installed(self, team_ids: list[str]) -> list[str]:
        """Those of `team_ids` (the teams with data) the jobs serve: all of them with one token; with
        OAuth, those with an installation (an uninstalled team's data stays, its jobs stop)."""
        if not self.oauth:
            return team_ids
        return [team_id for team_id in team_ids if self.token_for(team_id) is not None]

    def remember_workspace(self, team_id: str, enterprise_id: str) -> None:
        """A request from `team_id` came through the org-wide install of `enterprise_id`: remembered, so
        that jobs starting from the workspace's data find the org's token. Written once per process."""
        key = (team_id, enterprise_id)
        with self._lock:
            if key in self._known_workspaces:
                return
        with self.db.engine.begin() as connection:
            known = connection.scalar(
                sa.select(org_workspaces.c.enterprise_id).where(org_workspaces.c.team_id == team_id)
            )
            if known is None:
                connection.execute(
                    sa.insert(org_workspaces).values(team_id=team_id, enterprise_id=enterprise_id)
                )
            elif known != enterprise_id:
                connection.execute(
                    sa.update(org_workspaces)
                    .where(org_workspaces.c.team_id == team_id)
                    .values(enterprise_id=enterprise_id)
                )
        with self._lock:
            self._known_workspaces.add(key)
            self._tokens.pop(team_id, None)

    def forget_token(self, team_id: str) -> None:
        with self._lock:
            self._tokens.pop(team_id, None)

    def workspaces_of(self, enterprise_id: str) -> list[str]:
        with self.db.read_engine.connect() as connection:
            return list(
                connection.scalars(
                    sa.select(org_workspaces.c.team_id).where(org_workspaces.c.enterprise_id == enterprise_id)
                )
            )

    # ------------------------------------------------------------------ leaving
    def forget(self, team_id: str | None, enterprise_id: str | None, *, bot_only: bool = False) -> None:
        """The app was uninstalled (or its bot token revoked) there: its installation rows go (the bot's
        only, with `bot_only`), and this process forgets the token at once."""
        if self.store is not None:
            self.store.delete_bot(enterprise_id=enterprise_id, team_id=team_id)
            if not bot_only:
                self.store.delete_installation(enterprise_id=enterprise_id, team_id=team_id)
        with self._lock:
            if team_id is not None:
                self._tokens.pop(team_id, None)
            else:
                self._tokens.clear()  # an org's install: its workspaces are not all known here


def delete_team_installs(connection: sa.Connection, team_id: str) -> int:
    """`pyramid-bot team delete`: the team's installation rows, in the caller's transaction (an org-wide
    install is the org's, not the team's: only the team's place in it goes)."""
    from bot.oauth_stores import bots, installations

    removed = 0
    for table in (bots, installations, org_workspaces):
        result = connection.execute(sa.delete(table).where(table.c.team_id == team_id))
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


def count_team_installs(connection: sa.Connection, team_id: str) -> dict[str, int]:
    from bot.oauth_stores import bots, installations

    return {
        table.name: int(
            connection.scalar(sa.select(sa.func.count()).select_from(table).where(table.c.team_id == team_id))
            or 0
        )
        for table in (installations, bots, org_workspaces)
    }
