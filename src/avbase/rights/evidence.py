"""Frames for an evidence report (取证报告): the same moments of the work and of the suspected copy, side by
side. Pure: files in, JPEG bytes out."""

from __future__ import annotations

import io
from pathlib import Path

import av
from PIL import Image

WIDTH = 480


def frame_at(path: Path, seconds: float) -> bytes | None:
    """A JPEG of the frame shown at ``seconds`` (None when the file has no picture there)."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.video:
                return None
            stream = container.streams.video[0]
            container.seek(max(0, int((seconds - 1.0) / float(stream.time_base or 1))), stream=stream)
            for frame in container.decode(stream):
                if frame.time is not None and frame.time + 0.02 >= seconds:
                    height = max(2, round(frame.height * WIDTH / max(frame.width, 1)))
                    picture: Image.Image = frame.to_image().resize((WIDTH, height))  # type: ignore[no-untyped-call]
                    out = io.BytesIO()
                    picture.save(out, format="JPEG", quality=80)
                    return out.getvalue()
    except av.FFmpegError:
        return None
    return None


def moments(start: float, end: float, count: int = 3) -> list[float]:
    """``count`` moments spread inside [start, end] (not at its very edges)."""
    span = max(0.0, end - start)
    return [start + span * (index + 0.5) / count for index in range(count)]
