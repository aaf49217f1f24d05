"""Logging a touch or a deal: store it, update the account's evidence, climb the ladder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from bot.domain.activities import ActivityKind
from bot.domain.followups import Due, FollowupSource, FollowupStatus, after_sale_due
from bot.domain.names import name_key
from bot.domain.segments import Segment
from bot.domain.stages import Climb, Step, StepReason, climb
from bot.domain.status import StatusMove
from bot.domain.winback import LostReason, segment_after_loss
from bot.models import Account, Activity, Followup
from bot.services import accounts, followups, status_changes
from bot.services.accounts import AccountRef, NearMatchQuestion
from bot.services.followups import AutoFollowups
from bot.services.status import live_activity


@dataclass(frozen=True)
class LogRequest:
    team_id: str
    user_id: str
    account: AccountRef
    kind: ActivityKind
    on: date
    amount: int | None = None
    note: str | None = None
    revisit_on: date | None = None
    lost_reason: LostReason | None = None
    # The Slack delivery this came from (trigger or view id): a second delivery stores nothing.
    request_key: str | None = None


@dataclass(frozen=True)
class Logged:
    account: Account
    activity: Activity
    climb: Climb
    created_account: bool
    duplicate: bool = False
    followups_scheduled: tuple[Due, ...] = field(default=())
    # Open follow-ups of the account that this log did (services.followups.close_matching).
    followups_closed: tuple[Followup, ...] = field(default=())
    # A lost account back in the pyramid, or a former customer's final "no" taking it out.
    status_move: StatusMove | None = None
    # A deal lost to a competitor filed the account under this segment (it had none).
    segment_set: Segment | None = None


def log_activity(
    session: Session,
    request: LogRequest,
    *,
    now: datetime,
    today: date,
    repeater_threshold: int,
    auto: AutoFollowups | None = None,
) -> Logged | NearMatchQuestion:
    auto = auto or AutoFollowups()
    found = _named_account_locked(session, request)
    if found is not None and found.already:
        found = None  # a repeated delivery: the usual path below finds and returns what was stored
    if found is not None:
        account, created, open_followups = found.account, False, found.open_followups
    else:
        already = _already_logged(session, request)
        if already is not None:
            return already
        target = accounts.resolve(session, request.team_id, request.account)
        if isinstance(target, NearMatchQuestion):
            return target
        created, open_followups = target is None, True
        account = (
            accounts.lock(session, target)
            if target is not None
            else accounts.create_account(
                session,
                request.team_id,
                request.account.name or "",
                request.user_id,
                now=now,
                today=today,
            )
        )

    activity = Activity(
        team_id=request.team_id,
        account_id=account.id,
        user_id=request.user_id,
        kind=request.kind.value,
        occurred_on=request.on,
        amount=request.amount,
        note=request.note,
        revisit_on=request.revisit_on,
        lost_reason=request.lost_reason.value if request.lost_reason else None,
        request_key=request.request_key,
        created_at=now,
    )
    session.add(activity)
    tally = accounts.tally_of(account).plus(request.kind, request.on)
    accounts.store_tally(account, tally)
    account.updated_at = now
    result = climb(account.current_step, tally.evidence, repeater_threshold)
    if result.moved:
        account.step = result.after.value  # in the same UPDATE as the counters
    session.flush()  # the activity's id, for the step change and the follow-ups

    if result.moved:
        accounts.record_step_change(
            session,
            account,
            result.before,
            result.after,
            user_id=request.user_id,
            now=now,
            today=today,
            reason=StepReason.ACTIVITY,
            activity_id=activity.id,
        )
    # Closed before the log schedules its own (a win's check-in is not done by the win itself).
    closed = tuple(followups.close_matching(session, account, activity, now=now)) if open_followups else ()
    status_move = status_changes.after_log(
        session,
        account,
        kind=request.kind,
        revisit_on=request.revisit_on,
        activity_id=activity.id,
        user_id=request.user_id,
        now=now,
        today=today,
    )
    scheduled = _auto_followups(session, account, activity, request, auto, now, today)
    segment = segment_after_loss(account.segment, request.lost_reason)
    if segment is not None:
        account.segment = segment.value
    if created:
        # A first log that lands above step 1.1 still shows as a climb from "name only".
        result = Climb(before=Step.NAME_ONLY, after=result.after)
    return Logged(
        account=account,
        activity=activity,
        climb=result,
        created_account=created,
        followups_scheduled=scheduled,
        followups_closed=closed,
        status_move=status_move,
        segment_set=segment,
    )


def _auto_followups(
    session: Session,
    account: Account,
    activity: Activity,
    request: LogRequest,
    auto: AutoFollowups,
    now: datetime,
    today: date,
) -> tuple[Due, ...]:
    due: date | None = None
    source = FollowupSource.MANUAL
    if request.kind is ActivityKind.WON and auto.after_sale:
        due, source = after_sale_due(request.on, today), FollowupSource.AFTER_SALE
    elif request.kind is ActivityKind.LOST and request.revisit_on is not None and auto.revisit:
        due, source = request.revisit_on, FollowupSource.REVISIT
    if due is None:
        return ()
    followup = followups.schedule(
        session,
        account,
        user_id=account.owner_id,
        created_by=request.user_id,
        due_on=due,
        note=request.note,
        source=source.value,
        now=now,
        calendar=auto.calendar,
        today=today,
        # Ties the follow-up to the log that scheduled it: undoing the log cancels it (corrections).
        request_key=followup_key(activity.id),
    )
    return (Due(on=followup.due_on, asked=due),)


def followup_key(activity_id: int) -> str:
    """The request key of the follow-up an activity scheduled by itself (after-sale, revisit)."""
    return f"activity:{activity_id}"


@dataclass(frozen=True)
class _Found:
    account: Account  # locked, its columns read under the lock
    already: bool  # an activity is stored under the request's key (a repeated delivery)
    open_followups: bool  # the account has open follow-ups (else close_matching has nothing to read)


def _named_account_locked(session: Session, request: LogRequest) -> _Found | None:
    """The usual log (an existing, unmerged account typed by its exact name) in one round trip: the
    account locked (accounts.lock), whether the request key was already stored (_already_logged) and
    whether the account has open follow-ups. None when the request is not that case (a button's account
    id, no request key, a new, near or merged name): the caller takes the general path, which reads
    each of these on its own."""
    ref = request.account
    if request.request_key is None or ref.account_id is not None or not ref.name:
        return None
    already = exists().where(Activity.team_id == request.team_id, Activity.request_key == request.request_key)
    open_followups = exists().where(
        Followup.team_id == Account.team_id,
        Followup.account_id == Account.id,
        Followup.status == FollowupStatus.OPEN.value,
    )
    row = session.execute(
        select(Account, already, open_followups)
        .where(Account.team_id == request.team_id, Account.name_key == name_key(ref.name))
        .with_for_update(of=Account)
        .execution_options(populate_existing=True)
    ).one_or_none()
    if row is None or row[0].merged_into_id is not None:
        return None
    return _Found(account=row[0], already=bool(row[1]), open_followups=bool(row[2]))


def _already_logged(session: Session, request: LogRequest) -> Logged | None:
    # Deleted activities included on purpose: a retried delivery of a log that was undone since
    # must store nothing again.
    if request.request_key is None:
        return None
    activity = session.scalar(
        select(Activity).where(
            Activity.team_id == request.team_id, Activity.request_key == request.request_key
        )
    )
    if activity is None:
        return None
    account = accounts.get_account(session, request.team_id, activity.account_id)
    unchanged = Climb(before=account.current_step, after=account.current_step)
    return Logged(account=account, activity=activity, climb=unchanged, created_account=False, duplicate=True)


def recent_activities(session: Session, team_id: str, account_id: int, limit: int) -> list[Activity]:
    return list(
        session.scalars(
            select(Activity)
            .where(Activity.team_id == team_id, Activity.account_id == account_id, live_activity())
            .order_by(Activity.occurred_on.desc(), Activity.id.desc())
            .limit(limit)
        )
    )


def latest_by_kind(session: Session, team_id: str, account_id: int) -> list[tuple[ActivityKind, date]]:
    """Each kind's latest live activity day for the account (the win-back letter recalls the last one)."""
    rows = session.execute(
        select(Activity.kind, func.max(Activity.occurred_on))
        .where(Activity.team_id == team_id, Activity.account_id == account_id, live_activity())
        .group_by(Activity.kind)
    ).all()
    return [(ActivityKind(kind), on) for kind, on in rows]
