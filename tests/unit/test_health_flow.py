"""Health = shape and flow (bot.domain.health), revenue beside counts (bot.domain.revenue), and their
words (bot.views.health): pure rules, many cases."""

from __future__ import annotations

import io
from datetime import date, timedelta

import matplotlib.image
import pytest

from bot.domain.activities import ActivityKind
from bot.domain.health import (
    RETENTION_CURVE,
    ConcernKind,
    Flow,
    RetentionPoint,
    concerns,
    dormant_rising,
    inflow_dry,
    judge,
    trailing_average,
    weekly,
)
from bot.domain.pyramid import Distribution, distribution_from
from bot.domain.revenue import (
    AccountRevenue,
    Deal,
    OpenProposal,
    Revenue,
    StageRevenue,
    account_revenue,
    open_proposal,
    year_bounds,
)
from bot.domain.stages import Stage
from bot.views.chart import pyramid_png
from bot.views.health import card_revenue_text, chart_amounts, flow_text, revenue_text, verdict_text

TODAY = date(2026, 11, 22)
# 10 / 5 / 3 / 1: the shape holds.
GOOD_SHAPE = distribution_from({"met": 10, "met_twice": 5, "won": 3, "repeater": 1})
# A flow with nothing wrong: inflow at its average, nothing going dormant, no recovery, no old customers.
SOUND = Flow(new_by_week=(3, 3, 3, 3, 3, 3, 3, 3, 3), dormant_by_week=(0, 0))


def flow(**changes: object) -> Flow:
    base = {
        "new_by_week": SOUND.new_by_week,
        "dormant_by_week": SOUND.dormant_by_week,
        "open_recoveries": 0,
        "oldest_recovery_days": None,
        "overdue_recoveries": 0,
        "retention": (),
    }
    base.update(changes)
    return Flow(**base)  # type: ignore[arg-type]


def kinds(found: Flow) -> list[ConcernKind]:
    return [concern.kind for concern in concerns(found)]


# --------------------------------------------------------------------------------------------- weeks


def test_weekly_folds_days_into_weeks_ending_on_the_last_day() -> None:
    counts = {
        TODAY: 1,
        TODAY - timedelta(6): 2,  # still the last 7 days
        TODAY - timedelta(7): 4,  # the week before
        TODAY - timedelta(62): 8,  # the ninth week
        TODAY - timedelta(63): 16,  # beyond
        TODAY + timedelta(1): 32,  # after the last day: not counted
    }
    assert weekly(counts, TODAY) == (3, 4, 0, 0, 0, 0, 0, 0, 8)


def test_trailing_average_leaves_out_the_last_week() -> None:
    assert trailing_average((100, 1, 2, 3, 4, 5, 6, 7, 8)) == 4.5
    assert trailing_average((5,)) == 0.0


def test_the_retention_curve_is_the_methods() -> None:
    # 50% after a year, 55% of those after two, 60% of those after three: about 16 of 100.
    assert RETENTION_CURVE[1] == pytest.approx(0.50)
    assert RETENTION_CURVE[2] == pytest.approx(0.275)
    assert RETENTION_CURVE[3] == pytest.approx(0.165)


# --------------------------------------------------------------------------------------------- rules


@pytest.mark.parametrize(
    ("by_week", "dry"),
    [
        ((3, 3, 3, 3, 3, 3, 3, 3, 3), False),  # at the average
        ((2, 4, 4, 4, 4, 4, 4, 4, 4), False),  # exactly half of it
        ((1, 4, 4, 4, 4, 4, 4, 4, 4), True),  # below half
        ((0, 0, 0, 0, 0, 0, 0, 0, 8), True),  # two weeks (and more) with none: the average is 1
        ((0, 0, 0, 0, 0, 0, 0, 0, 0), True),  # none ever: an average of zero is no excuse
        ((5, 0, 0, 0, 0, 0, 0, 0, 0), False),  # a new team's first week
    ],
)
def test_inflow_is_dry_below_half_its_trailing_average(by_week: tuple[int, ...], dry: bool) -> None:
    assert inflow_dry(flow(new_by_week=by_week)) is dry


