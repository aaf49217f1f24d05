"""Timing (issue 12): a follow-up remembers the activity that closed it (so that undoing the activity
opens it again), and accounts carry renewal dates (contract, lease, warranty, budget cycle) with a lead
time, each with the follow-up scheduled for it.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("followups", sa.Column("closed_by_activity_id", sa.Integer(), nullable=True))
    op.create_table(
        "renewals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("lead_months", sa.Integer(), nullable=False),
        sa.Column("followup_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(length=32), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_renewals_account_id_accounts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["followup_id"], ["followups.id"], name=op.f("fk_renewals_followup_id_followups"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_renewals")),
        # One date per kind and account: recording the lease end again moves it.
        sa.UniqueConstraint("team_id", "account_id", "kind", name="uq_renewals_team_account_kind"),
    )


def downgrade() -> None:
    op.drop_table("renewals")
    op.execute("ALTER TABLE followups DROP COLUMN closed_by_activity_id")
