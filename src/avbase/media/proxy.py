"""The web proxy: H.264/AAC in MP4, at most 1280×720, a keyframe every two seconds so the browser seeks
quickly, ``faststart`` so it plays while loading. The audio peaks for the waveform image are taken from the
same pass. Timestamps are carried over, so variable frame rate stays in sync."""

from __future__ import annotations

import time as clock
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image, ImageDraw

from avbase.core.errors import AvbaseError
from avbase.core.i18n import N_

MAX_SIZE = (1280, 720)
AUDIO_RATE = 48000
PEAKS_PER_SECOND = 100
WAVEFORM_SIZE = (1200, 96)


@dataclass(frozen=True)
class Proxy:
    width: int | None  # None for sound only
    height: int | None
    audio: bool
    seconds: float  # how long making it took
    peaks: list[float]  # loudest sample per 1/PEAKS_PER_SECOND s, 0–1


def fit(width: int, height: int, bound: tuple[int, int] = MAX_SIZE) -> tuple[int, int]:
    """The size within ``bound`` with the same shape, even on both sides (H.264 4:2:0 needs it)."""
    scale = min(1.0, bound[0] / max(width, 1), bound[1] / max(height, 1))
    return max(2, round(width * scale / 2) * 2), max(2, round(height * scale / 2) * 2)


def make_proxy(path: Path, target: Path) -> Proxy:
    started = clock.perf_counter()
    partial = target.with_name(target.name + ".partial")
    partial.parent.mkdir(parents=True, exist_ok=True)
    peaks: list[float] = []
    pending = np.zeros(0, np.float32)
    per_peak = AUDIO_RATE // PEAKS_PER_SECOND
    size: tuple[int, int] | None = None
    try:
        with (
            av.open(str(path)) as source,
            av.open(str(partial), "w", format="mp4", options={"movflags": "+faststart"}) as out,
        ):
            video_in = source.streams.video[0] if source.streams.video else None
            audio_in = source.streams.audio[0] if source.streams.audio else None
            if video_in is None and audio_in is None:
                raise AvbaseError(N_("The file has no picture or sound to make a proxy from."))
            streams: list[av.stream.Stream] = []
            if video_in is not None:
                video_in.thread_type = "AUTO"
                size = fit(video_in.codec_context.width, video_in.codec_context.height)
                rate: Fraction = video_in.average_rate or Fraction(25)
                video_out = out.add_stream("libx264", rate=rate)
                video_out.width, video_out.height, video_out.pix_fmt = size[0], size[1], "yuv420p"
                keyint = str(max(1, round(float(rate) * 2)))
                video_out.options = {"preset": "veryfast", "crf": "23", "g": keyint, "keyint_min": keyint}
                video_out.codec_context.time_base = video_in.time_base or Fraction(1, 90000)
                streams.append(video_in)
            if audio_in is not None:
                audio_out = out.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
                audio_out.bit_rate = 128_000
                resampler = av.AudioResampler(format="fltp", layout="stereo", rate=AUDIO_RATE)
                streams.append(audio_in)
            for packet in source.demux(*streams):
                for frame in packet.decode():
                    if isinstance(frame, av.VideoFrame) and size is not None:
                        scaled = frame.reformat(width=size[0], height=size[1], format="yuv420p")
                        scaled.pts, scaled.time_base = frame.pts, frame.time_base
                        out.mux(video_out.encode(scaled))
                    elif isinstance(frame, av.AudioFrame):
                        for sound in resampler.resample(frame):
                            loudest = np.abs(sound.to_ndarray()).max(axis=0)
                            pending = np.concatenate((pending, loudest))
                            whole = len(pending) // per_peak * per_peak
                            peaks += pending[:whole].reshape(-1, per_peak).max(axis=1).tolist()
                            pending = pending[whole:]
                            out.mux(audio_out.encode(sound))
            if size is not None:
                out.mux(video_out.encode())
            if audio_in is not None:
                for sound in resampler.resample(None):
                    out.mux(audio_out.encode(sound))
                out.mux(audio_out.encode())
    except av.FFmpegError as exc:
        partial.unlink(missing_ok=True)
        raise AvbaseError(N_("The proxy could not be made: {reason}"), reason=str(exc)) from exc
    partial.replace(target)
    return Proxy(
        width=size[0] if size else None,
        height=size[1] if size else None,
        audio=audio_in is not None,
        seconds=round(clock.perf_counter() - started, 3),
        peaks=[min(1.0, round(value, 3)) for value in peaks],
    )


def draw_waveform(peaks: list[float], target: Path, size: tuple[int, int] = WAVEFORM_SIZE) -> bool:
    """The loudness over time as a symmetric bar image; False when there is no sound."""
    if not peaks:
        return False
    width, height = size
    columns = np.array_split(np.asarray(peaks, np.float32), min(width, len(peaks)))
    image = Image.new("RGB", size, "#f4f6f8")
    draw = ImageDraw.Draw(image)
    middle = height / 2
    step = width / len(columns)
    for index, column in enumerate(columns):
        half = max(0.5, float(column.max()) * (middle - 2))
        x = index * step
        draw.rectangle((x, middle - half, x + max(step - 0.5, 0.5), middle + half), fill="#1f6feb")
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target)
    return True
