"""Timing you can record (SPEC §1: "not now" is a timing answer; issue 12): when an account's contract,
lease or warranty ends, or its budget cycle turns, and how long before that to come back.

`/account Acme renewal lease 2027-06-30 lead 3` (ja: `/account 山田商事 更新 リース 2027/6/30 3ヶ月前`)
records the date; Pyramid schedules the follow-up `lead` months before it and says why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from bot.domain.fields import ParseError
from bot.domain.parsing import (
    AccountQuery,
    _account_name,
    _as_typed,
    _fold,
    _tokenize,
    parse_account,
    parse_date,
)

# Three months before: time to ask for the meeting, prepare the proposal and get it into the budget.
DEFAULT_LEAD_MONTHS = 3
MAX_LEAD_MONTHS = 24


class RenewalKind(StrEnum):
    CONTRACT = "contract"
    LEASE = "lease"
    WARRANTY = "warranty"
    BUDGET = "budget"


RENEWAL_WORDS = frozenset({"renewal", "renew", "renews", "更新", "満了", "期限"})
KIND_WORDS: dict[str, RenewalKind] = {
    "contract": RenewalKind.CONTRACT,
    "契約": RenewalKind.CONTRACT,
    "lease": RenewalKind.LEASE,
    "リース": RenewalKind.LEASE,
    "warranty": RenewalKind.WARRANTY,
    "保証": RenewalKind.WARRANTY,
    "保守": RenewalKind.WARRANTY,
    "budget": RenewalKind.BUDGET,
    "予算": RenewalKind.BUDGET,
    "決算": RenewalKind.BUDGET,
}
# "lead 3", "lead 3 months", "3 months before", "3ヶ月前", "リード 3"
_LEAD = re.compile(
    r"(?:(?:lead|リード)\s*(\d{1,2})\s*(?:months?|ヶ月|か月|カ月|ケ月|ヵ月)?"
    r"|(\d{1,2})\s*(?:months?\s+before|ヶ月前|か月前|カ月前|ケ月前|ヵ月前))\s*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class RenewalRequest:
    account: str
    kind: RenewalKind
    ends_on: date
    lead_months: int


def parse_renewal(text: str, today: date) -> RenewalRequest | None:
    """`<account> renewal <kind> <date> [lead <months>]`; None when the text is not a renewal at all
    (no renewal word after the name), a ParseError when it is one written wrong."""
    tokens = _tokenize(_as_typed(text).strip())
    at = next((i for i, token in enumerate(tokens) if i > 0 and _fold(token.text) in RENEWAL_WORDS), None)
    if at is None:
        return None
    account = _account_name(tokens[:at])
    rest = [token.text for token in tokens[at + 1 :]]
    if not rest or _fold(rest[0]) not in KIND_WORDS:
        if not isinstance(parse_account(text), AccountQuery):
            return None  # another /account form whose name holds the word: `merge "Renewal Partners"`
        raise ParseError("renewal_kind", word=rest[0] if rest else "")
    kind = KIND_WORDS[_fold(rest[0])]
    tail = " ".join(rest[1:])
    lead = DEFAULT_LEAD_MONTHS
    if (match := _LEAD.search(tail)) is not None:
        lead = int(match[1] or match[2])
        tail = tail[: match.start()].strip()
    if not 0 <= lead <= MAX_LEAD_MONTHS:
        raise ParseError("renewal_lead", limit=MAX_LEAD_MONTHS)
    if not tail:
        raise ParseError("renewal_date")
    ends_on = parse_date(tail, today, "future")
    if ends_on <= today:
        raise ParseError("renewal_past", date=ends_on.isoformat())
    return RenewalRequest(account=account, kind=kind, ends_on=ends_on, lead_months=lead)


def come_back_on(ends_on: date, lead_months: int, today: date) -> date:
    """The day to come back: `lead_months` before the end; today when that day has already passed
    (the end is nearer than the lead: there is no time to lose)."""
    return max(ends_on - relativedelta(months=lead_months), today)
