"""Logging in plain words (SPEC §3, issue 14): a DM, a mention or the "Log to Pyramid" shortcut is read
(bot/domain/extraction.py), shown back as a preview, and stored only when its author presses *Log all*
— once, however often it is pressed; *Cancel* forgets it."""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.activities import ActivityKind
from bot.domain.extraction import (
    AccountRef,
    Activity,
    Extraction,
    Followup,
    KnownNames,
    Trouble,
    Unread,
    extract,
)
from bot.domain.followups import FollowupSource
from bot.domain.parsing import split_note
from bot.domain.stages import Climb, Step, climb
from bot.i18n import planned_action
from bot.interactions import unread_ref
from bot.models import Account
from bot.notify import Queued, queue_trouble
from bot.runtime import Runtime
from bot.services import accounts, followups, previews, recoveries
from bot.services.accounts import AccountRef as NameRef
from bot.services.activities import LogRequest
from bot.services.errors import UserFacingError
from bot.usecases.facts import LoggedFacts, RecoveryFacts
from bot.usecases.logs import log_named

# ------------------------------------------------------------------------------------ the preview


@dataclass(frozen=True)
class PreviewFacts:
    """A message read and parked. `climbs`: for each known account the activities would move, where it
    is and where it would be. `new`: False when this message had been previewed already (a retried
    event): it is not shown twice."""

    id: str
    extraction: Extraction
    climbs: dict[str, Climb]
    new: bool


def preview_command_line(
    runtime: Runtime, team_id: str, user_id: str, text: str, today: date, source_key: str
) -> PreviewFacts:
    """A `/meeting` or `/deal` line the command grammar could not read completely, read as plain words:
    its note (after ` -- `) goes in brackets, where the plain-words reader keeps it as part of the
    sentence instead of taking it for another one."""
    head, note = split_note(text)
    return preview(runtime, team_id, user_id, f"{head} ({note})" if note else head, today, source_key)


def preview(
    runtime: Runtime, team_id: str, user_id: str, text: str, today: date, source_key: str
) -> PreviewFacts:
    """Reads `text` and parks what it understood; nothing else is stored."""
    names = _known_names(runtime, team_id)
    extraction = extract(text, today, names)

    def work(session: Session) -> PreviewFacts:
        parked = previews.park(session, team_id, user_id, source_key, extraction, now=runtime.clock.now())
        return PreviewFacts(
            parked.id, parked.extraction, _climbs(session, team_id, parked.extraction, runtime), parked.new
        )

    return runtime.store(work)


def _climbs(session: Session, team_id: str, extraction: Extraction, runtime: Runtime) -> dict[str, Climb]:
    """Where the preview's activities would take each known account they name (shown before storing):
    its step now, and the step all of this message's activities for it support."""
    climbs: dict[str, Climb] = {}
    named = dict.fromkeys(item.account.known for item in extraction.activities if item.account.known)
    for name in named:
        account = accounts.find_by_name(session, team_id, name) if name else None
        if account is None:
            continue
        evidence = accounts.tally_of(account).evidence
        for item in extraction.activities:
            if item.account.known == name:
                evidence = evidence.plus(item.kind)
        change = climb(Step(account.step), evidence, runtime.settings.pyramid_repeater_threshold)
        if change.moved and name:
            climbs[name] = change
    return climbs


# Reading a team's names into the index costs tens of milliseconds for 10,000 accounts: a process keeps
# each team's index while the team's accounts are unchanged (count, newest id, latest change).
_NAMES_LOCK = threading.Lock()
# Per database (a process may open several, as the tests do: ids and clocks repeat between them).
_NAMES: weakref.WeakKeyDictionary[object, dict[str, tuple[tuple[object, ...], KnownNames]]] = (
    weakref.WeakKeyDictionary()
)


def _known_names(runtime: Runtime, team_id: str) -> KnownNames:
    def read_version(session: Session) -> tuple[object, ...]:
        row = session.execute(
            select(func.count(), func.max(Account.id), func.max(Account.updated_at)).where(
                Account.team_id == team_id
            )
        ).one()
        return tuple(row)

    version = runtime.query(read_version)
    with _NAMES_LOCK:
        known = _NAMES.setdefault(runtime.db, {})
        cached = known.get(team_id)
    if cached is not None and cached[0] == version:
        return cached[1]
    names = runtime.query(
        lambda session: list(session.scalars(select(Account.name).where(Account.team_id == team_id)))
    )
    index = KnownNames(names)
    with _NAMES_LOCK:
        known[team_id] = (version, index)
    return index


