"""Health that sees the flow, and revenue beside counts (issue 11), end to end: real commands through
the signed HTTP endpoint with the clock moved between them, the weekly summary run against the fake
Web API, and what Slack was sent read back. USER reads English, OTHER_USER Japanese.

The clock stands at Sunday 2026-11-22 10:00 Asia/Tokyo unless a test moves it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.clock import FixedClock
from bot.config import Settings
from bot.db import Database
from bot.jobs.summary import send_due_summaries
from bot.runtime import Runtime
from tests.support.fake_slack import FakeSlack
from tests.support.ids import OTHER_USER, USER
from tests.support.server import jobs_client
from tests.support.slack_driver import (
    SlackDriver,
    posts_of_kind,
    run_logged,
    text_of,
)

TEAM_CHANNEL = "C0TEAM"
SUMMARY_DAY = date(2026, 11, 30)
# Names far enough apart that none is asked about as a near match of another.
NAMES = [
    "Asahi Foods",
    "Kobe Steelworks",
    "Nagoya Print",
    "Sendai Motors",
    "Hakata Textiles",
    "Osaka Logistics",
    "Kyoto Ceramics",
    "Sapporo Dairy",
    "Fukuoka Electric",
    "Nara Lumber",
    "Kanazawa Glass",
    "Okayama Farms",
]


def jst(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> datetime:
    """A moment in Tokyo time (UTC+9), as the aware UTC datetime the clock takes."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC) - timedelta(hours=9)


def run_all(driver: SlackDriver, slack: FakeSlack, commands: list[tuple[str, str]], user: str = USER) -> None:
    """Each command stored (its reply says so) and its after-work done before the clock moves on."""
    run_logged(driver, slack, [(command, text, user) for command, text in commands])


def new_accounts(meals: int, visits: int) -> list[tuple[str, str]]:
    """The first `meals` of NAMES met over a meal (prospects, 2.2), the next `visits` visited once
    (acquaintances, 1.3): each a new account."""
    met = [("/meeting", f"{name} meal") for name in NAMES[:meals]]
    return met + [("/meeting", f"{name} visit") for name in NAMES[meals : meals + visits]]


def bullets(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.startswith("• ")]


# --------------------------------------------------------------------------------------------- health


def test_pyramid_at_zero_retention_is_not_healthy(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock
) -> None:
    """A year on, nobody touched the customers won then: the shape holds (4 > 3 > 2 > 0) and new
    acquaintances keep coming, but 0% retention is never "healthy"."""
    clock.set(jst(2025, 6, 1))
    run_all(driver, slack, [("/deal", "Oldco won"), ("/deal", "Stillco won")])
    clock.set(jst(2026, 11, 22))
    run_all(driver, slack, new_accounts(meals=3, visits=4))
    english = text_of(driver.run("/pyramid"))
    assert "✅" not in english and "Not healthy. The weakest point first:" in english, english
    [first] = bullets(english)[:1]
    assert first.startswith("• Retention after a year: 0% of 2 customers, below the method's 50%."), english
    assert "Stage 1 (" not in english and "Stage 2 (" not in english  # the shape itself holds
    assert "after a year 0% (curve 50%)" in english

    japanese = text_of(driver.run("/pyramid", user=OTHER_USER))
    assert "✅" not in japanese and "健全ではありません。弱いところから順に：" in japanese, japanese
    assert bullets(japanese)[0].startswith("• 1年後の継続率は2社中0%で、目安の50%を下回っています。"), (
        japanese
    )


