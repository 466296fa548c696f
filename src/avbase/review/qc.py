"""Technical QC of one file in one decoding pass: every video frame (scaled to 64×36) goes to the picture
and flash checks and its luma (at 128×72) to the regular-pattern check, every audio frame of the first
audio stream to the loudness meter and the clip counter; the findings come out measured against a
delivery profile. Pure: a path in, a report out (no database)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import av
import numpy as np
from av.audio.resampler import AudioResampler
from av.video.reformatter import VideoReformatter
from numpy.typing import NDArray

from avbase.review.audio_checks import ClipCounter, silence, silent_channels
from avbase.review.flashes import FlashChecks
from avbase.review.loudness import SUB_BLOCK, Loudness, LoudnessMeter
from avbase.review.patterns import MAX_PAIRS, STILL, PatternChecks
from avbase.review.patterns import SIZE as PATTERN_FRAME
from avbase.review.pictures import LUMA as LUMA709
from avbase.review.pictures import PictureChecks
from avbase.review.profiles import Profile
from avbase.review.stretches import stretches
from avbase.review.units import TIME_UNITS, unit_of

FINE = PATTERN_FRAME  # 128×72: stripes need a finer frame than flashes
SMALL = (FINE[0] // 2, FINE[1] // 2)  # 64×36: black, freeze, flashes


@dataclass(frozen=True)
class Finding:
    kind: str
    start: float
    end: float
    value: float | None  # what was measured (LUFS, dBTP, seconds, flashes a second, clipped samples …)
    limit: float | None
    severity: str  # error | warning
    detail: str = ""  # a channel, "red", where in a document …
    source: str = "qc"  # or, for a term, the text it was found in: ocr, subtitle, transcript …
    text: str = ""  # a term hit's context
    term: str = ""
    category: str = ""
    track: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "value": None if self.value is None else round(self.value, 2),
            "limit": self.limit,
            "unit": unit_of(self.kind),  # of value and limit
            "severity": self.severity,
            "detail": self.detail,
            "source": self.source,
            "text": self.text,
            "term": self.term,
            "category": self.category,
        }


@dataclass
class Measures:
    """What the pass measured, before it is compared with a profile."""

    duration: float = 0.0
    frames: int = 0
    loudness: Loudness | None = None
    meter: LoudnessMeter | None = None
    channels: list[str] = field(default_factory=list)
    clips: ClipCounter | None = None
    pictures: PictureChecks = field(default_factory=PictureChecks)
    flashes: FlashChecks = field(default_factory=FlashChecks)
    patterns: PatternChecks = field(default_factory=PatternChecks)


@dataclass(frozen=True)
class Report:
    duration: float
    loudness: Loudness | None
    findings: list[Finding]

    @property
    def verdict(self) -> str:
        return "fail" if any(finding.severity == "error" for finding in self.findings) else "pass"

    def to_json(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "duration": round(self.duration, 3),
            "units": TIME_UNITS,
            "loudness": self.loudness.to_json() if self.loudness else None,
            "findings": [finding.to_json() for finding in self.findings],
        }


Progress = Callable[[float], None]


def halved(frame: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Each 2×2 block of pixels as one, its mean (rounded)."""
    wide = frame.astype(np.uint16)
    total = wide[0::2, 0::2] + wide[1::2, 0::2] + wide[0::2, 1::2] + wide[1::2, 1::2] + 2
    return np.asarray(total >> 2, np.uint8)


def luma_codes(frame: NDArray[np.uint8]) -> NDArray[np.uint8]:
    """Y' (BT.709) of each pixel, 0–255."""
    return np.asarray(np.rint(frame @ LUMA709), np.uint8)


