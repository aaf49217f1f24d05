"""Recoveries: `/trouble`, the two halves (Responded; the next delivery's date, then the verdict after
it), Lost, the five-step checklist, and the team's buttons (take it over, add a note, escalate).

Every change is stored before the ack, with the DM and channel post it owes (bot/notify.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bot.domain.parsing import parse_trouble
from bot.domain.recovery import Cause, mask_of
from bot.interactions import NearMatchChoice
from bot.models import Account
from bot.notify import Queued, queue_escalated, queue_note, queue_taken, queue_trouble, queue_verdict_no
from bot.runtime import Runtime
from bot.services import accounts, followups, managers, pending, recoveries
from bot.services.accounts import NearMatchQuestion
from bot.services.recoveries import RecoveryChange
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
    queued: tuple[Queued, ...] = ()


@dataclass(frozen=True)
class Escalated:
    recovery: RecoveryFacts
    managers: tuple[str, ...]
    first: bool  # False: escalated before; the managers were told then
    queued: tuple[Queued, ...] = ()


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
                {"what": request.what, "cause": request.cause.value if request.cause else None},
                request_key=request_key,
                now=runtime.clock.now(),
            )
            candidates = tuple(AccountFacts.of(account) for account in found.candidates)
            return AskedFacts(name=found.name, candidates=candidates, pending_id=parked.id)
        return _open(session, runtime, found, user_id, request.what, today, request_key, request.cause)

    return runtime.store(work)


def open_chosen(
    runtime: Runtime,
    team_id: str,
    user_id: str,
    account_id: int,
    what: str,
    cause: Cause | None,
    today: date,
    request_key: str,
) -> TroubleOpened:
    """The `/trouble` modal: the account picked from the type-ahead (of this team), its cause and what
    went wrong; a retried submission (same view) opens nothing more."""

    def work(session: Session) -> TroubleOpened:
        account = accounts.get_account(session, team_id, account_id)
        return _open(session, runtime, account, user_id, what, today, request_key, cause)

    return runtime.store(work)


def after_sale_unsatisfied(
    runtime: Runtime, team_id: str, user_id: str, followup_id: int, what: str, today: date
) -> TroubleOpened:
    """ "Done: not satisfied" on the after-sale follow-up: it is done, and a recovery is open, in one
    click (a second click finds the same recovery)."""

    def work(session: Session) -> TroubleOpened:
        now = runtime.clock.now()
        change = followups.complete(session, team_id, followup_id, user_id=user_id, now=now)
        account = accounts.get_account(session, team_id, change.followup.account_id)
        key = f"after_sale:{followup_id}"
        return _open(session, runtime, account, user_id, what, today, key, None)

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
        cause = parked.fields.get("cause")
        return _open(
            session,
            runtime,
            account,
            parked.user_id,
            what,
            today,
            parked.request_key,
            Cause(cause) if cause in set(Cause) else None,
        )

    return runtime.store(work)


def _open(
    session: Session,
    runtime: Runtime,
    account: Account,
    user_id: str,
    what: str,
    today: date,
    request_key: str,
    cause: Cause | None = None,
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
        cause=cause,
    )
    queued = queue_trouble(session, runtime.team_config(account.team_id), opened, now=now)
    return TroubleOpened(RecoveryFacts.of(opened.recovery, opened.account), opened.duplicate, queued)


def recovery(runtime: Runtime, team_id: str, recovery_id: int) -> RecoveryFacts:
    """UserFacingError("recovery_gone") when it is not there (any more)."""
    return runtime.query(lambda session: RecoveryFacts.of(*recoveries.get(session, team_id, recovery_id)))


def _changed(change: RecoveryChange, queued: tuple[Queued, ...] = ()) -> RecoveryChanged:
    return RecoveryChanged(RecoveryFacts.of(change.recovery, change.account), change.changed, queued)


def respond(runtime: Runtime, team_id: str, recovery_id: int, user_id: str) -> RecoveryChanged:
    now = runtime.clock.now()
    return runtime.store(
        lambda session: _changed(recoveries.respond(session, team_id, recovery_id, user_id=user_id, now=now))
    )


def lose(runtime: Runtime, team_id: str, recovery_id: int, user_id: str) -> RecoveryChanged:
    now = runtime.clock.now()
    return runtime.store(
        lambda session: _changed(recoveries.lose(session, team_id, recovery_id, user_id=user_id, now=now))
    )


def set_delivery(runtime: Runtime, team_id: str, recovery_id: int, on: date, user_id: str) -> RecoveryChanged:
    """The next delivery's date; UserFacingError("recovery_delivery_before") for one before the failure."""
    now = runtime.clock.now()
    return runtime.store(
        lambda session: _changed(
            recoveries.set_delivery(session, team_id, recovery_id, on, user_id=user_id, now=now)
        )
    )


