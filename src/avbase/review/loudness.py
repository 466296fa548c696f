"""Loudness and true peak after ITU-R BS.1770-4 and EBU R128 (EBU Tech 3341, 3342), streamed over blocks.

Samples arrive in any chunks; each channel is K-weighted (the two biquads of BS.1770, with their state
carried from chunk to chunk) and only the weighted mean square of every 10 ms is kept — ten bytes a second
per programme, never the audio itself. From those:

- momentary loudness: 400 ms windows, short-term: 3 s windows, both every 10 ms (their maxima);
- integrated loudness: the 400 ms blocks every 100 ms (75 % overlap), gated at −70 LUFS and then 10 LU
  below the loudness of the blocks that passed (BS.1770-4);
- loudness range (EBU Tech 3342): the 3 s blocks every 100 ms, gated at −70 LUFS and 20 LU below their
  power mean, the spread between the 10th and the 95th percentile;
- true peak: each channel oversampled four times by a polyphase low-pass (BS.1770-4 Annex 2), the largest
  magnitude, also kept per 10 ms so a stretch above a limit can be reported with its start and end.

Channels are weighted by their position: left, right, centre 1.0, surround 1.41 (+1.5 dB), LFE excluded.

Pure: NumPy and SciPy in, numbers out; no database, no web.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy import signal

Floats = NDArray[np.float64]

SUB_BLOCK = 0.01  # seconds: the resolution of momentary and short-term loudness and of true peak
MOMENTARY = 40  # sub-blocks in 400 ms
SHORT_TERM = 300  # sub-blocks in 3 s
BATCH = 100  # sub-blocks measured at once
GATE_STEP = 10  # sub-blocks between gating blocks (100 ms: 75 % overlap of 400 ms blocks)
ABSOLUTE_GATE = -70.0  # LUFS
RELATIVE_GATE = -10.0  # LU below the absolute-gated loudness (integrated)
LRA_RELATIVE_GATE = -20.0  # LU (loudness range)
LRA_LOW, LRA_HIGH = 0.10, 0.95  # percentiles
OVERSAMPLE = 4
SURROUND = 1.41  # +1.5 dB
FLOOR = -200.0  # what no energy reads as in LUFS / dB (a number, so JSON keeps it)

# Channel names as FFmpeg's layouts spell them; anything else counts as a front channel.
SURROUND_CHANNELS = {"SL", "SR", "BL", "BR", "LS", "RS", "SIDE_LEFT", "SIDE_RIGHT", "BACK_LEFT", "BACK_RIGHT"}
LFE_CHANNELS = {"LFE", "LFE1", "LFE2", "LOW_FREQUENCY", "LOW_FREQUENCY_2"}


def channel_weights(names: Sequence[str]) -> list[float]:
    """The BS.1770 weight of each channel of a layout: 1.0 front, 1.41 surround, 0 for the LFE."""
    weights = []
    for name in names:
        upper = name.upper()
        weights.append(0.0 if upper in LFE_CHANNELS else SURROUND if upper in SURROUND_CHANNELS else 1.0)
    return weights


def k_weighting(rate: int) -> Floats:
    """The K-weighting filter of BS.1770 (high shelf, then the RLB high-pass) as second-order sections,
    derived for any sample rate (at 48 kHz they are the coefficients the recommendation lists)."""
    f0, gain_db, q = 1681.974450955533, 3.999843853973347, 0.7071752369554196
    k = math.tan(math.pi * f0 / rate)
    vh = 10.0 ** (gain_db / 20.0)
    vb = vh**0.4996667741545416
    a0 = 1.0 + k / q + k * k
    shelf = [
        (vh + vb * k / q + k * k) / a0,
        2.0 * (k * k - vh) / a0,
        (vh - vb * k / q + k * k) / a0,
        1.0,
        2.0 * (k * k - 1.0) / a0,
        (1.0 - k / q + k * k) / a0,
    ]
    f0, q = 38.13547087602444, 0.5003270373238773
    k = math.tan(math.pi * f0 / rate)
    a0 = 1.0 + k / q + k * k
    highpass = [1.0, -2.0, 1.0, 1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / q + k * k) / a0]
    return np.array([shelf, highpass], np.float64)


def oversampling_filter() -> Floats:
    """The interpolation low-pass for 4× true-peak oversampling: 97 taps (about 24 per phase; BS.1770-4
    asks for 48 at least), flat within 0.01 dB to 0.38 × the input rate; odd, so its delay is a whole
    number of input samples and every fourth output is an input sample."""
    taps = signal.firwin(97, 0.5 / OVERSAMPLE, window=("kaiser", 9.0), fs=1.0)
    return np.asarray(taps * OVERSAMPLE, np.float64)


def to_lufs(energy: float | Floats) -> Floats:
    """Weighted mean square to loudness: −0.691 + 10·log10(Σ Gᵢ·zᵢ)."""
    value = np.asarray(energy, np.float64)
    with np.errstate(divide="ignore"):
        loud = -0.691 + 10.0 * np.log10(value)
    return np.asarray(np.where(value > 0, loud, FLOOR), np.float64)


def to_db(amplitude: float) -> float:
    return 20.0 * math.log10(amplitude) if amplitude > 0 else FLOOR


@dataclass(frozen=True)
class Loudness:
    integrated_lufs: float
    lra_lu: float
    momentary_max_lufs: float
    short_term_max_lufs: float
    true_peak_dbtp: float
    sample_peak_dbfs: float
    true_peak_at: float  # seconds: where the true peak is

    def to_json(self) -> dict[str, float]:
        """Each key names its unit in its suffix (see ``review.units``)."""
        data = {key: round(value, 2) for key, value in self.__dict__.items()}
        data["true_peak_at_s"] = data.pop("true_peak_at")
        return data


class LoudnessMeter:
    """Feed it planar float samples (channels × n, full scale 1.0) with ``add``; ``result`` at the end."""

    def __init__(self, rate: int, channels: Sequence[str]) -> None:
        self.rate = rate
        self.weights = np.array(channel_weights(channels), np.float64)
        self.sub_block = max(1, round(rate * SUB_BLOCK))
        self.sos = k_weighting(rate)
        self.filter_state = np.zeros((self.sos.shape[0], len(channels), 2))
        self.fir = oversampling_filter()
        # enough input history that every interpolated point of new samples is a full convolution
        self.history_len = math.ceil(len(self.fir) / OVERSAMPLE) + 1
        self.history = np.zeros((len(channels), self.history_len))
        self.pending = np.zeros((len(channels), 0))
        self.energies: list[Floats] = []  # per sub-block: Σ Gᵢ·mean square
        self.peaks: list[Floats] = []  # per sub-block: true peak (linear, all channels)
        self.sample_peaks: list[Floats] = []  # per sub-block: sample peak per channel (channels × n)
        self.channel_levels: list[Floats] = []  # per sub-block: mean square per channel (unweighted)

    @property
    def channels(self) -> int:
        return len(self.weights)

    def add(self, samples: NDArray[np.floating]) -> None:
        block = np.asarray(samples, np.float64)
        if block.ndim == 1:
            block = block[np.newaxis, :]
        if block.shape[0] != self.channels:
            raise ValueError(f"expected {self.channels} channels, got {block.shape[0]}")
        self.pending = np.concatenate([self.pending, block], axis=1)
        whole = self.pending.shape[1] // self.sub_block * self.sub_block
        if whole >= BATCH * self.sub_block:  # decoders hand over ~20 ms at a time: measure in batches
            self._measure(self.pending[:, :whole])
            self.pending = self.pending[:, whole:]

    def _measure(self, block: Floats) -> None:
        count = block.shape[1] // self.sub_block
        weighted, self.filter_state = signal.sosfilt(self.sos, block, axis=1, zi=self.filter_state)
        squares = (weighted * weighted).reshape(self.channels, count, self.sub_block).mean(axis=2)
        self.channel_levels.append(squares)
        self.energies.append(self.weights @ squares)
        sample_peaks = np.abs(block).reshape(self.channels, count, self.sub_block).max(axis=2)
        self.sample_peaks.append(sample_peaks)
        # a true peak is never below the sample peak (the filter's passband edge may shave a tone at fs/2)
        self.peaks.append(np.maximum(self._true_peaks(block, count), sample_peaks.max(axis=0)))

    def _true_peaks(self, block: Floats, count: int) -> Floats:
        joined = np.concatenate([self.history, block], axis=1)
        self.history = joined[:, -self.history_len :]
        upsampled = signal.upfirdn(self.fir, joined, up=OVERSAMPLE, axis=1)
        start = len(self.fir) - 1
        valid = np.abs(upsampled[:, start : start + OVERSAMPLE * block.shape[1]])
        return np.asarray(valid.reshape(self.channels, count, -1).max(axis=2).max(axis=0), np.float64)

    def finish(self) -> None:
        """Measures what is left: the samples short of a sub-block (peaks only) and the filter tail."""
        whole = self.pending.shape[1] // self.sub_block * self.sub_block
        if whole:
            self._measure(self.pending[:, :whole])
        tail = self.pending[:, whole:]
        self.pending = np.zeros((self.channels, 0))
        padded = np.zeros((self.channels, self.sub_block))
        padded[:, : tail.shape[1]] = tail
        if tail.shape[1]:
            self._measure(padded)
            # the zero padding is not audio: keep its peaks, drop its energy
            self.energies[-1] = self.energies[-1][:0]
            self.channel_levels[-1] = self.channel_levels[-1][:, :0]
        silence = np.zeros((self.channels, self.history_len))
        flush = signal.upfirdn(
            self.fir, np.concatenate([self.history, silence], axis=1), up=OVERSAMPLE, axis=1
        )
        if self.peaks and self.peaks[-1].size:
            self.peaks[-1][-1] = max(float(self.peaks[-1][-1]), float(np.abs(flush).max(initial=0.0)))

    def sub_block_energies(self) -> Floats:
        return np.concatenate(self.energies) if self.energies else np.zeros(0)

    def sub_block_peaks(self) -> Floats:
        return np.concatenate(self.peaks) if self.peaks else np.zeros(0)

    def sub_block_sample_peaks(self) -> Floats:
        """Sample peak per channel and sub-block (channels × n)."""
        return (
            np.concatenate(self.sample_peaks, axis=1) if self.sample_peaks else np.zeros((self.channels, 0))
        )

    def sub_block_channel_levels(self) -> Floats:
        """Unweighted mean square per channel and sub-block (channels × n)."""
        if not self.channel_levels:
            return np.zeros((self.channels, 0))
        return np.concatenate(self.channel_levels, axis=1)

    def momentary(self) -> Floats:
        """Momentary loudness (LUFS) every 10 ms: the 400 ms windows ending at each sub-block."""
        return to_lufs(_windows(self.sub_block_energies(), MOMENTARY))

    def short_term(self) -> Floats:
        """Short-term loudness (LUFS) every 10 ms: the 3 s windows ending at each sub-block."""
        return to_lufs(_windows(self.sub_block_energies(), SHORT_TERM))

    def result(self) -> Loudness:
        energies = self.sub_block_energies()
        momentary_blocks = _windows(energies, MOMENTARY)
        short_blocks = _windows(energies, SHORT_TERM)
        peaks = self.sub_block_peaks()
        sample = self.sub_block_sample_peaks()
        peak_index = int(np.argmax(peaks)) if peaks.size else 0
        return Loudness(
            integrated_lufs=integrated(momentary_blocks[::GATE_STEP]),
            lra_lu=loudness_range(short_blocks[::GATE_STEP]),
            momentary_max_lufs=float(to_lufs(momentary_blocks.max())) if momentary_blocks.size else FLOOR,
            short_term_max_lufs=float(to_lufs(short_blocks.max())) if short_blocks.size else FLOOR,
            true_peak_dbtp=to_db(float(peaks.max(initial=0.0))),
            sample_peak_dbfs=to_db(float(sample.max(initial=0.0))),
            true_peak_at=peak_index * SUB_BLOCK,
        )


def _windows(energies: Floats, length: int) -> Floats:
    """Mean energy of every full window of ``length`` sub-blocks (one per sub-block from the first full)."""
    if energies.size < length:
        return np.zeros(0)
    sums = np.cumsum(np.concatenate([[0.0], energies]))
    return np.asarray((sums[length:] - sums[:-length]) / length, np.float64)


def integrated(blocks: Floats) -> float:
    """Gated integrated loudness of 400 ms block energies (BS.1770-4 §2.8)."""
    kept = blocks[to_lufs(blocks) > ABSOLUTE_GATE]
    if not kept.size:
        return FLOOR
    relative = float(to_lufs(kept.mean())) + RELATIVE_GATE
    kept = kept[to_lufs(kept) > relative]
    return float(to_lufs(kept.mean())) if kept.size else FLOOR


def loudness_range(blocks: Floats) -> float:
    """Loudness range of 3 s block energies (EBU Tech 3342)."""
    kept = blocks[to_lufs(blocks) > ABSOLUTE_GATE]
    if not kept.size:
        return 0.0
    relative = float(to_lufs(kept.mean())) + LRA_RELATIVE_GATE
    loudness = np.sort(to_lufs(kept[to_lufs(kept) > relative]))
    if not loudness.size:
        return 0.0
    low = loudness[round((loudness.size - 1) * LRA_LOW)]
    high = loudness[round((loudness.size - 1) * LRA_HIGH)]
    return float(high - low)
