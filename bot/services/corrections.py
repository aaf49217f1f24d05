"""Corrections of a logged activity (SPEC §2): undo, delete, edit. The activity is kept (deleted ones
are marked, never erased), the account's evidence and step are recomputed from its live activities
(`integrity.recompute`: a step may move down), every correction leaves an `AccountEvent`, the
follow-ups the log scheduled by itself are cancelled with it, and the stage announcements it made
untrue are withdrawn (pending: never sent; posted: corrected in the channel after the commit)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.domain.activities import ActivityKind
from bot.domain.delivery import DeliveryStatus
from bot.domain.fields import LogFields
from bot.domain.followups import FollowupStatus
from bot.domain.stages import Climb, Step, StepReason
from bot.models import Account, AccountEvent, Activity, Delivery, Followup, StepChange
from bot.services import accounts, integrity
from bot.services.activities import followup_key
from bot.services.errors import UserFacingError
from bot.usecases.facts import Withdrawn

Removal = Literal["undo", "delete"]
# The delivery kind of an immediate stage announcement (bot/notify.py), its ref the activity's id.
STAGE_ANNOUNCEMENT = "stage_change"
HOURLY_ANNOUNCEMENT = "stage_hour"  # PYRAMID_ANNOUNCE_HOURLY: one message per hour (jobs/announcements.py)


@dataclass(frozen=True)
class Corrected:
    account: Account
    activity: Activity
    climb: Climb
    withdrawn: tuple[Withdrawn, ...] = field(default=())
    followups_cancelled: int = 0


def locked_activity(session: Session, team_id: str, activity_id: int) -> tuple[Account, Activity]:
    """The activity of this team and its account, the account's row locked first (every correction
    reads the account's activities and writes its counters), then the activity read again under it."""
    activity = session.scalar(select(Activity).where(Activity.team_id == team_id, Activity.id == activity_id))
    if activity is None:
        raise UserFacingError("activity_gone")
    account = accounts.lock(session, accounts.get_account(session, team_id, activity.account_id))
    session.refresh(activity)
    return account, activity


def readable_activity(session: Session, team_id: str, activity_id: int) -> tuple[Account, Activity]:
    """The activity of this team and its account, for a modal (nothing is written)."""
    activity = session.scalar(select(Activity).where(Activity.team_id == team_id, Activity.id == activity_id))
    if activity is None:
        raise UserFacingError("activity_gone")
    return accounts.get_account(session, team_id, activity.account_id), activity


def remove(
    session: Session,
    account: Account,
    activity: Activity,
    *,
    how: Removal,
    user_id: str,
    now: datetime,
    today: date,
    threshold: int,
) -> Corrected:
    """Marks the activity deleted (kept, counted for nothing) and recomputes its account."""
    before = snapshot(activity)
    activity.deleted_at = now
    activity.deleted_by = user_id
    session.flush()
    climb = integrity.recompute(
        session, account, threshold=threshold, user_id=user_id, now=now, today=today, activity_id=activity.id
    )
    cancelled = _cancel_followups(session, activity, ActivityKind(activity.kind))
    reopened = _reopen_followups(session, activity)
    detail = {
        "activity": before,
        "step": _steps(climb),
        "followups_cancelled": cancelled,
        "followups_reopened": reopened,
    }
    _record(session, account, how, user_id, now, activity, detail)
    return Corrected(account, activity, climb, _withdraw(session, account, climb), len(cancelled))


def edit(
    session: Session,
    account: Account,
    activity: Activity,
    changed: LogFields,
    *,
    user_id: str,
    now: datetime,
    today: date,
    threshold: int,
) -> Corrected:
    """Rewrites the activity's kind, date, amount and note (checked by `fields.check_log`), recomputes
    its account, and records before and after."""
    before = snapshot(activity)
    was = ActivityKind(activity.kind)
    activity.kind = changed.kind.value
    activity.occurred_on = changed.on
    if changed.kind.is_deal:
        activity.amount = changed.amount
    # else: the edit modal asks a touch for no amount (a preview may have stored a budget): kept.
    activity.note = changed.note
    # A revisit date belongs to a lost deal (the edit modal does not change it).
    activity.revisit_on = activity.revisit_on if changed.kind is ActivityKind.LOST else None
    # So does the reason it was lost: a loss edited into a win was not lost to a competitor.
    activity.lost_reason = activity.lost_reason if changed.kind is ActivityKind.LOST else None
    activity.edited_at = now
    activity.edited_by = user_id
    session.flush()
    climb = integrity.recompute(
        session, account, threshold=threshold, user_id=user_id, now=now, today=today, activity_id=activity.id
    )
    # A win that is no longer a win owes no after-sale check-in (nor a loss its revisit).
    cancelled = _cancel_followups(session, activity, was) if changed.kind is not was else []
    detail = {
        "before": before,
        "after": snapshot(activity),
        "step": _steps(climb),
        "followups_cancelled": cancelled,
    }
    _record(session, account, "edit", user_id, now, activity, detail)
    return Corrected(account, activity, climb, _withdraw(session, account, climb), len(cancelled))


