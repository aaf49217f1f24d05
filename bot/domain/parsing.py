"""Slash-command text → typed requests (SPEC §3).

Pure: no I/O and no clock. "Today" is always a parameter, so the same text means the same
request in Slack, in the console and in tests.

Text is read **from the end**: an optional note after ` -- `, then an optional date, then an
optional kind or outcome (for deals also an amount); what is left is the account name. Reading
from the end lets account names be free text: only a name that ends in a keyword or a date
needs quotes (`"..."`, `“...”` or `「...」`), and a quoted token is never read as a keyword.

Keywords match after Unicode NFKC and case folding, so full-width letters and digits, half-width
kana and capitals all work. Names and notes are returned as typed (whitespace collapsed in
names); normalising names for matching is the account-matching rule's job, not this module's.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from dateutil.relativedelta import relativedelta

# The field limits, ParseError and the checks of a log live in one place for the commands and the modal.
from bot.domain import fields
from bot.domain.activities import ActivityKind
from bot.domain.dates_ja import japanese_date, weekday_of_char
from bot.domain.fields import MAX_AMOUNT as MAX_AMOUNT
from bot.domain.fields import MAX_NAME as MAX_NAME
from bot.domain.fields import MAX_NOTE as MAX_NOTE
from bot.domain.fields import ParseError as ParseError
from bot.domain.numerals import arabic_numerals
from bot.domain.recovery import Cause, cause_of
from bot.domain.stages import LADDER, Step
from bot.domain.winback import LostReason, reason_of

# The longest date phrase is three words ("in 3 days", "3 weeks ago", "day after tomorrow").
MAX_DATE_WORDS = 3

Prefer = Literal["past", "future"]
AccountField = Literal["owner", "segment", "rename", "contact"]
PyramidScope = Literal["team", "me", "user"]


# ---------------------------------------------------------------------------------------------
# Typed requests


@dataclass(frozen=True)
class TouchRequest:
    account: str
    kind: ActivityKind
    on: date
    note: str | None


@dataclass(frozen=True)
class DealRequest:
    account: str
    outcome: ActivityKind
    amount: int | None
    on: date
    note: str | None
    revisit_on: date | None
    lost_reason: LostReason | None = None  # only for a lost deal; None: not said (never guessed)


@dataclass(frozen=True)
class FollowupRequest:
    account: str
    due_on: date
    note: str | None


@dataclass(frozen=True)
class TroubleRequest:
    account: str
    what: str
    cause: Cause | None = None  # picked by a keyword before " -- " (domain.recovery.CAUSE_ALIASES)


@dataclass(frozen=True)
class AccountQuery:
    account: str


@dataclass(frozen=True)
class AccountEdit:
    account: str
    field: AccountField
    value: str


@dataclass(frozen=True)
class StepSet:
    """`<account> step <key> -- <reason>`: a manager sets the step by hand (the reason is required)."""

    account: str
    step: Step
    reason: str


@dataclass(frozen=True)
class MergeRequest:
    """`<account> merge <other> [-- reason]`: `other` is folded into `account`."""

    account: str
    other: str
    reason: str | None


StatusVerb = Literal["archive", "restore", "lost"]


@dataclass(frozen=True)
class StatusChange:
    """`<account> archive|restore [-- reason]` · `<account> lost -- <reason>`."""

    account: str
    verb: StatusVerb
    reason: str | None


# What only a manager may do to an account (SPEC §2 "Corrections").
AccountCorrection = StepSet | MergeRequest | StatusChange


@dataclass(frozen=True)
class PyramidRequest:
    scope: PyramidScope
    user_id: str | None
    detail: bool


# ---------------------------------------------------------------------------------------------
# Keywords (all keys are already NFKC + casefolded, the form `_fold` produces)

_KIND_WORDS: dict[str, ActivityKind] = {
    **dict.fromkeys(("call", "phone", "tel", "電話", "架電", "電話連絡"), ActivityKind.CALL),
    # A meeting on a screen is not meeting in person (SPEC §2 counts visits and meals only):
    # it is a remote touch, like a call.
    **dict.fromkeys(
        (
            "online",
            "web",
            "zoom",
            "teams",
            "オンライン",
            "web会議",
            "ウェブ会議",
            "オンライン会議",
            "オンライン商談",
        ),
        ActivityKind.CALL,
    ),
    **dict.fromkeys(("email", "mail", "e-mail", "メール"), ActivityKind.EMAIL),
    **dict.fromkeys(
        ("letter", "postcard", "手紙", "はがき", "ハガキ", "葉書", "お便り", "礼状"),
        ActivityKind.LETTER,
    ),
    **dict.fromkeys(
        (
            "visit",
            "meeting",
            "mtg",
            "訪問",
            "面談",
            "商談",
            "往訪",
            "来訪",
            "来社",
            "打ち合わせ",
            "打合せ",
            "打ち合せ",
            "打合わせ",
            "ミーティング",
        ),
        ActivityKind.VISIT,
    ),
    **dict.fromkeys(
        (
            "meal",
            "lunch",
            "dinner",
            "drinks",
            "会食",
            "飲み",
            "飲み会",
            "食事",
            "ランチ",
            "夕食",
            "昼食",
            "ディナー",
            "接待",
            "懇親会",
        ),
        ActivityKind.MEAL,
    ),
    **dict.fromkeys(
        (
            "proposed",
            "proposal",
            "propose",
            "quote",
            "quoted",
            "提案",
            "見積",
            "見積り",
            "見積もり",
            "見積提出",
            "見積書",
            "提案書提出",
        ),
        ActivityKind.PROPOSED,
    ),
    # 内示 is the customer's informal award before the purchase order: the deal is won.
    **dict.fromkeys(("won", "win", "受注", "成約", "契約", "契約締結", "発注", "内示"), ActivityKind.WON),
    **dict.fromkeys(("lost", "lose", "失注", "見送り", "不採用", "辞退", "ロスト"), ActivityKind.LOST),
}
_HONORIFICS = ("御中", "様", "さま", "さん", "殿")
# Words that ask how a command works: never an account called "help".
_HELP_WORDS = frozenset({"help", "?", "ヘルプ", "使い方"})
_REVISIT_WORDS = frozenset({"revisit", "再訪"})
_FIELD_WORDS: dict[str, AccountField] = {
    "owner": "owner",
    "担当": "owner",
    "担当者": "owner",
    "segment": "segment",
    "セグメント": "segment",
    "rename": "rename",
    "名前変更": "rename",
    # The customer's person (the win-back letter's addressee). 担当 / 担当者 stay the rep who owns it.
    **dict.fromkeys(("contact", "窓口", "先方担当", "先方担当者", "先方窓口", "担当窓口"), "contact"),
}
# A manager's corrections. 失注 is not here: it is a deal's outcome (/deal), not the account's status;
# 離反 is what a Japanese sales team calls a customer who left.
_CORRECTION_WORDS: dict[str, Literal["step", "merge"] | StatusVerb] = {
    **dict.fromkeys(("step", "ステップ", "段階"), "step"),
    **dict.fromkeys(("merge", "統合", "マージ", "名寄せ"), "merge"),
    **dict.fromkeys(("archive", "アーカイブ"), "archive"),
    **dict.fromkeys(("restore", "unarchive", "復元", "戻す", "復活"), "restore"),
    **dict.fromkeys(("lost", "離反", "喪失", "取引終了"), "lost"),
}
# A step as a manager types it: its key (`met`), its number (`1.3`) or its Japanese name.
_STEP_WORDS: dict[str, Step] = {
    **{step.value: step for step in LADDER},
    **{step.label: step for step in LADDER},
    **{
        "名前のみ": Step.NAME_ONLY,
        "電話・メール済み": Step.REMOTE,
        "電話済み": Step.REMOTE,
        "メール済み": Step.REMOTE,
        "面談1回": Step.MET,
        "面談済み": Step.MET,
        "面談2回以上": Step.MET_TWICE,
        "面談2回": Step.MET_TWICE,
        "会食済み": Step.DINED,
        "提案済み": Step.PROPOSED,
        "受注1件": Step.WON,
        "受注済み": Step.WON,
        "受注2件": Step.REPEAT,
        "リピーター": Step.REPEATER,
    },
}
_ME_WORDS = frozenset({"me", "自分"})
_TEAM_WORDS = frozenset({"team", "チーム"})
_DETAIL_WORDS = frozenset({"detail", "details", "詳細"})

_WEEKDAYS: dict[str, int] = {
    **dict.fromkeys(("monday", "mon"), 0),
    **dict.fromkeys(("tuesday", "tue", "tues"), 1),
    **dict.fromkeys(("wednesday", "wed"), 2),
    **dict.fromkeys(("thursday", "thu", "thur", "thurs"), 3),
    **dict.fromkeys(("friday", "fri"), 4),
    **dict.fromkeys(("saturday", "sat"), 5),
    **dict.fromkeys(("sunday", "sun"), 6),
}
_JA_WEEKDAYS = ("月", "火", "水", "木", "金", "土", "日")
_EN_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Japanese (and kana) date words are spelled out as the English phrase they mean, so that one
# set of rules below serves both languages.
_DATE_ALIASES: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("今日", "本日", "きょう"), ("today",)),
    **dict.fromkeys(("昨日", "きのう"), ("yesterday",)),
    **dict.fromkeys(("明日", "あした", "あす"), ("tomorrow",)),
    **dict.fromkeys(("明後日", "あさって"), ("day", "after", "tomorrow")),
    **dict.fromkeys(("一昨日", "おととい"), ("day", "before", "yesterday")),
    "来週": ("next", "week"),
    "先週": ("last", "week"),
    "来月": ("next", "month"),
    "先月": ("last", "month"),
    **{f"{ja}曜": (en,) for ja, en in zip(_JA_WEEKDAYS, _EN_WEEKDAYS, strict=True)},
    **{f"{ja}曜日": (en,) for ja, en in zip(_JA_WEEKDAYS, _EN_WEEKDAYS, strict=True)},
}
_UNITS = {
    **dict.fromkeys(("day", "days", "日"), "days"),
    **dict.fromkeys(("week", "weeks", "週", "週間"), "weeks"),
    **dict.fromkeys(("month", "months", "ヶ月", "か月", "カ月", "ケ月", "ヵ月"), "months"),
    **dict.fromkeys(("year", "years", "年"), "years"),
}

# re.ASCII: after NFKC every digit a user can type is ASCII; this keeps exotic digits out.
_JA_RELATIVE = re.compile(r"(\d+)(日|週間?|[ヶかカケヵ]月)(後|前)", re.ASCII)
_YMD = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", re.ASCII)
_YM = re.compile(r"(\d{4})[-/](\d{1,2})", re.ASCII)
_MD = re.compile(r"(\d{1,2})/(\d{1,2})", re.ASCII)
_JA_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(?:(\d{1,2})日)?", re.ASCII)
_JA_DAY = re.compile(r"(\d{1,2})日", re.ASCII)
# Shaped like a date but in no accepted form ("13/45/2026", "26-11-22"): a mistyped date, which
# deserves "bad date" rather than being swallowed into the account name or read as an amount.
_DATE_LIKE = re.compile(r"\d+/\d+(?:/\d+)?|\d+-\d+-\d+", re.ASCII)

_CURRENCY_SIGNS = "¥$€£"  # NFKC turns the full-width yen and dollar signs into these
_AMOUNT_TERM = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?([kmb]|[百千]?[万億兆]?)", re.ASCII)
# Said around an amount in Japanese quotes (after NFKC, so (税別) has ASCII brackets).
_MONTHLY_WORDS = {"月額": 12, "月々": 12, "毎月": 12}
_AMOUNT_PREFIXES = (
    "約",
    "およそ",
    "概算",
    "税抜き",
    "税抜",
    "税込み",
    "税込",
    "税別",
    "年額",
    "年間",
    *_MONTHLY_WORDS,
)
_AMOUNT_SUFFIXES = (
    "(税別)",
    "(税抜)",
    "(税抜き)",
    "(税込)",
    "(税込み)",
    "税別",
    "税抜",
    "税込",
    "程度",
    "くらい",
    "ぐらい",
    "前後",
    "/年",
)
_MONTHLY_SUFFIXES = {"/月": 12, "/month": 12}
_MULTIPLIERS = {
    "k": 10**3,
    "m": 10**6,
    "b": 10**9,
    "百": 10**2,
    "千": 10**3,
    "万": 10**4,
    "億": 10**8,
    "兆": 10**12,
}

# A command declared with `should_escape: true` (manifest.yml) gets a user picked from Slack's list
# as <@U123ABC|name> or <@U123ABC>; Enterprise Grid user ids start with W. Unescaped, it would be
# the plain text "@name", which names nobody reliably.
_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
# The other escapes such a command gets: channels <#C123|name>, links <https://acme.com|acme.com>,
# e-mail addresses <mailto:a@acme.com|a@acme.com>, special mentions <!here>, <!subteam^S1|@team>.
# Only these forms: a "<" the user typed arrives as "&lt;" and may be unescaped before parsing.
_ESCAPE = re.compile(r"<(#[CG][A-Z0-9]+|![a-z][^<>|]*|[a-z][a-z0-9+.-]*:[^<>|\s]+)(?:\|([^<>]*))?>")
# The note separator, after a space: "--" (a space after it is optional), "—" (what autocorrect
# makes of "--"), or two of the dashes a Japanese IME types: full-width hyphens (－－), long-vowel
# marks (ーー), horizontal bars (――), minus signs (−−) or em dashes (——).
_NOTE_SEPARATOR = re.compile(r"(?:^|\s)(?:--|[\uff0d\u30fc\uff70\u2015\u2212\u2014\u2500]{2}|—(?:\s|$))")
_QUOTES = {'"': '"', "\uff02": "\uff02", "“": "”", "「": "」"}
_SPACE = re.compile(r"\s")
_WEEKDAY_NOTE = re.compile(
    r"\((?:([月火水木金土日])(?:曜日?)?|(" + "|".join(sorted(_WEEKDAYS, key=len, reverse=True)) + r")\.?)\)$"
)


def _as_typed(text: str) -> str:
    """Slack's escapes other than user mentions turned back into what the user typed, so that an
    account called "acme.com" or "#1 Foods" is still found by its name."""

    def typed(escape: re.Match[str]) -> str:
        target, label = escape[1], escape[2]
        if target.startswith("#"):
            return "#" + label if label else escape[0]
        if label is not None:
            return label
        if target.startswith("!"):
            return "@" + target[1:].split("^")[0]
        return target.removeprefix("mailto:")

    return _ESCAPE.sub(typed, text)


def _fold(word: str) -> str:
    """The form keywords are compared in: full-width → ASCII, half-width kana → full, no case."""
    return unicodedata.normalize("NFKC", word).casefold()


# ---------------------------------------------------------------------------------------------
# Notes, tokens, names


@dataclass(frozen=True)
class _Token:
    text: str
    quoted: bool = False

    @property
    def keyword(self) -> str | None:
        """The folded word to look up as a keyword; None for a quoted token, which is always a name."""
        return None if self.quoted else _fold(self.text)


def split_note(text: str) -> tuple[str, str | None]:
    """A command line's text before its note separator (` -- `, `ーー`…) and the note after it."""
    return _split_note(_as_typed(text))


