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


def locale_from_slack(slack_locale: str | None, default: str) -> Locale:
    """Slack gives locales like "ja-JP" or "en-US"; anything we do not speak falls back to the default."""
    if slack_locale:
        language = slack_locale.split("-")[0].lower()
        if language == "ja":
            return "ja"
        if language == "en":
            return "en"
    return "ja" if default == "ja" else "en"
