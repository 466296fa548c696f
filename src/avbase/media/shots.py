"""Shot boundaries from one decoding pass at low resolution: hard cuts, dissolves and fades.

Each frame is reduced to a 64×36 RGB thumbnail, and four signals are kept per frame:

- the colour-histogram distance to the previous frame: a hard cut is a spike far above the usual level
  around it (an adaptive threshold, so motion and camera moves, which raise it gradually, are not cuts);
- the histogram distance across a window of ``2 * HALF`` frames centred on the frame, and
- how far the centre frame is from the average of the window's two ends, relative to their difference: in a
  dissolve or fade each frame is a linear mix of the two shots, so the centre of the mix is the average of
  its ends, while motion leaves a large residue;
- the mean brightness, which tells a fade (through black) from a dissolve.

Pure: a path in, shots out. Whoever needs the decoded frames (thumbnails) listens with ``on_frame``, so the
file is decoded once.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray

THUMB = (64, 36)
BINS = 8
WINDOW = 12  # frames on each side for the local baseline of hard cuts
MIN_SHOT_FRAMES = 6  # two boundaries closer than this are one (flash frames, encoder glitches)
ABSOLUTE = 0.30  # histogram L1 distance (0–2) a cut must reach in any case
RELATIVE = 4.0  # and how many times the local median
ABRUPT = 0.3  # smallest residue of frame i against the average of frames i-2 and i+2 for a hard cut
HALF = 8  # half the window in which a gradual transition is looked for
GRADUAL_SPAN = 0.45  # histogram distance across the window a dissolve must reach
LINEARITY = 0.25  # largest residue of the centre frame against the window ends' average (0 = a pure mix)
EDGE_LINEARITY = 0.42  # the same on edges
DARK = 18.0  # mean brightness (0–255) below which a frame is black, for fades
FADE_MAX = 75  # frames: a longer black stretch is a shot of its own

FrameListener = Callable[[float, "av.VideoFrame"], None]


@dataclass(frozen=True)
class Shot:
    index: int
    start_frame: int
    end_frame: int  # exclusive
    start: float  # seconds
    end: float
    transition: str = "cut"  # how the shot begins: start | cut | dissolve | fade


@dataclass
class FrameSignals:
    """Per-frame measurements of one decoding pass (index = frame number)."""

    times: list[float] = field(default_factory=list)
    step: list[float] = field(default_factory=list)  # histogram distance to the previous frame
    span: list[float] = field(default_factory=list)  # histogram distance across the window centred here
    residue: list[float] = field(default_factory=list)  # centre frame vs the window ends' average
    edge_residue: list[float] = field(default_factory=list)  # the same on the frames' edges
    near_residue: list[float] = field(default_factory=list)  # the same over frames i-2, i, i+2
    brightness: list[float] = field(default_factory=list)

    def arrays(self) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
        return (np.asarray(self.step, np.float64), np.asarray(self.span, np.float64),
                np.asarray(self.residue, np.float64))  # fmt: skip


def _histogram(thumb: NDArray[np.uint8]) -> NDArray[np.float64]:
    quantised = (thumb // (256 // BINS)).reshape(-1, 3).astype(np.int64)
    codes = quantised[:, 0] * BINS * BINS + quantised[:, 1] * BINS + quantised[:, 2]
    counts = np.bincount(codes, minlength=BINS**3).astype(np.float64)
    normalised: NDArray[np.float64] = counts / counts.sum()
    return normalised


def _residue(first: NDArray[np.float32], centre: NDArray[np.float32], last: NDArray[np.float32]) -> float:
    """How far the centre is from the average of the ends, relative to how far apart the ends are."""
    spread = float(np.abs(last - first).mean())
    mix = float(np.abs(centre - (first + last) / 2).mean())
    return mix / spread if spread > 1.0 else 1.0


def measure(path: Path, on_frame: FrameListener | None = None) -> FrameSignals:
    """Decodes the first video stream once and measures every frame."""
    signals = FrameSignals()
    recent: deque[tuple[NDArray[np.float32], NDArray[np.float32], NDArray[np.float64]]] = deque(
        maxlen=2 * HALF + 1
    )
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            time = float(frame.time) if frame.time is not None else 0.0
            if on_frame is not None:
                on_frame(time, frame)
            # FAST_BILINEAR: the thumbnail only feeds histograms and averages, and scaling is the costly step.
            small = frame.reformat(
                width=THUMB[0], height=THUMB[1], format="rgb24", interpolation="FAST_BILINEAR"
            ).to_ndarray()
            pixels = np.asarray(small, np.float32)
            histogram = _histogram(np.asarray(small, np.uint8))
            signals.times.append(time)
            signals.brightness.append(float(pixels.mean()))
            # Edges too, not only pixels, for the mix test: two frames of a moving camera average into a blur
            # close to the frame between them, but their edges do not line up.
            edges = np.concatenate((np.diff(pixels, axis=0).ravel(), np.diff(pixels, axis=1).ravel()))
            signals.step.append(float(np.abs(histogram - recent[-1][2]).sum()) if recent else 0.0)
            signals.span.append(0.0)
            signals.residue.append(1.0)
            signals.edge_residue.append(1.0)
            signals.near_residue.append(1.0)
            recent.append((pixels.ravel(), edges, histogram))
            if len(recent) >= 5:
                signals.near_residue[-3] = _residue(recent[-5][0], recent[-3][0], recent[-1][0])
            if len(recent) == recent.maxlen:
                first, centre, last = recent[0], recent[HALF], recent[-1]
                signals.span[-1 - HALF] = float(np.abs(last[2] - first[2]).sum())
                signals.residue[-1 - HALF] = _residue(first[0], centre[0], last[0])
                signals.edge_residue[-1 - HALF] = _residue(first[1], centre[1], last[1])
    return signals


def cut_frames(step: NDArray[np.float64]) -> list[int]:
    """Frames that start a new shot by a hard cut: local spikes above both thresholds, at least
    MIN_SHOT_FRAMES apart."""
    cuts: list[int] = []
    for index in range(1, len(step)):
        lo, hi = max(1, index - WINDOW), min(len(step), index + WINDOW + 1)
        around = np.delete(step[lo:hi], index - lo)
        baseline = float(np.median(around)) if around.size else 0.0
        value = float(step[index])
        if value < ABSOLUTE or value < RELATIVE * baseline:
            continue
        if value < float(step[max(1, index - 1) : index + 2].max()):
            continue  # not the peak of its neighbourhood
        if cuts and index - cuts[-1] < MIN_SHOT_FRAMES:
            if value > float(step[cuts[-1]]):
                cuts[-1] = index
            continue
        cuts.append(index)
    return cuts


def gradual_frames(signals: FrameSignals, cuts: list[int]) -> list[int]:
    """Centres of dissolves: the window's ends differ like two shots, its centre is their mix in pixels and
    in edges (the most linear point of its neighbourhood), no frame in it is black (fades are found by
    brightness) and no hard cut is near."""
    _, span, residue = signals.arrays()
    score = np.maximum(residue / LINEARITY, np.asarray(signals.edge_residue) / EDGE_LINEARITY)
    found: list[int] = []
    for index in range(HALF, len(span) - HALF):
        window = slice(index - HALF, index + HALF + 1)
        if span[index] < GRADUAL_SPAN or score[index] > 1.0 or score[index] > score[window].min():
            continue
        if min(signals.brightness[window]) < DARK or any(abs(index - cut) <= HALF for cut in cuts):
            continue
        if found and index - found[-1] <= 2 * HALF:
            continue
        found.append(index)
    return found


def fade_frames(brightness: list[float]) -> list[int]:
    """Fades through black: a black stretch of at most FADE_MAX frames with picture on both sides. The new
    shot starts after the last of its darkest frames, where the fade in begins."""
    found: list[int] = []
    index = 0
    while index < len(brightness):
        if brightness[index] >= DARK:
            index += 1
            continue
        end = index
        while end < len(brightness) and brightness[end] < DARK:
            end += 1
        if index > 0 and end < len(brightness) and end - index <= FADE_MAX:
            darkest = min(brightness[index:end])
            found.append(max(i for i in range(index, end) if brightness[i] <= darkest + 1.0) + 1)
        index = end
    return found


def boundaries(signals: FrameSignals) -> dict[int, str]:
    """Frame number → how the shot starting there begins (cut, dissolve or fade)."""
    fades = fade_frames(signals.brightness)
    # A spike is a cut only if the frame is not a mix of the frames around it: the steps of a short
    # dissolve or of a fade ramp also jump between histogram bins.
    cuts = [
        cut
        for cut in cut_frames(np.asarray(signals.step, np.float64))
        if signals.near_residue[cut] >= ABRUPT and all(abs(cut - fade) > 2 * HALF for fade in fades)
    ]
    found = dict.fromkeys(fades, "fade") | dict.fromkeys(cuts, "cut")
    for frame in gradual_frames(signals, cuts):
        if all(abs(frame - other) >= MIN_SHOT_FRAMES for other in found):
            found[frame] = "dissolve"
    return dict(sorted(found.items()))


def shots_of(signals: FrameSignals) -> list[Shot]:
    times = signals.times
    if not times:
        return []
    starts = {
        0: "start",
        **{frame: kind for frame, kind in boundaries(signals).items() if frame < len(times)},
    }
    ordered = sorted(starts)
    step = (times[-1] - times[0]) / max(len(times) - 1, 1)
    shots = []
    for number, start in enumerate(ordered):
        end = ordered[number + 1] if number + 1 < len(ordered) else len(times)
        end_time = times[end] if end < len(times) else times[-1] + step
        shots.append(Shot(number, start, end, round(times[start], 3), round(end_time, 3), starts[start]))
    return shots


def detect_shots(path: Path, on_frame: FrameListener | None = None) -> list[Shot]:
    return shots_of(measure(path, on_frame))