def _split_note(text: str) -> tuple[str, str | None]:
    """Split off the note after the first ` -- ` (a note may itself contain ` -- `)."""
    text = text.strip()
    separator = _NOTE_SEPARATOR.search(text)
    if separator is None:
        return text, None
    return text[: separator.start()], fields.note(text[separator.end() :])


def _tokenize(text: str) -> list[_Token]:
    """Whitespace-separated tokens (str.isspace covers the full-width space U+3000)."""
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        token, position = _read_token(text, position)
        tokens.append(token)
    return tokens


def _read_token(text: str, start: int) -> tuple[_Token, int]:
    """The token starting at `start` and where it ends. A quote opening a token runs to its
    closing quote, spaces included (an unclosed quote is just a character); a Slack escape
    such as <@U123|bob smith> stays one token."""
    closing = _QUOTES.get(text[start])
    if closing is not None and (end := text.find(closing, start + 1)) != -1:
        return _Token(" ".join(text[start + 1 : end].split()), quoted=True), end + 1
    if text.startswith(("<@", "<#", "<!"), start) and (end := text.find(">", start)) != -1:
        return _Token(text[start : end + 1]), end + 1
    space = _SPACE.search(text, start)
    end = space.start() if space else len(text)
    return _Token(text[start:end]), end


