"""Follow-ups: `/followup`, and Done, Snooze 1 week, Reschedule on the digest and the App Home."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from sqlalchemy.orm import Session

from bot.domain.parsing import parse_followup
from bot.runtime import Runtime
from bot.services import accounts, followups
from bot.usecases.facts import FollowupFacts

Press = Literal["done", "snooze", "reschedule"]


@dataclass(frozen=True)
class Scheduled:
    account_name: str
    due_on: date


@dataclass(frozen=True)
class FollowupChanged:
    followup: FollowupFacts
    changed: bool  # False: it was already so (a second click, a stale message)


def schedule(
    runtime: Runtime, team_id: str, user_id: str, text: str, today: date, request_key: str
) -> Scheduled:
    """`/followup <account> <date> [-- note]`; a retried delivery of the command schedules it once."""
    request = parse_followup(text, today)

    def work(session: Session) -> Scheduled:
        account = accounts.require_by_name(session, team_id, request.account)
        if followups.find_by_request(session, team_id, request_key) is None:
            followups.schedule(
                session,
                account,
                user_id=user_id,
                created_by=user_id,
                due_on=request.due_on,
                note=request.note,
                source="manual",
                now=runtime.clock.now(),
                request_key=request_key,
            )
        return Scheduled(account.name, request.due_on)

    return runtime.store(work)


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
            )
        return FollowupChanged(FollowupFacts.of(change.followup, change.account_name), change.changed)

    return runtime.store(work)
