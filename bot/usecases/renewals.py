"""`/account <name> renewal <kind> <date> [lead <months>]`: a timing to come back at."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bot.domain.renewals import parse_renewal
from bot.i18n import t
from bot.runtime import Runtime
from bot.services import accounts, renewals
from bot.usecases.facts import RenewalRecorded


def renewal_command(
    runtime: Runtime, team_id: str, user_id: str, text: str, today: date, locale: str
) -> RenewalRecorded | None:
    """The renewal the text records (None: the text is no renewal; other /account forms apply). The
    follow-up's note is written in the recording rep's language: it is what the digest will show."""
    request = parse_renewal(text, today)
    if request is None:
        return None
    calendar = runtime.calendar(team_id)  # before the transaction: it may load the holiday calendar

    def work(session: Session) -> RenewalRecorded:
        account = accounts.lock(session, accounts.require_by_name(session, team_id, request.account))
        note = t(
            locale,
            "renewal_followup_note",
            kind=t(locale, f"renewal_kind_{request.kind.value}"),
            date=request.ends_on.isoformat(),
            months=request.lead_months,
        )
        recorded = renewals.record(
            session,
            account,
            request,
            user_id=user_id,
            note=note,
            now=runtime.clock.now(),
            today=today,
            calendar=calendar,
        )
        return RenewalRecorded(
            account=account.name,
            kind=request.kind,
            ends_on=request.ends_on,
            lead_months=request.lead_months,
            due=recorded.due,
            moved=recorded.moved,
        )

    return runtime.store(work)
