"""Logging from any surface (a command, the modal, a "did you mean" answer): stored in one transaction
before the ack, together with the deliveries it owes (bot/notify.py); the rest runs after the ack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bot.domain import fields
from bot.domain.fields import LogDraft, LogWhat
from bot.domain.parsing import parse_deal, parse_meeting
from bot.domain.unread import unread_tail
from bot.interactions import NearMatchChoice
from bot.notify import Queued, queue_after_log
from bot.runtime import Runtime
from bot.services.accounts import AccountRef
from bot.services.activities import Logged, LogRequest, log_activity
from bot.services.errors import UserFacingError
from bot.services.pending import Asked, log_or_ask, take
from bot.usecases.facts import AskedFacts, LoggedFacts


@dataclass(frozen=True)
class LogOutcome:
    """What a log did: stored (`LoggedFacts`), parked behind a question (`AskedFacts`), or nothing
    (None: the question was already answered or has expired). `queued`: what to post after the ack."""

    result: LoggedFacts | AskedFacts | None
    queued: tuple[Queued, ...] = ()

    @property
    def stored(self) -> LoggedFacts | None:
        """The new log, when there is one (a duplicate is not)."""
        if isinstance(self.result, LoggedFacts) and not self.result.duplicate:
            return self.result
        return None

    @property
    def home_user(self) -> str | None:
        """Whose App Home the log changed (None: nothing new was stored)."""
        return self.stored.activity.user_id if self.stored else None


UNREAD_WORDS = "unread_words"


def log(runtime: Runtime, request: LogRequest, *, today: date) -> LogOutcome:
    """Committed when this returns (or raises UserFacingError / NotStored / OutcomeUnknown)."""
    auto = runtime.auto_followups(request.team_id)  # before the transaction: it may load the holiday calendar

    def work(session: Session) -> LogOutcome:
        now = runtime.clock.now()
        outcome = log_or_ask(
            session,
            request,
            now=now,
            today=today,
            repeater_threshold=runtime.settings.pyramid_repeater_threshold,
            auto=auto,
        )
        if not isinstance(outcome, Logged):
            _refuse_unread(outcome, request, today)  # rolls the parked question back
            return LogOutcome(AskedFacts.of(outcome))
        queued = queue_after_log(session, runtime.team_config(request.team_id), outcome, now=now)
        return LogOutcome(LoggedFacts.of(outcome, today), queued)

    return runtime.store(work)


def is_unread(error: Exception) -> bool:
    """The refusal of a line that swallowed unread words (`_refuse_unread`)."""
    return isinstance(error, UserFacingError) and error.code == UNREAD_WORDS


def _refuse_unread(asked: Asked, request: LogRequest, today: date) -> None:
    """A "did you mean" question is never asked about a name that swallowed unread words (`山田商事
    昨日会食`): its answer would log the defaults (a visit today), not what was typed
    (bot/domain/unread.py). The rep is told what could not be read instead; nothing is stored."""
    typed = request.account.name or ""
    for candidate in asked.candidates:
        tail = unread_tail(typed, candidate.name, today)
        if tail is not None:
            raise UserFacingError(UNREAD_WORDS, word=tail, account=candidate.name)


def log_command(
    runtime: Runtime, what: LogWhat, text: str, team_id: str, user_id: str, today: date, request_key: str
) -> LogOutcome:
    """`/meeting <text>` or `/deal <text>`: read, checked like the modal (bot/domain/fields.py), stored."""
    if what == "deal":
        deal = parse_deal(text, today)
        draft = LogDraft(
            "deal",
            deal.account,
            deal.outcome,
            on=deal.on,
            amount=deal.amount,
            note=deal.note,
            revisit_on=deal.revisit_on,
            lost_reason=deal.lost_reason,
        )
    else:
        touch = parse_meeting(text, today)
        draft = LogDraft("meeting", touch.account, touch.kind, on=touch.on, note=touch.note)
    checked = fields.check_log(draft, today)
    request = log_request(checked, AccountRef(name=checked.name), team_id, user_id, request_key)
    return log(runtime, request, today=today)


def log_request(
    checked: fields.LogFields, account: AccountRef, team_id: str, user_id: str, request_key: str
) -> LogRequest:
    return LogRequest(
        team_id=team_id,
        user_id=user_id,
        account=account,
        kind=checked.kind,
        on=checked.on,
        amount=checked.amount,
        note=checked.note,
        revisit_on=checked.revisit_on,
        lost_reason=checked.lost_reason,
        request_key=request_key,
    )


def answer_near_match(
    runtime: Runtime, team_id: str, choice: NearMatchChoice | None, *, today: date
) -> LogOutcome:
    """The rep picked an account (or "create new") for a parked log: stored now, once. None (a
    malformed answer) finds nothing, as an expired question does."""
    if choice is None:
        return LogOutcome(None)

    def work(session: Session) -> LogOutcome:
        request = take(session, team_id, choice.p, AccountRef(account_id=choice.a))
        if request is None:
            return LogOutcome(None)
        logged, queued = log_named(session, runtime, request, today=today)
        return LogOutcome(logged, queued)

    return runtime.store(work)


def log_named(
    session: Session, runtime: Runtime, request: LogRequest, *, today: date
) -> tuple[LoggedFacts, tuple[Queued, ...]]:
    """Inside a use case's transaction: a log whose account is settled (picked, or confirmed by the rep
    as named or new), stored with the deliveries it owes. No "did you mean" is asked any more."""
    now = runtime.clock.now()
    outcome = log_activity(
        session,
        request,
        now=now,
        today=today,
        repeater_threshold=runtime.settings.pyramid_repeater_threshold,
        auto=runtime.auto_followups(request.team_id),
    )
    assert isinstance(outcome, Logged), "a settled account asks no question"
    return LoggedFacts.of(outcome, today), queue_after_log(
        session, runtime.team_config(request.team_id), outcome, now=now
    )
