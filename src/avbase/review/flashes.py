"""Photosensitive flashes after ITU-R BT.1702 (and the Harding / Ofcom guidance it follows), frame by frame.

Each pixel of a small frame is turned into the luminance a standard display shows (sRGB/BT.709 decoded to
linear light, 200 cd/m² for white). A pixel makes a **transition** when its luminance moves by 20 cd/m² or
more from its last extreme (the brightest or darkest it reached since its last transition) with the darker
state below 160 cd/m²: how long the change takes does not matter, what matters is that it reverses. A frame
holds a transition when pixels over 25 % of the screen make one in the same direction. A **flash** is a
pair of opposing transitions; more than three flashes (six transitions) in any one second fails.

Saturated red is counted apart: a pixel whose red makes 80 % or more of R'+G'+B' is measured by
320 × max(0, R−G−B) in linear light with the same 20-unit threshold (no darker-state condition).

A slow change of brightness makes at most two transitions a second and never fails. Pure: NumPy in, the
failing stretches out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from avbase.review.pictures import Frame

DISPLAY_WHITE = 200.0  # cd/m² of a standard display's white
STEP = 20.0  # cd/m² (and red units) a transition needs
DARK = 160.0  # cd/m²: the darker state of a flash is below this
AREA = 0.25  # share of the screen
WINDOW = 1.0  # seconds
MAX_FLASHES = 3  # in any one window
RED_RATIO = 0.8
RED_SCALE = 320.0

Floats = NDArray[np.float32]


def linear(frame: Frame) -> Floats:
    value = np.asarray(frame, np.float32) / 255.0
    return np.where(value <= 0.04045, value / 12.92, ((value + 0.055) / 1.055) ** 2.4).astype(np.float32)


class _Transitions:
    """Per-pixel transitions of one measure (luminance or red), with hysteresis from the last extreme."""

    def __init__(self, *, dark_limit: float | None) -> None:
        self.dark_limit = dark_limit
        self.high: Floats | None = None
        self.low: Floats | None = None
        self.direction: NDArray[np.int8] | None = None

    def add(self, value: Floats) -> tuple[float, float]:
        """The share of pixels making a transition up and down at this frame."""
        if self.high is None or self.low is None or self.direction is None:
            self.high, self.low = value.copy(), value.copy()
            self.direction = np.zeros(value.shape, np.int8)
            return 0.0, 0.0
        np.maximum(self.high, value, out=self.high)
        np.minimum(self.low, value, out=self.low)
        up = (self.direction <= 0) & (value - self.low >= STEP)
        down = (self.direction >= 0) & (self.high - value >= STEP)
        if self.dark_limit is not None:
            up &= self.low < self.dark_limit
            down &= value < self.dark_limit
        both = up & down  # only before a pixel's first transition: the larger change wins
        if both.any():
            rise = (value - self.low) >= (self.high - value)
            up &= ~both | rise
            down &= ~both | ~rise
        moved = up | down
        self.direction[up] = 1
        self.direction[down] = -1
        self.high[moved] = value[moved]
        self.low[moved] = value[moved]
        return float(up.mean()), float(down.mean())


@dataclass(frozen=True)
class FlashStretch:
    start: float
    end: float
    flashes_per_second: float  # the most in any one second of it
    red: bool


class FlashChecks:
    def __init__(self) -> None:
        self.luminance = _Transitions(dark_limit=DARK)
        self.red = _Transitions(dark_limit=None)
        self.events: dict[bool, list[float]] = {False: [], True: []}  # red? → transition times
        self.last_time = 0.0

    def add(self, time: float, frame: Frame) -> None:
        light = linear(frame)
        luminance = DISPLAY_WHITE * (light[..., 0] * 0.2126 + light[..., 1] * 0.7152 + light[..., 2] * 0.0722)
        encoded = np.asarray(frame, np.float32)
        saturated = encoded[..., 0] >= RED_RATIO * (encoded.sum(axis=2) + 1e-6)
        redness = np.where(
            saturated, RED_SCALE * np.maximum(0.0, light[..., 0] - light[..., 1] - light[..., 2]), 0.0
        ).astype(np.float32)
        for red, measure, value in ((False, self.luminance, luminance), (True, self.red, redness)):
            up, down = measure.add(value)
            if up >= AREA or down >= AREA:
                self.events[red].append(time)
        self.last_time = time

    def failing(self) -> list[FlashStretch]:
        """Stretches where some one-second window holds more than three flashes."""
        found: list[FlashStretch] = []
        for red, times in self.events.items():
            found += _failing(np.asarray(times), red)
        return sorted(found, key=lambda stretch: stretch.start)


def _failing(times: NDArray[np.float64], red: bool) -> list[FlashStretch]:
    limit = 2 * MAX_FLASHES
    found: list[FlashStretch] = []
    if times.size <= limit:
        return found
    # transitions in [tᵢ, tᵢ + 1 s) for every transition i
    ends = np.searchsorted(times, times + WINDOW - 1e-9, side="left")
    counts = ends - np.arange(times.size)
    start: float | None = None
    end = 0.0
    most = 0
    for index in np.flatnonzero(counts > limit).tolist():
        first, last = float(times[index]), float(times[ends[index] - 1])
        if start is not None and first <= end:
            end = max(end, last)
            most = max(most, int(counts[index]))
            continue
        if start is not None:
            found.append(FlashStretch(round(start, 3), round(end, 3), most / 2, red))
        start, end, most = first, last, int(counts[index])
    if start is not None:
        found.append(FlashStretch(round(start, 3), round(end, 3), most / 2, red))
    return found
