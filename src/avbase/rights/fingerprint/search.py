"""Fingerprint a reference into the index, and search the index with a suspect file (no database: references
are plain integer ids, the caller maps them to works)."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from avbase.rights.fingerprint import audio, video
from avbase.rights.fingerprint.index import FingerprintIndex, Postings, _ranges
from avbase.rights.fingerprint.match import Hits, Segment, distinct, likely_references, vote

VIDEO_SPEEDS = (0.95, 0.975, 1.0, 1.025, 1.05)
VIDEO_MIN_FRAMES = 8  # 2 s of agreeing sampled frames
VIDEO_MIN_SCORE = 0.25
# Distinct keys of a query looked up in the index at most, per minute of query (see AUDIO_LOOKUPS): a copy's
# frames still leave dozens of agreeing frames at an eighth of the keys.
VIDEO_LOOKUPS = 2000
VIDEO_SCREEN_FRAMES = 6  # sampled frames agreeing on an alignment, for a closer look (4 let chance through)
AUDIO_MIN_MOMENTS = 12
# Share of the query's landmark moments that agree: copies, even at 10 dB SNR, score 0.55 and more.
AUDIO_MIN_SCORE = 0.2
# Distinct keys of a query looked up in the index at most, per minute of query (the rest are met in the
# prints of the references the sample names): a copy's sampled keys still leave dozens of hits on it at a
# tenth of the keys.
AUDIO_LOOKUPS = 3000
AUDIO_SCREEN_MOMENTS = 4  # query moments agreeing on an alignment by their sampled hits, for a closer look


@dataclass(frozen=True)
class Prints:
    video: video.VideoPrint | None
    audio: audio.AudioPrint | None


VIDEO_PRINT = "video.npz"
AUDIO_PRINT = "audio.npz"
KEY_VERSIONS = {"video": video.VERSION, "audio": audio.VERSION}


def fingerprint(path: Path, *, video_print: video.VideoPrint | None = None) -> Prints:
    """Both fingerprints of a file (either is None when the file has no such stream); the video one is
    made unless given (from a pass that decoded the pictures already)."""
    picture = video_print if video_print is not None else video.fingerprint(path)
    sound = audio.fingerprint(path)
    return Prints(
        video=picture if picture.times.size else None,
        audio=sound if sound.keys.size else None,
    )


def save(prints: Prints, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    if prints.video is not None:
        prints.video.save(folder / VIDEO_PRINT)
    if prints.audio is not None:
        prints.audio.save(folder / AUDIO_PRINT)


def load(folder: Path) -> Prints:
    """The stored prints of the current versions (one of an older version is as good as none: its keys
    must not reach the index; :func:`stale` says whether there is one)."""
    picture = folder / VIDEO_PRINT
    pictures = video.VideoPrint.load(picture) if picture.exists() else None
    return Prints(
        video=pictures if pictures is not None and pictures.version == video.VERSION else None,
        audio=load_audio(folder),
    )


def load_audio(folder: Path) -> audio.AudioPrint | None:
    """The stored audio print alone (of the current version), if there is one."""
    sound = folder / AUDIO_PRINT
    sounds = audio.AudioPrint.load(sound) if sound.exists() else None
    return sounds if sounds is not None and sounds.version == audio.VERSION else None


def stale(folder: Path) -> bool:
    """Whether a stored print is of an older version of its keys (the file must be fingerprinted again)."""
    picture = folder / VIDEO_PRINT
    sound = folder / AUDIO_PRINT
    return (picture.exists() and video.VideoPrint.load(picture).version != video.VERSION) or (
        sound.exists() and audio.AudioPrint.load(sound).version != audio.VERSION
    )


PrintPostings = tuple[NDArray[np.uint32], NDArray[np.float32]]


def print_postings(prints: Prints, modality: str) -> PrintPostings | None:
    """What a print puts in the index of a modality: keys and times (seconds); for video, every view of the
    valid frames, each at its frame's time."""
    if modality == "video":
        frames = prints.video
        if frames is None:
            return None
        times = np.repeat(frames.times[frames.valid], frames.keys.shape[1]).astype(np.float32)
        return frames.keys[frames.valid].reshape(-1), times
    return (prints.audio.keys, prints.audio.times) if prints.audio is not None else None


