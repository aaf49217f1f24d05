"""What Japanese reps really type (issue 13), family by family, against a fixed "today".

Today is Sunday 2026-11-29 (令和8年). Each case names the date, amount or kind it must read, so a
change that reads one of them differently fails here with the phrase that broke.
"""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.activities import ActivityKind
from bot.domain.numerals import arabic_numerals, kanji_run_value
from bot.domain.parsing import (
    ParseError,
    Prefer,
    parse_amount,
    parse_deal,
    parse_followup,
    parse_meeting,
    parse_trouble,
)
from bot.domain.stages import Evidence, step_for

TODAY = date(2026, 11, 29)  # a Sunday


# ------------------------------------------------------------------------------- dates
FOLLOWUP_DATES = [
    # a date with its weekday, as written in Japanese
    ("12/4(金)", date(2026, 12, 4)),
    ("12/4（金）", date(2026, 12, 4)),
    ("12/4(金曜)", date(2026, 12, 4)),
    ("12/4(金曜日)", date(2026, 12, 4)),
    ("12/4 (金)", date(2026, 12, 4)),
    ("１２／４（金）", date(2026, 12, 4)),
    ("12月10日(木)", date(2026, 12, 10)),
    ("2027年1月8日(金)", date(2027, 1, 8)),
    ("12/4 (fri)", date(2026, 12, 4)),
    ("明日(月)", date(2026, 11, 30)),
    # weeks
    ("来週の水曜", date(2026, 12, 2)),
    ("来週水曜", date(2026, 12, 2)),
    ("来週水曜日", date(2026, 12, 2)),
    ("来週 水曜", date(2026, 12, 2)),
    ("再来週", date(2026, 12, 7)),
    ("再来週の月曜", date(2026, 12, 7)),
    ("再来週金曜", date(2026, 12, 11)),
    ("翌週火曜", date(2026, 12, 1)),
    ("来週", date(2026, 11, 30)),
    # eras
    ("令和8年12月4日", date(2026, 12, 4)),
    ("令和9年1月", date(2027, 1, 1)),
    ("R8.12.4", date(2026, 12, 4)),
    ("r8/12/24", date(2026, 12, 24)),
    ("Ｒ８．１２．４", date(2026, 12, 4)),
    # relative
    ("半年後", date(2027, 5, 29)),
    ("1年後", date(2027, 11, 29)),
    ("一年後", date(2027, 11, 29)),
    ("2年後", date(2028, 11, 29)),
    ("三日後", date(2026, 12, 2)),
    ("十日後", date(2026, 12, 9)),
    ("二週間後", date(2026, 12, 13)),
    ("三ヶ月後", date(2027, 2, 28)),
    ("3日後", date(2026, 12, 2)),
    ("in 2 years", date(2028, 11, 29)),
    # parts of a month: a period names its first day, an end its last day
    ("月末", date(2026, 11, 30)),
    ("今月末", date(2026, 11, 30)),
    ("今月中", date(2026, 11, 30)),
    ("来月末", date(2026, 12, 31)),
    ("来月中旬", date(2026, 12, 11)),
    ("来月上旬", date(2026, 12, 1)),
    ("来月下旬", date(2026, 12, 21)),
    ("来月頭", date(2026, 12, 1)),
    ("来月15日", date(2026, 12, 15)),
    ("再来月", date(2027, 1, 1)),
    ("再来月末", date(2027, 1, 31)),
    ("12月中旬", date(2026, 12, 11)),
    ("2月末", date(2027, 2, 28)),
    # years
    ("来年4月", date(2027, 4, 1)),
    ("来年4月10日", date(2027, 4, 10)),
    ("来年4月中旬", date(2027, 4, 11)),
    ("再来年1月", date(2028, 1, 1)),
    ("2027年3月末", date(2027, 3, 31)),
    # kanji numerals
    ("十二月四日", date(2026, 12, 4)),
    ("一月十日", date(2027, 1, 10)),
    # the new year and the fiscal year
    ("年明け", date(2027, 1, 4)),
    ("年始", date(2027, 1, 4)),
    ("来期", date(2027, 4, 1)),
    # the same day
    ("今朝", date(2026, 11, 29)),
    ("明朝", date(2026, 11, 30)),
]


@pytest.mark.parametrize(("text", "expected"), FOLLOWUP_DATES)
def test_followup_dates_as_japanese_reps_type_them(text: str, expected: date) -> None:
    request = parse_followup(f"山田商事 {text} -- 提案の件", TODAY)
    assert (request.account, request.due_on, request.note) == ("山田商事", expected, "提案の件")


