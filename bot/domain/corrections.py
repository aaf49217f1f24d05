"""Who may correct a logged activity, and until when (SPEC §2 "Corrections").

*Undo* sits on the reply to a log, for its author only: it is the "oops" button for the log just made
(a win typed twice, the wrong account picked). It is offered for UNDO_WINDOW after the log was stored:
long enough to notice a mistake the same working day or the next morning (reps log in the evening and
read the digest at 09:00), short enough that an old reply in a channel's scroll-back cannot quietly
rewrite last month's history. Later corrections go through the account card's *Edit* / *Delete*, where
the activity is seen among the others, and where a manager may correct a rep's log too.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

UNDO_WINDOW = timedelta(hours=24)


class Refused(StrEnum):
    """Why a correction is not made (each is an i18n key `correction_<value>`)."""

    NOT_YOURS = "not_yours"  # undo: only the author
    NOT_ALLOWED = "not_allowed"  # edit/delete: the author or a manager
    TOO_LATE = "too_late"  # undo after the window: use the card
    ALREADY = "already"  # deleted already (a second press)


def undo_open_until(created_at: datetime) -> datetime:
    return created_at + UNDO_WINDOW


def undo_refusal(
    *, author: str, user: str, created_at: datetime, now: datetime, deleted: bool
) -> Refused | None:
    """None when `user` may undo the activity now. A second press says "already undone" first: it is
    harmless whoever makes it."""
    if deleted:
        return Refused.ALREADY
    if user != author:
        return Refused.NOT_YOURS
    if now >= undo_open_until(created_at):
        return Refused.TOO_LATE
    return None


def correction_refusal(*, author: str, user: str, is_manager: bool, deleted: bool) -> Refused | None:
    """None when `user` may edit or delete the activity: its author, or a manager."""
    if deleted:
        return Refused.ALREADY
    if user != author and not is_manager:
        return Refused.NOT_ALLOWED
    return None
