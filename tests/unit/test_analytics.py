"""The team view's maths (bot/domain/analytics.py), by hand: trends, flows and conversion (jumps pass
through every stage in between), the counts at the start of a window, median days in a stage, retention
at its boundaries, and the day-by-day replay that backfills snapshots."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from bot.domain.analytics import (
    ACTIVE_WITHIN_DAYS,
    CONVERSION_WINDOW_DAYS,
    RETENTION_AFTER_DAYS,
    RETENTION_REFERENCE,
    SNAPSHOT_NEAREST_DAYS,
    SUMMARY_WEEK_DAYS,
    TREND_MONTH_DAYS,
    TREND_WEEK_DAYS,
    AccountLife,
    Flows,
    Retention,
    StageMove,
    conversion,
    conversion_since,
    counts_before,
    flows,
    median_days_in_stage,
    replay,
    retention,
    retention_cutoffs,
    summary_week_start,
    trend,
    trend_days,
)
from bot.domain.lapse import DEFAULT_RULES
from bot.domain.stages import Stage, Step

S1, S2, S3, S4 = Stage.ACQUAINTANCE, Stage.PROSPECT, Stage.CUSTOMER, Stage.REPEATER
TODAY = date(2026, 11, 22)


def stages(one: int = 0, two: int = 0, three: int = 0, four: int = 0) -> dict[Stage, int]:
    return {S1: one, S2: two, S3: three, S4: four}


def move(account: int, before: Step | None, after: Step, on: date = TODAY) -> StageMove:
    return StageMove(account_id=account, before=before, after=after, on=on)


def nonzero(counts: Counter[tuple[str, Stage]]) -> dict[tuple[str, Stage], int]:
    return {key: value for key, value in counts.items() if value}


# --------------------------------------------------------------------------------------------- constants


def test_the_methods_numbers() -> None:
    assert CONVERSION_WINDOW_DAYS == 90
    assert RETENTION_AFTER_DAYS == 365
    assert ACTIVE_WITHIN_DAYS == 90
    assert RETENTION_REFERENCE == 0.5
    assert (TREND_WEEK_DAYS, TREND_MONTH_DAYS, SNAPSHOT_NEAREST_DAYS, SUMMARY_WEEK_DAYS) == (7, 30, 7, 7)


def test_a_retained_customer_is_one_not_yet_dormant() -> None:
    assert DEFAULT_RULES.customer_dormant_days == ACTIVE_WITHIN_DAYS


def test_the_windows_as_dates() -> None:
    assert conversion_since(TODAY) == date(2026, 8, 24)
    assert trend_days(TODAY) == (date(2026, 11, 15), date(2026, 10, 23))
    assert summary_week_start(TODAY) == date(2026, 11, 15)
    assert retention_cutoffs(TODAY) == (date(2025, 11, 22), date(2026, 8, 24))


# --------------------------------------------------------------------------------------------- trend


def test_trend_against_a_snapshot_is_the_change_per_stage() -> None:
    assert trend(stages(5, 3, 1, 0), stages(3, 3, 2, 0)) == stages(2, 0, -1, 0)


def test_trend_without_a_snapshot_is_none() -> None:
    assert trend(stages(5, 3, 1, 0), None) is None


def test_trend_counts_a_stage_missing_from_either_side_as_zero() -> None:
    assert trend({S1: 4, S3: 1}, {S1: 1, S4: 2}) == stages(3, 0, 1, -2)


def test_trend_against_an_empty_snapshot_is_everything_now() -> None:
    # A snapshot of zeros (a team that had no accounts yet) is not "no snapshot".
    assert trend(stages(2, 1), stages()) == stages(2, 1, 0, 0)


def test_trend_with_no_change_is_all_zeros_not_none() -> None:
    assert trend(stages(2, 1), stages(2, 1)) == stages()


# --------------------------------------------------------------------------------------------- flows


def test_a_step_within_a_stage_is_no_flow() -> None:
    window = flows([move(1, Step.NAME_ONLY, Step.MET), move(2, Step.MET_TWICE, Step.PROPOSED)], created=0)
    assert window == Flows(entered=stages(), crossed=stages())


def test_one_stage_up_enters_the_next_and_crosses_the_last() -> None:
    window = flows([move(1, Step.MET, Step.MET_TWICE)], created=0)
    assert window.entered == stages(0, 1, 0, 0)
    assert window.crossed == stages(1, 0, 0, 0)


def test_a_jump_from_1_to_3_passes_through_2() -> None:
    window = flows([move(1, Step.REMOTE, Step.WON)], created=0)
    assert window.entered == stages(0, 1, 1, 0)
    assert window.crossed == stages(1, 1, 0, 0)


def test_a_jump_from_1_to_4_passes_through_2_and_3() -> None:
    window = flows([move(1, Step.NAME_ONLY, Step.REPEATER)], created=0)
    assert window.entered == stages(0, 1, 1, 1)
    assert window.crossed == stages(1, 1, 1, 0)


def test_created_accounts_enter_stage_1() -> None:
    window = flows([], created=3)
    assert window.entered == stages(3, 0, 0, 0)
    assert window.crossed == stages()


def test_an_account_created_in_the_window_and_won_at_once() -> None:
    # Created (enters 1), then its first log is a won deal: 1.1 → 3.1 passes through 2.
    window = flows([move(1, Step.NAME_ONLY, Step.WON)], created=1)
    assert window.entered == stages(1, 1, 1, 0)
    assert window.crossed == stages(1, 1, 0, 0)


def test_a_move_with_no_before_step_is_a_creation_at_that_step() -> None:
    # `before` None: the account was created at that step (counted in `created` for stage 1).
    window = flows([move(1, None, Step.WON)], created=1)
    assert window.entered == stages(1, 1, 1, 0)
    assert window.crossed == stages(1, 1, 0, 0)


def test_a_day_with_no_activity_has_no_flows_and_changes_nothing() -> None:
    window = flows([], created=0)
    assert window == Flows(entered=stages(), crossed=stages())
    now = stages(4, 2, 1, 1)
    assert counts_before(now, window) == now
    # Nobody moved: every stage that has accounts converted 0%, an empty stage has no share.
    assert conversion(stages(4, 2, 0, 0), window) == {S1: 0.0, S2: 0.0, S3: None}


# --------------------------------------------------------------------------------------------- counts_before


def mixed_window() -> tuple[dict[Stage, int], dict[Stage, int], Flows]:
    """At the start: 4 / 2 / 1 / 0. In the window: two accounts created; a: 1→2, b: 1→3 (a jump),
    c: 2→3, d: 3→4. Now, by hand: 1: 4+2-2 = 4; 2: 2+1-1 = 2 (b passes through); 3: 1+2-1 = 2; 4: 1."""
    start = stages(4, 2, 1, 0)
    now = stages(4, 2, 2, 1)
    window = flows(
        [
            move(1, Step.MET, Step.MET_TWICE),
            move(2, Step.REMOTE, Step.WON),
            move(3, Step.PROPOSED, Step.WON),
            move(4, Step.REPEAT, Step.REPEATER),
        ],
        created=2,
    )
    return start, now, window


def test_mixed_window_flows_by_hand() -> None:
    _, _, window = mixed_window()
    assert window.entered == stages(2, 2, 2, 1)
    assert window.crossed == stages(2, 2, 1, 0)


def test_counts_before_reconstructs_the_start_of_the_window() -> None:
    start, now, window = mixed_window()
    assert counts_before(now, window) == start


def test_counts_before_with_only_creations() -> None:
    assert counts_before(stages(5, 1), flows([], created=3)) == stages(2, 1, 0, 0)


# --------------------------------------------------------------------------------------------- conversion


def test_conversion_by_hand() -> None:
    # Of the accounts in a stage at any time in the window (at the start + entered), the share that left
    # it upwards: 1: 2 / (4 + 2); 2: 2 / (2 + 2); 3: 1 / (1 + 2). Stage 4 has nowhere to go.
    _, now, window = mixed_window()
    shares = conversion(now, window)
    assert set(shares) == {S1, S2, S3}
    assert shares[S1] == pytest.approx(1 / 3)
    assert shares[S2] == pytest.approx(0.5)
    assert shares[S3] == pytest.approx(1 / 3)


def test_conversion_counts_a_jump_as_passing_through_2() -> None:
    # One acquaintance jumps to customer; it was the only account. Stage 2 was passed through: 1 of 1.
    shares = conversion(stages(0, 0, 1, 0), flows([move(1, Step.MET, Step.WON)], created=0))
    assert shares == {S1: 1.0, S2: 1.0, S3: 0.0}


def test_conversion_of_an_empty_window_has_no_shares() -> None:
    assert conversion(stages(), flows([], created=0)) == {S1: None, S2: None, S3: None}


def test_conversion_of_created_accounts_that_did_not_move() -> None:
    assert conversion(stages(3), flows([], created=3)) == {S1: 0.0, S2: None, S3: None}


def test_conversion_shares_stay_between_0_and_1() -> None:
    _, now, window = mixed_window()
    for share in conversion(now, window).values():
        assert share is None or 0.0 <= share <= 1.0


# --------------------------------------------------------------------------------------------- median days


def test_median_days_in_stage_by_hand() -> None:
    d = date(2026, 1, 1)
    history = {
        # 10 days in 1 (a step inside stage 1 on the way), then 10 days in 2.
        1: [
            move(1, Step.NAME_ONLY, Step.REMOTE, d + timedelta(4)),
            move(1, Step.REMOTE, Step.MET_TWICE, d + timedelta(10)),
            move(1, Step.MET_TWICE, Step.WON, d + timedelta(20)),
        ],
        # 30 days in 1, then a jump over 2 straight to 3.
        2: [move(2, Step.NAME_ONLY, Step.WON, d + timedelta(30))],
        # 2 days in 1.
        3: [move(3, Step.MET, Step.MET_TWICE, d + timedelta(2))],
        # Never moved up.
        4: [move(4, Step.NAME_ONLY, Step.MET, d + timedelta(5))],
    }
    created = dict.fromkeys(history, d)
    medians = median_days_in_stage(history, created, since=d)
    assert medians == {S1: 10.0, S2: 10.0, S3: None, S4: None}


def test_median_days_counts_departures_since_the_window_start_only() -> None:
    d = date(2026, 1, 1)
    history = {
        1: [
            move(1, Step.MET, Step.MET_TWICE, d + timedelta(10)),  # before `since`: not counted
            move(1, Step.MET_TWICE, Step.WON, d + timedelta(21)),  # 11 days in 2
        ],
        2: [move(2, Step.MET, Step.WON, d + timedelta(30))],  # 30 days in 1
    }
    medians = median_days_in_stage(history, dict.fromkeys(history, d), since=d + timedelta(12))
    assert medians == {S1: 30.0, S2: 11.0, S3: None, S4: None}


def test_median_days_of_an_even_count_is_the_mean_of_the_middle_two() -> None:
    d = date(2026, 3, 1)
    history = {
        1: [move(1, Step.MET, Step.MET_TWICE, d + timedelta(3))],
        2: [move(2, Step.MET, Step.MET_TWICE, d + timedelta(8))],
    }
    assert median_days_in_stage(history, dict.fromkeys(history, d), since=d)[S1] == 5.5


def test_median_days_counts_from_the_day_each_account_was_created() -> None:
    d = date(2026, 3, 1)
    history = {
        1: [move(1, Step.MET, Step.MET_TWICE, d + timedelta(20))],
        2: [move(2, Step.MET, Step.MET_TWICE, d + timedelta(20))],
        3: [move(3, Step.MET, Step.MET_TWICE, d + timedelta(20))],
    }
    created = {1: d, 2: d + timedelta(10), 3: d + timedelta(19)}
    assert median_days_in_stage(history, created, since=d)[S1] == 10.0


def test_median_days_ignores_a_correction_downwards() -> None:
    d = date(2026, 3, 1)
    history = {
        1: [
            move(1, Step.MET, Step.MET_TWICE, d + timedelta(5)),
            move(1, Step.MET_TWICE, Step.MET, d + timedelta(6)),  # a manager's correction
            move(1, Step.MET, Step.MET_TWICE, d + timedelta(9)),  # back to 2: not a departure from 2
        ]
    }
    medians = median_days_in_stage(history, {1: d}, since=d)
    assert medians[S1] == 5.0
    assert medians[S2] is None


def test_median_days_with_no_history_is_none_everywhere() -> None:
    assert median_days_in_stage({}, {}, since=TODAY) == dict.fromkeys(Stage)


# --------------------------------------------------------------------------------------------- retention


def test_retention_boundaries() -> None:
    year_ago = TODAY - timedelta(days=365)
    ninety = TODAY - timedelta(days=90)
    became = {
        1: year_ago,  # exactly a year ago: counted
        2: year_ago - timedelta(days=1),  # more than a year: counted
        3: year_ago + timedelta(days=1),  # 364 days: too recent, not counted
        4: year_ago,  # counted, never touched since: not active
        5: year_ago - timedelta(days=400),  # counted
    }
    touched = {
        1: ninety,  # touched exactly 90 days ago: active
        2: ninety - timedelta(days=1),  # 91 days ago: not active
        3: TODAY,  # not counted at all
        4: None,
        5: TODAY,  # active
    }
    result = retention(became, touched, TODAY)
    assert result == Retention(customers=4, active=2)
    assert result.share == 0.5


def test_retention_of_an_account_not_in_the_touch_map_is_inactive() -> None:
    assert retention({1: date(2024, 1, 1)}, {}, TODAY) == Retention(customers=1, active=0)


def test_retention_without_old_customers_has_no_share() -> None:
    result = retention({1: TODAY - timedelta(days=364)}, {1: TODAY}, TODAY)
    assert result == Retention(customers=0, active=0)
    assert result.share is None


def test_retention_share_all_and_none() -> None:
    old = TODAY - timedelta(days=500)
    assert retention({1: old, 2: old}, {1: TODAY, 2: TODAY}, TODAY).share == 1.0
    assert retention({1: old, 2: old}, {1: old, 2: None}, TODAY).share == 0.0


# --------------------------------------------------------------------------------------------- replay

MON = date(2026, 11, 2)  # a Monday


def week_lives() -> list[AccountLife]:
    """A (U1): created Monday, a call Wednesday (same stage), met twice and won on Thursday (two stage
    changes the same day). B (U2): created Wednesday (mid-week), proposed Friday. C (U1): created on
    Thursday, never moved. Nothing happens on the weekend."""
    return [
        AccountLife(
            1,
            "U1",
            MON,
            (
                (MON + timedelta(2), Step.REMOTE),
                (MON + timedelta(3), Step.MET_TWICE),
                (MON + timedelta(3), Step.WON),
            ),
        ),
        AccountLife(2, "U2", MON + timedelta(2), ((MON + timedelta(4), Step.PROPOSED),)),
        AccountLife(3, "U1", MON + timedelta(3), ()),
    ]


def test_replay_gives_the_counts_at_the_start_of_each_day() -> None:
    result = replay(week_lives(), MON - timedelta(1), MON + timedelta(6))
    by_day = {day: nonzero(counts) for day, counts in result.items()}
    assert list(by_day) == [MON + timedelta(n) for n in range(-1, 7)]
    sunday_before, mon, tue, wed, thu, fri, sat, sun = by_day.values()
    assert sunday_before == {}
    assert mon == {}  # A is created during Monday
    assert tue == {("", S1): 1, ("U1", S1): 1}
    assert wed == tue  # a call keeps A in stage 1
    assert thu == {("", S1): 2, ("U1", S1): 1, ("U2", S1): 1}  # B created Wednesday
    assert fri == {("", S1): 2, ("", S3): 1, ("U1", S1): 1, ("U1", S3): 1, ("U2", S1): 1}
    assert sat == {("", S2): 1, ("", S3): 1, ("", S1): 1, ("U1", S1): 1, ("U1", S3): 1, ("U2", S2): 1}
    assert sun == sat  # a day with no activity changes nothing


def test_replay_owner_rows_add_up_to_the_team_rows() -> None:
    for day, counts in replay(week_lives(), MON, MON + timedelta(8)).items():
        for stage in Stage:
            owners = sum(value for (owner, s), value in counts.items() if owner and s == stage)
            assert counts.get(("", stage), 0) == owners, (day, stage)
            assert counts.get(("", stage), 0) >= 0


def test_replay_from_a_later_first_day_applies_the_earlier_history() -> None:
    full = replay(week_lives(), MON, MON + timedelta(6))
    late = replay(week_lives(), MON + timedelta(4), MON + timedelta(6))
    assert list(late) == [MON + timedelta(n) for n in (4, 5, 6)]
    for day, counts in late.items():
        assert nonzero(counts) == nonzero(full[day])


def test_replay_of_a_team_created_mid_week() -> None:
    # The team's first account is created on Wednesday: the days before it hold nothing.
    lives = [AccountLife(7, "U9", MON + timedelta(2), ((MON + timedelta(2), Step.WON),))]
    result = {day: nonzero(c) for day, c in replay(lives, MON, MON + timedelta(4)).items()}
    assert result[MON] == result[MON + timedelta(1)] == result[MON + timedelta(2)] == {}
    assert result[MON + timedelta(3)] == result[MON + timedelta(4)] == {("", S3): 1, ("U9", S3): 1}


def test_replay_of_no_accounts_is_empty_counts_for_each_day() -> None:
    result = replay([], MON, MON + timedelta(2))
    assert list(result) == [MON, MON + timedelta(1), MON + timedelta(2)]
    assert all(not nonzero(c) for c in result.values())


def test_replay_matches_the_live_counts_the_day_after_the_last_change() -> None:
    lives = week_lives()
    last = replay(lives, MON, MON + timedelta(5))[MON + timedelta(5)]
    final_stage = {1: S3, 2: S2, 3: S1}
    expected: Counter[tuple[str, Stage]] = Counter()
    for life in lives:
        expected[("", final_stage[life.account_id])] += 1
        expected[(life.owner_id, final_stage[life.account_id])] += 1
    assert nonzero(last) == dict(expected)


def test_replay_follows_a_correction_downwards() -> None:
    lives = [AccountLife(1, "U1", MON, ((MON + timedelta(1), Step.WON), (MON + timedelta(2), Step.PROPOSED)))]
    result = {day: nonzero(c) for day, c in replay(lives, MON, MON + timedelta(3)).items()}
    assert result[MON + timedelta(2)] == {("", S3): 1, ("U1", S3): 1}
    assert result[MON + timedelta(3)] == {("", S2): 1, ("U1", S2): 1}