def verdict(
    runtime: Runtime, team_id: str, recovery_id: int, exceeded: bool, user_id: str, today: date
) -> RecoveryChanged:
    """Yes closes it as recovered; no keeps it open, asks for another next delivery, and tells the
    managers (in the same transaction: the DMs are owed once the answer is stored)."""
    now = runtime.clock.now()

    def work(session: Session) -> RecoveryChanged:
        change = recoveries.verdict(
            session, team_id, recovery_id, exceeded, user_id=user_id, now=now, today=today
        )
        queued: tuple[Queued, ...] = ()
        if change.changed and not exceeded:
            facts = RecoveryFacts.of(change.recovery, change.account)
            queued = queue_verdict_no(session, runtime.team_config(team_id), facts, user_id=user_id, now=now)
        return _changed(change, queued)

    return runtime.store(work)


def take(runtime: Runtime, team_id: str, recovery_id: int, user_id: str) -> RecoveryChanged:
    """A teammate takes the complaint over; the checklist goes to them by DM."""
    now = runtime.clock.now()

    def work(session: Session) -> RecoveryChanged:
        change = recoveries.take(session, team_id, recovery_id, user_id=user_id, now=now)
        if not change.changed:
            return _changed(change)
        facts = RecoveryFacts.of(change.recovery, change.account)
        return _changed(change, queue_taken(session, runtime.team_config(team_id), facts, now=now))

    return runtime.store(work)


def add_note(
    runtime: Runtime, team_id: str, recovery_id: int, user_id: str, note: str, channel: str | None, key: str
) -> RecoveryChanged:
    """The note is stored on the recovery and shown in the team channel (once per submission)."""
    now = runtime.clock.now()

    def work(session: Session) -> RecoveryChanged:
        change = recoveries.add_note(session, team_id, recovery_id, note, user_id=user_id, now=now)
        if not change.changed:
            return _changed(change)
        facts = RecoveryFacts.of(change.recovery, change.account)
        queued = queue_note(
            session,
            runtime.team_config(team_id),
            facts,
            user_id=user_id,
            note=note,
            channel=channel,
            key=key,
            now=now,
        )
        return _changed(change, queued)

    return runtime.store(work)


def escalate(runtime: Runtime, team_id: str, recovery_id: int, user_id: str) -> Escalated:
    """Recorded with who and when; the managers get a DM the first time."""
    now = runtime.clock.now()

    def work(session: Session) -> Escalated:
        before = recoveries.was_escalated(session, team_id, recovery_id)
        change = recoveries.escalate(session, team_id, recovery_id, user_id=user_id, now=now)
        facts = RecoveryFacts.of(change.recovery, change.account)
        found = tuple(managers.manager_ids(session, team_id, runtime.team_config(team_id).managers))
        if not change.changed:
            return Escalated(facts, found, first=False)
        queued = queue_escalated(session, runtime.team_config(team_id), facts, user_id=user_id, now=now)
        return Escalated(facts, found, first=not before, queued=queued)

    return runtime.store(work)


def check_steps(runtime: Runtime, team_id: str, recovery_id: int, selected: list[str]) -> bool:
    """The checklist's boxes as ticked now; True when that changed what is stored."""
    return runtime.store(
        lambda session: recoveries.set_steps(session, team_id, recovery_id, mask_of(selected)).changed
    )
