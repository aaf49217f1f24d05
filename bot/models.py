"""The database schema: SQLAlchemy 2.0 typed models. Every table is scoped by Slack team id."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from bot.domain.fields import MAX_CONTACT, MAX_SEGMENT
from bot.domain.followups import FollowupStatus
from bot.domain.recovery import RecoveryStatus
from bot.domain.stages import Evidence, Step, evidence_of
from bot.domain.status import AccountStatus

TEAM_ID = 32
USER_ID = 32
NAME = 120
KEY = 200
READING = 400  # bot.domain.names.READING_LIMIT

# Stable constraint names so that migrations work the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp that is always aware UTC in Python: SQLite would otherwise hand back naive values."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored; use the clock")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UtcDateTime}


class Account(Base):
    """A customer company. Its evidence counters place it on the ladder without replaying history."""

    __tablename__ = "accounts"
    __table_args__ = (
        UniqueConstraint("team_id", "name_key", name="uq_accounts_team_name_key"),
        Index("ix_accounts_team_step", "team_id", "step"),
        # "Did you mean" by reading: ヤマダ商事 finds 山田商事 (bot.domain.names.name_reading).
        Index("ix_accounts_team_name_reading", "team_id", "name_reading"),
        # A rep's accounts by step, then by when they were last touched (their creation if never): the
        # digest's lapsing accounts are read in that order, LAPSING_LIMIT at most per step.
        Index(
            "ix_accounts_team_owner_step_last",
            "team_id",
            "owner_id",
            "step",
            text("coalesce(last_touch_on, created_on)"),
        ),
        Index("ix_accounts_team_created_on", "team_id", "created_on"),
        # The few accounts stored as lost, archived or merged: the pyramid's count reads them one by one
        # (services/pyramids.py); a log to an active account never writes this index.
        Index(
            "ix_accounts_team_owner_not_active",
            "team_id",
            "owner_id",
            sqlite_where=text("status != 'active'"),
            postgresql_where=text("status != 'active'"),
        ),
        # The accounts that ever had a proposal: the digest's stalled proposals look no further.
        Index(
            "ix_accounts_team_owner_proposed",
            "team_id",
            "owner_id",
            sqlite_where=text("proposals > 0"),
            postgresql_where=text("proposals > 0"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    name: Mapped[str] = mapped_column(String(NAME))
    name_key: Mapped[str] = mapped_column(String(KEY))
    name_reading: Mapped[str | None] = mapped_column(String(READING), default=None)
    owner_id: Mapped[str] = mapped_column(String(USER_ID))
    step: Mapped[str] = mapped_column(String(16), default=Step.NAME_ONLY.value)
    segment: Mapped[str | None] = mapped_column(String(MAX_SEGMENT), default=None)
    # The customer's person to write to (`山田部長`): the win-back letter's addressee.
    contact: Mapped[str | None] = mapped_column(String(MAX_CONTACT), default=None)
    # A stored domain.status.AccountStatus (active, lost, archived, merged); dormant is derived.
    status: Mapped[str] = mapped_column(
        String(12), default=AccountStatus.ACTIVE.value, server_default=AccountStatus.ACTIVE.value
    )
    status_on: Mapped[date | None] = mapped_column(Date, default=None)  # when the stored status was set
    # A merged account points at the one it was folded into: its name still finds that one.
    # Plain integer, no constraint: migration 0011 could not add one to SQLite's existing table.
    merged_into_id: Mapped[int | None] = mapped_column(Integer, default=None)
    remote_touches: Mapped[int] = mapped_column(Integer, default=0)
    in_person_meetings: Mapped[int] = mapped_column(Integer, default=0)
    meals: Mapped[int] = mapped_column(Integer, default=0)
    proposals: Mapped[int] = mapped_column(Integer, default=0)
    deals_won: Mapped[int] = mapped_column(Integer, default=0)
    deals_lost: Mapped[int] = mapped_column(Integer, default=0)
    last_touch_on: Mapped[date | None] = mapped_column(Date, default=None)
    created_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Set by a second failure while another recovery was open or recent (domain.recovery's window).
    at_risk_since: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)

    @property
    def current_step(self) -> Step:
        return Step(self.step)

    @property
    def evidence(self) -> Evidence:
        return evidence_of(self)


class Activity(Base):
    """One logged touch or deal outcome. `request_key` makes a repeated Slack delivery store nothing."""

    __tablename__ = "activities"
    __table_args__ = (
        UniqueConstraint("team_id", "request_key", name="uq_activities_team_request_key"),
        Index("ix_activities_team_account_on", "team_id", "account_id", "occurred_on"),
        # An account's latest activity of a kind (its last proposal, win, loss) in one look-up.
        Index("ix_activities_team_account_kind_on", "team_id", "account_id", "kind", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    kind: Mapped[str] = mapped_column(String(12))
    occurred_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[int | None] = mapped_column(BigInteger, default=None)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    revisit_on: Mapped[date | None] = mapped_column(Date, default=None)
    # Why a lost deal was lost (a domain.winback.LostReason); None: not said.
    lost_reason: Mapped[str | None] = mapped_column(String(12), default=None)
    request_key: Mapped[str | None] = mapped_column(String(128), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Corrections: a deleted activity is kept (and exported) as deleted and counts for nothing.
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    deleted_by: Mapped[str | None] = mapped_column(String(USER_ID), default=None)
    edited_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    edited_by: Mapped[str | None] = mapped_column(String(USER_ID), default=None)


class AccountReading(Base):
    """Another way an account's name reads aloud (bot.domain.names.name_readings): 大和電機 also reads
    だいわでんき, so that ダイワ電機 asks "did you mean 大和電機?". Its common reading stays on the account
    (name_reading); only the others are here, and most names have none."""

    __tablename__ = "account_readings"
    __table_args__ = (
        Index("ix_account_readings_team_reading", "team_id", "reading"),
        Index("ix_account_readings_account", "account_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    reading: Mapped[str] = mapped_column(String(READING))


class StepChange(Base):
    """Every change of an account's step: from, to, when, and the activity (or person) that caused it."""

    __tablename__ = "step_changes"
    __table_args__ = (
        Index("ix_step_changes_team_changed_at", "team_id", "changed_at"),
        # Histories of many accounts at once (analytics), read account by account.
        Index("ix_step_changes_team_account", "team_id", "account_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    from_step: Mapped[str | None] = mapped_column(String(16))
    to_step: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    changed_on: Mapped[date] = mapped_column(Date)
    activity_id: Mapped[int | None] = mapped_column(ForeignKey("activities.id", ondelete="SET NULL"))
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    reason: Mapped[str] = mapped_column(String(16))  # a domain.stages.StepReason
    note: Mapped[str | None] = mapped_column(Text, default=None)  # a manager's why, for a manual step


class AccountEvent(Base):
    """The audit trail of what was done to an account by hand: an activity undone, edited or deleted,
    a step set, a merge, an archive or restore, a status change. Who, when and why."""

    __tablename__ = "account_events"
    __table_args__ = (Index("ix_account_events_team_account_at", "team_id", "account_id", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(
        String(16)
    )  # undo, edit, delete, step, merge, archive, restore, lost...
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    # What changed, as JSON (an activity's before and after, the merged account's id and name...).
    detail: Mapped[str | None] = mapped_column(Text, default=None)
    activity_id: Mapped[int | None] = mapped_column(
        ForeignKey("activities.id", ondelete="SET NULL"), default=None
    )
    other_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), default=None
    )


class SlackUser(Base):
    """What Slack told us about a user (language, time zone), cached so replies need no extra call."""

    __tablename__ = "slack_users"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(USER_ID), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(NAME))
    locale: Mapped[str | None] = mapped_column(String(16))
    tz: Mapped[str | None] = mapped_column(String(64))
    # Workspace admins and owners are managers (SPEC §2 corrections); None: not yet known.
    is_admin: Mapped[bool | None] = mapped_column(default=None)
    fetched_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PendingRequest(Base):
    """A logged touch or deal waiting for the user's answer to "did you mean…?".

    Kept server-side because a note can be longer than a Slack button value may carry; the row is
    deleted when the user answers, so a second click finds nothing to do.
    """

    __tablename__ = "pending_requests"
    __table_args__ = (Index("ix_pending_requests_created_at", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Preview(Base):
    """What Pyramid read in a message written in plain words (a DM, a mention, the "Log to Pyramid"
    shortcut), waiting for its author's *Log all* or *Cancel*. Nothing of it is stored elsewhere until
    then; the row is deleted by the answer, so a second click finds nothing to do. `source_key` names
    the Slack message it came from: a retried event finds its preview instead of making another."""

    __tablename__ = "previews"
    __table_args__ = (
        UniqueConstraint("team_id", "source_key", name="uq_previews_team_source_key"),
        Index("ix_previews_created_at", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    source_key: Mapped[str] = mapped_column(String(128))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Followup(Base):
    """Something a rep should do for an account on a date: by hand (/followup) or by the method
    (a check-in after a sale, the revisit date of a lost deal, the day after a failure)."""

    __tablename__ = "followups"
    __table_args__ = (
        UniqueConstraint("team_id", "request_key", name="uq_followups_team_request_key"),
        Index("ix_followups_team_user_status_due", "team_id", "user_id", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(String(USER_ID))  # who should do it
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    due_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text, default=None)
    source: Mapped[str] = mapped_column(String(16))  # a domain.followups.FollowupSource
    status: Mapped[str] = mapped_column(String(12), default=FollowupStatus.OPEN.value)
    done_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    done_by: Mapped[str | None] = mapped_column(String(USER_ID), default=None)
    request_key: Mapped[str | None] = mapped_column(String(128), default=None)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The touch or deal that did it (domain.followups.closed_by): undoing that activity opens it again.
    closed_by_activity_id: Mapped[int | None] = mapped_column(Integer, default=None)


class Renewal(Base):
    """A date the account's business comes up again (a contract, lease or warranty end, a budget cycle):
    "not now" is a timing answer; Pyramid comes back `lead_months` before, through a follow-up."""

    __tablename__ = "renewals"
    __table_args__ = (
        UniqueConstraint("team_id", "account_id", "kind", name="uq_renewals_team_account_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))  # a domain.renewals.RenewalKind
    ends_on: Mapped[date] = mapped_column(Date)
    lead_months: Mapped[int] = mapped_column(Integer)
    followup_id: Mapped[int | None] = mapped_column(ForeignKey("followups.id", ondelete="SET NULL"))
    created_by: Mapped[str] = mapped_column(String(USER_ID))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Recovery(Base):
    """A failure being recovered (SPEC §5): open -> responded -> awaiting (the next delivery) ->
    recovered | lost (domain.recovery)."""

    __tablename__ = "recoveries"
    __table_args__ = (
        UniqueConstraint("team_id", "request_key", name="uq_recoveries_team_request_key"),
        Index("ix_recoveries_team_status", "team_id", "status"),
        Index("ix_recoveries_team_owner_status", "team_id", "owner_id", "status"),
        Index("ix_recoveries_team_account", "team_id", "account_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    owner_id: Mapped[str] = mapped_column(String(USER_ID))
    opened_by: Mapped[str] = mapped_column(String(USER_ID))
    what: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=RecoveryStatus.OPEN.value)
    steps_done: Mapped[int] = mapped_column(Integer, default=0)  # bit mask over domain.recovery.FIVE_STEPS
    cause: Mapped[str | None] = mapped_column(String(12), default=None)  # a domain.recovery.Cause
    # The second half: the next delivery, which must clearly exceed expectations (asked after it).
    delivery_on: Mapped[date | None] = mapped_column(Date, default=None)
    # No longer set (the verdict is asked after the next delivery's date); kept for old rows.
    verdict_asked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    opened_on: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    request_key: Mapped[str | None] = mapped_column(String(128), default=None)


class RecoveryEvent(Base):
    """Every transition of a recovery, with who and when; also a take-over, a note, an escalation and
    the next delivery's date (`kind`, domain.recovery.EventKind)."""

    __tablename__ = "recovery_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    recovery_id: Mapped[int] = mapped_column(ForeignKey("recoveries.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(12))
    to_status: Mapped[str] = mapped_column(String(12))
    user_id: Mapped[str] = mapped_column(String(USER_ID))
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    kind: Mapped[str] = mapped_column(String(12), default="status", server_default="status")
    note: Mapped[str | None] = mapped_column(Text, default=None)


class Delivery(Base):
    """The ledger of messages that must be posted exactly once (a digest per rep per day, a flag per
    recovery, a summary per week, an announcement, a /trouble DM). A row is enqueued `pending` with its
    message, claimed before posting, marked sent after, and retried until sent or definitively
    `failed`; see `bot/jobs/outbox.py` for why a message is late after a failure, never lost or doubled."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("team_id", "kind", "ref", name="uq_deliveries_team_kind_ref"),
        Index("ix_deliveries_status_claimed_at", "status", "claimed_at"),
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    kind: Mapped[str] = mapped_column(String(24))
    ref: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(12))  # a domain.delivery.DeliveryStatus
    claim_token: Mapped[str] = mapped_column(String(32))
    claimed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)  # claims so far
    channel: Mapped[str | None] = mapped_column(String(32), default=None)
    ts: Mapped[str | None] = mapped_column(String(32), default=None)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    # The message as JSON ({"text", "blocks"}) and where it goes (a channel id, or a user id for a DM).
    payload: Mapped[str | None] = mapped_column(Text, default=None)
    target: Mapped[str | None] = mapped_column(String(32), default=None)
    created_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime, default=None)
    last_error: Mapped[str | None] = mapped_column(String(200), default=None)
    # An earlier attempt may have reached Slack (5xx, timeout, dropped connection): look before posting.
    may_have_posted: Mapped[bool] = mapped_column(default=False)


class PyramidSnapshot(Base):
    """The distribution of one day: one row per team, owner and stage. `owner_id` "" is the whole team.
    Trends read these rows instead of replaying history on every request."""

    __tablename__ = "pyramid_snapshots"
    __table_args__ = (
        UniqueConstraint(
            "team_id", "owner_id", "day", "stage", name="uq_pyramid_snapshots_team_owner_day_stage"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    owner_id: Mapped[str] = mapped_column(String(USER_ID))
    day: Mapped[date] = mapped_column(Date)
    stage: Mapped[int] = mapped_column(Integer)
    count: Mapped[int] = mapped_column(Integer)


class PyramidFigures(Base):
    """The `/pyramid` figures that read history (conversion flows, time in stage, retention) as the daily
    snapshot job computed them, per team (owner_id "") and owner, as JSON. `/pyramid` adds what changed
    since (step changes and accounts with higher ids) instead of reading the conversion window's history
    (domain.analytics.CONVERSION_WINDOW_DAYS) per call."""

    __tablename__ = "pyramid_figures"
    __table_args__ = (
        UniqueConstraint("team_id", "owner_id", "day", name="uq_pyramid_figures_team_owner_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[str] = mapped_column(String(TEAM_ID))
    owner_id: Mapped[str] = mapped_column(String(USER_ID))
    day: Mapped[date] = mapped_column(Date)
    figures: Mapped[str] = mapped_column(Text)


class TeamSettings(Base):
    """A team's own settings, set by its admins in Slack (`/pyramid settings`); each NULL column means
    "use the default" (the environment's, bot/config.py). One row per team; read through
    bot/services/team_settings.py, never column by column."""

    __tablename__ = "team_settings"

    team_id: Mapped[str] = mapped_column(String(TEAM_ID), primary_key=True)
    channel: Mapped[str | None] = mapped_column(String(32), default=None)
    locale: Mapped[str | None] = mapped_column(String(8), default=None)
    timezone: Mapped[str | None] = mapped_column(String(64), default=None)
    digest_time: Mapped[time | None] = mapped_column(Time, default=None)
    working_days: Mapped[str | None] = mapped_column(String(32), default=None)  # "mon,tue,…"
    holiday_country: Mapped[str | None] = mapped_column(String(8), default=None)  # "" = none
    summary_weekday: Mapped[int | None] = mapped_column(Integer, default=None)  # 0 = Monday
    summary_time: Mapped[time | None] = mapped_column(Time, default=None)
    dormant_acquaintance: Mapped[int | None] = mapped_column(Integer, default=None)
    dormant_prospect: Mapped[int | None] = mapped_column(Integer, default=None)
    dormant_customer: Mapped[int | None] = mapped_column(Integer, default=None)
    dormant_repeater: Mapped[int | None] = mapped_column(Integer, default=None)
    managers: Mapped[str | None] = mapped_column(Text, default=None)  # user ids by commas; "" = none
    evening_prompt: Mapped[bool | None] = mapped_column(default=None)
    # The segments' own lapse days in PYRAMID_SEGMENT_LAPSE_DAYS's form ("" = none, NULL = the default).
    segment_lapse_days: Mapped[str | None] = mapped_column(Text, default=None)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_by: Mapped[str] = mapped_column(String(USER_ID))
