"""Many workspaces (issue 15): workspaces install Pyramid through Slack's OAuth flow, each is answered
and posted to with its own bot token, and an uninstalled one stops while the others go on.

The flow as a browser and Slack drive it: `GET /slack/install` redirects to Slack's consent page with a
state in the URL (and the same state in a cookie); Slack sends the admin back to
`GET /slack/oauth_redirect?code=…&state=…`, where the app exchanges the code at `oauth.v2.access` (the
fake Slack's) and stores the installation in our database.
"""

from __future__ import annotations

import http.client
import json
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import sqlalchemy as sa
from pydantic import SecretStr

from bot.cli import main
from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.domain.delivery import UNINSTALLED
from bot.installs import BOT_SCOPES, org_workspaces
from bot.jobs.digest import send_due_digests
from bot.jobs.outbox import Outcome, delivery_for, enqueue
from bot.jobs.scheduler import sweep
from bot.jobs.snapshots import take_snapshots
from bot.jobs.summary import send_due_summaries
from bot.models import Followup
from bot.oauth_stores import bots, installations, oauth_states
from bot.views.blocks import message, section
from tests.support.database import cli_environment, rows
from tests.support.fake_slack import FakeSlack, Grant
from tests.support.ids import OTHER_TEAM, OTHER_USER, SIGNING_SECRET, TEAM, USER
from tests.support.server import jobs_client, runtime_for, serving
from tests.support.slack_driver import SlackDriver, events_url, settle, text_of

TUESDAY_9AM = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo
WEDNESDAY_9AM = TUESDAY_9AM + timedelta(days=1)
ORG = "E0ORG"
GRID_1, GRID_2 = "T0GRID1", "T0GRID2"
GRID_USER_1, GRID_USER_2 = "W0GRID1", "W0GRID2"


@dataclass
class Served:
    url: str
    driver: SlackDriver


@pytest.fixture
def oauth_settings(settings: Settings, slack: FakeSlack) -> Settings:
    """Many workspaces: the app's client id and secret, and no SLACK_BOT_TOKEN."""
    slack.scopes = BOT_SCOPES
    return settings.model_copy(
        update={
            "slack_bot_token": None,
            "slack_client_id": slack.client_id,
            "slack_client_secret": SecretStr(slack.client_secret),
        }
    )


@pytest.fixture
def served(oauth_settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack) -> Iterator[Served]:
    slack.add_user(GRID_USER_1, name="tanaka", tz="Asia/Tokyo", locale="ja-JP")
    slack.add_user(GRID_USER_2, name="kato", tz="Asia/Tokyo", locale="en-US")
    with serving(oauth_settings, db, slack.base_url, clock=clock) as url:
        yield Served(url, SlackDriver(events_url(url), slack))
        settle(slack)


# --------------------------------------------------------------------------------------------- helpers


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], str]:
    """One GET, redirects not followed (the test plays the browser)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.netloc, timeout=10)
    try:
        connection.request(
            "GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {}
        )
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode()
    finally:
        connection.close()


def start_install(served: Served) -> tuple[str, str]:
    """GET /slack/install: the redirect to Slack's consent page; returns its state and the cookie."""
    status, headers, _ = get(served.url + "/slack/install")
    assert status == 302
    consent = urlsplit(headers["location"])
    assert (consent.netloc, consent.path) == ("slack.com", "/oauth/v2/authorize")
    query = parse_qs(consent.query)
    assert query["client_id"] == [served.driver.slack.client_id]
    assert query["scope"] == [",".join(BOT_SCOPES)]
    [state] = query["state"]
    cookie = headers["set-cookie"].split(";")[0]
    assert cookie == f"slack-app-oauth-state={state}"
    return state, cookie


def finish_install(served: Served, code: str, state: str, cookie: str) -> tuple[int, str]:
    status, _, body = get(
        served.url + "/slack/oauth_redirect?" + urlencode({"code": code, "state": state}), {"Cookie": cookie}
    )
    return status, body


def install(served: Served, *, team: str | None, enterprise: str | None = None, name: str = "Acme") -> Grant:
    """A workspace (or, with `team=None`, an org) installs Pyramid through the whole flow."""
    state, cookie = start_install(served)
    code = f"code-{uuid.uuid4().hex[:8]}"
    grant = served.driver.slack.grant(code, team=team, team_name=name, enterprise=enterprise)
    status, _ = finish_install(served, code, state, cookie)
    assert status == 200
    return grant


