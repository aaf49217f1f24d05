"""Follow-ups: `/followup`, and Done, Snooze 1 week, Reschedule on the digest and the App Home."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy.orm import Session

from bot.domain.followups import Due
from bot.domain.parsing import parse_followup
from bot.domain.schedule import WorkCalendar
from bot.interactions import NearMatchChoice
from bot.models import Account
from bot.runtime import Runtime
from bot.services import accounts, followups, pending
from bot.services.accounts import NearMatchQuestion
from bot.usecases.facts import AccountFacts, AskedFacts, FollowupFacts

Press = Literal["done", "snooze", "reschedule"]


@dataclass(frozen=True)
class Scheduled:
    account_name: str
    due: Due


@dataclass(frozen=True)
class FollowupChanged:
    followup: FollowupFacts
    changed: bool  # False: it was already so (a second click, a stale message)
    moved_from: date | None = None  # the day picked was a day off: it moved to the next working day


def schedule(
    runtime: Runtime, team_id: str, user_id: str, text: str, today: date, request_key: str
) -> Scheduled | AskedFacts:
    """`/followup <account> <date> [-- note]`; a retried delivery of the command schedules it once.
    A name only close to existing accounts is asked about ("did you mean"), the request parked until
    the rep picks one (`answer`); a name close to none is refused."""
    request = parse_followup(text, today)
    calendar = runtime.calendar(team_id)  # before the transaction: it may load the holiday calendar

    def work(session: Session) -> Scheduled | AskedFacts:
        now = runtime.clock.now()
        found = accounts.require_or_similar(session, team_id, request.account)
        if isinstance(found, NearMatchQuestion):
            fields = {"due_on": request.due_on.isoformat(), "note": request.note}
            parked = pending.park_named(
                session, team_id, user_id, "followup", fields, request_key=request_key, now=now
            )
            candidates = tuple(AccountFacts.of(account) for account in found.candidates)
            return AskedFacts(name=found.name, candidates=candidates, pending_id=parked.id)
        return _schedule_on(
            session, runtime, found, user_id, request.due_on, request.note, request_key, today, calendar
        )

    return runtime.store(work)


def answer(runtime: Runtime, team_id: str, choice: NearMatchChoice | None, today: date) -> Scheduled | None:
    """The rep picked the account a parked `/followup` meant: scheduled now, once. None when the
    question was answered already (or the value is malformed)."""
    if choice is None or choice.a is None:
        return None
    account_id = choice.a
    calendar = runtime.calendar(team_id)  # before the transaction: it may load the holiday calendar

    def work(session: Session) -> Scheduled | None:
        parked = pending.take_named(session, team_id, choice.p, "followup")
        if parked is None:
            return None
        account = accounts.get_account(session, team_id, account_id)
        due_on = date.fromisoformat(str(parked.fields["due_on"]))
        note = parked.fields.get("note")
        return _schedule_on(
            session,
            runtime,
            account,
            parked.user_id,
            due_on,
            str(note) if note is not None else None,
            parked.request_key,
            today,
            calendar,
        )

    return runtime.store(work)


def _schedule_on(
    session: Session,
    runtime: Runtime,
    account: Account,
    user_id: str,
    due_on: date,
    note: str | None,
    request_key: str,
    today: date,
    calendar: WorkCalendar,
) -> Scheduled:
    followup = followups.find_by_request(session, team_id=account.team_id, request_key=request_key)
    if followup is None:
        followup = followups.schedule(
            session,
            account,
            user_id=user_id,
            created_by=user_id,
            due_on=due_on,
            note=note,
            source="manual",
            now=runtime.clock.now(),
            request_key=request_key,
            calendar=calendar,
            today=today,
        )
    return Scheduled(account.name, Due(on=followup.due_on, asked=due_on))


def press(
    runtime: Runtime,
    team_id: str,
    user_id: str,
    followup_id: int,
    what: Press,
    today: date,
    picked: date | None = None,
) -> FollowupChanged:
    """Done, Snooze (a week from today) or Reschedule (to `picked`)."""
    calendar = runtime.calendar(team_id)  # before the transaction: it may load the holiday calendar

    def work(session: Session) -> FollowupChanged:
        if what == "done":
            change = followups.complete(
                session, team_id, followup_id, user_id=user_id, now=runtime.clock.now()
            )
        else:
            due_on = followups.snooze_date(today) if what == "snooze" or picked is None else picked
            change = followups.move(
                session,
                team_id,
                followup_id,
                due_on=due_on,
                today=today,
                user_id=user_id,
                snooze=what == "snooze",
                calendar=calendar,
            )
        facts = FollowupFacts.of(change.followup, change.account_name)
        return FollowupChanged(facts, change.changed, change.moved_from)

    return runtime.store(work)
