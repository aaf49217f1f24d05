"""Each team's settings, read and written: the team's row of `team_settings` over the environment's
defaults (bot/config.py `Settings`). `Runtime.team_config(team_id)` is the one way the rest of Pyramid
reads them (cached per team there); `save` is what the settings modal stores."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.config import Settings
from bot.domain.team_settings import TeamConfig, TeamOverrides, overlay, weekdays_of, weekdays_text
from bot.models import TeamSettings


def defaults(settings: Settings, team_id: str) -> TeamConfig:
    """What a team that never set anything runs with: the environment variables."""
    return TeamConfig(
        team_id=team_id,
        channel=settings.pyramid_team_channel or None,
        locale=settings.pyramid_locale,
        timezone=settings.pyramid_timezone,
        digest_time=settings.pyramid_digest_time,
        working_days=settings.working_weekdays,
        holiday_country=settings.pyramid_holiday_country,
        summary_weekday=settings.summary_weekday,
        summary_time=settings.pyramid_summary_time,
        dormant_rules=settings.dormant_rules,
        lapse_rules=settings.lapse_rules,
        managers=settings.managers,
        evening_prompt=settings.pyramid_evening_prompt,
        evening_time=settings.pyramid_evening_time,
        announce_hourly=settings.pyramid_announce_hourly,
    )


def resolve(settings: Settings, team_id: str, stored: TeamOverrides | None) -> TeamConfig:
    """The team's stored values over the defaults (None: nothing stored)."""
    base = defaults(settings, team_id)
    return base if stored is None else overlay(base, stored)


def load(session: Session, settings: Settings, team_id: str) -> TeamConfig:
    return resolve(settings, team_id, stored(session, team_id))


def stored(session: Session, team_id: str) -> TeamOverrides | None:
    row = session.get(TeamSettings, team_id)
    if row is None:
        return None
    return TeamOverrides(
        channel=row.channel,
        locale=row.locale,
        timezone=row.timezone,
        digest_time=row.digest_time,
        working_days=weekdays_of(row.working_days) if row.working_days is not None else None,
        holiday_country=row.holiday_country,
        summary_weekday=row.summary_weekday,
        summary_time=row.summary_time,
        dormant_acquaintance=row.dormant_acquaintance,
        dormant_prospect=row.dormant_prospect,
        dormant_customer=row.dormant_customer,
        dormant_repeater=row.dormant_repeater,
        managers=frozenset(filter(None, row.managers.split(","))) if row.managers is not None else None,
        evening_prompt=row.evening_prompt,
        segment_lapse=row.segment_lapse_days,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def save(session: Session, team_id: str, values: TeamOverrides, *, user_id: str, now: datetime) -> None:
    """Stores the team's settings (every field of the form) with who and when, in the caller's
    transaction. The row is locked first, so two admins saving at once store one after the other."""
    row = session.get(TeamSettings, team_id, with_for_update=True)
    if row is None:
        row = TeamSettings(team_id=team_id, updated_at=now, updated_by=user_id)
        session.add(row)
    row.channel = values.channel
    row.locale = values.locale
    row.timezone = values.timezone
    row.digest_time = values.digest_time
    row.working_days = weekdays_text(values.working_days) if values.working_days is not None else None
    row.holiday_country = values.holiday_country
    row.summary_weekday = values.summary_weekday
    row.summary_time = values.summary_time
    row.dormant_acquaintance = values.dormant_acquaintance
    row.dormant_prospect = values.dormant_prospect
    row.dormant_customer = values.dormant_customer
    row.dormant_repeater = values.dormant_repeater
    row.managers = ",".join(sorted(values.managers)) if values.managers is not None else None
    row.evening_prompt = values.evening_prompt
    row.segment_lapse_days = values.segment_lapse
    row.updated_at = now
    row.updated_by = user_id
