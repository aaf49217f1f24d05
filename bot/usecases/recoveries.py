"""Recoveries: `/trouble`, Responded / Recovered / Lost, the verdict, the five-step checklist.

Every change is stored before the ack, with the DM and channel post it owes (bot/notify.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bot.domain.parsing import parse_trouble
from bot.domain.recovery import RecoveryStatus, mask_of
from bot.notify import Queued, queue_trouble
from bot.runtime import Runtime
from bot.services import accounts, recoveries
from bot.usecases.facts import RecoveryFacts


@dataclass(frozen=True)
class TroubleOpened:
    recovery: RecoveryFacts
    duplicate: bool
    queued: tuple[Queued, ...]


@dataclass(frozen=True)
class RecoveryChanged:
    recovery: RecoveryFacts
    changed: bool  # False: it was already so (a second press, a stale copy)


def open_trouble(
    runtime: Runtime, team_id: str, user_id: str, text: str, today: date, request_key: str
) -> TroubleOpened:
    """`/trouble <account> -- <what went wrong>`."""
    request = parse_trouble(text)

    def work(session: Session) -> TroubleOpened:
        now = runtime.clock.now()
        opened = recoveries.open_recovery(
            session,
            accounts.require_by_name(session, team_id, request.account),
            user_id=user_id,
            what=request.what,
            now=now,
            today=today,
            request_key=request_key,
            followup_next_day=runtime.settings.pyramid_followup_after_trouble,
        )
        queued = queue_trouble(session, runtime.settings, opened, now=now)
        return TroubleOpened(RecoveryFacts.of(opened.recovery, opened.account), opened.duplicate, queued)

    return runtime.store(work)


def recovery(runtime: Runtime, team_id: str, recovery_id: int) -> RecoveryFacts:
    """UserFacingError("recovery_gone") when it is not there (any more)."""
    return runtime.query(lambda session: RecoveryFacts.of(*recoveries.get(session, team_id, recovery_id)))


def move(
    runtime: Runtime, team_id: str, recovery_id: int, target: RecoveryStatus, user_id: str
) -> RecoveryChanged:
    now = runtime.clock.now()

    def work(session: Session) -> RecoveryChanged:
        change = recoveries.move(session, team_id, recovery_id, target, user_id=user_id, now=now)
        return RecoveryChanged(RecoveryFacts.of(change.recovery, change.account), change.changed)

    return runtime.store(work)


def check_steps(runtime: Runtime, team_id: str, recovery_id: int, selected: list[str]) -> bool:
    """The checklist's boxes as ticked now; True when that changed what is stored."""
    return runtime.store(
        lambda session: recoveries.set_steps(session, team_id, recovery_id, mask_of(selected)).changed
    )
