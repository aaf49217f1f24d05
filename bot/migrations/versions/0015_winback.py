"""Win-back: why a deal was lost (activities.lost_reason) and whom to write to (accounts.contact).

Both nullable: a loss logged before this has no reason (unknown, never guessed), an account no contact.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("activities", sa.Column("lost_reason", sa.String(length=12), nullable=True))
    op.add_column("accounts", sa.Column("contact", sa.String(length=80), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): see 0010 on why not a batch copy.
    op.drop_column("accounts", "contact")
    op.drop_column("activities", "lost_reason")
