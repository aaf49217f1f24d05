"""indexes for the digest: lapsing accounts in order, accounts with proposals, latest activity by kind

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        # The new index starts with the old one's columns, so it serves everything the old one did.
        batch_op.drop_index("ix_accounts_team_owner_step")
        batch_op.create_index(
            "ix_accounts_team_owner_step_last",
            ["team_id", "owner_id", "step", sa.text("coalesce(last_touch_on, created_on)")],
            unique=False,
        )
        batch_op.create_index(
            "ix_accounts_team_owner_proposed",
            ["team_id", "owner_id"],
            unique=False,
            sqlite_where=sa.text("proposals > 0"),
            postgresql_where=sa.text("proposals > 0"),
        )
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.create_index(
            "ix_activities_team_account_kind_on",
            ["team_id", "account_id", "kind", "occurred_on"],
            unique=False,
        )
    with op.batch_alter_table("recoveries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_recoveries_team_owner_status", ["team_id", "owner_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("recoveries", schema=None) as batch_op:
        batch_op.drop_index("ix_recoveries_team_owner_status")
    with op.batch_alter_table("activities", schema=None) as batch_op:
        batch_op.drop_index("ix_activities_team_account_kind_on")
    with op.batch_alter_table("accounts", schema=None) as batch_op:
        batch_op.drop_index("ix_accounts_team_owner_proposed")
        batch_op.drop_index("ix_accounts_team_owner_step_last")
        batch_op.create_index("ix_accounts_team_owner_step", ["team_id", "owner_id", "step"], unique=False)