def _join(tokens: Sequence[_Token]) -> str:
    return " ".join(token.text for token in tokens if token.text)


def _account_name(tokens: Sequence[_Token]) -> str:
    if len(tokens) == 1 and tokens[0].keyword in _HELP_WORDS:
        # "/meeting help" asks how the command works; an account called Help needs quotes.
        raise ParseError("help")
    name = _join(tokens)
    if tokens and not tokens[-1].quoted:  # a quoted name is taken as it is
        name = _without_honorific(name)
    return fields.account_name(name)


def _without_honorific(name: str) -> str:
    """Reps write to and about companies politely (山田商事様, 山田商事 御中, 山田商事さん); the
    honorific is not part of the company's name."""
    for honorific in _HONORIFICS:
        if name.endswith(honorific) and len(name.removesuffix(honorific).strip()) >= 2:
            return name.removesuffix(honorific).strip()
    return name


def _trailing_words(tokens: Sequence[_Token]) -> list[str]:
    """The unquoted words at the end: only these may be read as a date."""
    words: list[str] = []
    for token in reversed(tokens):
        if token.quoted:
            break
        words.append(token.text)
    return words[::-1]


def _take_date(tokens: Sequence[_Token], today: date, prefer: Prefer) -> tuple[list[_Token], date | None]:
    """Remove a date from the end of `tokens`; return what is left and the date, if any."""
    found = find_date_suffix(_trailing_words(tokens), today, prefer)
    if found is None:
        return list(tokens), None
    day, count = found
    return list(tokens[: len(tokens) - count]), day