def snapshot(activity: Activity) -> dict[str, Any]:
    return {
        "id": activity.id,
        "kind": activity.kind,
        "on": activity.occurred_on.isoformat(),
        "amount": activity.amount,
        "note": activity.note,
        "revisit_on": activity.revisit_on.isoformat() if activity.revisit_on else None,
        "lost_reason": activity.lost_reason,
        "user": activity.user_id,
    }


def _steps(climb: Climb) -> dict[str, str]:
    return {"before": climb.before.value, "after": climb.after.value}


def _record(
    session: Session,
    account: Account,
    kind: str,
    user_id: str,
    now: datetime,
    activity: Activity,
    detail: dict[str, Any],
) -> None:
    session.add(
        AccountEvent(
            team_id=account.team_id,
            account_id=account.id,
            kind=kind,
            user_id=user_id,
            at=now,
            detail=json.dumps(detail, ensure_ascii=False),
            activity_id=activity.id,
        )
    )


def _cancel_followups(session: Session, activity: Activity, kind: ActivityKind) -> list[int]:
    """The open follow-up the log scheduled by itself (after a win, a lost deal's revisit), found by the
    key it was stored with (`activities.followup_key`). Follow-ups stored before that key existed
    cannot be told apart from others, so they stay."""
    if kind not in (ActivityKind.WON, ActivityKind.LOST):
        return []
    found = session.scalar(
        select(Followup).where(
            Followup.team_id == activity.team_id,
            Followup.request_key == followup_key(activity.id),
            Followup.status == FollowupStatus.OPEN.value,
        )
    )
    if found is None:
        return []
    found.status = FollowupStatus.CANCELLED.value
    return [found.id]


def _reopen_followups(session: Session, activity: Activity) -> list[int]:
    """The follow-ups this log did (`followups.close_matching`) are to do again: it never happened."""
    closed = session.scalars(
        select(Followup)
        .where(
            Followup.team_id == activity.team_id,
            Followup.account_id == activity.account_id,
            Followup.closed_by_activity_id == activity.id,
            Followup.status == FollowupStatus.DONE.value,
        )
        .with_for_update()
    ).all()
    for followup in closed:
        followup.status = FollowupStatus.OPEN.value
        followup.done_at = followup.done_by = followup.closed_by_activity_id = None
    return [followup.id for followup in closed]


def _withdraw(session: Session, account: Account, climb: Climb) -> tuple[Withdrawn, ...]:
    """When the account's stage went down: every announcement of this account reaching a stage above
    the one it is on now is untrue. Still pending, it is never sent (marked empty); posted, it is
    returned to be corrected in the channel. With PYRAMID_ANNOUNCE_HOURLY the hour's message that
    listed it is returned too (an hour not yet posted is built later without it: summaries.advancements
    leaves deleted logs out)."""
    if climb.after.stage >= climb.before.stage:
        return ()
    above = [step.value for step in Step if step.stage > climb.after.stage]
    untrue = session.execute(
        select(StepChange.activity_id, StepChange.changed_at).where(
            StepChange.team_id == account.team_id,
            StepChange.account_id == account.id,
            StepChange.reason == StepReason.ACTIVITY.value,
            StepChange.to_step.in_(above),
            StepChange.activity_id.is_not(None),
        )
    ).all()
    if not untrue:
        return ()
    scope = (
        Delivery.team_id == account.team_id,
        Delivery.kind == STAGE_ANNOUNCEMENT,
        Delivery.ref.in_([str(activity_id) for activity_id, _ in untrue]),
    )
    session.execute(
        update(Delivery)
        .where(
            *scope,
            Delivery.status.in_([DeliveryStatus.PENDING.value, DeliveryStatus.FAILED.value]),
        )
        .values(status=DeliveryStatus.EMPTY.value, last_error="withdrawn by a correction")
    )
    posted = session.execute(
        select(Delivery.channel, Delivery.ts, Delivery.payload).where(
            *scope, Delivery.status == DeliveryStatus.SENT.value
        )
    ).all()
    singles = tuple(
        Withdrawn(channel, ts, str(json.loads(payload or "{}").get("text") or ""))
        for channel, ts, payload in posted
        if channel and ts
    )
    return singles + _hours_posted(session, account.team_id, [at for _, at in untrue])


def _hours_posted(session: Session, team_id: str, changed_at: list[datetime]) -> tuple[Withdrawn, ...]:
    """The hourly messages (jobs/announcements.py, ref: the hour's start) that listed these changes. An
    hour is built and posted after it ends, so only rows created since the earliest change can."""
    rows = session.execute(
        select(Delivery.ref, Delivery.channel, Delivery.ts, Delivery.payload).where(
            Delivery.team_id == team_id,
            Delivery.kind == HOURLY_ANNOUNCEMENT,
            Delivery.status == DeliveryStatus.SENT.value,
            Delivery.created_at >= min(changed_at),
        )
    ).all()
    found: list[Withdrawn] = []
    for ref, channel, ts, payload in rows:
        try:
            start = datetime.fromisoformat(ref)
        except ValueError:
            continue
        if channel and ts and any(start <= at < start + timedelta(hours=1) for at in changed_at):
            message = json.loads(payload or "{}")
            blocks = json.dumps(message.get("blocks") or [], ensure_ascii=False)
            found.append(Withdrawn(channel, ts, str(message.get("text") or ""), blocks=blocks))
    return tuple(found)
