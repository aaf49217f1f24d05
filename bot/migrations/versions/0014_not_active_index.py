"""The accounts stored as other than active (lost, archived, merged), by team and owner: the pyramid's
count reads them row by row (services/pyramids.py) instead of judging every account of the team. A
partial index: it holds only those few rows, so a log to an active account never writes it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NOT_ACTIVE = sa.text("status != 'active'")


def upgrade() -> None:
    op.create_index(
        "ix_accounts_team_owner_not_active",
        "accounts",
        ["team_id", "owner_id"],
        sqlite_where=NOT_ACTIVE,
        postgresql_where=NOT_ACTIVE,
    )


def downgrade() -> None:
    op.drop_index("ix_accounts_team_owner_not_active", table_name="accounts")