MEETING_DATES = [
    ("先週金曜", date(2026, 11, 20)),
    ("先週の金曜日", date(2026, 11, 20)),
    ("先週 金曜", date(2026, 11, 20)),
    ("今週金曜", date(2026, 11, 27)),
    ("今週の月曜", date(2026, 11, 23)),
    ("先々週の水曜", date(2026, 11, 11)),
    ("今朝", date(2026, 11, 29)),
    ("昨夜", date(2026, 11, 28)),
    ("昨晩", date(2026, 11, 28)),
    ("11/27(金)", date(2026, 11, 27)),
    ("11月27日（金）", date(2026, 11, 27)),
    ("令和8年11月20日", date(2026, 11, 20)),
    ("R8.11.20", date(2026, 11, 20)),
    ("平成31年4月1日", date(2019, 4, 1)),
    ("令和元年5月1日", date(2019, 5, 1)),
    ("三日前", date(2026, 11, 26)),
    ("一週間前", date(2026, 11, 22)),
    ("半年前", date(2026, 5, 29)),
    ("1年前", date(2025, 11, 29)),
    ("先月末", date(2026, 10, 31)),
    ("先月中旬", date(2026, 10, 11)),
    ("去年12月", date(2025, 12, 1)),
    ("this friday", date(2026, 11, 27)),
    ("十一月二十日", date(2026, 11, 20)),
]


@pytest.mark.parametrize(("text", "expected"), MEETING_DATES)
def test_meeting_dates_as_japanese_reps_type_them(text: str, expected: date) -> None:
    request = parse_meeting(f"山田商事 電話 {text}", TODAY)
    assert (request.account, request.kind, request.on) == ("山田商事", ActivityKind.CALL, expected)


@pytest.mark.parametrize(
    ("text", "prefer"),
    [
        ("12/4(木)", "future"),  # 2026-12-04 is a Friday
        ("12月4日(木曜日)", "future"),
        ("12/4(fri)", "past"),  # the nearest past 12/4 is 2025-12-04, a Thursday
        ("来週水曜(木)", "future"),
    ],
)
def test_a_weekday_that_does_not_match_the_date_is_refused_never_guessed(text: str, prefer: Prefer) -> None:
    parse = parse_followup if prefer == "future" else parse_meeting
    with pytest.raises(ParseError) as raised:
        parse(f"山田商事 {text}", TODAY)
    assert raised.value.code == "weekday_mismatch"
    assert raised.value.params["word"] == text


