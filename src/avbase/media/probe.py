"""Technical probe of a media file with PyAV: container, streams, resolution class, frame rate (VFR too),
bit depth, chroma, colour, HDR type and audio layout. Pure: a path in, dataclasses out."""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error

from avbase.core.errors import AvbaseError
from avbase.media.sei import HdrSignals, scan

# ITU-T H.273 code points, as FFmpeg reports them
TRC_PQ = 16  # SMPTE ST 2084
TRC_HLG = 18  # ARIB STD-B67
PRIMARIES_BT2020 = 9
VFR_SAMPLE_FRAMES = 240
SEI_SAMPLE_PACKETS = 48  # HDR SEI rides on the first (key) frames


@dataclass
class VideoStream:
    index: int
    codec: str
    profile: str | None
    width: int
    height: int
    resolution_class: str
    frame_rate: float | None
    variable_frame_rate: bool
    bit_depth: int | None
    chroma: str | None
    pix_fmt: str | None
    color_primaries: int | None
    color_transfer: int | None
    color_matrix: int | None
    hdr: str  # SDR | HLG | HDR10 (PQ) | HDR10+ | Dolby Vision | HDR Vivid
    hdr_details: dict[str, Any] = field(default_factory=dict)


@dataclass
class AudioStream:
    index: int
    codec: str
    channels: int
    layout: str
    sample_rate: int
    audio_vivid: bool = False


@dataclass
class Probe:
    container: str
    duration: float | None  # seconds
    bit_rate: int | None
    size: int
    video: list[VideoStream] = field(default_factory=list)
    audio: list[AudioStream] = field(default_factory=list)
    subtitles: list[dict[str, Any]] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "video" if self.video else "audio" if self.audio else "other"

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "kind": self.kind}


AUDIO_VIVID_CODECS = {"av3a", "avs3audio", "audio_vivid"}


class UnsupportedMedia(AvbaseError):
    status_code = 422


def resolution_class(width: int, height: int) -> str:
    """By the larger side, so portrait video classes as its landscape twin: 8K ≥ 7680, 4K ≥ 3840,
    FHD ≥ 1920, HD ≥ 1280, else SD."""
    side = max(width, height)
    for name, threshold in (("8K", 7680), ("4K", 3840), ("FHD", 1920), ("HD", 1280)):
        if side >= threshold:
            return name
    return "SD"


def _bit_depth(pix_fmt: str | None) -> int | None:
    if not pix_fmt:
        return None
    for depth in (16, 14, 12, 10):
        if f"p{depth}" in pix_fmt:
            return depth
    return 8


def _chroma(pix_fmt: str | None) -> str | None:
    if not pix_fmt:
        return None
    for token, name in (
        ("444", "4:4:4"),
        ("422", "4:2:2"),
        ("420", "4:2:0"),
        ("411", "4:1:1"),
        ("gray", "4:0:0"),
    ):
        if token in pix_fmt:
            return name
    return None


def _variable_rate(container: Any, stream: Any) -> bool:
    """VFR when the frame durations of the first frames differ by more than a tick of jitter."""
    deltas: set[int] = set()
    last = None
    container.seek(0)
    for count, packet in enumerate(container.demux(stream)):
        if packet.pts is None:
            continue
        if last is not None:
            deltas.add(abs(packet.pts - last))
        last = packet.pts
        if count >= VFR_SAMPLE_FRAMES:
            break
    if len(deltas) <= 1:
        return False
    # B-frames reorder pts: compare sorted pts spacing instead of decode order.
    return max(deltas) - min(deltas) > 1 and _sorted_spacing_varies(container, stream)


def _sorted_spacing_varies(container: Any, stream: Any) -> bool:
    container.seek(0)
    pts = sorted(
        p.pts
        for _, p in zip(range(VFR_SAMPLE_FRAMES), container.demux(stream), strict=False)
        if p.pts is not None
    )
    steps = {b - a for a, b in itertools.pairwise(pts) if b > a}
    return len(steps) > 1 and (max(steps) - min(steps)) > 1


