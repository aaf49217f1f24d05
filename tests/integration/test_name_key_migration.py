"""Migration 0008 computes every account's name key again with the rule that reads Japanese
legal forms, honorifics and spaces: existing accounts are found by the new keys, and two accounts
the new rule reads as one company keep apart (the older takes the new key).

Run on a fresh SQLite file whatever the suite's database is: the migration is plain SQL, and the
suite's shared PostgreSQL schema must stay at head for the other tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import create_engine, select

from bot.db import upgrade
from bot.domain.names import name_key
from bot.models import Account
from tests.support.database import old_account_row

NOW = datetime(2026, 11, 29, tzinfo=UTC)


def test_name_keys_are_computed_again_and_collisions_keep_apart(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'before.db'}"
    upgrade(url, "0007")
    engine = create_engine(url)
    old_keys = {  # as the rule before 0008 stored them
        "医療法人社団 山田会": "医療法人社団 山田会",
        "ABC 物流": "abc 物流",
        "ABC物流": "abc物流",
        "丸山印刷様": "丸山印刷様",
        "Acme Corp.": "acme",
    }
    with engine.begin() as connection:
        for number, (name, key) in enumerate(old_keys.items()):
            connection.execute(old_account_row("T0TEAM1", name, key, date(2026, 11, 1 + number)))
        # another team's account of the same name is not a collision
        connection.execute(old_account_row("T0TEAM2", "ABC 物流", "abc 物流", date(2026, 11, 1)))

    upgrade(url, "head")

    with engine.connect() as connection:
        keys = {
            (team, name): key
            for team, name, key in connection.execute(
                select(Account.team_id, Account.name, Account.name_key).order_by(Account.id)
            )
        }
    engine.dispose()
    assert keys == {
        ("T0TEAM1", "医療法人社団 山田会"): "山田会",
        ("T0TEAM1", "ABC 物流"): "abc物流",  # the older of the two takes the new key
        ("T0TEAM1", "ABC物流"): "abc物流#3",  # the newer keeps apart (its old key is now taken)
        ("T0TEAM1", "丸山印刷様"): "丸山印刷",
        ("T0TEAM1", "Acme Corp."): "acme",
        ("T0TEAM2", "ABC 物流"): "abc物流",
    }
    assert name_key("医療法人社団 山田会") == "山田会"
