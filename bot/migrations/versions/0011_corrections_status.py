"""Corrections and status (issue 11): deleted/edited activities kept as such, the account's stored
status and merge pointer, a manager's reason on a step change, the audit trail of hand corrections,
and whether a Slack user is a workspace admin (a manager).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "accounts", sa.Column("status", sa.String(length=12), nullable=False, server_default="active")
    )
    op.add_column("accounts", sa.Column("status_on", sa.Date(), nullable=True))
    # No foreign key constraint is added to existing tables: SQLite cannot ALTER one in, and a batch
    # copy of `accounts` would lose its expression index. The model declares it for new schemas' sake;
    # the merge code sets it only to an account of the same team.
    op.add_column("accounts", sa.Column("merged_into_id", sa.Integer(), nullable=True))
    op.add_column("activities", sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("activities", sa.Column("deleted_by", sa.String(length=32), nullable=True))
    op.add_column("activities", sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("activities", sa.Column("edited_by", sa.String(length=32), nullable=True))
    op.add_column("step_changes", sa.Column("note", sa.Text(), nullable=True))
    op.add_column("slack_users", sa.Column("is_admin", sa.Boolean(), nullable=True))
    op.create_table(
        "account_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("other_account_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_account_events_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["activities.id"],
            name=op.f("fk_account_events_activity_id_activities"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["other_account_id"],
            ["accounts.id"],
            name=op.f("fk_account_events_other_account_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account_events")),
    )
    op.create_index("ix_account_events_team_account_at", "account_events", ["team_id", "account_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_account_events_team_account_at", table_name="account_events")
    op.drop_table("account_events")
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): see 0010 on why not a batch copy.
    for table, column in (
        ("slack_users", "is_admin"),
        ("step_changes", "note"),
        ("activities", "edited_by"),
        ("activities", "edited_at"),
        ("activities", "deleted_by"),
        ("activities", "deleted_at"),
        ("accounts", "merged_into_id"),
        ("accounts", "status_on"),
        ("accounts", "status"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
