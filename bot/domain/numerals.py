"""Kanji numerals as Japanese reps type them: 三日後, 十二月四日, 三千万, 一億二千万円, 二〇二六年.

Pure. Only the digits and the small units (十 百 千) are turned into Arabic numbers; the large
units (万 億 兆) stay, because the amount reader already understands `3000万` and `1億2000万`.
"""

from __future__ import annotations

import re

_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
# Not after an Arabic digit: in 3千万 the 千 is a multiplier the amount reader already knows.
_RUN = re.compile("(?<![0-9.,])[" + "".join(_DIGITS) + "".join(_SMALL_UNITS) + "]+")


def kanji_run_value(run: str) -> int:
    """The number a run of kanji digits and small units spells: 三千 → 3000, 十二 → 12, 百二十 → 120,
    二〇二六 → 2026 (digits written one by one, as in years)."""
    if not any(char in _SMALL_UNITS for char in run):
        return int("".join(str(_DIGITS[char]) for char in run))
    total = 0
    pending: int | None = None
    for char in run:
        if char in _DIGITS:
            pending = _DIGITS[char]
        else:
            total += (1 if pending is None else pending) * _SMALL_UNITS[char]
            pending = None
    return total + (pending or 0)


def arabic_numerals(text: str) -> str:
    """`text` with every kanji number run written in Arabic digits: 一億二千万円 → 1億2000万円.
    Callers use it only where a number is expected (dates, amounts), never on names: 三井 is a name."""
    return _RUN.sub(lambda run: str(kanji_run_value(run[0])), text)
