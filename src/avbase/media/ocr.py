"""On-screen text (Chinese and English) with RapidOCR, whose wheel ships its ONNX models: nothing is
downloaded. Frames are read from the proxy (720p at most, cheap to decode) every half second and at each
shot's keyframe, and what to read is decided by the text regions, not by the frame as a whole:

1. A cheap test finds whether anything changed in any small cell of the picture since text was last
   looked for: a new caption in a corner of a steady shot changes a few cells a lot and the whole frame
   hardly at all, so cells are compared, not frames. Nothing changed: the last reading stands.
2. Otherwise the text detector finds the text regions. A region at the place of a line already read, whose
   pixels did not change character by character, keeps that line's text; only new or changed regions go
   to the (costlier) recogniser.

Lines seen in consecutive samples at about the same place with about the same text are one record with the
time range they were on screen; a different text at the same place starts a new record."""

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

SAMPLE_EVERY = 0.5  # seconds: a caption change is seen within half a second
MIN_CONFIDENCE = 0.6
SAME_TEXT = 0.75  # similarity at which two readings are the same caption (OCR varies a character or two)
GATE_WIDTH = 480  # the change test compares grey pictures this wide…
CELL = 8  # …in cells of 8×8 pixels (16×16 at 720p: smaller than a 26-pixel character)
CELL_CHANGED = 6.0  # mean difference (0–255) in one cell above which something there changed
DETECT_HEIGHT = 544  # lines the text detector sees (a multiple of 32): 26-pixel captions at 720p stay 20
PRINT_HEIGHT = 16  # a text line's fingerprint: its grey pixels scaled to this height…
LINE_CHANGED = 10.0  # …and the mean difference in any character-wide block above which the text changed
SAME_PLACE = 0.7  # intersection over union of a detected region and a line already read
TICKER_STREAK = 6  # a place whose text changed this many samples running is a counter or a clock…
TICKER_EVERY = 2.0  # …and is read again every this many seconds, not at every sample

Quad = NDArray[np.float32]  # four corner points (x, y) in image pixels, clockwise from the top left


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


class TextReader(Protocol):
    """The two halves of an OCR engine: where text is, and what it says."""

    def detect(self, image: NDArray[np.uint8]) -> list[Quad]: ...

    def recognise(self, image: NDArray[np.uint8], quads: list[Quad]) -> list[tuple[str, float]]: ...


@lru_cache(maxsize=1)
def _engine() -> Any:
    from rapidocr_onnxruntime import RapidOCR  # imported late: loading the models takes a moment

    # The detector scales nothing up (limit 32): the image it gets is already the size it should look at.
    return RapidOCR(det_limit_side_len=32, det_limit_type="min")


class RapidText:
    """RapidOCR's detector and recogniser called apart, without its upside-down classifier (captions and
    titles stand upright), so that regions already read need no recognition."""

    def detect(self, image: NDArray[np.uint8]) -> list[Quad]:
        quads, _elapsed = _engine().text_det(image)
        if quads is None or len(quads) == 0:
            return []
        return [np.asarray(quad, np.float32) for quad in _engine().sorted_boxes(quads)]

    def recognise(self, image: NDArray[np.uint8], quads: list[Quad]) -> list[tuple[str, float]]:
        if not quads:
            return []
        crops = _engine().get_crop_img_list(image, quads)
        results, _elapsed = _engine().text_rec(crops)
        return [(str(found[0]), float(found[1])) for found in results]


