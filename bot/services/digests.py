"""What one rep's morning digest holds, as of a given day (SPEC §4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, literal_column, or_, select, union_all
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import ScalarSelect

from bot.domain.activities import ActivityKind
from bot.domain.followups import FollowupSource, FollowupStatus
from bot.domain.lapse import (
    DEFAULT_RULES,
    LAPSING_LIMIT,
    LAPSING_STAGES,
    Lapse,
    LapseRules,
    days_quiet,
    lapse_of,
    lapsing_cutoff,
    quiet_acquaintance_cutoff,
    stalled_proposal_cutoff,
)
from bot.domain.recovery import RecoveryStatus
from bot.domain.segments import strategic_first
from bot.domain.stages import Stage, Step, steps_of
from bot.domain.status import AccountStatus
from bot.models import Account, Activity, Followup, Recovery
from bot.services import followups, recoveries
from bot.services.status import live_activity

# When an account was last touched (its creation if never): the last column of
# ix_accounts_team_owner_step_last, an index on this very expression.
_last_touched = func.coalesce(Account.last_touch_on, Account.created_on)
# Only a stored-active account is nudged: lost, archived and merged ones are nobody's to chase here (the
# lost ones are counted beside the pyramid as win-back candidates instead). Dormant ones stay: the
# lapsing items are the rep's own win-back list.
_nudged = Account.status == AccountStatus.ACTIVE.value


@dataclass(frozen=True)
class FollowupItem:
    id: int
    account_id: int
    account_name: str
    due_on: date
    note: str | None
    source: str
    segment: str | None = None


@dataclass(frozen=True)
class RecoveryItem:
    id: int
    account_name: str
    what: str
    status: RecoveryStatus
    steps_done: int
    opened_on: date
    delivery_on: date | None = None  # the next delivery, once the response is done
    segment: str | None = None


@dataclass(frozen=True)
class LapsingItem:
    account_id: int
    account_name: str
    step: Step
    quiet_days: int
    lapse: Lapse
    segment: str | None = None


@dataclass(frozen=True)
class StalledItem:
    account_id: int
    account_name: str
    proposed_on: date
    segment: str | None = None


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
    """Every list with the strategic accounts' items first (domain.segments), each part in its order."""
    due = [
        FollowupItem(f.id, a.id, a.name, f.due_on, f.note, f.source, a.segment)
        for f, a in followups.due_for(session, team_id, user_id, day)
    ]
    pending = [
        RecoveryItem(
            r.id,
            a.name,
            r.what,
            RecoveryStatus(r.status),
            r.steps_done,
            r.opened_on,
            r.delivery_on,
            a.segment,
        )
        for r, a in recoveries.pending_for(session, team_id, user_id)
    ]

    def segment(item: FollowupItem | RecoveryItem | LapsingItem | StalledItem) -> str | None:
        return item.segment

    return Digest(
        team_id=team_id,
        user_id=user_id,
        day=day,
        followups=tuple(strategic_first(due, segment)),
        recoveries=tuple(strategic_first(pending, segment)),
        lapsing=tuple(strategic_first(_lapsing(session, team_id, user_id, day, rules), segment)),
        stalled=tuple(strategic_first(_stalled(session, team_id, user_id, day, rules), segment)),
        quiet_acquaintances=_quiet_acquaintances(session, team_id, user_id, day, rules),
    )


def reps(session: Session, team_id: str) -> list[str]:
    """Everyone who might have something to act on: account owners, follow-up holders, recovery owners."""
    owners = select(Account.owner_id).where(Account.team_id == team_id)
    holders = select(Followup.user_id).where(
        Followup.team_id == team_id, Followup.status == FollowupStatus.OPEN.value
    )
    responsible = select(Recovery.owner_id).where(
        Recovery.team_id == team_id, Recovery.status.in_(recoveries.PENDING)
    )
    return sorted(set(session.scalars(owners.union(holders, responsible))))


