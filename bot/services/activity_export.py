"""`pyramid-bot export --activities`: every activity ever logged, with its account, author, and who edited
or deleted it and when, so that nothing is ever silently lost (SPEC §2: deleted activities are kept as
deleted). Deleted activities are included on purpose, marked by `deleted_at` / `deleted_by`.

Streamed like the account export (bot/services/exports.py): one SELECT read `CHUNK` rows at a time, each
row written as it comes, so memory does not grow with the history."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.models import Account, Activity
from bot.services.exports import CHUNK, ProgressCallback

ACTIVITY_FIELDS = (
    "team_id",
    "id",
    "account_id",
    "account",
    "kind",
    "occurred_on",
    "amount",
    "note",
    "revisit_on",
    "lost_reason",
    "user",
    "created_at",
    "edited_by",
    "edited_at",
    "deleted_by",
    "deleted_at",
)


def activity_rows(
    session: Session, team_ids: list[str] | None = None, *, chunk: int = CHUNK
) -> Iterator[dict[str, object]]:
    """Every activity (of these teams), deleted ones included, in team, date and id order."""
    statement = (
        select(
            Activity.team_id,
            Activity.id,
            Activity.account_id,
            Account.name,
            Activity.kind,
            Activity.occurred_on,
            Activity.amount,
            Activity.note,
            Activity.revisit_on,
            Activity.lost_reason,
            Activity.user_id,
            Activity.created_at,
            Activity.edited_by,
            Activity.edited_at,
            Activity.deleted_by,
            Activity.deleted_at,
        )
        .join(Account, Account.id == Activity.account_id)
        .order_by(Activity.team_id, Activity.occurred_on, Activity.id)
    )
    if team_ids:
        statement = statement.where(Activity.team_id.in_(team_ids))
    for row in session.execute(statement.execution_options(yield_per=chunk)):
        yield {name: _plain(value) for name, value in zip(ACTIVITY_FIELDS, row, strict=True)}


def write_activities(
    session: Session,
    out: TextIO,
    fmt: str,
    team_ids: list[str] | None = None,
    *,
    progress: ProgressCallback | None = None,
) -> int:
    """CSV with a header, or a JSON array with one object a line; returns how many activities."""
    count = 0
    writer = csv.DictWriter(out, fieldnames=ACTIVITY_FIELDS, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    else:
        out.write("[")
    for row in activity_rows(session, team_ids):
        if writer is not None:
            writer.writerow(row)
        else:
            out.write(("\n" if count == 0 else ",\n") + json.dumps(row, ensure_ascii=False))
        count += 1
        if progress is not None and count % CHUNK == 0:
            progress(count)
    if writer is None:
        out.write("\n]\n" if count else "]\n")
    return count


def _plain(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value
