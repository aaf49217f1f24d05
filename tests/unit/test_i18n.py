"""The message catalogues: same keys and placeholders in English and Japanese, and a key for every code."""

from __future__ import annotations

import ast
import re
import string
from datetime import date
from pathlib import Path

import pytest

from bot.domain import parsing
from bot.domain.activities import ActivityKind
from bot.domain.analytics import RETENTION_AFTER_DAYS
from bot.domain.followups import AFTER_SALE_DAYS
from bot.domain.pyramid import HealthProblem
from bot.domain.stages import LADDER, Stage
from bot.i18n import CATALOGUES, LOCALES, en, ja, locale_from_slack, period, t

BOT = Path(__file__).resolve().parents[2] / "bot"
EN, JA = en.MESSAGES, ja.MESSAGES


def _placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def _source_files() -> list[Path]:
    return [path for path in BOT.rglob("*.py") if "i18n" not in path.parts and "migrations" not in path.parts]


def _raised_codes(exception: str, paths: list[Path]) -> dict[str, set[str]]:
    """Every `exception("code", **params)` call in the sources: code -> the params it is given."""
    codes: dict[str, set[str]] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == exception
            ):
                continue
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                params = {keyword.arg for keyword in node.keywords if keyword.arg is not None}
                codes.setdefault(node.args[0].value, set()).update(params)
    return codes


PARSE_ERROR_CODES = _raised_codes("ParseError", [BOT / "domain" / "parsing.py", BOT / "domain" / "fields.py"])
USER_ERROR_CODES = _raised_codes("UserFacingError", _source_files())


# ------------------------------------------------------------------------------- the catalogues


def test_both_locales_are_there() -> None:
    assert LOCALES == ("en", "ja")
    assert set(CATALOGUES) == {"en", "ja"}


def test_en_and_ja_have_the_same_keys() -> None:
    assert sorted(set(EN) - set(JA)) == []
    assert sorted(set(JA) - set(EN)) == []


@pytest.mark.parametrize("key", sorted(EN))
def test_same_placeholders_in_both_languages(key: str) -> None:
    assert _placeholders(EN[key]) == _placeholders(JA[key])


@pytest.mark.parametrize("key", sorted(EN))
def test_no_message_is_empty(key: str) -> None:
    assert EN[key].strip()
    assert JA[key].strip()


@pytest.mark.parametrize("key", sorted(EN))
def test_every_message_formats_with_its_placeholders(key: str) -> None:
    for locale in LOCALES:
        params = {name: f"<{name}>" for name in _placeholders(CATALOGUES[locale][key])}
        text = t(locale, key, **params)
        for value in params.values():
            assert value in text


def test_japanese_messages_are_actually_japanese() -> None:
    # A copied English text in ja.py would pass the key check; most messages must differ.
    same = [key for key in EN if EN[key] == JA[key] and not key.startswith("card_title")]
    assert len(same) <= len(EN) // 10, same


def test_t_falls_back_to_english_for_an_unknown_locale() -> None:
    assert t("fr", "stage_1") == EN["stage_1"]
    assert t("ja", "stage_1") == JA["stage_1"]
    assert t("en", "error_bad_date", word="xx") == EN["error_bad_date"].format(word="xx")


# ------------------------------------------------------------------------------- Slack's locales


@pytest.mark.parametrize(
    ("slack", "default", "expected"),
    [
        ("ja-JP", "en", "ja"),
        ("ja", "en", "ja"),
        ("JA-jp", "en", "ja"),
        ("en-GB", "ja", "en"),
        ("en-US", "ja", "en"),
        ("en", "ja", "en"),
        ("fr-FR", "en", "en"),
        ("fr-FR", "ja", "ja"),
        ("es-LA", "ja", "ja"),
        ("zh-CN", "en", "en"),
        (None, "en", "en"),
        (None, "ja", "ja"),
        ("", "ja", "ja"),
        (None, "xx", "en"),
    ],
)
def test_locale_from_slack(slack: str | None, default: str, expected: str) -> None:
    assert locale_from_slack(slack, default) == expected


# ------------------------------------------------------------------------------- keys for codes


@pytest.mark.parametrize("locale", LOCALES)
def test_every_step_has_a_name_and_advice(locale: str) -> None:
    catalogue = CATALOGUES[locale]
    for step in LADDER:
        assert f"step_{step.value}" in catalogue
        assert f"advice_{step.value}" in catalogue