@pytest.mark.parametrize("text", ["令和8年2月30日", "R8.13.1", "来年2月30日", "半月後", "来月32日"])
def test_impossible_japanese_dates_say_bad_date(text: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_followup(f"山田商事 {text}", TODAY)
    assert raised.value.code == "bad_date"


def test_a_name_that_merely_contains_a_numeral_is_still_a_name() -> None:
    assert parse_meeting("三井物産 訪問", TODAY).account == "三井物産"
    assert parse_meeting("一休 電話 昨日", TODAY).account == "一休"
    assert parse_meeting("十勝食品", TODAY).account == "十勝食品"


# ------------------------------------------------------------------------------- amounts
AMOUNTS = [
    ("三千万", 30_000_000),
    ("三千万円", 30_000_000),
    ("一億二千万円", 120_000_000),
    ("一億二千万", 120_000_000),
    ("千五百万", 15_000_000),
    ("十万円", 100_000),
    ("百二十万", 1_200_000),
    ("3千万", 30_000_000),
    ("1億2000万", 120_000_000),
    ("1億2,000万円", 120_000_000),
    ("税抜1200万", 12_000_000),
    ("税込1320万円", 13_200_000),
    ("1200万(税別)", 12_000_000),
    ("1200万円（税抜）", 12_000_000),
    ("1200万円(税込)", 12_000_000),
    ("約1200万", 12_000_000),
    ("概算500万", 5_000_000),
    ("1200万くらい", 12_000_000),
    ("年間600万円", 6_000_000),
    ("年額600万", 6_000_000),
    # a monthly fee is stored as its yearly value
    ("月額50万", 6_000_000),
    ("月額５０万円", 6_000_000),
    ("50万/月", 6_000_000),
    ("１２００万", 12_000_000),
]


@pytest.mark.parametrize(("text", "expected"), AMOUNTS)
def test_amounts_as_japanese_reps_type_them(text: str, expected: int) -> None:
    assert parse_amount(text) == expected
    request = parse_deal(f"山田商事 受注 {text} 昨日", TODAY)
    assert (request.account, request.amount, request.on) == ("山田商事", expected, date(2026, 11, 28))


@pytest.mark.parametrize("text", ["三井", "約", "税込", "月額", "億千"])
def test_words_that_are_not_amounts(text: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_amount(text)
    assert raised.value.code == "bad_amount"


@pytest.mark.parametrize(
    ("run", "value"),
    [("一", 1), ("十", 10), ("十二", 12), ("二十", 20), ("百二十", 120), ("三千", 3000), ("二〇二六", 2026)],
)
def test_kanji_number_runs(run: str, value: int) -> None:
    assert kanji_run_value(run) == value


def test_kanji_numerals_leave_arabic_multipliers_alone() -> None:
    assert arabic_numerals("3千万") == "3千万"
    assert arabic_numerals("一億二千万円") == "1億2000万円"


# ------------------------------------------------------------------------------- kinds
MEETING_KINDS = [
    ("打ち合わせ", ActivityKind.VISIT),
    ("打合せ", ActivityKind.VISIT),
    ("打合わせ", ActivityKind.VISIT),
    ("ミーティング", ActivityKind.VISIT),
    ("MTG", ActivityKind.VISIT),
    ("往訪", ActivityKind.VISIT),
    ("来訪", ActivityKind.VISIT),
    ("来社", ActivityKind.VISIT),
    # a meeting on a screen is a remote touch, not a meeting in person
    ("オンライン", ActivityKind.CALL),
    ("web会議", ActivityKind.CALL),
    ("Web会議", ActivityKind.CALL),
    ("ウェブ会議", ActivityKind.CALL),
    ("Zoom", ActivityKind.CALL),
    ("TEL", ActivityKind.CALL),
    ("ＴＥＬ", ActivityKind.CALL),
    ("架電", ActivityKind.CALL),
    ("接待", ActivityKind.MEAL),
    ("懇親会", ActivityKind.MEAL),
    ("夕食", ActivityKind.MEAL),
    ("昼食", ActivityKind.MEAL),
    ("飲み会", ActivityKind.MEAL),
]


@pytest.mark.parametrize(("word", "kind"), MEETING_KINDS)
def test_meeting_kinds_as_japanese_reps_type_them(word: str, kind: ActivityKind) -> None:
    request = parse_meeting(f"ABC物流 {word} 昨日", TODAY)
    assert (request.account, request.kind, request.on) == ("ABC物流", kind, date(2026, 11, 28))


@pytest.mark.parametrize(
    ("word", "kind", "step"),
    [
        ("見積", ActivityKind.PROPOSED, "proposed"),
        ("見積提出", ActivityKind.PROPOSED, "proposed"),
        ("見積もり", ActivityKind.PROPOSED, "proposed"),
        ("成約", ActivityKind.WON, "won"),
        ("契約", ActivityKind.WON, "won"),
        ("発注", ActivityKind.WON, "won"),
        ("内示", ActivityKind.WON, "won"),
        ("見送り", ActivityKind.LOST, "name_only"),
        ("不採用", ActivityKind.LOST, "name_only"),
        ("辞退", ActivityKind.LOST, "name_only"),
    ],
)
def test_deal_outcomes_as_japanese_reps_type_them_reach_the_right_step(
    word: str, kind: ActivityKind, step: str
) -> None:
    request = parse_deal(f"ABC物流 {word} 1200万", TODAY)
    assert (request.account, request.outcome, request.amount) == ("ABC物流", kind, 12_000_000)
    assert step_for(Evidence().plus(request.outcome)).value == step


# ------------------------------------------------------------------------------- separators
@pytest.mark.parametrize(
    "text",
    [
        "丸山印刷 電話 昨日 -- 色違いの件",
        "丸山印刷 電話 昨日 --色違いの件",
        "丸山印刷 電話 昨日 ーー 色違いの件",
        "丸山印刷 電話 昨日 ーー色違いの件",
        "丸山印刷 電話 昨日 ―― 色違いの件",
        "丸山印刷 電話 昨日 −− 色違いの件",
        "丸山印刷 電話 昨日 －－ 色違いの件",
        "丸山印刷 電話 昨日 —— 色違いの件",
        "丸山印刷 電話 昨日 — 色違いの件",
        "丸山印刷　電話　昨日　ーー　色違いの件",
    ],
)
def test_note_separators_as_a_japanese_ime_types_them(text: str) -> None:
    request = parse_meeting(text, TODAY)
    assert (request.account, request.kind, request.on, request.note) == (
        "丸山印刷",
        ActivityKind.CALL,
        date(2026, 11, 28),
        "色違いの件",
    )


def test_a_long_vowel_mark_inside_a_word_is_not_a_separator() -> None:
    assert parse_meeting("コーヒーー商会 訪問", TODAY).account == "コーヒーー商会"


def test_trouble_with_a_japanese_separator() -> None:
    request = parse_trouble("丸山印刷 ーー 色違い")
    assert (request.account, request.what) == ("丸山印刷", "色違い")


# ------------------------------------------------------------------------------- help
@pytest.mark.parametrize("word", ["help", "HELP", "ヘルプ", "?", "？", "使い方"])
def test_help_is_never_an_account(word: str) -> None:
    for parse in (
        lambda text: parse_meeting(text, TODAY),
        lambda text: parse_followup(text, TODAY),
        parse_trouble,
    ):
        with pytest.raises(ParseError) as raised:
            parse(word)
        assert raised.value.code == "help"


def test_an_account_called_help_can_still_be_logged_in_quotes() -> None:
    assert parse_meeting('"Help"', TODAY).account == "Help"


# ------------------------------------------------------------------------------- names
@pytest.mark.parametrize(
    ("text", "account"),
    [
        ("山田商事様 訪問", "山田商事"),
        ("山田商事 様 訪問", "山田商事"),
        ("山田商事御中 メール", "山田商事"),
        ("山田商事 御中 メール", "山田商事"),
        ("山田商事さん 電話", "山田商事"),
        ("(株)山田商事様 訪問", "(株)山田商事"),
        ("様 訪問", "様"),  # nothing left but the honorific: that is the name
        ('"お客様" 訪問', "お客様"),
    ],
)
def test_honorifics_are_not_part_of_the_name(text: str, account: str) -> None:
    assert parse_meeting(text, TODAY).account == account


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (1_200_000, "120万円"),
        (120_000_000, "1億2,000万円"),
        (300_000_000, "3億円"),
        (1_234_500_000_000, "12,345億円"),
        (12_345_678, "¥12,345,678"),
    ],
)
def test_amounts_are_shown_in_oku_and_man(amount: int, shown: str) -> None:
    from bot.views.blocks import fmt_amount

    assert fmt_amount(amount, "ja") == shown
    assert parse_amount(shown) == amount


