"""Video fingerprints: a 20-bit key per view of each sampled frame, robust to re-encoding, borders, crops,
gamma and brightness, logos, mirroring and picture-in-picture.

Frames are sampled at :data:`FPS` and scaled small (grey, :data:`DECODE_HEIGHT` lines) as they are
decoded: by :func:`sample_frames` from the file (frames no other frame refers to are not decoded at all, nor
deblocked), or by a :class:`Fingerprinter` listening to a pass that decodes the file anyway (the media job's
shot detection), so that the file is decoded once. Per frame:

1. Black bars (letterbox, pillarbox) are cut off: uniform dark rows and columns at the edges.
2. A quality gate drops featureless frames (black, flat) and synthetic ones (test patterns: mostly exactly
   flat regions), which would otherwise match anything that also shows them.
3. Each *view* (the frame, or a centred crop of it) is resampled to 32×32, replaced by its pixel ranks (so any
   monotonic change of brightness, contrast or gamma leaves it as it was) and transformed by a 2-D DCT. The
   signs of 20 low-frequency coefficients are the key. A horizontal mirror only flips the signs of the
   coefficients of odd horizontal frequency, so a query is also looked up mirrored without decoding again.

References are indexed with views at scales 1, 0.8 and 0.64 (a pirate copy cropped by up to 20 % per side
shows one of these); queries are looked up with their full frame and centred crops at 0.5–0.9 (the reference
as a picture-in-picture), each also mirrored, and with their least certain key bits flipped (multi-probe).
Which of the keys agree over time is decided by offset voting (``match.py``).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from numpy.typing import NDArray

VERSION = 1  # of the keys: a stored print of another version is made again, not reused
FPS = 4.0  # frames sampled per second
DECODE_HEIGHT = 144
GRID = 32
KEY_BITS = 24
REFERENCE_SCALES = (1.0, 0.86, 0.74, 0.63)
PIP_SCALES = (0.9, 0.8, 0.7, 0.6, 0.5)
# The weakest bits flipped in every combination on the query side: more for the whole frame (a cropped copy
# differs from the nearest reference view in 3–4 of the 24 bits), fewer for the picture-in-picture windows.
PROBE_BITS = 5
PIP_PROBE_BITS = 3
MIN_CONTRAST = 7.0  # grey levels (0–255): below this standard deviation a frame is featureless
MAX_FLAT = 0.8  # a frame with more of its pixels exactly flat is a synthetic pattern


def _dct_matrix(n: int) -> NDArray[np.float64]:
    k = np.arange(n)[:, None]
    x = np.arange(n)[None, :]
    matrix = np.cos(np.pi * (2 * x + 1) * k / (2 * n)) * np.sqrt(2.0 / n)
    matrix[0] /= np.sqrt(2.0)
    return np.asarray(matrix, np.float64)


_DCT = _dct_matrix(GRID)
# The first KEY_BITS AC coefficients in zig-zag order: (vertical, horizontal) frequency.
_ZIGZAG = sorted(
    ((v, u) for v in range(8) for u in range(8) if (v, u) != (0, 0)),
    key=lambda vu: (vu[0] + vu[1], vu[1] if (vu[0] + vu[1]) % 2 else vu[0]),
)[:KEY_BITS]
_ROWS = np.array([v for v, _u in _ZIGZAG])
_COLS = np.array([u for _v, u in _ZIGZAG])
MIRROR_SIGNS = np.where(_COLS % 2 == 1, -1.0, 1.0)  # a horizontal flip negates odd horizontal frequencies
_WEIGHTS = (1 << np.arange(KEY_BITS)).astype(np.uint32)


@dataclass
class VideoPrint:
    """Keys of a video: ``keys[i, v]`` is the key of view ``v`` of sampled frame ``i`` at ``times[i]``
    seconds; ``valid[i]`` is False for frames the quality gate dropped (their keys mean nothing)."""

    times: NDArray[np.float32]
    keys: NDArray[np.uint32]
    valid: NDArray[np.bool_]
    duration: float
    version: int = VERSION

    def save(self, path: Path) -> None:
        with path.open("wb") as handle:
            np.savez(
                handle,
                times=self.times,
                keys=self.keys,
                valid=self.valid,
                duration=self.duration,
                version=self.version,
            )

    @classmethod
    def load(cls, path: Path) -> VideoPrint:
        with np.load(path) as data:
            version = int(data["version"]) if "version" in data else 1  # prints made before it was noted
            return cls(data["times"], data["keys"], data["valid"], float(data["duration"]), version)


class FrameSampler:
    """Picks the frames to sample at ``fps`` out of decoded ones and scales each to a small grey picture
    DECODE_HEIGHT lines high, with one scaler for the whole pass (a new one per frame costs more than the
    scaling)."""

    def __init__(self, fps: float = FPS) -> None:
        self.fps = fps
        self.next_time = 0.0
        self.reformatter = VideoReformatter()

    def take(self, time: float | None, frame: av.VideoFrame) -> NDArray[np.uint8] | None:
        if time is None or time + 1e-6 < self.next_time:
            return None
        self.next_time = (np.floor(time * self.fps + 1e-6) + 1) / self.fps
        width = max(16, round(frame.width * DECODE_HEIGHT / max(frame.height, 1) / 2) * 2)
        small = self.reformatter.reformat(frame, width=width, height=DECODE_HEIGHT, format="gray")
        return np.asarray(small.to_ndarray(), np.uint8)


def sample_frames(path: Path, fps: float = FPS) -> Iterator[tuple[float, NDArray[np.uint8]]]:
    """(time, grey frame DECODE_HEIGHT lines high) at ``fps``; the frames others refer to are decoded
    (inter-coded video needs them), only the sampled ones scaled and converted."""
    with av.open(str(path)) as container:
        if not container.streams.video:
            return
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        # Frames no other frame refers to (most B-frames) are not decoded at all, and no frame is
        # deblocked: sampling a few frames a second needs neither, and decoding is most of the cost.
        stream.codec_context.skip_frame = "NONREF"
        stream.codec_context.options = {"skip_loop_filter": "all"}
        sampler = FrameSampler(fps)
        for frame in container.decode(stream):
            picture = sampler.take(frame.time, frame)
            if picture is not None:
                yield float(frame.time or 0.0), picture


def remove_borders(frame: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """The frame without uniform dark bars at its edges (at most 30 % of a side each)."""
    grey = frame.astype(np.float32)
    height, width = grey.shape

    def bar(lines: NDArray[np.float32]) -> NDArray[np.bool_]:
        # Nearly all dark: a logo or a caption may sit in a bar without making it picture.
        return (lines < 32).mean(axis=1) > 0.85  # type: ignore[no-any-return]

    rows = bar(grey)
    cols = bar(grey.T)

    def run(flags: NDArray[np.bool_], limit: int) -> int:
        count = 0
        while count < limit and flags[count]:
            count += 1
        return count

    top = run(rows, int(height * 0.3))
    bottom = run(rows[::-1], int(height * 0.3))
    left = run(cols, int(width * 0.3))
    right = run(cols[::-1], int(width * 0.3))
    return frame[top : height - bottom, left : width - right]


def is_featureless(frame: NDArray[np.uint8]) -> bool:
    """Black, flat or synthetic (a test pattern): nothing to recognise a work by."""
    if frame.size == 0 or frame.shape[0] < 8 or frame.shape[1] < 8:
        return True
    grey = frame.astype(np.int16)
    if float(grey.std()) < MIN_CONTRAST:
        return True
    flat = (np.abs(np.diff(grey, axis=0))[:, :-1] == 0) & (np.abs(np.diff(grey, axis=1))[:-1, :] == 0)
    return bool(flat.mean() > MAX_FLAT)


def _box_resample(image: NDArray[np.float32], size: int = GRID) -> NDArray[np.float32]:
    """Mean of each cell of a size×size grid over the image (area resampling), via an integral image."""
    height, width = image.shape
    if height < size or width < size:  # a tiny view: repeat pixels so every cell covers at least one
        image = np.repeat(np.repeat(image, -(-size // height), axis=0), -(-size // width), axis=1)
        height, width = image.shape
    integral = np.zeros((height + 1, width + 1), np.float64)
    integral[1:, 1:] = image.cumsum(0).cumsum(1)
    ys = np.linspace(0, height, size + 1).round().astype(int)
    xs = np.linspace(0, width, size + 1).round().astype(int)
    sums = integral[ys[1:]][:, xs[1:]] - integral[ys[:-1]][:, xs[1:]] - integral[ys[1:]][:, xs[:-1]]
    sums += integral[ys[:-1]][:, xs[:-1]]
    area = np.outer(np.diff(ys), np.diff(xs))
    return np.asarray(sums / area, np.float32)


def crop(frame: NDArray[np.uint8], scale: float, x: float = 0.5, y: float = 0.5) -> NDArray[np.uint8]:
    """The window ``scale`` times the frame's size, placed at ``x``, ``y`` (0–1) of the room left over."""
    if scale >= 1.0:
        return frame
    height, width = frame.shape
    crop_h, crop_w = max(8, round(height * scale)), max(8, round(width * scale))
    top, left = round((height - crop_h) * y), round((width - crop_w) * x)
    return frame[top : top + crop_h, left : left + crop_w]


