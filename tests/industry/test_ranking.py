from __future__ import annotations

import pytest

from avbase.industry.ranking import movers, score_group


def test_scores_are_weighted_min_max_within_the_group() -> None:
    subjects = {
        1: ("甲", {"revenue": 100.0, "growth": 0.30}),
        2: ("乙", {"revenue": 300.0, "growth": 0.10}),
        3: ("丙", {"revenue": 200.0, "growth": None}),
    }
    rows = score_group(subjects, [{"key": "revenue", "weight": 1}, {"key": "growth", "weight": 3}])
    scores = {r.subject_id: r.score for r in rows}
    # 甲: (1·0 + 3·100)/4 = 75; 乙: (1·100 + 3·0)/4 = 25; 丙: (1·50 + missing 0)/4 = 12.5
    assert scores == pytest.approx({1: 75.0, 2: 25.0, 3: 12.5})
    assert [r.subject_id for r in rows] == [1, 2, 3]


def test_movers_compare_with_the_previous_rank() -> None:
    rows = score_group(
        {1: ("a", {"x": 1.0}), 2: ("b", {"x": 2.0}), 3: ("c", {"x": 3.0})}, [{"key": "x", "weight": 1}]
    )
    for row, previous in zip(rows, [3, 1, None], strict=True):
        row.previous_rank = previous
    up, down = movers(rows)
    assert [(r.name, r.movement) for r in up] == [("c", 2)]
    assert [(r.name, r.movement) for r in down] == [("b", -1)]