def add_reference(root: Path, reference: int, prints: Prints) -> None:
    for modality in ("video", "audio"):
        made = print_postings(prints, modality)
        if made is not None:
            FingerprintIndex(root / modality, keys=KEY_VERSIONS[modality]).add(reference, *made)


def add_references(root: Path, batch: list[tuple[int, Prints]]) -> None:
    """Adds many new references at once, one segment per modality (a rebuild)."""
    for modality in ("video", "audio"):
        entries = [
            (reference, *made)
            for reference, prints in batch
            if (made := print_postings(prints, modality)) is not None and made[0].size
        ]
        (root / modality).mkdir(parents=True, exist_ok=True)
        if entries:
            FingerprintIndex(root / modality, keys=KEY_VERSIONS[modality]).add_many(entries)


def remove_reference(root: Path, reference: int) -> None:
    for modality in ("video", "audio"):
        if (root / modality).exists():
            FingerprintIndex(root / modality, keys=KEY_VERSIONS[modality]).remove(reference)


@dataclass(frozen=True)
class Found:
    reference: int
    reference_start: float
    reference_end: float
    query_start: float
    query_end: float
    score: float
    modality: str  # video | audio | both


VIDEO_REFRESH = 4  # sampled frames: once a second a frame counts with all its keys in the coarse count


def _onsets(keys: list[NDArray[np.uint32]]) -> NDArray[np.bool_]:
    """Per key of the query (frames in order), whether the frame before lacked it, or the frame is one of
    those that keep all their keys (one a second).

    A still scene repeats its keys frame after frame, and each repetition meets the same postings again:
    in a large index thousands of chance ones, on which the coarse count of the voting would spend most of
    its time. It counts onsets only; the voting itself, on the references the count keeps, sees all."""
    flags: list[NDArray[np.bool_]] = []
    before = np.zeros(0, np.uint32)
    for number, frame_keys in enumerate(keys):
        if number % VIDEO_REFRESH == 0:
            flags.append(np.ones(frame_keys.shape, bool))
        else:
            flags.append(~np.isin(frame_keys, before, assume_unique=True))
        before = frame_keys
    return np.concatenate(flags) if flags else np.zeros(0, bool)


def search_video(root: Path, query: video.VideoQuery, *, prints_of: PrintsOf | None = None) -> list[Segment]:
    """The coarse count runs on the hits of the onsets only; the voting on all hits, of the references the
    count keeps only (the postings met are paired with query positions twice, each time with a few).

    A query of more than :data:`VIDEO_LOOKUPS` distinct keys a minute is searched in two steps, as the
    sound is (:func:`search_audio`): the index is read for a sample of its keys, the voting on those hits
    with a lower bar names the references worth a closer look, and their hits come from their prints."""
    if not query.keys or not query.valid.any():
        return []
    frame_of = np.concatenate([np.full(k.size, i, np.int64) for i, k in enumerate(query.keys)])
    keys = np.concatenate(query.keys).astype(np.uint32)
    if keys.size == 0:
        return []
    index = FingerprintIndex(root / "video", keys=video.VERSION)
    step = 1.0 / video.FPS
    usable = query.times[query.valid]

    def hits(postings: Postings, speed: float = 1.0) -> Hits:
        query_time = query.times[frame_of[postings.query]]
        return Hits(query_time, postings.reference, postings.time, speed, postings.posting)

    sampled = _sample(keys, int(VIDEO_LOOKUPS * max(1.0, query.duration / 60.0)))
    onsets = _onsets(query.keys)
    if sampled.all():
        met = index.meet(keys)
        screen = hits(met.pair(positions=onsets))
        likely = likely_references(screen, VIDEO_MIN_FRAMES)
        kept = hits(met.pair(references=likely))
    else:
        found = _first_step(
            index, keys, sampled, lambda seen: [hits(seen, speed) for speed in VIDEO_SPEEDS],
            usable=usable, step=step, min_frames=VIDEO_SCREEN_FRAMES, prints_of=prints_of, modality="video",
        )  # fmt: skip
        if found is None:
            return []
        every = hits(found)
        likely = likely_references(every.only(onsets[found.query]), VIDEO_MIN_FRAMES)
        kept = every.only(np.isin(every.reference, likely))
    return vote(
        [
            Hits(kept.query_time, kept.reference, kept.reference_time, speed, kept.posting)
            for speed in VIDEO_SPEEDS
        ],
        usable_times=usable,
        step=step,
        min_frames=VIDEO_MIN_FRAMES,
        min_score=VIDEO_MIN_SCORE,
        screened=True,
    )


