"""Harmful regular patterns after ITU-R BT.1702 and the Ofcom guidance: a picture with clearly discernible
stripes or checks (more than five light-dark pairs, in any orientation) over a large part of the screen,
that flashes, reverses, oscillates or moves. Checked frame by frame in the same decoding pass as flashes,
on a small luma frame (128×72), in the light a standard display gives (200 cd/m² for white).

A frame holds a **regular pattern** when one spatial frequency dominates its picture: the strongest peak
of its 2-D spectrum (with the peak's neighbours and the 3rd and 5th harmonics of a square wave) carries
``SHARE`` of the detail's energy or more, and the peak is ``PEAK`` times stronger than the mean of the
frequencies as fine as it. The pattern's extent is where that frequency alone reaches ``CONTRAST``
cd/m² between its light and dark stripes with light stripes of ``LIGHT`` cd/m² or more; it must cover
``AREA`` of the screen and hold more than ``MAX_PAIRS`` light-dark pairs across its extent. A pattern
frame is **changing** when its pattern area moved by ``CHANGE`` cd/m² on average since the frame before:
stripes that flash, reverse or drift. Frames of changing patterns (gaps under ``BRIDGE`` seconds joined,
as a flashing pattern alternates with plain frames) lasting ``MIN_SECONDS`` or more are reported with
their start and end and the most pairs seen.

A **still pattern** is reported too, as a lesser risk (Ofcom: stripes that change are more likely to be
harmful than stationary ones; Wilkins, Emmett & Harding 2005 restrict striped patterns held longer than
0.5 s over more than a quarter of the screen): frames of a pattern outside the changing stretches, over the
profile's share of the screen and with the stripes' Michelson contrast (light − dark over light + dark, of
the square wave the fundamental stands for) at or above the profile's limit, held the profile's seconds
(gaps under ``STILL_BRIDGE`` joined). The contrast keeps text out: a page of lines of text is a faint
grating at this size (contrast 0.4 at most, measured on pages of Latin and Chinese text, regular and bold,
dark on light and light on dark), where printed stripes and checks reach 0.5 to 1.

A natural picture is not reported: its spectrum falls off smoothly and no single frequency dominates it. A
pattern drifting smoothly
one way, which Ofcom's note exempts, is reported all the same: the reviewer marks it accepted. Stripes
finer than 64 pairs across the screen (two pixels a pair at 128 wide) blur away and are missed; the limits are
this module's choice where the documents give none (``MIN_SECONDS``, ``CHANGE``, ``SHARE``, ``PEAK``), set
on lavfi stripes and checks against the corpus's natural clips. Pure: NumPy in, the stretches out.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from avbase.review.stretches import Stretch, stretches

SIZE = (128, 72)  # width × height of the luma frame checked
DISPLAY_WHITE = 200.0  # cd/m²
SHARE = 0.30  # of the detail's energy in the pattern's frequency and its harmonics
CONTRAST = 20.0  # cd/m² between light and dark stripes
LIGHT = 50.0  # cd/m²: the light stripes are at least this bright
AREA = 0.25  # share of the screen
MAX_PAIRS = 5
CHANGE = 8.0  # cd/m²: mean change over the pattern since the frame before
BRIDGE = 0.5  # seconds
MIN_SECONDS = 0.5
STILL = "still"  # the detail of a still pattern's finding
STILL_BRIDGE = 0.2  # seconds: a still pattern missed in a frame or two (coding noise) is still the same
PEAK = 15.0  # times the mean power of the frequencies as fine as the pattern's
LOWEST = 3  # cycles a screen: slower variations are shading, not stripes

Luma = NDArray[np.uint8]  # height × width, Y' 0–255
Floats = NDArray[np.float64]


_CODE = np.arange(256) / 255.0
LIGHT_OF_CODE = DISPLAY_WHITE * np.where(_CODE <= 0.04045, _CODE / 12.92, ((_CODE + 0.055) / 1.055) ** 2.4)


def luminance(frame: Luma) -> Floats:
    """cd/m² of each pixel of a luma frame on a standard display."""
    return np.asarray(LIGHT_OF_CODE[np.asarray(frame, np.uint8)], np.float64)


@dataclass(frozen=True)
class PatternFrame:
    pairs: float  # light-dark pairs across the pattern
    area: float  # share of the screen
    contrast: float  # Michelson contrast of its stripes (0–1), the median over the pattern
    mask: NDArray[np.bool_]


@lru_cache(maxsize=4)
def _grid(height: int, width: int) -> tuple[Floats, Floats, Floats]:
    """Each frequency bin's cycles a screen height and width, and its radius in those units."""
    fy = np.asarray(np.fft.fftfreq(height) * height, np.float64)
    fx = np.asarray(np.fft.fftfreq(width) * width, np.float64)
    return fy, fx, np.asarray(np.hypot(fy[:, None], fx[None, :]), np.float64)


def _box(values: Floats, row: int, col: int) -> float:
    """The sum of the 3×3 bins around (row, col), wrapping as the spectrum does."""
    height, width = values.shape
    rows = [(row + step) % height for step in (-1, 0, 1)]
    cols = [(col + step) % width for step in (-1, 0, 1)]
    return float(values[np.ix_(rows, cols)].sum())


