"""The stage distribution of a team or of one rep, counted by the database from indexed columns: the
active accounts as the pyramid, the dormant, lost and archived ones beside it (SPEC §2 "Status")."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.domain.pyramid import Distribution, distribution_from
from bot.domain.stages import LADDER, Stage
from bot.domain.status import DEFAULT_DORMANT_RULES, AccountStatus, DormantRules, OutsideCounts
from bot.models import Account
from bot.services.status import effective_status_sql, not_merged

_STAGE_OF = {step.value: step.stage for step in LADDER}


def distribution_for(
    session: Session,
    team_id: str,
    owner_id: str | None = None,
    *,
    today: date,
    rules: DormantRules = DEFAULT_DORMANT_RULES,
) -> Distribution:
    """One statement: accounts counted by step and effective status on `today` (merged ones are not
    accounts any more). Grouped in an outer query so that PostgreSQL sees one grouping column, not the
    status expression with its parameters bound twice."""
    inner = select(Account.step.label("step"), effective_status_sql(today, rules).label("status")).where(
        Account.team_id == team_id, not_merged()
    )
    if owner_id is not None:
        inner = inner.where(Account.owner_id == owner_id)
    rows = inner.subquery()
    counted = session.execute(
        select(rows.c.step, rows.c.status, func.count()).group_by(rows.c.step, rows.c.status)
    ).all()
    active: dict[str, int] = {}
    outside: dict[str, dict[Stage, int]] = defaultdict(lambda: dict.fromkeys(Stage, 0))
    for step, status, count in counted:
        if status == AccountStatus.ACTIVE.value:
            active[step] = count
        elif step in _STAGE_OF:  # an unknown step key is left out, as distribution_from leaves it out
            outside[status][_STAGE_OF[step]] += count
    return distribution_from(
        active,
        OutsideCounts(
            dormant=outside[AccountStatus.DORMANT.value],
            lost=outside[AccountStatus.LOST.value],
            archived=outside[AccountStatus.ARCHIVED.value],
        ),
    )