def stored(db: Database, table: sa.Table) -> list[dict[str, Any]]:
    with db.engine.connect() as connection:
        return [dict(row) for row in connection.execute(sa.select(table)).mappings()]


def event(
    driver: SlackDriver, event: dict[str, Any], *, team: str | None, enterprise: str | None = None
) -> int:
    """A signed Events API delivery with the envelope Slack sends (an org-wide install's authorization
    names no team)."""
    body = {
        "token": "legacy",
        "team_id": team if team is not None else enterprise,
        "api_app_id": "A0PYRAMID",
        "event": {"event_ts": f"{time.time():.6f}", **event},
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "authorizations": [
            {
                "enterprise_id": enterprise,
                "team_id": None if enterprise is not None and team is None else team,
                "user_id": "UBOT",
                "is_bot": True,
                "is_enterprise_install": enterprise is not None and team is None,
            }
        ],
        "is_ext_shared_channel": False,
    }
    if enterprise is not None:
        body["enterprise_id"] = enterprise
    return driver.event(body).status


def digest_posts(slack: FakeSlack, user: str) -> list[str | None]:
    """The token of each digest posted to `user`'s DM."""
    return [
        slack.token_of(call)
        for call in slack.calls_to("chat.postMessage")
        if call.body.get("channel") in ("D" + user, user)
        and (call.body.get("metadata") or {}).get("event_payload", {}).get("kind") == "digest"
    ]


def log_followup(driver: SlackDriver, *, team: str, user: str, extra: dict[str, str] | None = None) -> str:
    """The rep's first account and a follow-up due on Tuesday: that morning's digest has something."""
    assert "Acme" in text_of(driver.run("/meeting", "Acme visit", team=team, user=user, extra=extra))
    reply = driver.run("/followup", "Acme 2026-11-24 -- send the brochure", team=team, user=user, extra=extra)
    return text_of(reply)


def digests_at(settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack, at: datetime) -> None:
    clock.set(at)
    send_due_digests(runtime_for(settings, db, clock), jobs_client(slack), clock.now())


# ------------------------------------------------------------------------------------------------ tests


def test_two_workspaces_install_and_each_is_answered_and_sent_its_digest_with_its_own_token(
    served: Served, oauth_settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack
) -> None:
    first = install(served, team=TEAM, name="Acme Sales")
    second = install(served, team=OTHER_TEAM, name="Beta Trading")

    saved = {row["team_id"]: row for row in stored(db, installations)}
    assert set(saved) == {TEAM, OTHER_TEAM}
    assert saved[TEAM]["bot_token"] == first.token and saved[TEAM]["team_name"] == "Acme Sales"
    assert saved[TEAM]["is_enterprise_install"] is False and saved[TEAM]["user_id"] == "U0ADMIN"
    assert {row["team_id"]: row["bot_token"] for row in stored(db, bots)} == {
        TEAM: first.token,
        OTHER_TEAM: second.token,
    }
    assert stored(db, oauth_states) == []  # each state was used once

    # Each workspace's command is answered, and Bolt authorized it with that workspace's token.
    assert "scheduled" in log_followup(served.driver, team=TEAM, user=USER)
    assert "設定しました" in log_followup(served.driver, team=OTHER_TEAM, user=OTHER_USER)
    auth_tokens = {slack.token_of(call) for call in slack.calls_to("auth.test")}
    assert {first.token, second.token} <= auth_tokens
    assert {f.team_id for f in rows(db, Followup)} == {TEAM, OTHER_TEAM}
    settle(slack)

    digests_at(oauth_settings, db, clock, slack, TUESDAY_9AM)
    assert digest_posts(slack, USER) == [first.token]
    assert digest_posts(slack, OTHER_USER) == [second.token]


