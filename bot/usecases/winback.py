"""Win-back letters: the draft for a former customer, and *Log as sent* (a `letter` touch, once)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bot.domain.activities import ActivityKind
from bot.domain.winback import last_together
from bot.interactions import WinbackSent
from bot.runtime import Runtime
from bot.services import accounts
from bot.services.accounts import AccountRef
from bot.services.activities import LogRequest, latest_by_kind
from bot.usecases.facts import AccountFacts, WinbackDraft
from bot.usecases.logs import LogOutcome, log


def draft(runtime: Runtime, team_id: str, account_id: int, draft_key: str) -> WinbackDraft:
    """The letter's facts: the account, its contact and the last thing done together. `draft_key`: the
    press that asked for it, which *Log as sent* carries (one letter per draft)."""
    return runtime.query(lambda session: _draft(session, team_id, account_id, draft_key))


def _draft(session: Session, team_id: str, account_id: int, draft_key: str) -> WinbackDraft:
    account = accounts.get_account(session, team_id, account_id)
    last = last_together(latest_by_kind(session, team_id, account.id))
    return WinbackDraft(account=AccountFacts.of(account), last=last, draft_key=draft_key)


def log_sent(runtime: Runtime, team_id: str, user_id: str, sent: WinbackSent, *, today: date) -> LogOutcome:
    """The letter logged as a touch today. The request key is the draft's: pressing twice, or Slack
    delivering the press again, stores one letter (bot/services/activities.py `_already_logged`)."""
    request = LogRequest(
        team_id=team_id,
        user_id=user_id,
        account=AccountRef(account_id=sent.a),
        kind=ActivityKind.LETTER,
        on=today,
        request_key=f"winback:{sent.a}:{sent.d}",
    )
    return log(runtime, request, today=today)
