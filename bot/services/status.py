"""The account status rule of `bot.domain.status` as SQL, for counts that must not load every account.

`dormant` is derived from the last touch (the creation, if never touched) against the stage's
threshold on the day asked about; these expressions say the same thing as
`domain.status.effective_status`, so a count in the database and a check in Python agree.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ColumnElement, and_, case, func, not_, or_

from bot.domain.stages import Stage, steps_of
from bot.domain.status import DEFAULT_DORMANT_RULES, AccountStatus, DormantRules
from bot.models import Account, Activity


def quiet_since() -> ColumnElement[date]:
    """The day an account was last touched, or created if never (the indexed expression)."""
    return func.coalesce(Account.last_touch_on, Account.created_on)


def dormant_cutoff(today: date, rules: DormantRules = DEFAULT_DORMANT_RULES) -> ColumnElement[date]:
    """Per row, the day on or before which its last touch makes it dormant (by its step's stage)."""
    return case(
        *(
            (Account.step.in_([step.value for step in steps_of(stage)]), rules.cutoff(stage, today))
            for stage in Stage
        ),
        else_=rules.cutoff(Stage.ACQUAINTANCE, today),
    )


def is_silent(today: date, rules: DormantRules = DEFAULT_DORMANT_RULES) -> ColumnElement[bool]:
    return quiet_since() <= dormant_cutoff(today, rules)


def in_pyramid(today: date, rules: DormantRules = DEFAULT_DORMANT_RULES) -> ColumnElement[bool]:
    """Active on `today`: stored active and touched within its stage's dormant threshold."""
    return and_(Account.status == AccountStatus.ACTIVE.value, not_(is_silent(today, rules)))


def is_dormant(today: date, rules: DormantRules = DEFAULT_DORMANT_RULES) -> ColumnElement[bool]:
    return and_(Account.status == AccountStatus.ACTIVE.value, is_silent(today, rules))


def win_back_candidate(today: date, rules: DormantRules = DEFAULT_DORMANT_RULES) -> ColumnElement[bool]:
    """Dormant or lost: shown beside the pyramid, never silently dropped."""
    return or_(is_dormant(today, rules), Account.status == AccountStatus.LOST.value)


def not_merged() -> ColumnElement[bool]:
    """Every account a person can see: a merged one lives on only as a name that finds its survivor."""
    return Account.status != AccountStatus.MERGED.value


def live_activity() -> ColumnElement[bool]:
    """An activity that counts: not deleted by a correction (deleted ones are kept, and exported)."""
    return Activity.deleted_at.is_(None)


def effective_status_sql(today: date, rules: DormantRules = DEFAULT_DORMANT_RULES) -> ColumnElement[str]:
    """`domain.status.effective_status` per row: the stored status, or `dormant` for an active account
    silent past its stage's threshold on `today`."""
    return case(
        (Account.status != AccountStatus.ACTIVE.value, Account.status),
        (is_silent(today, rules), AccountStatus.DORMANT.value),
        else_=AccountStatus.ACTIVE.value,
    )
