"""Shot boundaries from one decoding pass at low resolution: hard cuts, dissolves and fades.

Each frame is reduced to a 64×36 RGB thumbnail. What marks a shot boundary is a change of the whole
picture's content that lasts, so frames are compared by their *content*, blind to how bright they are:

- the grey picture, after the best change of brightness and contrast from the other frame has been taken
  out (a flash, a strobe, a fade's ramp or an old film's flicker is such a change; motion and new content
  are not), fitted from two first guesses (least squares, and no change at all, which keeps a steady
  backdrop in fit when a big word gives way to another); the hue of each block (a cut between two flat
  backdrops of different colour) and how colourful it is at a like brightness (old film cut to colour);
- the share of the picture's 48 blocks that changed between two frames (a new word of a lyric or a shape
  passing changes some blocks, a cut most of them), and the share left as they were (a new word leaves
  its backdrop, a cut next to nothing);
- the camera's move: the shift between two frames by phase correlation on the thumbnails, to a fraction
  of a pixel. The frame before, carried along that shift, is compared too, and the smaller change counts:
  a pan's frame-to-frame change is explained by the shift, a cut's is not. A shift that jumps between two
  steady pictures is no camera move (a jump cut along one scene): there the frame is compared as it is.

A **hard cut** between frames i-1 and i: enough blocks changed and few were left as they were, the step
stands far above its neighbours and the usual steps on one side (motion and whip pans change every frame,
a cut in one), and the change persists: frames i..i+3 all differ from frames i-4..i-1 (a flash or a strobe
comes back to the same picture). A jump cut within a still scene changes every block a little: a lone step
far above everything around it, leaving next to nothing as it was, is a cut too.

Frames with next to no contrast (black, white, flat) are **faint**: they are not compared. A run of them
(runs apart by fewer than a few frames are one: a strobe) with picture on both sides is a **fade** when the
picture comes back gradually (and either went out gradually, contrast falling and rising steadily, or the
content differs), a **hard cut** when it comes back at once with new content (a cut right after a dark or
bright stretch) or when it went at once and the camera then leaves a flat picture (a sky), and nothing
when the same picture returns at once or a brief wash-out comes back gradually (a flash, a blink).

A **dissolve**: across a window of 2H frames (H = 5, 10 and 20, for 0.4–2 s dissolves) most blocks
changed, yet the centre frame is the average of the two ends in pixels and in edges (fewer blocks will do
when the centre is very nearly that average), and every frame of the window is a mix of the ends
(frame ≈ a·first + (1 − a)·last) whose share a slides steadily from 1 to 0: a cut or a strobe inside the
window makes it jump, a light going out leaves a residue. Moving pictures blur the edges of a mix, so a
larger edge residue will do where the mix is very steady. Not on a fade's ramp (near a faint picture, or
one end much flatter than the other) nor where the camera moves fast. The boundary is the middle of the
run of frames where that holds.

Pure: a path in, shots out. Whoever needs the decoded frames (thumbnails) listens with ``on_frame``, so the
file is decoded once. Other engines plug in through the seam of :mod:`avbase.media.detector`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import av
import numpy as np
from av.video.reformatter import VideoReformatter
from numpy.typing import NDArray

THUMB = (64, 36)
GRID = (6, 8)  # block rows × columns (blocks of 6 × 8 pixels)
BLOCK_STRUCTURE = 0.4  # mean unexplained change (in units of contrast) for a block to count as changed
BLOCK_HUE = 0.5  # or change of its hue (radians) where both blocks have colour
BLOCK_TINT = 0.6  # or change of how colourful it is (log of the ratio) at a like brightness
TINT_FLOOR = 0.1  # added to both sides of that ratio, so that grey blocks' noise does not count
STEADY_LIGHT = 0.2  # log of the brightness ratio within which a block's brightness is alike
SATURATED = 0.12  # chroma over brightness from which a block has a hue
CUT_SHARE = 0.3  # share of blocks a hard cut changes at least (a new word or a passing shape: fewer)
PERSIST = 3  # frames on each side that must stay different for a cut (longer than a flash)
PERSIST_SHARE = 0.3  # share of blocks changed between every frame before and after a cut
SUBTLE_STEP = 0.4  # the least step of a cut (the mean change of its blocks, capped at 2)
SUBTLE_KEPT = 0.15  # share of blocks left as they were, at most, by a cut that changes few blocks much
SUBTLE_PEAK = 8.0  # and its step over the largest step around it
PARTIAL = 0.5  # share of blocks left as they were from which a change is partial (a word, a shape)
PEAK = 1.6  # a cut's step is at least this many times the larger of its neighbours'
RELATIVE = 3.0  # and this many times the usual step on the quieter side of it
USUAL = 0.75  # the quantile of steps taken as usual
WINDOW = 12  # frames on each side for those medians
MIN_SHOT_FRAMES = 5  # boundaries closer than this are one
FAINT = 3.0  # grey standard deviation (0–255) below which a frame has no picture to compare
# unless its colour varies more than this (a near-black frame keeps 4 or so of colour noise; red words on
# a blue card of their brightness, flat in grey, 40 or more)
FAINT_COLOUR = 12.0
CONTRAST_FLOOR = 6.0  # the least contrast that changes are measured against (below it, noise counts)
RAMP = 4  # frames over which a picture coming back from faint must rise for a fade
RAMP_WOBBLE = 0.1  # share of its height a fade's contrast ramp may step back
ABRUPT = (
    0.6  # a picture that keeps this share of its contrast from one frame to the next went (came) gradually
)
FLAT_SHOT = 3  # frames of a flat picture after a cut to it (a flash washes out one or two)
FADE_MAX = 75  # frames: a longer faint run is a shot of its own
SCALES = (5, 10, 20)  # half-windows in which dissolves are looked for
GRADUAL_SHARE = 0.7  # share of blocks changed across a dissolve's window
LINEARITY = 0.4  # largest residue of the centre frame against the window ends' average (0 = a pure mix)
EDGE_LINEARITY = 0.7  # the same on edges
# A near-perfect mix needs less change across it: two bright shots of like layout dissolving.
MIX_SHARE = 0.4
MIX_LINEARITY = 0.15
MIX_EDGE_LINEARITY = 0.3
KEPT = 0.25  # change of a block left as it was (noise, compression)
KEPT_SHARE = 0.3  # share of blocks a hard cut leaves as they were at most (a new word: more)
UNTOUCHED = 8.0  # mean change of a block's colour (0–255) under which it is untouched, light and all
NONE_UNTOUCHED = 0.02  # share of untouched blocks under which blocks "kept" only by the fit do not count
RECOLOURED = 0.9  # share of blocks whose colour a cut between flat pictures changes for good, at least
STEADY = 0.5  # share of untouched blocks from one frame to the next from which a picture holds its colour
STEADY_FRAMES = 2  # frames on each side of such a cut that must hold it
JUMP = 3.0  # thumbnail pixels a picture moves from one frame to the next in a jump
JUMP_RATIO = 3.0  # times the movement of the frames either side
MOVE_STEP = 0.25  # a step from the frame before under which the camera's move is not looked for
MIN_SHIFT = 0.5  # pixels of the thumbnail a camera move must shift the picture to be compensated
ALIKE_CONTRAST = 0.4  # the lesser contrast of a dissolve's ends is at least this share of the greater
DIP = 0.35  # the least contrast inside a dissolve's window, as a share of its ends' lesser
FADE_REACH = 25  # frames from a faint picture within which a mix is a fade's ramp, not a dissolve
UNSTEADY = 0.3  # largest jump of a dissolve's mix from one frame to the next
FAST_MOVE = 1.5  # thumbnail pixels a frame: a window moving this fast is a camera move, not a dissolve
MISFIT = 0.5  # the most of a frame a dissolve's mix may leave unexplained, relative to the ends' gap
WHIP = 3.0  # thumbnail pixels a frame at the middle of a window: a whip pan, not a dissolve
# A mix of moving pictures blurs edges: a larger edge residue will do where every frame of the window is
# a steady mix of its ends.
MOVING_SHARE = 0.55
MOVING_LINEARITY = 0.25
MOVING_EDGE_LINEARITY = 0.8
STEADY_MIX = 0.15
RUN_GAP = 8  # frames that may separate two dissolve candidates of one run

if TYPE_CHECKING:
    from avbase.media.detector import ShotDetector

FrameListener = Callable[[float, "av.VideoFrame"], None]
Floats = NDArray[np.float32]
GREY = np.array([0.299, 0.587, 0.114], np.float32)


@dataclass(frozen=True)
class Shot:
    index: int
    start_frame: int
    end_frame: int  # exclusive
    start: float  # seconds
    end: float
    transition: str = "cut"  # how the shot begins: start | cut | dissolve | fade


@dataclass(frozen=True)
class Look:
    """What is compared of one frame, measured once when it is decoded."""

    pixels: Floats  # 36 × 64 × 3, 0–255
    grey: Floats  # 36 × 64, less its mean, flattened
    # Per block (4 × block rows × columns): its hue as a unit vector (cosine, sine; 0 where it is grey),
    # the log of how colourful it is (chroma over brightness) and of its brightness.
    colour: Floats
    coloured: NDArray[np.bool_]  # blocks that have a hue
    contrast: float  # grey standard deviation
    brightness: float
    colour_contrast: float = 0.0  # standard deviation of the pixels' colour (opponent channels)

    @property
    def faint(self) -> bool:
        """No picture to compare: flat in grey and in colour (red words on a blue card of the same
        brightness are flat in grey only)."""
        return self.contrast < FAINT and self.colour_contrast < FAINT_COLOUR

    @cached_property
    def edges(self) -> Floats:
        """Differences of neighbouring pixels, flattened, for the mix test: two frames of a moving camera
        average into a blur close to the frame between them, but their edges do not line up."""
        grey = self.grey.reshape(THUMB[1], THUMB[0])
        return np.concatenate((np.diff(grey, axis=0).ravel(), np.diff(grey, axis=1).ravel()))

    @cached_property
    def pooled(self) -> Floats:
        """The pixels averaged over 2 × 2, flattened: enough for the mix test, four times cheaper."""
        pooled: Floats = self.pixels.reshape(THUMB[1] // 2, 2, THUMB[0] // 2, 2, 3).mean(axis=(1, 3)).ravel()
        return pooled

    @cached_property
    def spectrum(self) -> NDArray[np.complex128]:
        """Of the tapered grey picture, for the shift between frames."""
        spectrum: NDArray[np.complex128] = np.fft.rfft2(self.grey.reshape(THUMB[1], THUMB[0]) * _TAPER)
        return spectrum


@dataclass(frozen=True)
class FaintRun:
    start: int
    end: int  # exclusive
    change: float  # share of blocks changed between the picture before the run and the one after


@dataclass
class FrameSignals:
    """Per-frame measurements of one decoding pass (index = frame number)."""

    times: list[float] = field(default_factory=list)
    brightness: list[float] = field(default_factory=list)
    contrast: list[float] = field(default_factory=list)
    # from the frame before: how much the blocks changed on average, and the share of them that changed
    step: list[float] = field(default_factory=list)
    changed: list[float] = field(default_factory=list)
    # the same two, the frame before taken as it is (not carried along the camera's move)
    still_step: list[float] = field(default_factory=list)
    still_changed: list[float] = field(default_factory=list)
    # from the frame before: the share of blocks left as they were (the backdrop of a new word)
    kept: list[float] = field(default_factory=list)
    # from the frame before: the share of blocks whose colour stayed as it was, light and all
    untouched: list[float] = field(default_factory=list)
    # from the frame before: how far the picture moved (pixels of the thumbnail, by phase correlation)
    motion: list[float] = field(default_factory=list)
    # for cut candidates, the least share changed between a frame before and one after
    persists: list[float] = field(default_factory=list)
    # for candidates that left no block's colour as it was, the least share of blocks whose colour changed
    # between a frame before and one after (a flat backdrop cut to another of other light and colour)
    recoloured: list[float] = field(default_factory=list)
    # per scale H: share changed across frames i-H..i+H and the residues of frame i against their average
    span: dict[int, list[float]] = field(default_factory=dict)
    residue: dict[int, list[float]] = field(default_factory=dict)
    edge_residue: dict[int, list[float]] = field(default_factory=dict)
    # per scale H, where the centre is a mix: how far the mix of frames i-H..i+H strays from a steady
    # slide from the first to the last (0: steady; a cut or a strobe inside the window: near 1)
    unsteady: dict[int, list[float]] = field(default_factory=dict)
    faint_runs: list[FaintRun] = field(default_factory=list)


def look(small: NDArray[np.uint8] | Floats) -> Look:
    pixels = np.asarray(small, np.float32)
    grey = pixels @ GREY
    brightness = float(grey.mean())
    centred = grey - brightness
    contrast = float(np.sqrt(np.dot(centred.ravel(), centred.ravel()) / centred.size))
    rows, columns = GRID
    blocks = pixels.reshape(rows, THUMB[1] // rows, columns, THUMB[0] // columns, 3).mean(axis=(1, 3))
    # Hue: a flash, a fade or flicker washes colours out or darkens them but keeps their hue, while a cut
    # between two flat backdrops changes the hue and not the structure.
    opponent_a = blocks[..., 0] - blocks[..., 1]
    opponent_b = (blocks[..., 0] + blocks[..., 1] - 2 * blocks[..., 2]) / np.sqrt(3)
    chroma = np.hypot(opponent_a, opponent_b)
    block_brightness = blocks.mean(axis=2)
    tint = chroma / (block_brightness + 10)
    coloured = tint > SATURATED
    scale = np.where(coloured, 1 / np.maximum(chroma, 1e-6), 0)
    colour = np.stack(
        (opponent_a * scale, opponent_b * scale, np.log(tint + TINT_FLOOR), np.log(block_brightness + 10))
    ).astype(np.float32)
    red_green = pixels[..., 0] - pixels[..., 1]
    yellow_blue = (pixels[..., 0] + pixels[..., 1] - 2 * pixels[..., 2]) / np.sqrt(3)
    colour_contrast = float(np.sqrt(red_green.var() + yellow_blue.var()))
    return Look(pixels, centred.ravel(), colour, coloured, contrast, brightness, colour_contrast)


_TAPER = np.outer(np.hanning(THUMB[1]), np.hanning(THUMB[0])).astype(np.float32)


def global_shift(before: Look, after: Look) -> tuple[float, float]:
    """The shift (rows, columns) that best carries ``before`` onto ``after``, by phase correlation, to a
    fraction of a pixel: a camera move changes every block of the picture yet is explained by it."""
    cross = after.spectrum * np.conj(before.spectrum)
    surface = np.fft.irfft2(cross / np.maximum(np.abs(cross), 1e-6), s=(THUMB[1], THUMB[0]))
    row, column = np.unravel_index(int(np.argmax(surface)), surface.shape)
    shift = []
    for axis, at in ((0, int(row)), (1, int(column))):
        size = surface.shape[axis]
        around = [
            surface[(at + d) % size, column] if axis == 0 else surface[row, (at + d) % size]
            for d in (-1, 0, 1)
        ]
        bend = around[0] - 2 * around[1] + around[2]
        fraction = 0.5 * (around[0] - around[2]) / bend if bend < 0 else 0.0
        signed = at if at <= size // 2 else at - size
        shift.append(signed + float(np.clip(fraction, -0.5, 0.5)))
    return shift[0], shift[1]


def moved(pixels: Floats, rows: float, columns: float, fill: Floats) -> Floats:
    """``pixels`` shifted by (rows, columns), bilinearly; where nothing of them lands, ``fill``."""
    result = pixels
    inside = np.ones(pixels.shape[:2], bool)
    for axis, shift in ((0, rows), (1, columns)):
        size = pixels.shape[axis]
        source = np.arange(size, dtype=np.float32) - shift
        low = np.floor(source)
        share = (source - low).astype(np.float32)
        near = np.clip(low, 0, size - 1).astype(np.intp)
        far = np.clip(low + 1, 0, size - 1).astype(np.intp)
        weights = share.reshape((-1, 1, 1) if axis == 0 else (1, -1, 1))
        result = result.take(near, axis) * (1 - weights) + result.take(far, axis) * weights
        landed = (source >= 0) & (source <= size - 1)
        inside &= landed[:, None] if axis == 0 else landed[None, :]
    shifted: Floats = np.where(inside[..., None], result, fill).astype(np.float32)
    return shifted


SECOND_GUESS = 0.7  # a first guess of gain under this gets a second from no change
KEEP = 0.7  # share of pixels (those that fit best) that the second fit of brightness and contrast keeps
_KEPT_AT = (THUMB[0] * THUMB[1] - 1) * KEEP  # that quantile's place among the sorted residuals


def block_changes(befores: list[Look], after: Look, again: int | None = None, stepping: int = 0) -> Floats:
    """Per earlier frame and block (frames × 48), how much the block's content changed on the way to
    ``after``, in units of what counts as a change (1 = just changed): grey structure (brightness and
    contrast aside) or hue.

    Structure is what of ``after`` a change of brightness and contrast of the earlier frame cannot
    explain, relative to ``after``'s contrast (about 0.8 where they are unrelated). A flash, a fade's ramp
    or flicker is such a change; new content is not. The fit is refined on the 70 % of pixels that fit
    best, so that a new word over a steady background does not pull the background out of fit. All
    earlier frames are compared at once (of them, the first ``again`` get the second guess below: all
    unless told)."""
    frames = len(befores)
    x = np.stack([before.grey for before in befores])  # frames × pixels, each less its mean
    y = after.grey
    pixels = y.size
    spread = np.array([before.contrast for before in befores], np.float32) ** 2
    gain = np.where(spread > 1.0, np.maximum(0.0, (x @ y) / pixels / np.maximum(spread, 1.0)), 0.0)
    # Two first guesses, each refitted on the pixels it explains best: the least-squares fit, and no change
    # at all. When a big word gives way to another, the first is near zero gain and keeps the old word's
    # pixels, which then hold the refit there; the second keeps the backdrop.
    second = np.flatnonzero(gain[:again] < SECOND_GUESS)  # a first guess near 1 and the second are alike
    x = np.concatenate((x, x[second]))
    gain = np.concatenate((gain, np.ones(len(second))))
    residual = np.abs(y - gain[:, None].astype(np.float32) * x)
    low = int(_KEPT_AT)
    ordered = np.partition(residual, (low, low + 1), axis=1)
    threshold = ordered[:, low] + (_KEPT_AT - low) * (ordered[:, low + 1] - ordered[:, low])
    kept = (residual <= threshold[:, None]).astype(np.float32)
    count = kept.sum(axis=1)
    kept_x = kept * x
    mean_x = kept_x.sum(axis=1) / count
    mean_y = (kept @ y) / count
    spread = (kept_x * x).sum(axis=1) / count - mean_x**2
    covariance = (kept_x @ y) / count - mean_x * mean_y
    gain = np.where(spread > 1.0, np.maximum(0.0, covariance / np.maximum(spread, 1.0)), 0.0)
    offset = mean_y - gain * mean_x
    residual = np.abs(y - gain[:, None].astype(np.float32) * x - offset[:, None].astype(np.float32))
    # Of the two, the one that explains the pixels it kept better.
    misfit = (residual * kept).sum(axis=1)
    better = second[misfit[frames:] < misfit[second]]
    if len(better):
        residual[better] = residual[frames:][np.searchsorted(second, better)]
    residual = residual[:frames]
    rows, columns = GRID
    structure = residual.reshape(frames, rows, THUMB[1] // rows, columns, THUMB[0] // columns).mean(
        axis=(2, 4)
    ) / max(after.contrast, CONTRAST_FLOOR)
    colour = np.stack([before.colour for before in befores])
    coloured = np.stack([before.coloured for before in befores]) & after.coloured
    cosine = colour[:, 0] * after.colour[0] + colour[:, 1] * after.colour[1]
    turn = np.where(coloured, np.arccos(np.clip(cosine, -1, 1)), 0)
    # Colour coming or going at a like brightness: old film cut to a colour shot (a flash or a fade to
    # white washes the colour out only as it brightens the picture).
    lighter = after.colour[3] - colour[:, 3]
    deeper = after.colour[2] - colour[:, 2]
    alike = np.abs(lighter) < STEADY_LIGHT
    if stepping:
        # From one frame to the next, light changes the tint one way only: brighter and paler (a flash, a
        # fade to white), darker and deeper coming back, or darker at a like tint (a fade to black).
        # Paler without brightening, or deeper without darkening, is new content: a pink sky cut to a grey
        # wall. (Across a dissolve's window a drifting light may do either.)
        alike[:stepping] |= ((deeper < 0) & (lighter < 0) | (deeper > 0) & (lighter > 0))[:stepping]
    tinting = np.where(alike, np.abs(deeper), 0)
    change: Floats = (
        np.maximum(np.maximum(structure / BLOCK_STRUCTURE, turn / BLOCK_HUE), tinting / BLOCK_TINT)
        .astype(np.float32)
        .reshape(len(befores), -1)
    )
    return change


def _untouched(before: Look, after: Look) -> float:
    """The share of blocks whose colour stayed as it was, brightness included: the backdrop a new word
    leaves. Blocks that keep their structure only once brightness is fitted (two flat backdrops of a
    cut, a flash) do not count."""
    rows, columns = GRID
    gap = np.abs(after.pixels - before.pixels)
    per_block = gap.reshape(rows, THUMB[1] // rows, columns, THUMB[0] // columns, 3).mean(axis=(1, 3))
    return float((per_block.max(axis=2) < UNTOUCHED).mean())


def changed_shares(befores: list[Look], after: Look, *, across_a_cut: bool = False) -> list[float]:
    """Per earlier frame, the share of blocks whose content changed on the way to ``after`` (light
    changing the tint one way only, as from one frame to the next, when ``across_a_cut``)."""
    if not befores:
        return []
    stepping = len(befores) if across_a_cut else 0
    return [float(share) for share in (block_changes(befores, after, stepping=stepping) > 1.0).mean(axis=1)]


def changed_share(a: Look, b: Look) -> float:
    """The share of blocks whose content changed between two frames."""
    return changed_shares([a], b)[0]


def _residue(first: Floats, centre: Floats, last: Floats) -> float:
    """How far the centre is from the average of the ends, relative to how far apart the ends are."""
    spread = float(np.abs(last - first).mean())
    mix = float(np.abs(centre - (first + last) / 2).mean())
    return mix / spread if spread > 1.0 else 1.0


def _unsteadiness(window: list[Floats]) -> float:
    """How far a run of frames is from a dissolve between its first and last: each frame must be a mix of
    them (frame ≈ a·first + (1 − a)·last, a by least squares) whose share a slides steadily from 1 to 0.
    The largest of: a jump of that share between neighbours or a step back (about 1/len for a dissolve,
    about 1 for a cut or a strobe inside the run), and what of a frame the mix leaves unexplained,
    relative to how far apart the ends are (a light going out or a flash is no mix of the ends)."""
    first, last = window[0], window[-1]
    direction = first - last
    scale = float(direction @ direction)
    if scale < 1.0:
        return 1.0
    frames = np.stack(window) - last
    shares = frames @ direction / scale
    steps = np.diff(shares)
    misfit = np.abs(frames - shares[:, None] * direction).mean(axis=1).max() / np.abs(direction).mean()
    return float(max(-steps.min(), steps.max(), 0.0, misfit * UNSTEADY / MISFIT))


class _Measurer:
    """Feeds one frame at a time; keeps only the frames the widest window needs."""

    def __init__(self) -> None:
        self.signals = FrameSignals(
            span={h: [] for h in SCALES},
            residue={h: [] for h in SCALES},
            edge_residue={h: [] for h in SCALES},
            unsteady={h: [] for h in SCALES},
        )
        self.recent: deque[Look] = deque(maxlen=2 * max(SCALES) + 1)
        self.before_faint: deque[Look] = deque(maxlen=RAMP + 1)  # last pictures before the current faint run
        self.faint_start: int | None = None
        self.pending: tuple[int, int, Look] | None = None  # a faint run waiting for its picture after
        self.last_faint = -1  # the number of the last faint frame seen
        self.velocity: tuple[float, float] | None = None  # the camera's move from the frame before, if any

    def add(self, time: float, small: NDArray[np.uint8]) -> None:
        signals, recent = self.signals, self.recent
        seen = look(small)
        number = len(signals.times)
        signals.times.append(time)
        signals.brightness.append(seen.brightness)
        signals.contrast.append(seen.contrast)
        signals.step.append(0.0)
        signals.changed.append(0.0)
        signals.kept.append(0.0)
        signals.untouched.append(0.0)
        signals.still_step.append(0.0)
        signals.still_changed.append(0.0)
        signals.motion.append(0.0)
        signals.persists.append(0.0)
        signals.recoloured.append(0.0)
        for h in SCALES:
            signals.span[h].append(0.0)
            signals.residue[h].append(1.0)
            signals.edge_residue[h].append(1.0)
            signals.unsteady[h].append(1.0)
        recent.append(seen)
        if seen.faint:
            self.last_faint = number
        self._compare(number, seen)
        self._persistence(number)
        self._faint(number, seen)

    def _at(self, frame: int) -> Look:
        """A frame still held in ``recent`` by its number."""
        return self.recent[frame - len(self.signals.times) + len(self.recent)]

    def _compare(self, number: int, seen: Look) -> None:
        """Compares the new frame, in one go, with the one before (the step) and with the first frame of
        each dissolve window that it closes (frames number - 2H .. number, none of them faint)."""
        if seen.faint or number == 0:
            return
        earlier = [number - 1] if number - 1 > self.last_faint else []
        earlier += [number - 2 * h for h in SCALES if number - 2 * h > self.last_faint]
        if not earlier:
            return
        befores = [self._at(frame) for frame in earlier]
        # The windows' ends need no second guess; the frame before is a step (when it is first).
        change = block_changes(befores, seen, again=1, stepping=int(earlier[0] == number - 1))
        shares = (change > 1.0).mean(axis=1)
        signals = self.signals
        if earlier[0] == number - 1:
            step, changed = float(np.minimum(change[0], 2.0).mean()), float(shares[0])
            signals.kept[number] = float((change[0] < KEPT).mean())
            signals.untouched[number] = _untouched(befores[0], seen)
            signals.still_step[number], signals.still_changed[number] = step, changed
            velocity, self.velocity = self.velocity, None
            if step >= MOVE_STEP:  # the frame before carried along the camera's move, if it moved
                shift = global_shift(befores[0], seen)
                signals.motion[number] = float(np.hypot(*shift))
                # The move of the frame before is tried too: a whip pan over a floor's planks or a fence
                # (a pattern that repeats) can fool the measurement, while a camera's speed changes little
                # from one frame to the next.
                shifts = [shift] + ([velocity] if velocity is not None and velocity != shift else [])
                for rows, columns in shifts:
                    if np.hypot(rows, columns) < MIN_SHIFT:
                        continue
                    carried = block_changes(
                        [look(moved(befores[0].pixels, rows, columns, seen.pixels))], seen, stepping=1
                    )
                    if float(np.minimum(carried, 2.0).mean()) < step:
                        step, changed = float(np.minimum(carried, 2.0).mean()), float((carried > 1.0).mean())
                        signals.motion[number] = float(np.hypot(rows, columns))
                        self.velocity = (rows, columns)
            signals.step[number], signals.changed[number] = step, changed
        for first, share in zip(earlier, shares, strict=True):
            h = (number - first) // 2
            if h not in signals.span:
                continue
            signals.span[h][number - h] = float(share)
            if share < MIX_SHARE:
                continue  # too little change for a dissolve: the residues need not be measured
            start, middle = self._at(first), self._at(number - h)
            signals.residue[h][number - h] = _residue(start.pixels, middle.pixels, seen.pixels)
            signals.edge_residue[h][number - h] = _residue(start.edges, middle.edges, seen.edges)
            if (
                signals.residue[h][number - h] <= LINEARITY
                and signals.edge_residue[h][number - h] <= MOVING_EDGE_LINEARITY
            ):  # a candidate on its own: is every frame of the window a steady mix of its ends?
                window = [self._at(frame).pooled for frame in range(first, number + 1)]
                signals.unsteady[h][number - h] = _unsteadiness(window)

    def _persistence(self, number: int) -> None:
        """For a cut candidate PERSIST frames back: the least share changed between frames before and
        after it."""
        candidate = number - PERSIST
        first = candidate - 1 - PERSIST
        if candidate < 1:
            return
        signals = self.signals
        changed = (signals.still_changed if _jumps(signals.motion, candidate) else signals.changed)[candidate]
        if (
            first >= 0
            and changed < CUT_SHARE
            and signals.step[candidate] >= SUBTLE_STEP
            and signals.untouched[candidate] < NONE_UNTOUCHED
        ):
            self._recoloured(candidate, first, number)
        if first < 0 or changed < CUT_SHARE:
            if changed >= CUT_SHARE:
                self.signals.persists[candidate] = 1.0  # too near the start to check: trust the change
            return
        # Every frame after against the last one before, the first one after against every frame before,
        # and the two ends: grouped by the later frame of each pair, to compare in one go.
        pairs: dict[int, list[int]] = {later: [candidate - 1] for later in range(candidate + 1, number + 1)}
        pairs[candidate] = list(range(candidate - 2, first - 1, -1))
        pairs[number].append(first)
        shares = [
            share
            for later, befores in pairs.items()
            if not self._at(later).faint
            for share in changed_shares(
                [self._at(frame) for frame in befores if not self._at(frame).faint],
                self._at(later),
                across_a_cut=True,
            )
        ]
        self.signals.persists[candidate] = min(shares) if shares else 0.0

    def _recoloured(self, candidate: int, first: int, number: int) -> None:
        """Two flat pictures (a sky, a wall, a backdrop) differ in light and colour more than in
        structure, which a fit of brightness and contrast explains: few blocks count as changed. A flash
        changes them as much, for a frame or two: what tells a cut is that no frame after the candidate
        has the colour of any frame before it."""
        pairs = [(b, a) for b in range(first, candidate) for a in range(candidate, number + 1)]
        self.signals.recoloured[candidate] = min(
            1.0 - _untouched(self._at(before), self._at(after)) for before, after in pairs
        )

    def _faint(self, number: int, seen: Look) -> None:
        if seen.faint:
            if self.faint_start is None and self.pending is not None:
                # Faint again before the picture had come back for long (a strobe, flicker about the
                # threshold): one run, compared with the picture before the first.
                self.faint_start = self.pending[0]
                self.before_faint.clear()
                self.before_faint.append(self.pending[2])
                self.pending = None
            elif self.faint_start is None:
                self.faint_start = number
            return
        if self.faint_start is not None:
            reference = self.before_faint[0] if self.before_faint else None
            if reference is not None and number - self.faint_start <= 2 * FADE_MAX:
                self.pending = (self.faint_start, number, reference)
            else:  # the programme opens on it, or it is too long to hold the picture before: no comparison
                self.signals.faint_runs.append(FaintRun(self.faint_start, number, 0.0))
            self.faint_start = None
            self.before_faint.clear()
        self.before_faint.append(seen)
        if self.pending is not None and number >= self.pending[1] + RAMP:
            start, end, reference = self.pending
            self.signals.faint_runs.append(FaintRun(start, end, changed_share(reference, seen)))
            self.pending = None

    def finish(self) -> FrameSignals:
        if (
            self.pending is not None
        ):  # the programme ends within RAMP frames of the run: compare what there is
            start, end, reference = self.pending
            self.signals.faint_runs.append(FaintRun(start, end, changed_share(reference, self.recent[-1])))
        if self.faint_start is not None:
            self.signals.faint_runs.append(FaintRun(self.faint_start, len(self.signals.times), 0.0))
        return self.signals


class BuiltinDetector:
    """The built-in engine of the shot-detector seam (:mod:`avbase.media.detector`)."""

    def __init__(self) -> None:
        self.measurer = _Measurer()
        # One scaler for the whole pass: ``frame.reformat`` sets up a new one for every frame, which costs
        # ten times the scaling itself.
        self.reformatter = VideoReformatter()

    def add(self, frame: av.VideoFrame) -> None:
        # FAST_BILINEAR: the thumbnail only feeds block averages, and scaling is the costly step.
        small = self.reformatter.reformat(
            frame, width=THUMB[0], height=THUMB[1], format="rgb24", interpolation="FAST_BILINEAR"
        ).to_ndarray()
        self.measurer.add(float(frame.time) if frame.time is not None else 0.0, np.asarray(small, np.uint8))

    def finish(self) -> dict[int, str]:
        return boundaries(self.measurer.finish())


def _jumps(motion: list[float], index: int) -> bool:
    """Whether the picture jumps far at ``index`` between two frames that hardly move: no camera move."""
    around = max(motion[max(0, index - 1) : index] + motion[index + 1 : index + 2], default=0.0)
    return motion[index] >= JUMP and motion[index] >= JUMP_RATIO * around


def cut_frames(signals: FrameSignals) -> list[int]:
    """Frames that start a new shot by a hard cut between two pictures: most blocks changed, a change that
    lasts, and a step that stands out: well above its two neighbours (a whip pan rises and falls over
    several frames) and above the usual steps on at least one side (a fast camera move on the other)."""
    step, changed = np.asarray(signals.step, np.float64), np.asarray(signals.changed)
    # A picture that jumps far between two frames of a steady one is no camera move: a cut to the same
    # scene further along. There the frame before is compared as it is.
    jump = np.array([_jumps(signals.motion, index) for index in range(len(step))], bool)
    step = np.where(jump, signals.still_step, step)
    changed = np.where(jump, signals.still_changed, changed)
    cuts: list[int] = []
    for index in range(1, len(step)):
        # Blocks kept only once brightness is fitted, while no block kept its colour, are two flat
        # backdrops of different colour: a cut, not a new word over its backdrop.
        kept = signals.kept[index] if signals.untouched[index] >= NONE_UNTOUCHED else 0.0
        if kept > KEPT_SHARE or step[index] < SUBTLE_STEP:
            continue
        # A neighbour that left much of the picture as it was (a word sliding in just before a cut) is a
        # change of its own, not the rise or fall of a whip pan around this one.
        neighbours = max(
            (
                step[other]
                for other in (index - 1, index + 1)
                if other < len(step) and signals.kept[other] <= PARTIAL
            ),
            default=0.0,
        )
        before = step[max(1, index - WINDOW) : index - 1]
        after = step[index + 2 : index + WINDOW + 1]
        # The upper quartile, not the median: in a lyric video a new word comes every few frames, and
        # those spikes are the usual level there; a cut is rare against its quieter side.
        usual = min(float(np.quantile(side, USUAL)) if side.size else 0.0 for side in (before, after))
        # A flat picture cut to another of other light and colour, each holding its colour from frame to
        # frame (no ramp of a fade, no strobe, no flickering film), and not the same picture in other
        # light: its step is small for a cut (structure explains it), yet a word sliding in beside it
        # steps as much.
        recoloured = (
            signals.recoloured[index] >= RECOLOURED
            and signals.untouched[index] < NONE_UNTOUCHED
            and signals.kept[index] <= KEPT_SHARE
            and min(
                signals.untouched[other]
                for other in range(index - STEADY_FRAMES, index + STEADY_FRAMES + 1)
                if other != index and 0 < other < len(step)
            )
            >= STEADY
        )
        if step[index] < PEAK * neighbours or (step[index] < RELATIVE * usual and not recoloured):
            continue
        if not recoloured and (changed[index] < CUT_SHARE or signals.persists[index] < PERSIST_SHARE):
            # A jump cut within one scene changes every block a little: a lone step in a still picture,
            # which leaves next to nothing as it was.
            quiet = max(
                neighbours, max((float(side.max()) for side in (before, after) if side.size), default=0)
            )
            if signals.kept[index] > SUBTLE_KEPT or step[index] < SUBTLE_PEAK * quiet:
                continue
        if cuts and index - cuts[-1] < MIN_SHOT_FRAMES:
            if step[index] > step[cuts[-1]]:
                cuts[-1] = index
            continue
        cuts.append(index)
    return cuts


def _gone_at_once(contrast: list[float], start: int) -> bool:
    """Whether the picture went faint at once at ``start`` (a flash, a cut to black), not over a ramp."""
    out = contrast[max(0, start - RAMP - 1) : start + 1]
    return _jump(out[::-1])


def _back_at_once(contrast: list[float], end: int) -> bool:
    """Whether the picture came back at once at ``end`` (a cut), not over a ramp (a fade in)."""
    return _jump(contrast[end - 1 : end + RAMP + 1])


def _jump(contrast: list[float]) -> bool:
    """Whether the contrast rises by most of its height from one frame to the next."""
    return bool(len(contrast) > 1 and np.diff(contrast).max() >= (1 - ABRUPT) * max(contrast))


def _steady(contrast: list[float], direction: int) -> bool:
    """Whether the contrast falls (direction -1) or rises (1) frame after frame, as in a fade's ramp and
    not a strobe's flicker."""
    steps = np.diff(np.asarray(contrast)) * direction
    return bool(
        len(contrast) > 1
        and max(contrast) >= 2 * FAINT  # not a picture hovering about the threshold
        and (steps >= -RAMP_WOBBLE * max(contrast)).all()
    )


