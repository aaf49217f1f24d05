"""A typed account name that swallowed what the parser could not read (issue 11: "a 'did you mean'
answer logs a visit today").

A command is read from the end (bot/domain/parsing.py): a note, a date, a kind; what is left is the
name. When a word there cannot be read (`昨日会食` written as one word, `yesterday evening`), the kind
and date are never found and the whole line becomes the "name": `山田商事 昨日会食`. That name is close
to the existing 山田商事, so Pyramid asked "did you mean 山田商事?", and the answer logged a *visit
today*, the defaults, instead of the meal yesterday that was typed.

`unread_tail` finds that case: the typed name is an existing account's name (exactly, by reading, or
closely, word for word) followed by words that look like a log's kind, date or amount. Then nothing
may be logged from it: the rep is told which words could not be read, with an example. A name that
only continues with ordinary words ("Acme Trading Japan") is a name, and still asked about."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from datetime import date

from bot.domain.names import name_key, name_reading, near_matches
from bot.domain.parsing import (
    _KIND_WORDS,  # the kind and outcome keywords, folded as _fold folds
    ParseError,
    _looks_like_amount,
    find_date_suffix,
)

# Date words Japanese reps run together with a kind (`昨日会食`, `本日訪問`): found inside a word.
_JA_DATE_WORDS = (
    *("今日", "本日", "昨日", "一昨日", "おととい", "明日", "今朝", "昨夜"),
    *("先日", "先週", "今週", "来週"),
)
_JA_NUMERIC_DATE = re.compile(r"\d{1,2}月\d{1,2}日|\d{1,2}/\d{1,2}")
_CJK_KEYWORDS = tuple(word for word in _KIND_WORDS if not word.isascii())


def unread_tail(typed: str, account: str, today: date) -> str | None:
    """The words after `account`'s name in `typed` that look like an unread kind, date or amount."""
    words = typed.split()
    size = len(account.split())
    for cut in range(len(words) - 1, 0, -1):
        head, tail = " ".join(words[:cut]), words[cut:]
        if _same_name(head, account, exact=cut != size) and looks_like_log_words(tail, today):
            return " ".join(tail)
    # Japanese written without spaces: 山田商事昨日会食.
    folded, name = _fold(typed), _fold(account)
    if folded.startswith(name) and len(folded) > len(name):
        stripped = typed.strip()
        rest = stripped[len(account) :] if stripped.startswith(account) else folded[len(name) :]
        if rest and looks_like_log_words([rest], today):
            return rest
    return None


def looks_like_log_words(words: Sequence[str], today: date) -> bool:
    """Whether any of these words is (or, for Japanese run together, contains) a kind or outcome
    keyword, a date, or an amount."""
    for word in words:
        folded = _fold(word)
        if folded in _KIND_WORDS or _looks_like_amount(word) or _is_date(word, today):
            return True
        if any(keyword in folded for keyword in _CJK_KEYWORDS):
            return True
        if any(part in folded for part in _JA_DATE_WORDS) or _JA_NUMERIC_DATE.search(folded):
            return True
    return _is_date(" ".join(words), today)


def _same_name(head: str, account: str, *, exact: bool) -> bool:
    key = name_key(head)
    if not key:
        return False
    if key == name_key(account) or name_reading(head) == name_reading(account):
        return True
    # As many words as the account's name, spelt closely (a typo: "Acme Tradin" for "Acme Trading").
    return not exact and bool(near_matches(key, [name_key(account)]))


def _is_date(text: str, today: date) -> bool:
    try:
        return find_date_suffix(text.split(), today, "past") is not None
    except ParseError:
        return True  # a date that cannot exist (2026-02-30) is still a date


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()
