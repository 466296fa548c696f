"""Each contest metric on small files scored by hand."""

from __future__ import annotations

import json
from typing import Any

import pytest

from avbase.ecosystem.metrics import METRICS, Malformed, get_metric, load_json
from avbase.kit.matching import match_windows, match_within

SHOT_TRUTH = {"videos": {"a": {"fps": 25, "cuts": [1.0, 2.0, 3.0]}, "b": {"fps": 24, "cuts": [0.5]}}}


def scored(
    metric: str, truth: dict[str, Any], submission: dict[str, Any], items: list[str] | None = None
) -> Any:
    chosen = get_metric(metric)
    read = chosen.read_truth(truth)
    return chosen.score(read, chosen.read_submission(submission, read), items or chosen.items(read))


def test_shot_f1_matches_cuts_within_two_frames_once_each_and_micro_averages() -> None:
    # a: 1.08 s is frame 27 (2 from 25: hit); 2.12 s is frame 53 (3 from 50: miss); 3.0 s hits 75; 3.04 s
    # is frame 76, near 75 which is taken: a false alarm. b (left out): its cut is missed.
    submission = {"videos": {"a": {"cuts": [1.08, 2.12, 3.0, 3.04]}}}
    result = scored("shot-f1", SHOT_TRUTH, submission)
    assert (result.details["cuts"], result.details["found"], result.details["hits"]) == (4, 4, 2)
    assert result.value == pytest.approx(0.5)
    # On video a alone: precision 2/4, recall 2/3, F1 4/7.
    assert scored("shot-f1", SHOT_TRUTH, submission, ["a"]).value == pytest.approx(4 / 7)
    perfect = {"videos": {"a": {"cuts": [1.0, 2.0, 3.0]}, "b": {"cuts": [0.5]}}}
    assert scored("shot-f1", SHOT_TRUTH, perfect).value == 1.0


def test_shot_f1_finds_the_largest_one_to_one_matching() -> None:
    # Truth at frames 10 and 11, found 8 and 11: the nearest-first choice would give 11 to frame 10 and
    # leave 8 unused; the right matching pairs 10–8 and 11–11.
    truth = {"videos": {"v": {"fps": 1, "cuts": [10, 11]}}}
    assert scored("shot-f1", truth, {"videos": {"v": {"cuts": [8, 11]}}}).value == 1.0
    assert match_within([10, 11], [8, 11], 2).hits == 2
    assert match_windows([(0, 5), (3, 4)], [3.5, 1]) == [(1, 0), (0, 1)]


@pytest.mark.parametrize(
    ("submission", "field"),
    [
        ({"videos": {"a": {"cuts": "1.0"}}}, 'videos["a"].cuts'),
        ({"videos": {"a": {"cuts": [1.0, -1]}}}, 'videos["a"].cuts[1]'),
        ({"videos": {"a": {"cuts": [1.0, True]}}}, 'videos["a"].cuts[1]'),
        ({"videos": {"a": {"cut": [1.0]}}}, 'videos["a"].cuts'),
        ({"videos": {"zz": {"cuts": []}}}, 'videos["zz"]'),
        ({"videos": {"a": []}}, 'videos["a"]'),
        ({"videos": []}, "videos"),
        ({"clips": {}}, "videos"),
        ([], "file"),
    ],
)
def test_a_malformed_submission_is_refused_naming_the_video_and_field(submission: Any, field: str) -> None:
    metric = get_metric("shot-f1")
    with pytest.raises(Malformed) as refused:
        metric.read_submission(submission, metric.read_truth(SHOT_TRUTH))
    assert refused.value.field == field
    assert field in refused.value.message.format(**refused.value.params)


def test_a_file_that_is_not_json_is_refused() -> None:
    with pytest.raises(Malformed) as refused:
        load_json(b'{"videos": ')
    assert refused.value.field == "file"
    assert load_json(json.dumps(SHOT_TRUTH).encode()) == SHOT_TRUTH