def _hdr(
    container: Any, stream: Any, transfer: int | None, primaries: int | None
) -> tuple[str, dict[str, Any]]:
    """The HDR type: Dolby Vision from the stream's configuration record, HDR Vivid and HDR10+ from T.35
    SEI, then HLG or PQ from the transfer characteristics; static HDR10 metadata is reported alongside."""
    details: dict[str, Any] = {}
    side_types = {str(getattr(sd, "type", sd)).lower() for sd in getattr(stream, "side_data", {}) or {}}
    extradata = bytes(stream.codec_context.extradata or b"")
    if any("dovi" in t or "dolby" in t for t in side_types) or b"dvcC" in extradata or b"dvvC" in extradata:
        return "Dolby Vision", details
    signals = HdrSignals()
    if stream.codec_context.name in ("hevc", "h264"):
        container.seek(0)
        packets = (bytes(p) for _, p in zip(range(SEI_SAMPLE_PACKETS), container.demux(stream), strict=False))
        scan(packets, stream.codec_context.name, signals)
        container.seek(0)
    details.update(
        {
            k: v
            for k, v in (
                ("mastering_display", signals.mastering_display),
                ("content_light_level", signals.content_light),
            )
            if v
        }
    )
    if signals.hdr_vivid:
        return "HDR Vivid", details
    if signals.hdr10_plus:
        return "HDR10+", details
    if transfer == TRC_HLG:
        return "HLG", details
    if transfer == TRC_PQ:
        return "HDR10 (PQ)", details
    if primaries == PRIMARIES_BT2020:
        details["wide_gamut"] = True
    return "SDR", details


def probe(path: Path) -> Probe:
    """Reads the container headers and a few hundred packets; never decodes the whole file."""
    try:
        container = av.open(str(path))
    except (av.error.FFmpegError, OSError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)  # FFmpeg's words, without our store path
        raise UnsupportedMedia(
            "The file is not a media file FFmpeg can read: {reason}", reason=reason[:200]
        ) from exc
    with container:
        duration = container.duration / 1_000_000 if container.duration else None
        result = Probe(container.format.name, duration, container.bit_rate or None, path.stat().st_size)
        for stream in container.streams:
            codec: Any = stream.codec_context  # a video or audio context, by the stream type
            if stream.type == "video":
                if getattr(codec, "width", 0) == 0:
                    continue  # cover art and the like
                rate = stream.average_rate or stream.guessed_rate
                transfer = _int(getattr(codec, "color_trc", None))
                primaries = _int(getattr(codec, "color_primaries", None))
                hdr, details = _hdr(container, stream, transfer, primaries)
                result.video.append(
                    VideoStream(
                        index=stream.index,
                        codec=codec.name,
                        profile=codec.profile,
                        width=codec.width,
                        height=codec.height,
                        resolution_class=resolution_class(codec.width, codec.height),
                        frame_rate=round(float(Fraction(rate)), 3) if rate else None,
                        variable_frame_rate=_variable_rate(container, stream),
                        bit_depth=_bit_depth(codec.pix_fmt),
                        chroma=_chroma(codec.pix_fmt),
                        pix_fmt=codec.pix_fmt,
                        color_primaries=primaries,
                        color_transfer=transfer,
                        color_matrix=_int(getattr(codec, "colorspace", None)),
                        hdr=hdr,
                        hdr_details=details,
                    )
                )
            elif stream.type == "audio":
                # Audio Vivid (AVS3-P3) is the 'av3a' sample entry in MP4/MOV; FFmpeg builds without its
                # decoder still report the tag.
                tag = str(getattr(codec, "codec_tag", "") or "").strip().lower()
                name = str(getattr(codec, "name", None) or "unknown")
                vivid = tag == "av3a" or name in AUDIO_VIVID_CODECS
                layout = getattr(codec, "layout", None)
                result.audio.append(
                    AudioStream(
                        index=stream.index,
                        codec=name,
                        channels=int(getattr(codec, "channels", 0) or 0),
                        layout=layout.name if layout is not None else "unknown",
                        sample_rate=int(getattr(codec, "sample_rate", 0) or 0),
                        audio_vivid=vivid,
                    )
                )
            elif stream.type == "subtitle":
                result.subtitles.append(
                    {"index": stream.index, "codec": codec.name, "language": stream.metadata.get("language")}
                )
        if result.kind == "other":
            raise UnsupportedMedia("The file has no audio or video stream.")
        if duration is not None and not math.isfinite(duration):
            result.duration = None
    return result


def _int(value: object) -> int | None:
    try:
        return None if value is None else int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None
