"""The weekly team summary (SPEC §6): the pyramid and its week, advancements and wins, new
acquaintances, open recoveries, and who has accounts going quiet."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from bot.domain.activities import ActivityKind
from bot.domain.analytics import summary_week_start
from bot.domain.health import Flow
from bot.domain.lapse import DEFAULT_RULES, LAPSING_STAGES, Lapse, LapseRules, lapse_of, lapsing_cutoff
from bot.domain.pyramid import Distribution
from bot.domain.recovery import repeat_since
from bot.domain.revenue import Revenue
from bot.domain.stages import Stage, Step, StepReason, steps_of
from bot.domain.status import DEFAULT_DORMANT_RULES, AccountStatus, DormantRules
from bot.models import Account, Activity, Recovery, StepChange
from bot.services import analytics, flow, pyramids, recoveries, revenue, snapshots
from bot.services.status import live_activity


@dataclass(frozen=True)
class Advancement:
    account: str
    user_id: str
    before: Stage
    after: Stage
    kind: ActivityKind | None  # what did it (None: a hand correction)


@dataclass(frozen=True)
class Win:
    account: str
    user_id: str
    amount: int | None


@dataclass(frozen=True)
class QuietCounts:
    lapsing: int = 0
    dormant: int = 0


@dataclass(frozen=True)
class Summary:
    team_id: str
    week_start: date  # the summary covers [week_start, day)
    day: date
    distribution: Distribution
    last_week: dict[Stage, int] | None
    advancements: tuple[Advancement, ...]
    wins: tuple[Win, ...]
    new_acquaintances: int
    open_recoveries: tuple[tuple[str, str, date], ...]  # account, what, opened on
    quiet_by_rep: dict[str, QuietCounts]
    # Health = shape and flow, and revenue beside counts (issue 11); None: not read.
    flow: Flow | None = None
    revenue: Revenue | None = None
    recovery_states: tuple[tuple[str, str, int], ...] = ()  # status, owner, how many (not closed)
    repeated_causes: tuple[tuple[str, int], ...] = ()  # cause, failures in the repeat window


def summary_for(
    session: Session,
    team_id: str,
    day: date,
    rules: LapseRules = DEFAULT_RULES,
    *,
    dormant_rules: DormantRules = DEFAULT_DORMANT_RULES,
) -> Summary:
    start = summary_week_start(day)
    # The flow of the week covered ([start, day)); recoveries aged on the day itself.
    retention = analytics.retention_points(analytics.retention_years(session, team_id, None, day))
    return Summary(
        team_id=team_id,
        week_start=start,
        day=day,
        distribution=pyramids.distribution_for(session, team_id, today=day, rules=dormant_rules),
        last_week=snapshots.counts_on(session, team_id, None, start),
        advancements=tuple(
            advancements(session, team_id, StepChange.changed_on >= start, StepChange.changed_on < day)
        ),
        wins=tuple(_wins(session, team_id, start, day)),
        new_acquaintances=session.scalar(
            select(func.count())
            .select_from(Account)
            .where(Account.team_id == team_id, Account.created_on >= start, Account.created_on < day)
        )
        or 0,
        open_recoveries=tuple(
            (account_name, what, opened_on)
            for account_name, what, opened_on in session.execute(
                select(Account.name, Recovery.what, Recovery.opened_on)
                .join(Account, Account.id == Recovery.account_id)
                .where(Recovery.team_id == team_id, Recovery.status.in_(recoveries.PENDING))
                .order_by(Recovery.opened_at)
            ).all()
        ),
        quiet_by_rep=_quiet_by_rep(session, team_id, day, rules),
        flow=flow.flow_for(
            session,
            team_id,
            None,
            day,
            rules=dormant_rules,
            retention=retention,
            last_day=day - timedelta(days=1),
        ),
        revenue=revenue.revenue_for(session, team_id, None, day),
        recovery_states=tuple(recoveries.pending_by_state_and_owner(session, team_id)),
        repeated_causes=tuple(recoveries.repeated_causes(session, team_id, repeat_since(day))),
    )


def advancements(session: Session, team_id: str, *window: ColumnElement[bool]) -> list[Advancement]:
    """Stage advancements (not mere step changes, and never a move down: a manager's hand correction
    downwards is recorded and shown on the card, not celebrated) among the step changes in `window`."""
    rows = session.execute(
        select(Account.name, StepChange.user_id, StepChange.from_step, StepChange.to_step, Activity.kind)
        .join(Account, Account.id == StepChange.account_id)
        .outerjoin(Activity, Activity.id == StepChange.activity_id)
        # An imported list says where accounts stand; nobody advanced them this week. A correction (an
        # undone or deleted log) advanced nobody either, and a deleted log's own climb did not happen.
        .where(
            StepChange.team_id == team_id,
            StepChange.reason.not_in([StepReason.IMPORT, StepReason.CORRECTION]),
            or_(Activity.id.is_(None), live_activity()),
            *window,
        )
        .order_by(StepChange.changed_at)
    ).all()
    found = []
    for name, user_id, before, after, kind in rows:
        before_stage = Step(before).stage if before else Stage.ACQUAINTANCE
        if Step(after).stage > before_stage:
            found.append(
                Advancement(
                    name, user_id, before_stage, Step(after).stage, ActivityKind(kind) if kind else None
                )
            )
    return found


def _wins(session: Session, team_id: str, start: date, day: date) -> list[Win]:
    rows = session.execute(
        select(Account.name, Activity.user_id, Activity.amount)
        .join(Account, Account.id == Activity.account_id)
        .where(
            Activity.team_id == team_id,
            Activity.kind == ActivityKind.WON.value,
            Activity.occurred_on >= start,
            Activity.occurred_on < day,
            live_activity(),
        )
        .order_by(Activity.occurred_on, Activity.id)
    ).all()
    return [Win(name, user_id, amount) for name, user_id, amount in rows]


def _quiet_by_rep(session: Session, team_id: str, day: date, rules: LapseRules) -> dict[str, QuietCounts]:
    """Per rep, prospects and customers past their stage's limit, and customers gone dormant."""
    last = func.coalesce(Account.last_touch_on, Account.created_on)
    watched = [step.value for stage in LAPSING_STAGES for step in steps_of(stage)]
    # The latest cutoff of the watched stages: nothing touched after it is lapsing in any of them.
    cutoff = max(cut for stage in LAPSING_STAGES if (cut := lapsing_cutoff(day, stage, rules)) is not None)
    rows = session.execute(
        select(Account.owner_id, Account.step, last, Account.segment).where(
            Account.team_id == team_id,
            # Lost, archived and merged accounts are nobody's to nudge.
            Account.status == AccountStatus.ACTIVE.value,
            Account.step.in_(watched),
            last <= cutoff,
        )
    ).all()
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for owner_id, step, last_contact, segment in rows:
        lapse = lapse_of(Step(step).stage, (day - last_contact).days, rules, segment)
        if lapse is Lapse.NUDGE:
            counts[owner_id][0] += 1
        elif lapse in (Lapse.DORMANT, Lapse.ARCHIVE):
            counts[owner_id][1] += 1
    return {owner: QuietCounts(lapsing=c[0], dormant=c[1]) for owner, c in sorted(counts.items()) if any(c)}
