"""accounts.name_reading: how each name reads aloud, so that ヤマダ商事 asks "did you mean 山田商事?"

The reading of every existing account is computed here once (`bot.domain.names.name_reading`, with
pykakasi), so that no request computes the readings of a team's accounts.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.domain.names import READING_LIMIT, name_reading

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 2000

accounts = sa.table(
    "accounts",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("name_reading", sa.String),
)


def upgrade() -> None:
    op.add_column("accounts", sa.Column("name_reading", sa.String(length=READING_LIMIT), nullable=True))
    bind = op.get_bind()
    update = sa.update(accounts).where(accounts.c.id == sa.bindparam("row_id"))
    last_id = 0
    while True:
        rows = bind.execute(
            sa.select(accounts.c.id, accounts.c.name)
            .where(accounts.c.id > last_id)
            .order_by(accounts.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        bind.execute(
            update.values(name_reading=sa.bindparam("reading")),
            [{"row_id": row.id, "reading": name_reading(row.name)} for row in rows],
        )
        last_id = rows[-1].id
    op.create_index("ix_accounts_team_name_reading", "accounts", ["team_id", "name_reading"])


def downgrade() -> None:
    op.drop_index("ix_accounts_team_name_reading", table_name="accounts")
    # Plain ALTER TABLE (SQLite 3.35+ has DROP COLUMN): a batch copy of the table would lose its
    # expression index (ix_accounts_team_owner_step_last), which SQLAlchemy cannot reflect.
    op.execute("ALTER TABLE accounts DROP COLUMN name_reading")