# Query windows: centred ones for a centred picture-in-picture (one placed elsewhere is found by
# find_inset), and the larger ones also shifted, which meet the centred reference views of a copy cropped
# more on one side than the other.
PIP_WINDOWS = [(1.0, 0.5, 0.5)] + [
    (scale, x, y)
    for scale in PIP_SCALES
    for x in ((0.0, 0.5, 1.0) if scale >= 0.8 else (0.5,))
    for y in ((0.0, 0.5, 1.0) if scale >= 0.8 else (0.5,))
]


def coefficients(view: NDArray[np.uint8]) -> NDArray[np.float64]:
    """The KEY_BITS low-frequency DCT coefficients of the view's ranks on a 32×32 grid."""
    return np.asarray(coefficients_many(view, [(0, 0, view.shape[0], view.shape[1])])[0], np.float64)


Window = tuple[int, int, int, int]  # top, left, bottom, right in pixels


def window_of(shape: tuple[int, ...], scale: float, x: float = 0.5, y: float = 0.5) -> Window:
    height, width = shape[0], shape[1]
    if scale >= 1.0:
        return (0, 0, height, width)
    crop_h, crop_w = max(8, round(height * scale)), max(8, round(width * scale))
    top, left = round((height - crop_h) * y), round((width - crop_w) * x)
    return (top, left, top + crop_h, left + crop_w)


