"""Tiny clips made with PyAV for tests: HDR (PQ with static metadata, HLG) and multichannel audio."""

from __future__ import annotations

from pathlib import Path

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


def splice(
    out: Path, corpus: Path, pieces: list[tuple[str, float, int]], size: tuple[int, int] = (640, 360)
) -> list[int]:
    """An edit of corpus pieces (file, start second, frame count) at 25 fps; returns the frames where a piece
    starts after the first one: the true cut points."""
    from fractions import Fraction

    cuts: list[int] = []
    written = 0
    with av.open(str(out), "w") as target:
        video = target.add_stream("libx264", rate=25)
        video.width, video.height, video.pix_fmt = size[0], size[1], "yuv420p"
        video.options = {"crf": "23", "preset": "veryfast"}
        for name, start, frames in pieces:
            if written:
                cuts.append(written)
            with av.open(str(corpus / name)) as source:
                stream = source.streams.video[0]
                source.seek(int(start / stream.time_base), stream=stream)  # type: ignore[operator]
                taken = 0
                for frame in source.decode(stream):
                    if frame.time is not None and frame.time < start:
                        continue
                    scaled = frame.reformat(width=size[0], height=size[1], format="yuv420p")
                    scaled.pts, scaled.time_base = written, Fraction(1, 25)
                    for packet in video.encode(scaled):
                        target.mux(packet)
                    taken += 1
                    written += 1
                    if taken == frames:
                        break
        for packet in video.encode():
            target.mux(packet)
    return cuts
