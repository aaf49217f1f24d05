"""Finding, creating and editing accounts, always inside one team."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.domain.names import NEAR_MATCH_LIMIT, display_name, name_key, name_readings, near_matches
from bot.domain.stages import TALLY_COUNTERS, Step, Tally
from bot.models import Account, AccountReading, StepChange
from bot.services import name_index
from bot.services.errors import UserFacingError
from bot.services.status import not_merged

TYPEAHEAD_LIMIT = 50
# `/account Acme segment none` removes the segment (and `contact none` the contact).
CLEAR_SEGMENT_WORDS = frozenset({"none", "-", "clear", "なし", "解除"})


@dataclass(frozen=True)
class AccountRef:
    """How a request names its account: by id (buttons, selects) or by typed name (commands)."""

    account_id: int | None = None
    name: str | None = None
    # The user saw the "did you mean" question and chose to create a new account anyway.
    create_new: bool = False


@dataclass(frozen=True)
class NearMatchQuestion:
    """No account has this name, but some are close: ask before creating a probable duplicate."""

    name: str
    candidates: tuple[Account, ...]


def get_account(session: Session, team_id: str, account_id: int) -> Account:
    account = session.scalar(select(Account).where(Account.team_id == team_id, Account.id == account_id))
    if account is None:
        raise UserFacingError("account_gone")
    return account


def lock(session: Session, account: Account) -> Account:
    """The account row locked until the transaction ends, with its columns read again under the lock.

    Every change that reads an account's counters or step and writes them back goes through here, so
    concurrent logs to one account are applied one after the other (SQLite's writers already are: they
    begin with BEGIN IMMEDIATE, see bot/db.py)."""
    locked = session.scalar(
        select(Account)
        .where(Account.team_id == account.team_id, Account.id == account.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if locked is None:
        raise UserFacingError("account_gone")
    return locked


def find_by_name(session: Session, team_id: str, name: str) -> Account | None:
    """The account called `name`; for a merged one, the account it was folded into (the merged name
    still finds the survivor: a rep who types the old name logs to the right place)."""
    return follow_merges(session, find_by_name_as_stored(session, team_id, name))


def find_by_name_as_stored(session: Session, team_id: str, name: str) -> Account | None:
    """The row with this name, merged or not (a merge checks what each name is itself)."""
    return session.scalar(
        select(Account).where(Account.team_id == team_id, Account.name_key == name_key(name))
    )


# Accounts read alike looked at, at most, before the first few by name are kept: enough that many
# namesakes do not hide the right one, few enough that the look-up stays bounded.
_READ_ALIKE_LOOKED_AT = 20

# A survivor may itself be merged later: a short chain, followed a bounded number of times.
_MAX_MERGE_HOPS = 8


def follow_merges(session: Session, account: Account | None) -> Account | None:
    for _ in range(_MAX_MERGE_HOPS):
        if account is None or account.merged_into_id is None:
            return account
        account = session.scalar(
            select(Account).where(Account.team_id == account.team_id, Account.id == account.merged_into_id)
        )
    return account


def require_by_name(session: Session, team_id: str, name: str) -> Account:
    account = find_by_name(session, team_id, name)
    if account is None:
        raise UserFacingError("account_not_found", name=display_name(name))
    return account


def require_or_similar(session: Session, team_id: str, name: str) -> Account | NearMatchQuestion:
    """An existing account by name (`/followup`, `/trouble`: they never create one); a question when
    the name is only close to some; refused ("account_not_found") when nothing is close."""
    account = find_by_name(session, team_id, name)
    if account is not None:
        return account
    candidates = similar_accounts(session, team_id, name)
    if not candidates:
        raise UserFacingError("account_not_found", name=display_name(name))
    return NearMatchQuestion(name=display_name(name), candidates=candidates)


def similar_accounts(session: Session, team_id: str, name: str) -> tuple[Account, ...]:
    """Accounts whose names are close to `name` (never the exact one): those that read the same, then
    those spelt closely."""
    key = name_key(name)
    same_reading = read_alike(session, team_id, name)
    # Candidates from the team's index may be merged or renamed since: looked up again, and a few more
    # asked for than shown so that such a one does not hide a live one.
    matches = near_matches(key, name_index.candidate_keys(session, team_id, key), limit=2 * NEAR_MATCH_LIMIT)
    keys = [match.key for match in matches]
    found = (
        session.scalars(
            select(Account).where(Account.team_id == team_id, Account.name_key.in_(keys), not_merged())
        ).all()
        if keys
        else []
    )
    order = {key: index for index, key in enumerate(keys)}
    close = sorted(found, key=lambda account: order[account.name_key])
    seen = {account.id for account in same_reading}
    merged = same_reading + [account for account in close if account.id not in seen]
    return tuple(merged[:NEAR_MATCH_LIMIT])


def read_alike(session: Session, team_id: str, name: str) -> list[Account]:
    """Other accounts that read like `name`: its common or other readings is an account's common
    reading (ヤマダ商事 for 山田商事, 大和電機 for ダイワ電機), or its common reading is one of an account's
    other readings (ダイワ電機 for 大和電機). Two rarer readings never meet: 三田 and 山田 could both read
    さんでん by those, and most typed names would find some false friend that way.

    Two index look-ups by reading, sorted here: an ORDER BY name_key would have SQLite walk the team's
    whole (team_id, name_key) index instead (115–240 ms at 100,000 accounts, against about 1 ms)."""
    key = name_key(name)
    common, *others = name_readings(name)
    by_common = select(Account).where(Account.team_id == team_id, Account.name_reading.in_([common, *others]))
    by_other = (
        select(Account)
        .join(AccountReading, AccountReading.account_id == Account.id)
        .where(
            AccountReading.team_id == team_id, AccountReading.reading == common, Account.team_id == team_id
        )
    )
    found: dict[int, Account] = {}
    for statement in (by_common, by_other):
        for account in session.scalars(
            statement.where(Account.name_key != key, not_merged()).limit(_READ_ALIKE_LOOKED_AT)
        ):
            found.setdefault(account.id, account)
    return sorted(found.values(), key=lambda account: account.name_key)[:NEAR_MATCH_LIMIT]


def store_readings(session: Session, account: Account) -> None:
    """The account's common reading on its row and its other readings beside it (replacing old ones)."""
    common, *others = name_readings(account.name)
    account.name_reading = common
    session.execute(delete(AccountReading).where(AccountReading.account_id == account.id))
    _add_other_readings(session, account, others)


