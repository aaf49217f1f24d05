"""The ladder (SPEC §2): four stages, nine steps, evidence -> step, and climbing only upwards."""

from __future__ import annotations

import itertools
from dataclasses import fields
from datetime import date

import pytest

from bot.domain.activities import DEAL_OUTCOMES, TOUCH_KINDS, ActivityKind
from bot.domain.stages import (
    DEFAULT_REPEATER_THRESHOLD,
    LADDER,
    TALLY_COUNTERS,
    Climb,
    Evidence,
    Stage,
    Step,
    Tally,
    climb,
    evidence_floor,
    evidence_of,
    next_step,
    step_for,
    steps_of,
)
from bot.models import Account

# SPEC §2, row by row: key, label, stage.
TABLE = [
    (Step.NAME_ONLY, "name_only", "1.1", Stage.ACQUAINTANCE),
    (Step.REMOTE, "remote", "1.2", Stage.ACQUAINTANCE),
    (Step.MET, "met", "1.3", Stage.ACQUAINTANCE),
    (Step.MET_TWICE, "met_twice", "2.1", Stage.PROSPECT),
    (Step.DINED, "dined", "2.2", Stage.PROSPECT),
    (Step.PROPOSED, "proposed", "2.3", Stage.PROSPECT),
    (Step.WON, "won", "3.1", Stage.CUSTOMER),
    (Step.REPEAT, "repeat", "3.2", Stage.CUSTOMER),
    (Step.REPEATER, "repeater", "4.1", Stage.REPEATER),
]


def _evidence_after(*kinds: ActivityKind) -> Evidence:
    evidence = Evidence()
    for kind in kinds:
        evidence = evidence.plus(kind)
    return evidence


# ------------------------------------------------------------------------------------ the ladder


def test_the_ladder_has_nine_steps_in_the_specs_order() -> None:
    assert tuple(row[0] for row in TABLE) == LADDER
    assert len(LADDER) == 9
    assert [step.rank for step in LADDER] == list(range(9))


@pytest.mark.parametrize(("step", "key", "label", "stage"), TABLE)
def test_every_step_has_its_key_label_and_stage(step: Step, key: str, label: str, stage: Stage) -> None:
    assert step.value == key
    assert Step(key) is step
    assert step.label == label
    assert step.stage is stage
    assert label.split(".")[0] == str(stage.value)


def test_customers_are_stages_three_and_four() -> None:
    assert [stage for stage in Stage if stage.is_customer] == [Stage.CUSTOMER, Stage.REPEATER]


def test_four_stages_numbered_one_to_four() -> None:
    assert [stage.value for stage in Stage] == [1, 2, 3, 4]


@pytest.mark.parametrize("stage", list(Stage))
def test_steps_of_a_stage_are_its_rows_in_order(stage: Stage) -> None:
    expected = tuple(row[0] for row in TABLE if row[3] is stage)
    assert steps_of(stage) == expected
    assert steps_of(stage)


def test_labels_are_unique_and_sorted() -> None:
    labels = [step.label for step in LADDER]
    assert len(set(labels)) == 9
    assert labels == sorted(labels)


def test_steps_compare_by_rank_not_by_their_text() -> None:
    # "met" < "name_only" alphabetically, but it is above it on the ladder.
    assert Step.MET > Step.NAME_ONLY
    assert Step.REPEATER > Step.WON
    assert Step.DINED < Step.PROPOSED
    for lower, upper in itertools.combinations(LADDER, 2):
        assert lower < upper and lower <= upper
        assert upper > lower and upper >= lower
        assert not lower > upper and not lower >= upper
    for step in LADDER:
        assert step <= step and step >= step and not step < step
    assert max(LADDER) is Step.REPEATER
    assert min(LADDER) is Step.NAME_ONLY


def test_comparing_a_step_with_something_else_is_not_supported() -> None:
    with pytest.raises(TypeError):
        _ = Step.MET < 3  # type: ignore[operator]


@pytest.mark.parametrize("index", range(len(LADDER)))
def test_next_step(index: int) -> None:
    step = LADDER[index]
    expected = LADDER[index + 1] if index + 1 < len(LADDER) else None
    assert next_step(step) == expected


