"""What a rep may type into a field, in one place: the length limits and the checks of a log.

The slash commands (bot/domain/parsing.py reads their text) and the log modal (the handler reads its
inputs) both end in `check_log`, so a log is refused for the same reasons with the same message
whichever way it came in. Nothing is ever shortened silently: too long is refused, and said so.

Pure: no I/O and no clock ("today" is a parameter).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Literal, TypeVar

from bot.domain.activities import DEAL_OUTCOMES, TOUCH_KINDS, ActivityKind
from bot.domain.winback import LostReason

MAX_NOTE = 1000
MAX_NAME = 120
MAX_SEGMENT = 40  # the width of accounts.segment (bot/models.py), set in migration 0001
MAX_CONTACT = 80  # the width of accounts.contact (migration 0015): a name and a title
# Far above any real deal (1000兆), far below a 64-bit database column: digits pasted twice
# by mistake are refused instead of stored.
MAX_AMOUNT = 10**15

LogWhat = Literal["meeting", "deal"]
# A log's fields, named as the modal's blocks are (bot/interactions.py): a refusal points at one.
Field = Literal["account", "kind", "date", "amount", "revisit", "lost_reason", "note"]
T = TypeVar("T")


class ParseError(ValueError):
    """Bad text or a bad field. `code` is a message-catalogue key; `params` fill in its message."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(f"{code} {params}" if params else code)
        self.code = code
        self.params: dict[str, object] = params


class FieldErrors(ParseError):
    """Every problem of a log at once, by field (the modal shows each next to its input); as a
    ParseError it is the first of them (a command answers with one)."""

    def __init__(self, errors: dict[Field, ParseError]) -> None:
        first = next(iter(errors.values()))
        super().__init__(first.code, **first.params)
        self.errors = errors


@dataclass(frozen=True)
class LogDraft:
    """A log as typed, before the checks: a typed `name`, or the `account_id` of an account picked
    (the modal's select); neither is refused as an empty account."""

    what: LogWhat
    name: str | None
    kind: ActivityKind | None
    kind_word: str = ""
    on: date | None = None  # None: today
    amount_text: str | None = None  # the modal's text; a command's amount is parsed already
    amount: int | None = None
    note: str | None = None
    revisit_on: date | None = None
    account_id: int | None = None
    lost_reason: LostReason | None = None


@dataclass(frozen=True)
class LogFields:
    """A log that passed every check: it names an account (`name`) or picked one (`account_id`)."""

    name: str | None
    kind: ActivityKind
    on: date
    amount: int | None
    note: str | None
    revisit_on: date | None
    account_id: int | None = None
    lost_reason: LostReason | None = None


def account_name(text: str) -> str:
    """A typed account name, whitespace collapsed; refused when empty or too long."""
    name = " ".join(text.split())
    if not name:
        raise ParseError("empty_account")
    if len(name) > MAX_NAME:
        raise ParseError("name_too_long", limit=MAX_NAME)
    return name


def note(text: str | None) -> str | None:
    """A note, stripped (empty means none); refused when too long."""
    stripped = (text or "").strip()
    if len(stripped) > MAX_NOTE:
        raise ParseError("note_too_long", limit=MAX_NOTE, length=len(stripped))
    return stripped or None


def segment(text: str) -> str:
    """A segment name, stripped; refused (not shortened) when longer than the column."""
    stripped = text.strip()
    if len(stripped) > MAX_SEGMENT:
        raise ParseError("segment_too_long", limit=MAX_SEGMENT, length=len(stripped))
    return stripped


def contact(text: str) -> str:
    """The customer's contact person as typed (`山田部長`), stripped; refused when too long."""
    stripped = " ".join(text.split())
    if len(stripped) > MAX_CONTACT:
        raise ParseError("contact_too_long", limit=MAX_CONTACT, length=len(stripped))
    return stripped


def lost_reason(value: LostReason, found: ActivityKind | None) -> LostReason:
    """Why a deal was lost: only for a lost deal."""
    if found is not ActivityKind.LOST:
        raise ParseError("reason_needs_lost", word=value.value)
    return value


def kind(what: LogWhat, found: ActivityKind | None, word: str = "") -> ActivityKind:
    """A touch for /meeting, an outcome for /deal."""
    allowed = DEAL_OUTCOMES if what == "deal" else TOUCH_KINDS
    if found is None or found not in allowed:
        if what == "deal":
            raise ParseError("missing_outcome")
        raise ParseError("bad_kind", word=word)
    return found


def occurred_on(on: date, today: date) -> date:
    if on > today:
        raise ParseError("future_date", date=on.isoformat())
    return on


def amount(value: int) -> int:
    if not 0 < value <= MAX_AMOUNT:
        raise ParseError("bad_amount", word=str(value))
    return value


def revisit_on(value: date, found: ActivityKind | None, today: date) -> date:
    """A date to try a lost deal again: only for a lost deal, and in the future."""
    if found is not ActivityKind.LOST:
        raise ParseError("revisit_needs_lost")
    if value <= today:
        raise ParseError("past_date", date=value.isoformat())
    return value


def check_log(draft: LogDraft, today: date) -> LogFields:
    """Every check of a log, from the command or the modal; FieldErrors lists all that failed."""
    errors: dict[Field, ParseError] = {}

    def check(field: Field, run: Callable[[], T]) -> T | None:
        try:
            return run()
        except ParseError as error:
            errors[field] = error
            return None

    typed, name = draft.name, None
    if typed is not None:
        name = check("account", lambda: account_name(typed))
    elif draft.account_id is None:
        errors["account"] = ParseError("empty_account")
    found = check("kind", lambda: kind(draft.what, draft.kind, draft.kind_word))
    on = check("date", lambda: occurred_on(draft.on or today, today))
    value = draft.amount
    if draft.what == "deal" and (draft.amount_text or "").strip():
        value = check("amount", lambda: _parse_amount((draft.amount_text or "").strip()))
    elif value is not None:
        value = check("amount", lambda: amount(draft.amount or 0))
    revisit = None
    if draft.what == "deal" and draft.revisit_on is not None:
        revisit = check("revisit", lambda: revisit_on(draft.revisit_on or today, draft.kind, today))
    reason = None
    if draft.what == "deal" and draft.lost_reason is not None:
        reason = check("lost_reason", lambda: lost_reason(draft.lost_reason or LostReason.OTHER, draft.kind))
    text = check("note", lambda: note(draft.note))
    if errors or found is None or on is None:
        raise FieldErrors(errors)
    return LogFields(
        name, found, on, value, text, revisit, None if typed is not None else draft.account_id, reason
    )


def _parse_amount(text: str) -> int:
    # The command's amount words ("1.2M", "120万") are read in one place; imported here, not at the
    # top, because that module takes its limits and ParseError from this one.
    from bot.domain.parsing import parse_amount

    return parse_amount(text)