# A reference's stored prints (both modalities), for the second step of a search; None when not at hand.
PrintsOf = Callable[[int], Prints | None]


def search_audio(root: Path, query: audio.AudioQuery, *, prints_of: PrintsOf | None = None) -> list[Segment]:
    """The references the query's sound copies. A query of more than :data:`AUDIO_LOOKUPS` distinct keys
    a minute (a minute of sound carries 10,000 to 30,000 over its speed hypotheses) is searched in two
    steps: the index is read for a sample of its keys, and the voting on those hits alone, with a lower
    bar, names the few references where an alignment gathers them (a copy leaves dozens to hundreds of
    sampled hits on one line, chance a scattered few); the hits of all keys are then taken from those
    references' own prints (``prints_of``; from the index, for a reference it has none of). In an index
    larger than memory every key looked up costs reads from disk in every segment: this keeps them to a
    few thousand per minute of query."""
    hypotheses = [(speed, keys, times) for speed, keys, times in query.hypotheses if keys.size]
    if not hypotheses:
        return []
    everything = np.concatenate([keys for _speed, keys, _times in hypotheses])
    step = audio.FRAME_SECONDS
    usable = [times for speed, _keys, times in hypotheses if speed == 1.0]
    moments = (distinct(np.round(np.concatenate(usable) / step)) * step if usable else np.zeros(0)).astype(
        np.float32
    )
    index = FingerprintIndex(root / "audio", keys=audio.VERSION)
    # The budget grows with the query's length, so that a copy of 10 s inside an upload of an hour keeps
    # as many sampled hits as inside a minute.
    sampled = _sample(everything, int(AUDIO_LOOKUPS * max(1.0, query.duration / 60.0)))
    if sampled.all():
        postings = index.lookup(everything)
    else:
        found = _first_step(
            index, everything, sampled, lambda seen: _per_hypothesis(seen, hypotheses),
            usable=moments, step=step, min_frames=AUDIO_SCREEN_MOMENTS, prints_of=prints_of, modality="audio",
        )  # fmt: skip
        if found is None:
            return []
        postings = found
    return vote(
        _per_hypothesis(postings, hypotheses),
        usable_times=moments,
        step=step,
        min_frames=AUDIO_MIN_MOMENTS,
        min_score=AUDIO_MIN_SCORE,
    )


def _per_hypothesis(
    postings: Postings, hypotheses: list[tuple[float, NDArray[np.uint32], NDArray[np.float32]]]
) -> list[Hits]:
    """The hits of one lookup of the keys of every speed hypothesis (they share many), shared out by the
    positions of each."""
    groups: list[Hits] = []
    start = 0
    for speed, keys, times in hypotheses:
        mine = np.flatnonzero((postings.query >= start) & (postings.query < start + keys.size))
        groups.append(
            Hits(
                times[postings.query[mine] - start],
                postings.reference[mine],
                postings.time[mine],
                speed,
                postings.posting[mine],
            )
        )
        start += keys.size
    return groups


