"""name keys: Japanese legal forms (医療法人社団, 一般社団法人, ㈾ …), honorifics (様, 御中) and the
spaces Japanese does not write (ABC 物流 = ABC物流) no longer tell two companies apart

Every account's key is computed again with the rule of this release (`bot.domain.names.name_key`).
Two accounts of one team that the new rule reads as one company keep apart: the older one takes the
new key, the newer one keeps its old key (merging them is a decision for a person, and the log
names them).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.domain.names import name_key

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

accounts = sa.table(
    "accounts",
    sa.column("id", sa.Integer),
    sa.column("team_id", sa.String),
    sa.column("name", sa.String),
    sa.column("name_key", sa.String),
)


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(accounts.c.id, accounts.c.team_id, accounts.c.name, accounts.c.name_key).order_by(
            accounts.c.team_id, accounts.c.id
        )
    ).all()
    taken: dict[str, set[str]] = {}
    changes: list[dict[str, object]] = []
    for row in rows:
        team_keys = taken.setdefault(row.team_id, set())
        new = name_key(row.name)
        if new in team_keys:
            log.warning(
                "accounts: %r (id %s, team %s) now reads as another account of the team; it keeps its old key",
                row.name,
                row.id,
                row.team_id,
            )
            new = row.name_key if row.name_key not in team_keys else f"{row.name_key}#{row.id}"
        team_keys.add(new)
        if new != row.name_key:
            changes.append({"row_id": row.id, "new_key": new})
    if not changes:
        return
    # Two passes: a key may move to a value another row still holds until its own update, and the
    # unique constraint is checked row by row.
    update = sa.update(accounts).where(accounts.c.id == sa.bindparam("row_id"))
    bind.execute(
        update.values(name_key=sa.literal("~") + sa.cast(sa.bindparam("row_id"), sa.String)),
        [{"row_id": change["row_id"]} for change in changes],
    )
    bind.execute(update.values(name_key=sa.bindparam("new_key")), changes)


def downgrade() -> None:
    # The old rule is not kept in the code; the new keys stay valid keys for it to find names by
    # (lookups compute the key of what is typed with the rule of the running release).
    pass