# ---------------------------------------------------------------------------------------------
# Dates


def parse_date(text: str, today: date, prefer: Prefer) -> date:
    """The date `text` names. `prefer` picks between the past and future reading of forms that
    name no year or week ("11/30", "4月", "friday"); the nearest one that way wins."""
    words = text.split()
    day = _date_or_none(words, today, prefer) if words else None
    if day is None:
        raise ParseError("bad_date", word=text.strip())
    return day


def find_date_suffix(words: Sequence[str], today: date, prefer: Prefer) -> tuple[date, int] | None:
    """The longest run of words at the end of `words` that reads as a date, as
    (date, number of words), or None. Raises bad_date for a date that cannot exist (2026-02-30)."""
    for count in range(min(MAX_DATE_WORDS, len(words)), 0, -1):
        day = _date_or_none(words[len(words) - count :], today, prefer)
        if day is not None:
            return day, count
    return None


def _date_or_none(words: Sequence[str], today: date, prefer: Prefer) -> date | None:
    folded = [_fold(word) for word in words]
    phrase, weekday = _without_weekday(folded)
    if not phrase:
        return None
    try:
        day = _match_date(_expand_japanese(phrase), today, prefer)
        if day is None:
            # Japanese is written without spaces: "来週 水曜" is "来週水曜".
            japanese = any(not word.isascii() for word in phrase)
            joined = "".join(phrase) if japanese else " ".join(phrase)
            day = japanese_date(joined, today, prefer)
            if day is None and japanese:  # kanji numerals: 十二月四日, 三日後
                day = _match_date(_expand_japanese([arabic_numerals(joined)]), today, prefer)
    except (ValueError, OverflowError):
        # Shaped like a date, but no such day (13/45), or too far away ("in 99999999 days").
        raise ParseError("bad_date", word=" ".join(words)) from None
    if day is not None and weekday is not None and day.weekday() != weekday:
        # "12/4(金)" when the 4th is a Thursday: one of the two is wrong, and guessing which
        # would store the wrong day.
        raise ParseError("weekday_mismatch", word=" ".join(words), date=day.isoformat())
    return day


def _without_weekday(words: list[str]) -> tuple[list[str], int | None]:
    """A date may end with its weekday in brackets, as Japanese write it: 12/4(金), 12月10日(木曜),
    12/4 (fri). Returns the words without it and the weekday it names (Monday = 0)."""
    if not words:
        return words, None
    found = _WEEKDAY_NOTE.search(words[-1])
    if found is None:
        return words, None
    rest = words[-1][: found.start()]
    weekday = weekday_of_char(found[1]) if found[1] else _WEEKDAYS[found[2]]
    return [*words[:-1], rest] if rest else words[:-1], weekday