def test_the_issues_month_is_not_healthy_and_names_the_recovery_first(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock, settings: Settings, db: Database
) -> None:
    """Two weeks with zero new acquaintances, 8 accounts lapsing into dormancy this week and a complaint
    open for 46 days: not healthy, and the advice starts with the recovery (keep before hunting)."""
    clock.set(jst(2026, 5, 23))  # eight prospects, last met 183 days ago: dormant (180 days) this week
    run_all(driver, slack, [("/meeting", f"{name} meal") for name in NAMES[:8]])
    clock.set(jst(2026, 9, 1))
    run_all(driver, slack, [("/deal", "Acme won 1.2M")])
    clock.set(jst(2026, 10, 7))  # 46 days before the 22nd
    run_all(driver, slack, [("/trouble", "Acme -- the shipment arrived broken")])
    clock.set(jst(2026, 10, 20))  # the last new acquaintances, five weeks ago
    run_all(driver, slack, [("/meeting", f"{name} visit") for name in NAMES[8:11]])
    clock.set(jst(2026, 11, 22))

    english = text_of(driver.run("/pyramid"))
    assert "✅" not in english and "Not healthy" in english
    found = bullets(english)
    assert found[0].startswith(
        "• Recoveries open past 7 days: 1 (the oldest 46 days). Keep the customer first"
    ), found
    assert found[1].startswith("• Accounts gone dormant in the last 7 days: 8 (the 7 days before: 0)"), found
    assert found[2].startswith("• New acquaintances in the last 7 days: 0 (weekly average 0.4)"), found
    # The shape comes last; the eight dormant prospects are beside the pyramid, not in stage 2.
    assert found[3].startswith("• Stage 2 (0) ≤ stage 3 (1)"), found
    assert "Flow, last 7 days: new acquaintances 0 (weekly average 0.4) · gone dormant 8" in english
    assert "open recoveries 1, the oldest 46 days" in english

    japanese = text_of(driver.run("/pyramid", user=OTHER_USER))
    found = bullets(japanese)
    assert found[0].startswith("• 7日を過ぎて完了していないリカバリーが1件（最長46日）。"), found
    assert found[1].startswith("• 直近7日間で休眠した取引先が8社（その前の7日間は0社）。"), found
    assert found[2].startswith("• 直近7日間の新しい知り合いは0社（週平均0.4社）。"), found

    # The weekly summary says the same, weakest point first.
    clock.set(jst(2026, 11, 23, 9, 5))
    runtime = Runtime(settings=settings, db=db, clock=clock)
    send_due_summaries(runtime, jobs_client(slack), clock.now())
    [summary] = posts_of_kind(slack, "summary")
    found = bullets(text_of(summary))
    assert found[0].startswith("• Recoveries open past 7 days: 1 (the oldest 47 days)"), found


def test_a_sound_pyramid_is_healthy(driver: SlackDriver, slack: FakeSlack) -> None:
    run_all(
        driver,
        slack,
        [("/deal", "Customer won")] + new_accounts(meals=2, visits=3),
    )
    assert "✅ Healthy: each stage outnumbers the one above it (1 > 2 > 3 > 4) and the flow is sound." in (
        text_of(driver.run("/pyramid"))
    )
    assert "✅ 健全です。" in text_of(driver.run("/pyramid", user=OTHER_USER))


# --------------------------------------------------------------------------------------------- revenue


def build_deals(driver: SlackDriver, slack: FakeSlack, clock: FixedClock) -> None:
    """Acme: won ¥800,000 last year and ¥1,200,000 yesterday, then a ¥500,000 proposal today (open).
    Beta: a ¥3,000,000 proposal (open). Gamma: a proposal, then lost (closed)."""
    clock.set(jst(2025, 6, 1))
    run_all(driver, slack, [("/deal", "Acme won 800k")])
    clock.set(jst(2026, 11, 22))
    run_all(
        driver,
        slack,
        [
            ("/deal", "Acme won 1.2M yesterday"),
            ("/deal", "Acme proposed 500k"),
            ("/deal", "Beta proposed 3M"),
            ("/deal", "Gamma proposed 2M 2026-11-01"),
            ("/deal", "Gamma lost"),
            ("/meeting", "Delta visit"),
        ],
    )