@pytest.mark.parametrize("locale", LOCALES)
def test_every_stage_has_a_name(locale: str) -> None:
    for stage in Stage:
        assert f"stage_{stage.value}" in CATALOGUES[locale]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_activity_kind_has_a_name(locale: str) -> None:
    for kind in ActivityKind:
        assert f"kind_{kind.value}" in CATALOGUES[locale]


@pytest.mark.parametrize("locale", LOCALES)
def test_every_health_problem_has_advice(locale: str) -> None:
    stages = list(Stage)
    for lower, upper in zip(stages, stages[1:], strict=False):
        code = HealthProblem(lower=lower, upper=upper, lower_count=1, upper_count=2).code
        assert code in CATALOGUES[locale]
        assert _placeholders(CATALOGUES[locale][code]) <= {"lower", "upper"}
    assert "health_ok" in CATALOGUES[locale]
    assert "health_bad" in CATALOGUES[locale]


def test_the_parse_error_codes_were_found() -> None:
    # If this fails, the scan below no longer sees the codes (ParseError renamed or moved).
    assert {"empty_account", "bad_date", "bad_amount", "note_too_long", "bad_scope"} <= set(PARSE_ERROR_CODES)
    assert {"account_gone", "account_not_found", "name_taken"} <= set(USER_ERROR_CODES)


# Every error the bot raises to a user, by its code, with the params raised with it: the parse
# errors (ids "parse-…") and the refusals of the services and use cases (ids "user-…").
RAISED_ERRORS = [
    pytest.param(code, params, id=f"{kind}-{code}")
    for kind, codes in (("parse", PARSE_ERROR_CODES), ("user", USER_ERROR_CODES))
    for code, params in sorted(codes.items())
]


@pytest.mark.parametrize(("code", "params"), RAISED_ERRORS)
def test_every_error_has_a_message_and_gets_its_params(code: str, params: set[str]) -> None:
    for catalogue in (EN, JA):
        key = f"error_{code}"
        assert key in catalogue
        assert _placeholders(catalogue[key]) <= params


def test_every_literal_key_used_in_the_code_exists() -> None:
    """`t(locale, "key")` (also `"a" if … else "b"`) and `edited("key", …)` anywhere in bot/."""
    used: dict[str, str] = {}
    for path in _source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = (
                func.id
                if isinstance(func, ast.Name)
                else func.attr
                if isinstance(func, ast.Attribute)
                else ""
            )
            if name == "t" and len(node.args) >= 2:
                argument = node.args[1]
            elif name == "edited" and node.args:
                argument = node.args[0]
            else:
                continue
            options = [argument.body, argument.orelse] if isinstance(argument, ast.IfExp) else [argument]
            for option in options:
                if isinstance(option, ast.Constant) and isinstance(option.value, str):
                    used[option.value] = f"{path.relative_to(BOT.parent)}:{node.lineno}"
    assert len(used) > 30  # the scan found the calls
    for locale in LOCALES:
        missing = {key: where for key, where in used.items() if key not in CATALOGUES[locale]}
        assert missing == {}, locale


def test_every_example_named_in_the_handlers_exists() -> None:
    examples: set[str] = set()
    for path in _source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.keyword)
                and node.arg == "example"
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                examples.add(node.value.value)
    # /meeting and /deal pass their own name (example=which).
    examples |= {"meeting", "deal"}
    for locale in LOCALES:
        for example in examples:
            assert f"example_{example}" in CATALOGUES[locale]


# ------------------------------------------------------------------------- the examples are right

TODAY = date(2026, 11, 22)


def _command_text(example: str, command: str) -> str:
    assert example.startswith(command + " ")
    return example.removeprefix(command + " ")


@pytest.mark.parametrize("locale", LOCALES)
def test_the_meeting_example_parses(locale: str) -> None:
    request = parsing.parse_meeting(_command_text(t(locale, "example_meeting"), "/meeting"), TODAY)
    assert request.kind is ActivityKind.VISIT
    assert request.note


@pytest.mark.parametrize("locale", LOCALES)
def test_the_deal_example_parses(locale: str) -> None:
    request = parsing.parse_deal(_command_text(t(locale, "example_deal"), "/deal"), TODAY)
    assert request.outcome is ActivityKind.WON
    assert request.amount == 1_200_000
    assert request.note


@pytest.mark.parametrize("locale", LOCALES)
def test_the_followup_and_trouble_examples_parse(locale: str) -> None:
    followup = parsing.parse_followup(_command_text(t(locale, "example_followup"), "/followup"), TODAY)
    assert followup.due_on > TODAY
    trouble = parsing.parse_trouble(_command_text(t(locale, "example_trouble"), "/trouble"))
    assert trouble.what


