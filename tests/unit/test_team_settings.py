"""A team's settings: its stored values over the environment's defaults, field by field, and the checks
of the settings form (pure: no database, no Slack)."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.config import Settings
from bot.domain.parsing import ParseError
from bot.domain.status import DormantRules
from bot.domain.team_settings import SettingsDraft, SettingsErrors, TeamOverrides, check_settings
from bot.services.team_settings import defaults, resolve


def settings(**overrides: object) -> Settings:
    return Settings(_env_file=None, **overrides)  # type: ignore[call-arg, arg-type]


ENV = settings(
    pyramid_team_channel="C0ENV",
    pyramid_locale="en",
    pyramid_timezone="Asia/Tokyo",
    pyramid_managers="U0ENV",
    pyramid_holiday_country="JP",
)


def draft(**changes: object) -> SettingsDraft:
    values: dict[str, object] = {
        "channel": "C0SALES",
        "locale": "ja",
        "timezone": "America/New_York",
        "digest_time": "08:30",
        "working_days": ("mon", "tue", "wed", "thu", "fri"),
        "holiday_country": "us",
        "summary_day": "fri",
        "summary_time": "17:00",
        "dormant": ("365", "180", "９０", "60"),
        "managers": ("U0MGR1",),
        "evening_prompt": True,
    }
    values.update(changes)
    return SettingsDraft(**values)  # type: ignore[arg-type]


def known(code: str) -> bool:
    return code in {"JP", "US", "GB"}


def test_a_team_with_nothing_stored_runs_on_the_environment() -> None:
    config = resolve(ENV, "T1", None)
    assert config == defaults(ENV, "T1")
    assert (config.channel, config.locale, config.timezone) == ("C0ENV", "en", "Asia/Tokyo")
    assert config.managers == frozenset({"U0ENV"}) and config.working_days == frozenset(range(5))
    assert config.dormant_rules == DormantRules() and config.updated_by is None


def test_each_stored_value_wins_and_each_empty_one_falls_back() -> None:
    stored = TeamOverrides(
        locale="ja",
        digest_time=time(7, 30),
        dormant_prospect=120,
        managers=frozenset(),
        holiday_country="",
        updated_at=datetime(2026, 11, 30, tzinfo=UTC),
        updated_by="U0BOSS",
    )
    config = resolve(ENV, "T1", stored)
    assert (config.locale, config.digest_time, config.holiday_country) == ("ja", time(7, 30), "")
    assert config.dormant_rules == DormantRules(prospect_days=120)
    assert config.managers == frozenset()  # an empty list stored is "no one besides the admins"
    # Not stored: the environment's.
    assert (config.channel, config.timezone, config.summary_time) == ("C0ENV", "Asia/Tokyo", time(9, 0))
    assert config.updated_by == "U0BOSS"


def test_another_teams_row_changes_nothing_of_this_one() -> None:
    assert resolve(ENV, "T2", None).channel == "C0ENV"
    assert resolve(ENV, "T1", TeamOverrides(channel="C0MINE")).team_id == "T1"


def test_a_good_form_becomes_what_is_stored() -> None:
    values = check_settings(draft(), known)
    assert values.channel == "C0SALES" and values.locale == "ja"
    assert (values.digest_time, values.summary_weekday, values.summary_time) == (time(8, 30), 4, time(17))
    assert values.holiday_country == "US" and values.dormant_customer == 90  # full-width digits read
    assert values.working_days == frozenset(range(5)) and values.managers == frozenset({"U0MGR1"})
    assert values.evening_prompt is True


def test_no_channel_chosen_keeps_the_default_and_no_country_means_no_holidays() -> None:
    values = check_settings(draft(channel=None, holiday_country=""), known)
    assert values.channel is None and values.holiday_country == ""


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [
        ({"dormant": ("0", "180", "90", "90")}, "dormant_acquaintance", "settings_bad_days"),
        ({"dormant": ("365", "3651", "90", "90")}, "dormant_prospect", "settings_bad_days"),
        ({"dormant": ("365", "180", "-5", "90")}, "dormant_customer", "settings_bad_days"),
        ({"dormant": ("365", "180", "90", None)}, "dormant_repeater", "settings_bad_days"),
        ({"working_days": ()}, "working_days", "settings_no_working_day"),
        ({"timezone": "Mars/Olympus"}, "timezone", "settings_bad_timezone"),
        ({"digest_time": "25:00"}, "digest_time", "settings_bad_time"),
        ({"holiday_country": "XX"}, "holiday_country", "settings_bad_country"),
        ({"locale": "fr"}, "locale", "settings_bad_locale"),
        ({"summary_day": "someday"}, "summary_day", "settings_bad_weekday"),
        ({"channel": "not a channel"}, "channel", "settings_bad_channel"),
        ({"managers": ("<@U1>",)}, "managers", "settings_bad_user"),
    ],
)
def test_a_bad_field_is_named_with_its_reason(changes: dict[str, object], field: str, code: str) -> None:
    with pytest.raises(SettingsErrors) as caught:
        check_settings(draft(**changes), known)
    assert list(caught.value.errors) == [field]
    assert caught.value.errors[field].code == code
    assert isinstance(caught.value, ParseError)


def test_every_bad_field_is_named_at_once() -> None:
    with pytest.raises(SettingsErrors) as caught:
        check_settings(draft(locale=None, summary_time="", dormant=("x", "x", "x", "x")), known)
    assert len(caught.value.errors) == 6


def test_the_segments_lapse_days_round_trip_and_a_bad_value_is_named() -> None:
    from bot.domain.lapse import parse_segment_lapse, segment_lapse_text

    text = "strategic=prospect:20,customer:45;skeptic=customer:120"
    assert segment_lapse_text(parse_segment_lapse(text)) == text
    assert segment_lapse_text(()) == ""
    with pytest.raises(SettingsErrors) as refused:
        check_settings(draft(segment_lapse="strategic=forever"), known)
    assert set(refused.value.errors) == {"segment_lapse"}
    stored = check_settings(draft(segment_lapse=" strategic=prospect:20 "), known)
    assert stored.segment_lapse == "strategic=prospect:20"
