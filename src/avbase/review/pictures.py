"""Black and frozen pictures from small frames (64×36 RGB), one frame at a time. Pure: NumPy in, stretches
out; thresholds come from the delivery profile."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from avbase.review.stretches import Stretch, stretches

Frame = NDArray[np.uint8]  # height × width × 3 (R'G'B', gamma encoded)
LUMA = np.array([0.2126, 0.7152, 0.0722], np.float32)  # BT.709


def luma(frame: Frame) -> NDArray[np.float32]:
    """Y' in 0–1 of each pixel."""
    return np.asarray(frame, np.float32) @ LUMA / 255.0


class PictureChecks:
    """Collects, per frame, the share of black pixels and the change from the frame before."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.black_share: list[float] = []
        self.change: list[float] = []  # mean absolute Y' difference to the previous frame (first: 1.0)
        self.previous: NDArray[np.float32] | None = None

    def add(self, time: float, frame: Frame, *, black_pixel: float) -> None:
        grey = luma(frame)
        self.times.append(time)
        self.black_share.append(float((grey <= black_pixel).mean()))
        self.change.append(1.0 if self.previous is None else float(np.abs(grey - self.previous).mean()))
        self.previous = grey

    @property
    def frame_step(self) -> float:
        if len(self.times) < 2:
            return 0.04
        return float(np.median(np.diff(self.times)))

    def black(self, *, share: float, min_seconds: float) -> list[Stretch]:
        """Stretches of frames whose black pixels make ``share`` of the picture or more."""
        flags = np.asarray(self.black_share) >= share
        return stretches(flags, self.times, self.frame_step, min_seconds=min_seconds)

    def frozen(self, *, noise: float, min_seconds: float, black: list[Stretch]) -> list[Stretch]:
        """Runs of frames that do not change (beyond ``noise``, mean |ΔY'|), each from the frame it repeats;
        a frozen stretch inside a black one is black, not frozen. Runs apart stay apart: pictures that
        change every few frames (a reversing pattern, a fast slideshow) are not one long freeze."""
        change = np.asarray(self.change)
        if change.size < 2:
            return []
        same = change < noise  # frame i equals frame i-1
        for stretch in black:
            same[stretch.first : stretch.last + 1] = False
        found = []
        for run in stretches(same, self.times, self.frame_step):
            first = max(run.first - 1, 0)
            start = round(self.times[first], 3)
            if run.end - start >= min_seconds - 1e-9:
                found.append(Stretch(start, run.end, first, run.last))
        return found
