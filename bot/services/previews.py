"""Previews of messages in plain words, parked until their author answers (see models.Preview).

The extraction is kept server-side as JSON: a preview can hold more than a button value may carry,
and what is stored on *Log all* is exactly what the rep was shown."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.domain.activities import ActivityKind
from bot.domain.extraction import AccountRef, Activity, Extraction, Followup, Trouble, Unread
from bot.models import Preview

# A preview nobody answered is forgotten after a week; the rep can simply write the message again.
KEEP_FOR = timedelta(days=7)


@dataclass(frozen=True)
class Parked:
    id: str
    user_id: str
    extraction: Extraction
    new: bool  # False: this message was previewed already (a retried event)


def park(
    session: Session, team_id: str, user_id: str, source_key: str, extraction: Extraction, *, now: datetime
) -> Parked:
    """The preview of the message `source_key`, saved once: a second delivery of the same message
    finds the first preview."""
    session.execute(delete(Preview).where(Preview.created_at < now - KEEP_FOR))
    existing = session.scalar(
        select(Preview).where(Preview.team_id == team_id, Preview.source_key == source_key)
    )
    if existing is not None:
        return Parked(existing.id, existing.user_id, decode(existing.payload), new=False)
    row = Preview(
        id=uuid.uuid4().hex,
        team_id=team_id,
        user_id=user_id,
        source_key=source_key,
        payload=encode(extraction),
        created_at=now,
    )
    session.add(row)
    session.flush()
    return Parked(row.id, user_id, extraction, new=True)


def take(session: Session, team_id: str, preview_id: str) -> Parked | None:
    """The preview, removed so that it is answered once; None when it is gone (answered, expired, or
    another team's)."""
    row = session.scalar(select(Preview).where(Preview.team_id == team_id, Preview.id == preview_id))
    if row is None:
        return None
    deleted = session.execute(delete(Preview).where(Preview.team_id == team_id, Preview.id == preview_id))
    if getattr(deleted, "rowcount", 1) == 0:
        return None  # a concurrent click took it first
    return Parked(row.id, row.user_id, decode(row.payload), new=False)


Item = Activity | Followup | Trouble
ItemT = TypeVar("ItemT", Activity, Followup, Trouble)


def replace_item(session: Session, team_id: str, preview_id: str, index: int, item: Item) -> Parked | None:
    """The preview with its `index`-th item of `item`'s kind rewritten (an *Edit*), under a row lock
    so that an edit and a *Log all* are one after the other; None when the preview is gone (answered,
    expired, or another team's) or has no such item. Nothing else is stored."""
    row = session.scalar(
        select(Preview).where(Preview.team_id == team_id, Preview.id == preview_id).with_for_update()
    )
    if row is None:
        return None
    extraction = decode(row.payload)
    if isinstance(item, Activity) and index < len(extraction.activities):
        edited = replace(extraction, activities=_swap(extraction.activities, index, item))
    elif isinstance(item, Followup) and index < len(extraction.followups):
        edited = replace(extraction, followups=_swap(extraction.followups, index, item))
    elif isinstance(item, Trouble) and index < len(extraction.troubles):
        edited = replace(extraction, troubles=_swap(extraction.troubles, index, item))
    else:
        return None
    row.payload = encode(edited)
    session.flush()
    return Parked(row.id, row.user_id, edited, new=False)


def resolve_unread(
    session: Session, team_id: str, preview_id: str, ref: str, item: Item, *, ref_of: Callable[[str], str]
) -> Parked | None:
    """The preview with the sentence it could not read (`ref_of(text) == ref`) replaced by `item`, as
    the rep wrote it in *Add*; None when the preview is gone or that sentence was resolved already."""
    row = session.scalar(
        select(Preview).where(Preview.team_id == team_id, Preview.id == preview_id).with_for_update()
    )
    if row is None:
        return None
    extraction = decode(row.payload)
    unread = tuple(entry for entry in extraction.unread if ref_of(entry.text) != ref)
    if len(unread) == len(extraction.unread):
        return None
    if isinstance(item, Activity):
        edited = replace(extraction, activities=(*extraction.activities, item), unread=unread)
    elif isinstance(item, Followup):
        edited = replace(extraction, followups=(*extraction.followups, item), unread=unread)
    else:
        edited = replace(extraction, troubles=(*extraction.troubles, item), unread=unread)
    row.payload = encode(edited)
    session.flush()
    return Parked(row.id, row.user_id, edited, new=False)


def _swap(items: tuple[ItemT, ...], index: int, item: ItemT) -> tuple[ItemT, ...]:
    edited = list(items)
    edited[index] = item
    return tuple(edited)


def peek(session: Session, team_id: str, preview_id: str) -> Parked | None:
    row = session.scalar(select(Preview).where(Preview.team_id == team_id, Preview.id == preview_id))
    return None if row is None else Parked(row.id, row.user_id, decode(row.payload), new=False)


# ------------------------------------------------------------------------------------ JSON


def encode(extraction: Extraction) -> str:
    return json.dumps(
        {
            "activities": [
                {
                    "account": _ref(item.account),
                    "kind": item.kind.value,
                    "on": item.on.isoformat(),
                    "amount": item.amount,
                    "note": item.note,
                }
                for item in extraction.activities
            ],
            "followups": [
                {"account": _ref(item.account), "due": item.due.isoformat(), "what": item.what}
                for item in extraction.followups
            ],
            "troubles": [{"account": _ref(item.account), "what": item.what} for item in extraction.troubles],
            "unread": [
                {"text": item.text, "reason": item.reason, "understood": item.understood}
                for item in extraction.unread
            ],
        },
        ensure_ascii=False,
    )


def decode(payload: str) -> Extraction:
    data = json.loads(payload)
    return Extraction(
        activities=tuple(
            Activity(
                account=_account(item["account"]),
                kind=ActivityKind(item["kind"]),
                on=date.fromisoformat(item["on"]),
                amount=item["amount"],
                note=item["note"],
            )
            for item in data["activities"]
        ),
        followups=tuple(
            Followup(
                account=_account(item["account"]), due=date.fromisoformat(item["due"]), what=item["what"]
            )
            for item in data["followups"]
        ),
        troubles=tuple(
            Trouble(account=_account(item["account"]), what=item["what"]) for item in data["troubles"]
        ),
        unread=tuple(Unread(**item) for item in data["unread"]),
    )


def _ref(ref: AccountRef) -> dict[str, Any]:
    return {"written": ref.written, "known": ref.known, "suggestions": list(ref.suggestions)}


def _account(data: dict[str, Any]) -> AccountRef:
    return AccountRef(written=data["written"], known=data["known"], suggestions=tuple(data["suggestions"]))