# ------------------------------------------------------------------------- the method's numbers


def _t_calls() -> list[tuple[str, list[str], set[str] | None]]:
    """Every `t(locale, key, ...)` in bot/ whose key is a literal or an f-string: (where, the catalogue
    keys it may name, the keyword params it passes or None when it passes **params)."""
    calls = []
    for path in _source_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t"):
                continue
            if len(node.args) < 2:
                continue
            argument = node.args[1]
            options = [argument.body, argument.orelse] if isinstance(argument, ast.IfExp) else [argument]
            keys: list[str] = []
            for option in options:
                if isinstance(option, ast.Constant) and isinstance(option.value, str):
                    keys.append(option.value)
                elif isinstance(option, ast.JoinedStr) and isinstance(option.values[0], ast.Constant):
                    prefix = str(option.values[0].value)
                    keys += [key for key in EN if key.startswith(prefix)]
            params = {keyword.arg for keyword in node.keywords}
            passed = None if None in params else {name for name in params if name is not None}
            calls.append((f"{path.relative_to(BOT.parent)}:{node.lineno}", keys, passed))
    return calls


RULE_PARAMS = {"days", "weeks", "period"}


def test_every_call_passes_the_numbers_its_message_takes() -> None:
    """The method's numbers are parameters ("{days} days"): a call that forgot one would show "{days}"."""
    missing = []
    for where, keys, passed in _t_calls():
        if passed is None:
            continue
        for key in keys:
            for locale in LOCALES:
                wanted = _placeholders(CATALOGUES[locale][key]) & RULE_PARAMS
                if not wanted <= passed:
                    missing.append((where, key, locale, wanted - passed))
    assert missing == []


@pytest.mark.parametrize("key", sorted(EN))
def test_no_message_spells_out_a_number_of_days(key: str) -> None:
    """Thresholds and windows live in bot/domain; the texts take them as {days} (examples aside)."""
    if key.startswith(("example_", "period_")):
        return
    for locale in LOCALES:
        text = CATALOGUES[locale][key]
        assert not re.search(r"\d+ ?(days?\b|d\b|日)", text), (locale, key, text)
        assert not re.search(r"\b(a|one) week\b|1週間後", text), (locale, key, text)


@pytest.mark.parametrize(
    ("days", "english", "japanese"),
    [
        (365, "a year", "1年"),
        (730, "2 years", "2年"),
        (7, "a week", "1週間"),
        (14, "2 weeks", "2週間"),
        (1, "a day", "1日"),
        (90, "90 days", "90日"),
        (3, "3 days", "3日"),
    ],
)
def test_a_period_is_said_as_people_say_it(days: int, english: str, japanese: str) -> None:
    assert period("en", days) == english
    assert period("ja", days) == japanese


def test_the_methods_periods_read_as_before() -> None:
    """The rules now come from bot/domain; with the method's values the texts are unchanged."""
    assert "Follow up a week after the sale" in t("en", "advice_won", period=period("en", AFTER_SALE_DAYS))
    assert "納品1週間後にフォロー" in t("ja", "advice_won", period=period("ja", AFTER_SALE_DAYS))
    assert "no customers won a year or more ago yet" in t(
        "en", "analytics_retention_none", reference="50%", period=period("en", RETENTION_AFTER_DAYS)
    )


def _literal_keys(path: Path, name: str) -> set[str]:
    """The keys of the dict literal assigned to `name` in a catalogue file."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        target = node.target if isinstance(node, ast.AnnAssign) else None
        if isinstance(target, ast.Name) and target.id == name and isinstance(node.value, ast.Dict):
            return {key.value for key in node.value.keys if isinstance(key, ast.Constant)}
    return set()


@pytest.mark.parametrize(("base", "topic_dict"), [("en.py", "EN"), ("ja.py", "JA")])
def test_no_topic_file_shadows_another_or_the_main_catalogue(base: str, topic_dict: str) -> None:
    """The topic files are merged into one catalogue: a key in two of them would silently show one
    feature's text in another's reply."""
    seen = {key: base for key in _literal_keys(BOT / "i18n" / base, "MESSAGES")}
    for path in sorted((BOT / "i18n").glob("*.py")):
        if path.name in ("__init__.py", "en.py", "ja.py"):
            continue
        for key in _literal_keys(path, topic_dict):
            assert key not in seen, f"{key} is in both {seen[key]} and {path.name}"
            seen[key] = path.name
