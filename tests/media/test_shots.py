"""Shot boundaries: precision and recall at ±2 frames on edits whose cut points are known."""

from __future__ import annotations

import itertools
from pathlib import Path

from avbase.media.shots import detect_shots
from tests.media.synthetic import splice

# Pieces of single-shot corpus clips (camera footage, bars, a fire): every cut in the edit is one we made.
PIECES = [
    ("bottle.mp4", 2, 40), ("person.mp4", 10, 35), ("example_16s.mp4", 1, 30), ("smpte_1080p.mp4", 6, 28),
    ("person.mp4", 60, 50), ("bottle.mp4", 20, 25), ("smpte_1080p.mp4", 2, 20), ("fire2.mp4", 0.5, 18),
    ("example_16s.mp4", 8, 30), ("person.mp4", 100, 40), ("bottle.mp4", 30, 45),
]  # fmt: skip


def precision_recall(truth: list[int], found: list[int], tolerance: int = 2) -> tuple[float, float]:
    used: set[int] = set()
    matched = 0
    for cut in truth:
        hit = next((f for f in found if abs(f - cut) <= tolerance and f not in used), None)
        if hit is not None:
            matched += 1
            used.add(hit)
    return (matched / len(found) if found else 1.0), (matched / len(truth) if truth else 1.0)


def test_hard_cuts_in_a_spliced_edit_are_found_within_two_frames(corpus: Path, tmp_path: Path) -> None:
    truth = splice(tmp_path / "edit.mp4", corpus, PIECES)
    shots = detect_shots(tmp_path / "edit.mp4")
    precision, recall = precision_recall(truth, [shot.start_frame for shot in shots[1:]])
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.95, (precision, recall, truth, [s.start_frame for s in shots])
    assert shots[0].start == 0.0 and shots[-1].end_frame == sum(frames for _, _, frames in PIECES)
    assert all(a.end_frame == b.start_frame for a, b in itertools.pairwise(shots))


def test_single_shot_clips_stay_one_shot_and_the_cartoon_gets_its_own_shot_list(corpus: Path) -> None:
    for name in ("bottle.mp4", "example_16s.mp4", "smpte_1080p.mp4", "person.mp4"):
        assert len(detect_shots(corpus / name)) == 1, name
    # Big Buck Bunny's opening: a fade in from black (no boundary), cuts at frames 283, 376 and 551; the
    # encoder's key frames at 58, 267, 504 and 679 and the title fading in and out are not boundaries.
    shots = detect_shots(corpus / "bbb_0_30.webm")
    assert [(shot.start_frame, shot.transition) for shot in shots] == [
        (0, "start"), (283, "cut"), (376, "cut"), (551, "cut")
    ]  # fmt: skip


# Dissolves (12 to 30 frames), fades through black and one hard cut, between single-shot clips.
GRADUAL = [
    ("bottle.mp4", 2, 60), ("person.mp4", 10, 65, "dissolve", 16), ("example_16s.mp4", 1, 60, "fade", 16),
    ("smpte_1080p.mp4", 6, 60, "dissolve", 24), ("person.mp4", 60, 60, "cut", 0),
    ("bottle.mp4", 20, 60, "dissolve", 12), ("bottle.mp4", 30, 60, "fade", 20),
    ("example_16s.mp4", 8, 65, "dissolve", 30), ("person.mp4", 100, 40, "dissolve", 20),
]  # fmt: skip


def test_dissolves_and_fades_are_found_within_their_length_and_named(corpus: Path, tmp_path: Path) -> None:
    truth = splice(tmp_path / "gradual.mp4", corpus, GRADUAL)
    shots = detect_shots(tmp_path / "gradual.mp4")
    found = {shot.start_frame: shot.transition for shot in shots[1:]}
    assert len(found) == len(truth), (truth, found)
    for boundary, piece in zip(truth, GRADUAL[1:], strict=True):
        kind, length = piece[3], piece[4]  # type: ignore[misc]
        frame = min(found, key=lambda candidate: abs(candidate - boundary))
        assert abs(frame - boundary) <= max(2, length // 2), (boundary, frame, kind)
        assert found[frame] == kind, (boundary, found)
    assert shots[0].transition == "start"
