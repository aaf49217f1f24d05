"""slack_sdk's installation and state stores on our database (migration 0017), and the one place jobs
get a team's client (`runtime.client_for`, `runtime.served_teams`), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from pydantic import SecretStr
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.installs import TOKEN_MEMORY, org_workspaces
from bot.oauth_stores import STATE_EXPIRY, ClockedStateStore, bots, installations, oauth_states
from bot.runtime import Runtime
from tests.support import factories

CLIENT_ID = "1111.2222"


def oauth(database_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_client_id=CLIENT_ID,
        slack_client_secret=SecretStr("secret"),
        slack_signing_secret=SecretStr("signing"),
        database_url=database_url,
    )


def single(database_url: str) -> Settings:
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        slack_bot_token=SecretStr("xoxb-single"),
        slack_signing_secret=SecretStr("signing"),
        database_url=database_url,
    )


def installed(runtime: Runtime, *, team: str | None, enterprise: str | None = None, token: str) -> None:
    assert runtime.installs.store is not None
    runtime.installs.store.save(
        Installation(
            app_id="A0PYRAMID",
            enterprise_id=enterprise,
            team_id=team,
            user_id="U0ADMIN",
            bot_token=token,
            bot_id="B0PYRAMID",
            bot_user_id="UBOT",
            is_enterprise_install=team is None,
        )
    )


@pytest.mark.parametrize("table", [installations, bots, oauth_states], ids=lambda t: t.name)
def test_migration_0017_creates_the_tables_the_stores_define(db: Database, table: sa.Table) -> None:
    columns = {column["name"]: column for column in sa.inspect(db.engine).get_columns(table.name)}
    assert set(columns) == set(table.columns.keys())
    for column in table.columns:
        made = columns[column.name]
        assert made["nullable"] == column.nullable, column.name
        assert isinstance(made["type"].as_generic(), type(column.type)), (column.name, made["type"])
        if isinstance(column.type, sa.String):
            assert made["type"].length == column.type.length, column.name
    indexes = {
        index["name"]: index["column_names"] for index in sa.inspect(db.engine).get_indexes(table.name)
    }
    for index in table.indexes:
        assert indexes[index.name] == [column.name for column in index.columns], index.name


def test_a_state_is_good_once_and_only_until_it_expires_by_our_clock(db: Database, clock: FixedClock) -> None:
    store = ClockedStateStore(db.engine, clock)
    first, second = store.issue(), store.issue()
    assert store.consume(first) is True
    assert store.consume(first) is False  # used
    assert store.consume("never-issued") is False
    clock.set(clock.now() + STATE_EXPIRY + timedelta(seconds=1))
    assert store.consume(second) is False  # expired by the clock tests set, not by the wall clock
    with db.engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(oauth_states)) == 0


def test_single_token_mode_gives_every_team_the_one_client(
    database_url: str, db: Database, clock: FixedClock
) -> None:
    runtime = Runtime(settings=single(database_url), db=db, clock=clock)
    jobs = WebClient(token="xoxb-single", base_url="http://127.0.0.1:9/api/")
    assert runtime.client_for("T0ANY", like=jobs) is jobs
    alone = runtime.client_for("T0ANY")
    assert alone is not None and alone.token == "xoxb-single"
    factories.log_in(db, "Acme", "won", team="T0ONE")
    factories.log_in(db, "Beta", "won", team="T0TWO")
    with db.read() as session:
        assert runtime.served_teams(session) == ["T0ONE", "T0TWO"]


def test_oauth_mode_gives_each_team_its_installation_token(
    database_url: str, db: Database, clock: FixedClock
) -> None:
    runtime = Runtime(settings=oauth(database_url), db=db, clock=clock)
    installed(runtime, team="T0ONE", token="xoxb-one")
    installed(runtime, team="T0GRID", enterprise="E0ORG", token="xoxb-grid-workspace")
    installed(runtime, team=None, enterprise="E0ORG2", token="xoxb-org")
    with db.engine.begin() as connection:
        connection.execute(sa.insert(org_workspaces).values(team_id="T0ORGWS", enterprise_id="E0ORG2"))
    jobs = WebClient(token=None, base_url="http://127.0.0.1:9/api/", timeout=5)

    one = runtime.client_for("T0ONE", like=jobs)
    assert one is not None and (one.token, one.base_url, one.timeout) == ("xoxb-one", jobs.base_url, 5)
    grid = runtime.client_for("T0GRID")
    assert grid is not None and grid.token == "xoxb-grid-workspace"  # a Grid workspace's own install
    org = runtime.client_for("T0ORGWS")
    assert org is not None and org.token == "xoxb-org"  # a workspace of an org-wide install
    assert runtime.client_for("T0NEVER") is None

    for team in ("T0ONE", "T0ORGWS", "T0NEVER"):
        factories.log_in(db, "Acme", "won", team=team)
    with db.transaction() as session:  # asked inside a job's own transaction: no lock waits on SQLite
        assert runtime.served_teams(session) == ["T0ONE", "T0ORGWS"]


def test_a_token_is_remembered_for_a_while_and_forgotten_at_once_on_uninstall(
    database_url: str, db: Database, clock: FixedClock
) -> None:
    runtime = Runtime(settings=oauth(database_url), db=db, clock=clock)
    other_replica = Runtime(settings=oauth(database_url), db=db, clock=clock)
    installed(runtime, team="T0ONE", token="xoxb-one")
    assert other_replica.installs.token_for("T0ONE") == "xoxb-one"

    runtime.installs.forget("T0ONE", None)
    assert runtime.installs.token_for("T0ONE") is None
    with db.engine.connect() as connection:
        assert connection.scalar(sa.select(sa.func.count()).select_from(bots)) == 0
        assert connection.scalar(sa.select(sa.func.count()).select_from(installations)) == 0
    # Another process learns it when its memory of the token runs out.
    assert other_replica.installs.token_for("T0ONE") == "xoxb-one"
    clock.set(clock.now() + TOKEN_MEMORY)
    assert other_replica.installs.token_for("T0ONE") is None