def test_a_truth_file_needs_a_frame_rate_above_zero() -> None:
    with pytest.raises(Malformed) as refused:
        get_metric("shot-f1").read_truth({"videos": {"a": {"fps": 0, "cuts": []}}})
    assert refused.value.field == 'videos["a"].fps'


def test_copy_segment_f1_needs_the_same_work_and_an_iou_of_one_half() -> None:
    truth = {"queries": {"q1": {"matches": [{"work": "W1", "start": 10, "end": 20},
                                            {"work": "W2", "start": 30, "end": 40}]},
                         "q2": {"matches": []}}}  # fmt: skip
    # W1 12–22: IoU 8/12 (hit); W2 30–33: IoU 3/10 (miss); W3: no such work in q1 (false alarm).
    submission = {"queries": {"q1": {"matches": [{"work": "W1", "start": 12, "end": 22},
                                                 {"work": "W2", "start": 30, "end": 33},
                                                 {"work": "W3", "start": 10, "end": 20}]}}}  # fmt: skip
    result = scored("copy-segment-f1", truth, submission)
    assert (result.details["matches"], result.details["found"], result.details["hits"]) == (2, 3, 1)
    assert result.value == pytest.approx(0.4)  # P 1/3, R 1/2
    with pytest.raises(Malformed) as refused:
        scored(
            "copy-segment-f1", truth, {"queries": {"q1": {"matches": [{"work": "W1", "start": 5, "end": 5}]}}}
        )
    assert refused.value.field == 'queries["q1"].matches[0].end'


def test_ocr_cer_sums_edit_distances_over_true_characters() -> None:
    truth = {"images": {"x": {"text": "你好世界"}, "y": {"text": "abc"}, "z": {"text": "ok"}}}
    submission = {"images": {"x": {"text": "你好市界"}, "y": {"text": "abcd"}, "z": {"text": "ok"}}}
    assert scored("ocr-cer", truth, submission).value == pytest.approx(2 / 9)
    assert scored("ocr-cer", truth, {"images": {}}).value == 1.0  # nothing read: every character missed
    assert not METRICS["ocr-cer"].higher_is_better


def test_loudness_mae_in_lu_refuses_a_clip_left_out() -> None:
    truth = {"clips": {"a": {"loudness": -23.0}, "b": {"loudness": -16}}}
    assert (
        scored("loudness-mae", truth, {"clips": {"a": {"loudness": -24}, "b": {"loudness": -13}}}).value
        == 2.0
    )
    with pytest.raises(Malformed) as refused:
        scored("loudness-mae", truth, {"clips": {"a": {"loudness": -24}}})
    assert refused.value.field == 'clips["b"]'
    with pytest.raises(Malformed) as refused:
        scored("loudness-mae", truth, {"clips": {"a": {"loudness": "loud"}, "b": {"loudness": 1}}})
    assert refused.value.field == 'clips["a"].loudness'


def test_classification_accuracy_counts_an_item_left_out_as_wrong() -> None:
    truth = {
        "items": {
            name: {"label": label}
            for name, label in zip("abcd", ["news", "drama", "news", "sport"], strict=True)
        }
    }
    submission = {"items": {"a": {"label": "news"}, "b": {"label": "drama"}, "c": {"label": "sport"}}}
    assert scored("classification-accuracy", truth, submission).value == 0.5
    assert scored("classification-accuracy", truth, submission, ["a", "b"]).value == 1.0


def test_an_unknown_metric_is_named_with_the_known_ones() -> None:
    with pytest.raises(Malformed) as refused:
        get_metric("bleu")
    assert refused.value.field == "metric" and "shot-f1" in str(refused.value.params["names"])


def test_the_one_pass_matching_of_equal_windows_agrees_with_the_general_one() -> None:
    import random

    rng = random.Random(7)
    for _ in range(300):
        truth = [rng.randint(0, 60) for _ in range(rng.randint(0, 12))]
        found = [rng.randint(0, 60) for _ in range(rng.randint(0, 12))]
        general = match_windows([(t - 2, t + 2) for t in truth], found)
        assert match_within(truth, found, 2).hits == len(general), (truth, found)
