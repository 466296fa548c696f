"""On-screen text (Chinese and English) with RapidOCR, whose wheel ships its ONNX models: nothing is
downloaded. Frames are read from the proxy (720p at most, cheap to decode) once a second and at each shot's
keyframe; a frame that looks like the last one read reuses its text. Lines seen in consecutive samples at
about the same place are one record with the time range they were on screen."""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import av
import numpy as np
from numpy.typing import NDArray

SAMPLE_EVERY = 1.0  # seconds
MIN_CONFIDENCE = 0.6
SAME_TEXT = 0.75  # similarity at which two readings are the same caption (OCR varies a character or two)
SAME_FRAME = 2.0  # mean difference (0–255) of 64×36 grey thumbnails below which a frame is not read again


@dataclass(frozen=True)
class Line:
    text: str
    box: tuple[float, float, float, float]  # left, top, right, bottom as fractions of the frame
    confidence: float


@dataclass
class TextRecord:
    text: str
    start: float
    end: float
    box: tuple[float, float, float, float]
    confidence: float
    last_seen: float = field(default=0.0, repr=False)

    def to_json(self) -> dict[str, Any]:
        return {"text": self.text, "start": round(self.start, 3), "end": round(self.end, 3),
                "box": [round(v, 4) for v in self.box], "confidence": round(self.confidence, 3)}  # fmt: skip


class Reader(Protocol):
    def __call__(self, image: NDArray[np.uint8]) -> list[Line]: ...


@lru_cache(maxsize=1)
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR  # imported late: loading the models takes a moment

    return RapidOCR()


def _meaningful(text: str, score: float) -> bool:
    """A lone mark ("X", "口") is mostly texture read as text; a lone Chinese character must be clear."""
    if len(text) >= 2:
        return True
    return bool(text) and "\u4e00" <= text <= "\u9fff" and score >= 0.9


def rapid_reader(image: NDArray[np.uint8]) -> list[Line]:
    """Lines of text in an RGB image, with their box as fractions of the image."""
    result, _elapsed = _engine()(image)
    height, width = image.shape[:2]
    lines = []
    for points, text, score in result or []:
        xs = [point[0] for point in points]
        ys = [point[1] for point in points]
        box = (min(xs) / width, min(ys) / height, max(xs) / width, max(ys) / height)
        if float(score) >= MIN_CONFIDENCE and _meaningful(text.strip(), float(score)):
            lines.append(Line(text.strip(), box, float(score)))
    return lines


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over the smaller box: a caption that grows by a word still overlaps itself."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / smaller if smaller > 0 else 0.0


def merge(samples: list[tuple[float, list[Line]]], every: float = SAMPLE_EVERY) -> list[TextRecord]:
    """Lines from frames in time order → records. A line continues an open record when the text is about
    the same and the place overlaps; a record not seen for longer than one sample gap is closed."""
    done: list[TextRecord] = []
    open_records: list[TextRecord] = []
    previous_time: float | None = None
    for time, lines in samples:
        gap = every if previous_time is None else max(every, time - previous_time)
        still_open = []
        for record in open_records:
            if time - record.last_seen > gap + 1e-6:
                done.append(record)
            else:
                still_open.append(record)
        open_records = still_open
        for line in lines:
            match = next(
                (r for r in open_records if r.last_seen < time and _overlap(r.box, line.box) > 0.5
                 and SequenceMatcher(None, r.text, line.text).ratio() >= SAME_TEXT),
                None,
            )  # fmt: skip
            if match is None:
                open_records.append(
                    TextRecord(line.text, time, time + every, line.box, line.confidence, time)
                )
                continue
            match.last_seen, match.end = time, time + every
            if line.confidence > match.confidence:  # keep the clearest reading
                match.text, match.box, match.confidence = line.text, line.box, line.confidence
        previous_time = time
    done.extend(open_records)
    return sorted(done, key=lambda record: (record.start, record.box[1]))


@dataclass(frozen=True)
class OcrRun:
    records: list[TextRecord]
    frames_read: int
    frames_reused: int
    seconds: float


def read_video_text(
    proxy: Path, keyframe_times: list[float], reader: Reader = rapid_reader, every: float = SAMPLE_EVERY
) -> OcrRun:
    started = clock.perf_counter()
    extra = sorted(set(round(time, 3) for time in keyframe_times))
    samples: list[tuple[float, list[Line]]] = []
    read = reused = 0
    last_thumb: NDArray[np.float32] | None = None
    last_lines: list[Line] = []
    due = 0.0
    with av.open(str(proxy)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            time = float(frame.time) if frame.time is not None else 0.0
            wanted = time + 1e-6 >= due or (extra and time + 1e-6 >= extra[0])
            if not wanted:
                continue
            due = max(due + every, time + every * 0.5) if time + 1e-6 >= due else due
            while extra and time + 1e-6 >= extra[0]:
                extra.pop(0)
            thumb = np.asarray(frame.reformat(width=64, height=36, format="gray").to_ndarray(), np.float32)
            if last_thumb is not None and float(np.abs(thumb - last_thumb).mean()) < SAME_FRAME:
                reused += 1
            else:
                last_lines = reader(np.asarray(frame.to_ndarray(format="rgb24"), np.uint8))
                read += 1
            last_thumb = thumb
            samples.append((time, last_lines))
    return OcrRun(merge(samples, every), read, reused, round(clock.perf_counter() - started, 3))
