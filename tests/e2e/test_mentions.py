"""Users named in commands, as real Slack sends them. /account and /pyramid are declared with
`should_escape: true` (manifest.yml), so a person picked after @ arrives as <@U…|name>, <@U…> or,
on Enterprise Grid, <@W…|name>; links and channels arrive escaped too, and &, <, > as entities.
Unescaped, the same pick would arrive as the plain text "@kaz", which names nobody reliably."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.models import Account
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_USER
from tests.support.slack_driver import SlackDriver, text_of

GRID_USER = "W0GRID1KAZ"


@pytest.fixture
def grid_user(slack: FakeSlack) -> Iterator[str]:
    slack.add_user(GRID_USER, name="kaz", tz="Asia/Tokyo", locale="en-US")
    yield GRID_USER


def accounts(db: Database) -> list[tuple[str, str]]:
    with db.transaction() as s:
        return [(a.name, a.owner_id) for a in s.scalars(select(Account).order_by(Account.id))]


def test_pyramid_of_a_user_picked_in_slack(driver: SlackDriver, grid_user: str) -> None:
    driver.run("/meeting", "Acme visit", user=OTHER_USER)
    driver.run("/meeting", "Globex visit", user=grid_user)

    # Exactly the text Slack sends: the pick escaped, in every form Slack uses.
    for text, owner in [
        (f"<@{OTHER_USER}|suzuki>", OTHER_USER),
        (f"<@{OTHER_USER}>", OTHER_USER),
        (f"<@{grid_user}|kaz> detail", grid_user),
        (f"詳細 <@{grid_user}>", grid_user),
    ]:
        reply = driver.run("/pyramid", text)
        assert reply["text"].startswith(f"Pyramid of <@{owner}>"), (text, reply["text"])
        assert "Accounts: 1" in text_of(reply)  # theirs alone: the team has two
    assert "Accounts: 2" in text_of(driver.run("/pyramid", "team"))


def test_account_owner_changed_to_an_enterprise_grid_user(
    driver: SlackDriver, db: Database, grid_user: str
) -> None:
    # & arrives as &amp; (Slack escapes &, < and > in every command's text).
    driver.run("/meeting", "AT&amp;T visit")

    reply = driver.run("/account", f"AT&amp;T owner <@{grid_user}|kaz>")

    assert f"*AT&amp;T* is now owned by <@{grid_user}>" in text_of(reply), text_of(reply)
    assert accounts(db) == [("AT&T", grid_user)]
    card = driver.run("/account", "AT&amp;T")
    assert f"*Owner* <@{grid_user}>" in text_of(card)


def test_an_account_named_like_a_link_is_found_though_slack_escapes_it(
    driver: SlackDriver, db: Database
) -> None:
    # /meeting is not escaped: the name arrives as typed. /account is: Slack makes it a link.
    driver.run("/meeting", "acme.co.jp visit")
    driver.run("/meeting", "info@globex.com call")

    card = driver.run("/account", "<http://acme.co.jp|acme.co.jp>")
    assert "No account" not in text_of(card), text_of(card)
    assert "acme.co.jp" in text_of(card)
    card = driver.run("/account", "<mailto:info@globex.com|info@globex.com>")
    assert "No account" not in text_of(card), text_of(card)

    driver.run("/account", f"<http://acme.co.jp|acme.co.jp> owner <@{OTHER_USER}|suzuki>")
    assert ("acme.co.jp", OTHER_USER) in accounts(db)


@pytest.mark.parametrize(
    ("command", "text"),
    [("/pyramid", "@kaz"), ("/pyramid", "＠kaz detail"), ("/account", "Acme owner @kaz")],
)
def test_a_plain_at_name_gets_a_clear_message_with_a_correct_example(
    driver: SlackDriver, db: Database, command: str, text: str
) -> None:
    driver.run("/meeting", "Acme visit")
    before = accounts(db)

    reply = driver.run(command, text)

    body = text_of(reply)
    assert "arrived as plain text" in body, body
    assert "pick the person from Slack's list" in body
    example = "/account Acme owner @sato" if command == "/account" else "/pyramid @sato"
    assert f"Example: `{example.split()[0]}" in body and example in body, body
    assert "Pyramid of" not in body
    assert accounts(db) == before


def test_the_plain_at_name_message_in_japanese(driver: SlackDriver, db: Database) -> None:
    driver.run("/meeting", "アクメ 訪問", user=OTHER_USER)
    reply = driver.run("/account", "アクメ 担当 @佐藤", user=OTHER_USER)
    body = text_of(reply)
    assert "「@佐藤」はSlackユーザーとして読み取れません" in body, body
    assert "例：`" in body
    assert accounts(db) == [("アクメ", OTHER_USER)]
