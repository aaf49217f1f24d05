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
from bot.services.flow import owners_of
from bot.services.status import quiet_since

_STAGE_OF = {step.value: step.stage for step in LADDER}


def distribution_for(
    session: Session,
    team_id: str,
    owner_id: str | None = None,
    *,
    today: date,
    rules: DormantRules = DEFAULT_DORMANT_RULES,
) -> Distribution:
    """Accounts counted by step and effective status on `today` (merged ones are not accounts any
    more), from indexes only, so that the count does not read every account of the team:

    - every account by step: `ix_accounts_team_step` (or the owner's part of the last-touch index);
    - the silent ones by step (last touched on or before the stage's dormant cutoff, whatever their
      stored status): ranges of `ix_accounts_team_owner_step_last`, per owner and step;
    - the few stored as other than active (lost, archived, merged), row by row: the partial index
      `ix_accounts_team_owner_not_active`.

    Active = all - silent - those stored otherwise and not silent; dormant = silent - those stored
    otherwise and silent. The same rule as `domain.status.effective_status`, checked against it in
    tests/integration/test_status.py."""
    mine = [Account.owner_id == owner_id] if owner_id is not None else []
    totals = dict(
        session.execute(
            select(Account.step, func.count()).where(Account.team_id == team_id, *mine).group_by(Account.step)
        ).all()
    )
    silent = _silent_by_step(session, team_id, owner_id, today, rules)
    active: dict[str, int] = {step: int(count) for step, count in totals.items()}
    outside: dict[str, dict[Stage, int]] = defaultdict(lambda: dict.fromkeys(Stage, 0))
    for step in LADDER:
        dormant = silent.get(step.value, 0)
        active[step.value] = active.get(step.value, 0) - dormant
        outside[AccountStatus.DORMANT.value][step.stage] += dormant
    stored = session.execute(
        select(Account.step, Account.status, quiet_since()).where(
            Account.team_id == team_id, Account.status != AccountStatus.ACTIVE.value, *mine
        )
    )
    for step_key, status, quiet in stored:
        stage = _STAGE_OF.get(step_key)
        if stage is None:
            continue  # an unknown step key is left out, as distribution_from leaves it out
        if quiet <= rules.cutoff(stage, today):
            outside[AccountStatus.DORMANT.value][stage] -= 1  # counted as silent above: not dormant
        else:
            active[step_key] -= 1
        if status != AccountStatus.MERGED.value:
            outside[status][stage] += 1
    return distribution_from(
        active,
        OutsideCounts(
            dormant=outside[AccountStatus.DORMANT.value],
            lost=outside[AccountStatus.LOST.value],
            archived=outside[AccountStatus.ARCHIVED.value],
        ),
    )


def _silent_by_step(
    session: Session, team_id: str, owner_id: str | None, today: date, rules: DormantRules
) -> dict[str, int]:
    """Accounts last touched (created, if never) on or before their stage's dormant cutoff, by step,
    whatever their stored status. One statement per step, owner and step by equality, so that SQLite
    and PostgreSQL read ranges of ix_accounts_team_owner_step_last (as services/flow.py does)."""
    owners = [owner_id] if owner_id is not None else owners_of(session, team_id)
    if not owners:
        return {}
    quiet = quiet_since()
    found = {}
    for step in LADDER:
        count = session.scalar(
            select(func.count()).where(
                Account.team_id == team_id,
                Account.owner_id.in_(owners),
                Account.step == step.value,
                quiet <= rules.cutoff(step.stage, today),
            )
        )
        if count:
            found[step.value] = int(count)
    return found
