"""A heavy rep end to end (issue 8, item 3): 40 accounts with 120-character names full of markup
characters, each with a follow-up and a recovery carrying 1,000-character Japanese notes, quiet for a
year. Slack refused such a rep's digest (16,930 characters: msg_blocks_too_long) on every retry; now the
digest, the weekly summary, the account card and the Home tab all go out inside Slack's limits, with
"…and N more" for what did not fit. The strict checker runs on every call at the end (conftest)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.domain.names import display_name
from bot.i18n import t
from bot.jobs.digest import send_digests_for
from bot.jobs.summary import send_summaries_for
from bot.models import Activity
from bot.views.blocks import MESSAGE_TEXT_BUDGET, escape
from tests.e2e.test_home import home_of
from tests.support import factories
from tests.support.blockkit import MESSAGE_BLOCKS_TEXT, blocks_text_length, check_message, check_view
from tests.support.fake_slack import FakeSlack
from tests.support.ids import TEAM, USER
from tests.support.server import jobs_client, runtime_for
from tests.support.slack_driver import SlackDriver

NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
TODAY = date(2026, 11, 22)
TUESDAY = date(2026, 11, 24)
ACCOUNTS = 40
JA_NOTE = ("先方の購買部長が交代し、見積の再提出と納期の前倒しを求められた。<至急> & 要確認。" * 40)[:1000]
# Distinct enough that no two are "near matches" of each other; every character Slack reads as markup.
WORDS = [
    "Acme",
    "Blue",
    "Cedar",
    "Delta",
    "Ember",
    "Fjord",
    "Gale",
    "Harbor",
    "Iris",
    "Jade",
    "Kite",
    "Lumen",
]


def account_name(index: int) -> str:
    words = " ".join(
        WORDS[(index * 7 + step * 5) % len(WORDS)] + str(index * 13 + step) for step in range(12)
    )
    return display_name(f"株式会社 {words} & <Partners> *Global* _Trading_")[:120]


def seed_heavy_rep(db: Database) -> list[str]:
    names = []
    with db.transaction() as session:
        for index in range(ACCOUNTS):
            name = account_name(index)
            names.append(name)
            account = factories.quiet_account(
                session,
                name,
                step="repeat" if index % 2 else "proposed",
                deals_won=2 if index % 2 else 0,
                quiet_since=date(2025, 11, 1),
            )
            for number in range(5):
                session.add(
                    Activity(
                        team_id=TEAM,
                        account_id=account.id,
                        user_id=USER,
                        kind="visit",
                        occurred_on=date(2025, 11, 1),
                        amount=None,
                        note=JA_NOTE,
                        revisit_on=None,
                        request_key=f"seed:{index}:{number}",
                        created_at=NOW,
                    )
                )
            factories.followup(session, account, due_on=date(2026, 11, 1), note=JA_NOTE)
            factories.recovery(session, account, what=JA_NOTE)
    # Shown in full, the follow-ups alone would be far beyond what Slack accepts in one message.
    assert sum(len(escape(name)) + len(escape(JA_NOTE)) for name in names) > 3 * MESSAGE_BLOCKS_TEXT
    return names


def more_count(text: str, locale: str = "en") -> int | None:
    pattern = re.escape(t(locale, "digest_more", count=999)).replace("999", r"(\d+)")
    found = re.search(pattern, text)
    return int(found.group(1)) if found else None


def test_a_heavy_reps_digest_goes_out_inside_slacks_limits(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    seed_heavy_rep(db)
    send_digests_for(runtime_for(settings, db, clock), jobs_client(slack), day=TUESDAY)
    posts = [
        call.body
        for call in slack.calls_to("chat.postMessage")
        if call.body.get("channel") in (USER, "D" + USER)
    ]
    assert len(posts) == 1, [post.get("text") for post in posts]
    digest = posts[0]
    check_message(digest, "digest")
    assert blocks_text_length(digest["blocks"]) <= MESSAGE_TEXT_BUDGET
    contexts = [b["elements"][0]["text"] for b in digest["blocks"] if b["type"] == "context"]
    hidden = [count for count in map(more_count, contexts) if count is not None]
    shown_followups = sum(1 for b in digest["blocks"] if re.fullmatch(r"fu_\d+", b.get("block_id", "")))
    shown_recoveries = sum(1 for b in digest["blocks"] if re.fullmatch(r"rc_\d+", b.get("block_id", "")))
    assert shown_followups >= 1
    # Follow-ups, recoveries and lapsing accounts each say how many were left out, exactly.
    assert hidden[0] == ACCOUNTS - shown_followups
    assert hidden[1] == ACCOUNTS - shown_recoveries
    assert len(hidden) == 3 and hidden[2] > 0


def test_a_heavy_reps_card_summary_and_home_go_out_inside_slacks_limits(
    driver: SlackDriver, slack: FakeSlack, db: Database, clock: FixedClock, settings: Settings
) -> None:
    names = seed_heavy_rep(db)
    card = driver.run("/account", names[0])
    check_message(card, "card")
    assert "…" in str(card["blocks"])  # the long notes are previewed

    send_summaries_for(runtime_for(settings, db, clock), jobs_client(slack), day=date(2026, 11, 23))
    [summary] = [
        call.body
        for call in slack.calls_to("chat.postMessage")
        if call.body.get("channel") == settings.pyramid_team_channel and call.body.get("blocks")
    ]
    check_message(summary, "summary")
    recoveries_section = next(
        b["text"]["text"]
        for b in summary["blocks"]
        if b["type"] == "section"
        and b["text"]["text"].startswith("*" + t("en", "summary_recoveries", count=40))
    )
    lines = recoveries_section.split("\n")[1:]
    assert more_count(lines[-1]) == ACCOUNTS - (len(lines) - 1)

    home = home_of(driver, slack)
    check_view(home, "home")
    assert more_count(str(home["blocks"])) is not None