# ------------------------------------------------------------------------------- company names
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("医療法人社団 山田会", "山田会"),
        ("医療法人 山田会", "(医)山田会"),
        ("一般社団法人 日本営業協会", "日本営業協会"),
        ("公益財団法人日本営業財団", "(公財)日本営業財団"),
        ("社会福祉法人 さくら会", "(福)さくら会"),
        ("学校法人 山田学園", "山田学園"),
        ("特定非営利活動法人 営業支援", "NPO法人営業支援"),
        ("㈾丸山印刷", "丸山印刷"),
        ("合名会社丸山印刷", "(名)丸山印刷"),
        ("山田商事様", "山田商事"),
        ("山田商事 御中", "山田商事"),
        ("山田商事さん", "山田商事"),
        ("山田 商事", "山田商事"),
        ("ABC 物流", "ABC物流"),
        ("ＡＢＣ　物流", "abc物流"),
    ],
)
def test_japanese_company_names_share_one_key(first: str, second: str) -> None:
    from bot.domain.names import name_key

    assert name_key(first) == name_key(second)


@pytest.mark.parametrize(
    ("first", "second"), [("Big Fish", "Bigfish"), ("山田商事", "山田商会"), ("様", "殿")]
)
def test_names_that_stay_apart(first: str, second: str) -> None:
    from bot.domain.names import name_key

    assert name_key(first) != name_key(second)


def test_a_two_character_japanese_name_is_suggested() -> None:
    from bot.domain.names import name_key, near_matches

    found = near_matches(name_key("大和"), [name_key("大和電機(株)"), name_key("山田商事")])
    assert [match.key for match in found] == [name_key("大和電機(株)")]
    assert near_matches("ab", ["abc corp"]) == []  # two letters are still too short to judge


@pytest.mark.parametrize(
    ("text", "account", "what"),
    [("丸山印刷 色違い", "丸山印刷", "色違い"), ("丸山印刷 納期 遅れ", "丸山印刷", "納期 遅れ")],
)
def test_trouble_without_a_separator_asks_instead_of_guessing(text: str, account: str, what: str) -> None:
    with pytest.raises(ParseError) as raised:
        parse_trouble(text)
    assert raised.value.code == "trouble_without_separator"
    assert raised.value.params == {"account": account, "what": what}