def _meaningful(text: str, score: float) -> bool:
    """A lone mark ("X", "口") is mostly texture read as text; a lone Chinese character must be clear."""
    if len(text) >= 2:
        return True
    return bool(text) and "\u4e00" <= text <= "\u9fff" and score >= 0.9


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    """Intersection over the smaller box: a caption that grows by a word still overlaps itself."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / smaller if smaller > 0 else 0.0


def _union_overlap(a: tuple[float, ...], b: tuple[float, ...]) -> float:
    width = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    height = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    both = width * height
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - both
    return both / union if union > 0 else 0.0


def merge(samples: list[tuple[float, list[Line]]], every: float = SAMPLE_EVERY) -> list[TextRecord]:
    """Lines from frames in time order → records. A line continues an open record when the text is about
    the same and the place overlaps; a record not seen for longer than one sample gap is closed, and so is
    one whose place shows another text (the caption changed)."""
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
        for record in [r for r in open_records if r.last_seen < time]:
            replaced = any(
                _overlap(record.box, line.box) > 0.5 and _union_overlap(record.box, line.box) > 0.3
                for line in lines
            )
            if replaced:  # another caption in its place: it ended when that one was first seen
                record.end = time
                open_records.remove(record)
                done.append(record)
        previous_time = time
    done.extend(open_records)
    return sorted(done, key=lambda record: (record.start, record.box[1]))


def changed_cells(grey: NDArray[np.float32], reference: NDArray[np.float32] | None) -> NDArray[np.bool_]:
    """Which cells of the picture changed since ``reference`` (all of them, when there is none)."""
    rows, cols = grey.shape[0] // CELL, grey.shape[1] // CELL
    if reference is None or reference.shape != grey.shape:
        return np.ones((rows, cols), np.bool_)
    difference = np.abs(grey - reference)[: rows * CELL, : cols * CELL]
    means = difference.reshape(rows, CELL, cols, CELL).mean(axis=(1, 3))
    return np.asarray(means > CELL_CHANGED, np.bool_)


Rect = tuple[float, float, float, float]  # left, top, right, bottom as fractions of the frame


def _touch(a: Rect, b: Rect) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _join(a: Rect, b: Rect) -> Rect:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def changed_regions(changed: NDArray[np.bool_], lines: list[Rect]) -> list[Rect]:
    """The places to look for text again: each group of neighbouring changed cells, with a margin of about
    a large caption's height, widened to the whole of every line it touches (a changed character changes
    its line), joined where they meet. One region for the whole frame when most of it changed."""
    rows, cols = changed.shape
    if changed.mean() > 0.4:
        return [(0.0, 0.0, 1.0, 1.0)] if changed.any() else []
    margin_x, margin_y = 5 / cols, 5 / rows
    regions: list[Rect] = []
    seen = np.zeros_like(changed)
    for row, col in zip(*np.nonzero(changed), strict=True):
        if seen[row, col]:
            continue
        seen[row, col] = True
        stack, top, left, bottom, right = [(int(row), int(col))], int(row), int(col), int(row), int(col)
        while stack:  # the cells joined to this one (8-neighbours)
            r, c = stack.pop()
            top, left, bottom, right = min(top, r), min(left, c), max(bottom, r), max(right, c)
            for nr in range(max(r - 1, 0), min(r + 2, rows)):
                for nc in range(max(c - 1, 0), min(c + 2, cols)):
                    if changed[nr, nc] and not seen[nr, nc]:
                        seen[nr, nc] = True
                        stack.append((nr, nc))
        regions.append((max(left / cols - margin_x, 0.0), max(top / rows - margin_y, 0.0),
                        min((right + 1) / cols + margin_x, 1.0),
                        min((bottom + 1) / rows + margin_y, 1.0)))  # fmt: skip
    joined = True
    while joined:  # widen to touched lines and join overlapping regions until nothing changes
        joined = False
        for index, region in enumerate(regions):
            for line in lines:
                if _touch(region, line) and _join(region, line) != region:
                    regions[index] = region = _join(region, line)
                    joined = True
            for other in range(index + 1, len(regions)):
                if _touch(region, regions[other]):
                    regions[index] = _join(region, regions.pop(other))
                    joined = True
                    break
            if joined:
                break
    if sum((r[2] - r[0]) * (r[3] - r[1]) for r in regions) > 0.6:
        return [(0.0, 0.0, 1.0, 1.0)]
    return regions


def _pixel_rect(box: tuple[float, float, float, float], width: int, height: int) -> tuple[int, ...]:
    left, top = int(box[0] * width), int(box[1] * height)
    return left, top, max(int(box[2] * width), left + 1), max(int(box[3] * height), top + 1)


def fingerprint(grey: NDArray[np.float32], rect: tuple[int, ...]) -> NDArray[np.float32]:
    """A text line's grey pixels, block-averaged to about ``PRINT_HEIGHT`` rows."""
    left, top, right, bottom = rect
    crop = grey[top:bottom, left:right]
    step = max(1, crop.shape[0] // PRINT_HEIGHT)
    rows, cols = crop.shape[0] // step, crop.shape[1] // step
    if rows == 0 or cols == 0:
        return np.asarray(crop, np.float32)
    return np.asarray(
        crop[: rows * step, : cols * step].reshape(rows, step, cols, step).mean(axis=(1, 3)), np.float32
    )


def same_print(a: NDArray[np.float32], b: NDArray[np.float32]) -> bool:
    """Whether two fingerprints of one place show the same text: compared a character-wide block at a time,
    so one changed character in a long line counts as much as a whole new line."""
    if a.shape != b.shape or a.size == 0:
        return False
    block = max(a.shape[0], 1)
    difference = np.abs(a - b)
    for start in range(0, a.shape[1], block):
        if float(difference[:, start : start + block].mean()) > LINE_CHANGED:
            return False
    return True


@dataclass
class _Known:
    line: Line
    rect: tuple[int, ...]  # in full-frame pixels
    print: NDArray[np.float32]  # as it was when recognised
    read_at: float = 0.0  # when it was recognised
    streak: int = 0  # how many samples running the text at this place changed


@dataclass(frozen=True)
class OcrRun:
    records: list[TextRecord]
    frames_read: int  # samples whose text regions were detected
    frames_reused: int  # samples where no cell changed: the last reading stood
    lines_read: int  # text regions recognised
    lines_reused: int  # text regions whose pixels had not changed: their text was kept
    seconds: float


def _lines(
    reader: TextReader,
    frame: av.VideoFrame,
    grey: NDArray[np.float32],
    known: list[_Known],
    changed: NDArray[np.bool_],
    time: float = 0.0,
) -> tuple[list[_Known], int, int]:
    """The frame's lines: those outside every changed region as they were; in the changed regions, the
    text detected, each line kept from ``known`` when its pixels are the same, else recognised. A place
    whose text changed at every sample for a while (a running timecode, a clock) is read every
    ``TICKER_EVERY`` seconds only: a caption does not change that often. Returns the lines and how many
    were recognised and kept."""
    width, height = frame.width, frame.height
    regions = changed_regions(changed, [k.line.box for k in known])
    scale = DETECT_HEIGHT / height
    small = frame.reformat(
        width=max(32, round(width * scale / 32) * 32), height=DETECT_HEIGHT, format="rgb24"
    )
    picture = np.asarray(small.to_ndarray(), np.uint8)
    found: list[Quad] = []
    for region in regions:
        # In detector pixels, grown to multiples of 32 (the network's stride) inside the picture.
        left, top = int(region[0] * small.width) // 32 * 32, int(region[1] * small.height) // 32 * 32
        right = min(-(-int(np.ceil(region[2] * small.width)) // 32) * 32, small.width)
        bottom = min(-(-int(np.ceil(region[3] * small.height)) // 32) * 32, small.height)
        if right - left >= 32 and bottom - top >= 32:
            offset = np.array([left, top], np.float32)
            found += [quad + offset for quad in reader.detect(picture[top:bottom, left:right])]
    ratio = np.array([width / small.width, height / small.height], np.float32)
    result: list[_Known | None] = [k for k in known if not any(_touch(k.line.box, r) for r in regions)]
    untouched = len(result)
    unread: list[tuple[int, Quad, tuple[float, float, float, float], _Known | None]] = []
    for quad in found:
        points = quad * ratio
        box = (float(points[:, 0].min()) / width, float(points[:, 1].min()) / height,
               float(points[:, 0].max()) / width, float(points[:, 1].max()) / height)  # fmt: skip
        there = next((k for k in known if _union_overlap(k.line.box, box) >= SAME_PLACE), None)
        same = there if there is not None and same_print(there.print, fingerprint(grey, there.rect)) else None
        if same is None and there is not None and there.streak >= TICKER_STREAK:
            same = there if time - there.read_at < TICKER_EVERY else None
        result.append(same)
        if same is None:
            unread.append((len(result) - 1, points, box, there))
    if unread:
        rgb = np.asarray(frame.to_ndarray(format="rgb24"), np.uint8)
        readings = reader.recognise(rgb, [points for _, points, _, _ in unread])
        for (index, _points, box, there), (text, score) in zip(unread, readings, strict=True):
            text = text.strip()
            if score >= MIN_CONFIDENCE and _meaningful(text, score):
                rect = _pixel_rect(box, width, height)
                streak = there.streak + 1 if there is not None and there.line.text != text else 0
                result[index] = _Known(Line(text, box, score), rect, fingerprint(grey, rect), time, streak)
    kept = sorted((k for k in result if k is not None), key=lambda k: (k.line.box[1], k.line.box[0]))
    return kept, len(unread), len(found) - len(unread) + untouched


def read_video_text(
    proxy: Path,
    keyframe_times: list[float],
    reader: TextReader | None = None,
    every: float = SAMPLE_EVERY,
) -> OcrRun:
    started = clock.perf_counter()
    reader = reader or RapidText()
    extra = sorted(set(round(time, 3) for time in keyframe_times))
    samples: list[tuple[float, list[Line]]] = []
    frames_read = frames_reused = lines_read = lines_reused = 0
    reference: NDArray[np.float32] | None = None  # the small grey picture where text was last looked for
    known: list[_Known] = []
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
            gate_height = max(CELL, round(frame.height * GATE_WIDTH / frame.width))
            small = frame.reformat(width=GATE_WIDTH, height=gate_height, format="gray").to_ndarray()
            gate = np.asarray(small, np.float32)
            changed = changed_cells(gate, reference)
            if not changed.any():
                frames_reused += 1
            else:
                grey = np.asarray(frame.reformat(format="gray").to_ndarray(), np.float32)
                known, read, reused = _lines(reader, frame, grey, known, changed, time)
                frames_read, lines_read, lines_reused = (
                    frames_read + 1,
                    lines_read + read,
                    lines_reused + reused,
                )
                reference = gate
            samples.append((time, [k.line for k in known]))
    return OcrRun(
        merge(samples, every), frames_read, frames_reused, lines_read, lines_reused,
        round(clock.perf_counter() - started, 3),
    )  # fmt: skip
