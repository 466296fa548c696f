"""Still pictures of a video: timeline thumbnails sampled while the shots pass decodes, one keyframe per
shot chosen among them, and a contact sheet of the keyframes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont

from avbase.kit.timecode import timecode
from avbase.media.detector import shot_detector
from avbase.media.shots import FrameListener, Shot, detect_shots

THUMB_WIDTH = 320
THUMB_EVERY = 0.5  # seconds: dense enough that almost every shot holds one
SHEET_COLUMNS = 5
SHEET_MAX = 60  # keyframes on one contact sheet; longer films show an even selection
FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


def thumb_name(time: float) -> str:
    return f"thumbs/{round(time * 1000):09d}.jpg"


@dataclass
class ThumbnailSampler:
    """A frame listener for :func:`avbase.media.shots.measure` that keeps a small JPEG every THUMB_EVERY
    seconds under ``folder``."""

    folder: Path
    every: float = THUMB_EVERY
    times: list[float] = field(default_factory=list)
    _due: float = 0.0

    def __call__(self, time: float, frame: av.VideoFrame) -> None:
        if time + 1e-6 < self._due:
            return
        height = max(2, round(frame.height * THUMB_WIDTH / max(frame.width, 1) / 2) * 2)
        image = Image.fromarray(frame.reformat(width=THUMB_WIDTH, height=height, format="rgb24").to_ndarray())
        target = self.folder / thumb_name(time)
        target.parent.mkdir(parents=True, exist_ok=True)
        image.save(target, quality=82)
        self.times.append(time)
        self._due = time + self.every


def keyframes(shots: list[Shot], thumb_times: list[float]) -> list[float | None]:
    """Per shot, the thumbnail time nearest its middle, taken from inside the shot when one is there."""
    chosen: list[float | None] = []
    for shot in shots:
        middle = (shot.start + shot.end) / 2
        inside = [time for time in thumb_times if shot.start - 1e-6 <= time < shot.end]
        pool = inside or thumb_times
        chosen.append(min(pool, key=lambda time: abs(time - middle)) if pool else None)
    return chosen


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default()


def contact_sheet(folder: Path, stills: list[tuple[int, float]], target: Path) -> bool:
    """Draws the keyframes (shot number, time) in a grid with their shot number and timecode; returns
    False when there is nothing to draw."""
    if not stills:
        return False
    if len(stills) > SHEET_MAX:
        stride = len(stills) / SHEET_MAX
        stills = [stills[int(position * stride)] for position in range(SHEET_MAX)]
    with Image.open(folder / thumb_name(stills[0][1])) as first:
        width, height = first.size
    label = 26
    rows = -(-len(stills) // SHEET_COLUMNS)
    sheet = Image.new("RGB", (SHEET_COLUMNS * (width + 8) + 8, rows * (height + label + 8) + 8), "#1d232a")
    draw = ImageDraw.Draw(sheet)
    font = _font(16)
    for position, (number, time) in enumerate(stills):
        x = 8 + (position % SHEET_COLUMNS) * (width + 8)
        y = 8 + (position // SHEET_COLUMNS) * (height + label + 8)
        with Image.open(folder / thumb_name(time)) as still:
            sheet.paste(still.resize((width, height)), (x, y))
        draw.text((x + 2, y + height + 3), f"#{number + 1}  {timecode(time, millis=True)}", fill="#e8eef3",
                  font=font)  # fmt: skip
    target.parent.mkdir(parents=True, exist_ok=True)
    sheet.save(target, quality=85)
    return True


def analyse_pictures(
    path: Path, folder: Path, *, detector: str = "builtin", listeners: Sequence[FrameListener] = ()
) -> dict[str, object]:
    """One decoding pass: shots with their transitions (found by the ``detector`` engine), thumbnails every
    THUMB_EVERY seconds, a keyframe per shot and the contact sheet. Files go under ``folder``; the result
    is plain data. ``listeners`` see every decoded frame too (another analysis that would otherwise decode
    the file again)."""
    sampler = ThumbnailSampler(folder)

    def on_frame(time: float, frame: av.VideoFrame) -> None:
        sampler(time, frame)
        for listener in listeners:
            listener(time, frame)

    shots = detect_shots(path, on_frame=on_frame, detector=shot_detector(detector))
    chosen = keyframes(shots, sampler.times)
    listed = []
    for shot, keyframe in zip(shots, chosen, strict=True):
        entry: dict[str, object] = asdict(shot)
        entry["keyframe"] = keyframe
        entry["thumbnail"] = thumb_name(keyframe) if keyframe is not None else None
        listed.append(entry)
    stills = [(shot.index, key) for shot, key in zip(shots, chosen, strict=True) if key is not None]
    sheet = contact_sheet(folder, stills, folder / "contact.jpg")
    return {"shots": listed, "thumbnails": [round(t, 3) for t in sampler.times], "contact_sheet": sheet}
