"""Settings from the environment: defaults, URL rewriting, readable errors, secrets kept secret."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import time
from pathlib import Path

import pytest
from pydantic import SecretStr

from bot.config import Settings, SettingsError, get_settings, load_settings, sqlalchemy_url

VARIABLES = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "DATABASE_URL",
    "PORT",
    "PYRAMID_TEAM_CHANNEL",
    "PYRAMID_LOCALE",
    "PYRAMID_DIGEST_TIME",
    "PYRAMID_TIMEZONE",
    "PYRAMID_REPEATER_THRESHOLD",
    "PYRAMID_RUN_SCHEDULER",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No variable from the developer's shell, and no `.env` (the working directory is empty)."""
    for name in list(os.environ):
        if name.upper() in VARIABLES or name.upper().startswith(("PYRAMID_", "SLACK_")):
            monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def _error(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> str:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    return str(raised.value)


# ------------------------------------------------------------------------------------- defaults


def test_defaults() -> None:
    settings = load_settings()
    assert settings.port == 3000
    assert settings.pyramid_timezone == "Asia/Tokyo"
    assert str(settings.zone) == "Asia/Tokyo"
    assert settings.pyramid_locale == "en"
    assert settings.pyramid_digest_time == time(9, 0)
    assert settings.database_url.startswith("sqlite:///")
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.pyramid_repeater_threshold == 3
    assert settings.slack_bot_token is None
    assert settings.slack_signing_secret is None
    assert not settings.has_slack_tokens


def test_settings_built_directly_without_env_file() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.port == 3000
    assert settings.pyramid_locale == "en"


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "8080")
    monkeypatch.setenv("PYRAMID_LOCALE", "ja")
    monkeypatch.setenv("PYRAMID_DIGEST_TIME", "07:30")
    monkeypatch.setenv("PYRAMID_TIMEZONE", "Europe/London")
    monkeypatch.setenv("PYRAMID_TEAM_CHANNEL", "C0TEAM")
    monkeypatch.setenv("PYRAMID_REPEATER_THRESHOLD", "5")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "sig")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    settings = load_settings()
    assert settings.port == 8080
    assert settings.pyramid_locale == "ja"
    assert settings.pyramid_digest_time == time(7, 30)
    assert settings.pyramid_timezone == "Europe/London"
    assert settings.pyramid_team_channel == "C0TEAM"
    assert settings.pyramid_repeater_threshold == 5
    assert settings.has_slack_tokens
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"  # slash added for slack_sdk


def test_an_env_file_is_read(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORT=4000\nPYRAMID_LOCALE=ja\n", encoding="utf-8")
    settings = load_settings()
    assert settings.port == 4000
    assert settings.pyramid_locale == "ja"


def test_get_settings_is_cached(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "3100")
    assert get_settings() is get_settings()
    assert get_settings().port == 3100


# ----------------------------------------------------------------------------------- database URL


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgres://u:p@db.example.com:5432/pyr", "postgresql+psycopg://u:p@db.example.com:5432/pyr"),
        ("postgresql://u:p@db.example.com/pyr", "postgresql+psycopg://u:p@db.example.com/pyr"),
        ("postgresql+psycopg://u@h/pyr", "postgresql+psycopg://u@h/pyr"),
        ("sqlite:///pyramid.db", "sqlite:///pyramid.db"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
        ("sqlite://", "sqlite://"),
    ],
)
def test_database_urls_get_the_psycopg_driver(
    monkeypatch: pytest.MonkeyPatch, given: str, expected: str
) -> None:
    assert sqlalchemy_url(given) == expected
    monkeypatch.setenv("DATABASE_URL", given)
    assert load_settings().database_url == expected


def test_an_unsupported_database_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    message = _error(monkeypatch, "DATABASE_URL", "mysql://u:p@h/db")
    assert "DATABASE_URL" in message
    with pytest.raises(ValueError):
        sqlalchemy_url("mysql://u:p@h/db")


# ------------------------------------------------------------------------------------ bad values


@pytest.mark.parametrize("value", ["abc", "0", "70000", "-1", "3000.5"])
def test_a_bad_port_is_a_readable_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    message = _error(monkeypatch, "PORT", value)
    assert "PORT" in message
    assert message.startswith("Pyramid cannot start")


@pytest.mark.parametrize("value", ["9am", "0930", "09:00:00", "25:00", "09:75", "nine"])
def test_a_bad_digest_time_is_a_readable_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    message = _error(monkeypatch, "PYRAMID_DIGEST_TIME", value)
    assert "PYRAMID_DIGEST_TIME" in message


