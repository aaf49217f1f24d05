"""Every setting Pyramid reads, validated once where it enters (environment and `.env`)."""

from __future__ import annotations

import re
from datetime import time
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SLACK_API_URL = "https://slack.com/api/"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = "sqlite:///pyramid.db"
    port: int = Field(default=3000, ge=1, le=65535)
    pyramid_team_channel: str | None = None
    pyramid_locale: Literal["en", "ja"] = "en"
    pyramid_digest_time: time = time(9, 0)
    pyramid_timezone: str = "Asia/Tokyo"
    pyramid_repeater_threshold: int = Field(default=3, ge=3, le=50)
    pyramid_run_scheduler: bool = True

    @field_validator("slack_api_url")
    @classmethod
    def _api_url_ends_with_slash(cls, value: str) -> str:
        # slack_sdk joins method names onto base_url, which therefore must end with "/".
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("pyramid_digest_time", mode="before")
    @classmethod
    def _parse_hh_mm(cls, value: object) -> object:
        if isinstance(value, str) and not re.fullmatch(r"\d{1,2}:\d{2}", value.strip()):
            raise ValueError("must be HH:MM, for example 09:00")
        return value

    @field_validator("pyramid_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as Asia/Tokyo") from None
        return value

    @field_validator("database_url")
    @classmethod
    def _driver_for_url(cls, value: str) -> str:
        return sqlalchemy_url(value)

    @property
    def has_slack_tokens(self) -> bool:
        return self.slack_bot_token is not None and self.slack_signing_secret is not None

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
