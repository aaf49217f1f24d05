"""Every setting Pyramid reads, validated once where it enters (environment and `.env`)."""

from __future__ import annotations

import re
from datetime import time
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain.lapse import LapseRules, parse_segment_lapse
from bot.domain.stages import DEFAULT_REPEATER_THRESHOLD
from bot.domain.status import DormantRules

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    # Many workspaces (OAuth): with these and no SLACK_BOT_TOKEN, each workspace installs the app through
    # /slack/install and its bot token is kept in the database (bot/installs.py).
    slack_client_id: str | None = None
    slack_client_secret: SecretStr | None = Field(default=None, validate_default=True)
    # The Redirect URL set in the Slack app (https://YOUR-HOST/slack/oauth_redirect); unset: Slack uses the
    # app's only one.
    slack_redirect_uri: str | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    # Not in repr: a PostgreSQL URL carries its password.
    database_url: str = Field(default="sqlite:///pyramid.db", repr=False)
    port: int = Field(default=3000, ge=1, le=65535)
    pyramid_team_channel: str | None = None
    pyramid_locale: Literal["en", "ja"] = "en"
    pyramid_digest_time: time = time(9, 0)
    pyramid_timezone: str = "Asia/Tokyo"
    # The method's "three or more deals", never lower (domain.stages).
    pyramid_repeater_threshold: int = Field(
        default=DEFAULT_REPEATER_THRESHOLD, ge=DEFAULT_REPEATER_THRESHOLD, le=50
    )
    pyramid_run_scheduler: bool = True
    # PostgreSQL: apply migrations when a process starts (under an advisory lock, so replicas started
    # together migrate once); off: a process on an out-of-date schema refuses to start.
    pyramid_migrate_on_start: bool = False
    # `text` lines for a terminal, or `json`: one object per line (time, level, name, message).
    pyramid_log_format: Literal["text", "json"] = "text"
    # Threads that answer Slack's requests in `serve` (each stores before it acks, so this also bounds
    # concurrent writes); after-work runs on its own pool (bot/runtime.py).
    pyramid_http_threads: int = Field(default=16, ge=1, le=256)
    # A rep's App Home is rebuilt this many seconds after their action, once for a burst of actions.
    pyramid_home_refresh_delay: float = Field(default=2.0, ge=0, le=60)
    # Follow-ups the method schedules by itself; each can be turned off.
    pyramid_followup_after_sale: bool = True
    pyramid_followup_revisit: bool = True
    pyramid_followup_after_trouble: bool = True
    # Digests skip weekends and this country's public holidays ("" = none).
    pyramid_holiday_country: str = "JP"
    pyramid_working_days: str = "mon,tue,wed,thu,fri"
    # The weekly team summary: day and local time in PYRAMID_TIMEZONE.
    pyramid_summary_day: str = "mon"
    pyramid_summary_time: time = time(9, 0)
    # Stage announcements one by one (false) or gathered into one message per hour and team (true).
    pyramid_announce_hourly: bool = False
    # The end-of-day DM "anything to log from today?" (issue 14): off unless turned on; each rep's
    # own local time, on working days.
    pyramid_evening_prompt: bool = False
    pyramid_evening_time: time = time(18, 0)
    # Managers besides the workspace's admins and owners (SPEC §2 corrections, §5 escalation): Slack user
    # ids separated by commas, e.g. "U0MGR1,U0MGR2".
    pyramid_managers: str = ""
    # Days without a touch after which an account leaves the pyramid as dormant (SPEC §2 "Status").
    pyramid_dormant_days_acquaintance: int = Field(default=365, ge=1, le=3650)
    pyramid_dormant_days_prospect: int = Field(default=180, ge=1, le=3650)
    pyramid_dormant_days_customer: int = Field(default=90, ge=1, le=3650)
    pyramid_dormant_days_repeater: int = Field(default=90, ge=1, le=3650)
    # Segments whose accounts are nudged on other days than the defaults (domain.lapse.SegmentLapse):
    # "strategic=prospect:20,customer:45;skeptic=customer:120"; "" = every segment alike.
    pyramid_segment_lapse_days: str = ""

    @field_validator("pyramid_segment_lapse_days")
    @classmethod
    def _segment_lapse(cls, value: str) -> str:
        parse_segment_lapse(value)  # a ValueError says what is wrong, with an example
        return value.strip()

    @property
    def lapse_rules(self) -> LapseRules:
        """The lapse rules with the segments' own days: one value of a domain type."""
        return LapseRules(by_segment=parse_segment_lapse(self.pyramid_segment_lapse_days))

    @field_validator("slack_client_secret")
    @classmethod
    def _client_id_and_secret_together(
        cls, value: SecretStr | None, info: ValidationInfo
    ) -> SecretStr | None:
        # One without the other would silently leave the bot in single-token mode (or in the console).
        if (value is None) != (info.data.get("slack_client_id") is None):
            raise ValueError("set SLACK_CLIENT_ID and SLACK_CLIENT_SECRET together (the app's credentials)")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        # slack_sdk joins method names onto base_url, which therefore must end with "/".
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("pyramid_digest_time", "pyramid_summary_time", "pyramid_evening_time", mode="before")
    @classmethod
    def _parse_hh_mm(cls, value: object) -> object:
        if isinstance(value, str):
            match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
            if not match or int(match[1]) > 23 or int(match[2]) > 59:
                raise ValueError("must be HH:MM, for example 09:00")
            return time(int(match[1]), int(match[2]))
        return value

    @field_validator("pyramid_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Tokyo") from None
        return value

    @field_validator("pyramid_working_days")
    @classmethod
    def _weekday_names(cls, value: str) -> str:
        names = [name.strip().lower()[:3] for name in value.split(",") if name.strip()]
        unknown = [name for name in names if name not in WEEKDAY_NAMES]
        if unknown or not names:
            raise ValueError("must be weekday names separated by commas, for example mon,tue,wed,thu,fri")
        return ",".join(names)

    @field_validator("pyramid_summary_day")
    @classmethod
    def _one_weekday(cls, value: str) -> str:
        name = value.strip().lower()[:3]
        if name not in WEEKDAY_NAMES:
            raise ValueError("must be a weekday name such as mon")
        return name

    @property
    def summary_weekday(self) -> int:
        return WEEKDAY_NAMES.index(self.pyramid_summary_day)

    @field_validator("pyramid_holiday_country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        value = value.strip().upper()
        if value:
            # The registry's codes (aliases such as UK included), as list_supported_countries gives
            # them without importing every country's calendar (about 280 modules, 8 MiB at start).
            from holidays.registry import EntityLoader

            if value not in set(EntityLoader.get_country_codes()):
                raise ValueError(f"no public holiday calendar for {value!r}; use a code such as JP or US")
        return value

    @property
    def working_weekdays(self) -> frozenset[int]:
        return frozenset(WEEKDAY_NAMES.index(name) for name in self.pyramid_working_days.split(","))

    @field_validator("database_url")
    @classmethod
    def _driver_for_url(cls, value: str) -> str:
        return sqlalchemy_url(value)

    @property
    def managers(self) -> frozenset[str]:
        return frozenset(part.strip() for part in self.pyramid_managers.split(",") if part.strip())

    @property
    def dormant_rules(self) -> DormantRules:
        return DormantRules(
            acquaintance_days=self.pyramid_dormant_days_acquaintance,
            prospect_days=self.pyramid_dormant_days_prospect,
            customer_days=self.pyramid_dormant_days_customer,
            repeater_days=self.pyramid_dormant_days_repeater,
        )

    @property
    def has_slack_tokens(self) -> bool:
        """Enough to answer Slack: one bot token, or the OAuth credentials (each workspace's own token)."""
        return self.slack_signing_secret is not None and (self.slack_bot_token is not None or self.oauth_mode)

    @property
    def oauth_mode(self) -> bool:
        """Many workspaces: the app's client id and secret, and no single bot token (which would win)."""
        return (
            self.slack_bot_token is None
            and self.slack_client_id is not None
            and self.slack_client_secret is not None
        )

    @property
    def can_post(self) -> bool:
        """Jobs and the CLI can reach Slack: one bot token, or installations in the database."""
        return self.slack_bot_token is not None or self.oauth_mode

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.pyramid_timezone)


def sqlalchemy_url(url: str) -> str:
    """Hosting providers hand out `postgres://` or `postgresql://`; SQLAlchemy needs the driver named."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    if url.startswith(("sqlite:", "postgresql+")):
        return url
    raise ValueError("must be a sqlite:/// or postgresql:// URL")


class SettingsError(SystemExit):
    """Raised at start-up with a readable list of what is wrong in the configuration."""


def load_settings(**overrides: object) -> Settings:
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        lines = ["Pyramid cannot start: the configuration is not valid."]
        for problem in error.errors():
            name = ".".join(str(part) for part in problem["loc"]).upper()
            lines.append(f"  {name}: {problem['msg']}")
        raise SettingsError("\n".join(lines)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return load_settings()