def test_an_uninstalled_workspace_gets_no_more_digests_while_the_other_goes_on(
    served: Served, oauth_settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack
) -> None:
    first = install(served, team=TEAM)
    second = install(served, team=OTHER_TEAM)
    log_followup(served.driver, team=TEAM, user=USER)
    log_followup(served.driver, team=OTHER_TEAM, user=OTHER_USER)
    settle(slack)
    digests_at(oauth_settings, db, clock, slack, TUESDAY_9AM)
    assert digest_posts(slack, USER) == [first.token]

    # Something of team 1's is still queued when the app is uninstalled there.
    with db.transaction() as session:
        note = message("Note", [section("queued before the uninstall")])
        enqueue(session, team_id=TEAM, kind="note", ref="1", channel="C0TEAM", message=note, now=clock.now())
    assert event(served.driver, {"type": "app_uninstalled"}, team=TEAM) == 200
    slack.revoke(team=TEAM)

    assert [row["team_id"] for row in stored(db, bots)] == [OTHER_TEAM]
    assert [row["team_id"] for row in stored(db, installations)] == [OTHER_TEAM]
    queued = delivery_for(db, TEAM, "note", "1")
    assert queued is not None and (queued.status, queued.last_error) == ("dropped", UNINSTALLED)
    # Its data stays until `pyramid-bot team delete`.
    assert [f.team_id for f in rows(db, Followup) if f.team_id == TEAM] == [TEAM]

    slack.clear()
    runtime = runtime_for(oauth_settings, db, clock)
    assert [r.outcome for r in sweep(runtime, jobs_client(slack))] == []
    digests_at(oauth_settings, db, clock, slack, WEDNESDAY_9AM)
    assert digest_posts(slack, USER) == []
    assert digest_posts(slack, OTHER_USER) == [second.token]
    assert all(slack.token_of(call) != first.token for call in slack.calls)


def test_a_revoked_bot_token_stops_that_workspace_too(
    served: Served, oauth_settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack
) -> None:
    install(served, team=TEAM)
    second = install(served, team=OTHER_TEAM)
    log_followup(served.driver, team=TEAM, user=USER)
    log_followup(served.driver, team=OTHER_TEAM, user=OTHER_USER)
    settle(slack)

    revoked = {"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT1"]}}
    assert event(served.driver, revoked, team=TEAM) == 200
    assert [row["team_id"] for row in stored(db, bots)] == [OTHER_TEAM]

    digests_at(oauth_settings, db, clock, slack, TUESDAY_9AM)
    assert digest_posts(slack, USER) == []
    assert digest_posts(slack, OTHER_USER) == [second.token]


def test_the_sweep_drops_what_an_uninstalled_team_queued_and_posts_the_others(
    served: Served, oauth_settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack
) -> None:
    """A team whose installation went while this process was not listening (another replica took the
    event): its queued rows are dropped without an attempt, not retried for days, not counted as failures."""
    second = install(served, team=OTHER_TEAM)
    with db.transaction() as session:
        for team in (TEAM, OTHER_TEAM):
            note = message("Note", [section(f"for {team}")])
            enqueue(
                session, team_id=team, kind="note", ref="1", channel="C0TEAM", message=note, now=clock.now()
            )

    results = sweep(runtime_for(oauth_settings, db, clock), jobs_client(slack))

    assert [r.outcome for r in results] == [Outcome.SENT]
    dropped = delivery_for(db, TEAM, "note", "1")
    assert dropped is not None and (dropped.status, dropped.last_error) == ("dropped", UNINSTALLED)
    assert [slack.token_of(call) for call in slack.calls_to("chat.postMessage")] == [second.token]


def test_a_forged_or_expired_state_is_refused_and_nothing_is_installed(
    served: Served, db: Database, clock: FixedClock, slack: FakeSlack
) -> None:
    # A state the app never issued, with a matching cookie (a forged link): refused before any exchange.
    slack.grant("code-forged", team=TEAM)
    status, _ = finish_install(served, "code-forged", "forged", "slack-app-oauth-state=forged")
    assert status == 401
    # A state issued here but not the browser's own (no cookie): refused too.
    state, _cookie = start_install(served)
    status, _ = finish_install(served, "code-forged", state, "")
    assert status == 400
    # A state issued here, brought back after it expired (our clock, not the wall clock).
    state, cookie = start_install(served)
    clock.set(clock.now() + timedelta(minutes=11))
    status, _ = finish_install(served, "code-forged", state, cookie)
    assert status == 401

    assert slack.calls_to("oauth.v2.access") == []
    assert stored(db, bots) == [] and stored(db, installations) == []