def faint_boundaries(signals: FrameSignals) -> dict[int, str]:
    """Boundaries at faint runs with picture on both sides: with different content either side, a fade when
    the picture comes back gradually and a cut when it comes back at once; with the same content, a fade
    only when the picture went out and came back gradually (a flash or a blink is no boundary)."""
    found: dict[int, str] = {}
    count = len(signals.contrast)
    for run in signals.faint_runs:
        if run.start == 0 or run.end >= count:
            continue  # the programme opens or closes on it
        back = signals.contrast[run.end : run.end + RAMP + 1]
        at_once = _back_at_once(signals.contrast, run.end)
        if run.end - run.start > FADE_MAX:  # a black or white shot of its own
            found[run.start] = "cut" if _gone_at_once(signals.contrast, run.start) else "fade"
            found[run.end] = "cut" if at_once else "fade"
        elif max(back) < 2 * FAINT:
            continue  # no picture comes back, only a flat one hovering about the threshold (a sky)
        elif not at_once and _gone_at_once(signals.contrast, run.start):
            # Washed out at once, back gradually: a flash when brief, else a cut to a flat picture (a sky)
            # that the camera then leaves.
            if run.change >= CUT_SHARE and run.end - run.start >= FLAT_SHOT:
                found[run.start] = "cut"
        elif run.change >= CUT_SHARE:
            found[run.end] = "cut" if at_once else "fade"
        elif (
            not at_once
            and not _gone_at_once(signals.contrast, run.start)
            and _steady(signals.contrast[max(0, run.start - RAMP - 1) : run.start + 1], -1)
            and _steady(back, 1)
        ):
            found[run.end] = "fade"  # out and back in gradually: a fade, even between like pictures
    return found


