"""What every surface (Slack handlers, console, jobs, CLI) shares: settings, database, clock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.db import Database
from bot.services.followups import AutoFollowups
from bot.services.profiles import Profile, profile_for

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class Runtime:
    settings: Settings
    db: Database
    clock: Clock

    def transaction(self, work: Callable[[Session], T]) -> T:
        """Runs `work` in one transaction. A uniqueness clash (two deliveries of one request racing,
        two people creating one account) is retried once: the second run then sees the first's row."""
        try:
            with self.db.transaction() as session:
                return work(session)
        except IntegrityError:
            log.info("uniqueness clash; retrying the unit of work once")
            with self.db.transaction() as session:
                return work(session)

    def auto_followups(self) -> AutoFollowups:
        return AutoFollowups(
            after_sale=self.settings.pyramid_followup_after_sale,
            revisit=self.settings.pyramid_followup_revisit,
            recovery=self.settings.pyramid_followup_after_trouble,
        )

    def profile(self, client: WebClient, team_id: str, user_id: str) -> Profile:
        def fetch(uid: str) -> dict[str, Any] | None:
            try:
                response = client.users_info(user=uid, include_locale=True)
            except SlackApiError as error:
                log.warning("users.info failed for %s: %s", uid, error.response.get("error"))
                return None
            user = response.get("user")
            return user if isinstance(user, dict) else None

        return profile_for(
            self.db,
            team_id,
            user_id,
            now=self.clock.now(),
            fetch=fetch,
            default_locale=self.settings.pyramid_locale,
            default_zone=self.settings.zone,
        )
