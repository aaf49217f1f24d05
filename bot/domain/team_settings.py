"""A team's settings (issue 15): what a workspace admin may set for their own team in Slack, the
checks of a submitted settings form, and the one shape every job and reply reads (`TeamConfig`).

Environment variables (bot/config.py) are only the defaults: a team's stored value, when there is one,
wins (bot/services/team_settings.py resolves the two). Pure: no I/O, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from functools import partial
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.lapse import MAX_LAPSE_DAYS, LapseRules, parse_segment_lapse
from bot.domain.parsing import ParseError
from bot.domain.status import DormantRules

T = TypeVar("T")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOCALES = ("en", "ja")
# The dormant thresholds an admin may set, in days (the same bounds as PYRAMID_DORMANT_DAYS_*).
DORMANT_MIN, DORMANT_MAX = 1, 3650
# The modal offers these zones; a team's current zone is offered too when it is not among them.
COMMON_ZONES = (
    "Asia/Tokyo",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Asia/Taipei",
    "Asia/Hong_Kong",
    "Asia/Singapore",
    "Asia/Bangkok",
    "Asia/Jakarta",
    "Asia/Manila",
    "Asia/Kolkata",
    "Asia/Dubai",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Europe/London",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Amsterdam",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "UTC",
)
# The form's fields, named as the modal's blocks are (bot/interactions.py): a refusal points at one.
DORMANT_FIELDS = ("dormant_acquaintance", "dormant_prospect", "dormant_customer", "dormant_repeater")


@dataclass(frozen=True)
class TeamConfig:
    """One team's settings as every surface reads them: its stored values over the defaults."""

    team_id: str
    channel: str | None
    locale: str
    timezone: str
    digest_time: time
    working_days: frozenset[int]  # 0 = Monday
    holiday_country: str  # "" = no public holidays
    summary_weekday: int
    summary_time: time
    dormant_rules: DormantRules
    lapse_rules: LapseRules  # with the segments' own nudge days
    managers: frozenset[str]  # besides the workspace's admins and owners
    evening_prompt: bool
    evening_time: time
    announce_hourly: bool
    updated_at: datetime | None = None  # None: never set in Slack, every value is a default
    updated_by: str | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


@dataclass(frozen=True)
class TeamOverrides:
    """What a team stored; None is "use the default". The row of `team_settings`, as plain values."""

    channel: str | None = None
    locale: str | None = None
    timezone: str | None = None
    digest_time: time | None = None
    working_days: frozenset[int] | None = None
    holiday_country: str | None = None
    summary_weekday: int | None = None
    summary_time: time | None = None
    dormant_acquaintance: int | None = None
    dormant_prospect: int | None = None
    dormant_customer: int | None = None
    dormant_repeater: int | None = None
    managers: frozenset[str] | None = None
    evening_prompt: bool | None = None
    segment_lapse: str | None = None  # as PYRAMID_SEGMENT_LAPSE_DAYS ("" = no segment has its own days)
    updated_at: datetime | None = None
    updated_by: str | None = None


def overlay(defaults: TeamConfig, stored: TeamOverrides) -> TeamConfig:
    """The team's stored values over the defaults, field by field."""

    def pick(value: T | None, default: T) -> T:
        return default if value is None else value

    rules = defaults.dormant_rules
    return TeamConfig(
        team_id=defaults.team_id,
        channel=stored.channel or defaults.channel,
        locale=pick(stored.locale, defaults.locale),
        timezone=pick(stored.timezone, defaults.timezone),
        digest_time=pick(stored.digest_time, defaults.digest_time),
        working_days=pick(stored.working_days, defaults.working_days),
        holiday_country=pick(stored.holiday_country, defaults.holiday_country),
        summary_weekday=pick(stored.summary_weekday, defaults.summary_weekday),
        summary_time=pick(stored.summary_time, defaults.summary_time),
        dormant_rules=DormantRules(
            acquaintance_days=pick(stored.dormant_acquaintance, rules.acquaintance_days),
            prospect_days=pick(stored.dormant_prospect, rules.prospect_days),
            customer_days=pick(stored.dormant_customer, rules.customer_days),
            repeater_days=pick(stored.dormant_repeater, rules.repeater_days),
        ),
        lapse_rules=(
            defaults.lapse_rules
            if stored.segment_lapse is None
            else LapseRules(by_segment=parse_segment_lapse(stored.segment_lapse))
        ),
        managers=pick(stored.managers, defaults.managers),
        evening_prompt=pick(stored.evening_prompt, defaults.evening_prompt),
        evening_time=defaults.evening_time,
        announce_hourly=defaults.announce_hourly,
        updated_at=stored.updated_at,
        updated_by=stored.updated_by,
    )


# ---------------------------------------------------------------------------------- the form's checks


@dataclass(frozen=True)
class SettingsDraft:
    """The settings form as submitted (Slack's values, unchecked: they come from the client)."""

    channel: str | None
    locale: str | None
    timezone: str | None
    digest_time: str | None  # "HH:MM"
    working_days: tuple[str, ...]
    holiday_country: str | None
    summary_day: str | None
    summary_time: str | None
    dormant: tuple[str | None, str | None, str | None, str | None]  # acquaintance … repeater
    managers: tuple[str, ...]
    evening_prompt: bool
    segment_lapse: str | None = None  # "strategic=prospect:20,customer:45;…"; empty: none


