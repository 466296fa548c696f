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
