"""Lapse thresholds (SPEC §1, §4) and the recovery state machine and five steps (SPEC §1, §5)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import pytest

from bot.domain.lapse import (
    DEFAULT_RULES,
    LAPSING_STAGES,
    Lapse,
    LapseRules,
    days_quiet,
    is_quiet_acquaintance,
    lapse_cutoff,
    lapse_of,
    lapsing_cutoff,
    quiet_acquaintance_cutoff,
    stalled_proposal_cutoff,
)
from bot.domain.recovery import (
    ALL_STEPS_MASK,
    FIVE_STEPS,
    PENDING,
    Cause,
    RecoveryStatus,
    Rung,
    can_move,
    cause_of,
    delivery_date_ok,
    mask_of,
    repeat_cutoff,
    rungs_reached,
    steps_done,
    still_owed,
    verdict_due,
)
from bot.domain.stages import Stage

# ----------------------------------------------------------------------------------------------- lapse


def test_default_thresholds_are_the_methods() -> None:
    assert DEFAULT_RULES.prospect_days == 30
    assert DEFAULT_RULES.customer_nudge_days == 60
    assert DEFAULT_RULES.customer_dormant_days == 90
    assert DEFAULT_RULES.customer_archive_days == 365
    assert DEFAULT_RULES.acquaintance_quiet_days == 90
    assert DEFAULT_RULES.stalled_proposal_days == 30


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, None), (29, None), (30, Lapse.NUDGE), (31, Lapse.NUDGE), (89, Lapse.NUDGE), (400, Lapse.NUDGE)],
)
def test_prospects_are_nudged_after_30_days(days: int, expected: Lapse | None) -> None:
    assert lapse_of(Stage.PROSPECT, days) == expected


@pytest.mark.parametrize("stage", [Stage.CUSTOMER, Stage.REPEATER])
@pytest.mark.parametrize(
    ("days", "expected"),
    [
        (0, None),
        (30, None),
        (59, None),
        (60, Lapse.NUDGE),
        (89, Lapse.NUDGE),
        (90, Lapse.DORMANT),
        (364, Lapse.DORMANT),
        (365, Lapse.ARCHIVE),
        (1000, Lapse.ARCHIVE),
    ],
)
def test_customers_and_repeaters_60_90_365(stage: Stage, days: int, expected: Lapse | None) -> None:
    assert lapse_of(stage, days) == expected


@pytest.mark.parametrize("days", [0, 30, 90, 365, 1000])
def test_acquaintances_are_never_nudged_one_by_one(days: int) -> None:
    assert lapse_of(Stage.ACQUAINTANCE, days) is None


@pytest.mark.parametrize(("days", "quiet"), [(0, False), (89, False), (90, True), (500, True)])
def test_acquaintances_go_quiet_after_90_days(days: int, quiet: bool) -> None:
    assert is_quiet_acquaintance(Stage.ACQUAINTANCE, days) is quiet


@pytest.mark.parametrize("stage", [Stage.PROSPECT, Stage.CUSTOMER, Stage.REPEATER])
def test_only_acquaintances_are_counted_as_quiet(stage: Stage) -> None:
    assert not is_quiet_acquaintance(stage, 1000)


def test_custom_rules_are_used() -> None:
    rules = LapseRules(prospect_days=10, customer_nudge_days=20, customer_dormant_days=40)
    assert lapse_of(Stage.PROSPECT, 9, rules) is None
    assert lapse_of(Stage.PROSPECT, 10, rules) is Lapse.NUDGE
    assert lapse_of(Stage.CUSTOMER, 20, rules) is Lapse.NUDGE
    assert lapse_of(Stage.CUSTOMER, 40, rules) is Lapse.DORMANT


def test_days_quiet_counts_from_the_last_touch_or_creation() -> None:
    today = date(2026, 11, 24)
    assert days_quiet(date(2026, 11, 24), date(2026, 1, 1), today) == 0
    assert days_quiet(date(2026, 9, 25), date(2026, 1, 1), today) == 60
    # Never touched: quiet since the account was created.
    assert days_quiet(None, date(2026, 8, 26), today) == 90


def test_lapse_cutoff_agrees_with_days_quiet() -> None:
    today = date(2026, 11, 24)
    for days in (30, 60, 90, 365):
        cutoff = lapse_cutoff(today, days)
        assert days_quiet(cutoff, cutoff, today) == days


ODD_RULES = LapseRules(prospect_days=10, customer_nudge_days=50, customer_dormant_days=40)


@pytest.mark.parametrize("rules", [DEFAULT_RULES, ODD_RULES])
@pytest.mark.parametrize("stage", list(Stage))
def test_the_sql_cutoff_of_a_stage_selects_exactly_the_lapsing_accounts(
    stage: Stage, rules: LapseRules
) -> None:
    """The digest's and the summary's `where` use lapsing_cutoff; it must agree with lapse_of, day by day."""
    today = date(2026, 11, 24)
    cutoff = lapsing_cutoff(today, stage, rules)
    assert (cutoff is None) == (stage not in LAPSING_STAGES)
    for quiet in range(0, 400):
        last_touch = today - timedelta(days=quiet)
        selected = cutoff is not None and last_touch <= cutoff
        assert selected == (lapse_of(stage, quiet, rules) is not None), (stage, quiet)


def test_the_quiet_acquaintance_cutoff_agrees_with_the_check() -> None:
    today = date(2026, 11, 24)
    for quiet in range(0, 200):
        last_touch = today - timedelta(days=quiet)
        selected = last_touch <= quiet_acquaintance_cutoff(today)
        assert selected == is_quiet_acquaintance(Stage.ACQUAINTANCE, quiet)


def test_a_proposal_stalls_after_the_rules_days() -> None:
    today = date(2026, 11, 24)
    assert stalled_proposal_cutoff(today) == date(2026, 10, 25)  # 30 days before
    assert stalled_proposal_cutoff(today, LapseRules(stalled_proposal_days=7)) == date(2026, 11, 17)


# -------------------------------------------------------------------------------------------- recovery

OPEN, RESPONDED, AWAITING, RECOVERED, LOST = (
    RecoveryStatus.OPEN,
    RecoveryStatus.RESPONDED,
    RecoveryStatus.AWAITING,
    RecoveryStatus.RECOVERED,
    RecoveryStatus.LOST,
)


@pytest.mark.parametrize(
    ("current", "target", "allowed"),
    [
        (OPEN, RESPONDED, True),
        (OPEN, LOST, True),
        # No button skips a half: recovered only once a next delivery was dated (and then after it).
        (OPEN, RECOVERED, False),
        (OPEN, AWAITING, False),
        (OPEN, OPEN, False),
        (RESPONDED, AWAITING, True),
        (RESPONDED, RECOVERED, False),
        (RESPONDED, LOST, True),
        (RESPONDED, OPEN, False),
        (RESPONDED, RESPONDED, False),
        (AWAITING, RECOVERED, True),
        (AWAITING, RESPONDED, True),  # "no, it did not exceed": another next delivery
        (AWAITING, LOST, True),
        (AWAITING, OPEN, False),
        (RECOVERED, OPEN, False),
        (RECOVERED, RESPONDED, False),
        (RECOVERED, LOST, False),
        (RECOVERED, RECOVERED, False),
        (LOST, OPEN, False),
        (LOST, RESPONDED, False),
        (LOST, RECOVERED, False),
        (LOST, LOST, False),
    ],
)
def test_can_move(current: RecoveryStatus, target: RecoveryStatus, allowed: bool) -> None:
    assert can_move(current, target) is allowed


def test_pending_recoveries_are_the_ones_not_closed() -> None:
    assert PENDING == (RecoveryStatus.OPEN, RecoveryStatus.RESPONDED, RecoveryStatus.AWAITING)


def test_closed_states() -> None:
    assert RECOVERED.is_closed and LOST.is_closed
    assert not OPEN.is_closed and not RESPONDED.is_closed and not AWAITING.is_closed


def test_the_five_steps_in_order() -> None:
    assert FIVE_STEPS == ("acknowledge", "reassure", "regret", "ask", "resolve")
    assert ALL_STEPS_MASK == 0b11111


def test_the_verdict_is_due_only_once_the_next_deliverys_day_is_over() -> None:
    on = date(2026, 11, 25)
    assert not verdict_due(AWAITING, on, date(2026, 11, 24))
    assert not verdict_due(AWAITING, on, on)
    assert verdict_due(AWAITING, on, date(2026, 11, 26))
    assert not verdict_due(AWAITING, None, date(2026, 11, 26))
    for status in (OPEN, RESPONDED, RECOVERED, LOST):
        assert not verdict_due(status, on, date(2026, 12, 26))


def test_the_next_delivery_cannot_precede_the_failure() -> None:
    assert delivery_date_ok(date(2026, 11, 22), date(2026, 11, 22))
    assert not delivery_date_ok(date(2026, 11, 22), date(2026, 11, 21))


TOKYO = ZoneInfo("Asia/Tokyo")
OPENED = datetime(2026, 11, 22, 10, 0, tzinfo=TOKYO)
EVENING, MORNING = time(18, 0), time(9, 0)


@pytest.mark.parametrize(
    ("now", "segment", "expected"),
    [
        (OPENED, None, ()),
        (datetime(2026, 11, 22, 17, 59, tzinfo=TOKYO), None, ()),
        # Not responded by the end of the working day: the owner.
        (datetime(2026, 11, 22, 18, 0, tzinfo=TOKYO), None, (Rung.OWNER,)),
        (datetime(2026, 11, 24, 23, 0, tzinfo=TOKYO), None, (Rung.OWNER,)),
        # Day 3 from the morning on: the channel; day 7: the managers.
        (datetime(2026, 11, 25, 8, 59, tzinfo=TOKYO), None, (Rung.OWNER,)),
        (datetime(2026, 11, 25, 9, 0, tzinfo=TOKYO), None, (Rung.OWNER, Rung.CHANNEL)),
        (datetime(2026, 11, 29, 9, 0, tzinfo=TOKYO), None, (Rung.OWNER, Rung.CHANNEL, Rung.MANAGERS)),
        (datetime(2027, 1, 7, 3, 0, tzinfo=TOKYO), None, (Rung.OWNER, Rung.CHANNEL, Rung.MANAGERS)),
        # Strategic accounts one step earlier: the channel with the owner, the managers on day 3.
        (datetime(2026, 11, 22, 17, 0, tzinfo=TOKYO), "strategic", ()),
        (datetime(2026, 11, 22, 18, 0, tzinfo=TOKYO), "strategic", (Rung.OWNER, Rung.CHANNEL)),
        (datetime(2026, 11, 25, 9, 0, tzinfo=TOKYO), "strategic", (Rung.OWNER, Rung.CHANNEL, Rung.MANAGERS)),
        (datetime(2026, 11, 25, 9, 0, tzinfo=TOKYO), "skeptic", (Rung.OWNER, Rung.CHANNEL)),
    ],
)
def test_the_escalation_ladder(now: datetime, segment: str | None, expected: tuple[Rung, ...]) -> None:
    assert rungs_reached(OPENED, now, segment, end_of_day=EVENING, morning=MORNING) == expected


def test_a_failure_opened_after_the_end_of_the_day_is_due_the_next_evening() -> None:
    late = datetime(2026, 11, 22, 20, 0, tzinfo=TOKYO)
    reached = partial(rungs_reached, late, segment=None, end_of_day=EVENING, morning=MORNING)
    assert reached(datetime(2026, 11, 23, 9, 0, tzinfo=TOKYO)) == ()
    assert reached(datetime(2026, 11, 23, 18, 0, tzinfo=TOKYO)) == (Rung.OWNER,)


def test_a_failure_repeats_within_90_days() -> None:
    now = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    assert repeat_cutoff(now) == now - timedelta(days=90)


@pytest.mark.parametrize(
    ("token", "cause"),
    [
        ("quality", Cause.QUALITY),
        ("Delivery", Cause.DELIVERY),
        ("ＢＩＬＬＩＮＧ", Cause.BILLING),
        ("support", Cause.SUPPORT),
        ("other", Cause.OTHER),
        ("品質", Cause.QUALITY),
        ("納期", Cause.DELIVERY),
        ("請求", Cause.BILLING),
        ("対応", Cause.SUPPORT),
        ("その他", Cause.OTHER),
        ("Acme", None),
    ],
)
def test_cause_keywords_in_english_and_japanese(token: str, cause: Cause | None) -> None:
    assert cause_of(token) is cause


def test_mask_of_and_steps_done_round_trip() -> None:
    assert mask_of([]) == 0
    assert steps_done(0) == ()
    assert mask_of(["acknowledge"]) == 1
    assert mask_of(["resolve"]) == 16
    assert mask_of(list(FIVE_STEPS)) == ALL_STEPS_MASK
    assert steps_done(ALL_STEPS_MASK) == FIVE_STEPS
    for mask in range(ALL_STEPS_MASK + 1):
        assert mask_of(steps_done(mask)) == mask


def test_steps_done_are_in_method_order_whatever_the_order_checked() -> None:
    assert steps_done(mask_of(["resolve", "acknowledge", "ask"])) == ("acknowledge", "ask", "resolve")


def test_mask_of_ignores_unknown_and_repeated_steps() -> None:
    assert mask_of(["acknowledge", "acknowledge", "bribe", ""]) == 1


def test_still_owed_while_open_is_the_unchecked_steps() -> None:
    assert still_owed(OPEN, 0) == FIVE_STEPS
    assert still_owed(OPEN, mask_of(["acknowledge", "regret"])) == ("reassure", "ask", "resolve")
    assert still_owed(OPEN, ALL_STEPS_MASK) == ()


def test_still_owed_once_responded_is_the_date_then_the_exceeding_next_delivery() -> None:
    assert still_owed(RESPONDED, 0) == ("delivery_date",)
    assert still_owed(RESPONDED, ALL_STEPS_MASK) == ("delivery_date",)
    assert still_owed(AWAITING, ALL_STEPS_MASK) == ("next_delivery",)


@pytest.mark.parametrize("status", [RECOVERED, LOST])
def test_nothing_is_owed_once_closed(status: RecoveryStatus) -> None:
    assert still_owed(status, 0) == ()