def _first_step(
    index: FingerprintIndex,
    keys: NDArray[np.uint32],
    sampled: NDArray[np.bool_],
    groups: Callable[[Postings], list[Hits]],
    *,
    usable: NDArray[np.float32],
    step: float,
    min_frames: int,
    prints_of: PrintsOf | None,
    modality: str,
) -> Postings | None:
    """The index read for the ``sampled`` keys only, the voting on those hits (made into ``groups``, per
    speed) with the lower bar ``min_frames``, and every hit of the references it names, from their prints
    (:func:`_postings_of`); None when it names none."""
    positions = np.flatnonzero(sampled)
    seen = index.lookup(keys[positions])
    seen.query = positions[seen.query]  # positions in the whole query
    screened = vote(groups(seen), usable_times=usable, step=step, min_frames=min_frames, min_score=0.0)
    if not screened:
        return None
    candidates = np.unique(np.asarray([segment.reference for segment in screened], np.int32))
    return _postings_of(index, keys, candidates, prints_of, modality)


def _sample(keys: NDArray[np.uint32], most: int) -> NDArray[np.bool_]:
    """Which query positions carry a key of the sample: at most about ``most`` distinct keys, picked by a
    hash of the key (so a key is in or out wherever it occurs, in every hypothesis)."""
    count = distinct(keys).size
    if count <= most:
        return np.ones(keys.shape, bool)
    spread = (keys.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)) >> np.uint64(40)  # 24 bits
    return np.asarray(spread < np.uint64(int((1 << 24) * most / count)), bool)


def _postings_of(
    index: FingerprintIndex,
    keys: NDArray[np.uint32],
    references: NDArray[np.int32],
    prints_of: PrintsOf | None,
    modality: str,
) -> Postings:
    """Every hit of the query's ``keys`` on ``references`` (sorted), as the index would give them: from each
    reference's stored print where ``prints_of`` has it (read whole: one file, no lookups), else from the
    index."""
    parts: list[Postings] = []
    unprinted: list[int] = []
    for number, reference in enumerate(references.tolist()):
        stored = prints_of(reference) if prints_of is not None else None
        made = print_postings(stored, modality) if stored is not None else None
        if made is None:
            unprinted.append(reference)
        else:
            parts.append(_hits_in_print(keys, made, reference, number))
    if unprinted:
        parts.append(index.meet(keys).pair(references=np.asarray(unprinted, np.int32)))
    return Postings(
        query=np.concatenate([p.query for p in parts]),
        reference=np.concatenate([p.reference for p in parts]),
        time=np.concatenate([p.time for p in parts]),
        posting=np.concatenate([p.posting for p in parts]),
    )


def _hits_in_print(
    keys: NDArray[np.uint32],
    made: PrintPostings,
    reference: int,
    number: int,
) -> Postings:
    """The hits of the query's keys on one reference's print, as :meth:`FingerprintIndex.lookup` gives
    them (the hits of one posting adjacent, in query order; postings numbered apart from the index's and
    from other prints')."""
    print_keys, print_times = made
    order = np.argsort(print_keys, kind="stable")
    ordered = print_keys[order]
    lo = np.searchsorted(ordered, keys, side="left")
    found = np.searchsorted(ordered, keys, side="right") - lo
    query = np.repeat(np.arange(keys.size, dtype=np.int64), found)
    posting = order[_ranges(lo.astype(np.int64), found.astype(np.int64))].astype(np.int64)
    grouped = np.lexsort((query, posting))
    query, posting = query[grouped], posting[grouped]
    # Centiseconds, as the index holds them.
    times = np.round(np.asarray(print_times, np.float64) * 100).astype(np.int32)
    return Postings(
        query=query,
        reference=np.full(query.shape, reference, np.int32),
        time=times[posting].astype(np.float32) / np.float32(100.0),
        posting=-(posting + 1) - (np.int64(number) << np.int64(40)),  # negative: never an index posting
    )


