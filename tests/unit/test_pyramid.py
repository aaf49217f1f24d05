"""The pyramid's shape: distribution over steps and stages, and the health check 1 > 2 > 3 > 4."""

from __future__ import annotations

import itertools

import pytest

from bot.domain.pyramid import Distribution, HealthProblem, distribution_from, health
from bot.domain.stages import LADDER, Stage, Step


def _by_stage(s1: int, s2: int, s3: int, s4: int) -> Distribution:
    """A distribution with these stage counts, spread over the stages' first steps."""
    return distribution_from({"name_only": s1, "met_twice": s2, "won": s3, "repeater": s4})


# ---------------------------------------------------------------------------------- distribution


def test_distribution_from_step_keys() -> None:
    dist = distribution_from({"name_only": 4, "met": 2, "proposed": 1, "repeater": 3})
    assert dist.count(Step.NAME_ONLY) == 4
    assert dist.count(Step.MET) == 2
    assert dist.count(Step.PROPOSED) == 1
    assert dist.count(Step.REPEATER) == 3
    assert dist.count(Step.REMOTE) == 0
    assert dist.total == 10


def test_distribution_from_nothing_has_every_step_at_zero() -> None:
    dist = distribution_from({})
    assert set(dist.by_step) == set(LADDER)
    assert all(dist.count(step) == 0 for step in LADDER)
    assert dist.total == 0
    assert dist.by_stage == {stage: 0 for stage in Stage}


def test_distribution_from_turns_counts_into_ints() -> None:
    # Some database drivers hand back counts as other number types.
    dist = distribution_from({"won": 2.0})  # type: ignore[dict-item]
    assert dist.count(Step.WON) == 2
    assert isinstance(dist.count(Step.WON), int)


def test_an_empty_distribution_object_counts_zero() -> None:
    dist = Distribution()
    assert dist.count(Step.MET) == 0
    assert dist.total == 0
    assert dist.by_stage == {stage: 0 for stage in Stage}


@pytest.mark.parametrize("step", LADDER)
def test_each_step_counts_towards_its_own_stage(step: Step) -> None:
    dist = distribution_from({step.value: 5})
    expected = {stage: 0 for stage in Stage}
    expected[step.stage] = 5
    assert dist.by_stage == expected


def test_by_stage_sums_the_steps_of_each_stage() -> None:
    counts = {step.value: index + 1 for index, step in enumerate(LADDER)}  # 1..9
    dist = distribution_from(counts)
    assert dist.by_stage == {
        Stage.ACQUAINTANCE: 1 + 2 + 3,
        Stage.PROSPECT: 4 + 5 + 6,
        Stage.CUSTOMER: 7 + 8,
        Stage.REPEATER: 9,
    }
    assert sum(dist.by_stage.values()) == dist.total == 45


# ----------------------------------------------------------------------------------------- health


@pytest.mark.parametrize(
    "counts",
    [(4, 3, 2, 1), (100, 50, 10, 0), (3, 2, 1, 0), (1000, 999, 998, 997)],
)
def test_a_strictly_decreasing_pyramid_is_healthy(counts: tuple[int, int, int, int]) -> None:
    check = health(_by_stage(*counts))
    assert check.healthy
    assert check.problems == ()
    assert not check.empty


def test_an_empty_pyramid_is_not_healthy() -> None:
    check = health(distribution_from({}))
    assert check.empty
    assert not check.healthy


@pytest.mark.parametrize(
    ("counts", "codes"),
    [
        ((3, 3, 2, 1), ["health_1_2"]),
        ((4, 2, 2, 1), ["health_2_3"]),
        ((4, 3, 1, 1), ["health_3_4"]),
        ((1, 1, 1, 1), ["health_1_2", "health_2_3", "health_3_4"]),
        ((1, 2, 3, 4), ["health_1_2", "health_2_3", "health_3_4"]),
        ((5, 0, 0, 0), ["health_2_3", "health_3_4"]),
        ((5, 6, 1, 0), ["health_1_2"]),
        ((0, 0, 0, 1), ["health_1_2", "health_2_3", "health_3_4"]),
    ],
)
def test_equal_or_inverted_neighbours_are_problems(
    counts: tuple[int, int, int, int], codes: list[str]
) -> None:
    check = health(_by_stage(*counts))
    assert not check.healthy
    assert not check.empty
    assert [problem.code for problem in check.problems] == codes


def test_problems_carry_the_stages_and_their_counts() -> None:
    check = health(_by_stage(2, 5, 1, 0))
    assert check.problems == (
        HealthProblem(lower=Stage.ACQUAINTANCE, upper=Stage.PROSPECT, lower_count=2, upper_count=5),
    )
    problem = check.problems[0]
    assert problem.code == "health_1_2"


def test_problem_codes_for_every_link() -> None:
    codes = {
        HealthProblem(lower=lower, upper=upper, lower_count=0, upper_count=0).code
        for lower, upper in itertools.pairwise(Stage)
    }
    assert codes == {"health_1_2", "health_2_3", "health_3_4"}


def test_health_uses_stage_totals_not_single_steps() -> None:
    # Stage 1 is split over three steps (2 + 2 + 2 = 6) and still outnumbers stage 2 (5).
    dist = distribution_from(
        {
            "name_only": 2,
            "remote": 2,
            "met": 2,
            "met_twice": 1,
            "dined": 2,
            "proposed": 2,
            "won": 2,
            "repeater": 1,
        }
    )
    assert dist.by_stage == {
        Stage.ACQUAINTANCE: 6,
        Stage.PROSPECT: 5,
        Stage.CUSTOMER: 2,
        Stage.REPEATER: 1,
    }
    assert health(dist).healthy


def test_every_combination_of_small_counts_follows_the_rule() -> None:
    for counts in itertools.product(range(3), repeat=4):
        check = health(_by_stage(*counts))
        strictly_decreasing = counts[0] > counts[1] > counts[2] > counts[3]
        assert check.healthy == strictly_decreasing, counts
        assert check.empty == (sum(counts) == 0)
        expected = [f"health_{i + 1}_{i + 2}" for i in range(3) if counts[i] <= counts[i + 1]]
        assert [problem.code for problem in check.problems] == expected
