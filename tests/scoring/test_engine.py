"""The reweighting engine against every row of seed 003_452340df50752410.txt Appendices B, C and D (copied
here independently of scoring/policy.py), the neutral cases, earlier years and the payment adjustment."""

from decimal import Decimal
from itertools import combinations

import pytest

from scoring import engine, policy

Q, C, IA, PI = "quality", "cost", "improvement_activities", "promoting_interoperability"
ALL = (Q, C, IA, PI)

# Appendix B (traditional MIPS and MVPs): scenario → (quality, cost, IA, PI).
APPENDIX_B = [
    ((), (30, 30, 15, 25)),
    ((C,), (55, 0, 15, 30)),
    ((IA,), (45, 30, 0, 25)),
    ((PI,), (55, 30, 15, 0)),
    ((Q,), (0, 30, 15, 55)),
    ((C, PI), (85, 0, 15, 0)),
    ((C, Q), (0, 0, 15, 85)),
    ((C, IA), (70, 0, 0, 30)),
    ((PI, Q), (0, 50, 50, 0)),
    ((PI, IA), (70, 30, 0, 0)),
    ((Q, IA), (0, 30, 0, 70)),
]
# Appendix C (small practices).
APPENDIX_C = [
    ((), (30, 30, 15, 25)),
    ((C,), (55, 0, 15, 30)),
    ((IA,), (45, 30, 0, 25)),
    ((PI,), (40, 30, 30, 0)),
    ((Q,), (0, 30, 15, 55)),
    ((C, PI), (50, 0, 50, 0)),
    ((C, Q), (0, 0, 15, 85)),
    ((C, IA), (70, 0, 0, 30)),
    ((PI, Q), (0, 50, 50, 0)),
    ((PI, IA), (70, 30, 0, 0)),
    ((Q, IA), (0, 30, 0, 70)),
]
# Appendix D (APP).
APPENDIX_D = [
    ((), (50, 0, 20, 30)),
    ((PI,), (75, 0, 25, 0)),
    ((Q,), (0, 0, 25, 75)),
]
THREE_OR_FOUR = [combo for n in (3, 4) for combo in combinations(ALL, n)]
APP_TWO_PLUS = [combo for n in (2, 3) for combo in combinations((Q, IA, PI), n)]


def _as_tuple(result: engine.WeightsResult) -> tuple[int, int, int, int]:
    return tuple(result.weights[c] for c in ALL)


@pytest.mark.parametrize("year", [2024, 2025, 2026])
@pytest.mark.parametrize(("track", "rows"), [("traditional", APPENDIX_B), ("small_practice", APPENDIX_C)])
@pytest.mark.parametrize("row", range(11))
def test_appendix_b_and_c_rows(year, track, rows, row):
    reweighted, expected = rows[row]
    assert sum(expected) == 100
    result = engine.weights_for(year, track, reweighted)
    assert _as_tuple(result) == expected
    assert sum(result.weights.values()) == 100
    assert result.neutral is False
    assert result.table == "2024"
    assert result.performance_threshold == 75
    for category in reweighted:
        assert result.weights[category] == 0


@pytest.mark.parametrize("year", [2024, 2025, 2026])
@pytest.mark.parametrize(("reweighted", "expected"), APPENDIX_D)
def test_appendix_d_rows(year, reweighted, expected):
    assert sum(expected) == 100
    result = engine.weights_for(year, "app", reweighted)
    assert _as_tuple(result) == expected
    assert sum(result.weights.values()) == 100
    # Cost is always 0% under the APP, so reweighting it as well changes nothing.
    assert _as_tuple(engine.weights_for(year, "app", (*reweighted, C))) == expected


@pytest.mark.parametrize("track", ["traditional", "small_practice"])
@pytest.mark.parametrize("reweighted", THREE_OR_FOUR)
def test_three_or_four_reweighted_is_neutral(track, reweighted):
    result = engine.weights_for(2024, track, reweighted)
    assert result.neutral is True
    assert set(result.weights.values()) == {0}
    scored = engine.score(result, {})
    assert scored.final_score == 75
    assert scored.payment_adjustment.direction == "neutral"


@pytest.mark.parametrize("reweighted", APP_TWO_PLUS)
def test_app_two_or_more_reweighted_is_neutral(reweighted):
    result = engine.weights_for(2024, "app", reweighted)
    assert result.neutral is True
    assert engine.score(result, {}).final_score == 75


def test_every_table_row_sums_to_100_or_is_neutral():
    for year_policy in policy.POLICIES.values():
        for table in year_policy.tables.values():
            for row in table.values():
                assert row is policy.NEUTRAL or sum(row) == 100


def test_app_without_a_row_for_improvement_activities_alone_is_refused():
    with pytest.raises(engine.PolicyError, match="no row"):
        engine.weights_for(2024, "app", [IA])


@pytest.mark.parametrize(
    ("year", "defaults", "threshold"),
    [
        (2017, (60, 0, 15, 25), 3),
        (2018, (50, 10, 15, 25), 15),
        (2019, (45, 15, 15, 25), 30),
        (2020, (45, 15, 15, 25), 45),
        (2021, (40, 20, 15, 25), 60),
        (2022, (30, 30, 15, 25), 75),
        (2023, (30, 30, 15, 25), 75),
    ],
)
def test_earlier_years_default_weights_and_thresholds(year, defaults, threshold):
    result = engine.weights_for(year, "traditional", [])
    assert _as_tuple(result) == defaults
    assert result.performance_threshold == threshold
    assert result.table == str(year)