# ------------------------------------------------------------------------------------ an edit


@dataclass(frozen=True)
class ItemEdit:
    """One item of a preview as its *Edit* modal returned it, checked already (the handler checks it
    as the commands do). `on`: an activity's date or a follow-up's due date; `note`: an activity's
    note, or what a follow-up or a trouble is about."""

    kind: Literal["activity", "followup", "trouble"]
    index: int
    account: str
    activity: ActivityKind | None = None
    on: date | None = None
    amount: int | None = None
    note: str = ""
    unread: str | None = None  # *Add*: the ref of the sentence it resolves (index is then unused)


def item(
    runtime: Runtime, team_id: str, user_id: str, preview_id: str, kind: str, index: int
) -> Activity | Followup | Trouble:
    """The item of a preview an *Edit* opens a modal on (its author only); UserFacingError
    "preview_gone" when the preview has been answered or expired."""

    def work(session: Session) -> Activity | Followup | Trouble:
        parked = _theirs(previews.peek(session, team_id, preview_id), user_id)
        if parked is not None:
            extraction = parked.extraction
            items: dict[str, tuple[Activity | Followup | Trouble, ...]] = {
                "activity": extraction.activities,
                "followup": extraction.followups,
                "trouble": extraction.troubles,
            }
            if index < len(items.get(kind, ())):
                return items[kind][index]
        raise UserFacingError("preview_gone")

    return runtime.query(work)


def unread_item(
    runtime: Runtime, team_id: str, user_id: str, preview_id: str, ref: str, today: date
) -> Activity | Followup | Trouble:
    """What *Add* opens its modal with for a sentence the preview could not read: what was understood
    of it (its kind, account, date) and the sentence as the note. A follow-up without a usable date has
    `date.min` (the modal leaves it empty). UserFacingError "preview_gone" when it is gone."""

    def work(session: Session) -> Activity | Followup | Trouble:
        parked = _theirs(previews.peek(session, team_id, preview_id), user_id)
        for entry in parked.extraction.unread if parked is not None else ():
            if unread_ref(entry.text) == ref:
                return _prefill(entry, today)
        raise UserFacingError("preview_gone")

    return runtime.query(work)


def _prefill(entry: Unread, today: date) -> Activity | Followup | Trouble:
    if entry.understood.startswith("trouble:"):
        return Trouble(AccountRef(""), entry.text)
    head, *rest = entry.understood.split(" · ")
    on: date | None = None
    name = ""
    for part in rest:
        try:
            on = date.fromisoformat(part)
        except ValueError:
            name = part.split(", ")[0]
    kind = next((kind for kind in ActivityKind if kind.value == head), None)
    ref = AccountRef(name)
    if kind is None or entry.reason in ("no_date", "past_date") or (on is not None and on > today):
        due = on if on is not None and on >= today else date.min
        return Followup(ref, due, kind.value if kind is not None else "")
    return Activity(ref, kind, on if on is not None and on <= today else today, None, entry.text)


def edit(
    runtime: Runtime, team_id: str, user_id: str, preview_id: str, change: ItemEdit
) -> PreviewFacts | None:
    """Rewrites one item of the parked preview (its author only) and returns the preview to show again;
    None when it was answered meanwhile. Nothing is stored but the preview: *Log all* stores it."""

    def work(session: Session) -> PreviewFacts | None:
        found = accounts.find_by_name(session, team_id, change.account)
        ref = AccountRef(written=change.account, known=found.name if found is not None else None)
        edited: Activity | Followup | Trouble
        if change.kind == "activity":
            assert change.activity is not None and change.on is not None
            edited = Activity(ref, change.activity, change.on, change.amount, change.note)
        elif change.kind == "followup":
            assert change.on is not None
            edited = Followup(ref, change.on, change.note)
        else:
            edited = Trouble(ref, change.note)
        parked = _theirs(
            previews.resolve_unread(session, team_id, preview_id, change.unread, edited, ref_of=unread_ref)
            if change.unread is not None
            else previews.replace_item(session, team_id, preview_id, change.index, edited),
            user_id,
        )
        if parked is None:
            return None
        return PreviewFacts(
            parked.id, parked.extraction, _climbs(session, team_id, parked.extraction, runtime), False
        )

    return runtime.store(work)


# ------------------------------------------------------------------------------------ the answer


