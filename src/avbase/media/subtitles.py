"""Subtitles as time-coded text: SRT, ASS/SSA and WebVTT files, and the text subtitle streams inside a
container (mov_text in MP4, SubRip or ASS in Matroska). FFmpeg reads every one of them into ASS dialogue
events, so one reader serves all; styling and line-break codes are stripped.

A file may be in any encoding a Chinese user meets: UTF-8 (with or without a byte order mark), UTF-16 or
UTF-32, GB18030 (and its subsets GBK and GB2312) or Big5. FFmpeg reads UTF-8 only, so the file is decoded
here first (see ``decode``) and handed over as UTF-8; which encoding it was is reported back."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import av

from avbase.core.i18n import N_
from avbase.media.probe import UnsupportedMedia

SUBTITLE_SUFFIXES = (".srt", ".ass", ".ssa", ".vtt")
SUBTITLE_MAX_BYTES = 10 << 20
TEXT_CODECS = {"subrip", "srt", "ass", "ssa", "webvtt", "mov_text", "text"}
_STYLE = re.compile(r"\{[^}]*\}")
_TAGS = re.compile(r"</?[a-zA-Z][^>]*>")
# Byte order marks, longest first (UTF-32 LE begins with the UTF-16 LE mark).
_MARKS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# Without a mark: UTF-8 first (it almost never decodes text in another encoding by chance), then the two
# Chinese double-byte families. Windows writes Big5 as code page 950; Hong Kong files need HKSCS.
_DOUBLE_BYTE = (("gb18030", "gb18030"), ("big5", "cp950"), ("big5", "big5hkscs"))
_TIMING = re.compile(
    r"^\s*(?:\d+:)?\d{1,2}:\d{1,2}[,.]\d{1,3}\s*-->\s*(?:\d+:)?\d{1,2}:\d{1,2}[,.]\d{1,3}(?:\s.*)?$"
)
_ASS_TIME = re.compile(r"^\s*\d+:\d{1,2}:\d{1,2}[.:]\d{1,3}\s*$")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


@dataclass(frozen=True)
class SubtitleFile:
    cues: list[Cue]
    encoding: str  # as detected: utf-8, utf-16-le, utf-16-be, utf-32-le, utf-32-be, gb18030 or big5
    byte_order_mark: bool = False


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _utf16_without_mark(data: bytes) -> str | None:
    """UTF-16 without a byte order mark: subtitle files are mostly ASCII (times, digits, arrows), whose
    high byte is zero, so one half of the byte positions is mostly zeros and the other half is not."""
    head = data[:4096]
    if len(head) < 16 or len(head) % 2:
        return None
    even, odd = head[0::2].count(0) / (len(head) / 2), head[1::2].count(0) / (len(head) / 2)
    if odd > 0.3 and even < 0.05:
        return "utf-16-le"
    if even > 0.3 and odd < 0.05:
        return "utf-16-be"
    return None


def _punctuation(char: str) -> bool:
    return "\u2000" <= char <= "\u206f" or "\u3000" <= char <= "\u303f" or "\uff00" <= char <= "\uffef"


def _common_simplified(char: str) -> bool:
    """In GB2312, the character set of everyday simplified Chinese."""
    try:
        char.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return "\u4e00" <= char <= "\u9fff"


def _common_traditional(char: str) -> bool:
    """In Big5's first level, its 5,401 frequently used characters (A440–C67E)."""
    try:
        code = char.encode("cp950")
    except UnicodeEncodeError:
        return False
    return len(code) == 2 and (0xA4 <= code[0] <= 0xC5 or (code[0] == 0xC6 and code[1] <= 0x7E))


def _plausibility(text: str, common: Callable[[str], bool]) -> float:
    """Share of the non-ASCII characters that are punctuation or common characters of the encoding's
    script. Big5 bytes read as GB18030 (and the other way round) decode without error into kana, box
    drawing, private-use and rare characters; real text does not."""
    wide = [char for char in text if ord(char) > 0x7F]
    if not wide:
        return 1.0
    return sum(1 for char in wide if _punctuation(char) or common(char)) / len(wide)


