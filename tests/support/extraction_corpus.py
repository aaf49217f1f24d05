"""The extraction corpus (issue 14): messages as reps write them, with what they meant to log.

README — the format
-------------------
`tests/data/extraction_corpus.jsonl` holds one JSON object per line:

    {"id": "ja1-001",
     "text": "昨日山田商事の部長と会食。来月提案予定、予算は1200万くらい",
     "today": "2026-11-27",                 # the day the message is read (a Friday)
     "known": "team",                       # "team": the shared list below; or a list of names
     "expected": {
        "activities": [{"account": "山田商事", "kind": "meal", "date": "2026-11-26", "amount": null}],
        "followups":  [{"account": "山田商事", "due": "2026-12-01"}],
        "troubles":   [],                   # [{"account": "光陽印刷"}]
        "unread": false}}                   # true: something must be reported as not read

`tests/data/extraction_known_names.txt` is the team's list, one known account name per line.

Expected accounts are compared by `name_key`, so "Initech Inc." matches an activity on the known
name "Initech Inc." written "Initech", and a new company "Orion Dynamics" matches "Orion Dynamics
Inc.". An account the engine proposes is its known name, else its first "did you mean"
suggestion, else the name as written (a new company). Kinds are ActivityKind values; an activity
without a date in the text is dated `today`; amounts are whole units (yen or dollars) and only
deal values count (a budget is not an amount). A message with nothing to log expects nothing.

`score(corpus, extract)` aligns each message's proposed activities with the expected ones and
counts per-field precision and recall; `bench/extraction.py` prints them and the latency.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.domain.extraction import Extraction
from bot.domain.names import name_key

DATA = Path(__file__).resolve().parent.parent / "data"
CORPUS = DATA / "extraction_corpus.jsonl"
KNOWN_NAMES = DATA / "extraction_known_names.txt"


@dataclass(frozen=True)
class Case:
    id: str
    text: str
    today: date
    known: tuple[str, ...]
    activities: tuple[tuple[str, str, date, int | None], ...]
    followups: tuple[tuple[str, date], ...]
    troubles: tuple[str, ...]
    unread: bool


def team_names() -> tuple[str, ...]:
    return tuple(
        line.strip() for line in KNOWN_NAMES.read_text(encoding="utf-8").splitlines() if line.strip()
    )


def load(path: Path = CORPUS) -> list[Case]:
    team = team_names()
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        expected = row["expected"]
        cases.append(
            Case(
                id=row["id"],
                text=row["text"],
                today=date.fromisoformat(row["today"]),
                known=team if row["known"] == "team" else tuple(row["known"]),
                activities=tuple(
                    (a["account"], a["kind"], date.fromisoformat(a["date"]), a["amount"])
                    for a in expected["activities"]
                ),
                followups=tuple((f["account"], date.fromisoformat(f["due"])) for f in expected["followups"]),
                troubles=tuple(t["account"] for t in expected["troubles"]),
                unread=bool(expected["unread"]),
            )
        )
    return cases


@dataclass
class Tally:
    predicted: int = 0
    expected: int = 0
    correct_predicted: int = 0
    correct_expected: int = 0

    @property
    def precision(self) -> float:
        return self.correct_predicted / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct_expected / self.expected if self.expected else 1.0


FIELDS = ("account", "kind", "date", "amount", "activity", "followup", "trouble", "unread")


@dataclass
class Score:
    tallies: dict[str, Tally] = field(default_factory=lambda: {name: Tally() for name in FIELDS})
    unconfirmed: int = 0  # items that would be stored without the rep's confirmation
    misses: list[tuple[str, str]] = field(default_factory=list)  # (case id, what differed)

    def add(self, name: str, predicted: int, expected: int, correct: int) -> None:
        tally = self.tallies[name]
        tally.predicted += predicted
        tally.expected += expected
        tally.correct_predicted += correct
        tally.correct_expected += correct


Row = tuple[str, str, date, int | None]


def _rows(extraction: Extraction) -> list[Row]:
    return [(name_key(a.account.proposed), a.kind.value, a.on, a.amount) for a in extraction.activities]


def _align(predicted: list[Row], expected: list[Row]) -> list[tuple[Row, Row]]:
    """Pairs of (predicted, expected) activities, best agreeing first (account weighs most)."""
    scored = []
    for i, p in enumerate(predicted):
        for j, e in enumerate(expected):
            points = 8 * (p[0] == e[0]) + 4 * (p[1] == e[1]) + 2 * (p[2] == e[2]) + (p[3] == e[3])
            if points >= 4:
                scored.append((points, i, j))
    pairs: list[tuple[Row, Row]] = []
    used_p: set[int] = set()
    used_e: set[int] = set()
    for _points, i, j in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        if i in used_p or j in used_e:
            continue
        used_p.add(i)
        used_e.add(j)
        pairs.append((predicted[i], expected[j]))
    return pairs


def _multiset_overlap(predicted: Iterable[object], expected: Iterable[object]) -> int:
    return sum((Counter(predicted) & Counter(expected)).values())


def score_case(case: Case, extraction: Extraction, total: Score) -> None:
    predicted = _rows(extraction)
    expected: list[Row] = [(name_key(a), k, d, m) for a, k, d, m in case.activities]
    pairs = _align(predicted, expected)
    for index, name in enumerate(("account", "kind", "date")):
        correct = sum(p[index] == e[index] for p, e in pairs)
        total.add(name, len(predicted), len(expected), correct)
    with_amount_p = sum(p[3] is not None for p in predicted)
    with_amount_e = sum(e[3] is not None for e in expected)
    total.add(
        "amount", with_amount_p, with_amount_e, sum(p[3] is not None and p[3] == e[3] for p, e in pairs)
    )
    total.add("activity", len(predicted), len(expected), _multiset_overlap(predicted, expected))
    followups_p = [(name_key(f.account.proposed), f.due) for f in extraction.followups]
    followups_e = [(name_key(a), d) for a, d in case.followups]
    total.add("followup", len(followups_p), len(followups_e), _multiset_overlap(followups_p, followups_e))
    troubles_p = [name_key(t.account.proposed) for t in extraction.troubles]
    troubles_e = [name_key(a) for a in case.troubles]
    total.add("trouble", len(troubles_p), len(troubles_e), _multiset_overlap(troubles_p, troubles_e))
    said_unread = bool(extraction.unread)
    total.add("unread", int(said_unread), int(case.unread), int(said_unread and case.unread))
    total.unconfirmed += sum(not item.needs_confirmation for item in extraction.items)
    if Counter(predicted) != Counter(expected):
        total.misses.append(
            (case.id, f"activities {sorted(map(str, predicted))} ≠ {sorted(map(str, expected))}")
        )
    if Counter(followups_p) != Counter(followups_e):
        total.misses.append((case.id, f"followups {followups_p} ≠ {followups_e}"))
    if Counter(troubles_p) != Counter(troubles_e):
        total.misses.append((case.id, f"troubles {troubles_p} ≠ {troubles_e}"))
    if said_unread != case.unread:
        total.misses.append((case.id, f"unread {[u.reason for u in extraction.unread]} ≠ {case.unread}"))


def score(cases: Iterable[Case], read: Callable[[Case], Extraction]) -> Score:
    total = Score()
    for case in cases:
        score_case(case, read(case), total)
    return total
