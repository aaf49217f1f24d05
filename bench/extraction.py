"""Free-text extraction (issue 14), measured: per-field precision and recall on the corpus, and
the latency per message with a team of 10,000 known names.

Run from the repository root:

    .venv/bin/python bench/extraction.py [--misses] [--names 10000] [--repeat 3]

It reads tests/data/extraction_corpus.jsonl (the corpus the engine was written against) and
two hold-out sets written afterwards (tests/data/extraction_holdout.jsonl, extraction_holdout2.jsonl;
their first, untuned figures are in bench/README.md), each twice: with the team's
list (tests/data/extraction_known_names.txt) and with that list plus generated names up to
--names, which are the realistic distractors a big team has (東京物流, Apex Systems …). Latency is
measured on the big list, with the `KnownNames` index built once as the bot would (its build time
is printed apart). The figures are printed, not asserted; tests/unit/test_extraction.py holds the
floor for accuracy.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.domain.extraction import Extraction, KnownNames, extract  # noqa: E402
from bot.domain.names import name_key  # noqa: E402
from tests.support.extraction_corpus import CORPUS, DATA, FIELDS, Case, Score, load, score, team_names  # noqa: E402

HOLDOUT = DATA / "extraction_holdout.jsonl"
HOLDOUT2 = DATA / "extraction_holdout2.jsonl"
TARGETS = {"account": 0.95, "date": 0.95, "kind": 0.90, "amount": 0.95}


def _words(text: str) -> list[str]:
    return text.split()


_SURNAMES = _words(
    "佐藤 鈴木 高橋 田中 伊藤 渡辺 中村 小林 加藤 吉田 山口 松田 井上 木村 林 清水 森 池田 橋本 石川 "
    "前田 藤田 小川 岡田 後藤 長谷川 村上 近藤 坂本 遠藤 青木 西村 福田 太田 三浦 藤井 岡本 中島 "
    "原田 小野"
)
_PLACES = _words(
    "東京 大阪 名古屋 横浜 京都 神戸 札幌 仙台 広島 福岡 千葉 埼玉 静岡 新潟 金沢 岡山 熊本 那覇 "
    "関東 関西 東海 北陸 九州 東北 中部 湘南 城南 東洋 日本 大和"
)
_KATAKANA = _words(
    "アルファ ベータ サン ムーン スター ブルー グリーン ライト ネクスト フューチャー テクノ メディア "
    "ソフト ネット リンク クリエイト プラス ワン トップ エコ"
)
_SUFFIXES_JA = _words(
    "商事 物流 工業 電機 建設 食品 システム 不動産 運輸 製薬 銀行 印刷 エンジニアリング フーズ 総研 "
    "製作所 工務店 ホテル クリニック 電子 化学 商店 ソリューションズ 精機 産業 技研 興業 開発 設計 "
    "サービス"
)
_LATIN = _words(
    "apex nova vertex orbit quantum lumen cobalt cedar maple harbor atlas zenith ember falcon sierra "
    "delta vista crest pioneer beacon meridian nimbus solace terra ridge"
)
_SUFFIXES_EN = _words(
    "Systems Labs Partners Group Holdings Technologies Logistics Foods Health Capital Media Works "
    "Software Robotics Energy"
)
_FORMS_EN = ("", " Inc.", " Ltd", " LLC", " Corp")


def generated_names(count: int, seed: int = 14) -> list[str]:
    """`count` company names with distinct keys, as a big Japanese/English team would have them."""
    rng = random.Random(seed)
    names: dict[str, str] = {}
    while len(names) < count:
        shape = rng.random()
        if shape < 0.35:
            name = rng.choice(_SURNAMES) + rng.choice(_SUFFIXES_JA)
        elif shape < 0.55:
            name = rng.choice(_PLACES) + rng.choice(_SUFFIXES_JA)
        elif shape < 0.7:
            name = rng.choice(_KATAKANA) + rng.choice(_KATAKANA) + rng.choice(_SUFFIXES_JA)
        else:
            name = (
                rng.choice(_LATIN).title()
                + rng.choice(("", rng.choice(_LATIN)))
                + " "
                + rng.choice(_SUFFIXES_EN)
            )
            name += rng.choice(_FORMS_EN)
        names.setdefault(name_key(name), name)
    return sorted(names.values())


def run(cases: list[Case], big: KnownNames | None) -> tuple[Score, list[float]]:
    team = team_names()
    small = KnownNames(team)
    timings: list[float] = []

    def read(case: Case) -> Extraction:
        names = (big or small) if case.known == team else KnownNames(case.known)
        started = time.perf_counter()
        result = extract(case.text, case.today, names)
        timings.append(time.perf_counter() - started)
        return result

    return score(cases, read), timings


def report(title: str, result: Score) -> None:
    print(f"\n{title}")
    print(f"  {'field':10} {'precision':>20} {'recall':>20}   target")
    for name in FIELDS:
        tally = result.tallies[name]
        target = TARGETS.get(name)
        mark = ""
        if target is not None:
            mark = f"≥ {target:.0%} " + ("ok" if min(tally.precision, tally.recall) >= target else "MISSED")
        print(
            f"  {name:10} {tally.precision:7.1%} ({tally.correct_predicted:3}/{tally.predicted:3})     "
            f"{tally.recall:7.1%} ({tally.correct_expected:3}/{tally.expected:3})   {mark}"
        )
    print(f"  items that would be stored without confirmation: {result.unconfirmed}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", type=int, default=10_000, help="known names of the big team")
    parser.add_argument(
        "--repeat", type=int, default=3, help="latency runs (the fastest of each message is kept)"
    )
    parser.add_argument("--misses", action="store_true", help="print every message read differently")
    args = parser.parse_args()

    corpus, holdout, holdout2 = load(CORPUS), load(HOLDOUT), load(HOLDOUT2)
    print(
        f"corpus: {len(corpus)} messages ({CORPUS.name}); hold-outs: {len(holdout)} ({HOLDOUT.name}), "
        f"{len(holdout2)} ({HOLDOUT2.name})"
    )
    team = list(team_names())
    team_keys = {name_key(name) for name in team}
    extra = [name for name in generated_names(args.names) if name_key(name) not in team_keys]
    names = team + extra[: max(0, args.names - len(team))]
    started = time.perf_counter()
    big = KnownNames(names)
    build = time.perf_counter() - started

    for title, cases in (("corpus", corpus), ("hold-out", holdout), ("hold-out 2", holdout2)):
        result, _ = run(cases, None)
        report(f"{title}, team list ({len(team)} names)", result)
        if args.misses:
            for case_id, what in result.misses:
                print(f"    {case_id}: {what}")
        result_big, _ = run(cases, big)
        report(f"{title}, team list + generated names ({len(big)} keys)", result_big)
        if args.misses:
            for case_id, what in result_big.misses:
                print(f"    {case_id}: {what}")

    everything = corpus + holdout + holdout2
    per_message = [float("inf")] * len(everything)
    for _ in range(args.repeat):
        _, timings = run(everything, big)
        per_message = [min(a, b) for a, b in zip(per_message, timings, strict=True)]
    ms = sorted(t * 1000 for t in per_message)
    p95 = ms[min(len(ms) - 1, round(0.95 * len(ms)) - 1)]
    print(f"\nlatency per message, {len(ms)} messages, {len(big)} known names", end=" ")
    print(f"(the index built once in {build * 1000:.0f} ms):")
    print(f"  p50 {statistics.median(ms):.2f} ms   p95 {p95:.2f} ms   max {ms[-1]:.2f} ms", end="   ")
    print("(target p95 < 100 ms)")


if __name__ == "__main__":
    main()
