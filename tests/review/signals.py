"""The EBU Tech 3341 / 3342 test signals, synthesized: 1 kHz (or given) sine tones, stereo unless said,
levels in dBFS of the sine's peak as those documents give them."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from avbase.review.loudness import LoudnessMeter

RATE = 48000


def tone(level_db: float, seconds: float, *, frequency: float = 1000.0, phase: float = 0.0,
         rate: int = RATE) -> NDArray[np.float64]:  # fmt: skip
    t = np.arange(round(seconds * rate)) / rate
    return np.asarray(10 ** (level_db / 20) * np.sin(2 * np.pi * frequency * t + phase), np.float64)


def sequence(*parts: tuple[float, float], rate: int = RATE) -> NDArray[np.float64]:
    """Tones of (level dBFS, seconds) one after the other; None-level parts are digital silence."""
    return np.concatenate([tone(level, seconds, rate=rate) for level, seconds in parts])


def measure(channels: list[NDArray[np.float64]], names: tuple[str, ...] = ("FL", "FR"), *, rate: int = RATE,
            chunk: int = 9600) -> LoudnessMeter:  # fmt: skip
    """Fed as a decoder would, ``chunk`` samples at a time."""
    meter = LoudnessMeter(rate, names)
    samples = np.vstack(channels).astype(np.float32)
    for start in range(0, samples.shape[1], chunk):
        meter.add(samples[:, start : start + chunk])
    meter.finish()
    return meter