def _expand_japanese(words: list[str]) -> list[str]:
    """Spell a one-word Japanese date ("明後日", "3日後", "金曜日") as its English phrase."""
    if len(words) != 1:
        return words
    if words[0] in _DATE_ALIASES:
        return list(_DATE_ALIASES[words[0]])
    relative = _JA_RELATIVE.fullmatch(words[0])
    if relative is None:
        return words
    count, unit, direction = relative.groups()
    return ["in", count, unit] if direction == "後" else [count, unit, "ago"]


def _match_date(words: Sequence[str], today: date, prefer: Prefer) -> date | None:
    """The date the folded `words` spell, or None. Raises ValueError for an impossible date."""
    match words:
        case ["today"]:
            return today
        case ["yesterday"]:
            return today - timedelta(days=1)
        case ["tomorrow"]:
            return today + timedelta(days=1)
        case ["day", "after", "tomorrow"]:
            return today + timedelta(days=2)
        case ["day", "before", "yesterday"]:
            return today - timedelta(days=2)
        case ["next" | "last" | "this" as direction, what]:
            return _next_or_last({"next": 1, "last": -1, "this": 0}[direction], what, today)
        case ["in", count, unit]:
            return _shift(today, count, unit, 1)
        case [count, unit, "ago"]:
            return _shift(today, count, unit, -1)
        case [word] if word in _WEEKDAYS:
            return _nearest_weekday(_WEEKDAYS[word], today, prefer)
        case [word]:
            return _match_numeric(word, today, prefer)
        case _:
            return None


def _match_numeric(word: str, today: date, prefer: Prefer) -> date | None:
    if found := _YMD.fullmatch(word):
        return date(int(found[1]), int(found[2]), int(found[3]))
    if found := _YM.fullmatch(word):
        return date(int(found[1]), int(found[2]), 1)
    if found := _MD.fullmatch(word):
        return _nearest_month_day(int(found[1]), int(found[2]), today, prefer)
    if found := _JA_DATE.fullmatch(word):
        year, month, day = found[1], int(found[2]), int(found[3] or 1)
        return date(int(year), month, day) if year else _nearest_month_day(month, day, today, prefer)
    if found := _JA_DAY.fullmatch(word):
        return _nearest_day_of_month(int(found[1]), today, prefer)
    if _DATE_LIKE.fullmatch(word):
        raise ValueError(word)
    return None


def _shift(today: date, count: str, unit: str, sign: int) -> date | None:
    """`today` moved by `count` days, weeks or months; None unless those are a count and a unit."""
    if not (count.isascii() and count.isdigit()) or unit not in _UNITS:
        return None
    amount = sign * int(count)
    match _UNITS[unit]:
        case "years":
            return today + relativedelta(years=amount)
        case "months":
            # relativedelta keeps the day in range: 31 Jan + 1 month is 28 Feb.
            return today + relativedelta(months=amount)
        case "weeks":
            return today + timedelta(weeks=amount)
        case _:
            return today + timedelta(days=amount)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _month_start(today: date, months: int) -> date:
    return today + relativedelta(months=months, day=1)


def _next_or_last(step: int, what: str, today: date) -> date | None:
    """`next week` is the Monday of next week and `next month` the 1st of next month; `next
    friday` is the Friday of next week (weeks start on Monday), so it differs from `friday`;
    `this friday` is the Friday of this week."""
    if what == "week":
        return _monday(today) + timedelta(weeks=step)
    if what == "month":
        return _month_start(today, step)
    if what in _WEEKDAYS:
        return _monday(today) + timedelta(weeks=step, days=_WEEKDAYS[what])
    return None


def _on_preferred_side(candidate: date, today: date, prefer: Prefer) -> bool:
    return candidate <= today if prefer == "past" else candidate >= today


def _nearest_weekday(weekday: int, today: date, prefer: Prefer) -> date:
    """A bare weekday: in the past today counts ("/meeting Acme sunday" on a Sunday is today);
    in the future it does not, because a follow-up for today would say `today`."""
    if prefer == "past":
        return today - timedelta(days=(today.weekday() - weekday) % 7)
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def _nearest_month_day(month: int, day: int, today: date, prefer: Prefer) -> date:
    """A month and day without a year: the nearest such date on or before (past) or on or after
    (future) today. A bare month ("4月") is its 1st, so a month in progress is this year's in
    the past and next year's in the future."""
    date(2000, month, day)  # ValueError for 13/45 or 2/30 (2000 is a leap year, so 2/29 passes)
    step = -1 if prefer == "past" else 1
    for year in range(today.year, today.year + 9 * step, step):  # 2/29 can be 8 years away
        candidate = _date_or_none_if_invalid(year, month, day)
        if candidate is not None and _on_preferred_side(candidate, today, prefer):
            return candidate
    raise ValueError(f"{month}/{day}")


def _nearest_day_of_month(day: int, today: date, prefer: Prefer) -> date:
    """A day of the month ("25日"): the nearest 25th on or before (past) or on or after (future) today."""
    step = -1 if prefer == "past" else 1
    for months in range(0, 4 * step, step):  # the next 31st is at most two months away
        first = _month_start(today, months)
        candidate = _date_or_none_if_invalid(first.year, first.month, day)
        if candidate is not None and _on_preferred_side(candidate, today, prefer):
            return candidate
    raise ValueError(f"{day}日")


