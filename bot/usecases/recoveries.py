"""Recoveries: `/trouble`, Responded / Recovered / Lost, the verdict, the five-step checklist.

Every change is stored before the ack, with the DM and channel post it owes (bot/notify.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bot.domain.parsing import parse_trouble
from bot.domain.recovery import RecoveryStatus, mask_of
from bot.interactions import NearMatchChoice
from bot.models import Account
from bot.notify import Queued, queue_trouble
from bot.runtime import Runtime
from bot.services import accounts, pending, recoveries
from bot.services.accounts import NearMatchQuestion
from bot.usecases.facts import AccountFacts, AskedFacts, RecoveryFacts


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
) -> TroubleOpened | AskedFacts:
    """`/trouble <account> -- <what went wrong>`. A name only close to existing accounts is asked
    about ("did you mean"), the request parked until the rep picks one (`answer`); a name close to
    none is refused."""
    request = parse_trouble(text)

    def work(session: Session) -> TroubleOpened | AskedFacts:
        found = accounts.require_or_similar(session, team_id, request.account)
        if isinstance(found, NearMatchQuestion):
            parked = pending.park_named(
                session,
                team_id,
                user_id,
                "trouble",
                {"what": request.what},
                request_key=request_key,
                now=runtime.clock.now(),
            )
            candidates = tuple(AccountFacts.of(account) for account in found.candidates)
            return AskedFacts(name=found.name, candidates=candidates, pending_id=parked.id)
        return _open(session, runtime, found, user_id, request.what, today, request_key)

    return runtime.store(work)


def answer(
    runtime: Runtime, team_id: str, choice: NearMatchChoice | None, today: date
) -> TroubleOpened | None:
    """The rep picked the account a parked `/trouble` meant: opened now, once. None when the question
    was answered already (or the value is malformed)."""
    if choice is None or choice.a is None:
        return None
    account_id = choice.a

    def work(session: Session) -> TroubleOpened | None:
        parked = pending.take_named(session, team_id, choice.p, "trouble")
        if parked is None:
            return None
        account = accounts.get_account(session, team_id, account_id)
        what = str(parked.fields["what"])
        return _open(session, runtime, account, parked.user_id, what, today, parked.request_key)

    return runtime.store(work)


def _open(
    session: Session,
    runtime: Runtime,
    account: Account,
    user_id: str,
    what: str,
    today: date,
    request_key: str,
) -> TroubleOpened:
    now = runtime.clock.now()
    opened = recoveries.open_recovery(
        session,
        account,
        user_id=user_id,
        what=what,
        now=now,
        today=today,
        request_key=request_key,
        followup_next_day=runtime.settings.pyramid_followup_after_trouble,
    )
    queued = queue_trouble(session, runtime.settings, opened, now=now)
    return TroubleOpened(RecoveryFacts.of(opened.recovery, opened.account), opened.duplicate, queued)


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