def decode(data: bytes) -> tuple[str, str, bool]:
    """The text of a subtitle file, the encoding it was in and whether it began with a byte order mark;
    refused, naming the first line that no encoding reads, when it is not text."""
    for mark, name in _MARKS:
        if data.startswith(mark):
            try:
                return data[len(mark) :].decode(name), name, True
            except UnicodeDecodeError as exc:
                raise UnsupportedMedia(
                    N_("Line {line} is not valid {encoding} text."),
                    field="file", line=_line_of(data, len(mark) + exc.start), encoding=name.upper(),
                ) from exc  # fmt: skip
    wide = _utf16_without_mark(data)
    if wide:
        try:
            return data.decode(wide), wide, False
        except UnicodeDecodeError:
            pass  # zeros by chance: try the byte encodings
    failures = []
    try:
        return data.decode("utf-8"), "utf-8", False
    except UnicodeDecodeError as exc:
        failures.append(exc.start)
    readings: list[tuple[float, int, str, str]] = []
    for rank, (name, codec) in enumerate(_DOUBLE_BYTE):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            failures.append(exc.start)
            continue
        common = _common_simplified if name == "gb18030" else _common_traditional
        readings.append((_plausibility(text, common), -rank, name, text))
    if readings:
        _score, _rank, name, text = max(readings)  # a tie goes to GB18030, the mainland standard
        return text, name, False
    raise UnsupportedMedia(
        N_("Line {line} cannot be read as text in UTF-8, UTF-16, GB18030 or Big5."),
        field="file", line=_line_of(data, max(failures)),
    )  # fmt: skip


def _format_of(text: str) -> str:
    head = text.lstrip()[:2000]
    if head.startswith("WEBVTT"):
        return "webvtt"
    if head.startswith("[Script Info]") or re.search(r"^\s*Dialogue:", text, re.MULTILINE):
        return "ass"
    return "srt"


def check_structure(text: str, kind: str) -> None:
    """The timing lines FFmpeg would skip without a word are refused here, naming the line."""
    timed = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if kind == "ass":
            if not line.lstrip().startswith("Dialogue:"):
                continue
            fields = line.split(":", 1)[1].split(",", 9)
            if len(fields) < 10 or not (_ASS_TIME.match(fields[1]) and _ASS_TIME.match(fields[2])):
                raise UnsupportedMedia(
                    N_("Line {line}: this dialogue line cannot be read: {text}"),
                    field="file", line=number, text=line.strip()[:80],
                )  # fmt: skip
            timed += 1
        elif "-->" in line:
            if not _TIMING.match(line):
                raise UnsupportedMedia(
                    N_("Line {line}: the times cannot be read: {text}"),
                    field="file", line=number, text=line.strip()[:80],
                )  # fmt: skip
            timed += 1
    if not timed:
        raise UnsupportedMedia(N_("The file holds no subtitles."), field="file")


def _plain(dialogue: str) -> str:
    text = _STYLE.sub("", dialogue).replace("\\N", "\n").replace("\\n", "\n").replace("\\h", " ")
    return "\n".join(line.strip() for line in _TAGS.sub("", text).splitlines() if line.strip())


def _cues(container: av.container.InputContainer, stream: av.stream.Stream) -> list[Cue]:
    cues: list[Cue] = []
    time_base = stream.time_base
    for packet in container.demux(stream):
        if packet.pts is None or time_base is None:
            continue
        start = float(packet.pts * time_base)
        end = start + float((packet.duration or 0) * time_base)
        for subtitle in packet.decode():
            for rect in subtitle if isinstance(subtitle, av.subtitles.subtitle.SubtitleSet) else [subtitle]:
                dialogue = getattr(rect, "dialogue", None)
                if dialogue is None:
                    continue  # a picture subtitle (DVD, PGS): not text
                text = _plain(bytes(dialogue).decode("utf-8", "replace"))
                if text:
                    cues.append(Cue(round(start, 3), round(max(end, start), 3), text))
    return sorted(cues, key=lambda cue: cue.start)


def read_subtitle_file(path: Path) -> SubtitleFile:
    """Cues of one subtitle file and its encoding; a file that is not readable subtitles is refused with
    the reason (and the line, where there is one)."""
    text, encoding, marked = decode(path.read_bytes())
    kind = _format_of(text)
    check_structure(text, kind)
    try:
        with av.open(io.BytesIO(text.encode("utf-8")), mode="r", format=kind) as container:
            if not container.streams.subtitles:
                raise UnsupportedMedia(N_("The file holds no subtitles."), field="file")
            cues = _cues(container, container.streams.subtitles[0])
    except av.FFmpegError as exc:
        raise UnsupportedMedia(
            N_("The subtitles could not be read: {reason}"), field="file", reason=str(exc)
        ) from exc
    if not cues:
        raise UnsupportedMedia(N_("The file holds no subtitles."), field="file")
    return SubtitleFile(cues, encoding, marked)


def read_embedded(path: Path) -> dict[str, list[Cue]]:
    """Text subtitle streams inside a media file, by track name ("stream 2 (chi)")."""
    tracks: dict[str, list[Cue]] = {}
    with av.open(str(path)) as container:
        for stream in container.streams.subtitles:
            if stream.codec_context.name not in TEXT_CODECS:
                continue
            language = stream.metadata.get("language")
            name = f"stream {stream.index}" + (f" ({language})" if language else "")
            container.seek(0)
            tracks[name] = _cues(container, stream)
    return tracks