class SettingsErrors(ParseError):
    """Every problem of the form at once, by field (the modal shows each under its input)."""

    def __init__(self, errors: dict[str, ParseError]) -> None:
        first = next(iter(errors.values()))
        super().__init__(first.code, **first.params)
        self.errors = errors


_CHANNEL = re.compile(r"[CG][A-Z0-9]{2,30}")
_USER = re.compile(r"[UW][A-Z0-9]{2,30}")
_HH_MM = re.compile(r"(\d{1,2}):(\d{2})")


def check_settings(draft: SettingsDraft, known_country: Callable[[str], bool]) -> TeamOverrides:
    """The form's values as what a team stores, or SettingsErrors naming each bad field."""
    errors: dict[str, ParseError] = {}

    def check(name: str, read: Callable[[], T]) -> T | None:
        try:
            return read()
        except ParseError as error:
            errors[name] = error
            return None

    channel = check("channel", lambda: _channel(draft.channel))
    locale = check("locale", lambda: _choice(draft.locale, LOCALES, "settings_bad_locale"))
    zone = check("timezone", lambda: _zone(draft.timezone))
    digest_time = check("digest_time", lambda: _time(draft.digest_time))
    working = check("working_days", lambda: _weekdays(draft.working_days))
    country = check("holiday_country", lambda: _country(draft.holiday_country, known_country))
    summary_day = check("summary_day", lambda: _weekday(draft.summary_day))
    summary_time = check("summary_time", lambda: _time(draft.summary_time))
    dormant = [
        check(name, partial(_days, raw)) for name, raw in zip(DORMANT_FIELDS, draft.dormant, strict=True)
    ]
    managers = check("managers", lambda: _users(draft.managers))
    segment_lapse = check("segment_lapse", lambda: _segment_lapse(draft.segment_lapse))
    if errors:
        raise SettingsErrors(errors)
    return TeamOverrides(
        channel=channel,
        locale=locale,
        timezone=zone,
        digest_time=digest_time,
        working_days=working,
        holiday_country=country,
        summary_weekday=summary_day,
        summary_time=summary_time,
        dormant_acquaintance=dormant[0],
        dormant_prospect=dormant[1],
        dormant_customer=dormant[2],
        dormant_repeater=dormant[3],
        managers=managers,
        evening_prompt=draft.evening_prompt,
        segment_lapse=segment_lapse,
    )


def _channel(value: str | None) -> str | None:
    if not value:
        return None  # no channel chosen: the default (PYRAMID_TEAM_CHANNEL) stays
    if not _CHANNEL.fullmatch(value):
        raise ParseError("settings_bad_channel")
    return value


def _choice(value: str | None, allowed: tuple[str, ...], code: str) -> str:
    if value not in allowed:
        raise ParseError(code)
    assert value is not None
    return value


def _zone(value: str | None) -> str:
    try:
        ZoneInfo(value or "")
    except (ZoneInfoNotFoundError, ValueError):
        raise ParseError("settings_bad_timezone") from None
    assert value is not None
    return value


def _time(value: str | None) -> time:
    match = _HH_MM.fullmatch((value or "").strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ParseError("settings_bad_time")
    return time(int(match[1]), int(match[2]))


def _weekday(value: str | None) -> int:
    if value not in WEEKDAYS:
        raise ParseError("settings_bad_weekday")
    return WEEKDAYS.index(value)


def _weekdays(values: tuple[str, ...]) -> frozenset[int]:
    if not values or any(value not in WEEKDAYS for value in values):
        raise ParseError("settings_no_working_day")
    return frozenset(WEEKDAYS.index(value) for value in values)


def _country(value: str | None, known: Callable[[str], bool]) -> str:
    code = (value or "").strip().upper()
    if code and not known(code):
        raise ParseError("settings_bad_country", country=code[:10])
    return code


def _days(value: str | None) -> int:
    text = (value or "").strip().translate(_FULL_WIDTH_DIGITS)
    if not text.isascii() or not text.isdigit() or not DORMANT_MIN <= int(text) <= DORMANT_MAX:
        raise ParseError("settings_bad_days", low=DORMANT_MIN, high=DORMANT_MAX)
    return int(text)


def _segment_lapse(value: str | None) -> str:
    text = (value or "").strip()
    try:
        parse_segment_lapse(text)
    except ValueError:
        raise ParseError("settings_bad_segment_lapse", low=1, high=MAX_LAPSE_DAYS) from None
    return text


def _users(values: tuple[str, ...]) -> frozenset[str]:
    if any(not _USER.fullmatch(value) for value in values):
        raise ParseError("settings_bad_user")
    return frozenset(values)


_FULL_WIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


def weekdays_text(days: frozenset[int]) -> str:
    """Working days as stored: "mon,tue,wed,thu,fri"."""
    return ",".join(WEEKDAYS[day] for day in sorted(days))


def weekdays_of(text: str) -> frozenset[int]:
    return frozenset(WEEKDAYS.index(name) for name in text.split(",") if name in WEEKDAYS)
