"""The readings of a name (issue 13): the common one first, then a few other readings of its words, so
that ダイワ電機 can find 大和電機; lone kanji keep their common reading (no false friends)."""

from __future__ import annotations

import pytest

from bot.domain.names import ALTERNATIVE_READINGS_LIMIT, name_grams, name_reading, name_readings


@pytest.mark.parametrize(
    ("name", "common", "also"),
    [
        ("大和電機(株)", "やまとでんき", {"だいわでんき"}),
        ("大和", "やまと", {"だいわ"}),
        ("三田商事", "みたしょうじ", {"さんだしょうじ"}),
        ("日本橋物産", "にほんばしぶっさん", {"にっぽんばしぶっさん"}),
        ("上田製作所", "うえだせいさくしょ", {"じょうでんせいさくしょ"}),
    ],
)
def test_a_word_with_several_readings_has_them_after_its_common_one(
    name: str, common: str, also: set[str]
) -> None:
    readings = name_readings(name)
    assert readings[0] == common == name_reading(name)
    assert also <= set(readings[1:]), readings
    assert len(readings) == len(set(readings)) <= ALTERNATIVE_READINGS_LIMIT + 1


@pytest.mark.parametrize(
    ("name", "reading"),
    [
        ("山田商事", "やまだしょうじ"),  # 山田 has one reading: 山 as さん never makes it さんでん
        ("ヤマダ商事", "やまだしょうじ"),
        ("ダイワ電機", "だいわでんき"),
        ("やまだしょうじ", "やまだしょうじ"),
        ("Acme Corp.", "acme"),
        ("ＡＣＭＥ 物流", "acmeぶつりゅう"),
        ("丸山印刷", "まるやまいんさつ"),
    ],
)
def test_names_read_one_way_have_one_reading(name: str, reading: str) -> None:
    assert name_readings(name) == (reading,)


@pytest.mark.parametrize(
    ("name", "pykakasi"),
    [
        ("大和電機", "やまとでんき"),
        ("東京海上日動", "とうきょうかいじょうにちどう"),
        ("株式会社ヤマダ商事", "やまだしょうじ"),
        ("渡邊商店", "わたなべしょうてん"),  # a variant kanji, read as its usual form
        ("高島屋", "たかしまや"),
        ("医療法人社団 緑会", "みどりかい"),
    ],
)
def test_the_common_reading_is_pykakasis(name: str, pykakasi: str) -> None:
    assert name_reading(name) == pykakasi


@pytest.mark.parametrize(
    ("key", "grams"),
    [("大和電機", {"大和", "和電", "電機"}), ("acme co", {"ac", "cm", "me", "ec", "co"}), ("大", {"大"})],
)
def test_grams_are_neighbouring_pairs(key: str, grams: set[str]) -> None:
    assert name_grams(key) == grams
