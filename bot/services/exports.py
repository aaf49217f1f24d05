"""`pyramid-bot export` and `import`: every account as rows, and an existing list loaded safely."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.domain.names import display_name, name_key
from bot.domain.parsing import MAX_NAME
from bot.domain.stages import LADDER, Evidence, Step, evidence_floor
from bot.models import Account
from bot.services import accounts

EXPORT_FIELDS = (
    "team_id",
    "name",
    "owner",
    "stage",
    "step",
    "segment",
    "last_touch_on",
    "meetings",
    "deals_won",
    "created_on",
)
USER_ID_RE = re.compile(r"^[UW][A-Z0-9]{2,31}$")
_STEP_BY_LABEL = {step.label: step for step in LADDER}


def teams(session: Session) -> list[str]:
    return list(session.scalars(select(Account.team_id).distinct().order_by(Account.team_id)))


def export_rows(session: Session, team_ids: list[str] | None = None) -> Iterator[dict[str, object]]:
    statement = select(Account).order_by(Account.team_id, Account.name_key)
    if team_ids:
        statement = statement.where(Account.team_id.in_(team_ids))
    # Streamed in batches so that a team of 100,000 accounts does not sit in memory twice.
    for account in session.scalars(statement.execution_options(yield_per=1000)):
        step = account.current_step
        yield {
            "team_id": account.team_id,
            "name": account.name,
            "owner": account.owner_id,
            "stage": step.stage.value,
            "step": step.value,
            "segment": account.segment,
            "last_touch_on": account.last_touch_on.isoformat() if account.last_touch_on else None,
            "meetings": account.in_person_meetings,
            "deals_won": account.deals_won,
            "created_on": account.created_on.isoformat(),
        }


@dataclass(frozen=True)
class ImportRow:
    line: int
    name: str
    owner: str
    step: Step | None
    segment: str | None


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: list[tuple[int, str]] = field(default_factory=list)


def read_import(text: str) -> tuple[list[ImportRow], list[tuple[int, str]]]:
    """Rows and problems (line number, what is wrong). Line numbers count the header as line 1."""
    reader = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")))
    header = [column.strip().lower() for column in reader.fieldnames or []]
    missing = [column for column in ("name", "owner") if column not in header]
    if missing:
        return [], [(1, f"the header needs the columns name and owner (missing: {', '.join(missing)})")]
    reader.fieldnames = header
    rows: list[ImportRow] = []
    problems: list[tuple[int, str]] = []
    seen: dict[str, int] = {}
    for index, raw in enumerate(reader, start=2):
        line = reader.line_num if reader.line_num else index
        name = display_name(raw.get("name") or "")
        owner = (raw.get("owner") or "").strip()
        step_text = (raw.get("step") or "").strip()
        segment = (raw.get("segment") or "").strip() or None
        problem = None
        step: Step | None = None
        if not name:
            problem = "the name is empty"
        elif len(name) > MAX_NAME:
            problem = f"the name is longer than {MAX_NAME} characters"
        elif not USER_ID_RE.match(owner):
            problem = f"owner {owner!r} is not a Slack user id such as U012ABCDEF"
        elif step_text:
            step = _step(step_text)
            if step is None:
                problem = f"step {step_text!r} is not one of {', '.join(s.value for s in LADDER)}"
        if problem is None and segment is not None and len(segment) > 40:
            problem = "the segment is longer than 40 characters"
        if problem is None and name_key(name) in seen:
            problem = f"the same account as line {seen[name_key(name)]}"
        if problem is not None:
            problems.append((line, problem))
            continue
        seen[name_key(name)] = line
        rows.append(ImportRow(line=line, name=name, owner=owner, step=step, segment=segment))
    return rows, problems


def apply_import(
    session: Session, team_id: str, rows: list[ImportRow], *, now: datetime, today: date
) -> ImportReport:
    """Creates new accounts and updates existing ones, so that importing a file twice changes nothing."""
    report = ImportReport()
    for row in rows:
        account = accounts.find_by_name(session, team_id, row.name)
        if account is None:
            account = accounts.create_account(session, team_id, row.name, row.owner, now=now, today=today)
            account.segment = row.segment
            if row.step is not None and row.step != Step.NAME_ONLY:
                _raise_to(session, account, row.step, now=now, today=today)
            report.created += 1
            continue
        changed = False
        if account.owner_id != row.owner:
            account.owner_id, changed = row.owner, True
        if row.segment is not None and account.segment != row.segment:
            account.segment, changed = row.segment, True
        if row.step is not None and row.step > account.current_step:
            _raise_to(session, account, row.step, now=now, today=today)
            changed = True
        if changed:
            account.updated_at = now
            report.updated += 1
        else:
            report.unchanged += 1
    return report


def _raise_to(session: Session, account: Account, step: Step, *, now: datetime, today: date) -> None:
    before = account.current_step
    floor = evidence_floor(step)
    current = account.evidence
    merged = Evidence(
        remote_touches=max(current.remote_touches, floor.remote_touches),
        in_person_meetings=max(current.in_person_meetings, floor.in_person_meetings),
        meals=max(current.meals, floor.meals),
        proposals=max(current.proposals, floor.proposals),
        deals_won=max(current.deals_won, floor.deals_won),
    )
    account.remote_touches = merged.remote_touches
    account.in_person_meetings = merged.in_person_meetings
    account.meals = merged.meals
    account.proposals = merged.proposals
    account.deals_won = merged.deals_won
    account.step = step.value
    session.flush()
    accounts.record_step_change(
        session, account, before, step, user_id=account.owner_id, now=now, today=today, reason="import"
    )


def _step(text: str) -> Step | None:
    lowered = text.strip().lower()
    for step in LADDER:
        if lowered == step.value:
            return step
    return _STEP_BY_LABEL.get(lowered)