def test_pyramid_shows_revenue_by_stage_in_english_and_japanese(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock
) -> None:
    build_deals(driver, slack, clock)
    for text in (text_of(driver.run("/pyramid")), text_of(driver.run("/pyramid", "team detail"))):
        assert "*Revenue by stage* — won in 2026 · won in 2025 · open proposals" in text, text
        assert "• 3 Customer: ¥1,200,000 · ¥800,000 · ¥500,000 (1)" in text, text
        assert "• 2 Prospect: – · – · ¥3,000,000 (1)" in text, text
        assert "Total: ¥1,200,000 · ¥800,000 · ¥3,500,000 (2)" in text, text
    japanese = text_of(driver.run("/pyramid", user=OTHER_USER))
    assert "*ステージ別の売上* — 2026年の受注・2025年の受注・提案中" in japanese, japanese
    assert "• 3 顧客：120万円・80万円・50万円（1件）" in japanese, japanese
    assert "• 2 見込み顧客：–・–・300万円（1件）" in japanese, japanese


def test_the_card_shows_this_year_last_year_and_the_open_proposal(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock
) -> None:
    build_deals(driver, slack, clock)
    card = text_of(driver.run("/account", "Acme"))
    assert "Won in 2026: ¥1,200,000 · in 2025: ¥800,000 · open proposal: ¥500,000 (" in card, card
    japanese = text_of(driver.run("/account", "Acme", user=OTHER_USER))
    assert "2026年の受注：120万円・2025年：80万円・提案中：50万円（" in japanese, japanese
    # Gamma's proposal was lost: no open proposal, and nothing won.
    assert "open proposal" not in text_of(driver.run("/account", "Gamma"))
    # An account without deals shows no revenue line at all.
    assert "Won in" not in text_of(driver.run("/account", "Delta"))


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "en",
            [
                "*Revenue by stage* — won in 2026 · won in 2025 · open proposals",
                "• 3 Customer: ¥1,200,000 · ¥800,000 · ¥500,000 (1)",
                "• 2 Prospect: – · – · ¥3,000,000 (1)",
            ],
        ),
        (
            "ja",
            [
                "*ステージ別の売上* — 2026年の受注・2025年の受注・提案中",
                "• 3 顧客：120万円・80万円・50万円（1件）",
                "• 2 見込み顧客：–・–・300万円（1件）",
            ],
        ),
    ],
)
def test_the_weekly_summary_shows_revenue_by_stage_and_the_chart_is_sent(
    driver: SlackDriver,
    slack: FakeSlack,
    clock: FixedClock,
    settings: Settings,
    db: Database,
    locale: str,
    expected: list[str],
) -> None:
    build_deals(driver, slack, clock)
    clock.set(jst(2026, 11, 30, 9, 5))
    runtime = Runtime(settings=settings.model_copy(update={"pyramid_locale": locale}), db=db, clock=clock)
    [run] = send_due_summaries(runtime, jobs_client(slack), clock.now())
    assert run.day == SUMMARY_DAY and run.chart is not None
    [summary] = posts_of_kind(slack, "summary")
    text = text_of(summary)
    for line in expected:
        assert line in text, (line, text)
    [upload] = slack.calls_to("upload")
    assert upload.body["bytes"].startswith(b"\x89PNG")


def test_the_app_home_judges_shape_and_flow_as_pyramid_me_does(
    driver: SlackDriver, slack: FakeSlack, clock: FixedClock
) -> None:
    """A sound shape with a complaint open past a week: the Home's pyramid is not called healthy."""
    clock.set(jst(2026, 11, 10))
    run_all(driver, slack, [("/deal", "Acme won"), ("/trouble", "Acme -- wrong parts delivered")])
    clock.set(jst(2026, 11, 22))
    run_all(driver, slack, new_accounts(meals=2, visits=3))
    home = text_of(slack.calls_to("views.publish")[-1].body["view"])
    assert "Not healthy. The weakest point first:" in home, home
    assert "Recoveries open past 7 days: 1 (the oldest 12 days)" in home, home
    assert "Healthy" not in home
    mine = text_of(driver.run("/pyramid", "me"))
    assert "Recoveries open past 7 days: 1 (the oldest 12 days)" in mine
