"""On-screen text (Chinese and English) with RapidOCR, whose wheel ships its ONNX models: nothing is
downloaded. Frames are read from the proxy (720p at most, cheap to decode) every half second and at each
shot's keyframe, and what to read is decided by the text regions, not by the frame as a whole:

1. A cheap test finds whether anything changed in any small cell of the picture (in colour: yellow on a
   pale sky hardly differs in grey) since it was last compared: a new caption in a corner of a steady
   shot changes a few cells a lot and the whole frame hardly at all. Nothing changed: the reading stands.
2. Lines already read are checked at every sample where cells inside them changed: a line whose pixels
   did not change character by character (or stroke by stroke) keeps its text; one whose pixels changed
   is recognised again where it is (a new caption in the place of the old, or none any more).
3. New text can only be where cells changed outside those lines. The text detector (the costly half)
   looks at those regions, at no more lines than the picture has: at once when they are small (a caption
   on a steady shot), once a second when the picture moves; a line it finds is looked for in the samples
   since, so its record still begins at the half second where it appeared. A line already read that the
   detector misses is checked as in 2: no gap in its record.

Lines seen in consecutive samples at about the same place with the same text (or the same text misread,
see ``same_caption``) are one record with the time range they were on screen; another text at the same
place, even one character apart, starts a new record; a record that begins or ends between two samples
with a hard cut between them begins or ends at the cut."""

from __future__ import annotations

import time as clock
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import av
import numpy as np
from numpy.typing import NDArray

SAMPLE_EVERY = 0.5  # seconds: a caption change is seen within half a second
MIN_CONFIDENCE = 0.6
SURE = 0.9  # a reading this confident is taken at its word: two sure readings that differ are two texts
SLIPS = 4  # an unsure reading may differ from the caption's by one character in this many (OCR slips)
GATE_WIDTH = 480  # the change test compares pictures (Y, U and V) this wide…
CELL = 8  # …in cells of 8×8 pixels (16×16 at 720p: smaller than a 26-pixel character)
CELL_CHANGED = 6.0  # mean difference (0–255) in one cell above which something there changed
DETECT_HEIGHT = 544  # lines the text detector sees (a multiple of 32): 26-pixel captions at 720p stay 20;
# a smaller picture is detected at its own size (scaling it up costs more than it finds)
REGION_MARGIN = 3  # cells around changed ones that the detector sees too (64 pixels at 720p: a large caption)
DETECT_EVERY = 1.0  # seconds between the detector's looks at a moving picture for new text…
DETECT_AT_ONCE = 0.15  # …while regions to look at this small (of the frame) are looked at every sample
LOOK_BACK = 2.0  # seconds of samples in which a line the detector finds is looked for (when did it appear?)
PRINT_HEIGHT = 16  # a text line's fingerprint: its pixels scaled to this height…
LINE_CHANGED = 10.0  # …and the mean difference in any character-wide block above which the text changed,
STROKE_CHANGED = (48.0, 3)  # or a difference this large at this many of its points (6 → 8, 张 → 李)
EDGE = 48  # a step in brightness (0–255) from one point to the next that makes a sharp edge
SAME_PLACE = 0.7  # intersection over union of a detected region and a line already read
TICKER_STREAK = 4  # a place whose text changed this many samples running is a counter or a clock…
TICKER_EVERY = 4.0  # …and is read again every this many seconds, not at every sample (at once when it stops)

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


