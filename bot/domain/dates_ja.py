"""Japanese date phrases as reps type them: 先週金曜, 来週の水曜, 再来週, 来月中旬, 来月末, 月末,
令和8年12月4日, R8.12.4, 来年4月, 半年後, 1年後, 三日後, 今朝, 年明け, 来期.

Pure: "today" is a parameter. `japanese_date` gets one phrase already folded (NFKC, case folded),
with the words a rep may have spaced apart joined again ("来週 水曜" → "来週水曜"). It answers
the date, None when the phrase is not one of these forms (the caller then tries the others), or
raises ValueError for a date that cannot exist.

A period names its first day, as `next week` is its Monday and `4月` its 1st: 上旬 the 1st, 中旬
the 11th, 下旬 the 21st. An end (末, 月末, 今月中) is the period's last day.
"""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date, timedelta
from typing import Literal

from dateutil.relativedelta import relativedelta

from bot.domain.numerals import arabic_numerals

Prefer = Literal["past", "future"]

# Most Japanese companies' fiscal year starts in April: 来期 is the next one's first day.
FISCAL_YEAR_START_MONTH = 4
# Offices reopen after the first three days of the year (三が日): 年明け is the first weekday after.
NEW_YEAR_HOLIDAYS_END_DAY = 3
REIWA_YEAR_ZERO = 2018  # 令和元年 = 2019
HEISEI_YEAR_ZERO = 1988  # 平成元年 = 1989

_END = -1  # the last day of the month
_WEEKDAY_CHARS = "月火水木金土日"
_YEAR_WORDS = {"今年": 0, "本年": 0, "来年": 1, "翌年": 1, "再来年": 2, "去年": -1, "昨年": -1}
_MONTH_WORDS = {"今月": 0, "当月": 0, "来月": 1, "翌月": 1, "再来月": 2, "先月": -1, "前月": -1}
_WEEK_WORDS = {"先々週": -2, "先週": -1, "今週": 0, "来週": 1, "翌週": 1, "再来週": 2}
_PART_DAYS = {
    "上旬": 1,
    "初旬": 1,
    "初め": 1,
    "はじめ": 1,
    "初": 1,
    "頭": 1,
    "中旬": 11,
    "下旬": 21,
    "末": _END,
    "中": _END,  # 今月中 = by the end of this month
}
_SAME_DAY = {
    "今朝": 0,
    "今晩": 0,
    "今夜": 0,
    "今夕": 0,
    "昨夜": -1,
    "昨晩": -1,
    "昨夕": -1,
    "明朝": 1,
    "明晩": 1,
}
_ERAS = {"令和": REIWA_YEAR_ZERO, "r": REIWA_YEAR_ZERO, "平成": HEISEI_YEAR_ZERO, "h": HEISEI_YEAR_ZERO}

_PART = "|".join(sorted(_PART_DAYS, key=len, reverse=True))
_YEAR_WORD = "|".join(sorted(_YEAR_WORDS, key=len, reverse=True))
_MONTH_WORD = "|".join(sorted(_MONTH_WORDS, key=len, reverse=True))
_WEEK_WORD = "|".join(sorted(_WEEK_WORDS, key=len, reverse=True))
_ERA = "|".join(_ERAS)

# re.ASCII: after NFKC every digit a rep can type is ASCII.
_ERA_DATE = re.compile(rf"({_ERA})(\d+|元)年(\d+)月(?:(\d+)日)?", re.ASCII)
_ERA_DOTTED = re.compile(r"([rh])(\d+)[./-](\d+)[./-](\d+)", re.ASCII)
_YEAR_MONTH = re.compile(rf"({_YEAR_WORD}|\d{{4}}年)(\d+)月(?:(\d+)日|({_PART}))?", re.ASCII)
_MONTH_WORD_DAY = re.compile(rf"({_MONTH_WORD})(?:(\d+)日|({_PART}))?", re.ASCII)
_MONTH_PART = re.compile(rf"(\d+)月({_PART})", re.ASCII)
_WEEK_DAY = re.compile(rf"({_WEEK_WORD})(?:([{_WEEKDAY_CHARS}])(?:曜日?)?)?", re.ASCII)
_RELATIVE = re.compile(r"(\d+|半)(日|週間?|[ヶかカケヵ]?月|年)(後|前)", re.ASCII)


def japanese_date(phrase: str, today: date, prefer: Prefer) -> date | None:
    """The date a folded Japanese phrase names, or None when it is none of this module's forms."""
    phrase = phrase.replace("の", "")
    if phrase in _SAME_DAY:
        return today + timedelta(days=_SAME_DAY[phrase])
    if phrase in ("月末", "月初", "月初め"):
        return _in_month(_month_start(today, 0), _END if phrase == "月末" else 1)
    if phrase in ("年明け", "年始", "年初"):
        return _after_new_year(today)
    if phrase == "来期":
        return _next_fiscal_year(today)
    phrase = arabic_numerals(phrase)
    for pattern, reader in _READERS:
        found = pattern.fullmatch(phrase)
        if found is not None:
            return reader(found, today, prefer)
    return None


