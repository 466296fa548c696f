"""``shot-f1``: hard cuts found within ±2 frames at the video's frame rate, F1 micro-averaged over cuts.

Truth ``{"videos": {"NAME": {"fps": 25, "cuts": [seconds, …]}}}``; submission ``{"videos": {"NAME":
{"cuts": [seconds, …]}}}``. A cut is the time of the new shot's first frame. Times become frame numbers
at the video's rate (rounded to the nearest frame) and are matched one-to-one with the shot benchmark's
own matching (:mod:`avbase.kit.matching`). A video left out of a submission counts as no cuts found.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any

import numpy as np

from avbase.core.i18n import N_
from avbase.ecosystem.metrics.base import Metric, Result, entries, number, numbers, required, where
from avbase.kit.matching import Tally, match_within

COLLECTION = "videos"
TOLERANCE_FRAMES = 2


def frame_of(seconds: float, fps: float) -> int:
    """The frame that starts at ``seconds`` (nearest frame; a hair under a half rounds down)."""
    return math.floor(seconds * fps + 0.5 + 1e-9)


def frames_of(times: list[float], fps: float) -> list[int]:
    """:func:`frame_of` for a list, at NumPy's speed."""
    return np.floor(np.asarray(times, dtype=np.float64) * fps + (0.5 + 1e-9)).astype(np.int64).tolist()  # type: ignore[no-any-return]


def read_truth(data: Any) -> dict[str, Any]:
    videos: dict[str, Any] = {}
    for name, entry in entries(data, COLLECTION).items():
        fps = number(required(entry, "fps", where(COLLECTION, name, "fps")), where(COLLECTION, name, "fps"),
                     positive=True)  # fmt: skip
        place = where(COLLECTION, name, "cuts")
        cuts = numbers(required(entry, "cuts", place), place)
        videos[name] = {"fps": fps, "frames": sorted(frames_of(cuts, fps))}
    return videos


def read_submission(data: Any, truth: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, entry in entries(data, COLLECTION, truth=truth).items():
        place = where(COLLECTION, name, "cuts")
        cuts = numbers(required(entry, "cuts", place), place)
        fps = truth[name]["fps"]
        found[name] = frames_of(cuts, fps)
    return found


def score(truth: Mapping[str, Any], submission: Mapping[str, Any], items: Collection[str]) -> Result:
    total = Tally()
    for name in items:
        total.add(match_within(truth[name]["frames"], submission.get(name, ()), TOLERANCE_FRAMES))
    return Result(
        value=total.f1,
        items=len(items),
        details={"cuts": total.true, "found": total.found, "hits": total.hits,
                 "precision": total.precision, "recall": total.recall},
    )  # fmt: skip


METRIC = Metric(
    name="shot-f1",
    title=N_("Shot boundaries (F1 of hard cuts, ±2 frames)"),
    collection=COLLECTION,
    higher_is_better=True,
    read_truth=read_truth,
    read_submission=read_submission,
    score=score,
)
