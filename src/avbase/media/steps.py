"""The analysis steps of an asset, in order. Each has a pure ``work`` (the stored file in, plain data out,
files under the asset's derived folder) that any executor can run, and a ``store`` that writes the result
on the asset in the job's transaction. Running a step again replaces what it wrote."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import object_session

from avbase.media.models import Asset, TextSegment, TextSource
from avbase.media.ocr import read_video_text
from avbase.media.probe import probe
from avbase.media.proxy import draw_waveform, make_proxy
from avbase.media.speech import transcribe
from avbase.media.stills import analyse_pictures
from avbase.media.subtitles import read_embedded
from avbase.rights.tracing import fingerprint_step, keep_video_print, store_fingerprint, video_print_listener

PROXY = "proxy.mp4"
WAVEFORM = "waveform.png"
EMBEDDED = "stream "  # track names of subtitles read from the file itself


@dataclass(frozen=True)
class StepInput:
    source: Path  # the stored file
    folder: Path  # its derived folder
    kind: str | None = None
    duration: float | None = None
    keyframes: list[float] = field(default_factory=list)
    cuts: list[float] = field(default_factory=list)  # when each shot that begins with a hard cut begins
    speech_model: Path | None = None
    speech_language: str | None = None
    shot_detector: str = "builtin"  # the engine of avbase.media.detector


def replace_segments(
    asset: Asset,
    source: TextSource,
    rows: list[dict[str, Any]],
    *,
    track_prefix: str = "",
    track: str | None = None,
) -> None:
    """Replaces the asset's segments of one source (only the tracks named, when given) with ``rows``."""
    session = object_session(asset)
    assert session is not None
    which = delete(TextSegment).where(TextSegment.asset_id == asset.id, TextSegment.source == source)
    if track is not None:
        which = which.where(TextSegment.track == track)
    elif track_prefix:
        which = which.where(TextSegment.track.startswith(track_prefix))
    session.execute(which)
    session.add_all(TextSegment(asset_id=asset.id, source=source, **row) for row in rows)


def _note(asset: Asset, key: str, value: Any) -> None:
    asset.derived = {**(asset.derived or {}), key: value}  # a new dict: JSON columns see reassignment only


def _probe(given: StepInput) -> dict[str, Any]:
    return probe(given.source).to_json()


def _store_probe(asset: Asset, result: dict[str, Any]) -> None:
    first_video = result["video"][0] if result["video"] else None
    asset.probe = result
    asset.kind = result["kind"]
    asset.duration = result["duration"]
    asset.resolution_class = first_video["resolution_class"] if first_video else None
    asset.hdr = first_video["hdr"] if first_video else None


def _pictures(given: StepInput) -> dict[str, object]:
    # The rights fingerprint's video print listens to this pass, so that its step decodes the sound only.
    video_print = video_print_listener()
    result = analyse_pictures(
        given.source, given.folder, detector=given.shot_detector, listeners=[video_print]
    )
    keep_video_print(video_print, given.folder)
    return result


def _store_pictures(asset: Asset, result: dict[str, Any]) -> None:
    asset.shots = result["shots"]
    _note(asset, "thumbnails", result["thumbnails"])
    _note(asset, "contact_sheet", result["contact_sheet"])


def _proxy(given: StepInput) -> dict[str, Any]:
    made = make_proxy(given.source, given.folder / PROXY)
    waveform = draw_waveform(made.peaks, given.folder / WAVEFORM)
    return {"width": made.width, "height": made.height, "audio": made.audio, "seconds": made.seconds,
            "waveform": waveform}  # fmt: skip


def _ocr(given: StepInput) -> dict[str, Any]:
    run = read_video_text(given.folder / PROXY, given.keyframes, cuts=given.cuts)
    end = given.duration
    records = [
        {**record.to_json(), "end": min(record.end, end) if end else record.end} for record in run.records
    ]
    return {"records": records, "frames_read": run.frames_read, "frames_reused": run.frames_reused,
            "lines_read": run.lines_read, "lines_reused": run.lines_reused,
            "seconds": run.seconds}  # fmt: skip


def _store_ocr(asset: Asset, result: dict[str, Any]) -> None:
    rows = [{**record, "track": "ocr"} for record in result["records"]]
    replace_segments(asset, TextSource.ocr, rows)
    _note(asset, "ocr", {key: value for key, value in result.items() if key != "records"})


def _subtitles(given: StepInput) -> dict[str, list[dict[str, Any]]]:
    return {
        track: [{"start": cue.start, "end": cue.end, "text": cue.text} for cue in cues]
        for track, cues in read_embedded(given.source).items()
    }


def _store_subtitles(asset: Asset, result: dict[str, list[dict[str, Any]]]) -> None:
    rows = [{**cue, "track": track} for track, cues in result.items() for cue in cues]
    replace_segments(asset, TextSource.subtitle, rows, track_prefix=EMBEDDED)


def _speech(given: StepInput) -> dict[str, Any]:
    if given.speech_model is None:
        return {"state": "off"}
    phrases, seconds = transcribe(given.source, given.speech_model, given.speech_language)
    rows = [{"start": p.start, "end": p.end, "text": p.text, "confidence": p.confidence} for p in phrases]
    return {"state": "done", "model": given.speech_model.name, "seconds": seconds, "phrases": rows}


def _store_speech(asset: Asset, result: dict[str, Any]) -> None:
    if result["state"] == "done":
        track = f"speech ({result['model']})"[:120]
        replace_segments(asset, TextSource.transcript, [{**row, "track": track} for row in result["phrases"]])
    _note(asset, "transcript", {key: value for key, value in result.items() if key != "phrases"})


def _is_video(given: StepInput) -> bool:
    return given.kind == "video"


def _has_sound(given: StepInput) -> bool:
    return given.kind in ("video", "audio")


@dataclass(frozen=True)
class Step:
    name: str
    work: Callable[[StepInput], Any]
    store: Callable[[Asset, Any], None]
    applies: Callable[[StepInput], bool] = _has_sound


STEPS: tuple[Step, ...] = (
    Step("probe", _probe, _store_probe, applies=lambda given: True),
    Step("pictures", _pictures, _store_pictures, _is_video),
    Step("proxy", _proxy, lambda asset, result: _note(asset, "proxy", result)),
    Step("ocr", _ocr, _store_ocr, _is_video),
    Step("subtitles", _subtitles, _store_subtitles),
    Step("speech", _speech, _store_speech),
    Step(
        "fingerprint",
        lambda given: fingerprint_step(given.source, given.folder),
        store_fingerprint,
    ),
)

_REGISTERED: list[Step] = []


def register_step(step: Step) -> None:
    """Adds a step after the built-in ones (another domain's analysis of the same file, e.g. review's QC),
    once per name."""
    if all(known.name != step.name for known in (*STEPS, *_REGISTERED)):
        _REGISTERED.append(step)


def all_steps() -> tuple[Step, ...]:
    return (*STEPS, *_REGISTERED)
