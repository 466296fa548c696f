"""Harmful regular patterns (ITU-R BT.1702 / Ofcom): stripes or checks that flicker or move are reported
with their start and end; still ones held over a quarter of the screen as warnings; a still texture, text, a
moving natural picture and the corpus's clips (colour bars included) are not. On NumPy frames, and through
the whole QC pass on FFmpeg lavfi material and the corpus."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

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


def test_a_still_pattern_a_still_texture_and_a_moving_picture_do_not_change() -> None:
    assert _run([_stripes(0.0)] * 75) == []  # held still: not a changing pattern (see the still ones below)
    assert _run([_natural(2, 0)] * 75) == []
    assert _run([_natural(3, index) for index in range(75)]) == []  # panned across the picture
    # wide bands (three pairs across) reversing: a flash, perhaps, but not a pattern
    assert _run([_stripes(0.5 * (index % 2), period=WIDTH / 3) for index in range(50)]) == []


# ---- still patterns -----------------------------------------------------------------------------------

PROFILE = BUILTIN["gy-t-282"]


def _still(frames: list[np.ndarray], **limits: float) -> list[tuple[float, float, float]]:
    checks = PatternChecks()
    for index, frame in enumerate(frames):
        checks.add(index / FPS, frame)
    found = checks.still(
        area=limits.get("area", PROFILE.still_pattern_area),
        contrast=limits.get("contrast", PROFILE.still_pattern_contrast),
        min_seconds=limits.get("seconds", PROFILE.still_pattern_seconds),
    )
    return [(stretch.start, stretch.end, stretch.pairs) for stretch in found]


def _checks(size: int, dark: int = 16, light: int = 235) -> np.ndarray:
    return np.where((X // size + Y // size) % 2 == 0, light, dark).astype(np.uint8)


def _text_page(size: int, spacing: float, *, chinese: bool, dark_on_light: bool = True) -> np.ndarray:
    """A page of lines of text (1280×720) as the QC sees it: 128×72, each pixel the mean of a 10×10 block."""
    from PIL import Image, ImageDraw, ImageFont

    if chinese:
        if not CJK_FONT.is_file():
            pytest.skip("the Noto CJK font is not installed")
        font: Any = ImageFont.truetype(str(CJK_FONT), size)
        words = ["影视作品", "审查流程", "优化，", "联审联办", "内容审核", "助手。", "数字底座"]
    else:
        font = ImageFont.load_default(size=size)
        words = ["the", "joint", "review", "of", "works,", "and", "assistant", "for", "programmes."]
    rng = np.random.default_rng(size)
    page = Image.new("L", (1280, 720), 255 if dark_on_light else 0)
    draw = ImageDraw.Draw(page)
    for top in range(10, 720, int(size * spacing)):
        line = ("" if chinese else " ").join(rng.choice(words, size=int(rng.integers(8, 60))))
        draw.text((10, top), line, fill=0 if dark_on_light else 255, font=font)
    return np.asarray(page.resize(SIZE, Image.Resampling.BOX), np.uint8)


CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def test_still_stripes_and_checks_held_over_a_quarter_of_the_screen_are_reported() -> None:
    before = [_natural(1, 0)] * 25
    found = _still(before + [_stripes(0.0)] * 30 + before)  # 1.2 s of stripes, 8 pairs
    assert len(found) == 1
    start, end, pairs = found[0]
    assert start == pytest.approx(1.0) and end == pytest.approx(2.2) and pairs == pytest.approx(8, abs=0.6)
    assert len(_still([_checks(8)] * 20)) == 1  # 0.8 s of checks
    # held under the profile's 0.5 s: not reported; the profile's own limits are used
    assert _still(before + [_stripes(0.0)] * 10 + before) == []
    assert _still([_stripes(0.0)] * 20, seconds=1.0) == []
    # faint stripes (a low contrast) or stripes over a fifth of the screen only: not reported
    assert _still([_stripes(0.0).clip(100, 160)] * 30) == []
    band = np.full((HEIGHT, WIDTH), 16, np.uint8)
    band[: HEIGHT // 5] = _stripes(0.0)[: HEIGHT // 5]
    assert _still([band] * 30) == []
    # a reversing pattern is reported as changing, not also as still; its still lead-in is still
    reversing = [_stripes(0.5 * ((index * 4 // FPS) % 2)) for index in range(50)]
    assert _still(reversing) == []
    lead_in = _still([_stripes(0.0)] * 25 + reversing)
    assert len(lead_in) == 1 and lead_in[0][0] == 0.0 and lead_in[0][1] == pytest.approx(1.24, abs=0.05)


def test_a_still_pattern_alone_warns_and_the_programme_passes() -> None:
    measures = qc.Measures(duration=2.0)
    for index in range(50):
        measures.patterns.add(index / FPS, _checks(8))
    findings = qc.findings(measures, PROFILE)
    assert [(f.kind, f.detail, f.severity, f.start, f.end) for f in findings] == [
        ("pattern", "still", "warning", 0.0, 2.0)
    ]
    assert qc.Report(2.0, None, findings).verdict == "pass"


@pytest.mark.parametrize("chinese", [False, True], ids=["latin", "chinese"])
def test_text_and_natural_pictures_are_not_still_patterns(chinese: bool) -> None:
    gratings = 0  # at 128×72 most pages are a faint grating of lines: the contrast keeps them out
    for size in (14, 20, 28, 40, 60):
        for spacing in (1.2, 1.6, 2.2):
            for dark_on_light in (True, False):
                page = _text_page(size, spacing, chinese=chinese, dark_on_light=dark_on_light)
                assert _still([page] * 30) == [], (size, spacing, dark_on_light)
                gratings += bool(_still([page] * 30, contrast=0.0))
    assert gratings >= 10
    assert _still([_natural(4, 0)] * 30, contrast=0.0) == []


def test_the_corpus_has_no_pattern(corpus: Path) -> None:
    """The real clips: colour bars (seven bars are not a pattern of more than five light-dark pairs), natural
    scenes of people, water, fire, an animation; no pattern, still or changing, in any."""
    clips = [path for path in sorted(corpus.iterdir()) if path.suffix in (".mp4", ".webm")]
    assert "smpte_1080p.mp4" in [path.name for path in clips]
    for path in clips:
        report = qc.check(path, BUILTIN["gy-t-282"])
        assert [finding for finding in report.findings if finding.kind == "pattern"] == [], path.name


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


def test_flickering_moving_and_still_patterns_are_reported_in_the_qc_pass(programme: Path) -> None:
    report = qc.check(programme, BUILTIN["gy-t-282"])
    patterns = [finding for finding in report.findings if finding.kind == "pattern" and finding.detail == ""]
    assert len(patterns) == len(PATTERNS), patterns
    for finding, (start, end) in zip(patterns, PATTERNS, strict=True):
        assert finding.start == pytest.approx(start, abs=0.05) and finding.end == pytest.approx(end, abs=0.05)
    assert all(
        f.value is not None and f.value > 5 and f.limit == 5 and f.severity == "error" for f in patterns
    )
    assert all(f.to_json()["unit"] == "pairs" for f in patterns)
    # the still stripes, from their first frame until the first reversal, as a warning (not the texture)
    still = [finding for finding in report.findings if finding.detail == "still"]
    assert [(f.kind, f.start, f.severity, f.limit) for f in still] == [("pattern", 2.0, "warning", 5.0)]
    assert still[0].end == patterns[0].start and still[0].value == pytest.approx(8, abs=0.6)
    assert still[0].to_json()["detail"] == "still"
    # only the patterns: no flash (4 reversals a second are two flashes), no freeze in 1.5 s stills
    assert {finding.kind for finding in report.findings} == {"pattern"}, report.findings
    assert report.verdict == "fail"  # the changing ones; a still one alone warns

    def checked(**changes: Any) -> list[qc.Finding]:
        profile = qc.Profile.from_json({**BUILTIN["gy-t-282"].to_json(), "key": "lax", **changes})
        return qc.check(programme, profile).findings

    assert [finding.detail for finding in checked(check_still_patterns=False)] == ["", ""]
    assert [finding.detail for finding in checked(still_pattern_seconds=2.0)] == ["", ""]
    assert checked(check_patterns=False) == []
