"""Account names: one key per company however it is typed, and "did you mean…?" candidates."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import Levenshtein

# Legal-form words that do not tell two companies apart, longest first so that 医療法人社団 goes
# whole. Matched after NFKC and case folding; NFKC already turns ㈱ into (株), ㈲ into (有), ㈾ into
# (資) and （株） into (株).
_JAPANESE_FORMS = tuple(
    sorted(
        (
            "株式会社",
            "有限会社",
            "合同会社",
            "合資会社",
            "合名会社",
            "相互会社",
            "医療法人社団",
            "医療法人財団",
            "医療法人",
            "社会福祉法人",
            "一般社団法人",
            "公益社団法人",
            "一般財団法人",
            "公益財団法人",
            "社団法人",
            "財団法人",
            "学校法人",
            "国立大学法人",
            "独立行政法人",
            "地方独立行政法人",
            "特定非営利活動法人",
            "npo法人",
            "宗教法人",
            "農業協同組合",
            "協同組合",
            "(株)",
            "(有)",
            "(同)",
            "(資)",
            "(名)",
            "(医)",
            "(社)",
            "(財)",
            "(福)",
            "(社福)",
            "(一社)",
            "(公社)",
            "(一財)",
            "(公財)",
            "(学)",
            "(独)",
            "(特非)",
            "(宗)",
        ),
        key=len,
        reverse=True,
    )
)
# One pass over the name for all of them (an import reads 100,000 names): the same as replacing each
# form in turn, as no form contains another's replacement (a space).
_JAPANESE_FORMS_RE = re.compile("|".join(re.escape(form) for form in _JAPANESE_FORMS))
# How companies are addressed, not named: 山田商事様, 山田商事 御中, 山田商事さん.
_HONORIFICS_RE = re.compile(r"\s*(?:御中|様|さま|さん|殿)$")
# Japanese is written without spaces: "ABC 物流" and "ABC物流" are one name. Spaces between two
# Latin words stay (they tell "big fish" from "bigfish" for the fuzzy matching of words).
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff々〆ヶ"
_SPACE_BY_CJK_RE = re.compile(rf"(?<=[{_CJK}])\s+|\s+(?=[{_CJK}])")
_CJK_RE = re.compile(rf"[{_CJK}]")
_LATIN_FORMS = (
    "incorporated",
    "inc",
    "corporation",
    "corp",
    "company",
    "co",
    "limited",
    "ltd",
    "llc",
    "llp",
    "plc",
    "gmbh",
    "kk",
    "k.k",
    "s.a",
    "b.v",
    "l.l.c",
    "pte",
    "pty",
    "sa",
    "ag",
    "bv",
)
# Whole words only: "co" in "co-op" or "coffee" is part of a name, not a legal form.
_LATIN_FORM_RE = re.compile(r"(?<![\w-])(" + "|".join(re.escape(f) for f in _LATIN_FORMS) + r")\.?(?![\w-])")
_PUNCTUATION_RE = re.compile(r"[\s,.\u3001\u3002・'\"`]+")

NEAR_MATCH_CUTOFF = 85.0
NEAR_MATCH_LIMIT = 3
# Partial matching makes any one- or two-letter name "similar" to everything; too short to judge.
# Two kanji or kana say much more than two letters: 大和 is worth asking about 大和電機.
NEAR_MATCH_MIN_LENGTH = 3
NEAR_MATCH_MIN_LENGTH_CJK = 2
# A big team's keys scored for "did you mean": those sharing the most character pairs with the typed
# name (services/name_index.py). Measured on 100,000 generated names: the same answers as scoring all.
NEAR_MATCH_CANDIDATES = 300
# Below this many accounts a team's keys are simply read and all scored (a few milliseconds).
NEAR_MATCH_INDEXED_FROM = 5_000


def name_key(name: str) -> str:
    """The form under which two spellings of one company compare equal."""
    text = unicodedata.normalize("NFKC", name).casefold().strip()
    if len(stripped := _HONORIFICS_RE.sub("", text)) >= 2:
        text = stripped
    text = _JAPANESE_FORMS_RE.sub(" ", text)
    text = _LATIN_FORM_RE.sub(" ", text)
    key = _SPACE_BY_CJK_RE.sub("", _PUNCTUATION_RE.sub(" ", text).strip())
    # A name made only of legal forms ("Co., Ltd.") keeps its own letters rather than becoming empty.
    return key or _PUNCTUATION_RE.sub(" ", unicodedata.normalize("NFKC", name).casefold()).strip()


# The longest reading stored (models.Account.name_reading); a kanji reads as up to four kana.
READING_LIMIT = 400
# A word of two kanji or more may be read several ways (大和: やまと, だいわ); its first readings in the
# dictionary are the common ones, the later ones mostly given names (ひろやす). A lone kanji has a dozen
# readings, most of them false friends (山 as さん makes 山田 read さんでん): it keeps its first one.
ALTERNATIVE_READINGS_PER_WORD = 2
ALTERNATIVE_READINGS_LIMIT = 4
_KATAKANA_TO_HIRAGANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)}


@cache
def _dictionaries() -> tuple[Any, Any]:
    """pykakasi's dictionaries of kanji words and of variant kanji: they take half a second to load
    (and 20 MiB), so once, on the first reading, never at `serve`'s start."""
    from pykakasi.kanji import Itaiji, Kanwa

    return Kanwa(), Itaiji()  # type: ignore[no-untyped-call]


def readings_loaded() -> bool:
    return _dictionaries.cache_info().currsize > 0


def load_readings() -> None:
    """Loads the reading dictionary now (half a second, more on a busy machine): called before a
    request whose text has kanji starts its transaction, so the first Japanese name after a start
    never spends the store's deadline on it (bot/app.py)."""
    _dictionaries()


