"""Asking the console's user for one element's value: text, a date or time, a choice, a search, an id.

Each question is a generator (see `bot.console.flow`): it yields prompts through `ask` and returns the
element's new state, as Slack keeps it in `view.state.values` (`{"type": ..., "value" | "selected_…": ...}`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Mapping, Sequence
from copy import deepcopy
from datetime import date
from typing import Any

from bot.console.flow import Json, Say, Suggest
from bot.console.forms import MULTI_KINDS, STATE_FIELDS
from bot.console.mrkdwn import element_options, option_label, text_of
from bot.console.payloads import Identity
from bot.console.timeline import short
from bot.i18n import t

Ask = Callable[[str], Generator[str, str, str]]
Answer = Generator[str, str, Json]

TEXT_KINDS = frozenset({"plain_text_input", "email_text_input", "url_text_input", "number_input"})
CHOICE_KINDS = frozenset({"radio_buttons", "static_select", "overflow", "checkboxes", "multi_static_select"})
SEARCH_KINDS = frozenset({"external_select", "multi_external_select"})
USER_KINDS = frozenset({"users_select", "multi_users_select"})
CHANNEL_KINDS = frozenset(
    {"conversations_select", "channels_select", "multi_conversations_select", "multi_channels_select"}
)


class Questions:
    def __init__(self, ask: Ask, say: Say, me: Identity) -> None:
        self._ask = ask
        self._say = say
        self.me = me

    def value(
        self, element: Mapping[str, Any], *, label: str, optional: bool, current: Json, suggest: Suggest
    ) -> Answer:
        """A new state value for one element."""
        kind = str(element.get("type", ""))
        if kind in TEXT_KINDS:
            return (yield from self.text(element, label, optional, current))
        if kind in ("datepicker", "timepicker"):
            return (yield from self.when(element, label, optional, current))
        if kind in CHOICE_KINDS:
            return (yield from self.choice(element, label, optional, current))
        if kind in SEARCH_KINDS:
            return (yield from self.search(element, label, optional, current, suggest))
        if kind in USER_KINDS or kind in CHANNEL_KINDS:
            return (yield from self.ids(element, label, optional, current))
        self._say(self._t("con_cannot_fill", label=label, kind=kind))
        return current

    def text(self, element: Mapping[str, Any], label: str, optional: bool, current: Json) -> Answer:
        kind = str(element["type"])
        value = current.get("value")
        locale = self.me.locale
        prompt = _prompt(locale, label, optional, _text_notes(locale, element, value, optional))
        while True:
            text = yield from self._typed(prompt, multiline=bool(element.get("multiline")))
            if text == "-" and optional:
                return {"type": kind, "value": None}
            if not text:
                if value:
                    return current
                if optional:
                    return {"type": kind, "value": None}
                self._say(self._t("con_required", label=label))
                continue
            problem = text_problem(element, text, locale)
            if problem:
                self._say(f"  {problem}")
                continue
            return {"type": kind, "value": text}

    def _typed(self, prompt: str, *, multiline: bool) -> Generator[str, str, str]:
        """One line, or with `multiline` several until an empty one."""
        line = yield from self._ask(prompt)
        text = line.strip()
        if text and multiline:
            lines = [line.rstrip()]
            while True:
                more = yield from self._ask("… ")
                if not more.strip():
                    break
                lines.append(more.rstrip())
            text = "\n".join(lines).strip()
        return text

    def when(self, element: Mapping[str, Any], label: str, optional: bool, current: Json) -> Answer:
        kind = str(element["type"])
        state_field = STATE_FIELDS[kind][0]
        value = current.get(state_field)
        form = "YYYY-MM-DD" if kind == "datepicker" else "HH:MM"
        notes = [form]
        if value:
            notes.append(self._t("con_keeps", value=value))
            if optional:
                notes.append(self._t("con_clears"))
        prompt = _prompt(self.me.locale, label, optional, notes)
        while True:
            text = (yield from self._ask(prompt)).strip()
            if not text:
                if value:
                    return current
                if optional:
                    return {"type": kind, state_field: None}
                self._say(self._t("con_required", label=label))
                continue
            if text == "-" and optional:
                return {"type": kind, state_field: None}
            if valid_when(kind, text):
                return {"type": kind, state_field: text}
            self._say(self._t("con_type_date" if kind == "datepicker" else "con_type_time", form=form))

    def choice(self, element: Mapping[str, Any], label: str, optional: bool, current: Json) -> Answer:
        kind = str(element["type"])
        state_field = STATE_FIELDS[kind][0]
        multi = kind in MULTI_KINDS
        options = element_options(element)
        chosen = chosen_options(current.get(state_field))
        if not options:
            self._say(self._t("con_no_options", label=label))
            return current
        self._list_options(label, optional, options, {option.get("value") for option in chosen})
        notes = [span(len(options)) + (self._t("con_several") if multi else "")]
        if chosen:
            kept = self._t("con_list_separator").join(text_of(option.get("text")) for option in chosen)
            notes.append(self._t("con_keeps", value=kept))
            if optional:
                notes.append(self._t("con_clears"))
        prompt = _prompt(self.me.locale, label, False, notes)
        while True:
            text = (yield from self._ask(prompt)).strip()
            if not text and chosen:
                return current
            if (not text or text == "-") and optional:
                return {"type": kind, state_field: [] if multi else None}
            if not text:
                self._say(self._t("con_choose_one_of", span=span(len(options))))
                continue
            picked = pick(text, options, multi)
            if picked is None:
                self._say(self._t("con_choose_numbers" if multi else "con_choose_number", count=len(options)))
                continue
            return {"type": kind, state_field: picked if multi else picked[0]}

    def _list_options(
        self, label: str, optional: bool, options: Sequence[Mapping[str, Any]], chosen: set[Any]
    ) -> None:
        self._say(labelled(label, optional, self.me.locale))
        for number, option in enumerate(options, 1):
            mark = self._t("con_current") if option.get("value") in chosen else ""
            self._say(f"  {number}) {option_label(option)}{mark}")

    def search(
        self, element: Mapping[str, Any], label: str, optional: bool, current: Json, suggest: Suggest
    ) -> Answer:
        kind = str(element["type"])
        state_field = STATE_FIELDS[kind][0]
        multi = kind in MULTI_KINDS
        chosen = chosen_options(current.get(state_field))
        minimum = int(element.get("min_query_length", 3))
        locale = self.me.locale
        search_prompt = _prompt(locale, label, optional, _search_notes(locale, chosen, optional, minimum))
        several = self._t("con_several") if multi else ""
        found: list[Json] = []
        while True:
            pick_prompt = self._t("con_pick_prompt", label=label, span=span(len(found)), several=several)
            text = (yield from self._ask(pick_prompt if found else search_prompt)).strip()
            if found:
                picked = pick(text, found, multi) if text else None
                if picked is not None:
                    return {"type": kind, state_field: picked if multi else picked[0]}
                if not text:
                    found = []
                    continue
            elif not text and chosen:
                return current
            elif (not text or text == "-") and optional:
                return {"type": kind, state_field: [] if multi else None}
            found = self._found(text, minimum, suggest)

    def _found(self, query: str, minimum: int, suggest: Suggest) -> list[Json]:
        """The options the bot suggests for `query`, listed by number (none if the query is too short)."""
        if len(query) < minimum:
            self._say(self._t("con_search_short", minimum=minimum))
            return []
        listed = suggest(query)
        if not listed:
            self._say(self._t("con_no_matches"))
            return []
        group: str | None = None
        for number, (heading, option) in enumerate(listed, 1):
            if heading is not None and heading != group:
                self._say(f"  {heading}")
                group = heading
            self._say(f"  {number}) {option_label(option)}")
        return [option for _, option in listed]

    def ids(self, element: Mapping[str, Any], label: str, optional: bool, current: Json) -> Answer:
        kind = str(element["type"])
        state_field = STATE_FIELDS.get(kind, ("selected_user", ""))[0]
        multi = kind in MULTI_KINDS
        users = kind in USER_KINDS
        example = (
            self._t("con_user_example", user=self.me.user_id)
            if users
            else self._t("con_channel_example", channel=self.me.channel_id)
        )
        notes = [example + (self._t("con_several_commas") if multi else "")]
        shown = _shown_ids(current.get(state_field), "@" if users else "#")
        if shown:
            notes.append(self._t("con_keeps", value=shown))
        prompt = _prompt(self.me.locale, label, optional, notes)
        while True:
            text = (yield from self._ask(prompt)).strip()
            if not text:
                if shown:
                    return current
                if optional:
                    return {"type": kind, state_field: [] if multi else None}
                self._say(self._t("con_required", label=label))
                continue
            ids = self._ids_in(text, users, multi)
            if ids is None:
                self._say(self._t("con_type_example", example=example))
                continue
            return {"type": kind, state_field: ids if multi else ids[0]}

    def _t(self, key: str, /, **params: object) -> str:
        return t(self.me.locale, key, **params)

    def _ids_in(self, text: str, users: bool, multi: bool) -> list[str] | None:
        """The user (or channel) ids typed, or None if any part is not one (or several where one goes)."""
        found = [self._id_of(part, users) for part in re.split(r"[,\s]+", text) if part]
        ids = [one for one in found if one is not None]
        if not ids or len(ids) < len(found) or (len(ids) > 1 and not multi):
            return None
        return ids

    def _id_of(self, text: str, users: bool) -> str | None:
        if users and text.lower() == "me":
            return self.me.user_id
        if not users and text.lower() == "here":
            return self.me.channel_id
        match = re.fullmatch(r"<?[@#]?([A-Za-z0-9]+)(?:\|[^>]*)?>?", text)
        if not match:
            return None
        found = match.group(1).upper()
        first = ("U", "W") if users else ("C", "D", "G")
        return found if found.startswith(first) else None


# ------------------------------------------------------------------------------------- helpers


def _shown_ids(value: object, sigil: str) -> str:
    """The ids a users or conversations select holds now, as `@U1, @U2` (empty if none)."""
    if isinstance(value, list):
        return ", ".join(sigil + str(one) for one in value)
    return sigil + str(value) if value else ""


def _text_notes(locale: str, element: Mapping[str, Any], value: object, optional: bool) -> list[str]:
    notes: list[str] = []
    if value:
        notes.append(t(locale, "con_keeps_quoted", value=short(str(value))))
    elif element.get("placeholder"):
        notes.append(text_of(element["placeholder"]))
    if element.get("multiline"):
        notes.append(t(locale, "con_multiline"))
    if optional and value:
        notes.append(t(locale, "con_clears"))
    return notes


def _search_notes(
    locale: str, chosen: Sequence[Mapping[str, Any]], optional: bool, minimum: int
) -> list[str]:
    notes = [t(locale, "con_type_to_search")]
    if chosen:
        labels = [text_of(option.get("text")) for option in chosen]
        if locale == "ja":
            kept = t(locale, "con_list_separator").join(f"「{label}」" for label in labels)
            notes.append(t(locale, "con_keeps", value=kept))
        else:
            notes.append(t(locale, "con_keeps", value=", ".join(f'"{label}"' for label in labels)))
        if optional:
            notes.append(t(locale, "con_clears"))
    elif minimum == 0:
        notes.append(t(locale, "con_lists_all"))
    return notes


def span(count: int) -> str:
    return "1" if count == 1 else f"1-{count}"


def _prompt(locale: str, label: str, optional: bool, notes: Sequence[str]) -> str:
    head = labelled(label, optional, locale)
    if locale == "ja":  # full-width brackets and colon in a Japanese prompt
        return f"{head}［{'・'.join(notes)}］：" if notes else f"{head}："
    return f"{head} [{'; '.join(notes)}]: " if notes else f"{head}: "


def labelled(label: str, optional: bool, locale: str = "en") -> str:
    # Slack writes "(optional)" after the label of an optional input; some labels already say so.
    if not optional or "optional" in label.lower() or "任意" in label:
        return label
    return t(locale, "con_optional", label=label)


def chosen_options(value: object) -> list[Mapping[str, Any]]:
    if isinstance(value, list):
        return [option for option in value if isinstance(option, Mapping)]
    if isinstance(value, Mapping):
        return [value]
    return []


def pick(text: str, options: Sequence[Mapping[str, Any]], multi: bool) -> list[Json] | None:
    """The options chosen by number (`2`, `1,3`) or by their exact label; None if `text` names none."""
    parts = [part for part in re.split(r"[,\s]+", text.strip()) if part]
    if parts and all(part.isdigit() for part in parts):
        numbers = [int(part) for part in parts]
        if all(1 <= number <= len(options) for number in numbers) and (multi or len(numbers) == 1):
            return [deepcopy(dict(options[number - 1])) for number in dict.fromkeys(numbers)]
        return None
    wanted = text.strip().casefold()
    for option in options:
        if wanted in (text_of(option.get("text")).casefold(), str(option.get("value", "")).casefold()):
            return [deepcopy(dict(option))]
    return None


def text_problem(element: Mapping[str, Any], text: str, locale: str = "en") -> str | None:
    if element.get("min_length") and len(text) < int(element["min_length"]):
        return t(locale, "con_min_length", count=element["min_length"])
    if element.get("max_length") and len(text) > int(element["max_length"]):
        return t(locale, "con_max_length", count=element["max_length"], length=len(text))
    kind = element.get("type")
    if kind == "email_text_input" and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        return t(locale, "con_type_email")
    if kind == "url_text_input" and not re.match(r"https?://\S+$", text):
        return t(locale, "con_type_url")
    if kind == "number_input":
        return _number_problem(element, text, locale)
    return None


def _number_problem(element: Mapping[str, Any], text: str, locale: str) -> str | None:
    pattern = r"-?\d+(\.\d+)?" if element.get("is_decimal_allowed") else r"-?\d+"
    if not re.fullmatch(pattern, text):
        return t(locale, "con_type_number" if element.get("is_decimal_allowed") else "con_type_whole")
    number = float(text)
    if element.get("min_value") is not None and number < float(element["min_value"]):
        return t(locale, "con_smallest", value=element["min_value"])
    if element.get("max_value") is not None and number > float(element["max_value"]):
        return t(locale, "con_largest", value=element["max_value"])
    return None


def valid_when(kind: str, text: str) -> bool:
    if kind == "datepicker":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return False
        try:
            date.fromisoformat(text)
        except ValueError:
            return False
        return True
    match = re.fullmatch(r"(\d{2}):(\d{2})", text)
    return match is not None and int(match.group(1)) < 24 and int(match.group(2)) < 60