def _add_other_readings(session: Session, account: Account, readings: list[str]) -> None:
    session.add_all(
        AccountReading(team_id=account.team_id, account_id=account.id, reading=reading)
        for reading in readings
    )


def create_account(
    session: Session,
    team_id: str,
    name: str,
    owner_id: str,
    *,
    now: datetime,
    today: date,
    step: Step = Step.NAME_ONLY,
) -> Account:
    common, *others = name_readings(name)
    account = Account(
        team_id=team_id,
        name=display_name(name),
        name_key=name_key(name),
        name_reading=common,
        owner_id=owner_id,
        step=step.value,
        remote_touches=0,
        in_person_meetings=0,
        meals=0,
        proposals=0,
        deals_won=0,
        deals_lost=0,
        created_on=today,
        created_at=now,
        updated_at=now,
    )
    session.add(account)
    session.flush()
    _add_other_readings(session, account, others)
    return account


def resolve(
    session: Session,
    team_id: str,
    ref: AccountRef,
) -> Account | NearMatchQuestion | None:
    """The account a request means; a question when the name is only close; None to create it."""
    if ref.account_id is not None:
        return get_account(session, team_id, ref.account_id)
    if not ref.name:
        raise UserFacingError("empty_account")
    existing = find_by_name(session, team_id, ref.name)
    if existing is not None:
        return existing
    if ref.create_new:
        return None
    candidates = similar_accounts(session, team_id, ref.name)
    if candidates:
        return NearMatchQuestion(name=display_name(ref.name), candidates=candidates)
    return None