def coefficients_many(frame: NDArray[np.uint8], windows: list[Window]) -> NDArray[np.float64]:
    """:func:`coefficients` of many windows of one frame at once (one integral image, batched DCT).
    Windows smaller than the grid are left to :func:`coefficients`."""
    image = frame.astype(np.float64)
    integral = np.zeros((image.shape[0] + 1, image.shape[1] + 1), np.float64)
    integral[1:, 1:] = image.cumsum(0).cumsum(1)
    grids = np.empty((len(windows), GRID, GRID), np.float64)
    for number, (top, left, bottom, right) in enumerate(windows):
        if bottom - top < GRID or right - left < GRID:
            grids[number] = _box_resample(frame[top:bottom, left:right].astype(np.float32))
            continue
        ys = np.linspace(top, bottom, GRID + 1).round().astype(int)
        xs = np.linspace(left, right, GRID + 1).round().astype(int)
        sums = integral[ys[1:]][:, xs[1:]] - integral[ys[:-1]][:, xs[1:]] - integral[ys[1:]][:, xs[:-1]]
        sums += integral[ys[:-1]][:, xs[:-1]]
        grids[number] = sums / np.outer(np.diff(ys), np.diff(xs))
    flat = grids.reshape(len(windows), -1)
    ranks = flat.argsort(axis=1, kind="stable").argsort(axis=1).astype(np.float64) / flat.shape[1] - 0.5
    low = _DCT[:8]  # only the lowest eight frequencies each way are used
    spectra = low @ ranks.reshape(-1, GRID, GRID) @ low.T
    return np.asarray(spectra[:, _ROWS, _COLS], np.float64)


def key_of(coefs: NDArray[np.float64]) -> np.uint32:
    return np.uint32(int(((coefs > 0).astype(np.uint32) * _WEIGHTS).sum()))


def probe_keys(coefs: NDArray[np.float64], *, mirrored: bool, probe_bits: int = PROBE_BITS) -> list[int]:
    """The key of a query view and its variants with the ``probe_bits`` least certain bits flipped."""
    if mirrored:
        coefs = coefs * MIRROR_SIGNS
    base = int(key_of(coefs))
    weakest = np.argsort(np.abs(coefs))[:probe_bits]
    keys = []
    for combination in range(1 << probe_bits):
        key = base
        for bit, position in enumerate(weakest):
            if combination >> bit & 1:
                key ^= 1 << int(position)
        keys.append(key)
    return keys


class Fingerprinter:
    """Builds a :class:`VideoPrint` frame by frame: feed it the sampled grey frames (:meth:`add`), or
    every decoded frame of a pass over the file (call it as a frame listener); :meth:`result` at the end."""

    def __init__(self, scales: tuple[float, ...] = REFERENCE_SCALES) -> None:
        self.scales = scales
        self.sampler = FrameSampler()
        self.times: list[float] = []
        self.rows: list[list[int]] = []
        self.valid: list[bool] = []

    def __call__(self, time: float, frame: av.VideoFrame) -> None:
        picture = self.sampler.take(time, frame)
        if picture is not None:
            self.add(time, picture)

    def add(self, moment: float, frame: NDArray[np.uint8]) -> None:
        picture = remove_borders(frame)
        good = not is_featureless(picture)
        self.times.append(moment)
        self.valid.append(good)
        if good:
            coefs = coefficients_many(picture, [window_of(picture.shape, scale) for scale in self.scales])
            self.rows.append([int(key_of(c)) for c in coefs])
        else:
            self.rows.append([0] * len(self.scales))

    def result(self) -> VideoPrint:
        duration = (self.times[-1] + 1.0 / FPS) if self.times else 0.0
        return VideoPrint(
            times=np.asarray(self.times, np.float32),
            keys=np.asarray(self.rows, np.uint32).reshape(len(self.rows), len(self.scales)),
            valid=np.asarray(self.valid, bool),
            duration=duration,
        )


