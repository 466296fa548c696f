"""Media times as people read them."""

from __future__ import annotations


def timecode(seconds: float | None, *, millis: bool = False) -> str:
    """``1:02:03`` or ``02:03`` (with ``.450`` when ``millis``); ``—`` for no time."""
    if seconds is None:
        return "—"
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    text = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
    if millis:
        text += f".{round((seconds - whole) * 1000):03d}"[:4]
    return text


def frame_timecode(seconds: float, fps: float) -> str:
    """``HH:MM:SS:FF`` of the frame shown at ``seconds`` (non-drop-frame; 29.97 counts 30 frames a second)."""
    rate = max(1, round(fps))
    frame = int(seconds * fps + 1e-6)  # the frame on screen at that time
    secs, ff = divmod(frame, rate)
    mins, ss = divmod(secs, 60)
    hh, mm = divmod(mins, 60)
    return f"{hh:02d}:{mm:02d}:{ss:02d}:{ff:02d}"