def measure(path: Path, profile: Profile, progress: Progress | None = None) -> Measures:
    """Decodes the file once: the first video and the first audio stream, interleaved as stored."""
    measures = Measures()
    with av.open(str(path)) as container:
        video = container.streams.video[0] if container.streams.video else None
        audio = container.streams.audio[0] if container.streams.audio else None
        streams = [stream for stream in (video, audio) if stream is not None]
        if not streams:
            return measures
        total = float(container.duration) / av.time_base if container.duration else 0.0
        reformatter = VideoReformatter()
        resampler: AudioResampler | None = None
        if video is not None:
            video.thread_type = "AUTO"
        if audio is not None:
            layout = audio.layout
            measures.channels = [channel.name for channel in layout.channels]
            rate = audio.rate or 48000
            resampler = AudioResampler(format="fltp", layout=layout, rate=rate)
            measures.meter = LoudnessMeter(rate, measures.channels)
            measures.clips = ClipCounter(rate, len(measures.channels)) if profile.check_clipping else None
        last_report = 0.0
        for packet in container.demux(streams):
            for frame in packet.decode():
                if not isinstance(frame, av.VideoFrame | av.AudioFrame):
                    continue
                time = float(frame.time) if frame.time is not None else 0.0
                if isinstance(frame, av.VideoFrame):
                    # one scaling a frame: the pattern check's 128×72, halved (2×2 means) for the others
                    fine = reformatter.reformat(
                        frame, width=FINE[0], height=FINE[1], format="rgb24", interpolation="AREA"
                    ).to_ndarray()
                    fine = np.asarray(fine, np.uint8)
                    small = halved(fine)
                    measures.pictures.add(time, small, black_pixel=profile.black_pixel)
                    if profile.check_flashes:
                        measures.flashes.add(time, small)
                    if profile.check_patterns:
                        measures.patterns.add(time, luma_codes(fine))
                    measures.frames += 1
                    measures.duration = max(
                        measures.duration, time + float(frame.duration or 0) * float(frame.time_base or 0)
                    )
                elif isinstance(frame, av.AudioFrame) and resampler is not None and measures.meter:
                    for converted in resampler.resample(frame):
                        samples = np.asarray(converted.to_ndarray(), np.float32)
                        measures.meter.add(samples)
                        if measures.clips is not None:
                            measures.clips.add(samples)
                        measures.duration = max(measures.duration, time + converted.samples / converted.rate)
                if progress is not None and total and time - last_report >= 5.0:
                    last_report = time
                    progress(min(time / total, 1.0))
        if resampler is not None and measures.meter is not None:
            for converted in resampler.resample(None):
                measures.meter.add(np.asarray(converted.to_ndarray(), np.float32))
    if measures.meter is not None:
        measures.meter.finish()
        measures.loudness = measures.meter.result()
    return measures


