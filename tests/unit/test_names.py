"""Account names: one key per company however it is typed, and "did you mean…?" candidates."""

from __future__ import annotations

import itertools

import pytest

from bot.domain.names import NEAR_MATCH_MIN_LENGTH, NearMatch, display_name, name_key, near_matches

ACME_SPELLINGS = [
    "ACME Corp.",
    "acme",
    "Acme",
    "ＡＣＭＥ",
    "Ａｃｍｅ　Ｉｎｃ．",
    "Acme Co., Ltd.",
    "Acme, Inc.",
    "Acme Corporation",
    "Acme Limited",
    "acme ltd",
    "  Acme   LLC ",
    "Acme K.K.",
    "Acme GmbH",
]
AKUME_SPELLINGS = [
    "株式会社アクメ",
    "(株)アクメ",
    "（株）アクメ",
    "㈱アクメ",
    "アクメ 株式会社",
    "アクメ株式会社",
    "アクメ　株式会社",
    "ｱｸﾒ",  # half-width kana
]


@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(ACME_SPELLINGS, 2)))
def test_spellings_of_acme_share_one_key(first: str, second: str) -> None:
    assert name_key(first) == name_key(second)


@pytest.mark.parametrize(("first", "second"), list(itertools.combinations(AKUME_SPELLINGS, 2)))
def test_japanese_legal_forms_share_one_key(first: str, second: str) -> None:
    assert name_key(first) == name_key(second)


def test_the_keys_themselves() -> None:
    assert name_key("ACME Corp.") == "acme"
    assert name_key("株式会社アクメ") == "アクメ"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Acme", "Globex"),
        ("Acme", "Acme Trading"),
        ("Acme Japan", "Acme"),
        ("アクメ", "アクメ商事"),
        ("株式会社アクメ", "有限会社アクネ"),
        ("Initech", "Initrode"),
        ("Sato Shoji", "Sato Shokai"),
        ("Acme", "アクメ"),
    ],
)
def test_different_companies_have_different_keys(first: str, second: str) -> None:
    assert name_key(first) != name_key(second)


@pytest.mark.parametrize(
    ("name", "word"),
    [
        ("Cosmo Oil", "cosmo"),  # "co" only as a whole word
        ("Incline Partners", "incline"),
        ("Limitless Ltd", "limitless"),
        ("Saga Corp", "saga"),
        ("Agile Inc", "agile"),
    ],
)
def test_legal_forms_are_removed_only_as_whole_words(name: str, word: str) -> None:
    assert word in name_key(name)


@pytest.mark.parametrize("name", ["Co., Ltd.", "Inc.", "株式会社", "(株)", "LLC", "K.K."])
def test_a_name_made_only_of_legal_forms_keeps_a_key(name: str) -> None:
    assert name_key(name).strip()


def test_names_made_only_of_legal_forms_stay_apart() -> None:
    assert name_key("Co., Ltd.") != name_key("Inc.")


def test_name_key_ignores_punctuation_and_spacing() -> None:
    assert name_key("Big  Fish,   Co.") == name_key("big fish")
    assert name_key("Sato・Shoji") == name_key("sato shoji")
    assert name_key("Big\tFish") == "big fish"


def test_display_name_is_nfkc_with_single_spaces() -> None:
    assert display_name("  Ａｃｍｅ　　Ｉｎｃ． ") == "Acme Inc."
    assert display_name("㈱アクメ") == "(株)アクメ"
    assert display_name("ｱｸﾒ") == "アクメ"


# ----------------------------------------------------------------------------------- near matches


def _keys(found: list[NearMatch]) -> list[str]:
    return [match.key for match in found]


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("glbex", "globex"),  # a letter missing
        ("globexx", "globex"),  # a letter doubled
        ("initehc", "initech"),  # two letters swapped
        ("umbrela", "umbrella"),
        ("massive dynamic", "massive dynamics"),
    ],
)
def test_near_matches_finds_typos(typed: str, known: str) -> None:
    found = near_matches(name_key(typed), [name_key(known), name_key("Completely Different")])
    assert _keys(found) == [name_key(known)]
    assert found[0].score >= 85


@pytest.mark.parametrize(("typed", "known"), [("acmr", "acme"), ("hooly", "hooli")])
def test_near_matches_finds_a_typo_in_a_short_name(typed: str, known: str) -> None:
    assert _keys(near_matches(typed, [known])) == [known]


@pytest.mark.parametrize(
    ("typed", "known"),
    [
        ("Acme", "Acme Trading"),
        ("Acme Trading", "Acme"),
        ("アクメ商事", "アクメ"),
        ("Sansan", "Sansan Japan"),
    ],
)
def test_near_matches_finds_extra_words(typed: str, known: str) -> None:
    assert _keys(near_matches(name_key(typed), [name_key(known)])) == [name_key(known)]


def test_near_matches_excludes_the_exact_key() -> None:
    found = near_matches("acme", ["acme", "acme trading", "acmee"])
    assert "acme" not in _keys(found)
    assert set(_keys(found)) == {"acme trading", "acmee"}


def test_near_matches_best_first_and_limited() -> None:
    known = ["acme trading", "acme japan", "acme holdings", "acme logistics", "acmee"]
    found = near_matches("acme", known)
    assert len(found) <= 3
    scores = [match.score for match in found]
    assert scores == sorted(scores, reverse=True)
    assert len(near_matches("acme", known, limit=1)) == 1


def test_near_matches_ignores_unrelated_names() -> None:
    assert near_matches("globex", ["acme", "initech", "umbrella"]) == []


@pytest.mark.parametrize("short", ["a", "ab", "ac"])
def test_a_typed_name_shorter_than_three_has_no_near_matches(short: str) -> None:
    assert NEAR_MATCH_MIN_LENGTH == 3
    assert near_matches(short, ["acme", "abc", "ab cd", "a"]) == []


def test_known_names_shorter_than_three_are_never_suggested() -> None:
    # Partial matching would make "ac" similar to anything that contains it.
    assert near_matches("acme", ["ac", "a", "me"]) == []
    assert _keys(near_matches("acme", ["ac", "acm"])) == ["acm"]


def test_near_matches_of_nothing() -> None:
    assert near_matches("acme", []) == []
