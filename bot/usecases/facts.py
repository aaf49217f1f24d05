"""View-models: what a use case hands to a view, copied out of the rows inside the transaction.

Frozen and free of the ORM, so a view can neither lazy-load nor change a row, and a view's test builds
them directly. `of(...)` copies from the rows (called only inside a transaction, by use cases, by
bot/notify.py and by the jobs).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Literal

from bot.domain.activities import ActivityKind
from bot.domain.followups import Due
from bot.domain.recovery import RecoveryStatus
from bot.domain.renewals import RenewalKind
from bot.domain.revenue import AccountRevenue
from bot.domain.segments import Segment
from bot.domain.stages import Climb, Step
from bot.domain.status import AccountStatus, StatusMove
from bot.domain.winback import LastTogether, LostReason

if TYPE_CHECKING:
    from bot.models import Account, Activity, Followup, Recovery
    from bot.services.activities import Logged
    from bot.services.pending import Asked
    from bot.usecases.managing_facts import CorrectionFacts


@dataclass(frozen=True)
class AccountFacts:
    id: int
    team_id: str
    name: str
    owner_id: str
    current_step: Step
    segment: str | None = None
    last_touch_on: date | None = None
    in_person_meetings: int = 0
    proposals: int = 0
    deals_won: int = 0
    contact: str | None = None  # the customer's person to write to

    @classmethod
    def of(cls, account: Account) -> AccountFacts:
        return cls(
            id=account.id,
            team_id=account.team_id,
            name=account.name,
            owner_id=account.owner_id,
            current_step=account.current_step,
            segment=account.segment,
            last_touch_on=account.last_touch_on,
            in_person_meetings=account.in_person_meetings,
            proposals=account.proposals,
            deals_won=account.deals_won,
            contact=account.contact,
        )


@dataclass(frozen=True)
class ActivityFacts:
    id: int
    user_id: str
    kind: ActivityKind
    occurred_on: date
    amount: int | None = None
    note: str | None = None
    revisit_on: date | None = None
    lost_reason: LostReason | None = None

    @classmethod
    def of(cls, activity: Activity) -> ActivityFacts:
        return cls(
            id=activity.id,
            user_id=activity.user_id,
            kind=ActivityKind(activity.kind),
            occurred_on=activity.occurred_on,
            amount=activity.amount,
            note=activity.note,
            revisit_on=activity.revisit_on,
            lost_reason=LostReason(activity.lost_reason) if activity.lost_reason else None,
        )


@dataclass(frozen=True)
class AccountCard:
    """The account card (`/account <name>`, a card button): the account and its latest history."""

    account: AccountFacts
    history: list[ActivityFacts]
    activity_count: int
    corrections: tuple[CorrectionFacts, ...] = ()  # a manager's recent hand corrections, newest first
    # The effective status on the day asked (dormant derived), and since when (None: not known).
    status: AccountStatus = AccountStatus.ACTIVE
    status_since: date | None = None
    quiet_days: int = 0  # since the last touch (the creation, if never touched)
    # Won this year and last, and the open proposal (issue 11); None: not read.
    revenue: AccountRevenue | None = None
    # Open recoveries first, then the latest closed (services.recoveries.of_account), and how many in all.
    recoveries: tuple[RecoveryFacts, ...] = ()
    recovery_count: int = 0
    at_risk_since: datetime | None = None
    # A former customer or an account filed as lost: win-back advice and a letter, not the ladder's step.
    winback: bool = False


@dataclass(frozen=True)
class WinbackDraft:
    """What a win-back letter says: to whom (the account, its contact) and what it recalls."""

    account: AccountFacts
    last: LastTogether | None
    draft_key: str  # the press that drafted it: *Log as sent* logs one letter per draft


@dataclass(frozen=True)
class ClosedFollowupFacts:
    """A follow-up that a log did: what it was for and when it was due."""

    due_on: date
    note: str | None

    @classmethod
    def of(cls, followup: Followup) -> ClosedFollowupFacts:
        return cls(due_on=followup.due_on, note=followup.note)


@dataclass(frozen=True)
class LoggedFacts:
    """A stored log: what was stored, the climb it caused, what it scheduled."""

    account: AccountFacts
    activity: ActivityFacts
    climb: Climb
    created_account: bool
    duplicate: bool = False
    followups_scheduled: tuple[Due, ...] = ()
    followups_closed: tuple[ClosedFollowupFacts, ...] = ()
    status_move: StatusMove | None = None  # the log brought a lost account back, or lost it
    segment_set: Segment | None = None  # a loss to a competitor filed the account under `lost`
    # The asker's today, for dates written as the reader writes them (11/28(土) within the year).
    today: date | None = None

    @classmethod
    def of(cls, logged: Logged, today: date | None = None) -> LoggedFacts:
        return cls(
            account=AccountFacts.of(logged.account),
            activity=ActivityFacts.of(logged.activity),
            climb=logged.climb,
            created_account=logged.created_account,
            duplicate=logged.duplicate,
            followups_scheduled=tuple(logged.followups_scheduled),
            followups_closed=tuple(ClosedFollowupFacts.of(f) for f in logged.followups_closed),
            status_move=logged.status_move,
            segment_set=logged.segment_set,
            today=today,
        )


@dataclass(frozen=True)
class AskedFacts:
    """A log parked behind a "did you mean" question: the name typed and the close accounts."""

    name: str
    candidates: tuple[AccountFacts, ...]
    pending_id: str

    @classmethod
    def of(cls, asked: Asked) -> AskedFacts:
        return cls(
            name=asked.name,
            candidates=tuple(AccountFacts.of(account) for account in asked.candidates),
            pending_id=asked.pending_id,
        )


@dataclass(frozen=True)
class RecoveryFacts:
    id: int
    team_id: str
    account_name: str
    owner_id: str
    opened_by: str
    what: str
    status: RecoveryStatus
    steps_done: int = 0
    verdict_asked_at: datetime | None = None
    cause: str | None = None
    opened_on: date | None = None
    delivery_on: date | None = None
    closed_at: datetime | None = None
    account_id: int = 0

    @classmethod
    def of(cls, recovery: Recovery, account: Account) -> RecoveryFacts:
        return cls(
            id=recovery.id,
            team_id=recovery.team_id,
            account_name=account.name,
            owner_id=recovery.owner_id,
            opened_by=recovery.opened_by,
            what=recovery.what,
            status=RecoveryStatus(recovery.status),
            steps_done=recovery.steps_done,
            verdict_asked_at=recovery.verdict_asked_at,
            cause=recovery.cause,
            opened_on=recovery.opened_on,
            delivery_on=recovery.delivery_on,
            closed_at=recovery.closed_at,
            account_id=account.id,
        )


@dataclass(frozen=True)
class FollowupFacts:
    id: int
    account_name: str
    due_on: date
    done: bool
    done_at: datetime | None = None
    done_by: str | None = None

    @classmethod
    def of(cls, followup: Followup, account_name: str) -> FollowupFacts:
        return cls(
            id=followup.id,
            account_name=account_name,
            due_on=followup.due_on,
            done=followup.status == "done",
            done_at=followup.done_at,
            done_by=followup.done_by,
        )


@dataclass(frozen=True)
class Choices:
    """No account has that name; these are close to it."""

    name: str
    candidates: tuple[AccountFacts, ...]


@dataclass(frozen=True)
class Edited:
    """What `/account <name> owner|segment|rename|contact …` changed. `value`: the new owner, segment
    or contact (None: cleared) or name; `old`: the name before a rename."""

    field: Literal["owner", "segment", "rename", "contact"]
    account: str
    value: str | None
    old: str | None = None


@dataclass(frozen=True)
class Typeahead:
    accounts: tuple[AccountFacts, ...]
    offer_new: str | None  # the typed name, when no account has it yet: offered as a new account


@dataclass(frozen=True)
class RenewalRecorded:
    account: str
    kind: RenewalKind
    ends_on: date
    lead_months: int
    due: Due
    moved: bool


# --- Corrections of activities (issue 11) ---


@dataclass(frozen=True)
class Withdrawn:
    """A stage announcement already posted that a correction made untrue: corrected after the commit."""

    channel: str
    ts: str
    text: str  # what it said
    # An hour's message (several lines, most still true): its blocks as JSON, kept, with a correction
    # added below. Empty for a single announcement, which is struck through as a whole.
    blocks: str = ""


How = Literal["undo", "delete", "edit"]


@dataclass(frozen=True)
class CorrectedFacts:
    """What a correction did: the activity as it is now, the account's step before and after, what it
    cancelled, and the announcements posted earlier that must now be corrected in the channel."""

    how: How
    by: str
    account: AccountFacts
    activity: ActivityFacts
    climb: Climb
    followups_cancelled: int = 0
    withdrawn: tuple[Withdrawn, ...] = ()
    today: date | None = None


@dataclass(frozen=True)
class EditableFacts:
    """An activity its reader may edit or delete (the modals are built from it)."""

    account: AccountFacts
    activity: ActivityFacts