def _alike_contrast(contrast: list[float], middle: int, h: int) -> bool:
    """Whether the ends of a window have a like contrast and nothing between sinks far below them: a
    dissolve mixes two pictures, while across a fade's ramp (or a light going out) one end or the frames
    between sink towards a flat picture."""
    window = contrast[max(0, middle - h) : middle + h + 1]
    first, last = window[0], window[-1]
    return min(first, last) >= ALIKE_CONTRAST * max(first, last) and min(window) >= DIP * min(first, last)


def gradual_frames(signals: FrameSignals) -> list[int]:
    """Middles of dissolves: runs of frames whose window, at any scale, spans a change of most blocks while
    its centre is the mix of its ends in pixels and in edges (or a change of fewer blocks with a centre
    that is very nearly their mix)."""
    faint = np.concatenate(([0], np.cumsum(np.asarray(signals.contrast) < FAINT)))

    def near_faint(middle: int, h: int) -> bool:  # on a fade's ramp
        low, high = max(0, middle - h - FADE_REACH), min(len(faint) - 1, middle + h + FADE_REACH + 1)
        return bool(faint[high] > faint[low])

    def moving(middle: int, h: int) -> bool:  # a camera move across the window, or a whip at its middle
        across = float(np.median(signals.motion[max(0, middle - h) : middle + h + 1]))
        return across >= FAST_MOVE or max(signals.motion[max(0, middle - 2) : middle + 3]) >= WHIP

    candidates = sorted(
        {
            index
            for h in SCALES
            for index, span in enumerate(signals.span[h])
            if (
                (
                    span >= GRADUAL_SHARE
                    and signals.residue[h][index] <= LINEARITY
                    and signals.edge_residue[h][index] <= EDGE_LINEARITY
                )
                or (
                    span >= MIX_SHARE
                    and signals.residue[h][index] <= MIX_LINEARITY
                    and signals.edge_residue[h][index] <= MIX_EDGE_LINEARITY
                )
                or (  # a mix of moving pictures: edges blur, yet every frame is a steady mix of the ends
                    span >= MOVING_SHARE
                    and signals.residue[h][index] <= MOVING_LINEARITY
                    and signals.edge_residue[h][index] <= MOVING_EDGE_LINEARITY
                    and signals.unsteady[h][index] <= STEADY_MIX
                )
            )
            and signals.unsteady[h][index] <= UNSTEADY
            and _alike_contrast(signals.contrast, index, h)
            and not near_faint(index, h)
            and not moving(index, h)
        }
    )
    middles: list[int] = []
    run: list[int] = []
    for index in [*candidates, None]:
        if index is not None and (not run or index - run[-1] <= RUN_GAP):
            run.append(index)
            continue
        if run:
            middles.append((run[0] + run[-1] + 1) // 2)
        run = [index] if index is not None else []
    return middles


def boundaries(signals: FrameSignals) -> dict[int, str]:
    """Frame number → how the shot starting there begins (cut, dissolve or fade)."""
    found = faint_boundaries(signals)
    for cut in cut_frames(signals):
        if all(abs(cut - other) >= MIN_SHOT_FRAMES for other in found):
            found[cut] = "cut"
    for frame in gradual_frames(signals):
        if all(abs(frame - other) >= MIN_SHOT_FRAMES for other in found):
            found[frame] = "dissolve"
    return dict(sorted(found.items()))


def shots_from(times: list[float], starts: dict[int, str]) -> list[Shot]:
    """Shots from the frame times of a programme and the frames that start them (with how they begin)."""
    ordered = sorted(starts)
    step = (times[-1] - times[0]) / max(len(times) - 1, 1)
    shots = []
    for number, start in enumerate(ordered):
        end = ordered[number + 1] if number + 1 < len(ordered) else len(times)
        end_time = times[end] if end < len(times) else times[-1] + step
        shots.append(Shot(number, start, end, round(times[start], 3), round(end_time, 3), starts[start]))
    return shots


def detect_shots(
    path: Path, on_frame: FrameListener | None = None, detector: ShotDetector | None = None
) -> list[Shot]:
    """Decodes the first video stream once and feeds every frame to ``detector`` (the built-in one
    unless given) and to ``on_frame``."""
    detector = detector if detector is not None else BuiltinDetector()
    times: list[float] = []
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for frame in container.decode(stream):
            time = float(frame.time) if frame.time is not None else 0.0
            times.append(time)
            if on_frame is not None:
                on_frame(time, frame)
            detector.add(frame)
    if not times:
        return []
    starts = {frame: kind for frame, kind in detector.finish().items() if 0 < frame < len(times)}
    return shots_from(times, {0: "start", **starts})
