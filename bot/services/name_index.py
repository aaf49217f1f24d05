"""A per-team index of account keys in this process, so that "did you mean…?" costs the same at 100,000
accounts as at 1,000: the keys sharing the most character pairs with the typed name are the candidates,
and only those few are scored (bot.domain.names.near_matches).

Kept fresh without reading the keys again: each use counts the team's accounts (an index-only count,
a few milliseconds at 100,000); when the count moved, the accounts above the highest id it holds are
added, or it is built again if they do not make up the count (a lower id committed late, a deletion).
A rename in this process drops it (renames are made by `serve`, the one process that asks). A key of
a merged or renamed account may linger in it: candidates are looked up again in the database, never
trusted."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field
from weakref import WeakKeyDictionary

from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from bot.domain.names import NEAR_MATCH_CANDIDATES, NEAR_MATCH_INDEXED_FROM, name_grams
from bot.models import Account


@dataclass
class _TeamKeys:
    count: int = 0
    max_id: int = 0
    keys: list[str] = field(default_factory=list)
    postings: dict[str, list[int]] = field(default_factory=dict)

    def add(self, key: str) -> None:
        position = len(self.keys)
        self.keys.append(key)
        for gram in name_grams(key):
            self.postings.setdefault(gram, []).append(position)

    def candidates(self, key: str, limit: int) -> list[str]:
        shared: Counter[int] = Counter()
        for gram in name_grams(key):
            shared.update(self.postings.get(gram, ()))
        return [self.keys[position] for position, _ in shared.most_common(limit)]


_lock = threading.Lock()
_indexes: WeakKeyDictionary[Engine, dict[str, _TeamKeys]] = WeakKeyDictionary()


def forget(team_id: str) -> None:
    """Drops the team's index (a key changed in place: a rename)."""
    with _lock:
        for teams in _indexes.values():
            teams.pop(team_id, None)


def forget_on_commit(session: Session, team_id: str) -> None:
    """Drops the team's index now and again when `session` commits (a rename): a look-up by another
    request in between would otherwise build it again with the old key."""
    forget(team_id)
    event.listen(session, "after_commit", lambda _session: forget(team_id), once=True)


def candidate_keys(session: Session, team_id: str, key: str) -> list[str]:
    """The team's keys worth scoring against `key`: all of them for a small team, else the
    NEAR_MATCH_CANDIDATES that share the most character pairs with it."""
    count = session.scalar(select(func.count()).select_from(Account).where(Account.team_id == team_id)) or 0
    if count < NEAR_MATCH_INDEXED_FROM:
        return list(session.scalars(select(Account.name_key).where(Account.team_id == team_id)))
    engine = session.get_bind().engine
    with _lock:
        index = _indexes.setdefault(engine, {}).get(team_id)
        if index is None or index.count != count:
            index = _refreshed(session, team_id, index, count)
            _indexes[engine][team_id] = index
        return index.candidates(key, NEAR_MATCH_CANDIDATES)


def _refreshed(session: Session, team_id: str, index: _TeamKeys | None, count: int) -> _TeamKeys:
    """The index with the accounts created since (ids above its highest: a range of the primary key),
    or built again when they do not make up the count (a lower id committed late, a deletion)."""
    if index is not None:
        newer = session.execute(
            select(Account.id, Account.name_key).where(Account.id > index.max_id, Account.team_id == team_id)
        ).all()
        if index.count + len(newer) == count:
            for account_id, key in newer:
                index.add(key)
                index.max_id = max(index.max_id, account_id)
            index.count = count
            return index
    rebuilt = _TeamKeys(count=count)
    for account_id, key in session.execute(
        select(Account.id, Account.name_key).where(Account.team_id == team_id)
    ):
        rebuilt.add(key)
        rebuilt.max_id = max(rebuilt.max_id, account_id)
    return rebuilt
