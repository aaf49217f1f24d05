"""What one rep's morning digest holds, as of a given day (SPEC §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from bot.domain.activities import ActivityKind
from bot.domain.lapse import DEFAULT_RULES, Lapse, LapseRules, days_quiet, lapse_cutoff, lapse_of
from bot.domain.recovery import RecoveryStatus
from bot.domain.stages import Stage, Step, steps_of
from bot.models import Account, Activity, Followup, Recovery
from bot.services import followups, recoveries

LAPSING_LIMIT = 50


@dataclass(frozen=True)
class FollowupItem:
    id: int
    account_id: int
    account_name: str
    due_on: date
    note: str | None
    source: str


@dataclass(frozen=True)
class RecoveryItem:
    id: int
    account_name: str
    what: str
    status: RecoveryStatus
    steps_done: int
    opened_on: date


@dataclass(frozen=True)
class LapsingItem:
    account_id: int
    account_name: str
    step: Step
    quiet_days: int
    lapse: Lapse


@dataclass(frozen=True)
class StalledItem:
    account_id: int
    account_name: str
    proposed_on: date


@dataclass(frozen=True)
class Digest:
    team_id: str
    user_id: str
    day: date
    followups: tuple[FollowupItem, ...]
    recoveries: tuple[RecoveryItem, ...]
    lapsing: tuple[LapsingItem, ...]
    stalled: tuple[StalledItem, ...]
    quiet_acquaintances: int

    @property
    def is_empty(self) -> bool:
        return not (
            self.followups or self.recoveries or self.lapsing or self.stalled or self.quiet_acquaintances
        )


def digest_for(
    session: Session, team_id: str, user_id: str, day: date, rules: LapseRules = DEFAULT_RULES
) -> Digest:
    return Digest(
        team_id=team_id,
        user_id=user_id,
        day=day,
        followups=tuple(
            FollowupItem(f.id, a.id, a.name, f.due_on, f.note, f.source)
            for f, a in followups.due_for(session, team_id, user_id, day)
        ),
        recoveries=tuple(
            RecoveryItem(r.id, a.name, r.what, RecoveryStatus(r.status), r.steps_done, r.opened_on)
            for r, a in recoveries.pending_for(session, team_id, user_id)
        ),
        lapsing=tuple(_lapsing(session, team_id, user_id, day, rules)),
        stalled=tuple(_stalled(session, team_id, user_id, day, rules)),
        quiet_acquaintances=_quiet_acquaintances(session, team_id, user_id, day, rules),
    )


def reps(session: Session, team_id: str) -> list[str]:
    """Everyone who might have something to act on: account owners, follow-up holders, recovery owners."""
    owners = select(Account.owner_id).where(Account.team_id == team_id)
    holders = select(Followup.user_id).where(Followup.team_id == team_id, Followup.status == "open")
    responsible = select(Recovery.owner_id).where(
        Recovery.team_id == team_id, Recovery.status.in_(recoveries.PENDING)
    )
    return sorted(set(session.scalars(owners.union(holders, responsible))))


def teams(session: Session) -> list[str]:
    return sorted(set(session.scalars(select(Account.team_id).distinct())))


def _lapsing(session: Session, team_id: str, user_id: str, day: date, rules: LapseRules) -> list[LapsingItem]:
    last = func.coalesce(Account.last_touch_on, Account.created_on)
    prospect_steps = [step.value for step in steps_of(Stage.PROSPECT)]
    customer_steps = [step.value for step in (*steps_of(Stage.CUSTOMER), *steps_of(Stage.REPEATER))]
    rows = session.scalars(
        select(Account)
        .where(
            Account.team_id == team_id,
            Account.owner_id == user_id,
            or_(
                and_(Account.step.in_(prospect_steps), last <= lapse_cutoff(day, rules.prospect_days)),
                and_(Account.step.in_(customer_steps), last <= lapse_cutoff(day, rules.customer_nudge_days)),
            ),
        )
        .order_by(last)
        .limit(LAPSING_LIMIT)
    )
    items = []
    for account in rows:
        quiet = days_quiet(account.last_touch_on, account.created_on, day)
        lapse = lapse_of(account.current_step.stage, quiet, rules)
        if lapse is not None:
            items.append(LapsingItem(account.id, account.name, account.current_step, quiet, lapse))
    # Customers first (retention protects the top of the pyramid), then the longest quiet.
    return sorted(items, key=lambda item: (-item.step.stage.value, -item.quiet_days))


def _stalled(session: Session, team_id: str, user_id: str, day: date, rules: LapseRules) -> list[StalledItem]:
    proposed = (
        select(Activity.account_id, func.max(Activity.occurred_on).label("proposed_on"))
        .join(Account, Account.id == Activity.account_id)
        .where(
            Activity.team_id == team_id,
            Account.owner_id == user_id,
            Activity.kind == ActivityKind.PROPOSED.value,
        )
        .group_by(Activity.account_id)
        .subquery()
    )
    decided = (
        select(Activity.account_id, func.max(Activity.occurred_on).label("decided_on"))
        .join(Account, Account.id == Activity.account_id)
        .where(
            Activity.team_id == team_id,
            Account.owner_id == user_id,
            Activity.kind.in_([ActivityKind.WON.value, ActivityKind.LOST.value]),
        )
        .group_by(Activity.account_id)
        .subquery()
    )
    rows = session.execute(
        select(Account.id, Account.name, proposed.c.proposed_on)
        .join(proposed, proposed.c.account_id == Account.id)
        .outerjoin(decided, decided.c.account_id == Account.id)
        .where(
            proposed.c.proposed_on <= lapse_cutoff(day, rules.stalled_proposal_days),
            or_(decided.c.decided_on.is_(None), decided.c.decided_on < proposed.c.proposed_on),
        )
        .order_by(proposed.c.proposed_on)
    ).all()
    return [StalledItem(account_id, name, proposed_on) for account_id, name, proposed_on in rows]


def _quiet_acquaintances(session: Session, team_id: str, user_id: str, day: date, rules: LapseRules) -> int:
    last = func.coalesce(Account.last_touch_on, Account.created_on)
    count = session.scalar(
        select(func.count())
        .select_from(Account)
        .where(
            Account.team_id == team_id,
            Account.owner_id == user_id,
            Account.step.in_([step.value for step in steps_of(Stage.ACQUAINTANCE)]),
            last <= lapse_cutoff(day, rules.acquaintance_quiet_days),
        )
    )
    return count or 0