@dataclass(frozen=True)
class Confirmed:
    """What *Log all* stored, in the preview's order; `queued`: the posts it owes after the ack.
    `gone`: the preview had been answered already (a second click) or has expired: nothing stored."""

    logged: tuple[LoggedFacts, ...] = ()
    followups: tuple[tuple[str, date], ...] = ()  # (account name, due date)
    troubles: tuple[RecoveryFacts, ...] = ()
    queued: tuple[Queued, ...] = ()
    gone: bool = False


def confirm(
    runtime: Runtime, team_id: str, user_id: str, preview_id: str, today: date, locale: str
) -> Confirmed:
    """Stores every item of the preview in one transaction (all or nothing); its author only.
    `locale`: the language a follow-up's note is written in when the message named only an action."""

    def work(session: Session) -> Confirmed:
        parked = _theirs(previews.take(session, team_id, preview_id), user_id)
        if parked is None:
            return Confirmed(gone=True)
        return _store(session, runtime, team_id, user_id, parked, today, locale)

    return runtime.store(work)


def cancel(runtime: Runtime, team_id: str, user_id: str, preview_id: str) -> bool:
    """Forgets the preview; False when it was gone already."""

    def work(session: Session) -> bool:
        return _theirs(previews.take(session, team_id, preview_id), user_id) is not None

    return runtime.store(work)


def _theirs(parked: previews.Parked | None, user_id: str) -> previews.Parked | None:
    """The preview read (or taken, or rewritten) in this transaction, when it is the asker's or gone;
    another user's raises, which rolls back whatever the transaction did to it."""
    if parked is not None and parked.user_id != user_id:
        raise UserFacingError("preview_not_yours")
    return parked


def _store(
    session: Session,
    runtime: Runtime,
    team_id: str,
    user_id: str,
    parked: previews.Parked,
    today: date,
    locale: str,
) -> Confirmed:
    now = runtime.clock.now()
    extraction = parked.extraction
    logged: list[LoggedFacts] = []
    queued: list[Queued] = []
    for index, item in enumerate(extraction.activities):
        request = LogRequest(
            team_id=team_id,
            user_id=user_id,
            account=_name_ref(item.account),
            kind=item.kind,
            on=item.on,
            amount=item.amount,
            note=item.note or None,
            revisit_on=None,
            request_key=f"preview:{parked.id}:{index}",
        )
        facts, owed = log_named(session, runtime, request, today=today)
        logged.append(facts)
        queued.extend(owed)
    scheduled: list[tuple[str, date]] = []
    for index, followup in enumerate(extraction.followups):
        account = _account(session, team_id, user_id, followup.account, now, today)
        key = f"preview:{parked.id}:followup:{index}"
        if followups.find_by_request(session, team_id, key) is None:
            followups.schedule(
                session,
                account,
                user_id=user_id,
                created_by=user_id,
                due_on=followup.due,
                note=planned_action(locale, followup.what) or None,
                source=FollowupSource.MANUAL.value,
                now=now,
                request_key=key,
            )
        scheduled.append((account.name, followup.due))
    opened: list[RecoveryFacts] = []
    for index, trouble in enumerate(extraction.troubles):
        account = _account(session, team_id, user_id, trouble.account, now, today)
        recovery = recoveries.open_recovery(
            session,
            account,
            user_id=user_id,
            what=trouble.what,
            now=now,
            today=today,
            request_key=f"preview:{parked.id}:trouble:{index}",
            followup_next_day=runtime.settings.pyramid_followup_after_trouble,
        )
        queued.extend(queue_trouble(session, runtime.team_config(team_id), recovery, now=now))
        opened.append(RecoveryFacts.of(recovery.recovery, recovery.account))
    return Confirmed(tuple(logged), tuple(scheduled), tuple(opened), tuple(queued))


def _name_ref(ref: AccountRef) -> NameRef:
    """The account the preview proposed: the known name it matched (or its first "did you mean"), else
    a new company, created now that the rep confirmed it."""
    return NameRef(name=ref.proposed, create_new=ref.known is None and not ref.suggestions)


def _account(
    session: Session, team_id: str, user_id: str, ref: AccountRef, now: datetime, today: date
) -> Account:
    found = accounts.find_by_name(session, team_id, ref.proposed)
    if found is not None:
        return accounts.lock(session, found)
    return accounts.create_account(session, team_id, ref.proposed, user_id, now=now, today=today)
