"""The index arithmetic against values worked out by hand."""

from __future__ import annotations

import math

import pytest

from avbase.industry.composite import IndexSpec, compute, sensitivity

PILLARS = [
    {"key": "scale", "weight": 3, "indicators": [{"key": "revenue", "weight": 1}]},
    {
        "key": "innovation",
        "weight": 1,
        "indicators": [{"key": "rnd", "weight": 1}, {"key": "staff", "weight": 1, "direction": -1}],
    },
]
VALUES = {
    "A": {"revenue": 100.0, "rnd": 5.0, "staff": 10.0},
    "B": {"revenue": 300.0, "rnd": 1.0, "staff": 30.0},
    "C": {"revenue": 200.0, "rnd": 3.0, "staff": 20.0},
}


def test_min_max_normalises_weights_and_ranks() -> None:
    result = compute(IndexSpec.from_pillars("minmax", PILLARS), VALUES)
    scores = {u.unit: u for u in result.units}
    # A: revenue 0; rnd 100; staff reversed 100 → innovation 100; composite (3·0 + 1·100)/4 = 25
    # B: revenue 100; rnd 0; staff reversed 0 → 0; composite 75.   C: 50, 50 → 50.
    assert scores["A"].composite == pytest.approx(25.0)
    assert scores["B"].composite == pytest.approx(75.0)
    assert scores["C"].composite == pytest.approx(50.0)
    assert [scores[k].rank for k in "BCA"] == [1, 2, 3]
    assert result.parameters["revenue"] == {"min": 100.0, "max": 300.0}
    # Contributions add up to the composite: every value explains back to its inputs.
    for unit in result.units:
        total = sum(i.contribution for pillar in unit.indicators.values() for i in pillar.values())
        assert total == pytest.approx(unit.composite)
    assert scores["A"].indicators["innovation"]["staff"].effective_weight == pytest.approx(0.125)


def test_z_scores_use_the_population_standard_deviation() -> None:
    spec = IndexSpec.from_pillars(
        "zscore", [{"key": "scale", "weight": 1, "indicators": [{"key": "revenue", "weight": 1}]}]
    )
    result = compute(spec, VALUES)
    sd = math.sqrt(((100 - 200) ** 2 + 0 + (300 - 200) ** 2) / 3)
    assert {u.unit: u.composite for u in result.units} == pytest.approx(
        {"A": -100 / sd, "B": 100 / sd, "C": 0.0}
    )


def test_base_ratio_makes_the_base_period_100() -> None:
    spec = IndexSpec.from_pillars("base_ratio", PILLARS[:1])
    base = {"A": {"revenue": 80.0}, "B": {"revenue": 300.0}}
    result = compute(spec, {"A": {"revenue": 100.0}, "B": {"revenue": 300.0}}, base)
    assert {u.unit: u.composite for u in result.units} == pytest.approx({"A": 125.0, "B": 100.0})


def test_missing_values_are_reweighted_and_reported() -> None:
    values = {**VALUES, "D": {"revenue": 300.0, "rnd": None, "staff": None}}
    result = compute(IndexSpec.from_pillars("minmax", PILLARS), values)
    d = next(u for u in result.units if u.unit == "D")
    assert d.composite == pytest.approx(100.0)  # only the scale pillar is left
    assert d.missing == ["innovation.rnd", "innovation.staff"]


def test_equal_scores_share_a_rank() -> None:
    spec = IndexSpec.from_pillars("minmax", PILLARS[:1])
    result = compute(spec, {"A": {"revenue": 1.0}, "B": {"revenue": 2.0}, "C": {"revenue": 2.0}})
    assert {u.unit: u.rank for u in result.units} == {"A": 3, "B": 1, "C": 1}


def test_sensitivity_reports_rank_shifts_per_scenario() -> None:
    view = sensitivity(IndexSpec.from_pillars("minmax", PILLARS), VALUES)
    assert set(view.scenarios) == {
        "equal",
        "without:scale",
        "without:innovation",
        "double:scale",
        "double:innovation",
    }
    by_unit = {row.unit: row for row in view.rows}
    # Without the scale pillar only innovation counts: A (100) first, C second, B last.
    assert {u: r.ranks["without:scale"] for u, r in by_unit.items()} == {"A": 1, "B": 3, "C": 2}
    assert by_unit["B"].max_shift == 2
