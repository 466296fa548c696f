"""PySceneDetect's content detectors (``scenedetect-headless``, the ``bench`` extra) through the
shot-detector seam: each frame scaled to 256 pixels wide, as PySceneDetect's own scene manager scales it,
and fed to the detector with its default settings. Hard cuts only: every boundary is a cut."""

from __future__ import annotations

from typing import Any

import av
from av.video.reformatter import VideoReformatter
from scenedetect import FrameTimecode
from scenedetect.detectors import AdaptiveDetector as _Adaptive
from scenedetect.detectors import ContentDetector as _Content

WIDTH = 256
# Only frame numbers matter here: the detectors' minimum scene length is given in frames.
FRAME_RATE = 25.0


class _PySceneDetect:
    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.reformatter = VideoReformatter()
        self.count = 0
        self.cuts: set[int] = set()

    def add(self, frame: av.VideoFrame) -> None:
        height = max(2, round(frame.height * WIDTH / frame.width / 2) * 2)
        bgr = self.reformatter.reformat(frame, width=WIDTH, height=height, format="bgr24").to_ndarray()
        timecode = FrameTimecode(self.count, fps=FRAME_RATE)
        self.cuts.update(cut.frame_num for cut in self.engine.process_frame(timecode, bgr))
        self.count += 1

    def finish(self) -> dict[int, str]:
        if self.count:
            last = FrameTimecode(self.count - 1, fps=FRAME_RATE)
            self.cuts.update(cut.frame_num for cut in self.engine.post_process(last))
        return dict.fromkeys(sorted(self.cuts), "cut")


class ContentDetector(_PySceneDetect):
    """``scenedetect.detectors.ContentDetector``: HSV and edge change between neighbouring frames."""

    def __init__(self) -> None:
        super().__init__(_Content())


class AdaptiveDetector(_PySceneDetect):
    """``scenedetect.detectors.AdaptiveDetector``: that change against a rolling average of it."""

    def __init__(self) -> None:
        super().__init__(_Adaptive())