# The dictionary's words by their first kanji, filled as kanji are met (a few thousand at most).
_WORDS: dict[str, tuple[dict[str, tuple[str, ...]], tuple[int, ...]]] = {}


def _words_from(char: str) -> tuple[dict[str, tuple[str, ...]], tuple[int, ...]]:
    """The dictionary's words that start with `char`, each with its readings in the dictionary's order
    (the common one first; okurigana-only forms left out), and their lengths, longest first."""
    found = _WORDS.get(char)
    if found is None:
        words: dict[str, tuple[str, ...]] = {}
        for word, entries in (_dictionaries()[0].load(char) or {}).items():
            readings = [str(reading) for reading, tail in entries if tail is None]
            if readings:
                words[word] = tuple(dict.fromkeys(readings))
        found = _WORDS[char] = (words, tuple(sorted({len(word) for word in words}, reverse=True)))
    return found


_ITERATION_MARKS = frozenset("々〆ヶ")


@lru_cache(maxsize=65_536)
def _segments(key: str) -> tuple[tuple[str, ...], ...]:
    """`key` cut into the longest dictionary words, each with its readings (kana and letters read as
    themselves). The same longest-match reading as pykakasi's, by dictionary look-ups per length rather
    than a walk over every word of the first kanji: about ten times faster, which an import of 100,000
    names needs."""
    text = key.translate(_dictionaries()[1]._itaijidict)
    segments: list[tuple[str, ...]] = []
    plain: list[str] = []
    index, end = 0, len(text)
    while index < end:
        char = text[index]
        if not (0x3400 <= ord(char) < 0xE000 or char in _ITERATION_MARKS):
            plain.append(char)
            index += 1
            continue
        if plain:
            segments.append(("".join(plain),))
            plain = []
        words, lengths = _words_from(char)
        for length in lengths:
            if length <= end - index and (readings := words.get(text[index : index + length])):
                segments.append(readings if length > 1 else readings[:1])
                index += length
                break
        else:  # a kanji the dictionary does not know is not read (as pykakasi does)
            index += 1
    if plain:
        segments.append(("".join(plain),))
    return tuple(segments)


def _as_reading(parts: Iterable[str]) -> str:
    return "".join(parts).translate(_KATAKANA_TO_HIRAGANA).replace(" ", "")[:READING_LIMIT]


def name_readings(name: str) -> tuple[str, ...]:
    """How the name is read aloud, in hiragana: the common reading first (what `name_reading` stores),
    then a few other readings of its words (大和電機: やまとでんき, then だいわでんき, たいわでんき), each
    differing from the common one in one word. Latin letters and digits stay as they are (casefolded,
    like the key)."""
    return key_readings(name_key(name))


def key_readings(key: str) -> tuple[str, ...]:
    """`name_readings` of a name whose key is `key` (an import has computed the keys already)."""
    if not _CJK_RE.search(key):
        return (key[:READING_LIMIT],)
    segments = _segments(key)
    common = [readings[0] for readings in segments]
    found = [_as_reading(common)]
    for position, readings in enumerate(segments):
        for other in readings[1 : 1 + ALTERNATIVE_READINGS_PER_WORD]:
            reading = _as_reading([*common[:position], other, *common[position + 1 :]])
            if reading not in found and len(found) <= ALTERNATIVE_READINGS_LIMIT:
                found.append(reading)
    return tuple(found)


def name_reading(name: str) -> str:
    """The common reading: 山田商事, ヤマダ商事 and やまだしょうじ all read やまだしょうじ; 大和電機 reads
    やまとでんき (its other readings: `name_readings`)."""
    return name_readings(name)[0]


def display_name(name: str) -> str:
    """The name as it is stored and shown: NFKC (full-width letters become plain) and single spaces."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


def _long_enough(key: str) -> bool:
    minimum = NEAR_MATCH_MIN_LENGTH_CJK if _CJK_RE.search(key) else NEAR_MATCH_MIN_LENGTH
    return len(key) >= minimum


def name_grams(key: str) -> set[str]:
    """The pairs of neighbouring characters of a key, spaces and punctuation left out (how candidates
    for "did you mean" are found): 大和電機 has 大和, 和電, 電機."""
    text = utils.default_process(key).replace(" ", "")
    return {text[index : index + 2] for index in range(len(text) - 1)} or {text}


@dataclass(frozen=True)
class NearMatch:
    key: str
    score: float


def near_matches(key: str, known_keys: Iterable[str], limit: int = NEAR_MATCH_LIMIT) -> list[NearMatch]:
    """Existing keys close enough to `key` that creating a new account is probably a duplicate."""
    if not _long_enough(key):
        return []
    candidates = [known for known in known_keys if _long_enough(known) and known != key]
    found = {
        choice: score
        for choice, score, _ in process.extract(
            key,
            candidates,
            scorer=fuzz.WRatio,
            processor=utils.default_process,
            limit=limit,
            score_cutoff=NEAR_MATCH_CUTOFF,
        )
    }
    # A typo in a short name ("Acmr" for "Acme") scores low on ratios but is one edit away.
    allowed_edits = max(1, len(key) // 6)
    for choice, distance, _ in process.extract(
        key, candidates, scorer=Levenshtein.distance, limit=limit, score_cutoff=allowed_edits
    ):
        found.setdefault(choice, 100.0 - 10 * distance)
    ranked = sorted(found.items(), key=lambda item: (-item[1], item[0]))[:limit]  # ties: by key, stably
    return [NearMatch(key=choice, score=score) for choice, score in ranked]
