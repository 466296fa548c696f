"""Tiny clips made with PyAV for tests: HDR (PQ with static metadata, HLG) and multichannel audio; edits
spliced from corpus clips; programmes with burned-in captions in many styles (ffmpeg drawtext)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import av
import numpy as np

MASTERING = (
    "master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1):max-cll=1000,400"
)


def hevc_clip(path: Path, *, transfer: str, static_metadata: bool = False, layout: str = "5.1") -> Path:
    trc = {"smpte2084": 16, "arib-std-b67": 18}[transfer]
    params = f"log-level=error:colorprim=bt2020:transfer={transfer}:colormatrix=bt2020nc"
    if static_metadata:
        params += ":" + MASTERING
    with av.open(str(path), "w") as out:
        video = out.add_stream("libx265", rate=25)
        video.width, video.height, video.pix_fmt = 320, 180, "yuv420p10le"
        video.options = {"x265-params": params}
        context = video.codec_context
        context.color_primaries, context.color_trc, context.colorspace = 9, trc, 9  # type: ignore[attr-defined]
        audio = out.add_stream("aac", rate=48000, layout=layout)
        for number in range(10):
            frame = av.VideoFrame.from_ndarray(np.full((180, 320, 3), number * 20, np.uint8), format="rgb24")
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)
        channels = len(av.AudioLayout(layout).channels)
        sound = av.AudioFrame.from_ndarray(
            np.zeros((channels, 1024), np.float32), format="fltp", layout=layout
        )
        sound.sample_rate = 48000
        for packet in [*audio.encode(sound), *audio.encode()]:
            out.mux(packet)
    return path


def _piece_frames(
    corpus: Path, name: str, start: float, frames: int, size: tuple[int, int]
) -> list[np.ndarray]:
    taken: list[np.ndarray] = []
    with av.open(str(corpus / name)) as source:
        stream = source.streams.video[0]
        source.seek(int(start / stream.time_base), stream=stream)  # type: ignore[operator]
        for frame in source.decode(stream):
            if frame.time is not None and frame.time < start:
                continue
            taken.append(frame.reformat(width=size[0], height=size[1], format="rgb24").to_ndarray())
            if len(taken) == frames:
                break
    return taken


def splice(
    out: Path,
    corpus: Path,
    pieces: list[tuple[str, float, int]] | list[tuple[str, float, int, str, int]],
    size: tuple[int, int] = (640, 360),
) -> list[int]:
    """An edit of corpus pieces (file, start second, frame count[, transition into it, its length]) at
    25 fps; returns the frame where each piece after the first begins: for a cut its first frame, for a
    dissolve (the pieces overlap by the length) the centre of the mix, for a fade (out to black over half
    the length, in over the other half) the first frame of the fade in."""
    from fractions import Fraction

    edit: list[np.ndarray] = []
    boundaries: list[int] = []
    for piece in pieces:
        name, start, count = piece[:3]
        kind, length = (piece[3], piece[4]) if len(piece) == 5 else ("cut", 0)  # type: ignore[misc]
        frames = _piece_frames(corpus, name, start, count, size)
        if not edit:
            edit.extend(frames)
            continue
        if kind == "cut":
            boundaries.append(len(edit))
        elif kind == "dissolve":
            first = len(edit) - length
            for offset in range(length):
                weight = (offset + 1) / (length + 1)
                mixed = (1 - weight) * edit[first + offset] + weight * frames[offset]
                edit[first + offset] = mixed.astype(np.uint8)
            boundaries.append(first + length // 2)
            frames = frames[length:]
        else:  # fade through black
            half = length // 2
            for offset in range(half):
                index = len(edit) - half + offset
                edit[index] = (edit[index] * (1 - (offset + 1) / half)).astype(np.uint8)
                frames[offset] = (frames[offset] * ((offset + 1) / (half + 1))).astype(np.uint8)
            boundaries.append(len(edit))
        edit.extend(frames)
    with av.open(str(out), "w") as target:
        video = target.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
        video.options = {"crf": "23", "preset": "veryfast"}
        for number, pixels in enumerate(edit):
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            frame.pts, frame.time_base = number, Fraction(1, 25)
            for packet in video.encode(frame):
                target.mux(packet)
        for packet in video.encode():
            target.mux(packet)
    return boundaries


@dataclass(frozen=True)
class Caption:
    """A burned-in caption as a programme shows it; sizes are pixels at 720 lines (scaled to the clip)."""

    text: str
    start: float
    end: float
    font: str = "Noto Sans CJK SC"
    size: int = 40
    colour: str = "white"
    style: str = "border"  # border, box, shadow or plain
    place: str = "bottom"  # bottom, top, lower-third, centre, top-left, top-right, bottom-left, bottom-right


STYLES = {
    "border": "borderw={edge}:bordercolor=black",
    "box": "box=1:boxcolor=black@0.6:boxborderw={edge}",
    "shadow": "shadowx={edge}:shadowy={edge}:shadowcolor=black@0.8",
    "plain": "",
}
MARGIN = "h/16"
PLACES = {
    "bottom": ("(w-text_w)/2", f"h-text_h-{MARGIN}"),
    "top": ("(w-text_w)/2", MARGIN),
    "lower-third": ("(w-text_w)/2", "h*2/3"),
    "centre": ("(w-text_w)/2", "(h-text_h)/2"),
    "top-left": (MARGIN, MARGIN),
    "top-right": (f"w-text_w-{MARGIN}", MARGIN),
    "bottom-left": (MARGIN, f"h-text_h-{MARGIN}"),
    "bottom-right": (f"w-text_w-{MARGIN}", f"h-text_h-{MARGIN}"),
}


def burn_captions(
    out: Path,
    source: Path,
    captions: list[Caption],
    *,
    start: float,
    seconds: float,
    size: tuple[int, int] = (1280, 720),
) -> Path:
    """``seconds`` of ``source`` from ``start``, scaled to ``size`` at 25 fps, with the captions drawn on
    (ffmpeg drawtext through fontconfig, so any installed font family by name)."""
    scale = size[1] / 720
    filters = [f"scale={size[0]}:{size[1]}", "fps=25"]
    for number, caption in enumerate(captions):
        text_file = out.with_name(f"{out.stem}-caption{number}.txt")
        text_file.write_text(caption.text, encoding="utf-8")
        pixels = max(round(caption.size * scale), 8)
        edge = max(round(pixels / 12), 2)
        x, y = PLACES[caption.place]
        options = [
            f"textfile={text_file}",
            f"font={caption.font}",
            f"fontsize={pixels}",
            f"fontcolor={caption.colour}",
            STYLES[caption.style].format(edge=edge),
            f"x={x}",
            f"y={y}",
            f"enable=between(t\\,{caption.start}\\,{caption.end - 0.001})",
        ]
        filters.append("drawtext=" + ":".join(option for option in options if option))
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-ss", str(start), "-t", str(seconds), "-i", str(source), "-vf",
         ",".join(filters), "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", str(out)],
        check=True,
    )  # fmt: skip
    return out


SANS, SERIF = "Noto Sans CJK SC", "Noto Serif CJK SC"
# A programme as a newcomer would try it: 15 captions in two fonts, 26–64 px, four colours, every style and
# place, several following another at the same place on the same steady shot (the changes a whole-frame
# test took for no change).
PROGRAMME = [
    Caption("数字人主播正在播报新闻", 0.5, 3.5),
    Caption("马栏山视频文创园欢迎您", 3.5, 6.5),
    Caption("超高清频道", 1.0, 12.0, SERIF, 28, "yellow", "plain", "top-right"),
    Caption("第一集 山水之间", 7.0, 9.5, SERIF, 56, "white", "shadow", "top"),
    Caption("杭州西湖夜景航拍", 10.0, 12.5, SANS, 48, "yellow", "box", "lower-third"),
    Caption("湖南卫视独家播出", 12.5, 15.0, SANS, 48, "yellow", "box", "lower-third"),
    Caption("正在直播", 13.0, 20.0, SANS, 26, "red", "plain", "top-left"),
    Caption("记者 张明", 16.0, 19.0, SANS, 32, "cyan", "border", "bottom-left"),
    Caption("国家音视频产业基地", 20.0, 23.0, SERIF, 64, "white", "border", "centre"),
    Caption("大视听产业高质量发展", 23.5, 26.5, SANS, 36, "white", "box", "bottom"),
    Caption("菁彩视听 超高清4K", 26.5, 29.5, SANS, 36, "white", "box", "bottom"),
    Caption("影视产业协作网上线", 30.0, 33.0, SERIF, 30, "red", "shadow", "bottom-right"),
    Caption("版权交易中心", 30.5, 34.0, SANS, 44, "cyan", "box", "top"),
    Caption("微短剧创作大赛报名开始", 35.0, 38.0, SERIF, 40, "yellow", "border", "bottom"),
    Caption("音视频技术创新联盟成立", 38.0, 41.0, SERIF, 40, "yellow", "border", "bottom"),
]


def edit_distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        previous, row[0] = row[0], i
        for j, char_b in enumerate(b, start=1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (char_a != char_b))
    return row[-1]


@dataclass(frozen=True)
class CaptionScore:
    caption: Caption
    read: str | None  # the best reading among the records on screen at the caption's time
    errors: int  # characters wrong, missing or extra (all of them when it was never read)
    start: float | None
    end: float | None

    @property
    def recalled(self) -> bool:
        """Read, with at least two characters in three right."""
        return self.read is not None and self.errors <= len(_bare(self.caption.text)) / 3

    @property
    def timed(self) -> bool:
        """Its record begins and ends within one sample (half a second) and a frame of the caption."""
        return (
            self.start is not None and self.end is not None
            and abs(self.start - self.caption.start) <= 0.54 and abs(self.end - self.caption.end) <= 0.54
        )  # fmt: skip


def _bare(text: str) -> str:
    return "".join(text.split())


def score_captions(captions: list[Caption], records: list[Any]) -> list[CaptionScore]:
    """Each caption against the OCR records (``text``, ``start``, ``end``) that overlap its time."""
    scores = []
    for caption in captions:
        truth = _bare(caption.text)
        best: CaptionScore = CaptionScore(caption, None, len(truth), None, None)
        for record in records:
            if record.start >= caption.end or record.end <= caption.start:
                continue
            errors = edit_distance(truth, _bare(record.text))
            if best.read is None or errors < best.errors:
                best = CaptionScore(caption, record.text, errors, record.start, record.end)
        scores.append(best)
    return scores


# The same variety in 16 seconds of 640×360 for the test suite (sizes at 720 lines; halved on screen).
SHORT_PROGRAMME = [
    Caption("数字人主播正在播报新闻", 0.5, 3.0),
    Caption("马栏山视频文创园欢迎您", 3.0, 5.5),
    Caption("超高清频道", 1.0, 9.0, SERIF, 36, "yellow", "plain", "top-right"),
    Caption("杭州西湖夜景航拍", 6.0, 8.5, SANS, 44, "cyan", "box", "lower-third"),
    Caption("湖南卫视独家播出", 8.5, 11.0, SANS, 44, "cyan", "box", "lower-third"),
    Caption("正在直播", 9.5, 15.0, SANS, 40, "white", "border", "top-left"),
    Caption("国家音视频产业基地", 11.5, 14.0, SERIF, 60, "white", "shadow", "centre"),
    Caption("影视产业协作网", 12.0, 15.0, SERIF, 44, "red", "shadow", "bottom-right"),
]