def test_the_top_has_no_next_step() -> None:
    assert next_step(Step.REPEATER) is None


# ------------------------------------------------------------------------------- evidence -> step


@pytest.mark.parametrize(
    ("evidence", "expected"),
    [
        (Evidence(), Step.NAME_ONLY),
        (Evidence(remote_touches=1), Step.REMOTE),
        (Evidence(remote_touches=7), Step.REMOTE),
        (Evidence(in_person_meetings=1), Step.MET),
        (Evidence(remote_touches=3, in_person_meetings=1), Step.MET),
        (Evidence(in_person_meetings=2), Step.MET_TWICE),
        (Evidence(in_person_meetings=9), Step.MET_TWICE),
        (Evidence(meals=1), Step.DINED),
        (Evidence(in_person_meetings=1, meals=1), Step.DINED),
        (Evidence(proposals=1), Step.PROPOSED),
        (Evidence(proposals=4, meals=2, in_person_meetings=5), Step.PROPOSED),
        (Evidence(deals_won=1), Step.WON),
        (Evidence(deals_won=2), Step.REPEAT),
        (Evidence(deals_won=3), Step.REPEATER),
        (Evidence(deals_won=30), Step.REPEATER),
    ],
)
def test_step_for_the_evidence(evidence: Evidence, expected: Step) -> None:
    assert step_for(evidence) is expected


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ((), Step.NAME_ONLY),
        ((ActivityKind.CALL,), Step.REMOTE),
        ((ActivityKind.EMAIL,), Step.REMOTE),
        ((ActivityKind.VISIT,), Step.MET),
        ((ActivityKind.MEAL,), Step.DINED),  # a meal is also an in-person meeting
        ((ActivityKind.VISIT, ActivityKind.VISIT), Step.MET_TWICE),
        ((ActivityKind.CALL, ActivityKind.VISIT, ActivityKind.MEAL), Step.DINED),
        ((ActivityKind.PROPOSED,), Step.PROPOSED),
        ((ActivityKind.WON,), Step.WON),
        ((ActivityKind.WON, ActivityKind.WON), Step.REPEAT),
        ((ActivityKind.WON,) * 3, Step.REPEATER),
        ((ActivityKind.LOST,), Step.NAME_ONLY),
        ((ActivityKind.LOST,) * 5, Step.NAME_ONLY),
        ((ActivityKind.PROPOSED, ActivityKind.LOST), Step.PROPOSED),
    ],
)
def test_step_for_a_history_of_activities(kinds: tuple[ActivityKind, ...], expected: Step) -> None:
    assert step_for(_evidence_after(*kinds)) is expected


def test_every_step_is_reachable_from_some_evidence() -> None:
    reached = {step_for(evidence_floor(step)) for step in LADDER}
    assert reached == set(LADDER)


@pytest.mark.parametrize("threshold", [3, 4, 5, 10])
def test_repeater_threshold_is_configurable(threshold: int) -> None:
    for won in range(0, threshold + 3):
        step = step_for(Evidence(deals_won=won), repeater_threshold=threshold)
        if won >= threshold:
            assert step is Step.REPEATER, won
        elif won >= 2:
            assert step is Step.REPEAT, won
        elif won == 1:
            assert step is Step.WON
        else:
            assert step is Step.NAME_ONLY


def test_default_threshold_is_three_deals() -> None:
    assert DEFAULT_REPEATER_THRESHOLD == 3
    assert step_for(Evidence(deals_won=2)) is Step.REPEAT
    assert step_for(Evidence(deals_won=3)) is Step.REPEATER


def test_more_evidence_never_lowers_the_step() -> None:
    kinds = list(ActivityKind)
    for first, second in itertools.product(kinds, repeat=2):
        before = _evidence_after(first)
        after = before.plus(second)
        assert step_for(after) >= step_for(before), (first, second)


# ----------------------------------------------------------------------------------- Evidence.plus


