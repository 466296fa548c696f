"""Edits that look like real programmes, made from the corpus and from synthetic pictures, with their truth.

Each material is one kind of difficulty for a shot-boundary detector: kinetic text and motion graphics over
a steady background, camera flashes, strobes and old-film flicker, fast pans and whip pans, cuts between
similar shots, cuts right after a dark or bright stretch, dissolves of 0.4–2 s between shots of similar
brightness, fades through black and through white, shots shorter than a second. Every boundary that the
builder makes is written down as it is made (``Transition``), so the truth sits beside the file.

The tests build short, small edits (``shots`` low, 320×180); ``bench/media.py`` builds longer ones.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from avbase.kit.matching import Tally, match_windows

Frame = NDArray[np.uint8]  # height × width × 3, RGB
FPS = 25
FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
WORDS = ("LOVE", "NIGHT", "城市", "RUN", "FIRE", "心跳", "NEVER", "STOP", "光", "DREAM", "TONIGHT", "YOU",
         "梦想", "ALIVE", "WE", "ARE", "GOLD", "天空")  # fmt: skip
CJK_FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc")

# Stretches of the corpus that hold one shot each (file, first second, last second); bbb_0_30 is cut at
# frames 283, 376 and 551 (24 fps), so its pieces stay inside those shots.
ONE_SHOT = (
    ("bottle.mp4", 0.0, 38.0), ("person.mp4", 0.0, 135.0), ("bbb_0_30.webm", 2.5, 11.5),
    ("bbb_0_30.webm", 12.2, 15.3), ("bbb_0_30.webm", 16.0, 22.5), ("bbb_0_30.webm", 23.2, 28.5),
    ("example_16s.mp4", 0.0, 15.0), ("smpte_1080p.mp4", 0.0, 9.0), ("fire2.mp4", 0.0, 1.5),
)  # fmt: skip
CAMERA = ONE_SHOT[:2]  # real camera footage
CARTOON = ONE_SHOT[2:6]


@dataclass(frozen=True)
class Transition:
    """One boundary of the truth: a hard cut (``start`` is the new shot's first frame, ``end`` = start + 1)
    or a gradual transition over frames ``start`` to ``end`` (exclusive): dissolve or fade."""

    kind: str  # cut | dissolve | fade
    start: int
    end: int


@dataclass(frozen=True)
class Edit:
    material: str
    path: Path
    frames: int
    fps: int
    transitions: tuple[Transition, ...]


@dataclass(frozen=True)
class Piece:
    """A shot of the edit and how it is joined to the one before (``length`` frames for a gradual join)."""

    frames: list[Frame]
    join: str = "cut"  # cut | dissolve | fade (through black) | fade-white
    length: int = 0


class Sources:
    """Shot makers at one picture size, all drawn from one seeded random generator."""

    def __init__(self, corpus: Path, size: tuple[int, int], rng: random.Random) -> None:
        self.corpus, self.size, self.rng = corpus, size, rng
        self._stills: dict[tuple[str, float], Image.Image] = {}

    @property
    def width(self) -> int:
        return self.size[0]

    @property
    def height(self) -> int:
        return self.size[1]

    def clip(self, name: str, start: float, count: int, size: tuple[int, int] | None = None) -> list[Frame]:
        """``count`` frames of a corpus file from ``start`` seconds (the file's own rate, repeated to fill)."""
        width, height = size or self.size
        taken: list[Frame] = []
        with av.open(str(self.corpus / name)) as source:
            stream = source.streams.video[0]
            source.seek(int(start / stream.time_base), stream=stream)  # type: ignore[operator]
            for frame in source.decode(stream):
                if frame.time is not None and frame.time < start:
                    continue
                taken.append(frame.reformat(width=width, height=height, format="rgb24").to_ndarray())
                if len(taken) == count:
                    break
        while len(taken) < count:  # a short file: hold its last frame
            taken.append(taken[-1])
        return taken

    def corpus_shot(self, count: int, among: tuple[tuple[str, float, float], ...] = ONE_SHOT) -> list[Frame]:
        """``count`` frames from inside one shot of the corpus (a file of 24 fps takes longer to give them;
        a short one holds its last frame)."""
        seconds = count / 24 + 0.1
        long_enough = [piece for piece in among if piece[2] - piece[1] >= seconds] or [among[-1]]
        name, first, last = self.rng.choice(long_enough)
        start = self.rng.uniform(first, max(first, last - seconds))
        return self.clip(name, round(start, 2), count)

    def still(self, name: str, at: float, scale: float) -> Image.Image:
        """One corpus frame as a picture ``scale`` times the edit's size (a canvas to pan or zoom over)."""
        key = (name, at)
        if key not in self._stills:
            big = (self.width * 3, self.height * 3)
            self._stills[key] = Image.fromarray(self.clip(name, at, 1, big)[0])
        width, height = round(self.width * scale), round(self.height * scale)
        return self._stills[key].resize((width, height), Image.Resampling.BILINEAR)

    def random_still(self, scale: float) -> Image.Image:
        name, first, last = self.rng.choice(CARTOON + CAMERA)
        return self.still(name, round(self.rng.uniform(first, last), 1), scale)

    def pan(
        self, canvas: Image.Image, count: int, *, speed: float, whip_at: int | None = None
    ) -> list[Frame]:
        """A camera moving over ``canvas`` at ``speed`` pixels a frame, diagonally; a whip pan races across
        a good part of the canvas around frame ``whip_at`` with the motion blur a shutter gives it."""
        span_x, span_y = canvas.width - self.width, canvas.height - self.height
        positions: list[float] = []
        place = 0.0
        for number in range(count):
            step = speed
            if whip_at is not None:
                step += 0.08 * span_x * float(np.exp(-(((number - whip_at) / 3.0) ** 2)))
            place += step
            positions.append(place)
        pixels = np.asarray(canvas, np.float32)
        frames: list[Frame] = []
        for number, place in enumerate(positions):
            previous = positions[number - 1] if number else place
            # Blur over the distance travelled while the shutter is open (half a frame).
            samples = np.linspace(previous + (place - previous) / 2, place, 4)
            stack = []
            for sample in samples:
                x = int(sample) % (2 * span_x)
                x = x if x <= span_x else 2 * span_x - x  # bounce off the canvas edge
                y = int(span_y / 2 + span_y / 2 * np.sin(sample / max(span_x, 1) * 2))
                y = min(max(y, 0), span_y)
                stack.append(pixels[y : y + self.height, x : x + self.width])
            frames.append(np.mean(stack, axis=0).astype(np.uint8))
        return frames

    def zoom(self, canvas: Image.Image, count: int, *, start: float, end: float) -> list[Frame]:
        """A slow aerial-like push in (or out): the window shrinks from ``start`` to ``end`` of the canvas."""
        frames: list[Frame] = []
        for number in range(count):
            share = start + (end - start) * number / max(count - 1, 1)
            width, height = canvas.width * share, canvas.height * share
            left, top = (canvas.width - width) / 2, (canvas.height - height) / 2
            box = (round(left), round(top), round(left + width), round(top + height))
            window = canvas.resize(self.size, Image.Resampling.BILINEAR, box=box)
            frames.append(np.asarray(window, np.uint8))
        return frames

    def background(self) -> Image.Image:
        """A steady backdrop for text: a flat colour, a gradient or a dimmed, blurred corpus still."""
        choice = self.rng.randrange(3)
        if choice == 0:
            colour = tuple(self.rng.randrange(20, 235) for _ in range(3))
            return Image.new("RGB", self.size, colour)  # type: ignore[arg-type]
        if choice == 1:
            top = np.array([self.rng.randrange(0, 255) for _ in range(3)], np.float32)
            bottom = np.array([self.rng.randrange(0, 255) for _ in range(3)], np.float32)
            ramp = np.linspace(0, 1, self.height, dtype=np.float32)[:, None, None]
            gradient = top * (1 - ramp) + bottom * ramp
            return Image.fromarray(np.broadcast_to(gradient, (self.height, self.width, 3)).astype(np.uint8))
        blurred = self.random_still(1.0).filter(ImageFilter.GaussianBlur(self.width / 40))
        return Image.fromarray((np.asarray(blurred, np.float32) * 0.6).astype(np.uint8))

    def _font(self, word: str, size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        path = CJK_FONT if any(ord(char) > 0x2000 for char in word) else FONT
        return ImageFont.truetype(str(path), size) if path.exists() else ImageFont.load_default(size)

    def kinetic_text(self, count: int, *, every: tuple[int, int] = (4, 10)) -> list[Frame]:
        """Words of a lyric over a steady backdrop, a new one every few frames, each sliding into place;
        the backdrop drifts slowly, as in a lyric video."""
        backdrop = self.background()
        frames: list[Frame] = []
        word, shown, position, size, colour = "", 0, (0, 0), 10, (255, 255, 255)
        hold = 0
        drift = self.rng.choice([-1, 1]) * self.rng.uniform(0.0, 0.3)
        for number in range(count):
            if shown >= hold:
                word = self.rng.choice(WORDS)
                size = self.rng.randrange(self.height // 5, self.height // 2)
                position = (self.rng.randrange(0, self.width // 2), self.rng.randrange(0, self.height - size))
                colour = self.rng.choice([(255, 255, 255), (255, 230, 40), (20, 20, 20), (240, 60, 90)])
                shown, hold = 0, self.rng.randint(*every)
            picture = backdrop.rotate(drift * number / FPS, resample=Image.Resampling.BILINEAR)
            draw = ImageDraw.Draw(picture)
            slide = max(0, 3 - shown) * self.width // 30
            draw.text((position[0] - slide, position[1]), word, fill=colour, font=self._font(word, size))
            frames.append(np.asarray(picture, np.uint8))
            shown += 1
        return frames

    def motion_graphics(self, count: int) -> list[Frame]:
        """Shapes gliding and bouncing over a steady backdrop."""
        backdrop = self.background()
        shapes = []
        for _ in range(self.rng.randint(3, 6)):
            radius = self.rng.randrange(self.height // 12, self.height // 5)
            shapes.append({
                "x": self.rng.uniform(0, self.width), "y": self.rng.uniform(0, self.height),
                "dx": self.rng.uniform(-4, 4), "dy": self.rng.uniform(-3, 3), "r": radius,
                "colour": tuple(self.rng.randrange(0, 256) for _ in range(3)), "round": self.rng.random() < 0.5,
            })  # fmt: skip
        frames: list[Frame] = []
        for _ in range(count):
            picture = backdrop.copy()
            draw = ImageDraw.Draw(picture)
            for shape in shapes:
                shape["x"] = (shape["x"] + shape["dx"]) % self.width  # type: ignore[operator]
                shape["y"] = (shape["y"] + shape["dy"]) % self.height  # type: ignore[operator]
                x, y, r = shape["x"], shape["y"], shape["r"]
                box = (x - r, y - r, x + r, y + r)  # type: ignore[operator]
                if shape["round"]:
                    draw.ellipse(box, fill=shape["colour"])  # type: ignore[arg-type]
                else:
                    draw.rectangle(box, fill=shape["colour"])  # type: ignore[arg-type]
            frames.append(np.asarray(picture, np.uint8))
        return frames


# Changes inside a shot that are not boundaries.


def flash(frames: list[Frame], at: int, length: int, strength: float) -> None:
    """A camera flash: the picture washes towards white and recovers over ``length`` frames."""
    for offset in range(length):
        if at + offset < len(frames):
            weight = strength * (1 - offset / length)
            frames[at + offset] = (frames[at + offset] * (1 - weight) + 255 * weight).astype(np.uint8)


def strobe(frames: list[Frame], at: int, length: int) -> None:
    """Strobe light: every other frame bright, the others dark."""
    for offset in range(min(length, len(frames) - at)):
        pixels = frames[at + offset].astype(np.float32)
        lit = pixels * 0.3 + 255 * 0.7 if offset % 2 == 0 else pixels * 0.35
        frames[at + offset] = lit.astype(np.uint8)


def old_film(frames: list[Frame], rng: random.Random) -> None:
    """Sepia, grain, flicker, scratches and gate weave, as on a worn print."""
    noise = np.random.default_rng(rng.randrange(1 << 30))
    for number, picture in enumerate(frames):
        grey = picture.astype(np.float32).mean(axis=2, keepdims=True)
        sepia = grey * np.array([1.07, 0.95, 0.78], np.float32)
        sepia *= 1 + rng.uniform(-0.12, 0.12)
        sepia += noise.normal(0, 10, sepia.shape[:2])[..., None]
        for _ in range(rng.randint(0, 2)):
            sepia[:, rng.randrange(sepia.shape[1])] += 70
        frames[number] = np.roll(np.clip(sepia, 0, 255), rng.randint(-2, 2), axis=0).astype(np.uint8)


def fade_tail(frames: list[Frame], length: int, *, to: float, level: float) -> None:
    """The last ``length`` frames slide towards ``to`` (0 black, 255 white) and stay near it: a light going
    out or an over-exposure, still inside the shot."""
    for offset in range(length):
        index = len(frames) - length + offset
        weight = level * min(1.0, (offset + 1) / max(length // 3, 1))
        frames[index] = (frames[index] * (1 - weight) + to * weight).astype(np.uint8)


# Joining the pieces, and the truth of each join.


def join(pieces: list[Piece]) -> tuple[list[Frame], list[Transition]]:
    edit: list[Frame] = []
    truth: list[Transition] = []
    for piece in pieces:
        frames = list(piece.frames)
        if not edit:
            edit.extend(frames)
            continue
        if piece.join == "cut":
            truth.append(Transition("cut", len(edit), len(edit) + 1))
        elif piece.join == "dissolve":
            first = len(edit) - piece.length
            for offset in range(piece.length):
                weight = (offset + 1) / (piece.length + 1)
                mixed = (1 - weight) * edit[first + offset] + weight * frames[offset].astype(np.float32)
                edit[first + offset] = mixed.astype(np.uint8)
            truth.append(Transition("dissolve", first, len(edit)))
            frames = frames[piece.length :]
        else:  # fade out to black or white over half the length, in from it over the other half
            target = 255.0 if piece.join == "fade-white" else 0.0
            half = piece.length // 2
            for offset in range(half):
                index = len(edit) - half + offset
                out, into = (offset + 1) / half, 1 - (offset + 1) / (half + 1)
                edit[index] = (edit[index] * (1 - out) + target * out).astype(np.uint8)
                frames[offset] = (frames[offset] * (1 - into) + target * into).astype(np.uint8)
            truth.append(Transition("fade", len(edit) - half, len(edit) + half))
        edit.extend(frames)
    return edit, truth


def encode(path: Path, frames: list[Frame]) -> None:
    height, width = frames[0].shape[:2]
    with av.open(str(path), "w") as target:
        video = target.add_stream("libx264", rate=FPS)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        video.options = {"crf": "21", "preset": "veryfast"}
        for number, pixels in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(pixels), format="rgb24")
            frame.pts, frame.time_base = number, Fraction(1, FPS)
            for packet in video.encode(frame):
                target.mux(packet)
        for packet in video.encode():
            target.mux(packet)


# The materials: each returns its pieces; ``shots`` sets the length.


def _length(src: Sources, low: float = 1.6, high: float = 3.6) -> int:
    return round(src.rng.uniform(low, high) * FPS)


def text_material(src: Sources, shots: int) -> list[Piece]:
    """Kinetic typography and motion graphics, cut to new backdrops and now and then to camera footage."""
    pieces = []
    for number in range(shots):
        count = _length(src)
        if number % 4 == 3:
            frames = src.corpus_shot(count)
        elif number % 3 == 1:
            frames = src.motion_graphics(count)
        else:
            frames = src.kinetic_text(count)
        pieces.append(Piece(frames))
    return pieces


def flash_material(src: Sources, shots: int) -> list[Piece]:
    """Camera footage and cartoon with flashes and strobes, and old film that flickers, all cut together."""
    pieces = []
    for number in range(shots):
        count = _length(src, 2.0, 4.0)
        frames = src.corpus_shot(count)
        if number % 3 == 2:
            old_film(frames, src.rng)
        for _ in range(src.rng.randint(1, 2)):
            at = src.rng.randrange(4, count - 12)
            if src.rng.random() < 0.35:
                strobe(frames, at, src.rng.randint(4, 10))
            else:
                flash(frames, at, src.rng.randint(1, 4), src.rng.uniform(0.6, 1.0))
        pieces.append(Piece(frames))
    return pieces


def pan_material(src: Sources, shots: int) -> list[Piece]:
    """Fast pans, whip pans inside a shot and slow aerial push-ins, cut together."""
    pieces = []
    for number in range(shots):
        count = _length(src, 2.0, 4.0)
        canvas = src.random_still(3.0)
        if number % 3 == 0:
            frames = src.pan(canvas, count, speed=0.0, whip_at=src.rng.randrange(count // 3, 2 * count // 3))
        elif number % 3 == 1:
            frames = src.pan(canvas, count, speed=src.rng.uniform(0.03, 0.06) * src.width)
        else:
            frames = src.zoom(canvas, count, start=src.rng.uniform(0.8, 1.0), end=src.rng.uniform(0.35, 0.5))
        pieces.append(Piece(frames))
    return pieces


def similar_material(src: Sources, shots: int) -> list[Piece]:
    """Cuts between shots of one scene: a punch in to a closer framing, a jump along a camera move, and
    the same camera footage a few seconds later and reframed."""
    pieces = []
    while len(pieces) < shots:
        choice = len(pieces) % 3
        count = _length(src, 1.2, 2.4)
        if choice == 0:
            canvas = src.random_still(2.0)
            pieces.append(Piece(src.zoom(canvas, count, start=0.9, end=0.85)))
            pieces.append(Piece(src.zoom(canvas, count, start=0.5, end=0.47)))
        elif choice == 1:
            canvas = src.random_still(3.0)
            pieces.append(Piece(src.pan(canvas, count, speed=0.02 * src.width)))
            pieces.append(Piece(_skip(src, canvas, count)))
        else:
            seconds = 2 * count / 24 + 1.2
            name, first, last = src.rng.choice([p for p in CAMERA + CARTOON if p[2] - p[1] > seconds])
            start = src.rng.uniform(first, last - seconds)
            wide = src.clip(name, start, count)
            close = src.clip(name, start + count / FPS + 1.0, count, (src.width * 2, src.height * 2))
            left, top = src.rng.randrange(0, src.width), src.rng.randrange(0, src.height // 2)
            pieces.append(Piece(wide))
            pieces.append(Piece([frame[top : top + src.height, left : left + src.width] for frame in close]))
    return pieces[:shots]


def _skip(src: Sources, canvas: Image.Image, count: int) -> list[Frame]:
    """The same camera move picked up a good way further on (a jump cut along a pan)."""
    frames = src.pan(canvas, 3 * count, speed=0.02 * src.width)
    return frames[2 * count :]


def dark_material(src: Sources, shots: int) -> list[Piece]:
    """Shots that end in a dark stretch (a light going out) or a bright one (over-exposure), and a hard cut
    straight after it."""
    pieces = []
    for number in range(shots):
        count = _length(src, 2.0, 3.6)
        frames = src.corpus_shot(count)
        if number % 2 == 0 and number < shots - 1:
            to = 0.0 if number % 4 == 0 else 255.0
            fade_tail(frames, src.rng.randint(10, 30), to=to, level=src.rng.uniform(0.85, 0.98))
        pieces.append(Piece(frames))
    return pieces


def dissolve_material(src: Sources, shots: int) -> list[Piece]:
    """Dissolves of 0.4–2 s between shots of similar brightness, with a few hard cuts among them."""
    joins = [("cut", 0)] + [
        ("cut", 0) if number % 4 == 0 else ("dissolve", src.rng.randint(10, 50)) for number in range(1, shots)
    ]
    pieces = []
    for number, (kind, length) in enumerate(joins):
        following = joins[number + 1][1] if number + 1 < shots else 0
        count = length + following + _length(src, 1.0, 2.4)  # each shot is seen alone for a while
        frames = src.corpus_shot(count) if number % 2 else src.pan(src.random_still(2.0), count, speed=2.0)
        pieces.append(Piece(frames, kind, length))
    return pieces


def fade_material(src: Sources, shots: int) -> list[Piece]:
    """Fades through black and through white of 0.4–2 s, with a few hard cuts among them."""
    pieces = []
    for number in range(shots):
        count = _length(src, 3.0, 4.4)
        frames = src.corpus_shot(count)
        if number and number % 4 == 0:
            pieces.append(Piece(frames))
        else:
            kind = "fade" if number % 2 else "fade-white"
            pieces.append(Piece(frames, kind, 2 * src.rng.randint(5, 25)))
    return pieces


def short_material(src: Sources, shots: int) -> list[Piece]:
    """A fast montage: most shots under a second (6–24 frames), from camera, cartoon and graphics."""
    pieces = []
    for number in range(shots):
        count = src.rng.randint(6, 24) if number % 4 else _length(src, 1.0, 2.0)
        frames = src.motion_graphics(count) if number % 5 == 4 else src.corpus_shot(count)
        pieces.append(Piece(frames))
    return pieces


# Short name → (what it holds, its maker).
MATERIALS: dict[str, tuple[str, Callable[[Sources, int], list[Piece]]]] = {
    "text": ("kinetic text and motion graphics", text_material),
    "flashes": ("flashes, strobes, old-film flicker", flash_material),
    "pans": ("fast pans, whip pans, push-ins", pan_material),
    "similar": ("cuts between similar shots", similar_material),
    "dark": ("cuts after a dark or bright stretch", dark_material),
    "dissolves": ("dissolves of 0.4–2 s", dissolve_material),
    "fades": ("fades through black and white", fade_material),
    "short": ("shots under a second", short_material),
}


def build(
    material: str, folder: Path, corpus: Path, *, shots: int = 8, size: tuple[int, int] = (320, 180),
    seed: int = 13,
) -> Edit:  # fmt: skip
    """Makes one edit of ``material`` under ``folder`` and returns it with its truth."""
    rng = random.Random(f"{material}/{seed}/{shots}")
    pieces = MATERIALS[material][1](Sources(corpus, size, rng), shots)
    frames, truth = join(pieces)
    path = folder / f"{material}-{seed}-{shots}.mp4"
    encode(path, frames)
    return Edit(material, path, len(frames), FPS, tuple(truth))


# Scoring a detector's boundaries against the truth.


CUT_TOLERANCE = 2  # frames either side of a hard cut
SPAN_TOLERANCE = 2  # frames either side of a gradual transition's span


def score(
    truth: tuple[Transition, ...], found: list[tuple[int, str]], *, kinds: bool = True
) -> dict[str, Tally]:
    """Tallies for hard cuts and gradual transitions. ``found`` is (frame where a shot starts, how it
    begins). A cut is matched by a boundary within ±2 frames of it, a gradual transition by one inside
    its span (±2 frames), each boundary used once; with ``kinds`` the boundary must also name the right
    kind (cut, dissolve or fade), so a dissolve reported as a cut is both a miss and a false alarm.
    Without it (for detectors that cannot tell kinds apart) any boundary at the right place counts, and a
    false alarm is held against the kind it claims (a plain boundary against cuts)."""
    tallies = {"cut": Tally(), "gradual": Tally()}
    groups = ("cut", "dissolve", "fade") if kinds else (None,)
    matched: set[int] = set()
    for kind in groups:
        wanted = [transition for transition in truth if kind is None or transition.kind == kind]
        offered = [number for number, (_, named) in enumerate(found) if kind is None or named == kind]
        windows = [
            (transition.start - CUT_TOLERANCE, transition.start + CUT_TOLERANCE)
            if transition.kind == "cut"
            else (transition.start - SPAN_TOLERANCE, transition.end - 1 + SPAN_TOLERANCE)
            for transition in wanted
        ]
        for window, point in match_windows(windows, [found[number][0] for number in offered]):
            group = "cut" if wanted[window].kind == "cut" else "gradual"
            tallies[group].hits += 1
            tallies[group].found += 1
            matched.add(offered[point])
    for transition in truth:
        tallies["cut" if transition.kind == "cut" else "gradual"].true += 1
    for number, (_, kind) in enumerate(found):
        if number not in matched:
            tallies["cut" if kind == "cut" else "gradual"].found += 1
    return tallies