def _lapsing(session: Session, team_id: str, user_id: str, day: date, rules: LapseRules) -> list[LapsingItem]:
    """The LAPSING_LIMIT quietest prospects and customers past their rule's days. One statement: per
    step, the quietest LAPSING_LIMIT read in order from ix_accounts_team_owner_step_last (so each part
    reads at most LAPSING_LIMIT index entries, however long the backlog), glued with UNION ALL."""
    cutoffs = [
        (step, cutoff)
        for stage in LAPSING_STAGES
        if (cutoff := lapsing_cutoff(day, stage, rules)) is not None
        for step in steps_of(stage)
    ]
    parts = [
        select(
            Account.id,
            Account.name,
            Account.step,
            Account.last_touch_on,
            Account.created_on,
            _last_touched,
            Account.segment,
        )
        .where(
            Account.team_id == team_id,
            Account.owner_id == user_id,
            Account.step == step.value,
            _last_touched <= cutoff,
            _nudged,
            ~_parked(day),
        )
        .order_by(_last_touched)
        .limit(LAPSING_LIMIT)
        .subquery()
        for step, cutoff in cutoffs
    ]
    rows = session.execute(union_all(*(select(*part.c) for part in parts))).all()
    # The quietest LAPSING_LIMIT of them all, as one ordered query would pick them.
    oldest = sorted(rows, key=lambda row: (row[5], row[0]))[:LAPSING_LIMIT]
    items = []
    for account_id, name, step, last_touch_on, created_on, _last, segment in oldest:
        quiet = days_quiet(last_touch_on, created_on, day)
        current = Step(step)
        lapse = lapse_of(current.stage, quiet, rules, segment)
        if lapse is not None:
            items.append(LapsingItem(account_id, name, current, quiet, lapse, segment))
    # Customers first (retention protects the top of the pyramid), then the longest quiet.
    return sorted(items, key=lambda item: (-item.step.stage.value, -item.quiet_days))


def _parked(day: date) -> ColumnElement[bool]:
    """The account has a date to come back at (a lost deal's revisit, a renewal) still ahead: "not now"
    was a timing answer, recorded; nudging before then every month would only be noise."""
    return (
        select(Followup.id)
        .where(
            Followup.team_id == Account.team_id,
            Followup.account_id == Account.id,
            Followup.status == FollowupStatus.OPEN.value,
            Followup.source.in_([FollowupSource.REVISIT.value, FollowupSource.RENEWAL.value]),
            Followup.due_on > day,
        )
        .exists()
    )


def _stalled(session: Session, team_id: str, user_id: str, day: date, rules: LapseRules) -> list[StalledItem]:
    """Accounts whose last proposal is old and was not followed by a win or a loss. Only the rep's
    accounts that ever had a proposal are read (ix_accounts_team_owner_proposed, a partial index), and
    each one's latest proposal, win and loss are single index look-ups (ix_activities_team_account_kind_on),
    so the cost follows the rep's open pipeline, not the team's history."""

    def latest(kind: ActivityKind) -> ScalarSelect[date]:
        return (
            select(func.max(Activity.occurred_on))
            .where(
                Activity.team_id == team_id,
                Activity.account_id == Account.id,
                Activity.kind == kind.value,
                live_activity(),
            )
            .scalar_subquery()
        )

    candidates = (
        select(
            Account.id,
            Account.name,
            Account.segment,
            latest(ActivityKind.PROPOSED).label("proposed_on"),
            latest(ActivityKind.WON).label("won_on"),
            latest(ActivityKind.LOST).label("lost_on"),
        )
        .where(
            Account.team_id == team_id,
            Account.owner_id == user_id,
            # A literal, so that the partial index's condition is seen to hold (a bound value would not be).
            Account.proposals > literal_column("0"),
            _nudged,
        )
        # Materialized: each look-up runs once per account, not once more for every use in the filter.
        .cte("candidates")
        .prefix_with("MATERIALIZED")
    )
    proposed_on = candidates.c.proposed_on
    rows = session.execute(
        select(candidates.c.id, candidates.c.name, proposed_on, candidates.c.segment)
        .where(
            proposed_on <= stalled_proposal_cutoff(day, rules),
            or_(candidates.c.won_on.is_(None), candidates.c.won_on < proposed_on),
            or_(candidates.c.lost_on.is_(None), candidates.c.lost_on < proposed_on),
        )
        .order_by(proposed_on, candidates.c.id)
    ).all()
    return [StalledItem(account_id, name, proposed, segment) for account_id, name, proposed, segment in rows]


def _quiet_acquaintances(session: Session, team_id: str, user_id: str, day: date, rules: LapseRules) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(Account)
        .where(
            Account.team_id == team_id,
            Account.owner_id == user_id,
            Account.step.in_([step.value for step in steps_of(Stage.ACQUAINTANCE)]),
            _last_touched <= quiet_acquaintance_cutoff(day, rules),
            _nudged,
        )
    )
    return count or 0