def regular_pattern(light: Floats) -> PatternFrame | None:
    """The frame's regular pattern, or None. The cheap spectral tests come first: most pictures stop
    there."""
    height, width = light.shape
    fy, fx, radius = _grid(height, width)
    spectrum = np.fft.fft2(light - light.mean())
    power = spectrum.real**2 + spectrum.imag**2
    fine = radius >= LOWEST
    total = float(power[fine].sum())
    if total <= 0.0:
        return None
    peak_y, peak_x = (int(index) for index in np.unravel_index(int(np.argmax(np.where(fine, power, 0.0))),
                                                                  power.shape))  # fmt: skip
    # the peak with its neighbours, and the 3rd and 5th harmonics of a square wave, each with its mirror
    band = 0.0
    for harmonic in (1, 3, 5):
        for sign in (1, -1):
            band += _box(power, sign * harmonic * peak_y, sign * harmonic * peak_x)
    if band / total < SHARE:
        return None
    # and stands out from the other frequencies of its fineness (a natural picture's do not)
    fineness = float(radius[peak_y, peak_x])
    ring = np.abs(radius - fineness) <= max(1.0, 0.15 * fineness)
    if float(power[peak_y, peak_x]) < PEAK * float(power[ring].mean()):
        return None
    ky, kx = float(fy[peak_y]), float(fx[peak_x])
    # where the fundamental alone is strong: its analytic signal's amplitude, from the positive side only
    positive = np.hypot(fy[:, None] - ky, fx[None, :] - kx) <= 1.5
    amplitude = 2.0 * np.abs(np.fft.ifft2(np.where(positive, spectrum, 0)))
    shading = np.real(np.fft.ifft2(np.where(fine, 0, spectrum))) + light.mean()
    # a square wave of contrast C has a fundamental of amplitude 2C/π: half-contrast × 4/π
    mask = (amplitude * np.pi / 2 >= CONTRAST) & (shading + amplitude * np.pi / 4 >= LIGHT)
    area = float(mask.mean())
    if area < AREA:
        return None
    # pairs across the pattern: its cycles a pixel times its extent along the stripes' normal
    cycles_x, cycles_y = kx / width, ky / height
    frequency = float(np.hypot(cycles_x, cycles_y))
    rows, cols = np.nonzero(mask)
    along = (cols * cycles_x + rows * cycles_y) / frequency
    extent = float(np.percentile(along, 99) - np.percentile(along, 1)) + 1.0
    pairs = frequency * extent
    if pairs <= MAX_PAIRS:
        return None
    # half the light-dark difference over the mean light: (light − dark) / (light + dark)
    contrast = float(
        np.median(np.minimum(amplitude[mask] * np.pi / 4 / np.maximum(shading[mask], 1e-6), 1.0))
    )
    return PatternFrame(round(pairs, 1), round(area, 3), round(contrast, 3), mask)


@dataclass(frozen=True)
class PatternStretch:
    start: float
    end: float
    pairs: float  # the most light-dark pairs in it
    area: float  # the largest share of the screen it covered


class PatternChecks:
    """Feed it every frame's luma (``SIZE``) with ``add``; ``failing`` at the end."""

    def __init__(self) -> None:
        self.times: list[float] = []
        self.changing: list[bool] = []
        self.pairs: list[float] = []
        self.areas: list[float] = []
        self.contrasts: list[float] = []
        self.previous: Floats | None = None
        self.previous_mask: NDArray[np.bool_] | None = None

    def add(self, time: float, frame: Luma) -> None:
        light = luminance(frame)
        found = regular_pattern(light)
        changing = False
        if found is not None and self.previous is not None:
            # the pattern's area now or in the frame before (a pattern that flashes on is a change)
            where = found.mask | self.previous_mask if self.previous_mask is not None else found.mask
            changing = float(np.abs(light - self.previous)[where].mean()) >= CHANGE
        self.times.append(time)
        self.changing.append(changing)
        self.pairs.append(found.pairs if found else 0.0)
        self.areas.append(found.area if found else 0.0)
        self.contrasts.append(found.contrast if found else 0.0)
        self.previous = light
        self.previous_mask = found.mask if found else None

    @property
    def step(self) -> float:
        return float(np.median(np.diff(self.times))) if len(self.times) > 1 else 0.04

    def _stretch(self, stretch: Stretch) -> PatternStretch:
        span = slice(stretch.first, stretch.last + 1)
        return PatternStretch(stretch.start, stretch.end, max(self.pairs[span]), max(self.areas[span]))

    def _changing(self) -> list[Stretch]:
        if not self.times:
            return []
        return stretches(self.changing, self.times, self.step, min_seconds=MIN_SECONDS, bridge=BRIDGE)

    def failing(self) -> list[PatternStretch]:
        """Stretches of patterns that flash, reverse or move."""
        return [self._stretch(stretch) for stretch in self._changing()]

    def still(self, *, area: float, contrast: float, min_seconds: float) -> list[PatternStretch]:
        """Stretches of a pattern held still: over ``area`` of the screen with a Michelson contrast of
        ``contrast`` or more, outside the changing stretches, lasting ``min_seconds``."""
        if not self.times:
            return []
        held = (np.asarray(self.areas) >= max(area, AREA)) & (np.asarray(self.contrasts) >= contrast)
        for stretch in self._changing():
            held[stretch.first : stretch.last + 1] = False
        found = stretches(held, self.times, self.step, min_seconds=min_seconds, bridge=STILL_BRIDGE)
        return [self._stretch(stretch) for stretch in found]
