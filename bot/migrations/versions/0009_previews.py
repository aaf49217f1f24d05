"""previews: what Pyramid read in a message in plain words, waiting for its author's confirmation

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "previews",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.String(length=32), nullable=False),
        sa.Column("source_key", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_previews")),
        sa.UniqueConstraint("team_id", "source_key", name="uq_previews_team_source_key"),
    )
    op.create_index("ix_previews_created_at", "previews", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_previews_created_at", table_name="previews")
    op.drop_table("previews")