EXPECTED_PLUS = {
    ActivityKind.CALL: Evidence(remote_touches=1),
    ActivityKind.EMAIL: Evidence(remote_touches=1),
    ActivityKind.LETTER: Evidence(remote_touches=1),
    ActivityKind.VISIT: Evidence(in_person_meetings=1),
    ActivityKind.MEAL: Evidence(in_person_meetings=1, meals=1),
    ActivityKind.PROPOSED: Evidence(proposals=1),
    ActivityKind.WON: Evidence(deals_won=1),
    ActivityKind.LOST: Evidence(),
}


def test_every_activity_kind_is_covered() -> None:
    assert set(EXPECTED_PLUS) == set(ActivityKind)
    assert set(TOUCH_KINDS) | set(DEAL_OUTCOMES) == set(ActivityKind)
    assert not set(TOUCH_KINDS) & set(DEAL_OUTCOMES)


@pytest.mark.parametrize("kind", list(ActivityKind))
def test_plus_adds_one_activity_of_its_kind(kind: ActivityKind) -> None:
    assert Evidence().plus(kind) == EXPECTED_PLUS[kind]


@pytest.mark.parametrize("kind", list(ActivityKind))
def test_plus_adds_to_existing_counts_and_leaves_the_original_alone(kind: ActivityKind) -> None:
    start = Evidence(remote_touches=2, in_person_meetings=3, meals=1, proposals=4, deals_won=5)
    after = start.plus(kind)
    delta = EXPECTED_PLUS[kind]
    for field in fields(Evidence):
        assert getattr(after, field.name) == getattr(start, field.name) + getattr(delta, field.name)
    assert start == Evidence(remote_touches=2, in_person_meetings=3, meals=1, proposals=4, deals_won=5)


def test_a_lost_deal_adds_nothing() -> None:
    start = Evidence(proposals=1)
    assert start.plus(ActivityKind.LOST) == start


@pytest.mark.parametrize("kind", list(ActivityKind))
def test_a_tally_counts_an_activity_as_the_evidence_does(kind: ActivityKind) -> None:
    """Logging and the integrity check count with Tally.plus; its evidence is Evidence.plus's."""
    start = Tally(remote_touches=1, meals=2, deals_won=1, deals_lost=1, last_touch_on=date(2026, 5, 1))
    after = start.plus(kind, date(2026, 5, 2))
    assert after.evidence == start.evidence.plus(kind)
    assert after.deals_lost == start.deals_lost + int(kind is ActivityKind.LOST)
    assert after.last_touch_on == date(2026, 5, 2)


def test_a_backdated_activity_never_moves_the_last_touch_back() -> None:
    start = Tally().plus(ActivityKind.CALL, date(2026, 5, 10))
    assert start.plus(ActivityKind.VISIT, date(2026, 5, 1)).last_touch_on == date(2026, 5, 10)
    assert Tally().last_touch_on is None


def test_a_tally_raised_to_a_floor_keeps_what_is_higher() -> None:
    tally = Tally(remote_touches=3, deals_lost=2).raised_to(evidence_floor(Step.DINED))
    assert tally.evidence == Evidence(remote_touches=3, in_person_meetings=2, meals=1)
    assert tally.deals_lost == 2


def test_evidence_at_least_a_floor() -> None:
    floor = evidence_floor(Step.PROPOSED)
    assert Evidence(remote_touches=2, meals=3).at_least(floor) == Evidence(
        remote_touches=2, in_person_meetings=2, meals=3, proposals=1
    )
    assert floor.at_least(Evidence()) == floor


def test_the_tally_counters_are_its_fields_but_the_last_touch() -> None:
    assert tuple(field.name for field in fields(Tally) if field.name != "last_touch_on") == TALLY_COUNTERS


def test_activity_kind_predicates() -> None:
    assert {kind for kind in ActivityKind if kind.is_touch} == {"call", "email", "letter", "visit", "meal"}
    assert {kind for kind in ActivityKind if kind.is_deal} == {"proposed", "won", "lost"}
    assert {kind for kind in ActivityKind if kind.is_remote} == {"call", "email", "letter"}
    assert {kind for kind in ActivityKind if kind.is_in_person} == {"visit", "meal"}


# ------------------------------------------------------------------------------------------ climb