def _date_or_none_if_invalid(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# Amounts


def parse_amount(token: str) -> int:
    """Whole currency units from `1,200,000`, `1.2M`, `500k`, `¥1,200,000`, `$5,000`, `120万円`,
    `1.5億`, `3千万`, `1億2000万`, `三千万`, `一億二千万円` …: each number may carry a multiplier,
    and the multipliers must decrease from left to right (as in 1億2000万).

    What Japanese quotes add around the number is read too: 約 / 概算 (about), 税抜 / 税込 / (税別)
    (the tax basis; the number is stored as given), 年額 / 年間 (a yearly amount, stored as is) and
    月額 / 月々 (a monthly fee, stored as its yearly value, ×12, which the reply shows)."""
    text, months = _amount_qualifiers(_fold(token))
    text = arabic_numerals(text)
    text = text[1:] if text[:1] in _CURRENCY_SIGNS else text
    text = text.removesuffix("円")
    total = Decimal(0)
    previous_multiplier: int | None = None
    position = 0
    while position < len(text):
        term = _AMOUNT_TERM.match(text, position)
        if term is None:
            raise ParseError("bad_amount", word=token)
        number, fraction, units = term.groups()
        multiplier = math.prod(_MULTIPLIERS[unit] for unit in units)
        if previous_multiplier is not None and multiplier >= previous_multiplier:
            raise ParseError("bad_amount", word=token)
        total += Decimal(number.replace(",", "") + (fraction or "")) * multiplier
        previous_multiplier = multiplier
        position = term.end()
    total *= months
    # Amounts are stored in whole units; a fraction left over ("1.2345k") is more likely a typo
    # than a price, so it is rejected rather than rounded.
    if not 0 < total <= MAX_AMOUNT or total != total.to_integral_value():
        raise ParseError("bad_amount", word=token)
    return int(total)


def _amount_qualifiers(text: str) -> tuple[str, int]:
    """`text` without the words around the number, and how many months of it make the amount
    (12 for a monthly fee, else 1)."""
    months = 1
    changed = True
    while changed:
        changed = False
        for prefix in _AMOUNT_PREFIXES:
            if text.startswith(prefix) and len(text) > len(prefix):
                months *= _MONTHLY_WORDS.get(prefix, 1)
                text, changed = text[len(prefix) :], True
        for suffix in (*_AMOUNT_SUFFIXES, *_MONTHLY_SUFFIXES):
            if text.endswith(suffix) and len(text) > len(suffix):
                months *= _MONTHLY_SUFFIXES.get(suffix, 1)
                text, changed = text[: -len(suffix)], True
    return text, months


def _looks_like_amount(word: str) -> bool:
    text, _months = _amount_qualifiers(_fold(word))
    first = arabic_numerals(text)[:1]
    return bool(first) and (first.isdigit() or first in _CURRENCY_SIGNS)


def _amount_or_none(token: _Token) -> int | None:
    if token.quoted or not _looks_like_amount(token.text):
        return None
    try:
        return parse_amount(token.text)
    except ParseError:
        return None


# ---------------------------------------------------------------------------------------------
# /meeting


def parse_meeting(text: str, today: date) -> TouchRequest:
    """`<account> [call|email|letter|visit|meal] [date] [-- note]`; visit and today by default."""
    head, note = _split_note(text)
    tokens, on = _take_date(_tokenize(head), today, "past")
    kind = ActivityKind.VISIT
    # Only the word right before the date can be the kind; any other word is part of the name
    # ("Big Fish Co"), so a name needs quotes only when it ends in a keyword.
    if tokens and (word := tokens[-1].keyword) in _KIND_WORDS:
        kind = _KIND_WORDS[word]
        if not kind.is_touch:
            raise ParseError("bad_kind", word=tokens[-1].text)
        tokens.pop()
    account = _account_name(tokens)
    return TouchRequest(account=account, kind=kind, on=fields.occurred_on(on or today, today), note=note)


# ---------------------------------------------------------------------------------------------
# /deal


@dataclass(frozen=True)
class _DealTail:
    amount: int | None = None
    on: date | None = None
    revisit_on: date | None = None
    lost_reason: LostReason | None = None


def parse_deal(text: str, today: date) -> DealRequest:
    """`<account> proposed|won|lost [amount] [reason] [date] [revisit <date>] [-- note]`; the amount may
    also stand just before the outcome (`/deal Acme 1.2M won`); a reason (price, timing, competitor,
    no-need, other) only after `lost`."""
    head, note = _split_note(text)
    tokens = _tokenize(head)
    found = _find_outcome(tokens)
    if found is None:
        raise ParseError("missing_outcome")
    index, outcome = found
    tail_words = [token.text for token in tokens[index + 1 :]]
    if index == 0:
        # Nothing before the outcome word: either the account was forgotten ("/deal won 1.2M") or
        # the name starts with that word and the outcome was forgotten ("/deal Lost Boys").
        try:
            _parse_deal_tail(tail_words, today, outcome)
        except ParseError:
            raise ParseError("missing_outcome") from None
        raise ParseError("empty_account")
    tail = _parse_deal_tail(tail_words, today, outcome)
    name_tokens, amount = _take_amount_before_outcome(tokens[:index], tail.amount)
    account = _account_name(name_tokens)

    on = fields.occurred_on(tail.on or today, today)
    if tail.revisit_on is not None:
        fields.revisit_on(tail.revisit_on, outcome, today)
    return DealRequest(
        account=account,
        outcome=outcome,
        amount=amount,
        on=on,
        note=note,
        revisit_on=tail.revisit_on,
        lost_reason=tail.lost_reason,
    )


def _find_outcome(tokens: Sequence[_Token]) -> tuple[int, ActivityKind] | None:
    """The last outcome word and where it stands; it must follow every quoted token, since
    quotes only ever mark the name and the name comes first."""
    for index in range(len(tokens) - 1, -1, -1):
        word = tokens[index].keyword
        if word is None:
            return None
        if word in _KIND_WORDS and _KIND_WORDS[word].is_deal:
            return index, _KIND_WORDS[word]
    return None


def _take_amount_before_outcome(
    tokens: Sequence[_Token], tail_amount: int | None
) -> tuple[list[_Token], int | None]:
    """An amount may stand just before the outcome, unless it is the whole name ("3M won")."""
    pre_amount = _amount_or_none(tokens[-1]) if len(tokens) > 1 else None
    if pre_amount is None:
        return list(tokens), tail_amount
    if tail_amount is not None:
        raise ParseError("bad_amount", word=tokens[-1].text)
    return list(tokens[:-1]), pre_amount


def _parse_deal_tail(words: Sequence[str], today: date, outcome: ActivityKind) -> _DealTail:
    """Read what follows the outcome, from the end: dates (a date after `revisit` is the revisit
    date, read towards the future), at most one amount, and after `lost` at most one reason. Anything
    else is an error, since the outcome word has already ended the account name."""
    rest = list(words)
    tail = _DealTail()
    while rest:
        found = find_date_suffix(rest, today, "past")
        if found is not None:
            day, count = found
            date_text = " ".join(rest[-count:])
            del rest[-count:]
            if rest and _fold(rest[-1]) in _REVISIT_WORDS:
                rest.pop()
                if tail.revisit_on is not None:
                    raise ParseError("bad_date", word=date_text)  # a second revisit date
                tail = replace(tail, revisit_on=parse_date(date_text, today, "future"))
            elif tail.on is not None:
                raise ParseError("bad_date", word=date_text)  # a second deal date
            else:
                tail = replace(tail, on=day)
            continue
        word = rest.pop()
        if _fold(word) in _REVISIT_WORDS:
            raise ParseError("missing_date")
        if tail.amount is None and _looks_like_amount(word):
            tail = replace(tail, amount=parse_amount(word))
            continue
        if any(char.isdigit() for char in _fold(word)):
            raise ParseError("bad_amount", word=word)
        if rest and _fold(rest[-1]) in _REVISIT_WORDS:
            raise ParseError("bad_date", word=word)  # "revisit soon": a date that could not be read
        reason = reason_of(word)
        if outcome is ActivityKind.LOST:
            if reason is None or tail.lost_reason is not None:
                raise ParseError("bad_lost_reason", word=word)
            tail = replace(tail, lost_reason=reason)
            continue
        if reason is not None:
            raise ParseError("reason_needs_lost", word=word)
        raise ParseError("bad_date", word=word)
    return tail


# ---------------------------------------------------------------------------------------------
# /followup, /trouble


def parse_followup(text: str, today: date) -> FollowupRequest:
    """`<account> <date> [-- what]`; the date is required and may be today."""
    head, note = _split_note(text)
    tokens, due_on = _take_date(_tokenize(head), today, "future")
    account = _account_name(tokens)
    if due_on is None:
        raise ParseError("missing_date")
    if due_on < today:
        raise ParseError("past_date", date=due_on.isoformat())
    return FollowupRequest(account=account, due_on=due_on, note=note)


def parse_trouble(text: str) -> TroubleRequest:
    """`<account> [cause] -- <what went wrong>`; the description is required."""
    head, what = _split_note(text)
    tokens = _tokenize(head)
    cause = cause_of(tokens[-1].text) if what is not None and len(tokens) > 1 else None
    if cause is not None:
        tokens = tokens[:-1]
    if what is None and len(tokens) > 1:
        # "/trouble 丸山印刷 色違い": where the name ends is a guess, so the reply asks, showing the
        # line with the separator after the first word as the example to correct.
        raise ParseError("trouble_without_separator", account=tokens[0].text, what=_join(tokens[1:]))
    account = _account_name(tokens)
    if what is None:
        raise ParseError("missing_note")
    return TroubleRequest(account=account, what=what, cause=cause)


# ---------------------------------------------------------------------------------------------
# /account, /pyramid


def parse_account(text: str) -> AccountQuery | AccountEdit | AccountCorrection:
    """`<account>`, or `<account> owner <@user>` · `segment <name>` · `rename <new name>` ·
    `contact <person>` (`contact none` clears it), or a
    manager's correction: `step <key> -- <reason>` · `merge <other>` · `archive` · `restore` ·
    `lost -- <reason>`."""
    typed = _as_typed(text).strip()
    correction = _parse_correction(typed)
    if correction is not None:
        return correction
    tokens = _tokenize(typed)
    found = _find_edit(tokens)
    if found is None:
        return AccountQuery(account=_account_name(tokens))
    index, field = found
    account = _account_name(tokens[:index])
    value_tokens = tokens[index + 1 :]
    value = _join(value_tokens)
    if not value:
        raise ParseError("missing_value", field=field)
    if field == "owner":
        user_id = _user_id(value) if len(value_tokens) == 1 else None
        if user_id is None:
            raise _not_a_user(value)
        value = user_id
    elif field == "contact":
        value = fields.contact(value)
    elif len(value) > MAX_NAME:
        raise ParseError("name_too_long", limit=MAX_NAME)
    return AccountEdit(account=account, field=field, value=value)


def _find_edit(tokens: Sequence[_Token]) -> tuple[int, AccountField] | None:
    """Where the edit starts and what it edits: the last field word with something after it,
    never the first word, so "Owner Inc" reads as a name. A field word at the very end (no
    field word has anything after it) is an edit with its value missing."""
    fields = [
        (index, _FIELD_WORDS[word])
        for index, token in enumerate(tokens)
        if index > 0 and (word := token.keyword) in _FIELD_WORDS
    ]
    with_value = [(index, field) for index, field in fields if index < len(tokens) - 1]
    chosen = with_value or fields
    return chosen[-1] if chosen else None


def _parse_correction(typed: str) -> AccountCorrection | None:
    """A correction when a correction word (never the first word, and no edit word before it) is
    followed by a value (step, merge) or ends the line (archive, restore, lost), before any ` -- `
    reason. None: not a correction, read as before (the card, or an edit)."""
    separator = _NOTE_SEPARATOR.search(typed)
    head = typed[: separator.start()] if separator else typed
    tokens = _tokenize(head.strip())
    for index, token in enumerate(tokens):
        word = token.keyword
        if index == 0 or word is None:
            continue
        if word in _FIELD_WORDS:
            return None  # "Acme rename Acme Archive" renames
        verb = _CORRECTION_WORDS.get(word)
        is_last = index == len(tokens) - 1
        if verb is None or (verb in ("archive", "restore", "lost") and not is_last):
            continue  # "Acme Lost Souls" is a name
        reason = fields.note(typed[separator.end() :]) if separator else None
        account = _account_name(tokens[:index])
        rest = tokens[index + 1 :]
        if verb == "step":
            if separator is None and (not rest or _step_word(rest) is None):
                continue  # "Big Step Co": a name; a manager's step always comes with ` -- why`
            return StepSet(account=account, step=_step_of(rest), reason=_required(reason, "step"))
        if verb == "merge":
            if not rest:
                raise ParseError("merge_missing_other", account=account)
            return MergeRequest(account=account, other=_account_name(rest), reason=reason)
        if verb == "lost":
            return StatusChange(account=account, verb=verb, reason=_required(reason, "lost"))
        return StatusChange(account=account, verb=verb, reason=reason)
    return None


def _step_of(tokens: Sequence[_Token]) -> Step:
    if not tokens:
        raise ParseError("step_missing")
    step = _step_word(tokens)
    if step is None:
        raise ParseError("step_unknown", word=_join(tokens))
    return step


def _step_word(tokens: Sequence[_Token]) -> Step | None:
    word = _fold(" ".join(token.text for token in tokens))
    # "met twice" and "met_twice" alike; "面談 1回" as "面談1回".
    forms = (word, word.replace(" ", "_"), word.replace(" ", ""))
    return next((_STEP_WORDS[form] for form in forms if form in _STEP_WORDS), None)


def _required(reason: str | None, verb: str) -> str:
    if reason is None:
        raise ParseError("reason_required", verb=verb)
    return reason


def parse_pyramid(text: str) -> PyramidRequest:
    """`[me|@user|team] [detail]` in any order; team by default."""
    scope: PyramidScope = "team"
    user_id: str | None = None
    detail = False
    scope_given = False
    for token in _tokenize(_as_typed(text).strip()):
        word = _fold(token.text)
        if word in _DETAIL_WORDS:
            detail = True
            continue
        if scope_given:
            raise ParseError("bad_scope", word=token.text)  # one scope at a time
        scope_given = True
        if word in _ME_WORDS:
            scope = "me"
        elif word in _TEAM_WORDS:
            scope = "team"
        elif (user_id := _user_id(token.text)) is not None:
            scope = "user"
        elif word.startswith(("@", "<@")):
            raise _not_a_user(token.text)
        else:
            raise ParseError("bad_scope", word=token.text)
    return PyramidRequest(scope=scope, user_id=user_id, detail=detail)


def _not_a_user(word: str) -> ParseError:
    """A plain "@bob": the name was typed without being picked from Slack's list (or the
    command is not declared with should_escape: true); only a real mention carries the user id."""
    if _fold(word).startswith("@"):
        return ParseError("plain_mention", word=word)
    return ParseError("bad_user", word=word)


def _user_id(text: str) -> str | None:
    mention = _MENTION.fullmatch(text)
    return mention[1] if mention else None
