"""Piracy-tracing benchmark: accuracy per transform against a PDQ per-frame baseline, fingerprinting speed on
1080p, and query time against a synthesised index of many hours.

    PYTHONPATH=src .venv/bin/python bench/rights.py [--hours 10000] [--corpus ../shared/corpus/media]

Accuracy: four corpus clips are registered (a 24 s stretch of Big Buck Bunny, example_16s, bottle and the
first 40 s of person); every transform of the issue is applied to the Big Buck Bunny stretch with ffmpeg
(``tests/rights/clips.py``); negatives are another part of person (same camera, never registered), a test
pattern, black, silence and rain. Per query: whether the right work is found first, the IoU of the found
reference segment with the true one, and any other work reported (a false match).

Baseline (the vPDQ idea): PDQ hashes (``pdqhash``) of every reference and query frame at the same 4 frames
per second; a query frame matches a work when a frame of the work is within Hamming distance 31; the work
is reported when at least 20 % of the query's frames match it, with the span of the matched reference
frames as its segment.

Speed: fingerprinting (video and audio) of a 1080p H.264 encode of the clip, as a multiple of real time.
Query time: a one-minute query against an index synthesised at ``--hours`` of reference video (random keys
at the density of real fingerprints: 4 frames a second × 4 views) plus the real references; audio at a
tenth of the hours (its postings are denser). Index size per hour is measured on the real references.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.rights.clips import X264, _wait, iou, make_copies, reference_clip, run  # noqa: E402

from avbase.rights.fingerprint import audio, video  # noqa: E402
from avbase.rights.fingerprint import search as fingerprints  # noqa: E402
from avbase.rights.fingerprint.index import FingerprintIndex  # noqa: E402

BBB = 1


def references(corpus: Path, folder: Path) -> dict[int, Path]:
    bbb = reference_clip(corpus, folder / "bbb.mp4")
    person = folder / "person_0_40.mp4"
    _wait([run(["-i", str(corpus / "person.mp4"), "-t", "40", *X264, str(person)])])
    return {BBB: bbb, 2: corpus / "example_16s.mp4", 3: corpus / "bottle.mp4", 4: person}


def negatives(corpus: Path, folder: Path) -> list[Path]:
    names = ("person_60_72.mp4", "pattern.mp4", "black.mp4", "silence.m4a", "rain.m4a")
    out = {name: folder / name for name in names}
    _wait(
        [
            run(
                [
                    "-ss",
                    "60",
                    "-i",
                    str(corpus / "person.mp4"),
                    "-t",
                    "12",
                    "-vf",
                    "scale=640:-2",
                    *X264,
                    str(out["person_60_72.mp4"]),
                ]
            ),
            run(
                [
                    "-ss",
                    "1",
                    "-i",
                    str(corpus / "smpte_1080p.mp4"),
                    "-t",
                    "8",
                    "-vf",
                    "scale=640:360",
                    *X264,
                    str(out["pattern.mp4"]),
                ]
            ),
            run(
                [
                    "-f",
                    "lavfi",
                    "-i",
                    "color=black:s=640x360:d=8:r=24",
                    "-f",
                    "lavfi",
                    "-i",
                    "anullsrc=r=44100:cl=stereo",
                    "-t",
                    "8",
                    *X264,
                    str(out["black.mp4"]),
                ]
            ),
            run(
                [
                    "-f",
                    "lavfi",
                    "-i",
                    "anullsrc=r=44100:cl=stereo",
                    "-t",
                    "8",
                    "-c:a",
                    "aac",
                    str(out["silence.m4a"]),
                ]
            ),
            run(
                ["-ss", "5", "-i", str(corpus / "rain.mp3"), "-t", "12", "-c:a", "aac", str(out["rain.m4a"])]
            ),
        ]
    )
    return list(out.values())


# --- the PDQ baseline ----------------------------------------------------------------------------------


def pdq_frames(path: Path) -> tuple[np.ndarray, np.ndarray]:
    import pdqhash

    times, hashes = [], []
    for moment, grey in video.sample_frames(path):
        rgb = np.repeat(grey[:, :, None], 3, axis=2)
        bits, _quality = pdqhash.compute(np.ascontiguousarray(rgb))
        times.append(moment)
        hashes.append(np.packbits(bits.astype(np.uint8)))
    return np.asarray(times, np.float32), np.asarray(hashes, np.uint8).reshape(len(hashes), 32)


def pdq_search(refs: dict[int, tuple[np.ndarray, np.ndarray]], path: Path) -> list[tuple[int, float, float]]:
    """(work, reference start, reference end) for each work matched, best first."""
    _times, query = pdq_frames(path)
    if not len(query):
        return []
    table = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1).sum(axis=1)
    found = []
    for work, (ref_times, ref_hashes) in refs.items():
        distance = table[query[:, None, :] ^ ref_hashes[None, :, :]].sum(axis=2)  # queries × references
        nearest = distance.argmin(axis=1)
        hit = distance[np.arange(len(query)), nearest] <= 31
        share = float(hit.mean())
        if share >= 0.2:
            matched = ref_times[nearest[hit]]
            found.append((share, work, float(matched.min()), float(matched.max()) + 0.25))
    return [(work, start, end) for _share, work, start, end in sorted(found, reverse=True)]


# --- the synthesised index -----------------------------------------------------------------------------


def synthesise(folder: Path, hours: float, per_second: float, *, key_bits: int, first_ref: int) -> None:
    """Random postings at the density of real fingerprints (hour-long references), written as segments of
    the on-disk index."""
    index = FingerprintIndex(folder)
    rng = np.random.default_rng(16)
    per_hour = int(3600 * per_second)
    hours_per_segment = max(1, 40_000_000 // per_hour)
    whole = int(hours)
    for first in range(0, whole, hours_per_segment):
        batch = []
        for hour in range(first, min(whole, first + hours_per_segment)):
            keys = rng.integers(0, 1 << key_bits, per_hour, dtype=np.uint32)
            times = rng.random(per_hour, dtype=np.float32) * 3600
            batch.append((first_ref + hour, keys, times))
        index.add_many(batch)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "media")
    parser.add_argument("--hours", type=float, default=10000.0)
    parser.add_argument("--scratch", type=Path, default=None, help="Where the synthesised index goes.")
    parser.add_argument("--scale-only", action="store_true", help="Only the synthesised-index query time.")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-rights-"))
    try:
        run_all(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_all(args: argparse.Namespace, folder: Path) -> None:
    refs = references(args.corpus, folder)
    root = folder / "index"
    if args.scale_only:
        for work, path in refs.items():
            fingerprints.add_reference(root, work, fingerprints.fingerprint(path))
        scale(args, folder, root, refs)
        return
    pdq_refs = {}
    for work, path in refs.items():
        fingerprints.add_reference(root, work, fingerprints.fingerprint(path))
        pdq_refs[work] = pdq_frames(path)
    copies = make_copies(refs[BBB], args.corpus, folder)
    print(
        "| query | avbase: right work | IoU | modality | other works "
        "| PDQ ≤31: right work | IoU | other works |"
    )
    print("|---|---|---|---|---|---|---|---|")
    ours_hits = pdq_hits = 0
    ious: list[float] = []
    for copy in copies:
        found = fingerprints.search(root, Path(copy.file))
        truth = (copy.reference_start, copy.reference_end)
        best = found[0] if found else None
        right = best is not None and best.reference == BBB
        our_iou = iou((best.reference_start, best.reference_end), truth) if right and best else 0.0
        others = len([f for f in found if f.reference != BBB])
        baseline = pdq_search(pdq_refs, Path(copy.file))
        pdq_right = bool(baseline) and baseline[0][0] == BBB
        pdq_iou = iou((baseline[0][1], baseline[0][2]), truth) if pdq_right else 0.0
        ours_hits += right
        pdq_hits += pdq_right
        ious.append(our_iou)
        print(
            f"| {copy.name} | {'yes' if right else 'no'} | {our_iou:.2f} | "
            f"{best.modality if best else '—'} | "
            f"{others} | {'yes' if pdq_right else 'no'} | {pdq_iou:.2f} | "
            f"{len([b for b in baseline if b[0] != BBB])} |"
        )
    false_ours = false_pdq = 0
    for path in negatives(args.corpus, folder):
        found = fingerprints.search(root, path)
        baseline = pdq_search(pdq_refs, path) if path.suffix == ".mp4" else []
        false_ours += len(found)
        false_pdq += len(baseline)
        print(f"| negative: {path.name} | — | — | — | {len(found)} | — | — | {len(baseline)} |")
    print(
        f"\nRecall: avbase {ours_hits}/{len(copies)} "
        f"(mean IoU {np.mean(ious):.2f}), "
        f"PDQ {pdq_hits}/{len(copies)}; false matches on negatives: avbase {false_ours}, PDQ {false_pdq}."
    )

    speed(args, folder, refs[BBB])
    scale(args, folder, root, refs)


def speed(args: argparse.Namespace, folder: Path, clip: Path) -> None:
    hd = folder / "bbb_1080p.mp4"
    _wait(
        [
            run(
                [
                    "-i",
                    str(clip),
                    "-vf",
                    "scale=1920:1080",
                    "-c:v",
                    "libx264",
                    "-preset",
                    "veryfast",
                    "-b:v",
                    "8M",
                    "-c:a",
                    "aac",
                    str(hd),
                ]
            )
        ]
    )
    seconds = 24.0
    started = time.perf_counter()
    video.fingerprint(hd)
    video_time = time.perf_counter() - started
    started = time.perf_counter()
    audio.fingerprint(hd)
    audio_time = time.perf_counter() - started
    print(
        f"\nFingerprinting 1080p H.264 (24 s, one process): video {seconds / video_time:.1f}× real time, "
        f"audio {seconds / audio_time:.1f}×, both {seconds / (video_time + audio_time):.1f}×."
    )


def scale(args: argparse.Namespace, folder: Path, root: Path, refs: dict[int, Path]) -> None:
    per_hour = {}
    for modality in ("video", "audio"):
        index = FingerprintIndex(root / modality)
        seconds = sum(_duration(path) for path in refs.values() if modality == "video" or _has_audio(path))
        per_hour[modality] = index.size_bytes() / (seconds / 3600)
    print(
        f"Index size per hour of reference: video {per_hour['video'] / 2**20:.1f} MiB, "
        f"audio {per_hour['audio'] / 2**20:.1f} MiB."
    )
    big = (args.scratch or folder) / "big-index"
    shutil.rmtree(big, ignore_errors=True)
    started = time.perf_counter()
    video_hours, audio_hours = args.hours, args.hours / 10
    synthesise(
        big / "video",
        video_hours,
        video.FPS * len(video.REFERENCE_SCALES),
        key_bits=video.KEY_BITS,
        first_ref=1000,
    )
    audio_rate = FingerprintIndex(root / "audio").postings_count() / sum(
        _duration(p) for p in refs.values() if _has_audio(p)
    )
    synthesise(big / "audio", audio_hours, audio_rate, key_bits=19, first_ref=1000)
    for work, path in refs.items():
        fingerprints.add_reference(big, work, fingerprints.fingerprint(path))
    built = time.perf_counter() - started
    query = folder / "query_60s.mp4"
    _wait(
        [
            run(
                [
                    "-ss",
                    "0",
                    "-i",
                    str(refs[4]),
                    "-t",
                    "30",
                    "-i",
                    str(refs[BBB]),
                    "-t",
                    "24",
                    "-filter_complex",
                    "[0:v]scale=640:360,fps=24[a];[1:v]fps=24[b];[a][b]concat=n=2:v=1[v]",
                    "-map",
                    "[v]",
                    "-map",
                    "1:a",
                    *X264,
                    str(query),
                ]
            )
        ]
    )
    started = time.perf_counter()
    video_query = video.query_keys(query)
    audio_query = audio.query_keys(query)
    keys_time = time.perf_counter() - started
    started = time.perf_counter()
    found_video = fingerprints.search_video(big, video_query)
    found_audio = fingerprints.search_audio(big, audio_query)
    search_time = time.perf_counter() - started
    size = FingerprintIndex(big / "video").size_bytes() + FingerprintIndex(big / "audio").size_bytes()
    print(
        f"Synthesised index: video {video_hours:,.0f} h, audio {audio_hours:,.0f} h, "
        f"{size / 2**30:.1f} GiB on "
        f"disk, built in {built:.0f} s."
    )
    print(
        f"One-minute query: fingerprinting it {keys_time:.2f} s, searching the index {search_time:.2f} s; "
        f"found works {sorted({s.reference for s in found_video + found_audio})}."
    )
    shutil.rmtree(big, ignore_errors=True)


def _duration(path: Path) -> float:
    import av

    with av.open(str(path)) as container:
        return float(container.duration or 0) / 1_000_000


def _has_audio(path: Path) -> bool:
    import av

    with av.open(str(path)) as container:
        return bool(container.streams.audio)


if __name__ == "__main__":
    main()
