"""Shot boundaries (hard cuts) from one decoding pass at low resolution.

Each frame is reduced to a 64×36 RGB thumbnail; a frame starts a new shot when its colour histogram and its
pixels both differ from the previous frame's far more than usual around it (an adaptive threshold: a cut is
a spike, while motion and camera moves raise the difference gradually). Pure: a path in, frames out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray

THUMB = (64, 36)
BINS = 8
WINDOW = 12  # frames on each side for the local baseline
MIN_SHOT_FRAMES = 6  # two cuts closer than this are one (flash frames, encoder glitches)
ABSOLUTE = 0.30  # histogram L1 distance (0–2) a cut must reach in any case
RELATIVE = 4.0  # and how many times the local median


@dataclass(frozen=True)
class Shot:
    index: int
    start_frame: int
    end_frame: int  # exclusive
    start: float  # seconds
    end: float


def _thumbnails(path: Path) -> Iterator[tuple[float, NDArray[np.uint8]]]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            # FAST_BILINEAR: the thumbnail only feeds a colour histogram, and scaling is the costly step.
            thumb = frame.reformat(
                width=THUMB[0], height=THUMB[1], format="rgb24", interpolation="FAST_BILINEAR"
            )
            small = np.asarray(thumb.to_ndarray(), np.uint8)
            yield (float(frame.time) if frame.time is not None else 0.0), small


def _histogram(thumb: NDArray[np.uint8]) -> NDArray[np.float64]:
    quantised = (thumb // (256 // BINS)).reshape(-1, 3).astype(np.int64)
    codes = quantised[:, 0] * BINS * BINS + quantised[:, 1] * BINS + quantised[:, 2]
    counts = np.bincount(codes, minlength=BINS**3).astype(np.float64)
    normalised: NDArray[np.float64] = counts / counts.sum()
    return normalised


def frame_differences(path: Path) -> tuple[list[float], NDArray[np.float64]]:
    """Frame times and, per frame, the histogram distance to the frame before (0 for the first)."""
    times: list[float] = []
    distances: list[float] = [0.0]
    previous: NDArray[np.float64] | None = None
    for time, thumb in _thumbnails(path):
        times.append(time)
        histogram = _histogram(thumb)
        if previous is not None:
            distances.append(float(np.abs(histogram - previous).sum()))
        previous = histogram
    return times, np.asarray(distances[: len(times)], dtype=np.float64)


def cut_frames(distances: NDArray[np.float64]) -> list[int]:
    """Frames that start a new shot: local spikes above both thresholds, at least MIN_SHOT_FRAMES apart."""
    cuts: list[int] = []
    for index in range(1, len(distances)):
        lo, hi = max(1, index - WINDOW), min(len(distances), index + WINDOW + 1)
        around = np.delete(distances[lo:hi], index - lo)
        baseline = float(np.median(around)) if around.size else 0.0
        value = float(distances[index])
        if value < ABSOLUTE or value < RELATIVE * baseline:
            continue
        if value < float(distances[max(1, index - 1) : index + 2].max()):
            continue  # not the peak of its neighbourhood
        if cuts and index - cuts[-1] < MIN_SHOT_FRAMES:
            if value > float(distances[cuts[-1]]):
                cuts[-1] = index
            continue
        cuts.append(index)
    return cuts


def detect_shots(path: Path) -> list[Shot]:
    times, distances = frame_differences(path)
    if not times:
        return []
    starts = [0, *cut_frames(distances)]
    step = (times[-1] - times[0]) / max(len(times) - 1, 1)
    shots = []
    for number, start in enumerate(starts):
        end = starts[number + 1] if number + 1 < len(starts) else len(times)
        end_time = times[end] if end < len(times) else times[-1] + step
        shots.append(Shot(number, start, end, round(times[start], 3), round(end_time, 3)))
    return shots
