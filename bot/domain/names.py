"""Account names: one key per company however it is typed, and "did you mean…?" candidates."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from rapidfuzz import fuzz, process, utils
from rapidfuzz.distance import Levenshtein

# Legal-form words that do not tell two companies apart. Matched as whole words after NFKC and
# case folding; NFKC already turns ㈱ into (株).
_JAPANESE_FORMS = ("株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "(株)", "(有)", "(同)")
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
NEAR_MATCH_MIN_LENGTH = 3


def name_key(name: str) -> str:
    """The form under which two spellings of one company compare equal."""
    text = unicodedata.normalize("NFKC", name).casefold()
    for form in _JAPANESE_FORMS:
        text = text.replace(form, " ")
    text = _LATIN_FORM_RE.sub(" ", text)
    key = _PUNCTUATION_RE.sub(" ", text).strip()
    # A name made only of legal forms ("Co., Ltd.") keeps its own letters rather than becoming empty.
    return key or _PUNCTUATION_RE.sub(" ", unicodedata.normalize("NFKC", name).casefold()).strip()


def display_name(name: str) -> str:
    """The name as it is stored and shown: NFKC (full-width letters become plain) and single spaces."""
    return " ".join(unicodedata.normalize("NFKC", name).split())


@dataclass(frozen=True)
class NearMatch:
    key: str
    score: float


def near_matches(key: str, known_keys: Iterable[str], limit: int = NEAR_MATCH_LIMIT) -> list[NearMatch]:
    """Existing keys close enough to `key` that creating a new account is probably a duplicate."""
    if len(key) < NEAR_MATCH_MIN_LENGTH:
        return []
    candidates = [known for known in known_keys if len(known) >= NEAR_MATCH_MIN_LENGTH and known != key]
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
    ranked = sorted(found.items(), key=lambda item: -item[1])[:limit]
    return [NearMatch(key=choice, score=score) for choice, score in ranked]