def test_the_digest_time_error_shows_the_format(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "HH:MM" in _error(monkeypatch, "PYRAMID_DIGEST_TIME", "9am")


@pytest.mark.parametrize("value", ["9:00", " 09:00 "])
def test_a_digest_time_with_one_digit_hour_or_spaces_is_accepted(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("PYRAMID_DIGEST_TIME", value)
    assert load_settings().pyramid_digest_time == time(9, 0)


@pytest.mark.parametrize("value", ["Mars/Olympus", "Tokyo", "", "Asia/Tokio"])
def test_a_bad_timezone_is_a_readable_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    message = _error(monkeypatch, "PYRAMID_TIMEZONE", value)
    assert "PYRAMID_TIMEZONE" in message
    assert "Asia/Tokyo" in message  # says what a good value looks like


@pytest.mark.parametrize("value", ["fr", "english", "jp"])
def test_a_bad_locale_is_a_readable_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    message = _error(monkeypatch, "PYRAMID_LOCALE", value)
    assert "PYRAMID_LOCALE" in message
    assert "'en'" in message and "'ja'" in message


def test_a_repeater_threshold_below_three_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "PYRAMID_REPEATER_THRESHOLD" in _error(monkeypatch, "PYRAMID_REPEATER_THRESHOLD", "2")


def test_a_non_http_api_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert "SLACK_API_URL" in _error(monkeypatch, "SLACK_API_URL", "ftp://slack.example")


def test_every_problem_is_listed_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "abc")
    monkeypatch.setenv("PYRAMID_LOCALE", "fr")
    monkeypatch.setenv("PYRAMID_TIMEZONE", "Nowhere/City")
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    for name in ("PORT", "PYRAMID_LOCALE", "PYRAMID_TIMEZONE"):
        assert name in message
    assert len(message.splitlines()) == 4


def test_settings_error_stops_the_program(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "abc")
    with pytest.raises(SystemExit) as raised:
        load_settings()
    assert isinstance(raised.value, SettingsError)
    # SystemExit with a message: Python prints it to stderr and exits with status 1.
    assert isinstance(raised.value.code, str)
    assert "PORT" in raised.value.code


def test_overrides_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "4000")
    assert load_settings(port=5000).port == 5000
    with pytest.raises(SettingsError):
        load_settings(port=0)


# ---------------------------------------------------------------------------------------- secrets


def test_secrets_are_secret_strings_kept_out_of_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret-token")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing-secret-value")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-app-secret-token")
    settings = load_settings()
    for field in ("slack_bot_token", "slack_signing_secret", "slack_app_token"):
        assert isinstance(getattr(settings, field), SecretStr)
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-very-secret-token"
    for text in (repr(settings), str(settings)):
        assert "xoxb-very-secret-token" not in text
        assert "signing-secret-value" not in text
        assert "xapp-app-secret-token" not in text
    dumped = settings.model_dump_json()
    assert "xoxb-very-secret-token" not in dumped


def test_a_secret_in_a_bad_configuration_is_not_echoed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret-token")
    message = _error(monkeypatch, "PORT", "abc")
    assert "xoxb-very-secret-token" not in message


def test_the_database_password_is_not_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgres://pyramid:hunter2-secret@db.example.com/pyramid")
    settings = load_settings()
    assert "hunter2-secret" not in repr(settings)


# ------------------------------------------------------------------------------ many workspaces


def test_the_app_credentials_without_a_bot_token_mean_many_workspaces(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "1111.2222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "client-secret-value")
    assert not load_settings().has_slack_tokens  # still needs the signing secret
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "signing")
    settings = load_settings()
    assert settings.oauth_mode and settings.has_slack_tokens and settings.can_post
    assert "client-secret-value" not in repr(settings)


def test_a_bot_token_keeps_the_single_token_mode_even_with_the_app_credentials(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_CLIENT_ID", "1111.2222")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "client-secret-value")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-one")
    settings = load_settings()
    assert not settings.oauth_mode and settings.can_post


@pytest.mark.parametrize("name", ["SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET"])
def test_one_app_credential_without_the_other_is_a_readable_error(
    monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    message = _error(monkeypatch, name, "value")
    assert "SLACK_CLIENT_SECRET" in message and "together" in message
    assert "value'" not in message
