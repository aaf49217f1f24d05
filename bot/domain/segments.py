"""Segments that change what Pyramid does (issue 12): a segment is free text a rep sets
(`/account Acme segment strategic`); these few names have rules, any other is a label only.

Pure: no I/O and no clock.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from enum import StrEnum
from typing import TypeVar

T = TypeVar("T")


class Segment(StrEnum):
    """The segments that change what Pyramid does (any other segment is a label only)."""

    STRATEGIC = "strategic"  # listed first in digests; complaints escalate one step sooner
    SKEPTIC = "skeptic"
    LOST = "lost"  # lost to a competitor: win-back advice and a letter instead of the ladder


def segment_key(segment: str | None) -> str:
    """A stored segment as compared with the rules' names: `Strategic`, `ＳＴＲＡＴＥＧＩＣ` and ` strategic`
    are one segment."""
    return unicodedata.normalize("NFKC", segment or "").strip().casefold()


def is_segment(stored: str | None, segment: Segment) -> bool:
    return segment_key(stored) == segment.value


def strategic_first(items: Sequence[T], segment_of: Callable[[T], str | None]) -> list[T]:
    """The items of strategic accounts first, each group in its own order (a stable sort): the accounts
    that matter most are never below the fold of a long digest."""
    return sorted(items, key=lambda item: not is_segment(segment_of(item), Segment.STRATEGIC))
