"""The team settings modal (`/pyramid settings`, the App Home's Settings button), prefilled with the
values in use, and the answers around it: saved, refused."""

from __future__ import annotations

from datetime import time
from typing import Any

from bot import interactions as ids
from bot.domain.lapse import segment_lapse_text
from bot.domain.team_settings import COMMON_ZONES, DORMANT_FIELDS, LOCALES, WEEKDAYS, TeamConfig
from bot.i18n import t
from bot.usecases.managing_facts import NotAManager
from bot.views.blocks import (
    Block,
    Message,
    context,
    fmt_date,
    input_block,
    mention,
    message,
    modal,
    plain,
    section,
)

# Slack allows 100 options in a static select, 10 in checkboxes: the zones list stays well under it.
MAX_ZONE_OPTIONS = 100
COUNTRY_LENGTH = 8  # team_settings.holiday_country
SEGMENT_LAPSE_LENGTH = 500  # a few segments' days; the column is text
DAYS_LENGTH = 5  # "3650" and some room for spaces


def settings_modal(config: TeamConfig, locale: str, channel_id: str | None) -> dict[str, Any]:
    intro = t(locale, "settings_intro")
    blocks: list[Block] = [section(intro)]
    if config.updated_by and config.updated_at:
        changed = fmt_date(config.updated_at.astimezone(config.zone).date(), locale)
        blocks.append(
            context(t(locale, "settings_last_changed", user=mention(config.updated_by), date=changed))
        )
    blocks += [
        _input("channel", t(locale, "settings_field_channel"), _channel(config), optional=True),
        context(t(locale, "settings_channel_hint")),
        _input("locale", t(locale, "settings_field_locale"), _locale(config, locale)),
        _input("timezone", t(locale, "settings_field_timezone"), _zone(config)),
        _input(
            "digest_time", t(locale, "settings_field_digest_time"), _time("digest_time", config.digest_time)
        ),
        _input("working_days", t(locale, "settings_field_working_days"), _working_days(config, locale)),
        _input(
            "holiday_country",
            t(locale, "settings_field_holiday_country"),
            _text(
                "holiday_country", config.holiday_country, COUNTRY_LENGTH, t(locale, "settings_holiday_hint")
            ),
            optional=True,
        ),
        _input("summary_day", t(locale, "settings_field_summary_day"), _summary_day(config, locale)),
        _input(
            "summary_time",
            t(locale, "settings_field_summary_time"),
            _time("summary_time", config.summary_time),
        ),
    ]
    rules = config.dormant_rules
    days = (rules.acquaintance_days, rules.prospect_days, rules.customer_days, rules.repeater_days)
    for field, value in zip(DORMANT_FIELDS, days, strict=True):
        blocks.append(
            _input(field, t(locale, f"settings_field_{field}"), _text(field, str(value), DAYS_LENGTH, None))
        )
    blocks.append(
        _input(
            "segment_lapse",
            t(locale, "settings_field_segment_lapse"),
            _text(
                "segment_lapse",
                segment_lapse_text(config.lapse_rules.by_segment),
                SEGMENT_LAPSE_LENGTH,
                t(locale, "settings_segment_lapse_hint"),
            ),
            optional=True,
        )
    )
    blocks.append(
        _input("managers", t(locale, "settings_field_managers"), _managers(config), optional=True),
    )
    blocks.append(
        _input("evening_prompt", t(locale, "settings_field_evening"), _evening(config, locale), True)
    )
    return modal(
        ids.SETTINGS_CALLBACK,
        t(locale, "settings_title"),
        t(locale, "settings_save"),
        t(locale, "settings_cancel"),
        ids.modal_metadata(channel_id),
        blocks,
    )


def settings_saved(config: TeamConfig, user_id: str, locale: str) -> Message:
    text = t(
        locale,
        "settings_saved",
        user=mention(user_id),
        channel=f"<#{config.channel}>" if config.channel else t(locale, "settings_no_channel"),
        language=t(locale, f"settings_locale_{config.locale}"),
        zone=config.timezone,
        digest=_hh_mm(config.digest_time),
        summary_day=t(locale, f"settings_day_{WEEKDAYS[config.summary_weekday]}"),
        summary_time=_hh_mm(config.summary_time),
    )
    return message(text, [section(text)])


def settings_refused(refused: NotAManager, locale: str) -> Message:
    text = t(locale, "settings_refused")
    if refused.managers:
        separator = "、" if locale == "ja" else ", "
        text += " " + t(locale, "managing_ask", managers=separator.join(mention(u) for u in refused.managers))
    return message(text, [section(text)])


def refused_view(refused: NotAManager, locale: str) -> dict[str, Any]:
    """What the modal turns into when its submitter is no longer allowed to save it."""
    return {
        "type": "modal",
        "title": plain(t(locale, "settings_title")),
        "close": plain(t(locale, "settings_cancel")),
        "blocks": settings_refused(refused, locale)["blocks"],
    }


# ----------------------------------------------------------------------------------------- elements


def _input(field: str, label: str, element: Block, optional: bool = False) -> Block:
    name = ids.settings_block(field)
    return input_block(name, label, {**element, "action_id": name}, optional=optional)


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text), "value": value}


def _channel(config: TeamConfig) -> Block:
    element: Block = {
        "type": "conversations_select",
        # Public and private channels only: the team channel is never a DM.
        "filter": {"include": ["public", "private"], "exclude_bot_users": True},
    }
    if config.channel:
        element["initial_conversation"] = config.channel
    return element


def _locale(config: TeamConfig, locale: str) -> Block:
    options = [_option(t(locale, f"settings_locale_{code}"), code) for code in LOCALES]
    return {
        "type": "radio_buttons",
        "options": options,
        "initial_option": options[LOCALES.index(config.locale)],
    }


def _zone(config: TeamConfig) -> Block:
    zones = list(COMMON_ZONES)
    if config.timezone not in zones:
        zones.insert(0, config.timezone)  # the team's own zone is always offered
    options = [_option(zone.replace("_", " "), zone) for zone in zones[:MAX_ZONE_OPTIONS]]
    return {
        "type": "static_select",
        "options": options,
        "initial_option": options[zones.index(config.timezone)],
    }


def _time(field: str, value: time) -> Block:
    return {"type": "timepicker", "initial_time": _hh_mm(value)}


def _working_days(config: TeamConfig, locale: str) -> Block:
    options = [_option(t(locale, f"settings_day_{day}"), day) for day in WEEKDAYS]
    element: Block = {"type": "checkboxes", "options": options}
    chosen = [options[day] for day in sorted(config.working_days)]
    if chosen:
        element["initial_options"] = chosen
    return element


def _summary_day(config: TeamConfig, locale: str) -> Block:
    options = [_option(t(locale, f"settings_day_{day}"), day) for day in WEEKDAYS]
    return {"type": "static_select", "options": options, "initial_option": options[config.summary_weekday]}


def _text(field: str, value: str, max_length: int, placeholder: str | None) -> Block:
    element: Block = {"type": "plain_text_input", "max_length": max_length}
    if value:
        element["initial_value"] = value[:max_length]
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return element


def _managers(config: TeamConfig) -> Block:
    element: Block = {"type": "multi_users_select"}
    if config.managers:
        element["initial_users"] = sorted(config.managers)
    return element


def _evening(config: TeamConfig, locale: str) -> Block:
    option = _option(t(locale, "settings_evening_on"), "on")
    element: Block = {"type": "checkboxes", "options": [option]}
    if config.evening_prompt:
        element["initial_options"] = [option]
    return element


def _hh_mm(value: time) -> str:
    return value.strftime("%H:%M")
