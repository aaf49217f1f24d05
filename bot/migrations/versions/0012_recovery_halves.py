"""Recoveries in two halves (issue 12): a recovery's cause category and the date of the next delivery
(its second half), the kind and note of a recovery event (take-over, note, escalation besides status
changes), and since when an account is at risk (a second failure while one was open or recent).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("recoveries", sa.Column("cause", sa.String(length=12), nullable=True))
    op.add_column("recoveries", sa.Column("delivery_on", sa.Date(), nullable=True))
    op.add_column(
        "recovery_events", sa.Column("kind", sa.String(length=12), nullable=False, server_default="status")
    )
    op.add_column("recovery_events", sa.Column("note", sa.Text(), nullable=True))
    op.add_column("accounts", sa.Column("at_risk_since", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE ... DROP COLUMN (SQLite 3.35+): see 0010 on why not a batch copy.
    for table, column in (
        ("accounts", "at_risk_since"),
        ("recovery_events", "note"),
        ("recovery_events", "kind"),
        ("recoveries", "delivery_on"),
        ("recoveries", "cause"),
    ):
        op.drop_column(table, column)
