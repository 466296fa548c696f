"""BS.1770-4 / R128 conformance on the EBU Tech 3341 and 3342 signals, within their tolerances:
integrated, momentary and short-term ±0.1 LU, loudness range ±1 LU, true peak +0.2/−0.4 dB."""

from __future__ import annotations

import numpy as np
import pytest

from avbase.review.loudness import channel_weights
from tests.review.signals import RATE, measure, sequence, tone

LU = 0.1


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([(-23, 20)], -23.0),  # 3341 case 1
        ([(-33, 20)], -33.0),  # case 2
        ([(-36, 10), (-23, 60), (-36, 10)], -23.0),  # case 3: relative gate
        ([(-72, 10), (-36, 10), (-23, 60), (-36, 10), (-72, 10)], -23.0),  # case 4: absolute gate
        ([(-26, 20), (-20, 20.1), (-26, 20)], -23.0),  # case 5: energy mean
    ],
)
def test_integrated_loudness_of_tone_sequences(parts: list[tuple[float, float]], expected: float) -> None:
    signal = sequence(*parts)
    result = measure([signal, signal]).result()
    assert result.integrated_lufs == pytest.approx(expected, abs=LU)


def test_steady_tone_reads_the_same_momentary_short_term_and_integrated() -> None:
    signal = tone(-23, 20)
    result = measure([signal, signal]).result()
    assert result.momentary_max_lufs == pytest.approx(-23.0, abs=LU)
    assert result.short_term_max_lufs == pytest.approx(-23.0, abs=LU)
    assert result.lra_lu == pytest.approx(0.0, abs=1.0)


def test_surround_channels_weigh_plus_one_and_a_half_db_and_the_lfe_not_at_all() -> None:
    assert channel_weights(["FL", "FR", "FC", "LFE", "BL", "BR"]) == [1.0, 1.0, 1.0, 0.0, 1.41, 1.41]
    assert channel_weights(["FL", "FR", "FC", "LFE", "SL", "SR"]) == [1.0, 1.0, 1.0, 0.0, 1.41, 1.41]
    # L, R, C at −28 dBFS and Ls, Rs at the level that makes −23.0 with the 1.41 weighting:
    # 3·10^(−2.8) + 2·1.41·a² = 2·10^(−2.3)  →  a = −27.285 dBFS; the LFE at full scale must not count
    front, surround = tone(-28, 20), tone(-27.285, 20)
    lfe = tone(0, 20, frequency=60)
    meter = measure([front, front, front, lfe, surround, surround], ("FL", "FR", "FC", "LFE", "SL", "SR"))
    assert meter.result().integrated_lufs == pytest.approx(-23.0, abs=LU)
    without_weight = measure([front, front, front, surround, surround], ("FL", "FR", "FC", "X1", "X2"))
    assert without_weight.result().integrated_lufs == pytest.approx(-23.0 - 10 * np.log10(
        (3 * 10**-2.8 + 2 * 1.41 * 10**-2.7285) / (3 * 10**-2.8 + 2 * 10**-2.7285)), abs=LU)  # fmt: skip


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([(-20, 20), (-30, 20)], 10.0),  # 3342 case 1
        ([(-20, 20), (-15, 20)], 5.0),  # case 2
        ([(-40, 20), (-20, 20)], 20.0),  # case 3
        ([(-50, 20), (-35, 20), (-20, 20), (-35, 20), (-50, 20)], 15.0),  # case 4
    ],
)
def test_loudness_range_of_level_steps(parts: list[tuple[float, float]], expected: float) -> None:
    signal = sequence(*parts)
    assert measure([signal, signal]).result().lra_lu == pytest.approx(expected, abs=1.0)


@pytest.mark.parametrize("offset", [0.0, 0.13, 0.57])
def test_short_term_maximum_of_a_three_second_burst(offset: float) -> None:
    # 3341 cases 10/11 style: one 3 s burst at −23 in silence, anywhere: the short-term maximum is −23
    signal = np.concatenate([np.zeros(round((2 + offset) * RATE)), tone(-23, 3), np.zeros(2 * RATE)])
    assert measure([signal, signal]).result().short_term_max_lufs == pytest.approx(-23.0, abs=LU)


@pytest.mark.parametrize("offset", [0.0, 0.21, 0.35])
def test_momentary_maximum_of_a_gated_burst(offset: float) -> None:
    # 3341 cases 12/13 style: a 0.4 s burst at −23 in silence: the momentary maximum is −23
    signal = np.concatenate([np.zeros(round((1 + offset) * RATE)), tone(-23, 0.4), np.zeros(RATE)])
    assert measure([signal, signal]).result().momentary_max_lufs == pytest.approx(-23.0, abs=LU)


def _faded(signal: np.ndarray, rate: int) -> np.ndarray:
    """10 ms raised-cosine ends: a tone switched on at full level is a click with its own overshoot."""
    ramp = round(0.01 * rate)
    window = np.ones(signal.size)
    window[:ramp] = window[-ramp:][::-1] = 0.5 - 0.5 * np.cos(np.linspace(0, np.pi, ramp))
    return signal * window


@pytest.mark.parametrize(
    ("frequency", "phase_degrees", "rate"),
    [
        (12000, 0.0, 48000),  # 3341 case 15: fs/4, samples on the peaks
        (12000, 45.0, 48000),  # case 16: fs/4, samples 3 dB below the peaks
        (8000, 60.0, 48000),  # case 17: fs/6
        (6000, 67.5, 48000),  # case 18: fs/8
        (24000, 45.0, 96000),  # case 19: fs/4 at 96 kHz
    ],
)
def test_true_peak_of_tones_between_samples(frequency: float, phase_degrees: float, rate: int) -> None:
    signal = _faded(tone(-6, 2, frequency=frequency, phase=np.radians(phase_degrees), rate=rate), rate)
    result = measure([signal], ("FC",), rate=rate).result()
    assert -6.4 <= result.true_peak_dbtp <= -5.8
    assert result.sample_peak_dbfs <= result.true_peak_dbtp + 1e-6


def test_true_peak_is_found_where_it_is() -> None:
    signal = np.concatenate([tone(-20, 3), tone(-3, 0.5), tone(-20, 3)])
    meter = measure([signal, signal])
    assert meter.result().true_peak_at == pytest.approx(3.0, abs=0.5)
    assert meter.result().true_peak_dbtp == pytest.approx(-3.0, abs=0.2)


def test_chunk_size_does_not_change_the_result() -> None:
    signal = sequence((-30, 4), (-18, 3), (-40, 3))
    one = measure([signal, signal], chunk=441).result()  # odd, smaller than a sub-block
    other = measure([signal, signal], chunk=48000).result()
    assert one == other or all(
        abs(a - b) < 1e-6 for a, b in zip(one.__dict__.values(), other.__dict__.values(), strict=True)
    )


def test_other_sample_rates() -> None:
    signal = tone(-23, 10, rate=44100)
    assert measure([signal, signal], rate=44100).result().integrated_lufs == pytest.approx(-23.0, abs=LU)
