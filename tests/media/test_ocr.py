"""What the OCR reader decides, on small clips made with ffmpeg drawtext: a change of one character is a
new caption while a misreading of one is not, a caption that comes or goes with a hard cut is timed at
the cut, colour changes count, and the detector (the costly half) runs only where new text can be."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from avbase.media.ocr import (
    DETECT_EVERY,
    Line,
    Quad,
    RapidText,
    merge,
    read_video_text,
    same_caption,
)
from avbase.media.shots import detect_shots
from tests.media.synthetic import SANS, SERIF, Caption, burn_captions, splice

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


@pytest.fixture(autouse=True)
def _tools() -> None:
    if shutil.which("ffmpeg") is None or not CJK_FONT.exists():
        pytest.skip("ffmpeg and fonts-noto-cjk are needed (scripts/system-deps.sh test installs them)")


def background(path: Path, colour: str, seconds: float, size: tuple[int, int] = (640, 360)) -> Path:
    """A steady picture of one colour, 25 fps."""
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", f"color=c={colour}:s={size[0]}x{size[1]}:r=25",
         "-t", str(seconds), "-c:v", "libx264", "-preset", "veryfast", str(path)],
        check=True,
    )  # fmt: skip
    return path


def line(text: str, confidence: float = 0.99, top: float = 0.1) -> Line:
    return Line(text, (0.3, top, 0.7, top + 0.08), confidence)


def test_two_sure_readings_one_character_apart_are_two_captions_and_a_slip_or_a_clipped_end_is_one() -> None:
    assert not same_caption("第一集 山水之间", 0.99, "第二集 山水之间", 0.98)
    assert not same_caption("比分 1:0", 0.97, "比分 2:0", 0.99)
    assert same_caption("春江花月夜", 0.95, "春江花月液", 0.7)  # the recogniser unsure of one character
    assert same_caption("超高清频道", 0.99, "高清频道", 0.99)  # a detector box that clipped the first one
    assert same_caption("记者", 0.99, "记者 张明", 0.99)  # a caption that grows by a word
    assert not same_caption("春江花月夜", 0.95, "夏日荷塘月色", 0.7)  # unsure, but another text
    assert not same_caption("第一集", 0.99, "集", 0.99)  # too little of it left to be the same

    samples = [
        (0.0, [line("第一集 山水之间")]),
        (0.5, [line("第一集 山水之间"), line("春江花月夜", 0.95, top=0.8)]),
        (1.0, [line("第二集 山水之间"), line("春江花月液", 0.7, top=0.8)]),
        (1.5, [line("第二集 山水之间"), line("春江花月夜", 0.96, top=0.8)]),
    ]
    records = merge(samples, every=0.5)
    assert [(r.text, r.start, r.end) for r in records] == [
        ("第一集 山水之间", 0.0, 1.0), ("春江花月夜", 0.5, 2.0), ("第二集 山水之间", 1.0, 2.0),
    ]  # fmt: skip


def test_a_caption_changed_by_one_character_on_a_steady_shot_is_read_as_a_new_caption(tmp_path: Path) -> None:
    """第一集 → 第二集 at the top and 记者 张明 → 记者 李明 (26 pixels, plain yellow) at the bottom: the
    pixels of one character change, and each change starts a record at its time."""
    captions = [
        Caption("第一集 山水之间", 0.0, 3.0, SERIF, 56, "white", "shadow", "top"),
        Caption("第二集 山水之间", 3.0, 6.0, SERIF, 56, "white", "shadow", "top"),
        Caption("记者 张明", 0.0, 3.5, SANS, 36, "yellow", "plain", "bottom-left"),
        Caption("记者 李明", 3.5, 6.0, SANS, 36, "yellow", "plain", "bottom-left"),
    ]
    clip = burn_captions(tmp_path / "episode.mp4", background(tmp_path / "steady.mp4", "0x304050", 6),
                         captions, start=0, seconds=6, size=(640, 360))  # fmt: skip
    run = read_video_text(clip, keyframe_times=[])
    read = [("".join(r.text.split()), r.start, r.end) for r in run.records]
    for caption in captions:
        text = "".join(caption.text.split())
        found = [(start, end) for got, start, end in read if got == text]
        assert len(found) == 1, (caption.text, read)
        assert abs(found[0][0] - caption.start) <= 0.54 and abs(found[0][1] - caption.end) <= 0.54, read
    assert len(read) == len(captions), read


def test_a_caption_that_comes_and_goes_with_hard_cuts_is_timed_at_the_cuts(
    corpus: Path, tmp_path: Path
) -> None:
    """Three shots cut at 2.12 s and 5.12 s (between two half-second samples); one caption from the first
    cut to the second, another that appears inside the third shot. The first is timed at the cuts, to the
    frame; the second, which came with no cut, at the sample that saw it."""
    edit = tmp_path / "edit.mp4"
    boundaries = splice(
        edit, corpus, [("bottle.mp4", 5.0, 53), ("person.mp4", 20.0, 75), ("example_16s.mp4", 2.0, 72)]
    )
    assert boundaries == [53, 128]
    captions = [Caption("影视产业协作网", 53 / 25, 128 / 25, SANS, 44, "white", "border", "bottom"),
                Caption("版权交易中心", 6.3, 7.8, SANS, 44, "white", "box", "top")]  # fmt: skip
    clip = burn_captions(tmp_path / "cuts.mp4", edit, captions, start=0, seconds=8, size=(640, 360))
    cuts = [shot.start for shot in detect_shots(clip) if shot.transition == "cut"]
    assert [round(cut, 2) for cut in cuts] == [2.12, 5.12]
    run = read_video_text(clip, keyframe_times=[], cuts=cuts)
    first = next(r for r in run.records if r.text == "影视产业协作网")
    assert abs(first.start - 2.12) <= 0.02 and abs(first.end - 5.12) <= 0.02, run.records
    second = next(r for r in run.records if r.text == "版权交易中心")
    assert 6.3 <= second.start <= 6.84 and second.start not in cuts, run.records


def test_yellow_text_on_a_pale_sky_is_seen_to_come_and_go(tmp_path: Path) -> None:
    """In grey, yellow strokes on a pale blue differ by a few levels only; in colour they stand out."""
    captions = [Caption("超高清频道", 1.0, 4.0, SERIF, 44, "yellow", "plain", "top-right")]
    clip = burn_captions(tmp_path / "sky.mp4", background(tmp_path / "pale.mp4", "0xC8D2E6", 6), captions,
                         start=0, seconds=6, size=(640, 360))  # fmt: skip
    run = read_video_text(clip, keyframe_times=[])
    assert [r.text for r in run.records] == ["超高清频道"], run.records
    assert abs(run.records[0].start - 1.0) <= 0.54 and abs(run.records[0].end - 4.0) <= 0.54, run.records


class CountingReader(RapidText):
    """RapidOCR as it is, with what it was asked to look at written down."""

    def __init__(self) -> None:
        self.detected: list[tuple[int, int]] = []
        self.recognised = 0

    def detect(self, image: np.ndarray) -> list[Quad]:  # type: ignore[override]
        self.detected.append(image.shape[:2])
        return super().detect(image)

    def recognise(self, image: np.ndarray, quads: list[Quad]) -> list[tuple[str, float]]:  # type: ignore[override]
        self.recognised += len(quads)
        return super().recognise(image, quads)


def test_a_running_counter_is_recognised_where_it_is_without_the_detector_and_small_pictures_are_not_scaled_up(
    tmp_path: Path,
) -> None:
    """A timecode changes at every sample inside the line already read: it is recognised again at its
    place, and the detector runs only when a caption appears or goes elsewhere. The detector sees a 360-line
    picture at 352 lines (no scaling up), never more often than every DETECT_EVERY seconds."""
    drawtext = ",".join(
        [f"drawtext=fontfile={CJK_FONT}:text='%{{pts\\:hms}}':fontsize=30:fontcolor=white:x=40:y=40"]
        + [
            f"drawtext=fontfile={CJK_FONT}:text='{text}':fontsize=30:fontcolor=white:x=(w-text_w)/2:y=h-70:"
            f"enable='between(t,{start},{end - 0.01})'"
            for text, start, end in [("江南春色", 1, 4), ("夜色下的长沙", 6, 9)]
        ]
    )
    clip = tmp_path / "counter.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=0x203040:s=640x360:r=25:d=10", "-vf", drawtext,
         "-c:v", "libx264", "-preset", "veryfast", str(clip)],
        check=True,
    )  # fmt: skip
    reader = CountingReader()
    run = read_video_text(clip, keyframe_times=[], reader=reader)
    assert {text for text in ("江南春色", "夜色下的长沙") if any(r.text == text for r in run.records)} == {
        "江南春色", "夜色下的长沙",
    }, run.records  # fmt: skip
    assert run.frames_read + run.frames_reused == 20  # a sample every half second
    # The first sample, each caption coming and going (at most one look each, a second apart): not the
    # twenty samples at which the timecode changed.
    assert run.frames_read == len(reader.detected) <= 5, reader.detected
    assert all(height <= 352 for height, _width in reader.detected), reader.detected
    assert any(r.text.startswith("00:00:0") for r in run.records)
    assert run.lines_read == reader.recognised


def test_the_detector_looks_for_new_text_every_second_on_a_moving_picture_and_captions_keep_their_time(
    corpus: Path, tmp_path: Path
) -> None:
    """Camera footage changes everywhere at every sample: the detector runs every DETECT_EVERY seconds,
    not at every sample, and a caption that appears between two of its runs still begins at its sample."""
    captions = [Caption("数字人主播正在播报新闻", 0.5, 2.5), Caption("马栏山视频文创园欢迎您", 2.5, 4.0),
                Caption("正在直播", 1.2, 4.0, SANS, 48, "yellow", "border", "top-left")]  # fmt: skip
    clip = burn_captions(tmp_path / "moving.mp4", corpus / "bbb_0_30.webm", captions, start=3, seconds=5,
                         size=(640, 360))  # fmt: skip
    reader = CountingReader()
    run = read_video_text(clip, keyframe_times=[], reader=reader)
    assert run.frames_read <= 5 / DETECT_EVERY + 1 < run.frames_read + run.frames_reused, run
    for caption in captions:
        record = next(r for r in run.records if r.text == caption.text)
        assert abs(record.start - caption.start) <= 0.54 and abs(record.end - caption.end) <= 0.54, (
            run.records
        )


def test_a_caption_shown_for_half_a_second_on_a_steady_shot_is_read(tmp_path: Path) -> None:
    """A caption on screen 0.6 s, just after the detector looked for another: its small region is looked
    at the sample that sees it, not a second later when it is gone."""
    captions = [Caption("湖南卫视独家播出", 1.0, 4.0, SANS, 48, "white", "box", "bottom"),
                Caption("正在直播", 1.3, 1.9, SANS, 40, "red", "border", "top-right")]  # fmt: skip
    clip = burn_captions(tmp_path / "brief.mp4", background(tmp_path / "steady.mp4", "0x405060", 5), captions,
                         start=0, seconds=5, size=(640, 360))  # fmt: skip
    run = read_video_text(clip, keyframe_times=[])
    assert sorted(r.text for r in run.records) == sorted(c.text for c in captions), run.records


def test_a_running_clock_that_stops_for_a_caption_in_its_place_is_read_at_once(tmp_path: Path) -> None:
    """A timecode runs for 5.3 s (read every few seconds once taken for a clock), then a shorter caption
    stands in its place: the caption is read as the clock stops, not when it would have been read next,
    and its record begins at the sample that first showed it."""
    place = "x=40:y=40:fontsize=30:fontcolor=white"
    drawtext = ",".join([
        f"drawtext=fontfile={CJK_FONT}:text='%{{pts\\:hms}}':{place}:enable='lt(t,5.3)'",
        f"drawtext=fontfile={CJK_FONT}:text='中场休息':{place}:enable='gte(t,5.3)'",
    ])  # fmt: skip
    clip = tmp_path / "clock.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=0x203040:s=640x360:r=25:d=10", "-vf", drawtext,
         "-c:v", "libx264", "-preset", "veryfast", str(clip)],
        check=True,
    )  # fmt: skip
    run = read_video_text(clip, keyframe_times=[])
    caption = [r for r in run.records if "".join(r.text.split()) == "中场休息"]
    assert len(caption) == 1 and abs(caption[0].start - 5.3) <= 0.54 and caption[0].end >= 9.5, run.records
