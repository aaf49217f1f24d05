"""Failure recoveries (SPEC §1, §5): states, the allowed transitions and the five steps.

Recovery has two halves: respond at once, sincerely, with every fix you can offer; then make sure the
*next* delivery clearly exceeds expectations. Only then is the recovery complete.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum


class RecoveryStatus(StrEnum):
    OPEN = "open"
    RESPONDED = "responded"
    RECOVERED = "recovered"
    LOST = "lost"

    @property
    def is_closed(self) -> bool:
        return self in (RecoveryStatus.RECOVERED, RecoveryStatus.LOST)


# Not closed yet: in the owner's digest and in the weekly summary.
PENDING: tuple[RecoveryStatus, ...] = tuple(status for status in RecoveryStatus if not status.is_closed)

# The five steps for an upset customer, in order; stored as a bit mask of those done.
FIVE_STEPS: tuple[str, ...] = ("acknowledge", "reassure", "regret", "ask", "resolve")
ALL_STEPS_MASK = (1 << len(FIVE_STEPS)) - 1

ALLOWED: dict[RecoveryStatus, frozenset[RecoveryStatus]] = {
    RecoveryStatus.OPEN: frozenset({RecoveryStatus.RESPONDED, RecoveryStatus.LOST}),
    # "recovered" only after the next delivery exceeded expectations; "not yet" keeps it responded.
    RecoveryStatus.RESPONDED: frozenset({RecoveryStatus.RECOVERED, RecoveryStatus.LOST}),
    RecoveryStatus.RECOVERED: frozenset(),
    RecoveryStatus.LOST: frozenset(),
}

# Open longer than this, a recovery is flagged to the team channel (once).
FLAG_AFTER_DAYS = 3


def flag_cutoff(now: datetime) -> datetime:
    """A recovery opened before this instant and still open is flagged (the database's `where`)."""
    return now - timedelta(days=FLAG_AFTER_DAYS)


def can_move(current: RecoveryStatus, target: RecoveryStatus) -> bool:
    return target in ALLOWED[current]


def steps_done(mask: int) -> tuple[str, ...]:
    return tuple(step for index, step in enumerate(FIVE_STEPS) if mask & (1 << index))


def mask_of(steps: list[str] | tuple[str, ...]) -> int:
    mask = 0
    for step in steps:
        if step in FIVE_STEPS:
            mask |= 1 << FIVE_STEPS.index(step)
    return mask


def still_owed(status: RecoveryStatus, mask: int) -> tuple[str, ...]:
    """What the rep still owes: the unchecked steps while open, the exceeding delivery once responded."""
    if status is RecoveryStatus.OPEN:
        return tuple(step for step in FIVE_STEPS if step not in steps_done(mask))
    if status is RecoveryStatus.RESPONDED:
        return ("next_delivery",)
    return ()
