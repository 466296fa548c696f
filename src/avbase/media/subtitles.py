"""Subtitles as time-coded text: SRT, ASS/SSA and WebVTT files, and the text subtitle streams inside a
container (mov_text in MP4, SubRip or ASS in Matroska). FFmpeg reads every one of them into ASS dialogue
events, so one reader serves all; styling and line-break codes are stripped.

A file may be in any encoding a Chinese user meets: UTF-8 (with or without a byte order mark), UTF-16 or
UTF-32, GB18030 (and its subsets GBK and GB2312) or Big5. FFmpeg reads UTF-8 only, so the file is decoded
here first (``avbase.kit.text.decode_text``) and handed over as UTF-8; the encoding it was is reported."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from pathlib import Path

import av

from avbase.core.i18n import N_
from avbase.kit.text import decode_text
from avbase.media.probe import UnsupportedMedia

SUBTITLE_SUFFIXES = (".srt", ".ass", ".ssa", ".vtt")
SUBTITLE_MAX_BYTES = 10 << 20
TEXT_CODECS = {"subrip", "srt", "ass", "ssa", "webvtt", "mov_text", "text"}
_STYLE = re.compile(r"\{[^}]*\}")
_TAGS = re.compile(r"</?[a-zA-Z][^>]*>")
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
    text, encoding, marked = decode_text(path.read_bytes())
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