def test_2017_aci_moves_to_quality_and_2019_quality_absorbs_pi_to_70():
    # seed 000: ACI weight reallocated to quality; seed 001: quality "revalued at 70%".
    assert _as_tuple(engine.weights_for(2017, "traditional", [PI])) == (85, 0, 15, 0)
    assert engine.weights_for(2017, "traditional", [PI]).pi_category_name == "Advancing Care Information"
    assert _as_tuple(engine.weights_for(2019, "traditional", [PI])) == (70, 15, 15, 0)


@pytest.mark.parametrize(
    ("year", "track", "reweighted"),
    [
        (2018, "traditional", [PI]),
        (2019, "traditional", [C]),
        (2022, "traditional", [PI]),
        (2023, "small_practice", [C, PI]),
        (2021, "app", []),
    ],
)
def test_uncited_combinations_of_earlier_years_are_refused(year, track, reweighted):
    with pytest.raises(engine.PolicyError):
        engine.weights_for(year, track, reweighted)


@pytest.mark.parametrize("bad", [2016, 2027, "20x4", "", None])
def test_unknown_year_is_refused(bad):
    with pytest.raises(engine.PolicyError):
        engine.preview(year=bad, track="traditional", reweighted="")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"track": "mvp"}, "Unknown track"),
        ({"reweighted": "cost,bogus"}, "Unknown category"),
        ({"scores": "quality=101,cost=1,ia=1,pi=1"}, "from 0 to 100"),
        ({"scores": "quality=-1"}, "from 0 to 100"),
        ({"scores": "quality=abc"}, "from 0 to 100"),
        ({"scores": "quality80"}, "category=number"),
        ({"scores": "quality=80"}, "missing Cost"),
        ({"scores": "pi=80,promoting_interoperability=70"}, "given twice"),
    ],
)
def test_bad_input_raises_a_one_line_policy_error(kwargs, message):
    arguments = {"year": 2024, "track": "traditional", "reweighted": "", **kwargs}
    with pytest.raises(engine.PolicyError, match=message) as info:
        engine.preview(**arguments)
    assert "\n" not in str(info.value)


def test_category_aliases():
    assert engine.parse_categories("ia, PI ,cost,quality,pi") == (Q, C, IA, PI)
    assert engine.parse_categories(["improvement_activities", "promoting_interoperability"]) == (IA, PI)


def test_issue_example_json():
    result = engine.preview(year=2024, track="traditional", reweighted="cost,pi")
    assert result.as_dict() == {
        "year": 2024,
        "track": "traditional",
        "reweighted": ["cost", "promoting_interoperability"],
        "weights": {"quality": 85, "cost": 0, "improvement_activities": 15, "promoting_interoperability": 0},
        "neutral": False,
        "performance_threshold": 75,
        "final_score": None,
        "table": "2024",
    }


def test_final_score_is_the_weighted_sum_and_positive_adjustment_has_no_number():
    result = engine.preview(
        year=2024,
        track="traditional",
        reweighted="cost,pi",
        scores="quality=80,cost=50,improvement_activities=100,promoting_interoperability=60",
    )
    # 85% × 80 + 15% × 100 = 83; the cost and PI scores carry no weight.
    assert result.final_score == Decimal("83")
    adjustment = result.result.payment_adjustment
    assert adjustment.direction == "positive"
    assert adjustment.estimated_percent is None
    assert "budget neutrality" in adjustment.note


def test_app_gives_improvement_activities_full_credit():
    result = engine.preview(year=2024, track="app", reweighted="", scores="quality=50,pi=50,ia=0")
    # 50% × 50 + 20% × 100 (full credit) + 30% × 50 = 60
    assert result.final_score == Decimal("60")


@pytest.mark.parametrize(
    ("year", "score", "direction", "percent"),
    [
        (2024, "75", "neutral", Decimal("0")),
        (2024, "75.01", "positive", None),
        (2024, "74", "negative", Decimal("-0.16")),  # -9 × 1 / 56.25
        (2024, "46.875", "negative", Decimal("-4.50")),  # halfway between 75 and 18.75
        (2024, "18.75", "negative", Decimal("-9.00")),  # one quarter of the threshold
        (2024, "0", "negative", Decimal("-9.00")),
        (2019, "7.5", "negative", Decimal("-7.00")),
        (2017, "0", "negative", Decimal("-4.00")),
        (2018, "15", "neutral", Decimal("0")),
    ],
)
def test_payment_adjustment_linear_scale(year, score, direction, percent):
    adjustment = engine.payment_adjustment(year, Decimal(score))
    assert adjustment.direction == direction
    assert adjustment.estimated_percent == percent


def test_neutral_preview_final_score_equals_threshold_without_scores():
    data = engine.preview(year=2026, track="traditional", reweighted="quality,cost,pi,ia").as_dict()
    assert data["neutral"] is True
    assert data["final_score"] == data["performance_threshold"] == 75
    assert set(data["weights"].values()) == {0}
    assert data["payment_adjustment"]["direction"] == "neutral"