def test_an_org_wide_install_serves_every_workspace_of_the_org_with_the_org_token(
    served: Served, oauth_settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack
) -> None:
    org = install(served, team=None, enterprise=ORG, name="")
    [row] = stored(db, bots)
    assert (row["enterprise_id"], row["team_id"], row["is_enterprise_install"]) == (ORG, None, True)

    grid = {"enterprise_id": ORG, "enterprise_name": "Acme Holdings", "is_enterprise_install": "true"}
    assert "scheduled" in log_followup(served.driver, team=GRID_1, user=GRID_USER_2, extra=grid)
    assert "設定しました" in log_followup(served.driver, team=GRID_2, user=GRID_USER_1, extra=grid)
    # An event of the org-wide install names no team in its authorization: stored under the workspace.
    assert (
        event(
            served.driver,
            {"type": "app_home_opened", "user": GRID_USER_2, "tab": "home"},
            team=GRID_1,
            enterprise=ORG,
        )
        == 200
    )
    settle(slack)

    # The data is each workspace's; both are known to belong to the org.
    assert sorted(f.team_id for f in rows(db, Followup)) == [GRID_1, GRID_2]
    assert sorted((r["team_id"], r["enterprise_id"]) for r in stored(db, org_workspaces)) == [
        (GRID_1, ORG),
        (GRID_2, ORG),
    ]
    assert [slack.token_of(call) for call in slack.calls_to("views.publish")][-1] == org.token

    digests_at(oauth_settings, db, clock, slack, TUESDAY_9AM)
    assert digest_posts(slack, GRID_USER_2) == [org.token]
    assert digest_posts(slack, GRID_USER_1) == [org.token]


def test_install_routes_are_not_served_with_a_single_token(
    settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack
) -> None:
    with serving(settings, db, slack.base_url, clock=clock) as url:
        assert get(url + "/slack/install")[0] == 404
        assert get(url + "/slack/oauth_redirect?code=x&state=y")[0] == 404
    assert slack.calls_to("oauth.v2.access") == []


def test_the_uninstall_event_must_be_signed(served: Served, db: Database, slack: FakeSlack) -> None:
    """Anyone could post an app_uninstalled: only Slack's, signed with the signing secret, removes a team."""
    install(served, team=TEAM)
    body = json.dumps({"type": "event_callback", "team_id": TEAM, "event": {"type": "app_uninstalled"}})
    assert served.driver.post(body, content_type="application/json", secret="not-the-secret").status == 401
    assert [row["team_id"] for row in stored(db, bots)] == [TEAM]
    assert event(served.driver, {"type": "app_uninstalled"}, team=TEAM) == 200
    assert stored(db, bots) == []


def test_single_token_mode_drops_what_an_uninstalled_team_queued(
    driver: SlackDriver, db: Database, clock: FixedClock
) -> None:
    """One token: nothing to delete, but what the team queued is not retried against a dead token."""
    with db.transaction() as session:
        note = message("Note", [section("queued")])
        enqueue(session, team_id=TEAM, kind="note", ref="1", channel="C0TEAM", message=note, now=clock.now())
    assert event(driver, {"type": "app_uninstalled"}, team=TEAM) == 200
    queued = delivery_for(db, TEAM, "note", "1")
    assert queued is not None and (queued.status, queued.last_error) == ("dropped", UNINSTALLED)


