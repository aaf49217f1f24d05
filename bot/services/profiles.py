"""Who is asking: a user's language and time zone, from Slack's users.info, cached for a day."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db import Database
from bot.i18n import Locale, locale_from_slack
from bot.models import SlackUser

log = logging.getLogger(__name__)
MAX_AGE = timedelta(hours=24)

# Returns Slack's `user` object (users.info) or None when Slack cannot tell.
FetchUser = Callable[[str], Mapping[str, Any] | None]


@dataclass(frozen=True)
class Profile:
    user_id: str
    locale: Locale
    zone: ZoneInfo
    name: str | None
    # False: the look-up did not finish in time (Slack is slow to answer about a user never seen
    # before), so `zone` and `locale` are the team's for now. Good enough to answer in; not to date a
    # record with: the rep's day may not be the team's. (When Slack has answered that it cannot tell,
    # as for some Slack Connect guests, the team's defaults are the answer, and `known` is True.)
    known: bool = True


def fallback_profile(
    user_id: str, default_locale: str, default_zone: ZoneInfo, *, known: bool = False
) -> Profile:
    """Who is asking when neither the cache nor Slack can tell: the team's defaults."""
    return Profile(user_id, locale_from_slack(None, default_locale), default_zone, None, known=known)


def look_up(
    db: Database,
    team_id: str,
    user_id: str,
    *,
    now: datetime,
    fetch: FetchUser,
    default_locale: str,
    default_zone: ZoneInfo,
    answer: Callable[[Profile], None],
    stale_is_enough: bool,
    cached: Callable[[], None] = lambda: None,
    refresh_later: Callable[[Callable[[], object]], None] | None = None,
) -> None:
    """Hands the user's profile to `answer` as soon as it is known, then brings the cache up to date.

    The cached profile answers when it is less than a day old, or (`stale_is_enough`: a request, which
    has an ack to meet) at any age: a zone or language rarely changes overnight, and Slack is asked
    after the answer (on other threads, by `refresh_later`, when given). Otherwise Slack's users.info
    answers, and is cached after the answer: a slow write (SQLite's single writer busy) never makes
    the user wait. `cached` is called once the stored row says what the answer said (what a manager's
    check in the same request then reads)."""
    with db.read() as session:
        row = session.scalar(
            select(SlackUser).where(SlackUser.team_id == team_id, SlackUser.user_id == user_id)
        )
    fresh = row is not None and now - row.fetched_at <= MAX_AGE
    if row is not None and (fresh or stale_is_enough):
        answer(_profile(user_id, row.locale, row.tz, row.name, default_locale, default_zone))
        cached()
        if fresh:
            return
        if refresh_later is not None:  # Slack is asked on other threads, freeing this one for the next
            refresh_later(lambda: refresh(db, team_id, user_id, now=now, fetch=fetch))
            return
    # Slack is called outside any transaction so that a slow answer holds no database lock.
    user = fetch(user_id)
    if user is None:
        answer(
            _profile(user_id, row.locale, row.tz, row.name, default_locale, default_zone)
            if row is not None
            else fallback_profile(user_id, default_locale, default_zone, known=True)
        )
        cached()
        return
    answer(
        _profile(
            user_id,
            user.get("locale") or (row.locale if row else None),
            user.get("tz") or (row.tz if row else None),
            _name(user) or (row.name if row else None),
            default_locale,
            default_zone,
        )
    )
    _store(db, team_id, user_id, user, now)
    cached()


def _profile(
    user_id: str,
    locale: str | None,
    tz: str | None,
    name: str | None,
    default_locale: str,
    default_zone: ZoneInfo,
) -> Profile:
    return Profile(user_id, locale_from_slack(locale, default_locale), _zone(tz, default_zone), name)


def _name(user: Mapping[str, Any]) -> str | None:
    name = user.get("real_name") or user.get("name")
    return str(name)[:120] if name else None


def refresh(db: Database, team_id: str, user_id: str, *, now: datetime, fetch: FetchUser) -> bool:
    """Asks Slack about the user now, whatever the cache's age (a manager's check that found no admin
    flag cached); True when Slack answered and the answer is cached."""
    user = fetch(user_id)
    return user is not None and _store(db, team_id, user_id, user, now)


def _store(db: Database, team_id: str, user_id: str, user: Mapping[str, Any], now: datetime) -> bool:
    """Caches Slack's answer about the user; False only when the database did not take it."""
    for last_try in (False, True):
        try:
            with db.transaction() as session:
                row = session.get(SlackUser, (team_id, user_id)) or SlackUser(
                    team_id=team_id, user_id=user_id
                )
                row.name = _name(user)
                row.locale = str(user["locale"])[:16] if user.get("locale") else row.locale
                row.tz = str(user["tz"])[:64] if user.get("tz") else row.tz
                if "is_admin" in user or "is_owner" in user:
                    row.is_admin = bool(
                        user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner")
                    )
                row.fetched_at = now
                session.add(row)
            return True
        except IntegrityError:
            # Another request cached the same user a moment ago: the row is there now, and is
            # brought up to date with this answer (which may be the one that knows the admin flag).
            log.debug("profile of %s cached concurrently", user_id)
            if last_try:
                return False
    return False


def _zone(name: str | None, default: ZoneInfo) -> ZoneInfo:
    if not name:
        return default
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return default


def locale_in(session: Session, team_id: str, user_id: str, default: str) -> Locale:
    """The user's cached language, read in the caller's transaction (no Slack call)."""
    locale = session.scalar(
        select(SlackUser.locale).where(SlackUser.team_id == team_id, SlackUser.user_id == user_id)
    )
    return locale_from_slack(locale, default)


def cached_locale(db: Database, team_id: str, user_id: str, default: str) -> Locale:
    with db.read() as session:
        locale = session.scalar(
            select(SlackUser.locale).where(SlackUser.team_id == team_id, SlackUser.user_id == user_id)
        )
    return locale_from_slack(locale, default)
