"""account_readings: the other readings of each account's name (大和電機 also reads だいわでんき), so that
ダイワ電機 asks "did you mean 大和電機?"; and every common reading computed again by the faster converter
of `bot.domain.names` (the same longest-match reading as pykakasi's: rows whose reading it gives
differently are rewritten, so that a typed name and a stored one are always read alike).

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.domain.names import READING_LIMIT, name_readings

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000

accounts = sa.table(
    "accounts",
    sa.column("id", sa.Integer),
    sa.column("team_id", sa.String),
    sa.column("name", sa.String),
    sa.column("name_reading", sa.String),
)
readings = sa.table(
    "account_readings",
    sa.column("team_id", sa.String),
    sa.column("account_id", sa.Integer),
    sa.column("reading", sa.String),
)


def upgrade() -> None:
    op.create_table(
        "account_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("reading", sa.String(length=READING_LIMIT), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_account_readings_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_account_readings"),
    )
    bind = op.get_bind()
    update = sa.update(accounts).where(accounts.c.id == sa.bindparam("row_id"))
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(accounts.c.id, accounts.c.team_id, accounts.c.name, accounts.c.name_reading)
            .where(accounts.c.id > last_id)
            .order_by(accounts.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        changed, others = [], []
        for row in rows:
            common, *rest = name_readings(row.name)
            if common != row.name_reading:
                changed.append({"row_id": row.id, "reading": common})
            others += [{"team_id": row.team_id, "account_id": row.id, "reading": other} for other in rest]
        if changed:
            bind.execute(update.values(name_reading=sa.bindparam("reading")), changed)
        if others:
            bind.execute(sa.insert(readings), others)
        last_id = rows[-1].id
    op.create_index("ix_account_readings_team_reading", "account_readings", ["team_id", "reading"])
    op.create_index("ix_account_readings_account", "account_readings", ["account_id"])


def downgrade() -> None:
    op.drop_table("account_readings")