def _edits(a: str, b: str) -> int:
    """Characters to insert, delete or replace to make ``a`` into ``b`` (Levenshtein distance)."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def same_caption(a: str, a_confidence: float, b: str, b_confidence: float) -> bool:
    """Whether two readings at one place are one caption. The same text is. A text that is the other cut
    short at one end (by at most half) is the same caption partly read: a detector box that clipped an end,
    a caption that grows by a word. Otherwise the two are one caption only when they differ in at most one
    character in ``SLIPS`` and one reading is unsure (below ``SURE``): a recogniser's slip shows in its
    confidence, while two sure readings that differ even in one character (第一集 → 第二集, 1:0 → 2:0) are
    two texts."""
    a, b = "".join(a.split()), "".join(b.split())
    if a == b:
        return True
    shorter, longer = sorted((a, b), key=len)
    if 2 * len(shorter) >= len(longer) and (longer.startswith(shorter) or longer.endswith(shorter)):
        return True
    unsure = min(a_confidence, b_confidence) < SURE
    return unsure and _edits(a, b) * SLIPS <= len(longer)


def _snap(time: float, after: float, cuts: list[float], latest: bool) -> float:
    """``time`` moved to the hard cut between ``after`` (exclusive) and ``time`` (inclusive), if any: text
    that was not on screen at one sample and was at the next, with a cut between them, came with the cut
    (the latest one, when ``latest``; else the earliest)."""
    between = [cut for cut in cuts if after < cut <= time + 1e-6]
    if not between:
        return time
    return max(between) if latest else min(between)


def merge(
    samples: list[tuple[float, list[Line]]],
    every: float = SAMPLE_EVERY,
    cuts: list[float] | None = None,
) -> list[TextRecord]:
    """Lines from frames in time order → records. A line continues an open record at its place when it is
    the same caption (``same_caption``); a record not seen for longer than one sample gap is closed, and so
    is one whose place shows another text (the caption changed). A record that begins at a sample after
    one without it, or ends before one without it, with a hard cut (a time in ``cuts``) in between, begins
    or ends at the cut."""
    cuts = sorted(cuts or [])
    done: list[TextRecord] = []
    open_records: list[TextRecord] = []
    previous_time: float | None = None
    for time, lines in samples:
        gap = every if previous_time is None else max(every, time - previous_time)
        still_open = []
        for record in open_records:
            if time - record.last_seen > gap + 1e-6:
                record.end = _snap(record.end, record.last_seen, cuts, latest=False)
                done.append(record)
            else:
                still_open.append(record)
        open_records = still_open
        for line in lines:
            match = next(
                (r for r in open_records if r.last_seen < time and _overlap(r.box, line.box) > 0.5
                 and same_caption(r.text, r.confidence, line.text, line.confidence)),
                None,
            )  # fmt: skip
            if match is None:
                start = time if previous_time is None else _snap(time, previous_time, cuts, latest=True)
                open_records.append(
                    TextRecord(line.text, start, time + every, line.box, line.confidence, time)
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
                record.end = _snap(time, record.last_seen, cuts, latest=False)
                open_records.remove(record)
                done.append(record)
        previous_time = time
    for record in open_records:
        record.end = _snap(record.end, record.last_seen, cuts, latest=False)
    done.extend(open_records)
    return sorted(done, key=lambda record: (record.start, record.box[1]))


def _planes(picture: NDArray[Any]) -> NDArray[Any]:
    """A picture as planes (channel, row, column): a grey picture is one plane."""
    return picture[np.newaxis] if picture.ndim == 2 else picture


def changed_cells(picture: NDArray[np.float32], reference: NDArray[np.float32] | None) -> NDArray[np.bool_]:
    """Which cells of the picture (grey, or Y, U and V planes) changed in any plane since ``reference``
    (all of them, when there is none). Colour counts: yellow text on a pale sky hardly differs in grey."""
    planes = _planes(picture)
    rows, cols = planes.shape[1] // CELL, planes.shape[2] // CELL
    if reference is None or reference.shape != picture.shape:
        return np.ones((rows, cols), np.bool_)
    difference = np.abs(planes - _planes(reference))[:, : rows * CELL, : cols * CELL]
    means = difference.reshape(-1, rows, CELL, cols, CELL).mean(axis=(2, 4)).max(axis=0)
    return np.asarray(means > CELL_CHANGED, np.bool_)


Rect = tuple[float, float, float, float]  # left, top, right, bottom as fractions of the frame


def _touch(a: Rect, b: Rect) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def _join(a: Rect, b: Rect) -> Rect:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def changed_regions(changed: NDArray[np.bool_], lines: list[Rect]) -> list[Rect]:
    """The places to look for text again: each group of neighbouring changed cells, with a margin of
    ``REGION_MARGIN`` cells, widened to the whole of every line it touches (a changed character changes
    its line), joined where they meet. One region for the whole frame when most of it changed."""
    rows, cols = changed.shape
    if changed.mean() > 0.4:
        return [(0.0, 0.0, 1.0, 1.0)] if changed.any() else []
    margin_x, margin_y = REGION_MARGIN / cols, REGION_MARGIN / rows
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


def cells_inside(shape: tuple[int, int], box: Rect) -> tuple[slice, slice]:
    """The cells of a grid of ``shape`` (rows, columns) that reach within a quarter of a cell of ``box``:
    the edges of a line's glyphs (and their compression noise) spill a little beyond the box the detector
    drew, while a character added beside it (12 or more pixels wide at 480) reaches further."""
    rows, cols = shape
    top, bottom = int(np.floor(box[1] * rows - 0.25)), int(np.ceil(box[3] * rows + 0.25))
    left, right = int(np.floor(box[0] * cols - 0.25)), int(np.ceil(box[2] * cols + 0.25))
    return slice(max(top, 0), max(bottom, 0)), slice(max(left, 0), max(right, 0))


def _pixel_rect(box: tuple[float, float, float, float], width: int, height: int) -> tuple[int, ...]:
    left, top = int(box[0] * width), int(box[1] * height)
    return left, top, max(int(box[2] * width), left + 1), max(int(box[3] * height), top + 1)


def fingerprint(
    picture: NDArray[np.float32] | NDArray[np.uint8], rect: tuple[int, ...]
) -> NDArray[np.float32]:
    """A text line's pixels (grey, or Y, U and V planes), block-averaged to about ``PRINT_HEIGHT`` rows:
    (plane, row, column)."""
    left, top, right, bottom = rect
    crop = np.asarray(_planes(picture)[:, top:bottom, left:right], np.float32)
    step = max(1, crop.shape[1] // PRINT_HEIGHT)
    rows, cols = crop.shape[1] // step, crop.shape[2] // step
    if rows == 0 or cols == 0:
        return np.asarray(crop, np.float32)
    blocks = crop[:, : rows * step, : cols * step].reshape(-1, rows, step, cols, step)
    return np.asarray(blocks.mean(axis=(2, 4)), np.float32)


def _edges(planes: NDArray[np.uint8], rect: tuple[int, ...]) -> int:
    """How many points of ``rect`` lie on a sharp edge in brightness (a step of ``EDGE`` or more to the
    next point across or down): text is made of them."""
    left, top, right, bottom = rect
    bright = np.asarray(planes[0, top:bottom, left:right], np.int16)
    across = np.abs(np.diff(bright, axis=1))[:-1, :] >= EDGE
    down = np.abs(np.diff(bright, axis=0))[:, :-1] >= EDGE
    return int((across | down).sum())


def same_print(a: NDArray[np.float32], b: NDArray[np.float32]) -> bool:
    """Whether two fingerprints of one place show the same text: compared a character-wide block at a time
    in each plane, so one changed character in a long line counts as much as a whole new line, and one
    changed stroke (a few points that differ a lot) as much as a changed character."""
    if a.shape != b.shape or a.size == 0:
        return False
    block = max(a.shape[1], 1)
    difference = np.abs(a - b)
    stroke, points = STROKE_CHANGED
    for start in range(0, a.shape[2], block):
        here = difference[:, :, start : start + block]
        if (
            float(here.mean(axis=(1, 2)).max()) > LINE_CHANGED
            or int((here.max(axis=0) > stroke).sum()) >= points
        ):
            return False
    return True


@dataclass
class _Known:
    line: Line
    quad: Quad  # where it was read, in full-frame pixels
    rect: tuple[int, ...]  # its bounding rectangle in full-frame pixels
    print: NDArray[np.float32]  # as it was when recognised
    read_at: float = 0.0  # when it was recognised
    streak: int = 0  # how many samples running the text at this place changed (0 after one where it did not)
    stale: bool = False  # kept while it ticked: its text is older than its pixels


@dataclass(frozen=True)
class OcrRun:
    records: list[TextRecord]
    frames_read: int  # samples where the text detector ran
    frames_reused: int  # samples where it did not: nothing changed, or only inside lines already read
    lines_read: int  # text lines recognised
    lines_reused: int  # lines whose pixels had not changed: their text was kept
    seconds: float


def _area(regions: list[Rect]) -> float:
    return sum((region[2] - region[0]) * (region[3] - region[1]) for region in regions)


def _box_of(points: Quad, width: int, height: int) -> Rect:
    return (float(points[:, 0].min()) / width, float(points[:, 1].min()) / height,
            float(points[:, 0].max()) / width, float(points[:, 1].max()) / height)  # fmt: skip


def _detect(reader: TextReader, frame: av.VideoFrame, regions: list[Rect]) -> list[Quad]:
    """The text lines the detector finds in ``regions`` of the frame, in full-frame pixels. It sees the
    picture at ``DETECT_HEIGHT`` lines, or at its own height (to a multiple of 32) when that is less."""
    if not regions:
        return []
    width, height = frame.width, frame.height
    lines = min(DETECT_HEIGHT, max(32, round(height / 32) * 32))
    small = frame.reformat(
        width=max(32, round(width * lines / height / 32) * 32), height=lines, format="rgb24"
    )
    picture = np.asarray(small.to_ndarray(), np.uint8)
    ratio = np.array([width / small.width, height / small.height], np.float32)
    found: list[Quad] = []
    for region in regions:
        # In detector pixels, grown to multiples of 32 (the network's stride) inside the picture.
        left, top = int(region[0] * small.width) // 32 * 32, int(region[1] * small.height) // 32 * 32
        right = min(-(-int(np.ceil(region[2] * small.width)) // 32) * 32, small.width)
        bottom = min(-(-int(np.ceil(region[3] * small.height)) // 32) * 32, small.height)
        if right - left >= 32 and bottom - top >= 32:
            offset = np.array([left, top], np.float32)
            found += [(quad + offset) * ratio for quad in reader.detect(picture[top:bottom, left:right])]
    return found


@dataclass
class _Recent:
    """A sample of the last ``LOOK_BACK`` seconds: where a line found later may already have been."""

    time: float
    index: int  # in the samples
    frame: av.VideoFrame
    planes: NDArray[np.uint8]


class _Sampler:
    """The lines of a video's samples, one sample after another, and what is kept between them.

    Lines already read are checked at every sample: changed cells inside a line get it compared with its
    fingerprint and, when its pixels changed, recognised again where it was (and dropped when nothing
    legible is there any more). New text can only be where cells changed outside the known lines: those
    cells are gathered and the detector looks at them at once when their regions are small (at most
    ``DETECT_AT_ONCE`` of the frame), else every ``DETECT_EVERY`` seconds; a line it finds is then looked
    for in the samples of the last ``LOOK_BACK`` seconds (the same pixels, else the same text read there),
    so its record begins at the sample where it first was, even when the detector missed it before. A line
    the detector finds at the place of a known one keeps its text when its pixels are the same; a known
    line that it misses is checked as above, so a flaky detection leaves no gap. A place whose text changed
    at every sample for a while (a running timecode, a clock) is read every ``TICKER_EVERY`` seconds only:
    a caption does not change that often."""

    def __init__(self, reader: TextReader) -> None:
        self.reader = reader
        self.samples: list[tuple[float, list[Line]]] = []
        self.known: list[_Known] = []
        self.reference: NDArray[np.float32] | None = None  # the small picture last compared
        self.pending: NDArray[np.bool_] | None = None  # changed cells outside known lines, not yet detected
        self.recent: list[_Recent] = []
        self.detected_at = -np.inf
        self.frames_read = self.frames_reused = self.lines_read = self.lines_reused = 0

    def add(self, time: float, frame: av.VideoFrame) -> None:
        gate_height = max(CELL, round(frame.height * GATE_WIDTH / frame.width))
        small = frame.reformat(width=GATE_WIDTH, height=gate_height, format="yuv444p").to_ndarray()
        gate = np.asarray(small, np.float32)
        changed = changed_cells(gate, self.reference)
        if self.pending is not None and self.pending.shape != changed.shape:
            self.pending = None
        detect = time - self.detected_at >= DETECT_EVERY - 1e-6
        if (
            not changed.any()
            and not (detect and self.pending is not None)
            and not any(k.stale for k in self.known)
        ):
            for k in self.known:
                k.streak = 0
            self.frames_reused += 1
            self.samples.append((time, [k.line for k in self.known]))
            return
        if changed.any():  # (a slow change adds up until it shows)
            self.reference = gate
        planes = np.asarray(frame.reformat(format="yuv444p").to_ndarray(), np.uint8)
        outside = changed.copy()
        for k in self.known:
            outside[cells_inside(changed.shape, k.line.box)] = False
        if outside.any():
            self.pending = outside if self.pending is None else self.pending | outside
        regions: list[Rect] = []
        if self.pending is not None:
            for k in self.known:  # lines read since those cells changed
                self.pending[cells_inside(changed.shape, k.line.box)] = False
            regions = changed_regions(self.pending, [k.line.box for k in self.known])
        # A small region (a caption on a steady shot) is cheap to look at now; a moving picture waits.
        looking = self.pending is not None and (detect or _area(regions) <= DETECT_AT_ONCE)
        if not looking:
            regions = []
        found = _detect(self.reader, frame, regions)
        new = self._lines(time, frame, planes, changed, regions, found)
        self.samples.append((time, [k.line for k in self.known]))
        self.frames_read, self.frames_reused = (
            self.frames_read + bool(regions),
            self.frames_reused + (not regions),
        )
        if looking:
            self._look_back(planes, new)
            self.detected_at, self.pending = time, None
        self.recent = [r for r in self.recent if time - r.time < LOOK_BACK - 1e-6]
        self.recent.append(_Recent(time, len(self.samples) - 1, frame, planes))

    def _lines(
        self,
        time: float,
        frame: av.VideoFrame,
        planes: NDArray[np.uint8],
        changed: NDArray[np.bool_],
        regions: list[Rect],
        found: list[Quad],
    ) -> list[_Known]:
        """Updates the known lines from this sample; returns those found by the detector at new places."""
        width, height = frame.width, frame.height
        boxes = [_box_of(points, width, height) for points in found]
        result: list[_Known | None] = []
        unread: list[tuple[int, Quad, Rect, _Known | None]] = []

        def check(there: _Known | None, points: Quad, box: Rect) -> None:
            """Keeps the known line ``there`` when its pixels are the same, or when it is a ticker that
            still ticks and was read less than ``TICKER_EVERY`` ago; else has ``points`` read."""
            same: _Known | None = None
            if there is not None and same_print(there.print, fingerprint(planes, there.rect)):
                same, there.streak, there.stale = there, 0, False  # a sample without a change: no ticker
            elif (
                there is not None and there.streak >= TICKER_STREAK and time - there.read_at < TICKER_EVERY
                and changed[cells_inside(changed.shape, there.line.box)].any()
            ):  # fmt: skip
                same, there.stale = there, True
            result.append(same)
            if same is None:
                unread.append((len(result) - 1, points, box, there))

        matched: set[int] = set()
        for points, box in zip(found, boxes, strict=True):
            there = next((k for k in self.known if _union_overlap(k.line.box, box) >= SAME_PLACE), None)
            if there is not None:
                matched.add(id(there))
            check(there, points, box)
        for k in self.known:
            if id(k) in matched or any(_overlap(k.line.box, box) > 0.5 for box in boxes):
                continue  # found again, or another line found in its place
            inside = changed[cells_inside(changed.shape, k.line.box)].any()
            if inside or k.stale or any(_touch(k.line.box, region) for region in regions):
                check(k, k.quad, k.line.box)  # (a ticker that stopped is read at once)
            else:
                k.streak = 0
                result.append(k)
        new: list[_Known] = []
        if unread:
            rgb = np.asarray(frame.to_ndarray(format="rgb24"), np.uint8)
            readings = self.reader.recognise(rgb, [points for _, points, _, _ in unread])
            for (index, points, box, there), (text, score) in zip(unread, readings, strict=True):
                text = text.strip()
                if score >= MIN_CONFIDENCE and _meaningful(text, score):
                    rect = _pixel_rect(box, width, height)
                    streak = there.streak + 1 if there is not None and there.line.text != text else 0
                    line = _Known(
                        Line(text, box, score), points, rect, fingerprint(planes, rect), time, streak
                    )
                    result[index] = line
                    if there is None:
                        new.append(line)
                    elif there.stale:
                        self._restate(there, line)
        self.lines_read += len(unread)
        self.lines_reused += len(result) - len(unread)
        self.known = sorted(
            (k for k in result if k is not None), key=lambda k: (k.line.box[1], k.line.box[0])
        )
        return new

    def _restate(self, ticker: _Known, line: _Known) -> None:
        """A ticker kept unread at the last sample, now read because it stopped: when the last sample's
        pixels there were already those just read, that sample showed this line, not the ticker's text."""
        if self.recent and same_print(line.print, fingerprint(self.recent[-1].planes, line.rect)):
            lines = self.samples[self.recent[-1].index][1]
            lines[:] = [line.line if other is ticker.line else other for other in lines]

    def _look_back(self, planes: NDArray[np.uint8], new: list[_Known]) -> None:
        """Puts each new line into the samples of the last ``LOOK_BACK`` seconds, latest first, for as long
        as it was there (the same pixels or, read there, the same text) and nothing was read in its place.
        A place with less than half the sharp edges it has now had no text yet: nothing to read there."""
        for line in new:
            edges = _edges(planes, line.rect)
            for recent in reversed(self.recent):
                lines = self.samples[recent.index][1]
                if any(_overlap(line.line.box, other.box) > 0.5 for other in lines):
                    break
                if 2 * _edges(recent.planes, line.rect) < edges:
                    break
                if not same_print(line.print, fingerprint(recent.planes, line.rect)):
                    rgb = np.asarray(recent.frame.to_ndarray(format="rgb24"), np.uint8)
                    ((text, score),) = self.reader.recognise(rgb, [line.quad])
                    self.lines_read += 1
                    if score < MIN_CONFIDENCE or not same_caption(
                        line.line.text, line.line.confidence, text, score
                    ):
                        break
                lines.append(line.line)


def read_video_text(
    proxy: Path,
    keyframe_times: list[float],
    reader: TextReader | None = None,
    every: float = SAMPLE_EVERY,
    cuts: list[float] | None = None,
) -> OcrRun:
    """The on-screen text of a video: a sample every ``every`` seconds and at each keyframe, merged into
    records; ``cuts`` are the times of the hard cuts (shot starts), where records begin and end when their
    text comes or goes with the cut."""
    started = clock.perf_counter()
    sampler = _Sampler(reader or RapidText())
    extra = sorted(set(round(time, 3) for time in keyframe_times))
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
            sampler.add(time, frame)
    return OcrRun(
        merge(sampler.samples, every, cuts), sampler.frames_read, sampler.frames_reused,
        sampler.lines_read, sampler.lines_reused, round(clock.perf_counter() - started, 3),
    )  # fmt: skip