def findings(measures: Measures, profile: Profile) -> list[Finding]:
    """The measures against the profile's limits."""
    found: list[Finding] = []

    def add(
        kind: str, start: float, end: float, value: float | None, limit: float | None, detail: str = ""
    ) -> None:
        found.append(
            Finding(kind, round(start, 3), round(end, 3), value, limit, profile.severity(kind), detail)
        )

    meter, loudness = measures.meter, measures.loudness
    if meter is not None and loudness is not None:
        if abs(loudness.integrated_lufs - profile.integrated_lufs) > profile.tolerance_lu + 1e-9:
            add("loudness", 0.0, measures.duration, loudness.integrated_lufs, profile.integrated_lufs,
                f"±{profile.tolerance_lu:g} LU")  # fmt: skip
        peaks = meter.sub_block_peaks()
        times = np.arange(peaks.size) * SUB_BLOCK
        over = 20.0 * np.log10(np.maximum(peaks, 1e-12)) > profile.true_peak_max_dbtp
        for stretch in stretches(over, times, SUB_BLOCK, bridge=0.5):
            most = float(peaks[stretch.first : stretch.last + 1].max())
            add("true_peak", stretch.start, stretch.end, 20.0 * np.log10(most), profile.true_peak_max_dbtp)
        if profile.short_term_max_lufs is not None:
            short = meter.short_term()
            # the window ending at sub-block i covers the 3 s before it
            over = short > profile.short_term_max_lufs
            short_times = (np.arange(short.size) + 1) * SUB_BLOCK
            for stretch in stretches(over, short_times, SUB_BLOCK, bridge=0.5):
                loudest = float(short[stretch.first : stretch.last + 1].max())
                add(
                    "short_term",
                    max(0.0, stretch.start - 3.0),
                    stretch.end,
                    loudest,
                    profile.short_term_max_lufs,
                )
        sample_peaks = meter.sub_block_sample_peaks()
        for stretch in silence(
            sample_peaks, threshold_db=profile.silence_db, min_seconds=profile.silence_min_seconds
        ):
            add("silence", stretch.start, stretch.end, stretch.seconds, profile.silence_min_seconds)
        for silent in silent_channels(
            sample_peaks, measures.channels, threshold_db=profile.silence_db,
            min_seconds=profile.silent_channel_min_seconds,
        ):  # fmt: skip
            add("silent_channel", silent.stretch.start, silent.stretch.end, silent.stretch.seconds,
                profile.silent_channel_min_seconds, silent.channel)  # fmt: skip
    if measures.clips is not None:
        for stretch, count in measures.clips.stretches():
            add("clipping", stretch.start, stretch.end, float(count), 0.0)
    pictures = measures.pictures
    black = pictures.black(share=profile.black_share, min_seconds=profile.black_min_seconds)
    for stretch in black:
        add("black", stretch.start, stretch.end, stretch.seconds, profile.black_min_seconds)
    for stretch in pictures.frozen(
        noise=profile.freeze_noise, min_seconds=profile.freeze_min_seconds, black=black
    ):
        add("freeze", stretch.start, stretch.end, stretch.seconds, profile.freeze_min_seconds)
    if profile.check_flashes:
        for flash in measures.flashes.failing():
            add("flash", flash.start, flash.end, flash.flashes_per_second, 3.0, "red" if flash.red else "")
    if profile.check_patterns:
        for pattern in measures.patterns.failing():
            add("pattern", pattern.start, pattern.end, pattern.pairs, float(MAX_PAIRS))
    if profile.check_patterns and profile.check_still_patterns:
        still = measures.patterns.still(
            area=profile.still_pattern_area,
            contrast=profile.still_pattern_contrast,
            min_seconds=profile.still_pattern_seconds,
        )
        for pattern in still:  # a lesser risk than a changing one: a warning whatever the profile
            found.append(Finding("pattern", round(pattern.start, 3), round(pattern.end, 3), pattern.pairs,
                                 float(MAX_PAIRS), "warning", STILL))  # fmt: skip
    return sorted(found, key=lambda finding: (finding.start, finding.kind))


def check(path: Path, profile: Profile, progress: Progress | None = None) -> Report:
    measures = measure(path, profile, progress)
    return Report(measures.duration, measures.loudness, findings(measures, profile))


def frames_at(path: Path, times: list[float], folder: Path) -> dict[float, str]:
    """A small JPEG of the frame shown at each of ``times`` (the first frame from there on), named as media's
    thumbnails (``thumbs/<milliseconds>.jpg`` under the asset's derived folder; one already there is kept).
    Seeks to each time, so a few findings cost a few short decodes. No video: nothing."""
    from PIL import Image

    from avbase.media.stills import THUMB_WIDTH, thumb_name

    made: dict[float, str] = {}
    with av.open(str(path)) as container:
        if not container.streams.video:
            return made
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for wanted in sorted(set(times)):
            name = thumb_name(wanted)
            target = folder / name
            if target.is_file():
                made[wanted] = name
                continue
            assert stream.time_base is not None
            container.seek(int(max(0.0, wanted) / stream.time_base), stream=stream, backward=True)
            for frame in container.decode(stream):
                if frame.time is not None and frame.time + 1e-3 < wanted:
                    continue
                height = max(2, round(frame.height * THUMB_WIDTH / max(frame.width, 1) / 2) * 2)
                picture = frame.reformat(width=THUMB_WIDTH, height=height, format="rgb24").to_ndarray()
                target.parent.mkdir(parents=True, exist_ok=True)
                Image.fromarray(picture).save(target, quality=82)
                made[wanted] = name
                break
    return made