ALIGNMENTS_DIFFER = 0.5  # seconds between the video's and the audio's alignment of one reference


def _offset(segment: Segment) -> float:
    """Where the query's time 0 falls in the reference (its end is never cut off at 0, its start may be)."""
    return segment.reference_end - segment.speed * segment.query_end


def _overlap(a: Segment, b: Segment) -> float:
    return max(0.0, min(a.query_end, b.query_end) - max(a.query_start, b.query_start))


def search(root: Path, path: Path, *, prints_of: PrintsOf | None = None) -> list[Found]:
    """The references the file copies, best first; one entry per reference (video and audio merged).
    ``prints_of`` gives a reference's stored audio print (see :func:`search_audio`)."""
    return search_queries(root, video.query_keys(path), audio.query_keys(path), prints_of=prints_of)


def search_among(
    batch: list[tuple[int, Prints]], pictures: video.VideoQuery, sounds: audio.AudioQuery, *, scratch: Path
) -> list[Found]:
    """The references of ``batch`` (their stored prints) that the queries copy, as :func:`search_queries`
    finds them in an index of these prints alone (made in a folder under ``scratch``, deleted after)."""
    import tempfile

    scratch.mkdir(parents=True, exist_ok=True)
    sweep(scratch)
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        add_references(Path(folder), batch)
        return search_queries(Path(folder), pictures, sounds, prints_of=dict(batch).get)


LEFT_BEHIND_SECONDS = 3600  # a batch's index lives for seconds: one this old was left by a killed worker


def sweep(scratch: Path, *, older_than: float = LEFT_BEHIND_SECONDS) -> list[Path]:
    """Removes the batch indexes a killed worker left under ``scratch`` (untouched for ``older_than``
    seconds; another worker's batch in progress is younger) and returns them."""
    gone = []
    for folder in scratch.iterdir():
        if folder.is_dir() and time.time() - folder.stat().st_mtime > older_than:
            shutil.rmtree(folder, ignore_errors=True)
            gone.append(folder)
    return gone


def search_queries(
    root: Path,
    query_video: video.VideoQuery,
    query_audio: audio.AudioQuery,
    *,
    prints_of: PrintsOf | None = None,
) -> list[Found]:
    """:func:`search` of a file's query keys made beforehand. The two modalities are searched at once: on
    an index larger than memory each waits on the disk most of the time."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(2) as pool:
        sounds_found = pool.submit(search_audio, root, query_audio, prints_of=prints_of)
        pictures = search_video(root, query_video, prints_of=prints_of)
        sounds = sounds_found.result()
    found: list[Found] = []
    by_reference = {s.reference: s for s in sounds}
    for picture in pictures:
        sound = by_reference.pop(picture.reference, None)
        if sound is None or _overlap(picture, sound) <= 0:
            found.append(_found(picture, "video"))
        elif abs(_offset(picture) - _offset(sound)) > ALIGNMENTS_DIFFER:
            # Landmarks place the sound to 32 ms; the keys of a slow pan fit several offsets of the
            # pictures: where the two disagree, the sound's alignment is the one.
            found.append(_found(sound, "both", extra=picture.score))
        else:
            found.append(_found(picture, "both", extra=sound.score))
    found.extend(_found(sound, "audio") for sound in by_reference.values())
    return sorted(found, key=lambda f: -f.score)


def _found(segment: Segment, modality: str, extra: float = 0.0) -> Found:
    return Found(
        reference=segment.reference,
        reference_start=round(segment.reference_start, 2),
        reference_end=round(segment.reference_end, 2),
        query_start=round(segment.query_start, 2),
        query_end=round(segment.query_end, 2),
        score=round(min(1.0, max(segment.score, extra)), 3),
        modality=modality,
    )
