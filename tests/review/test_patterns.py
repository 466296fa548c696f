"""Harmful regular patterns (ITU-R BT.1702 / Ofcom): stripes or checks that flicker or move are reported
with their start and end; a still pattern, a still texture and a moving natural picture are not. On NumPy
frames, and through the whole QC pass on FFmpeg lavfi material."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from avbase.review import qc
from avbase.review.patterns import SIZE, PatternChecks
from avbase.review.profiles import BUILTIN

FPS = 25
WIDTH, HEIGHT = SIZE
X = np.arange(WIDTH)[None, :]
Y = np.arange(HEIGHT)[:, None]


def _stripes(phase: float, period: float = 16.0) -> np.ndarray:
    """Vertical square-wave stripes, WIDTH / period light-dark pairs across, shifted by ``phase`` (0–1)."""
    light = ((X / period + phase) % 1.0) < 0.5
    return np.where(np.broadcast_to(light, (HEIGHT, WIDTH)), 235, 16).astype(np.uint8)


def _natural(seed: int, shift: int) -> np.ndarray:
    """Smooth random shading (a spectrum falling with frequency, like a photograph), panned by ``shift``."""
    rng = np.random.default_rng(seed)
    noise = rng.normal(size=(HEIGHT, WIDTH * 2))
    fy = np.fft.fftfreq(HEIGHT)[:, None]
    fx = np.fft.fftfreq(WIDTH * 2)[None, :]
    smooth = np.real(np.fft.ifft2(np.fft.fft2(noise) / np.maximum(np.hypot(fy, fx), 1 / WIDTH)))
    smooth = (smooth - smooth.min()) / (smooth.max() - smooth.min())
    return np.asarray(20 + 215 * smooth[:, shift : shift + WIDTH], np.uint8)


def _run(frames: list[np.ndarray]) -> list[tuple[float, float, float]]:
    checks = PatternChecks()
    for index, frame in enumerate(frames):
        checks.add(index / FPS, frame)
    return [(stretch.start, stretch.end, stretch.pairs) for stretch in checks.failing()]


def test_flickering_and_drifting_stripes_fail_where_they_are() -> None:
    still = [_natural(1, 0)] * 50
    reversing = [_stripes(0.5 * ((index * 4 // FPS) % 2)) for index in range(50)]  # reverses 4 times a second
    found = _run(still + reversing + still)
    assert len(found) == 1
    start, end, pairs = found[0]
    assert 2.0 <= start <= 2.2 and 3.7 <= end <= 4.04 and pairs == pytest.approx(8, abs=0.6)
    drifting = [_stripes(index / 20) for index in range(50)]  # 1.25 stripe periods a second
    found = _run(still + drifting)
    assert len(found) == 1 and found[0][0] == pytest.approx(2.0, abs=0.05) and found[0][1] == 4.0


def test_a_still_pattern_a_still_texture_and_a_moving_picture_pass() -> None:
    assert _run([_stripes(0.0)] * 75) == []  # the guidance is about patterns that flash or move
    assert _run([_natural(2, 0)] * 75) == []
    assert _run([_natural(3, index) for index in range(75)]) == []  # panned across the picture
    # wide bands (three pairs across) reversing: a flash, perhaps, but not a pattern
    assert _run([_stripes(0.5 * (index % 2), period=WIDTH / 3) for index in range(50)]) == []


# ---- through the QC pass, on FFmpeg material -------------------------------------------------------

GEQ = "color=gray:s=320x180:r=25:d={d},format=yuv420p,geq=lum='{lum}':cb=128:cr=128"
SEGMENTS = [  # (lavfi source, seconds); a pattern is reported in the flickering and the moving ones only
    ("mandelbrot=s=320x180:r=25,trim=duration=2,format=yuv420p", 2.0),  # a moving, natural-looking picture
    (GEQ.format(d=1.5, lum="if(lt(mod(X/20\\,2)\\,1)\\,235\\,16)"), 1.5),  # still stripes, 8 pairs
    (
        GEQ.format(d=2, lum="if(lt(mod(X/20+floor(T*4)\\,2)\\,1)\\,235\\,16)"),
        2.0,
    ),  # the same, reversing at 4 Hz
    (GEQ.format(d=1.5, lum="128+50*sin(X*X*0.037+Y*1.91)*cos(Y*Y*0.013+X*0.7)"), 1.5),  # a still texture
    (
        GEQ.format(d=2, lum="if(lt(mod(floor((X+T*40)/16)+floor(Y/16)\\,2)\\,1)\\,235\\,16)"),
        2.0,
    ),  # moving checks
    ("testsrc2=s=320x180:r=25:d=2,format=yuv420p", 2.0),
]
# from the first change to the last: the reversing stripes begin as the still ones end and first reverse
# 0.25 s in (at 3.75 s), last at 5.25 s; the checks move from their first frame
PATTERNS = [(3.75, 5.29), (7.0, 9.0)]


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not shutil.which("ffmpeg"):
        pytest.skip("ffmpeg is not installed")
    out = tmp_path_factory.mktemp("patterns") / "patterns.mp4"
    sources = ";".join(f"{source}[s{index}]" for index, (source, _seconds) in enumerate(SEGMENTS))
    joined = "".join(f"[s{index}]" for index in range(len(SEGMENTS)))
    graph = f"{sources};{joined}concat=n={len(SEGMENTS)}:v=1:a=0[v]"
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-filter_complex", graph, "-map", "[v]", "-c:v", "libx264",
                    "-preset", "ultrafast", "-g", "50", str(out)], check=True)  # fmt: skip
    return out


def test_flickering_and_moving_patterns_are_reported_in_the_qc_pass(programme: Path) -> None:
    report = qc.check(programme, BUILTIN["gy-t-282"])
    patterns = [finding for finding in report.findings if finding.kind == "pattern"]
    assert len(patterns) == len(PATTERNS), patterns
    for finding, (start, end) in zip(patterns, PATTERNS, strict=True):
        assert finding.start == pytest.approx(start, abs=0.05) and finding.end == pytest.approx(end, abs=0.05)
    assert all(f.value is not None and f.value > 5 and f.limit == 5 for f in patterns)
    assert all(f.to_json()["unit"] == "pairs" for f in patterns)
    # only the patterns: no flash (4 reversals a second are two flashes), no freeze in 1.5 s stills
    assert {finding.kind for finding in report.findings} == {"pattern"}, report.findings
    without = qc.check(programme, qc.Profile.from_json({**BUILTIN["gy-t-282"].to_json(), "key": "lax",
                                                        "check_patterns": False}))  # fmt: skip
    assert [finding.kind for finding in without.findings] == []