@pytest.mark.parametrize(
    ("by_week", "rising"),
    [
        ((0, 0), False),
        ((1, 0), False),  # one account is not a trend
        ((2, 0), True),
        ((8, 0), True),
        ((3, 3), False),  # as many as the week before
        ((4, 3), True),
        ((2, 5), False),  # falling
        ((5,), True),  # no week before read: none then
    ],
)
def test_dormant_is_rising_above_the_week_before(by_week: tuple[int, ...], rising: bool) -> None:
    assert dormant_rising(flow(dormant_by_week=by_week)) is rising


@pytest.mark.parametrize(
    ("customers", "active", "years", "below"),
    [
        (10, 5, 1, False),  # on the curve
        (10, 4, 1, True),
        (4, 1, 1, False),  # too few customers to judge
        (1, 0, 1, True),  # none kept at all is never healthy, however few
        (0, 0, 1, False),  # no data
        (10, 3, 2, False),  # 30% ≥ 27.5%
        (10, 2, 2, True),
        (20, 3, 3, True),  # 15% < 16.5%
        (20, 4, 3, False),
    ],
)
def test_retention_is_compared_with_the_curve(customers: int, active: int, years: int, below: bool) -> None:
    assert RetentionPoint(years, customers, active).below is below


def test_healthy_only_when_the_shape_and_the_flow_are_sound() -> None:
    assert judge(GOOD_SHAPE, SOUND).healthy
    retention = (RetentionPoint(1, 10, 6), RetentionPoint(2, 8, 3), RetentionPoint(3, 5, 1))
    assert judge(GOOD_SHAPE, flow(retention=retention)).healthy
    bad_shape = distribution_from({"met": 2, "met_twice": 5})
    assert not judge(bad_shape, SOUND).healthy
    assert not judge(Distribution(), SOUND).healthy
    overdue = flow(overdue_recoveries=1, open_recoveries=1, oldest_recovery_days=8)
    assert not judge(GOOD_SHAPE, overdue).healthy


def test_zero_retention_is_never_healthy() -> None:
    zero = (RetentionPoint(1, 6, 0),)
    verdict = judge(GOOD_SHAPE, flow(retention=zero))
    assert not verdict.healthy
    assert [c.kind for c in verdict.concerns] == [ConcernKind.RETENTION_BELOW]
    assert verdict.concerns[0].share == 0.0


def test_a_recovery_open_seven_days_is_not_yet_overdue_eight_is() -> None:
    # The service counts recoveries open *past* RECOVERY_OVERDUE_DAYS; an open one younger is fine.
    assert kinds(flow(open_recoveries=1, oldest_recovery_days=7, overdue_recoveries=0)) == []
    assert kinds(flow(open_recoveries=1, oldest_recovery_days=8, overdue_recoveries=1)) == [
        ConcernKind.RECOVERY_OVERDUE
    ]


def test_the_weakest_point_comes_first_in_the_methods_order() -> None:
    everything = flow(
        new_by_week=(0, 0, 2, 2, 2, 2, 2, 2, 2),
        dormant_by_week=(8, 1),
        open_recoveries=2,
        oldest_recovery_days=46,
        overdue_recoveries=1,
        retention=(RetentionPoint(1, 10, 5), RetentionPoint(2, 10, 1), RetentionPoint(3, 10, 0)),
    )
    found = concerns(everything)
    assert [c.kind for c in found] == [
        ConcernKind.RECOVERY_OVERDUE,
        ConcernKind.RETENTION_BELOW,
        ConcernKind.DORMANT_RISING,
        ConcernKind.INFLOW_DRY,
    ]
    assert found[0].days == 46 and found[0].count == 1
    assert found[1].years == 2  # the shortest horizon below the curve
    assert found[2].count == 8 and found[3].count == 0


