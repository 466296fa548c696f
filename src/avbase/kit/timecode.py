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