def test_the_digest_command_posts_for_each_installed_team_with_its_token(
    served: Served,
    db: Database,
    slack: FakeSlack,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = install(served, team=TEAM)
    second = install(served, team=OTHER_TEAM)
    log_followup(served.driver, team=TEAM, user=USER)
    log_followup(served.driver, team=OTHER_TEAM, user=OTHER_USER)
    settle(slack)
    cli_environment(
        monkeypatch,
        db.url,
        tmp_path,
        SLACK_CLIENT_ID=slack.client_id,
        SLACK_CLIENT_SECRET=slack.client_secret,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_API_URL=slack.base_url,
    )

    assert main(["digest", "--date", "2026-11-24"]) == 0

    printed = capsys.readouterr().out
    assert f"{TEAM} {USER} 2026-11-24: sent" in printed
    assert f"{OTHER_TEAM} {OTHER_USER} 2026-11-24: sent" in printed
    assert digest_posts(slack, USER) == [first.token]
    assert digest_posts(slack, OTHER_USER) == [second.token]


def test_two_installed_workspaces_get_digests_and_summaries_in_their_own_channel_zone_and_language(
    served: Served, oauth_settings: Settings, db: Database, clock: FixedClock, slack: FakeSlack
) -> None:
    """Issue 15's "done when": two workspaces installed through the OAuth flow, each set up by its admin
    in Slack (channel, zone, language, digest time), get their own digests and summaries, at their own
    local time, in their own channel and language, each posted with its own token."""
    from tests.e2e.test_team_settings import BOSS, JAPANESE, NY_REP, at, configure, option

    slack.add_user(BOSS, name="tanaka", tz="Asia/Tokyo", locale="en-US", is_admin=True)
    slack.add_user(NY_REP, name="smith", tz="America/New_York", locale="en-US")
    clock.set(at("Asia/Tokyo", 8, 0, day=29))  # Sunday
    tokyo = install(served, team=TEAM, name="Tokyo Sales")
    new_york = install(served, team=OTHER_TEAM, name="New York Sales")
    configure(
        served.driver,
        slack,
        TEAM,
        channel={"selected_conversation": "C0TOKYO"},
        locale=option("ja"),
        timezone=option("Asia/Tokyo"),
        digest_time={"selected_time": "09:00"},
    )
    configure(
        served.driver,
        slack,
        OTHER_TEAM,
        channel={"selected_conversation": "C0NYC"},
        locale=option("en"),
        timezone=option("America/New_York"),
        digest_time={"selected_time": "07:30"},
    )
    served.driver.run("/meeting", "Acme visit", user=USER, team=TEAM)
    served.driver.run("/meeting", "Globex visit", user=NY_REP, team=OTHER_TEAM)
    served.driver.run("/followup", "Acme 2026-11-30 -- send the quote", user=USER, team=TEAM)
    served.driver.run("/followup", "Globex 2026-11-30 -- call back", user=NY_REP, team=OTHER_TEAM)
    settle(slack)
    jobs = runtime_for(oauth_settings, db, clock)

    def posted(channel: str, kind: str) -> list[tuple[str | None, str]]:
        """(token, text) of each post of this kind in this channel (a DM is the user id or D + it)."""
        return [
            (slack.token_of(call), text_of(call.body))
            for call in slack.calls_to("chat.postMessage")
            if call.body.get("channel") in (channel, "D" + channel)
            and (call.body.get("metadata") or {}).get("event_payload", {}).get("kind") == kind
        ]

    def tick(moment: datetime) -> None:
        clock.set(moment)
        take_snapshots(jobs, moment)
        send_due_digests(jobs, jobs_client(slack), moment)
        send_due_summaries(jobs, jobs_client(slack), moment)

    tick(at("Asia/Tokyo", 8, 59))  # Monday 08:59 in Tokyo: nothing yet anywhere
    assert posted(USER, "digest") == [] and posted("C0TOKYO", "summary") == []

    tick(at("Asia/Tokyo", 9, 5))  # Tokyo's morning: its digest and summary, Japanese, its token
    [(token, text)] = posted(USER, "digest")
    assert token == tokyo.token and "Acme" in text
    [(token, text)] = posted("C0TOKYO", "summary")
    assert token == tokyo.token and JAPANESE.search(text), text
    assert posted(NY_REP, "digest") == [] and posted("C0NYC", "summary") == []

    tick(at("America/New_York", 7, 35))  # New York's own digest time; its summary waits for 09:00
    [(token, text)] = posted(NY_REP, "digest")
    assert token == new_york.token and "Globex" in text and "Acme" not in text
    assert posted("C0NYC", "summary") == []

    tick(at("America/New_York", 9, 5))
    [(token, text)] = posted("C0NYC", "summary")
    assert token == new_york.token and not JAPANESE.search(text), text
    assert len(posted(USER, "digest")) == 1 and len(posted("C0TOKYO", "summary")) == 1