def test_the_issues_month_is_not_healthy_and_names_the_recovery_first() -> None:
    """Two weeks with zero new acquaintances, 8 lapsing accounts, a complaint open 46 days."""
    month = flow(
        new_by_week=(0, 0, 3, 2, 4, 3, 3, 2, 3),
        dormant_by_week=(8, 0),
        open_recoveries=1,
        oldest_recovery_days=46,
        overdue_recoveries=1,
    )
    verdict = judge(GOOD_SHAPE, month)
    assert not verdict.healthy
    for locale, first in (("en", "Recoveries open past 7 days: 1 (the oldest 46 days)"), ("ja", "最長46日")):
        text = verdict_text(verdict, locale)
        bullets = [line for line in text.splitlines() if line.startswith("• ")]
        assert first in bullets[0], text
        assert len(bullets) == 3, text  # recovery, dormant, inflow; the shape holds


def test_the_words_in_english_and_japanese() -> None:
    verdict = judge(distribution_from({"met": 1, "met_twice": 2}), flow(new_by_week=(0,) * 9))
    english = verdict_text(verdict, "en")
    assert english.startswith("⚠️ Not healthy. The weakest point first:")
    assert "New acquaintances in the last 7 days: 0 (weekly average 0)" in english
    assert "Stage 1 (1) ≤ stage 2 (2)" in english
    japanese = verdict_text(verdict, "ja")
    assert japanese.startswith("⚠️ 健全ではありません。")
    assert "直近7日間の新しい知り合いは0社" in japanese
    assert verdict_text(judge(GOOD_SHAPE, SOUND), "en").startswith("✅ Healthy")
    assert verdict_text(judge(GOOD_SHAPE, SOUND), "ja").startswith("✅ 健全です。")


def test_the_flow_line_and_retention_against_the_curve() -> None:
    shown = flow(
        new_by_week=(2, 1, 2, 1, 2, 1, 2, 1, 2),
        dormant_by_week=(1, 0),
        open_recoveries=2,
        oldest_recovery_days=3,
        retention=(RetentionPoint(1, 4, 2), RetentionPoint(2, 0, 0), RetentionPoint(3, 0, 0)),
    )
    english = flow_text(shown, "en")
    assert (
        "new acquaintances 2 (weekly average 1.5) · gone dormant 1 · open recoveries 2, the oldest 3 days"
        in english
    )
    assert (
        "after a year 50% (curve 50%) · after 2 years – (curve 27.5%) · after 3 years – (curve 16.5%)"
        in english
    )
    japanese = flow_text(shown, "ja")
    assert "新しい知り合い2社（週平均1.5社）・休眠1社・未完了のリカバリー2件（最長3日）" in japanese
    assert "1年後 50%（目安50%）" in japanese


# --------------------------------------------------------------------------------------------- revenue


def deal(id_: int, kind: str, on: date, amount: int | None = None) -> Deal:
    return Deal(id=id_, kind=ActivityKind(kind), on=on, amount=amount)


def test_year_bounds_follow_the_calendar() -> None:
    assert year_bounds(TODAY) == (date(2025, 1, 1), date(2026, 1, 1), date(2027, 1, 1))
    assert year_bounds(date(2027, 1, 1))[1] == date(2027, 1, 1)


@pytest.mark.parametrize(
    ("deals", "expected"),
    [
        ([], None),
        ([deal(1, "proposed", date(2026, 11, 1), 500_000)], OpenProposal(500_000, date(2026, 11, 1))),
        # The latest proposal counts, not the sum.
        (
            [deal(1, "proposed", date(2026, 10, 1), 100), deal(2, "proposed", date(2026, 11, 1), 300)],
            OpenProposal(300, date(2026, 11, 1)),
        ),
        # Same day: the later one logged.
        (
            [deal(2, "proposed", date(2026, 11, 1), 300), deal(1, "proposed", date(2026, 11, 1), 100)],
            OpenProposal(300, date(2026, 11, 1)),
        ),
        # A win or a loss on or after it decides it.
        ([deal(1, "proposed", date(2026, 11, 1), 300), deal(2, "won", date(2026, 11, 1), 300)], None),
        ([deal(1, "proposed", date(2026, 11, 1), 300), deal(2, "lost", date(2026, 11, 5))], None),
        # A win before the latest proposal does not.
        (
            [deal(1, "won", date(2026, 10, 1), 300), deal(2, "proposed", date(2026, 11, 1), 400)],
            OpenProposal(400, date(2026, 11, 1)),
        ),
        # The latest proposal without an amount: nothing to add up.
        ([deal(1, "proposed", date(2026, 10, 1), 100), deal(2, "proposed", date(2026, 11, 1))], None),
    ],
)
def test_open_proposal(deals: list[Deal], expected: OpenProposal | None) -> None:
    assert open_proposal(deals) == expected


