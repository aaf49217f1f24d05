"""A manager's corrections of accounts: `/account <name> step|merge|archive|restore|lost …` and the
merge's confirmation button. Each is one transaction; only managers (workspace admins and owners as
Slack last told us, and PYRAMID_MANAGERS) may do them, checked inside that transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from bot import notify
from bot.domain.parsing import AccountCorrection, MergeRequest, StatusChange, StepSet
from bot.runtime import Runtime
from bot.services import accounts, managers, managing, profiles
from bot.services.errors import UserFacingError
from bot.services.profiles import FetchUser
from bot.usecases.managing_facts import (
    Corrected,
    MergeFacts,
    MergePlan,
    NotAManager,
    StatusFacts,
    StepSetFacts,
)

if TYPE_CHECKING:
    from bot.models import Account

# How many managers a refusal names (the rest are left out: a refusal stays one short line).
NAMED_MANAGERS = 5


@dataclass(frozen=True)
class Outcome:
    """A correction's result, and what it queued for the team channel (posted after the ack)."""

    result: Corrected | MergeFacts
    queued: tuple[notify.Queued, ...] = ()


def correct(runtime: Runtime, team_id: str, user_id: str, today: date, request: AccountCorrection) -> Outcome:
    """A step, archive, restore or lost is done at once; a merge is only planned (shown to confirm)."""
    if isinstance(request, MergeRequest):
        return Outcome(
            runtime.query(lambda session: _plan_merge(session, runtime, team_id, user_id, request))
        )
    return runtime.store(lambda session: _correct(session, runtime, team_id, user_id, today, request))


def _refusal(session: Session, runtime: Runtime, team_id: str, user_id: str) -> NotAManager | None:
    configured = runtime.team_config(team_id).managers
    if managers.is_manager(session, team_id, user_id, configured):
        return None
    known = managers.manager_ids(session, team_id, configured)
    return NotAManager(tuple(known[:NAMED_MANAGERS]), managers.admin_unknown(session, team_id, user_id))


def remember_profile(runtime: Runtime, team_id: str, user_id: str, fetch: FetchUser) -> bool:
    """The user's profile (and so whether Slack says they are an admin) asked of Slack now."""
    return profiles.refresh(runtime.db, team_id, user_id, now=runtime.clock.now(), fetch=fetch)


def _correct(
    session: Session,
    runtime: Runtime,
    team_id: str,
    user_id: str,
    today: date,
    request: StepSet | StatusChange,
) -> Outcome:
    if (refused := _refusal(session, runtime, team_id, user_id)) is not None:
        return Outcome(refused)
    account = accounts.lock(session, _named(session, team_id, request.account))
    now = runtime.clock.now()
    if isinstance(request, StepSet):
        done = managing.set_step(
            session,
            account,
            request.step,
            reason=request.reason,
            user_id=user_id,
            now=now,
            today=today,
            threshold=runtime.settings.pyramid_repeater_threshold,
        )
        queued: tuple[notify.Queued, ...] = ()
        if done.change is not None and done.climb.stage_changed:
            queued = notify.queue_manual_stage(
                session, runtime.team_config(account.team_id), account, done.change, now=now
            )
        facts = StepSetFacts(
            account=account.name,
            before=done.climb.before,
            after=done.climb.after,
            reason=request.reason,
            supported=done.supported,
            changed=done.change is not None,
            announced=bool(queued),
        )
        return Outcome(facts, queued)
    before, changed = managing.change_status(
        session, account, request.verb, reason=request.reason, user_id=user_id, now=now, today=today
    )
    return Outcome(StatusFacts(account.name, request.verb, before, changed, request.reason))


def _plan_merge(
    session: Session, runtime: Runtime, team_id: str, user_id: str, request: MergeRequest
) -> Corrected:
    if (refused := _refusal(session, runtime, team_id, user_id)) is not None:
        return refused
    survivor = _named(session, team_id, request.account)
    merged = _named(session, team_id, request.other)
    managing.check_merge(session, survivor, merged)
    moving = managing.moving(session, merged)
    return MergePlan(
        survivor_id=survivor.id,
        survivor=survivor.name,
        merged_id=merged.id,
        merged=merged.name,
        activities=moving.activities,
        followups=moving.followups,
        recoveries=moving.recoveries,
        reason=request.reason,
    )


def _named(session: Session, team_id: str, name: str) -> Account:
    """The account with this very name: a correction says what the name is, it does not follow merges
    (a merged one is refused, naming the account it was folded into)."""
    account = accounts.find_by_name_as_stored(session, team_id, name)
    if account is None:
        raise UserFacingError("account_not_found", name=name)
    return account


def merge(
    runtime: Runtime,
    team_id: str,
    user_id: str,
    today: date,
    survivor_id: int,
    merged_id: int,
    reason: str | None,
) -> Outcome:
    """The confirmed merge. A second press (or Slack's retry) finds it done and changes nothing."""

    def work(session: Session) -> Outcome:
        if (refused := _refusal(session, runtime, team_id, user_id)) is not None:
            return Outcome(refused)
        survivor, merged = managing.lock_pair(
            session,
            accounts.get_account(session, team_id, survivor_id),
            accounts.get_account(session, team_id, merged_id),
        )
        if merged.merged_into_id == survivor.id:
            step = survivor.current_step
            return Outcome(MergeFacts(survivor.name, merged.name, 0, 0, 0, step, step, already=True))
        moved, climb = managing.merge(
            session,
            survivor,
            merged,
            reason=reason,
            user_id=user_id,
            now=runtime.clock.now(),
            today=today,
            threshold=runtime.settings.pyramid_repeater_threshold,
        )
        facts = MergeFacts(
            survivor.name,
            merged.name,
            moved.activities,
            moved.followups,
            moved.recoveries,
            climb.before,
            climb.after,
        )
        return Outcome(facts)

    return runtime.store(work)
