"""Winning back customers who left (seed 003: a lapsed customer is easier to win back than a stranger).

Why a deal was lost (the rep says it, or it stays unknown: never guessed), and who gets win-back advice
and a letter instead of the ladder's next step.

Pure: no I/O and no clock.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from bot.domain.activities import ActivityKind
from bot.domain.segments import Segment, is_segment
from bot.domain.status import AccountStatus


class LostReason(StrEnum):
    PRICE = "price"
    TIMING = "timing"
    COMPETITOR = "competitor"
    NO_NEED = "no-need"
    OTHER = "other"


# The words a rep types after `lost` (already NFKC + casefolded, the parser's form).
REASON_WORDS: dict[str, LostReason] = {
    **dict.fromkeys(
        ("price", "cost", "budget", "価格", "値段", "金額", "予算", "価格・予算"), LostReason.PRICE
    ),
    **dict.fromkeys(("timing", "時期", "タイミング", "時期・タイミング"), LostReason.TIMING),
    **dict.fromkeys(("competitor", "competition", "競合", "他社", "競合他社"), LostReason.COMPETITOR),
    **dict.fromkeys(
        ("no-need", "noneed", "no_need", "不要", "ニーズなし", "不要・ニーズなし", "必要なし"),
        LostReason.NO_NEED,
    ),
    **dict.fromkeys(("other", "その他", "他"), LostReason.OTHER),
}


def reason_of(word: str) -> LostReason | None:
    """The reason a typed word names (full-width, kana width and case do not matter); None: no reason."""
    return REASON_WORDS.get(unicodedata.normalize("NFKC", word).casefold())


def segment_after_loss(current: str | None, reason: LostReason | None) -> Segment | None:
    """A deal lost to a competitor files the account under `lost`, unless the rep gave it a segment
    already (a strategic account lost once is still strategic); None: the segment stays as it is."""
    if reason is LostReason.COMPETITOR and not (current or "").strip():
        return Segment.LOST
    return None


def wants_winback(segment: str | None, status: AccountStatus, deals_won: int) -> bool:
    """Win-back advice (and a letter) instead of the ladder's next step: an account filed as `lost`, or a
    former customer (at least one deal won) who is now dormant or lost."""
    if is_segment(segment, Segment.LOST):
        return True
    return deals_won > 0 and status in (AccountStatus.DORMANT, AccountStatus.LOST)


# What the letter recalls, best first: an order is what a customer remembers, then a meal or a visit.
RECALLED_KINDS = (
    ActivityKind.WON,
    ActivityKind.MEAL,
    ActivityKind.VISIT,
    ActivityKind.PROPOSED,
    ActivityKind.CALL,
    ActivityKind.LETTER,
    ActivityKind.EMAIL,
)


@dataclass(frozen=True)
class LastTogether:
    """The last thing done together that a letter can recall: its kind and day."""

    kind: ActivityKind
    on: date


def last_together(activities: list[tuple[ActivityKind, date]]) -> LastTogether | None:
    """The latest live activity worth recalling (a lost deal is not a memory to recall), newest first;
    on one day an order beats a meal, a meal a visit."""
    recalled = [(kind, on) for kind, on in activities if kind in RECALLED_KINDS]
    if not recalled:
        return None
    newest = max(on for _kind, on in recalled)
    kind = min((kind for kind, on in recalled if on == newest), key=RECALLED_KINDS.index)
    return LastTogether(kind=kind, on=newest)