def typeahead(session: Session, team_id: str, query: str, limit: int = TYPEAHEAD_LIMIT) -> list[Account]:
    """Accounts for a select menu: names that start with the query first, then names that contain it."""
    key = name_key(query) if query.strip() else ""
    base = select(Account).where(Account.team_id == team_id, not_merged()).order_by(Account.name_key)
    if not key:
        return list(session.scalars(base.limit(limit)))
    escaped = key.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    # Two bounded queries, prefix matches first, so that a long list never crowds out the best ones.
    found = list(session.scalars(base.where(Account.name_key.like(f"{escaped}%", escape="\\")).limit(limit)))
    if len(found) < limit:
        inner = base.where(
            Account.name_key.like(f"%{escaped}%", escape="\\"),
            Account.name_key.not_like(f"{escaped}%", escape="\\"),
        )
        found += session.scalars(inner.limit(limit - len(found)))
    return found


def change_owner(session: Session, account: Account, owner_id: str, *, now: datetime) -> Account:
    account.owner_id = owner_id
    account.updated_at = now
    return account


def change_segment(session: Session, account: Account, segment: str | None, *, now: datetime) -> Account:
    account.segment = segment
    account.updated_at = now
    return account


def change_contact(account: Account, contact: str | None, *, now: datetime) -> Account:
    account.contact = contact
    account.updated_at = now
    return account


def rename(session: Session, account: Account, new_name: str, *, now: datetime) -> Account:
    new_key = name_key(new_name)
    clash = session.scalar(
        select(Account.id).where(
            Account.team_id == account.team_id, Account.name_key == new_key, Account.id != account.id
        )
    )
    if clash is not None:
        raise UserFacingError("name_taken", name=display_name(new_name))
    account.name = display_name(new_name)
    account.name_key = new_key
    store_readings(session, account)
    account.updated_at = now
    # The team's index of keys (services/name_index.py) notices new accounts, not a key changed in place.
    name_index.forget_on_commit(session, account.team_id)
    return account


def tally_of(account: Account) -> Tally:
    """The account's stored counters and last touch, as the domain counts them."""
    return Tally(
        remote_touches=account.remote_touches,
        in_person_meetings=account.in_person_meetings,
        meals=account.meals,
        proposals=account.proposals,
        deals_won=account.deals_won,
        deals_lost=account.deals_lost,
        last_touch_on=account.last_touch_on,
    )


def store_tally(account: Account, tally: Tally) -> None:
    """Writes the counters and last touch back to the account row (the caller holds its lock)."""
    for name in TALLY_COUNTERS:
        setattr(account, name, getattr(tally, name))
    account.last_touch_on = tally.last_touch_on


def record_step_change(
    session: Session,
    account: Account,
    before: Step | None,
    after: Step,
    *,
    user_id: str,
    now: datetime,
    today: date,
    reason: str,
    activity_id: int | None = None,
) -> StepChange:
    change = StepChange(
        team_id=account.team_id,
        account_id=account.id,
        from_step=before.value if before else None,
        to_step=after.value,
        changed_at=now,
        changed_on=today,
        activity_id=activity_id,
        user_id=user_id,
        reason=reason,
    )
    session.add(change)
    return change


def team_ids(session: Session) -> list[str]:
    """Every team (Slack workspace) that has at least one account, sorted: the teams the scheduled jobs
    (digests, summaries, snapshots, announcements), export and import go through."""
    return list(session.scalars(select(Account.team_id).distinct().order_by(Account.team_id)))


def count_accounts(session: Session, team_id: str) -> int:
    return session.scalar(select(func.count()).select_from(Account).where(Account.team_id == team_id)) or 0