@pytest.mark.parametrize("current", LADDER)
@pytest.mark.parametrize("supported", LADDER)
def test_climb_only_moves_up(current: Step, supported: Step) -> None:
    result = climb(current, evidence_floor(supported))
    assert result.before is current
    assert result.after is max(current, supported)
    assert result.after >= current
    assert result.moved == (supported > current)


def test_a_higher_current_step_is_kept() -> None:
    # A manager set the account to 3.1 by hand; one call does not bring it down to 1.2.
    result = climb(Step.WON, Evidence(remote_touches=1))
    assert result.after is Step.WON
    assert not result.moved
    assert not result.stage_changed
    assert result.skipped == ()


def test_climb_uses_the_repeater_threshold() -> None:
    evidence = Evidence(deals_won=3)
    assert climb(Step.REPEAT, evidence).after is Step.REPEATER
    assert climb(Step.REPEAT, evidence, repeater_threshold=4).after is Step.REPEAT
    assert climb(Step.REPEAT, Evidence(deals_won=4), repeater_threshold=4).after is Step.REPEATER


def test_climb_from_name_only_to_won_skips_the_steps_between() -> None:
    result = climb(Step.NAME_ONLY, Evidence(deals_won=1))
    assert result.after is Step.WON
    assert result.moved
    assert result.stage_changed
    assert result.skipped == (Step.REMOTE, Step.MET, Step.MET_TWICE, Step.DINED, Step.PROPOSED)


@pytest.mark.parametrize(("before", "after"), list(itertools.combinations_with_replacement(LADDER, 2)))
def test_skipped_lists_exactly_the_steps_strictly_between(before: Step, after: Step) -> None:
    result = Climb(before=before, after=after)
    expected = tuple(step for step in LADDER if before < step < after)
    assert result.skipped == expected
    assert result.moved == (before != after)
    assert result.stage_changed == (before.stage != after.stage)


def test_one_step_up_skips_nothing() -> None:
    for lower, upper in itertools.pairwise(LADDER):
        assert Climb(before=lower, after=upper).skipped == ()


@pytest.mark.parametrize(
    ("before", "after", "changed"),
    [
        (Step.NAME_ONLY, Step.REMOTE, False),
        (Step.REMOTE, Step.MET, False),
        (Step.MET, Step.MET_TWICE, True),
        (Step.MET_TWICE, Step.PROPOSED, False),
        (Step.PROPOSED, Step.WON, True),
        (Step.WON, Step.REPEAT, False),
        (Step.REPEAT, Step.REPEATER, True),
        (Step.NAME_ONLY, Step.REPEATER, True),
        (Step.DINED, Step.DINED, False),
    ],
)
def test_stage_changed(before: Step, after: Step, changed: bool) -> None:
    assert Climb(before=before, after=after).stage_changed is changed


# -------------------------------------------------------------------------------- evidence_floor


@pytest.mark.parametrize("step", LADDER)
def test_evidence_floor_supports_exactly_that_step(step: Step) -> None:
    floor = evidence_floor(step)
    assert step_for(floor) is step


@pytest.mark.parametrize("step", LADDER)
def test_evidence_floor_then_the_next_activity_continues_the_ladder(step: Step) -> None:
    # Logging on top of an imported step never goes down and, for the right activity, goes one up.
    floor = evidence_floor(step)
    for kind in ActivityKind:
        assert step_for(floor.plus(kind)) >= step


def test_evidence_floors_grow_up_the_ladder() -> None:
    for lower, upper in itertools.pairwise(LADDER):
        low, high = evidence_floor(lower), evidence_floor(upper)
        assert step_for(high) > step_for(low)


def test_the_evidence_is_read_from_the_five_counters_of_a_tally_or_a_stored_account() -> None:
    tally = Tally(remote_touches=3, in_person_meetings=2, meals=1, proposals=1, deals_won=4, deals_lost=5)
    expected = Evidence(remote_touches=3, in_person_meetings=2, meals=1, proposals=1, deals_won=4)
    assert evidence_of(tally) == tally.evidence == expected
    account = Account(remote_touches=3, in_person_meetings=2, meals=1, proposals=1, deals_won=4, deals_lost=5)
    assert account.evidence == expected  # the lost deals count nowhere on the ladder