def weekday_char(day: date) -> str:
    """月 for a Monday … 日 for a Sunday, as in 11/28(土)."""
    return _WEEKDAY_CHARS[day.weekday()]


def weekday_of_char(char: str) -> int:
    return _WEEKDAY_CHARS.index(char)


# ---------------------------------------------------------------------------------------------
# One reader per form


def _era_date(found: re.Match[str], today: date, prefer: Prefer) -> date:
    era, year, month, day = found.groups()
    return date(_ERAS[era] + (1 if year == "元" else int(year)), int(month), int(day or 1))


def _era_dotted(found: re.Match[str], today: date, prefer: Prefer) -> date:
    era, year, month, day = found.groups()
    return date(_ERAS[era] + int(year), int(month), int(day))


def _year_month(found: re.Match[str], today: date, prefer: Prefer) -> date:
    year_word, month, day, part = found.groups()
    year = int(year_word[:-1]) if year_word.endswith("年") and year_word[:-1].isdigit() else None
    if year is None:
        year = today.year + _YEAR_WORDS[year_word]
    return _in_month(date(year, int(month), 1), _day_of(day, part))


def _month_word_day(found: re.Match[str], today: date, prefer: Prefer) -> date:
    word, day, part = found.groups()
    return _in_month(_month_start(today, _MONTH_WORDS[word]), _day_of(day, part))


def _month_part(found: re.Match[str], today: date, prefer: Prefer) -> date:
    """`12月中旬`: the nearest such day on the preferred side, as `12月` is."""
    month, part = int(found[1]), _PART_DAYS[found[2]]
    step = -1 if prefer == "past" else 1
    for year in (today.year, today.year + step):
        candidate = _in_month(date(year, month, 1), part)
        if (candidate <= today) if prefer == "past" else (candidate >= today):
            return candidate
    raise ValueError(found[0])  # unreachable for a valid month: one of two years is on the side


def _week_day(found: re.Match[str], today: date, prefer: Prefer) -> date:
    week, weekday = found.groups()
    monday = today - timedelta(days=today.weekday()) + timedelta(weeks=_WEEK_WORDS[week])
    return monday + timedelta(days=weekday_of_char(weekday) if weekday else 0)


def _relative(found: re.Match[str], today: date, prefer: Prefer) -> date:
    count, unit, direction = found.groups()
    sign = 1 if direction == "後" else -1
    if count == "半":  # 半年後: six months; 半月 and 半日 are not dates a rep gives
        if unit != "年":
            raise ValueError(found[0])
        return today + relativedelta(months=6 * sign)
    amount = int(count) * sign
    if unit == "年":
        return today + relativedelta(years=amount)
    if unit.endswith("月"):
        return today + relativedelta(months=amount)
    if unit.startswith("週"):
        return today + timedelta(weeks=amount)
    return today + timedelta(days=amount)


_READERS = (
    (_ERA_DATE, _era_date),
    (_ERA_DOTTED, _era_dotted),
    (_YEAR_MONTH, _year_month),
    (_MONTH_WORD_DAY, _month_word_day),
    (_MONTH_PART, _month_part),
    (_WEEK_DAY, _week_day),
    (_RELATIVE, _relative),
)


# ---------------------------------------------------------------------------------------------
# Calendar arithmetic


def _day_of(day: str | None, part: str | None) -> int:
    if day is not None:
        return int(day)
    return _PART_DAYS[part] if part is not None else 1


def _month_start(today: date, months: int) -> date:
    return today + relativedelta(months=months, day=1)


def _in_month(first: date, day: int) -> date:
    """Day `day` of `first`'s month (ValueError for 2/30); _END is its last day."""
    if day == _END:
        return first.replace(day=monthrange(first.year, first.month)[1])
    return first.replace(day=day)


def _after_new_year(today: date) -> date:
    """The first weekday after the New Year holidays: this year's while they last, else next year's."""
    year = today.year if (today.month, today.day) <= (1, NEW_YEAR_HOLIDAYS_END_DAY) else today.year + 1
    day = date(year, 1, NEW_YEAR_HOLIDAYS_END_DAY + 1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def _next_fiscal_year(today: date) -> date:
    year = today.year + 1 if today.month >= FISCAL_YEAR_START_MONTH else today.year
    return date(year, FISCAL_YEAR_START_MONTH, 1)
