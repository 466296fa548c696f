"""Subtitles as time-coded text: SRT, ASS/SSA and WebVTT files, and the text subtitle streams inside a
container (mov_text in MP4, SubRip or ASS in Matroska). FFmpeg reads every one of them into ASS dialogue
events, so one reader serves all; styling and line-break codes are stripped."""

from __future__ import annotations

import re
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


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


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


def read_subtitle_file(path: Path) -> list[Cue]:
    """Cues of one subtitle file; a file FFmpeg cannot read as subtitles is refused with the reason."""
    try:
        with av.open(str(path)) as container:
            if not container.streams.subtitles:
                raise UnsupportedMedia(N_("The file holds no subtitles."), field="file")
            cues = _cues(container, container.streams.subtitles[0])
    except av.FFmpegError as exc:
        raise UnsupportedMedia(
            N_("The subtitles could not be read: {reason}"), field="file", reason=str(exc)
        ) from exc
    if not cues:
        raise UnsupportedMedia(N_("The file holds no subtitles."), field="file")
    return cues


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