def fingerprint(path: Path, *, scales: tuple[float, ...] = REFERENCE_SCALES) -> VideoPrint:
    """The video's keys for the index (one per reference view of every sampled frame)."""
    prints = Fingerprinter(scales)
    for moment, frame in sample_frames(path):
        prints.add(moment, frame)
    return prints.result()


@dataclass
class VideoQuery:
    """Lookup keys of a suspect video: ``keys[i]`` holds every view, orientation and probe of frame ``i``."""

    times: NDArray[np.float32]
    keys: list[NDArray[np.uint32]]
    valid: NDArray[np.bool_]
    duration: float


INSET_FRAMES = 240  # the first minute of sampled frames tells where a picture-in-picture sits


def find_inset(frames: list[NDArray[np.uint8]]) -> tuple[int, int, int, int] | None:
    """The rectangle (top, left, bottom, right) of a picture-in-picture, if the frames show one.

    Its border is an edge that stays put while the pictures inside and around it move: averaged over time,
    the gradient along the four sides of the rectangle stands well above the rest of the frame."""
    if len(frames) < 8 or len({f.shape for f in frames}) != 1:
        return None
    stack = np.stack(frames).astype(np.float32)
    gx = np.abs(np.diff(stack, axis=2)).mean(axis=0)  # (H, W-1): vertical edges
    gy = np.abs(np.diff(stack, axis=1)).mean(axis=0)  # (H-1, W): horizontal edges
    height, width = frames[0].shape
    typical = float(np.median(np.r_[gx.ravel(), gy.ravel()])) + 1.0

    def peaks(profile: NDArray[np.float32], count: int = 8) -> list[int]:
        chosen: list[int] = []
        for index in np.argsort(-profile):
            if all(abs(int(index) - c) > 3 for c in chosen):
                chosen.append(int(index))
            if len(chosen) == count:
                break
        return chosen

    columns = peaks(gx.mean(axis=0))
    rows = peaks(gy.mean(axis=1))
    best: tuple[float, tuple[int, int, int, int]] | None = None
    for left in columns:
        for right in columns:
            if not 0.4 * width <= right - left <= 0.96 * width:
                continue
            for top in rows:
                for bottom in rows:
                    if not 0.4 * height <= bottom - top <= 0.96 * height:
                        continue
                    sides = [
                        gx[top:bottom, left].mean(),
                        gx[top:bottom, right].mean(),
                        gy[top, left:right].mean(),
                        gy[bottom, left:right].mean(),
                    ]
                    weakest = min(sides) / typical
                    if weakest < 2.5:
                        continue
                    if best is None or weakest > best[0]:
                        best = (weakest, (top + 1, left + 1, bottom + 1, right + 1))
    return None if best is None else best[1]


def query_keys(path: Path) -> VideoQuery:
    times: list[float] = []
    keys: list[NDArray[np.uint32]] = []
    valid: list[bool] = []
    stream = sample_frames(path)
    head = list(itertools.islice(stream, INSET_FRAMES))
    inset = find_inset([frame for _time, frame in head])
    for moment, frame in itertools.chain(head, stream):
        picture = remove_borders(frame)
        found: set[int] = set()
        good = not is_featureless(picture)
        if good:
            windows = [window_of(picture.shape, scale, x, y) for scale, x, y in PIP_WINDOWS]
            bits = [PROBE_BITS if scale >= 1.0 else PIP_PROBE_BITS for scale, _x, _y in PIP_WINDOWS]
            for coefs, probe_bits in zip(coefficients_many(picture, windows), bits, strict=True):
                found.update(probe_keys(coefs, mirrored=False, probe_bits=probe_bits))
                found.update(probe_keys(coefs, mirrored=True, probe_bits=probe_bits))
        if inset is not None:
            top, left, bottom, right = inset
            view = frame[top:bottom, left:right]
            if not is_featureless(view):
                coefs = coefficients(view)
                found.update(probe_keys(coefs, mirrored=False))
                found.update(probe_keys(coefs, mirrored=True))
        times.append(moment)
        valid.append(bool(found))
        keys.append(np.fromiter(sorted(found), np.uint32, len(found)))
    duration = (times[-1] + 1.0 / FPS) if times else 0.0
    return VideoQuery(np.asarray(times, np.float32), keys, np.asarray(valid, bool), duration)
