"""Every message the bot posts, in English and Japanese. `t(locale, key, **params)` looks one up."""

from __future__ import annotations

from typing import Literal

from bot.i18n import en, ja

Locale = Literal["en", "ja"]
LOCALES: tuple[Locale, ...] = ("en", "ja")
CATALOGUES: dict[str, dict[str, str]] = {"en": en.MESSAGES, "ja": ja.MESSAGES}


def t(locale: str, key: str, /, **params: object) -> str:
    catalogue = CATALOGUES.get(locale, en.MESSAGES)
    template = catalogue.get(key) or en.MESSAGES[key]
    return template.format(**params) if params else template


def period(locale: str, days: int, /) -> str:
    """A rule's number of days as the texts say it: whole years or weeks by that name ("a year", "1年",
    "2 weeks"), anything else in days. The texts take it as `{period}`, the rule stays in bot/domain."""
    for length, one, many in ((365, "period_year", "period_years"), (7, "period_week", "period_weeks")):
        if days >= length and days % length == 0:
            count = days // length
            return t(locale, one) if count == 1 else t(locale, many, count=count)
    return t(locale, "period_day") if days == 1 else t(locale, "period_days", count=days)


def locale_from_slack(slack_locale: str | None, default: str) -> Locale:
    """Slack gives locales like "ja-JP" or "en-US"; anything we do not speak falls back to the default."""
    if slack_locale:
        language = slack_locale.split("-")[0].lower()
        if language == "ja":
            return "ja"
        if language == "en":
            return "en"
    return "ja" if default == "ja" else "en"


def planned_action(locale: str, what: str) -> str:
    """What a follow-up read from plain words is for: the extraction names a planned action by its kind
    ("proposed", "visit"), said here in the reader's language; any other text is kept as written."""
    key = f"kind_{what}"
    return t(locale, key) if key in en.MESSAGES else what
