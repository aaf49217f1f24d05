"""ORM rows built in memory and never stored, for the unit tests of views and view-models: the
view-models (bot/usecases/facts.py) are copied from them with `.of(...)`, as the use cases do."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from bot.domain.activities import ActivityKind
from bot.domain.stages import Step
from bot.models import Account, Activity

CREATED_AT = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)


def account_row(**changes: Any) -> Account:
    """Acme Corp, a strategic customer (one deal won), touched on Nov 20; `changes` replace any column."""
    values: dict[str, Any] = {
        "id": 42,
        "team_id": "T0TEAM1",
        "name": "Acme Corp",
        "name_key": "acme",
        "owner_id": "U0REP1",
        "step": Step.WON.value,
        "segment": "strategic",
        "remote_touches": 1,
        "in_person_meetings": 2,
        "meals": 1,
        "proposals": 1,
        "deals_won": 1,
        "deals_lost": 0,
        "last_touch_on": date(2026, 11, 20),
        "created_on": date(2026, 10, 1),
        "created_at": CREATED_AT,
        "updated_at": CREATED_AT,
    }
    values.update(changes)
    return Account(**values)


def activity_row(**changes: Any) -> Activity:
    """U0REP1's visit to account 42 on Nov 21, with a note; `changes` replace any column."""
    values: dict[str, Any] = {
        "id": 7,
        "team_id": "T0TEAM1",
        "account_id": 42,
        "user_id": "U0REP1",
        "kind": ActivityKind.VISIT.value,
        "occurred_on": date(2026, 11, 21),
        "amount": None,
        "note": "met the new IT manager",
        "revisit_on": None,
        "request_key": "command:trigger-1",
        "created_at": CREATED_AT,
    }
    values.update(changes)
    return Activity(**values)
