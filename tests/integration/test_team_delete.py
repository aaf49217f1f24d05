"""`pyramid-bot team delete T…`: every row of one team goes, in one transaction, after a confirmation;
another team's rows stay (issue 15)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from slack_sdk.oauth.installation_store import Installation
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore

from bot.cli import main
from bot.db import Database
from bot.domain.team_settings import TeamOverrides
from bot.installs import org_workspaces
from bot.oauth_stores import bots, installations
from bot.services import team_settings
from bot.services.teams import row_counts
from tests.support import factories
from tests.support.database import account_named, cli_environment


@pytest.fixture(autouse=True)
def environment(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: Path) -> Iterator[None]:
    cli_environment(monkeypatch, database_url, tmp_path)
    yield


def book(db: Database) -> None:
    for team, name in (("T0GONE", "Acme"), ("T0GONE", "Globex"), ("T0STAYS", "Initech")):
        factories.log_in(db, name, "won", team=team)
    acme = account_named(db, "Acme", team="T0GONE")
    with db.transaction() as session:
        account = session.merge(acme)
        factories.followup(session, account, factories.TODAY, "call")
        factories.recovery(session, account, "late delivery")
    # Both teams set their own settings in Slack (one row each in team_settings).
    with db.transaction() as session:
        for team in ("T0GONE", "T0STAYS"):
            values = TeamOverrides(channel=f"C{team}", locale="ja")
            team_settings.save(
                session, team, values, user_id="U0BOSS", now=datetime(2026, 11, 30, tzinfo=UTC)
            )


def counts(db: Database, team: str) -> dict[str, int]:
    with db.read() as session:
        return {table: count for table, count in row_counts(session, team).items() if count}


def test_team_delete_removes_every_row_of_that_team_only(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    book(db)
    staying = counts(db, "T0STAYS")
    assert {"accounts", "activities", "followups", "recoveries", "step_changes", "team_settings"} <= set(
        counts(db, "T0GONE")
    )
    assert staying["team_settings"] == 1
    assert main(["team", "delete", "T0GONE", "--yes"]) == 0
    assert "Deleted" in capsys.readouterr().out
    assert counts(db, "T0GONE") == {}
    assert counts(db, "T0STAYS") == staying


def test_without_the_confirmation_nothing_is_deleted(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    book(db)
    before = counts(db, "T0GONE")
    monkeypatch.setattr("sys.stdin", io.StringIO("T0OTHER\n"))
    assert main(["team", "delete", "T0GONE"]) == 1
    assert "Nothing was deleted." in capsys.readouterr().out
    assert counts(db, "T0GONE") == before
    monkeypatch.setattr("sys.stdin", io.StringIO("T0GONE\n"))
    assert main(["team", "delete", "T0GONE"]) == 0
    assert counts(db, "T0GONE") == {}


def test_a_team_with_nothing(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["team", "delete", "T0NOBODY", "--yes"]) == 0
    assert "holds nothing of team T0NOBODY" in capsys.readouterr().out


def test_team_delete_also_removes_the_team_installation_and_leaves_others(
    db: Database, capsys: pytest.CaptureFixture[str]
) -> None:
    """Installed through OAuth: its installation and bot token go with its data; another workspace's and
    an org's org-wide install stay (the org's is not the team's alone; only the team's place in it goes)."""
    store = SQLAlchemyInstallationStore(client_id="1111.2222", engine=db.engine)
    for team, enterprise in (("T0GONE", None), ("T0STAYS", None), (None, "E0ORG")):
        store.save(
            Installation(
                app_id="A0PYRAMID",
                enterprise_id=enterprise,
                team_id=team,
                user_id="U0ADMIN",
                bot_token=f"xoxb-{team or enterprise}",
                bot_id="B0PYRAMID",
                bot_user_id="UBOT",
                is_enterprise_install=team is None,
            )
        )
    with db.engine.begin() as connection:
        connection.execute(sa.insert(org_workspaces).values(team_id="T0GONE", enterprise_id="E0ORG"))
    book(db)

    assert main(["team", "delete", "T0GONE", "--yes"]) == 0
    assert "1 slack_installations, 1 slack_bots, 1 slack_org_workspaces" in capsys.readouterr().out

    with db.engine.connect() as connection:
        left = {
            table.name: sorted(str(row.team_id) for row in connection.execute(sa.select(table.c.team_id)))
            for table in (installations, bots, org_workspaces)
        }
    assert left == {
        "slack_installations": ["None", "T0STAYS"],
        "slack_bots": ["None", "T0STAYS"],
        "slack_org_workspaces": [],
    }
