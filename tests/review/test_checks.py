"""The picture, flash and sound checks alone, on NumPy frames and samples."""

from __future__ import annotations

import numpy as np

from avbase.review.audio_checks import ClipCounter, silence, silent_channels
from avbase.review.flashes import FlashChecks
from avbase.review.pictures import PictureChecks
from tests.review.signals import RATE, measure, tone

FPS = 25


def _grey(level: int) -> np.ndarray:
    return np.full((36, 64, 3), level, np.uint8)


def _moving(index: int) -> np.ndarray:
    rng = np.random.default_rng(index)
    return rng.integers(60, 200, (36, 64, 3), dtype=np.uint8)


def _flash_run(levels: list[int]) -> FlashChecks:
    checks = FlashChecks()
    for index, level in enumerate(levels):
        checks.add(index / FPS, _grey(level))
    return checks


def test_a_twelve_hertz_full_screen_flash_fails_where_it_is() -> None:
    steady = [40] * 50
    flashing = [255 if (index * 12 * 2 // FPS) % 2 == 0 else 0 for index in range(50)]  # 2 s at 12 Hz
    failing = _flash_run(steady + flashing + steady).failing()
    assert len(failing) == 1
    assert failing[0].start >= 1.96 and failing[0].start <= 2.1
    assert failing[0].end >= 3.8 and failing[0].end <= 4.04
    assert failing[0].flashes_per_second > 3 and not failing[0].red


def test_a_slow_brightness_change_and_three_flashes_a_second_pass() -> None:
    slow = [int(127 + 127 * np.sin(2 * np.pi * index / FPS)) for index in range(10 * FPS)]  # 1 Hz
    assert _flash_run(slow).failing() == []
    three = [255 if index % 25 in (0, 1, 8, 9, 16, 17) else 0 for index in range(5 * FPS)]  # 3 a second
    assert _flash_run(three).failing() == []


def test_small_or_bright_flashes_pass() -> None:
    checks = FlashChecks()
    for index in range(50):
        frame = _grey(0)
        if index % 2:
            frame[:, :12] = 255  # under a quarter of the screen
        checks.add(index / FPS, frame)
    assert checks.failing() == []
    # both states brighter than 160 cd/m²: 230 → 255 is not a flash
    assert _flash_run([255 if index % 2 else 235 for index in range(50)]).failing() == []


def test_saturated_red_flashes_are_counted_apart() -> None:
    checks = FlashChecks()
    for index in range(50):
        frame = np.zeros((36, 64, 3), np.uint8)
        frame[..., 0] = 255 if index % 2 else 200  # 42.5 against 24.6 cd/m²: too small a step in luminance
        checks.add(index / FPS, frame)
    failing = checks.failing()
    assert failing and all(stretch.red for stretch in failing)


def test_black_and_frozen_stretches() -> None:
    checks = PictureChecks()
    frames = [_moving(i) for i in range(50)] + [_grey(5)] * 75 + [_moving(i) for i in range(50, 100)]
    frames += [_moving(999)] * 60 + [_moving(i) for i in range(100, 125)]
    for index, frame in enumerate(frames):
        checks.add(index / FPS, frame, black_pixel=0.10)
    black = checks.black(share=0.98, min_seconds=2.0)
    assert [(s.start, s.end) for s in black] == [(2.0, 5.0)]
    frozen = checks.frozen(noise=0.003, min_seconds=2.0, black=black)
    assert [(s.start, s.end) for s in frozen] == [(7.0, 9.4)]


def test_silence_silent_channel_and_clipping() -> None:
    sound = tone(-20, 3)
    gap = np.zeros(round(2.5 * RATE))
    left = np.concatenate([sound, gap, sound, sound])
    right = np.concatenate([sound, gap, sound, np.zeros_like(sound)])
    meter = measure([left, right])
    peaks = meter.sub_block_sample_peaks()
    assert [(s.start, s.end) for s in silence(peaks, threshold_db=-60, min_seconds=2.0)] == [(3.0, 5.5)]
    silent = silent_channels(peaks, ["FL", "FR"], threshold_db=-60, min_seconds=2.0)
    assert [(s.channel, s.stretch.start, s.stretch.end) for s in silent] == [("FR", 8.5, 11.5)]

    clips = ClipCounter(RATE, 2)
    loud = np.clip(tone(3, 4), -1.0, 1.0)  # +3 dBFS squared off
    quiet = tone(-20, 4)
    samples = np.vstack([np.concatenate([quiet, loud, quiet])] * 2)
    for start in range(0, samples.shape[1], 1000):
        clips.add(samples[:, start : start + 1000])
    found = clips.stretches()
    assert len(found) == 1
    stretch, count = found[0]
    assert (stretch.start, stretch.end) == (4.0, 8.0)
    assert count > 1000


def test_operator_profiles_are_checked_field_by_field() -> None:
    import pytest

    from avbase.review.profiles import BUILTIN, Profile

    base = {**BUILTIN["ebu-r128"].to_json(), "key": "platform"}
    assert Profile.from_json(base).integrated_lufs == -23.0
    for bad, field in [({"loudness": 1}, "loudness"), ({"integrated_lufs": "x"}, "integrated_lufs"),
                       ({"check_flashes": 1}, "check_flashes"), ({"warnings": ["nope"]}, "nope"),
                       ({"key": ""}, "key")]:  # fmt: skip
        with pytest.raises(ValueError, match=field):
            Profile.from_json({**base, **bad})
    with pytest.raises(ValueError, match="name"):
        Profile.from_json({"key": "x"})