def test_account_revenue_by_calendar_year() -> None:
    deals = [
        deal(1, "won", date(2024, 12, 31), 1),  # before last year
        deal(2, "won", date(2025, 1, 1), 10),
        deal(3, "won", date(2025, 12, 31), 100),
        deal(4, "won", date(2026, 1, 1), 1_000),
        deal(5, "won", date(2026, 11, 22), 10_000),
        deal(6, "won", date(2026, 11, 20)),  # no amount
        deal(7, "proposed", date(2026, 11, 21), 7),  # decided by the win of the 22nd
    ]
    assert account_revenue(deals, TODAY) == AccountRevenue(year=2026, this_year=11_000, last_year=110)


REVENUE = Revenue(
    year=2026,
    by_stage={
        Stage.REPEATER: StageRevenue(this_year=120_000_000, last_year=80_000_000),
        Stage.CUSTOMER: StageRevenue(this_year=1_200_000, open_value=500_000, open_count=1),
        Stage.PROSPECT: StageRevenue(open_value=3_000_000, open_count=2),
    },
)


def test_revenue_by_stage_in_english_and_japanese() -> None:
    english = revenue_text(REVENUE, "en").splitlines()
    assert english[0] == "*Revenue by stage* — won in 2026 · won in 2025 · open proposals"
    assert english[1] == "• 4 Repeater: ¥120,000,000 · ¥80,000,000 · –"
    assert english[2] == "• 3 Customer: ¥1,200,000 · – · ¥500,000 (1)"
    assert english[3] == "• 2 Prospect: – · – · ¥3,000,000 (2)"
    assert english[5] == "Total: ¥121,200,000 · ¥80,000,000 · ¥3,500,000 (3)"
    japanese = revenue_text(REVENUE, "ja").splitlines()
    assert japanese[1] == "• 4 リピーター：1億2,000万円・8,000万円・–"
    assert japanese[2].endswith("120万円・–・50万円（1件）")
    assert "まだありません" in revenue_text(Revenue(year=2026), "ja")
    assert "no amounts logged yet" in revenue_text(Revenue(year=2026), "en")


def test_the_cards_revenue_line() -> None:
    revenue = AccountRevenue(year=2026, this_year=1_200_000, open=OpenProposal(500_000, date(2026, 11, 20)))
    english = card_revenue_text(revenue, TODAY, "en")
    assert english.startswith("Won in 2026: ¥1,200,000 · in 2025: – · open proposal: ¥500,000 (")
    japanese = card_revenue_text(revenue, TODAY, "ja")
    assert japanese.startswith("2026年の受注：120万円・2025年：–・提案中：50万円（11/20")


def test_the_chart_carries_this_years_amounts_and_stays_a_1000_by_700_png() -> None:
    amounts = chart_amounts(REVENUE, "ja")
    assert amounts == {4: "今年の受注 1億2,000万円", 3: "今年の受注 120万円"}
    counts = {1: 10, 2: 5, 3: 3, 4: 1}
    labels = {1: "知り合い", 2: "見込み顧客", 3: "顧客", 4: "リピーター"}
    plain = pyramid_png(counts, None, locale="ja", title="t", stage_labels=labels)
    annotated = pyramid_png(counts, None, locale="ja", title="t", stage_labels=labels, amounts=amounts)
    long = pyramid_png(counts, None, locale="en", title="t", stage_labels=labels, amounts={1: "¥" + "9" * 40})
    assert annotated != plain
    for png in (annotated, long):
        image = matplotlib.image.imread(io.BytesIO(png), format="png")
        assert image.shape[:2] == (700, 1000)
