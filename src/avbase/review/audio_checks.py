"""Silence, a silent channel and clipping, from the per-10 ms measures of :mod:`avbase.review.loudness`
and a clipped-sample counter fed the same chunks. Pure: NumPy in, stretches out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from avbase.review.loudness import LFE_CHANNELS, SUB_BLOCK
from avbase.review.stretches import Stretch, stretches

Floats = NDArray[np.float64]
CLIP_LEVEL = 0.999  # of full scale: 16-bit full scale decodes to 32767/32768
CLIP_RUN = 3  # consecutive samples at full scale make a clip (one may be a legitimate peak)


def silence(sample_peaks: Floats, *, threshold_db: float, min_seconds: float) -> list[Stretch]:
    """Stretches where every channel's peak stays below ``threshold_db`` (dBFS) for ``min_seconds``."""
    if sample_peaks.size == 0:
        return []
    quiet = (sample_peaks < 10.0 ** (threshold_db / 20.0)).all(axis=0)
    times = np.arange(quiet.size) * SUB_BLOCK
    return stretches(quiet, times, SUB_BLOCK, min_seconds=min_seconds)


@dataclass(frozen=True)
class SilentChannel:
    channel: str
    stretch: Stretch


def silent_channels(
    sample_peaks: Floats, names: Sequence[str], *, threshold_db: float, min_seconds: float
) -> list[SilentChannel]:
    """Stretches where one channel (not the LFE) is silent while another carries sound."""
    if sample_peaks.shape[0] < 2 or sample_peaks.size == 0:
        return []
    quiet = sample_peaks < 10.0 ** (threshold_db / 20.0)
    times = np.arange(quiet.shape[1]) * SUB_BLOCK
    found: list[SilentChannel] = []
    for index, name in enumerate(names):
        if name.upper() in LFE_CHANNELS:
            continue
        others = np.delete(quiet, index, axis=0)
        alone = quiet[index] & ~others.all(axis=0)
        found += [
            SilentChannel(name, stretch)
            for stretch in stretches(alone, times, SUB_BLOCK, min_seconds=min_seconds, bridge=0.2)
        ]
    return found


class ClipCounter:
    """Counts clipped samples (runs of ``CLIP_RUN`` or more at full scale, any channel) per 10 ms."""

    def __init__(self, rate: int, channels: int) -> None:
        self.sub_block = max(1, round(rate * SUB_BLOCK))
        self.position = 0
        self.carry = np.zeros((channels, CLIP_RUN - 1), bool)
        self.counts: dict[int, int] = {}

    def add(self, samples: NDArray[np.floating]) -> None:
        full = np.abs(np.asarray(samples)) >= CLIP_LEVEL
        if full.ndim == 1:
            full = full[np.newaxis, :]
        if full.any() or self.carry.any():
            joined = np.concatenate([self.carry, full], axis=1)
            run = joined[:, CLIP_RUN - 1 :].copy()
            for back in range(1, CLIP_RUN):
                run &= joined[:, CLIP_RUN - 1 - back : joined.shape[1] - back]
            hits = np.flatnonzero(run.any(axis=0))
            for sub, count in zip(
                *np.unique((self.position + hits) // self.sub_block, return_counts=True), strict=True
            ):
                self.counts[int(sub)] = self.counts.get(int(sub), 0) + int(count)
        self.carry = np.concatenate([self.carry, full], axis=1)[:, -(CLIP_RUN - 1) :]
        self.position += full.shape[1]

    def stretches(self, *, bridge: float = 0.5) -> list[tuple[Stretch, int]]:
        """Stretches with clipping (clips closer than ``bridge`` seconds joined) and their clipped samples."""
        if not self.counts:
            return []
        subs = sorted(self.counts)
        flags = np.zeros(subs[-1] + 1, bool)
        flags[subs] = True
        times = np.arange(flags.size) * SUB_BLOCK
        return [
            (stretch, sum(self.counts.get(sub, 0) for sub in range(stretch.first, stretch.last + 1)))
            for stretch in stretches(flags, times, SUB_BLOCK, bridge=bridge)
        ]
