# Full-width and look-alike characters are what many of these tests are about.
# ruff: noqa: RUF001
"""Command text → typed requests (bot/domain/parsing.py, SPEC §3)."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from bot.domain.activities import ActivityKind
from bot.domain.parsing import (
    MAX_AMOUNT,
    MAX_NAME,
    MAX_NOTE,
    AccountEdit,
    AccountQuery,
    DealRequest,
    FollowupRequest,
    ParseError,
    Prefer,
    PyramidRequest,
    TouchRequest,
    TroubleRequest,
    find_date_suffix,
    parse_account,
    parse_amount,
    parse_date,
    parse_deal,
    parse_followup,
    parse_meeting,
    parse_pyramid,
    parse_trouble,
)

SUNDAY = date(2026, 11, 22)  # the usual "today": a Sunday, so a week ends today
MONDAY = date(2026, 1, 5)  # a Monday early in January, so "last month" and "12/31" cross a year

CALL, EMAIL, VISIT, MEAL = ActivityKind.CALL, ActivityKind.EMAIL, ActivityKind.VISIT, ActivityKind.MEAL
PROPOSED, WON, LOST = ActivityKind.PROPOSED, ActivityKind.WON, ActivityKind.LOST


def error_of(call: object, *args: object) -> ParseError:
    """The ParseError `call(*args)` raises."""
    assert callable(call)
    with pytest.raises(ParseError) as caught:
        call(*args)
    return caught.value


# ---------------------------------------------------------------------------------------------
# ParseError


def test_parse_error_carries_code_and_params() -> None:
    error = ParseError("note_too_long", limit=1000, length=1200)
    assert isinstance(error, ValueError)
    assert error.code == "note_too_long"
    assert error.params == {"limit": 1000, "length": 1200}
    assert "note_too_long" in str(error)


def test_parse_error_without_params() -> None:
    error = ParseError("empty_account")
    assert (error.code, error.params, str(error)) == ("empty_account", {}, "empty_account")


def test_requests_are_frozen() -> None:
    request = parse_meeting("Acme", SUNDAY)
    with pytest.raises(dataclasses.FrozenInstanceError):
        request.account = "Other"  # type: ignore[misc]


# ---------------------------------------------------------------------------------------------
# Keywords


TOUCH_WORDS = [
    ("call", CALL),
    ("phone", CALL),
    ("電話", CALL),
    ("email", EMAIL),
    ("mail", EMAIL),
    ("e-mail", EMAIL),
    ("メール", EMAIL),
    ("visit", VISIT),
    ("meeting", VISIT),
    ("訪問", VISIT),
    ("面談", VISIT),
    ("商談", VISIT),
    ("meal", MEAL),
    ("lunch", MEAL),
    ("dinner", MEAL),
    ("drinks", MEAL),
    ("会食", MEAL),
    ("飲み", MEAL),
    ("食事", MEAL),
    ("ランチ", MEAL),
    # case, full-width letters and half-width kana fold onto the keywords
    ("CALL", CALL),
    ("Phone", CALL),
    ("Ｃａｌｌ", CALL),
    ("E-Mail", EMAIL),
    ("ｅ－ｍａｉｌ", EMAIL),
    ("ﾒｰﾙ", EMAIL),
    ("ﾗﾝﾁ", MEAL),
]

DEAL_WORDS = [
    ("proposed", PROPOSED),
    ("proposal", PROPOSED),
    ("propose", PROPOSED),
    ("提案", PROPOSED),
    ("won", WON),
    ("win", WON),
    ("受注", WON),
    ("lost", LOST),
    ("lose", LOST),
    ("失注", LOST),
    ("WON", WON),
    ("Lost", LOST),
    ("ｗｏｎ", WON),
]


@pytest.mark.parametrize(("word", "kind"), TOUCH_WORDS)
def test_meeting_kind_keywords(word: str, kind: ActivityKind) -> None:
    assert parse_meeting(f"Acme {word}", SUNDAY) == TouchRequest("Acme", kind, SUNDAY, None)


@pytest.mark.parametrize(("word", "kind"), TOUCH_WORDS)
def test_meeting_kind_keyword_before_a_date(word: str, kind: ActivityKind) -> None:
    assert parse_meeting(f"Acme Corp {word} yesterday", SUNDAY) == TouchRequest(
        "Acme Corp", kind, date(2026, 11, 21), None
    )


@pytest.mark.parametrize(("word", "outcome"), DEAL_WORDS)
def test_deal_outcome_keywords(word: str, outcome: ActivityKind) -> None:
    assert parse_deal(f"Acme {word}", SUNDAY) == DealRequest("Acme", outcome, None, SUNDAY, None, None)


@pytest.mark.parametrize(("word", "_outcome"), DEAL_WORDS)
def test_deal_word_in_a_meeting_is_a_bad_kind(word: str, _outcome: ActivityKind) -> None:
    error = error_of(parse_meeting, f"Acme {word} yesterday", SUNDAY)
    assert (error.code, error.params) == ("bad_kind", {"word": word})


# ---------------------------------------------------------------------------------------------
# Dates


# (text, today, prefer, expected); prefer None means both directions give the same date.
DATES: list[tuple[str, date, Prefer | None, date]] = [
    # words for days
    ("today", SUNDAY, None, SUNDAY),
    ("TODAY", SUNDAY, None, SUNDAY),
    ("Ｔｏｄａｙ", SUNDAY, None, SUNDAY),
    ("今日", SUNDAY, None, SUNDAY),
    ("本日", SUNDAY, None, SUNDAY),
    ("きょう", SUNDAY, None, SUNDAY),
    ("yesterday", SUNDAY, None, date(2026, 11, 21)),
    ("昨日", SUNDAY, None, date(2026, 11, 21)),
    ("きのう", SUNDAY, None, date(2026, 11, 21)),
    ("yesterday", MONDAY, None, date(2026, 1, 4)),
    ("tomorrow", SUNDAY, None, date(2026, 11, 23)),
    ("明日", SUNDAY, None, date(2026, 11, 23)),
    ("あした", SUNDAY, None, date(2026, 11, 23)),
    ("あす", SUNDAY, None, date(2026, 11, 23)),
    ("day after tomorrow", SUNDAY, None, date(2026, 11, 24)),
    ("Day After Tomorrow", SUNDAY, None, date(2026, 11, 24)),
    ("明後日", SUNDAY, None, date(2026, 11, 24)),
    ("あさって", SUNDAY, None, date(2026, 11, 24)),
    ("day before yesterday", SUNDAY, None, date(2026, 11, 20)),
    ("一昨日", SUNDAY, None, date(2026, 11, 20)),
    ("おととい", SUNDAY, None, date(2026, 11, 20)),
    # full dates and months, with a year
    ("2026-11-01", SUNDAY, None, date(2026, 11, 1)),
    ("2026/11/01", SUNDAY, None, date(2026, 11, 1)),
    ("2026-1-5", SUNDAY, None, date(2026, 1, 5)),
    ("2027-04-01", SUNDAY, None, date(2027, 4, 1)),
    ("２０２６－１１－０１", SUNDAY, None, date(2026, 11, 1)),
    ("２０２６／１１／０１", SUNDAY, None, date(2026, 11, 1)),
    ("2028-02-29", SUNDAY, None, date(2028, 2, 29)),
    ("2026-10", SUNDAY, None, date(2026, 10, 1)),
    ("2027/04", SUNDAY, None, date(2027, 4, 1)),
    ("2026年11月1日", SUNDAY, None, date(2026, 11, 1)),
    ("2027年4月1日", SUNDAY, None, date(2027, 4, 1)),
    ("２０２７年４月１日", SUNDAY, None, date(2027, 4, 1)),
    ("2027年4月", SUNDAY, None, date(2027, 4, 1)),
    # month/day without a year: the nearest one in the preferred direction, today included
    ("11/22", SUNDAY, None, SUNDAY),
    ("11/20", SUNDAY, "past", date(2026, 11, 20)),
    ("11/20", SUNDAY, "future", date(2027, 11, 20)),
    ("11/23", SUNDAY, "past", date(2025, 11, 23)),
    ("11/23", SUNDAY, "future", date(2026, 11, 23)),
    ("1/5", SUNDAY, "past", date(2026, 1, 5)),
    ("01/05", SUNDAY, "future", date(2027, 1, 5)),
    ("12/31", SUNDAY, "past", date(2025, 12, 31)),
    ("12/31", SUNDAY, "future", date(2026, 12, 31)),
    ("１１／２０", SUNDAY, "past", date(2026, 11, 20)),
    ("2/29", SUNDAY, "past", date(2024, 2, 29)),
    ("2/29", SUNDAY, "future", date(2028, 2, 29)),
    ("1/5", MONDAY, None, MONDAY),
    ("12/31", MONDAY, "past", date(2025, 12, 31)),
    ("12/31", MONDAY, "future", date(2026, 12, 31)),
    ("1/4", MONDAY, "future", date(2027, 1, 4)),
    ("11月20日", SUNDAY, "past", date(2026, 11, 20)),
    ("11月20日", SUNDAY, "future", date(2027, 11, 20)),
    ("12月25日", SUNDAY, "past", date(2025, 12, 25)),
    ("12月25日", SUNDAY, "future", date(2026, 12, 25)),
    ("１２月２５日", SUNDAY, "future", date(2026, 12, 25)),
    # a bare month is its 1st: a month in progress is this year's (past) or next year's (future)
    ("11月", SUNDAY, "past", date(2026, 11, 1)),
    ("11月", SUNDAY, "future", date(2027, 11, 1)),
    ("12月", SUNDAY, "past", date(2025, 12, 1)),
    ("12月", SUNDAY, "future", date(2026, 12, 1)),
    ("4月", SUNDAY, "past", date(2026, 4, 1)),
    ("4月", SUNDAY, "future", date(2027, 4, 1)),
    ("1月", MONDAY, "past", date(2026, 1, 1)),
    ("1月", MONDAY, "future", date(2027, 1, 1)),
    ("2月", MONDAY, "future", date(2026, 2, 1)),
    # a bare day of the month
    ("22日", SUNDAY, None, SUNDAY),
    ("25日", SUNDAY, "past", date(2026, 10, 25)),
    ("25日", SUNDAY, "future", date(2026, 11, 25)),
    ("31日", SUNDAY, "past", date(2026, 10, 31)),
    ("31日", SUNDAY, "future", date(2026, 12, 31)),
    ("31日", MONDAY, "past", date(2025, 12, 31)),
    ("1日", MONDAY, "future", date(2026, 2, 1)),
    ("30日", date(2026, 1, 31), "future", date(2026, 3, 30)),  # no 30 February
    ("31日", date(2026, 3, 1), "past", date(2026, 1, 31)),
    # relative, English
    ("in 3 days", SUNDAY, None, date(2026, 11, 25)),
    ("in 1 day", SUNDAY, None, date(2026, 11, 23)),
    ("in 0 days", SUNDAY, None, SUNDAY),
    ("In 2 Weeks", SUNDAY, None, date(2026, 12, 6)),
    ("in 1 week", SUNDAY, None, date(2026, 11, 29)),
    ("in 1 month", SUNDAY, None, date(2026, 12, 22)),
    ("in 3 months", SUNDAY, None, date(2027, 2, 22)),
    ("in 1 month", date(2026, 1, 31), None, date(2026, 2, 28)),
    ("in 1 month", MONDAY, None, date(2026, 2, 5)),
    ("in ３ days", SUNDAY, None, date(2026, 11, 25)),
    ("3 days ago", SUNDAY, None, date(2026, 11, 19)),
    ("1 day ago", SUNDAY, None, date(2026, 11, 21)),
    ("2 weeks ago", SUNDAY, None, date(2026, 11, 8)),
    ("1 month ago", SUNDAY, None, date(2026, 10, 22)),
    ("1 month ago", MONDAY, None, date(2025, 12, 5)),
    ("1 month ago", date(2026, 3, 31), None, date(2026, 2, 28)),
    # relative, Japanese
    ("3日後", SUNDAY, None, date(2026, 11, 25)),
    ("３日後", SUNDAY, None, date(2026, 11, 25)),
    ("2週間後", SUNDAY, None, date(2026, 12, 6)),
    ("2週後", SUNDAY, None, date(2026, 12, 6)),
    ("1ヶ月後", SUNDAY, None, date(2026, 12, 22)),
    ("1か月後", SUNDAY, None, date(2026, 12, 22)),
    ("1カ月後", SUNDAY, None, date(2026, 12, 22)),
    ("1ヵ月後", SUNDAY, None, date(2026, 12, 22)),
    ("3ヶ月後", SUNDAY, None, date(2027, 2, 22)),
    ("3日前", SUNDAY, None, date(2026, 11, 19)),
    ("2週間前", SUNDAY, None, date(2026, 11, 8)),
    ("1ヶ月前", SUNDAY, None, date(2026, 10, 22)),
    # weeks and months: next/last week is its Monday, next/last month its 1st
    ("next week", SUNDAY, None, date(2026, 11, 23)),
    ("来週", SUNDAY, None, date(2026, 11, 23)),
    ("last week", SUNDAY, None, date(2026, 11, 9)),
    ("先週", SUNDAY, None, date(2026, 11, 9)),
    ("next week", MONDAY, None, date(2026, 1, 12)),
    ("last week", MONDAY, None, date(2025, 12, 29)),
    ("next month", SUNDAY, None, date(2026, 12, 1)),
    ("来月", SUNDAY, None, date(2026, 12, 1)),
    ("last month", SUNDAY, None, date(2026, 10, 1)),
    ("先月", SUNDAY, None, date(2026, 10, 1)),
    ("next month", MONDAY, None, date(2026, 2, 1)),
    ("last month", MONDAY, None, date(2025, 12, 1)),
    ("next month", date(2026, 12, 31), None, date(2027, 1, 1)),
    # next/last <weekday> is that day of next/last week (weeks start on Monday)
    ("next friday", SUNDAY, None, date(2026, 11, 27)),
    ("last friday", SUNDAY, None, date(2026, 11, 13)),
    ("next monday", SUNDAY, None, date(2026, 11, 23)),
    ("last sunday", SUNDAY, None, date(2026, 11, 15)),
    ("Next Fri", SUNDAY, None, date(2026, 11, 27)),
    ("next friday", MONDAY, None, date(2026, 1, 16)),
    ("last friday", MONDAY, None, date(2026, 1, 2)),
    ("next monday", MONDAY, None, date(2026, 1, 12)),
]

# A bare weekday: the nearest one in the preferred direction; today counts for the past only.
# Today is Sunday 2026-11-22, so the past week runs 11-16 (Mon) .. 11-22 (Sun).
WEEKDAYS = [
    (("monday", "mon", "月曜", "月曜日"), date(2026, 11, 16), date(2026, 11, 23)),
    (("tuesday", "tue", "tues", "火曜", "火曜日"), date(2026, 11, 17), date(2026, 11, 24)),
    (("wednesday", "wed", "水曜", "水曜日"), date(2026, 11, 18), date(2026, 11, 25)),
    (("thursday", "thu", "thur", "thurs", "木曜", "木曜日"), date(2026, 11, 19), date(2026, 11, 26)),
    (("friday", "fri", "Friday", "金曜", "金曜日"), date(2026, 11, 20), date(2026, 11, 27)),
    (("saturday", "sat", "土曜", "土曜日"), date(2026, 11, 21), date(2026, 11, 28)),
    (("sunday", "sun", "SUNDAY", "日曜", "日曜日"), date(2026, 11, 22), date(2026, 11, 29)),
]


def _directions(prefer: Prefer | None) -> list[Prefer]:
    return ["past", "future"] if prefer is None else [prefer]


@pytest.mark.parametrize(
    ("text", "today", "prefer", "expected"),
    [
        (text, today, direction, expected)
        for text, today, prefer, expected in DATES
        for direction in _directions(prefer)
    ],
)
def test_parse_date(text: str, today: date, prefer: Prefer, expected: date) -> None:
    assert parse_date(text, today, prefer) == expected


@pytest.mark.parametrize(
    ("word", "past", "future"),
    [(word, past, future) for words, past, future in WEEKDAYS for word in words],
)
def test_parse_weekday(word: str, past: date, future: date) -> None:
    assert parse_date(word, SUNDAY, "past") == past
    assert parse_date(word, SUNDAY, "future") == future


@pytest.mark.parametrize(
    ("word", "prefer", "expected"),
    [
        ("monday", "past", MONDAY),
        ("monday", "future", date(2026, 1, 12)),
        ("sunday", "past", date(2026, 1, 4)),
        ("sunday", "future", date(2026, 1, 11)),
        ("friday", "past", date(2026, 1, 2)),
        ("friday", "future", date(2026, 1, 9)),
        ("火曜日", "future", date(2026, 1, 6)),
    ],
)
def test_parse_weekday_from_a_monday(word: str, prefer: Prefer, expected: date) -> None:
    assert parse_date(word, MONDAY, prefer) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2026-02-30",
        "2026-13-01",
        "2026-13",
        "2026/00/10",
        "13/45",
        "2/30",
        "0/5",
        "１３／４５",
        "2026年2月30日",
        "13月",
        "32日",
        "0日",
        "11/22/2026",
        "26-11-22",
        "in 99999999999 days",
        "99999999999 months ago",
    ],
)
def test_impossible_dates_are_bad_dates(text: str) -> None:
    for prefer in _directions(None):
        error = error_of(parse_date, text, SUNDAY, prefer)
        assert (error.code, error.params) == ("bad_date", {"word": text})


@pytest.mark.parametrize(
    "text",
    ["", "someday", "next year", "in three days", "3 days", "in 3 fortnights", "1.2M", "120万", "7-11"],
)
def test_words_that_are_no_date_are_bad_dates(text: str) -> None:
    error = error_of(parse_date, text, SUNDAY, "past")
    assert (error.code, error.params) == ("bad_date", {"word": text})


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (["Acme", "in", "3", "days"], (date(2026, 11, 25), 3)),
        (["Acme", "3", "days", "ago"], (date(2026, 11, 19), 3)),
        (["Acme", "day", "after", "tomorrow"], (date(2026, 11, 24), 3)),
        (["Acme", "next", "week"], (date(2026, 11, 23), 2)),
        (["Acme", "tomorrow"], (date(2026, 11, 23), 1)),
        (["tomorrow"], (date(2026, 11, 23), 1)),
        (["Acme", "4/1"], (date(2026, 4, 1), 1)),
        (["Acme", "明後日"], (date(2026, 11, 24), 1)),
        (["Acme", "3日後"], (date(2026, 11, 25), 1)),
        (["Acme"], None),
        ([], None),
        (["Acme", "3", "days"], None),
        (["Acme", "1.2M"], None),
        (["Acme", "120万"], None),
        (["Acme", "2026"], None),
        (["7-11"], None),
    ],
)
def test_find_date_suffix(words: list[str], expected: tuple[date, int] | None) -> None:
    assert find_date_suffix(words, SUNDAY, "past") == expected


def test_find_date_suffix_takes_the_longest_suffix() -> None:
    # "tomorrow" alone is a date too, but the whole phrase is the longer one.
    assert find_date_suffix(["day", "after", "tomorrow"], SUNDAY, "past") == (date(2026, 11, 24), 3)


def test_find_date_suffix_uses_the_preference() -> None:
    assert find_date_suffix(["Acme", "friday"], SUNDAY, "past") == (date(2026, 11, 20), 1)
    assert find_date_suffix(["Acme", "friday"], SUNDAY, "future") == (date(2026, 11, 27), 1)


def test_find_date_suffix_rejects_an_impossible_date() -> None:
    error = error_of(find_date_suffix, ["Acme", "13/45"], SUNDAY, "past")
    assert (error.code, error.params) == ("bad_date", {"word": "13/45"})


# ---------------------------------------------------------------------------------------------
# Amounts


@pytest.mark.parametrize(
    ("token", "expected"),
    [
        ("1200000", 1_200_000),
        ("1,200,000", 1_200_000),
        ("1.2M", 1_200_000),
        ("1.2m", 1_200_000),
        ("500k", 500_000),
        ("500K", 500_000),
        ("0.5m", 500_000),
        ("2b", 2_000_000_000),
        ("120万", 1_200_000),
        ("1.5億", 150_000_000),
        ("3千", 3_000),
        ("3千万", 30_000_000),
        ("5百万", 5_000_000),
        ("1億2000万", 120_000_000),
        ("120万5000", 1_205_000),
        ("¥1,200,000", 1_200_000),
        ("￥1,200,000", 1_200_000),
        ("$5,000", 5_000),
        ("€750", 750),
        ("1200000円", 1_200_000),
        ("120万円", 1_200_000),
        ("¥120万", 1_200_000),
        ("１２０万", 1_200_000),
        ("１，２００，０００", 1_200_000),
        ("１．２Ｍ", 1_200_000),
        ("1", 1),
        ("1000兆", MAX_AMOUNT),
    ],
)
def test_parse_amount(token: str, expected: int) -> None:
    assert parse_amount(token) == expected


@pytest.mark.parametrize(
    "token",
    [
        "0",
        "0k",
        "-5",
        "-1,000",
        "",
        "$",
        "¥",
        "円",
        "abc",
        "12abc",
        "1.2.3",
        "1.",
        ".5k",
        "0.5",
        "1.2345k",
        "1,20,000",
        "12,00",
        "1,2000",
        "1e6",
        "1.2mm",
        "5k3m",
        "1万2万",
        "4/1",
        "2026-04-01",
        "1001兆",
        "99999999999999999999",
        "M",
    ],
)
def test_bad_amounts(token: str) -> None:
    error = error_of(parse_amount, token)
    assert (error.code, error.params) == ("bad_amount", {"word": token})


# ---------------------------------------------------------------------------------------------
# Notes (shared by every command that takes one)


@pytest.mark.parametrize(
    ("text", "account", "note"),
    [
        ("Acme -- talked about renewal", "Acme", "talked about renewal"),
        ("Acme — talked about renewal", "Acme", "talked about renewal"),
        ("Acme －－ 更新の件", "Acme", "更新の件"),
        ("Acme\u3000--\u3000更新の件", "Acme", "更新の件"),
        ("Acme --    spaced out   ", "Acme", "spaced out"),
        ("Acme -- a -- b", "Acme", "a -- b"),
        ("Acme -- Mixed Case ＡＢＣ", "Acme", "Mixed Case ＡＢＣ"),
        ("Acme --", "Acme", None),
        ("Acme --   ", "Acme", None),
        ("Acme — ", "Acme", None),
        ("Acme", "Acme", None),
        ("Acme--not a note", "Acme--not a note", None),
        ("Acme-Tokyo call", "Acme-Tokyo", None),
    ],
)
def test_notes(text: str, account: str, note: str | None) -> None:
    request = parse_meeting(text, SUNDAY)
    assert (request.account, request.note) == (account, note)


def test_a_note_sees_no_keywords() -> None:
    assert parse_meeting("Acme call -- lunch tomorrow", SUNDAY) == TouchRequest(
        "Acme", CALL, SUNDAY, "lunch tomorrow"
    )


def test_a_leading_separator_makes_the_whole_text_a_note() -> None:
    # Without the leading separator, "-- note" would be read as the account name.
    assert error_of(parse_meeting, "-- only a note", SUNDAY).code == "empty_account"


def test_a_note_of_exactly_max_note_characters_is_accepted() -> None:
    note = "x" * MAX_NOTE
    assert parse_meeting(f"Acme -- {note}", SUNDAY).note == note


@pytest.mark.parametrize("length", [MAX_NOTE + 1, 10_000])
def test_a_longer_note_is_rejected(length: int) -> None:
    error = error_of(parse_meeting, "Acme -- " + "x" * length, SUNDAY)
    assert (error.code, error.params) == ("note_too_long", {"limit": MAX_NOTE, "length": length})


@pytest.mark.parametrize("parse", [parse_meeting, parse_deal, parse_followup])
def test_every_command_limits_its_note(parse: object) -> None:
    error = error_of(parse, "Acme won tomorrow -- " + "y" * 10_000, SUNDAY)
    assert error.code == "note_too_long"


def test_trouble_limits_its_description() -> None:
    error = error_of(parse_trouble, "Acme -- " + "y" * (MAX_NOTE + 1))
    assert (error.code, error.params) == ("note_too_long", {"limit": MAX_NOTE, "length": MAX_NOTE + 1})


# ---------------------------------------------------------------------------------------------
# Names and quotes


@pytest.mark.parametrize(
    ("text", "account", "kind", "on"),
    [
        ('"Acme Today"', "Acme Today", VISIT, SUNDAY),
        ('"Acme Today" call yesterday', "Acme Today", CALL, date(2026, 11, 21)),
        ("「株式会社 アクメ」 電話", "株式会社 アクメ", CALL, SUNDAY),
        ("「Acme Call」", "Acme Call", VISIT, SUNDAY),
        ("“Smart Quotes Inc” email", "Smart Quotes Inc", EMAIL, SUNDAY),
        ("＂Acme Lunch＂ dinner", "Acme Lunch", MEAL, SUNDAY),
        ('Acme "Call"', "Acme Call", VISIT, SUNDAY),
        ('"Acme   Spaced   Out"', "Acme Spaced Out", VISIT, SUNDAY),
        ('"Acme" "Corp" call', "Acme Corp", CALL, SUNDAY),
        ('Acme yesterday "Corp"', "Acme yesterday Corp", VISIT, SUNDAY),
        ('"Acme"call', "Acme", CALL, SUNDAY),
        ('"Acme Corp call', '"Acme Corp', CALL, SUNDAY),
        ("Acme    Corp     call", "Acme Corp", CALL, SUNDAY),
        ("Acme\u3000Corp\u3000電話\u3000昨日", "Acme Corp", CALL, date(2026, 11, 21)),
        ("Ａｃｍｅ　電話　１１／２０", "Ａｃｍｅ", CALL, date(2026, 11, 20)),
        ("Big Fish Co", "Big Fish Co", VISIT, SUNDAY),
        ("Visit Japan", "Visit Japan", VISIT, SUNDAY),
        ("Visit Japan visit", "Visit Japan", VISIT, SUNDAY),
        ("Acme Today", "Acme", VISIT, SUNDAY),
        ("7-Eleven call", "7-Eleven", CALL, SUNDAY),
        ("Route 66 lunch 2 weeks ago", "Route 66", MEAL, date(2026, 11, 8)),
        ("Acme call tomorow", "Acme call tomorow", VISIT, SUNDAY),
    ],
)
def test_names_and_quotes(text: str, account: str, kind: ActivityKind, on: date) -> None:
    assert parse_meeting(text, SUNDAY) == TouchRequest(account, kind, on, None)


@pytest.mark.parametrize("text", ["", "   ", "today", "call", "call yesterday", '""', "「」 call", "-- x"])
def test_empty_account(text: str) -> None:
    assert error_of(parse_meeting, text, SUNDAY).code == "empty_account"


def test_name_of_max_name_characters_is_accepted() -> None:
    name = "a" * MAX_NAME
    assert parse_meeting(name, SUNDAY).account == name


def test_name_longer_than_max_name_is_rejected() -> None:
    error = error_of(parse_meeting, "a" * (MAX_NAME + 1), SUNDAY)
    assert (error.code, error.params) == ("name_too_long", {"limit": MAX_NAME})


def test_name_length_counts_the_joined_name() -> None:
    words = " ".join(["abcd"] * 25)  # 25 * 4 + 24 spaces = 124 characters
    assert error_of(parse_meeting, f"{words} call", SUNDAY).code == "name_too_long"


# ---------------------------------------------------------------------------------------------
# /meeting


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme", TouchRequest("Acme", VISIT, SUNDAY, None)),
        ("Acme call", TouchRequest("Acme", CALL, SUNDAY, None)),
        ("Acme yesterday", TouchRequest("Acme", VISIT, date(2026, 11, 21), None)),
        ("Acme today", TouchRequest("Acme", VISIT, SUNDAY, None)),
        (
            "Acme call yesterday -- discussed renewal",
            TouchRequest("Acme", CALL, date(2026, 11, 21), "discussed renewal"),
        ),
        ("Acme meal 3 days ago", TouchRequest("Acme", MEAL, date(2026, 11, 19), None)),
        ("Acme Corp 会食 先週", TouchRequest("Acme Corp", MEAL, date(2026, 11, 9), None)),
        (
            "アクメ 訪問 昨日 -- 見積もりの件",
            TouchRequest("アクメ", VISIT, date(2026, 11, 21), "見積もりの件"),
        ),
        ("Acme visit friday", TouchRequest("Acme", VISIT, date(2026, 11, 20), None)),
        ("Acme visit sunday", TouchRequest("Acme", VISIT, SUNDAY, None)),
        ("Acme 11/23", TouchRequest("Acme", VISIT, date(2025, 11, 23), None)),
        ("Acme 2026-11-01", TouchRequest("Acme", VISIT, date(2026, 11, 1), None)),
        ("Acme email last friday", TouchRequest("Acme", EMAIL, date(2026, 11, 13), None)),
    ],
)
def test_parse_meeting(text: str, expected: TouchRequest) -> None:
    assert parse_meeting(text, SUNDAY) == expected


def test_parse_meeting_from_a_monday() -> None:
    assert parse_meeting("Acme call monday", MONDAY) == TouchRequest("Acme", CALL, MONDAY, None)
    assert parse_meeting("Acme 12/31", MONDAY).on == date(2025, 12, 31)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Acme tomorrow", "2026-11-23"),
        ("Acme call next week", "2026-11-23"),
        ("Acme in 3 days", "2026-11-25"),
        ("Acme 2026-12-01", "2026-12-01"),
        ("Acme 明日", "2026-11-23"),
        ("Acme next friday", "2026-11-27"),
    ],
)
def test_a_meeting_in_the_future_is_rejected(text: str, iso: str) -> None:
    error = error_of(parse_meeting, text, SUNDAY)
    assert (error.code, error.params) == ("future_date", {"date": iso})


@pytest.mark.parametrize(
    ("text", "word"),
    [("Acme 13/45", "13/45"), ("Acme call 2026-02-30", "2026-02-30"), ("Acme 11/22/2026", "11/22/2026")],
)
def test_a_meeting_with_an_impossible_date(text: str, word: str) -> None:
    error = error_of(parse_meeting, text, SUNDAY)
    assert (error.code, error.params) == ("bad_date", {"word": word})


# ---------------------------------------------------------------------------------------------
# /deal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme won", DealRequest("Acme", WON, None, SUNDAY, None, None)),
        ("Acme won 1.2M yesterday", DealRequest("Acme", WON, 1_200_000, date(2026, 11, 21), None, None)),
        ("Acme 1.2M won", DealRequest("Acme", WON, 1_200_000, SUNDAY, None, None)),
        ("Acme 1.2M won yesterday", DealRequest("Acme", WON, 1_200_000, date(2026, 11, 21), None, None)),
        ("Acme won yesterday 1.2M", DealRequest("Acme", WON, 1_200_000, date(2026, 11, 21), None, None)),
        ("Acme won 3 days ago", DealRequest("Acme", WON, None, date(2026, 11, 19), None, None)),
        ("Acme won 4/1", DealRequest("Acme", WON, None, date(2026, 4, 1), None, None)),
        ("Acme won 2026", DealRequest("Acme", WON, 2026, SUNDAY, None, None)),
        (
            "アクメ 提案 120万 昨日",
            DealRequest("アクメ", PROPOSED, 1_200_000, date(2026, 11, 21), None, None),
        ),
        (
            "Acme proposed ¥1,200,000 -- first draft",
            DealRequest("Acme", PROPOSED, 1_200_000, SUNDAY, "first draft", None),
        ),
        ("Big Fish Co lost 11/20", DealRequest("Big Fish Co", LOST, None, date(2026, 11, 20), None, None)),
        ("Acme 受注 1.5億", DealRequest("Acme", WON, 150_000_000, SUNDAY, None, None)),
        ("ＡＣＭＥ　ＷＯＮ　１．２Ｍ", DealRequest("ＡＣＭＥ", WON, 1_200_000, SUNDAY, None, None)),
        # The last outcome word is the outcome; earlier ones belong to the name.
        ("Win Systems won", DealRequest("Win Systems", WON, None, SUNDAY, None, None)),
        ("Lost Boys Ltd won $5,000", DealRequest("Lost Boys Ltd", WON, 5_000, SUNDAY, None, None)),
        ('"Won Ton" won', DealRequest("Won Ton", WON, None, SUNDAY, None, None)),
        # A lone token before the outcome is the name even when it reads as an amount.
        ("3M won", DealRequest("3M", WON, None, SUNDAY, None, None)),
        ("3M 500k won", DealRequest("3M", WON, 500_000, SUNDAY, None, None)),
        ("Acme 4/1 won", DealRequest("Acme 4/1", WON, None, SUNDAY, None, None)),
        ('Acme "500k" won', DealRequest("Acme 500k", WON, None, SUNDAY, None, None)),
        ("7-Eleven Japan won", DealRequest("7-Eleven Japan", WON, None, SUNDAY, None, None)),
    ],
)
def test_parse_deal(text: str, expected: DealRequest) -> None:
    assert parse_deal(text, SUNDAY) == expected


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("Acme", "missing_outcome", {}),
        ("Acme call", "missing_outcome", {}),
        ("Acme 1.2M yesterday", "missing_outcome", {}),
        ("Lost Boys", "missing_outcome", {}),
        ('"Acme won"', "missing_outcome", {}),
        ('Acme won "x"', "missing_outcome", {}),
        ("won", "empty_account", {}),
        ("won 1.2M yesterday", "empty_account", {}),
        ('"" won', "empty_account", {}),
        ("Acme won 12abc", "bad_amount", {"word": "12abc"}),
        ("Acme won ¥abc", "bad_amount", {"word": "¥abc"}),
        ("Acme won 0", "bad_amount", {"word": "0"}),
        ("Acme won 1.2M 500k", "bad_amount", {"word": "1.2M"}),
        ("Acme 1.2M won 500k", "bad_amount", {"word": "1.2M"}),
        ("Acme won tomorow", "bad_date", {"word": "tomorow"}),
        ("Acme won 2026-02-30", "bad_date", {"word": "2026-02-30"}),
        ("Acme won 26-11-22", "bad_date", {"word": "26-11-22"}),
        ("Acme won yesterday today", "bad_date", {"word": "yesterday"}),
        ("Acme won tomorrow", "future_date", {"date": "2026-11-23"}),
        ("Acme won 2026-12-01", "future_date", {"date": "2026-12-01"}),
        ("Acme won in 3 days", "future_date", {"date": "2026-11-25"}),
    ],
)
def test_parse_deal_errors(text: str, code: str, params: dict[str, object]) -> None:
    error = error_of(parse_deal, text, SUNDAY)
    assert (error.code, error.params) == (code, params)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Acme lost revisit 2027-04 -- budget next fiscal year",
            DealRequest("Acme", LOST, None, SUNDAY, "budget next fiscal year", date(2027, 4, 1)),
        ),
        ("Acme 失注 再訪 4月", DealRequest("Acme", LOST, None, SUNDAY, None, date(2027, 4, 1))),
        ("Acme lost revisit 11/20", DealRequest("Acme", LOST, None, SUNDAY, None, date(2027, 11, 20))),
        ("Acme lost revisit friday", DealRequest("Acme", LOST, None, SUNDAY, None, date(2026, 11, 27))),
        ("Acme lost revisit tomorrow", DealRequest("Acme", LOST, None, SUNDAY, None, date(2026, 11, 23))),
        (
            "Acme lost revisit in 3 months yesterday",
            DealRequest("Acme", LOST, None, date(2026, 11, 21), None, date(2027, 2, 22)),
        ),
        (
            "Acme lost yesterday revisit next month",
            DealRequest("Acme", LOST, None, date(2026, 11, 21), None, date(2026, 12, 1)),
        ),
        (
            "Acme lost 500k revisit 2027-04",
            DealRequest("Acme", LOST, 500_000, SUNDAY, None, date(2027, 4, 1)),
        ),
        (
            "Acme lost revisit 2027-04 500k",
            DealRequest("Acme", LOST, 500_000, SUNDAY, None, date(2027, 4, 1)),
        ),
        ("Acme LOST REVISIT 来月", DealRequest("Acme", LOST, None, SUNDAY, None, date(2026, 12, 1))),
    ],
)
def test_revisit(text: str, expected: DealRequest) -> None:
    assert parse_deal(text, SUNDAY) == expected


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("Acme won revisit 2027-04", "revisit_needs_lost", {}),
        ("Acme proposed revisit 2027-04", "revisit_needs_lost", {}),
        ("Acme 受注 再訪 4月", "revisit_needs_lost", {}),
        ("Acme lost revisit today", "past_date", {"date": "2026-11-22"}),
        ("Acme lost revisit 2026-01-01", "past_date", {"date": "2026-01-01"}),
        ("Acme lost revisit yesterday", "past_date", {"date": "2026-11-21"}),
        ("Acme lost revisit", "missing_date", {}),
        ("Acme lost revisit 500k", "missing_date", {}),
        ("Acme lost revisit soon", "bad_date", {"word": "soon"}),
        ("Acme lost revisit 2027-02-30", "bad_date", {"word": "2027-02-30"}),
        ("Acme lost revisit 2027-04 revisit 2027-05", "bad_date", {"word": "2027-04"}),
    ],
)
def test_revisit_errors(text: str, code: str, params: dict[str, object]) -> None:
    error = error_of(parse_deal, text, SUNDAY)
    assert (error.code, error.params) == (code, params)


# ---------------------------------------------------------------------------------------------
# /followup


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme tomorrow -- send quote", FollowupRequest("Acme", date(2026, 11, 23), "send quote")),
        ("Acme today", FollowupRequest("Acme", SUNDAY, None)),
        ("Acme in 2 weeks", FollowupRequest("Acme", date(2026, 12, 6), None)),
        ("Acme Corp next week", FollowupRequest("Acme Corp", date(2026, 11, 23), None)),
        ("Acme 11/20", FollowupRequest("Acme", date(2027, 11, 20), None)),
        ("Acme 11/22", FollowupRequest("Acme", SUNDAY, None)),
        ("Acme friday", FollowupRequest("Acme", date(2026, 11, 27), None)),
        ("Acme sunday", FollowupRequest("Acme", date(2026, 11, 29), None)),
        ("Acme 4月", FollowupRequest("Acme", date(2027, 4, 1), None)),
        ("アクメ 3日後 -- 電話する", FollowupRequest("アクメ", date(2026, 11, 25), "電話する")),
        ("アクメ 来週", FollowupRequest("アクメ", date(2026, 11, 23), None)),
        ('"Acme Tomorrow" tomorrow', FollowupRequest("Acme Tomorrow", date(2026, 11, 23), None)),
    ],
)
def test_parse_followup(text: str, expected: FollowupRequest) -> None:
    assert parse_followup(text, SUNDAY) == expected


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("Acme", "missing_date", {}),
        ("Acme -- call them", "missing_date", {}),
        ('"Acme tomorrow"', "missing_date", {}),
        ("tomorrow", "empty_account", {}),
        ("", "empty_account", {}),
        ("Acme yesterday", "past_date", {"date": "2026-11-21"}),
        ("Acme 2026-11-01", "past_date", {"date": "2026-11-01"}),
        ("Acme 3 days ago", "past_date", {"date": "2026-11-19"}),
        ("Acme 2026-02-30", "bad_date", {"word": "2026-02-30"}),
    ],
)
def test_parse_followup_errors(text: str, code: str, params: dict[str, object]) -> None:
    error = error_of(parse_followup, text, SUNDAY)
    assert (error.code, error.params) == (code, params)


# ---------------------------------------------------------------------------------------------
# /trouble


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme -- delivery two weeks late", TroubleRequest("Acme", "delivery two weeks late")),
        ("「Acme Corp」 -- 納期遅延", TroubleRequest("Acme Corp", "納期遅延")),
        ("Acme won yesterday -- wrong invoice", TroubleRequest("Acme won yesterday", "wrong invoice")),
        ("Acme — broken unit", TroubleRequest("Acme", "broken unit")),
    ],
)
def test_parse_trouble(text: str, expected: TroubleRequest) -> None:
    assert parse_trouble(text) == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Acme", "missing_note"),
        ("Acme --", "missing_note"),
        ("-- it broke", "empty_account"),
        ("", "empty_account"),
    ],
)
def test_parse_trouble_errors(text: str, code: str) -> None:
    assert error_of(parse_trouble, text).code == code


# ---------------------------------------------------------------------------------------------
# /account


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Acme", AccountQuery("Acme")),
        ("Acme Corp", AccountQuery("Acme Corp")),
        ("「株式会社 アクメ」", AccountQuery("株式会社 アクメ")),
        ("Owner Inc", AccountQuery("Owner Inc")),
        ("Segment", AccountQuery("Segment")),
        ("Acme -- x", AccountQuery("Acme -- x")),
        ("Acme owner <@U123ABC|bob>", AccountEdit("Acme", "owner", "U123ABC")),
        ("Acme owner <@U123ABC>", AccountEdit("Acme", "owner", "U123ABC")),
        ("Acme Corp OWNER <@W0ABC9>", AccountEdit("Acme Corp", "owner", "W0ABC9")),
        ("Acme ｏｗｎｅｒ <@U1|bob>", AccountEdit("Acme", "owner", "U1")),
        ("Acme owner <@U1|bob smith>", AccountEdit("Acme", "owner", "U1")),
        ("アクメ 担当 <@U1|bob>", AccountEdit("アクメ", "owner", "U1")),
        ("Acme segment strategic", AccountEdit("Acme", "segment", "strategic")),
        ("Acme segment Key Accounts", AccountEdit("Acme", "segment", "Key Accounts")),
        ("アクメ セグメント 戦略", AccountEdit("アクメ", "segment", "戦略")),
        ("Acme rename Acme Holdings", AccountEdit("Acme", "rename", "Acme Holdings")),
        ("Acme rename 「Acme  Holdings」", AccountEdit("Acme", "rename", "Acme Holdings")),
        (
            "アクメ 名前変更 アクメ ホールディングス",
            AccountEdit("アクメ", "rename", "アクメ ホールディングス"),
        ),
        # The last field word with a value after it splits the name from the edit.
        ("Owner Inc owner <@U1>", AccountEdit("Owner Inc", "owner", "U1")),
        ('"Owner Inc" owner <@U1>', AccountEdit("Owner Inc", "owner", "U1")),
        ("Acme Segment Co segment strategic", AccountEdit("Acme Segment Co", "segment", "strategic")),
        ("Acme rename Acme Owner", AccountEdit("Acme", "rename", "Acme Owner")),
        # ... so a new name containing a field word needs quotes.
        ("Acme rename Segment Co", AccountEdit("Acme rename", "segment", "Co")),
        ('Acme rename "Segment Co"', AccountEdit("Acme", "rename", "Segment Co")),
    ],
)
def test_parse_account(text: str, expected: AccountQuery | AccountEdit) -> None:
    assert parse_account(text) == expected


@pytest.mark.parametrize(
    ("text", "code", "params"),
    [
        ("", "empty_account", {}),
        ('""', "empty_account", {}),
        ("Acme owner", "missing_value", {"field": "owner"}),
        ("Acme segment", "missing_value", {"field": "segment"}),
        ("Acme rename", "missing_value", {"field": "rename"}),
        ("Acme 名前変更", "missing_value", {"field": "rename"}),
        ('Acme rename ""', "missing_value", {"field": "rename"}),
        ("Acme owner bob", "bad_user", {"word": "bob"}),
        # A plain "@bob" is a name typed, not a user picked (or a command sent unescaped).
        ("Acme owner @bob", "plain_mention", {"word": "@bob"}),
        ("Acme owner ＠佐藤", "plain_mention", {"word": "＠佐藤"}),
        ("Acme owner @bob smith", "plain_mention", {"word": "@bob smith"}),
        ("Acme owner <@U1> <@U2>", "bad_user", {"word": "<@U1> <@U2>"}),
        ("Acme owner <#C123|general>", "bad_user", {"word": "#general"}),
        ("Acme owner <!subteam^S0SALES|@sales>", "plain_mention", {"word": "@sales"}),
        ("Acme owner <@u123>", "bad_user", {"word": "<@u123>"}),
        ("Acme rename " + "n" * (MAX_NAME + 1), "name_too_long", {"limit": MAX_NAME}),
        ("Acme segment " + "s" * (MAX_NAME + 1), "name_too_long", {"limit": MAX_NAME}),
    ],
)
def test_parse_account_errors(text: str, code: str, params: dict[str, object]) -> None:
    error = error_of(parse_account, text)
    assert (error.code, error.params) == (code, params)


# ---------------------------------------------------------------------------------------------
# /pyramid


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", PyramidRequest("team", None, False)),
        ("   ", PyramidRequest("team", None, False)),
        ("team", PyramidRequest("team", None, False)),
        ("チーム", PyramidRequest("team", None, False)),
        ("me", PyramidRequest("me", None, False)),
        ("ME", PyramidRequest("me", None, False)),
        ("ｍｅ", PyramidRequest("me", None, False)),
        ("自分", PyramidRequest("me", None, False)),
        ("<@U123|bob>", PyramidRequest("user", "U123", False)),
        ("<@U123>", PyramidRequest("user", "U123", False)),
        ("detail", PyramidRequest("team", None, True)),
        ("details", PyramidRequest("team", None, True)),
        ("詳細", PyramidRequest("team", None, True)),
        ("me detail", PyramidRequest("me", None, True)),
        ("detail me", PyramidRequest("me", None, True)),
        ("team detail", PyramidRequest("team", None, True)),
        ("<@U123|bob> 詳細", PyramidRequest("user", "U123", True)),
        ("詳細 自分", PyramidRequest("me", None, True)),
        ("自分\u3000詳細", PyramidRequest("me", None, True)),
    ],
)
def test_parse_pyramid(text: str, expected: PyramidRequest) -> None:
    assert parse_pyramid(text) == expected


@pytest.mark.parametrize(
    ("text", "code", "word"),
    [
        ("everyone", "bad_scope", "everyone"),
        ("me team", "bad_scope", "team"),
        ("me <@U1>", "bad_scope", "<@U1>"),
        ("me me", "bad_scope", "me"),
        ("detail stages", "bad_scope", "stages"),
        ("@bob", "plain_mention", "@bob"),
        ("＠bob", "plain_mention", "＠bob"),
        ("detail @bob", "plain_mention", "@bob"),
        ("<@bob>", "bad_user", "<@bob>"),
        ("<!here>", "plain_mention", "@here"),
        ("<#C0SALES|sales>", "bad_scope", "#sales"),
    ],
)
def test_parse_pyramid_errors(text: str, code: str, word: str) -> None:
    error = error_of(parse_pyramid, text)
    assert (error.code, error.params) == (code, {"word": word})


# ---------------------------------------------------------------------------------------------
# Mentions as Slack sends them to a command declared with should_escape: true


@pytest.mark.parametrize(
    ("mention", "user_id"),
    [
        ("<@U0123ABCD|kaz>", "U0123ABCD"),
        ("<@U0123ABCD>", "U0123ABCD"),
        ("<@W0123ABCD|kaz>", "W0123ABCD"),  # Enterprise Grid
        ("<@W0123ABCD>", "W0123ABCD"),
        ("<@U0123ABCD|kaz.tanaka>", "U0123ABCD"),
        ("<@U0123ABCD|佐藤 花子>", "U0123ABCD"),
        ("<@U0123ABCD|>", "U0123ABCD"),
    ],
)
def test_every_escaped_mention_form_reads_as_the_user(mention: str, user_id: str) -> None:
    assert parse_pyramid(mention) == PyramidRequest("user", user_id, False)
    assert parse_pyramid(f"{mention} detail") == PyramidRequest("user", user_id, True)
    assert parse_pyramid(f"詳細　{mention}") == PyramidRequest("user", user_id, True)
    assert parse_account(f"Acme owner {mention}") == AccountEdit("Acme", "owner", user_id)
    assert parse_account(f"株式会社アクメ 担当 {mention}") == AccountEdit("株式会社アクメ", "owner", user_id)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # With escaping on, Slack also turns links, e-mail addresses and channels into markup:
        # the account is still found by the name typed.
        ("<http://acme.com|acme.com>", AccountQuery("acme.com")),
        ("<https://acme.co.jp>", AccountQuery("https://acme.co.jp")),
        ("<mailto:info@acme.com|info@acme.com>", AccountQuery("info@acme.com")),
        ("<#C0SALES|sales> Trading", AccountQuery("#sales Trading")),
        ("<http://acme.com|acme.com> owner <@W0ABC|kaz>", AccountEdit("acme.com", "owner", "W0ABC")),
        ("Acme rename <http://acme.jp|acme.jp>", AccountEdit("Acme", "rename", "acme.jp")),
        ("Acme segment <!here>", AccountEdit("Acme", "segment", "@here")),
        # Angle brackets the user typed (sent as &lt; &gt;, unescaped before parsing) stay.
        ("A<B>C", AccountQuery("A<B>C")),
        ("<Acme>", AccountQuery("<Acme>")),
    ],
)
def test_slack_escapes_other_than_mentions_read_as_typed(
    text: str, expected: AccountQuery | AccountEdit
) -> None:
    assert parse_account(text) == expected
