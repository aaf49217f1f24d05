"""slack_sdk's SQLAlchemy installation and OAuth state stores on our database (many workspaces,
bot/installs.py). Their tables are defined by the stores' own builders, so that what migration 0017
creates is what they read and write (tests/integration/test_oauth_stores.py compares the two); the
stores never create them. Imported only in OAuth mode and by `team delete`: the stores import
sqlalchemy.ext.asyncio, which a single-token process does not need."""

from __future__ import annotations

import uuid
from datetime import timedelta

import sqlalchemy as sa
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.sqlalchemy_utils import normalize_datetime_for_db
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.clock import Clock
from bot.installs import org_workspaces

# A started install must come back from Slack within this long.
STATE_EXPIRY = timedelta(minutes=10)

metadata = sa.MetaData()
bots = SQLAlchemyInstallationStore.build_bots_table(
    metadata, SQLAlchemyInstallationStore.default_bots_table_name
)
installations = SQLAlchemyInstallationStore.build_installations_table(
    metadata, SQLAlchemyInstallationStore.default_installations_table_name
)
oauth_states = SQLAlchemyOAuthStateStore.build_oauth_states_table(
    metadata, SQLAlchemyOAuthStateStore.default_table_name
)
# Every table an install writes (the tests empty them between tests).
TABLES = (bots, installations, oauth_states, org_workspaces)


def installation_store(client_id: str, engine: sa.Engine) -> SQLAlchemyInstallationStore:
    return SQLAlchemyInstallationStore(client_id=client_id, engine=engine)


class ClockedStateStore(SQLAlchemyOAuthStateStore):
    """slack_sdk's state store, with expiry read from our clock instead of the wall clock (time is an
    input: tests move it past STATE_EXPIRY). A state is good once: consuming it deletes it."""

    def __init__(self, engine: sa.Engine, clock: Clock) -> None:
        super().__init__(expiration_seconds=int(STATE_EXPIRY.total_seconds()), engine=engine)
        self.clock = clock

    def issue(self, *args: object, **kwargs: object) -> str:
        state = str(uuid.uuid4())
        expire_at = normalize_datetime_for_db(self.clock.now() + STATE_EXPIRY)
        with self.engine.begin() as connection:
            connection.execute(self.oauth_states.insert(), {"state": state, "expire_at": expire_at})
        return state

    def consume(self, state: str) -> bool:
        """True once for a state we issued that has not expired; the row goes either way."""
        now = normalize_datetime_for_db(self.clock.now())
        column = self.oauth_states.c
        with self.engine.begin() as connection:
            found = connection.execute(
                sa.delete(self.oauth_states).where(column.state == state).returning(column.expire_at)
            ).first()
        return found is not None and now is not None and found.expire_at > now
