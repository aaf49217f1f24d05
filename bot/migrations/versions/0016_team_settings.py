"""team_settings: each team's own settings, set by its admins in Slack (issue 15); NULL = the default

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "team_settings",
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("locale", sa.String(length=8), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("digest_time", sa.Time(), nullable=True),
        sa.Column("working_days", sa.String(length=32), nullable=True),
        sa.Column("holiday_country", sa.String(length=8), nullable=True),
        sa.Column("summary_weekday", sa.Integer(), nullable=True),
        sa.Column("summary_time", sa.Time(), nullable=True),
        sa.Column("dormant_acquaintance", sa.Integer(), nullable=True),
        sa.Column("dormant_prospect", sa.Integer(), nullable=True),
        sa.Column("dormant_customer", sa.Integer(), nullable=True),
        sa.Column("dormant_repeater", sa.Integer(), nullable=True),
        sa.Column("managers", sa.Text(), nullable=True),
        sa.Column("evening_prompt", sa.Boolean(), nullable=True),
        # The segments' own lapse days, as PYRAMID_SEGMENT_LAPSE_DAYS writes them (domain/lapse.py).
        sa.Column("segment_lapse_days", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_team_settings")),
    )


def downgrade() -> None:
    op.drop_table("team_settings")
