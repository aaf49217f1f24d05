"""A team's settings edited in Slack (`/pyramid settings`, the App Home's Settings button): only its
managers may (workspace admins and owners as Slack last told us, and the team's configured managers,
bot/services/managers.py). The form is checked before anything is stored; the save is one transaction
with who and when, and this process forgets its cached copy at once (others within
runtime.TEAM_CONFIG_MEMORY)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.domain.team_settings import SettingsDraft, TeamConfig, check_settings
from bot.runtime import Runtime
from bot.services import managers, team_settings
from bot.services.calendars import known_holiday_country
from bot.usecases.managing import NAMED_MANAGERS
from bot.usecases.managing_facts import NotAManager


@dataclass(frozen=True)
class SettingsSaved:
    config: TeamConfig
    channel_changed: bool


def may_edit(runtime: Runtime, team_id: str, user_id: str) -> NotAManager | None:
    """None when the user may change the team's settings; else who to ask."""
    configured = runtime.team_config(team_id).managers
    return runtime.query(lambda session: _refusal(session, team_id, user_id, configured))


def current(runtime: Runtime, team_id: str, user_id: str) -> TeamConfig | NotAManager:
    """What the settings modal is prefilled with: the values stored now (read afresh, not the cached
    copy, which another replica's save may have outdated)."""
    return may_edit(runtime, team_id, user_id) or runtime.query(
        lambda session: team_settings.load(session, runtime.settings, team_id)
    )


def save(runtime: Runtime, team_id: str, user_id: str, draft: SettingsDraft) -> SettingsSaved | NotAManager:
    """SettingsErrors (nothing stored) when a field is wrong; else stored, with who and when."""
    values = check_settings(draft, known_holiday_country)
    before = runtime.team_config(team_id)
    now = runtime.clock.now()

    def store(session: Session) -> NotAManager | None:
        # Checked again inside the transaction: a manager removed meanwhile stores nothing.
        if (refused := _refusal(session, team_id, user_id, before.managers)) is not None:
            return refused
        team_settings.save(session, team_id, values, user_id=user_id, now=now)
        return None

    refused = runtime.store(store)
    if refused is not None:
        return refused
    runtime.forget_team_config(team_id)
    after = runtime.team_config(team_id)
    return SettingsSaved(after, channel_changed=after.channel != before.channel)


def _refusal(session: Session, team_id: str, user_id: str, configured: frozenset[str]) -> NotAManager | None:
    if managers.is_manager(session, team_id, user_id, configured):
        return None
    known = managers.manager_ids(session, team_id, configured)
    return NotAManager(tuple(known[:NAMED_MANAGERS]), managers.admin_unknown(session, team_id, user_id))
