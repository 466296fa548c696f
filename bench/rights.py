"""Piracy-tracing benchmark: accuracy per transform against a PDQ per-frame baseline, fingerprinting speed on
1080p, and query time against a synthesised index of many hours.

    PYTHONPATH=src .venv/bin/python bench/rights.py [--hours 10000] [--audio-hours 100]
        [--scale-only | --no-accuracy] [--repeats 9] [--scratch DIR --keep] [--cold 5] [--varied 8]
        [--corpus ../shared/corpus/media]

Accuracy: four corpus clips are registered (a 24 s stretch of Big Buck Bunny, example_16s, bottle and the
first 40 s of person); every transform of the issue is applied to the Big Buck Bunny stretch with ffmpeg
(``tests/rights/clips.py``); negatives are another part of person (same camera, never registered), a test
pattern, black, silence and rain. Per query: whether the right work is found first, the IoU of the found
reference segment with the true one, and any other work reported (a false match).

Baseline (the vPDQ idea): PDQ hashes (``pdqhash``) of every reference and query frame at the same 4 frames
per second; a query frame matches a work when a frame of the work is within Hamming distance 31; the work
is reported when at least 20 % of the query's frames match it, with the span of the matched reference
frames as its segment.

Speed: fingerprinting (video and audio) of a 1080p H.264 encode of the clip, as a multiple of real time, by
wall clock and by CPU time (the machine is shared, so the CPU time says more), standalone (the file decoded
for the fingerprint alone) and as the media job does it (the video print taken from the decoding pass of
shot detection, so that only the audio is decoded again).

Query time (``--scale-only`` runs this part alone): an index is synthesised at ``--hours`` of reference video
(hour-long references of random keys at the density of real fingerprints: 4 frames a second × 4 views; no
video is decoded for them) and ``--audio-hours`` of reference audio (random landmark keys at the density of
the real references), each kept (``--keep``) in a folder of its own named by its hours and key version,
plus the real references; then a one-minute query (36 s of person, never matching by
the rules, then the 24 s Big Buck Bunny stretch) is fingerprinted once and searched ``--repeats`` times:
p50 and p95 of the search per modality, with the build time and the index size on disk. The load average
of the machine is printed next to every time.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
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


def synthesise(
    folder: Path, hours: float, per_second: float, *, key_bits: int, keys: int, first_ref: int
) -> None:
    """Random postings at the density of real fingerprints (hour-long references), written as segments of
    the on-disk index (of keys of version ``keys``)."""
    index = FingerprintIndex(folder, keys=keys)
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


def load() -> str:
    one, five, _fifteen = os.getloadavg()
    return f"load {one:.1f}/{five:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "media")
    parser.add_argument("--hours", type=float, default=10000.0, help="Hours of synthesised reference video.")
    parser.add_argument("--audio-hours", type=float, default=None, help="Of reference audio (a tenth).")
    parser.add_argument("--repeats", type=int, default=9, help="Searches of the one-minute query.")
    parser.add_argument("--scratch", type=Path, default=None, help="Where the synthesised index goes.")
    parser.add_argument("--keep", action="store_true", help="Keep (and reuse) the synthesised index.")
    parser.add_argument(
        "--cold", type=int, default=0, help="Searches with the page cache emptied before each (as root)."
    )
    parser.add_argument("--varied", type=int, default=0, help="One-minute queries of other sound, once each.")
    parser.add_argument("--scale-only", action="store_true", help="Only the synthesised-index query time.")
    parser.add_argument(
        "--no-accuracy", action="store_true", help="Speed and query time, not the transforms."
    )
    args = parser.parse_args()
    if args.audio_hours is None:
        args.audio_hours = args.hours / 10
    folder = Path(tempfile.mkdtemp(prefix="bench-rights-"))
    try:
        run_all(args, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_all(args: argparse.Namespace, folder: Path) -> None:
    refs = references(args.corpus, folder)
    root = folder / "index"
    prints = {work: fingerprints.fingerprint(path) for work, path in refs.items()}
    for work, made in prints.items():
        fingerprints.add_reference(root, work, made)
    if args.scale_only or args.no_accuracy:
        if args.no_accuracy:
            speed(folder, refs[BBB])
        scale(args, folder, root, refs, prints)
        return
    pdq_refs = {work: pdq_frames(path) for work, path in refs.items()}
    copies = make_copies(refs[BBB], args.corpus, folder)
    print(
        "| query | avbase: right work | IoU | modality | other works "
        "| PDQ ≤31: right work | IoU | other works |"
    )
    print("|---|---|---|---|---|---|---|---|")
    ours_hits = pdq_hits = 0
    ious: list[float] = []
    for copy in copies:
        found = fingerprints.search(root, Path(copy.file), prints_of=prints.get)
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
        found = fingerprints.search(root, path, prints_of=prints.get)
        baseline = pdq_search(pdq_refs, path) if path.suffix == ".mp4" else []
        false_ours += len(found)
        false_pdq += len(baseline)
        print(f"| negative: {path.name} | — | — | — | {len(found)} | — | — | {len(baseline)} |")
    print(
        f"\nRecall: avbase {ours_hits}/{len(copies)} "
        f"(mean IoU {np.mean(ious):.2f}), "
        f"PDQ {pdq_hits}/{len(copies)}; false matches on negatives: avbase {false_ours}, PDQ {false_pdq}."
    )

    speed(folder, refs[BBB])
    scale(args, folder, root, refs, prints)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _timed(work: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds (all threads of this process) of ``work``."""
    wall, cpu = time.perf_counter(), _cpu()
    work()
    return time.perf_counter() - wall, _cpu() - cpu


def speed(folder: Path, clip: Path) -> None:
    import av

    from avbase.media.shots import detect_shots

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
    seconds = _duration(hd)
    video_wall, video_cpu = _timed(lambda: video.fingerprint(hd))
    audio_wall, audio_cpu = _timed(lambda: audio.fingerprint(hd))
    # The media job: shot detection decodes every frame anyway; the fingerprint listens to that pass. Its
    # own cost is the time spent in the listener (wall, and CPU of the thread that runs it).
    shots_wall, shots_cpu = _timed(lambda: detect_shots(hd))
    listener = video.Fingerprinter()
    spent = [0.0, 0.0]

    def listening(moment: float, frame: av.VideoFrame) -> None:
        wall, cpu = time.perf_counter(), time.thread_time()
        listener(moment, frame)
        spent[0] += time.perf_counter() - wall
        spent[1] += time.thread_time() - cpu

    both_wall, both_cpu = _timed(lambda: detect_shots(hd, on_frame=listening))
    extra_wall, extra_cpu = spent

    def rate(spent: float) -> str:
        return f"{seconds / spent:.1f}×" if spent > 0 else "∞"

    print(
        f"\nFingerprinting 1080p H.264 ({seconds:.0f} s, {load()}), wall clock / CPU time:\n"
        f"- standalone: video {rate(video_wall)} / {rate(video_cpu)}, audio {rate(audio_wall)} / "
        f"{rate(audio_cpu)}, both {rate(video_wall + audio_wall)} / {rate(video_cpu + audio_cpu)} "
        f"real time;\n"
        f"- in the media job (video print from shot detection's pass): shot detection alone "
        f"{rate(shots_wall)} / {rate(shots_cpu)}, with the video print {rate(both_wall)} / {rate(both_cpu)}; "
        f"the fingerprint's own cost (its listener in that pass {rate(extra_wall)} / {rate(extra_cpu)}, "
        f"plus the audio decoded) {rate(extra_wall + audio_wall)} / {rate(extra_cpu + audio_cpu)} real time."
    )


def one_minute_query(folder: Path, refs: dict[int, Path]) -> Path:
    """36 s of person (by the rules it matches nothing: a fixed camera), then the Big Buck Bunny stretch."""
    query = folder / "query_60s.mp4"
    _wait(
        [
            run(
                [
                    "-t",
                    "36",
                    "-i",
                    str(refs[4]),
                    "-t",
                    "24",
                    "-i",
                    str(refs[BBB]),
                    "-f",
                    "lavfi",
                    "-t",
                    "36",
                    "-i",
                    "anullsrc=r=44100:cl=stereo",
                    "-filter_complex",
                    "[0:v]scale=640:360,setsar=1,fps=24[a];[1:v]setsar=1,fps=24[b];"
                    "[1:a]aresample=44100,aformat=channel_layouts=stereo[y];"
                    "[a][2:a][b][y]concat=n=2:v=1:a=1[v][s]",
                    "-map",
                    "[v]",
                    "-map",
                    "[s]",
                    *X264,
                    str(query),
                ]
            )
        ]
    )
    return query


def scale(
    args: argparse.Namespace,
    folder: Path,
    root: Path,
    refs: dict[int, Path],
    prints: dict[int, fingerprints.Prints],
) -> None:
    per_hour = {}
    for modality in ("video", "audio"):
        index = FingerprintIndex(root / modality)
        seconds = sum(_duration(path) for path in refs.values() if modality == "video" or _has_audio(path))
        per_hour[modality] = index.size_bytes() / (seconds / 3600)
    print(
        f"\nIndex size per hour of reference: video {per_hour['video'] / 2**20:.2f} MiB, "
        f"audio {per_hour['audio'] / 2**20:.2f} MiB."
    )
    # Each modality in a folder of its own, named by its hours and key version, so that a kept 10,000-hour
    # video index serves runs with other audio (``big`` links the two).
    scratch = args.scratch or folder
    big = scratch / f"big-index-{args.hours:g}h-{args.audio_hours:g}h"
    audio_rate = FingerprintIndex(root / "audio").postings_count() / sum(
        _duration(p) for p in refs.values() if _has_audio(p)
    )
    plans = {
        "video": (args.hours, video.FPS * len(video.REFERENCE_SCALES), video.KEY_BITS, video.VERSION),
        "audio": (args.audio_hours, audio_rate, audio.KEY_BITS, audio.VERSION),
    }
    big.mkdir(parents=True, exist_ok=True)
    built: dict[str, float] = {}
    for modality, (hours, per_second, key_bits, version) in plans.items():
        home = scratch / f"big-{modality}-{hours:g}h-keys{version}"
        marker = home / "built"
        if not (args.keep and marker.exists()):
            shutil.rmtree(home, ignore_errors=True)
            started = time.perf_counter()
            synthesise(home / modality, hours, per_second, key_bits=key_bits, keys=version, first_ref=1000)
            built[modality] = time.perf_counter() - started
            marker.write_text("")
        link = big / modality
        if link.is_symlink() or link.exists():
            link.unlink() if link.is_symlink() else shutil.rmtree(link)
        link.symlink_to(home / modality, target_is_directory=True)
    for work, made in prints.items():
        fingerprints.add_reference(big, work, made)
    if built:
        print(
            "Synthesised index built in "
            + " + ".join(f"{seconds:.0f} s ({m}, {plans[m][0]:,.0f} h)" for m, seconds in built.items())
            + f", {load()}."
        )
    sizes = {m: FingerprintIndex(big / m).size_bytes() for m in ("video", "audio")}
    print(
        f"On disk: video {sizes['video'] / 2**30:.2f} GiB ({sizes['video'] / 2**20 / max(args.hours, 1):.2f} "
        f"MiB/h), audio {sizes['audio'] / 2**30:.2f} GiB "
        f"({sizes['audio'] / 2**20 / max(args.audio_hours, 1):.2f} MiB/h)."
    )
    query = one_minute_query(folder, refs)
    started = time.perf_counter()
    video_query = video.query_keys(query)
    audio_query = audio.query_keys(query)
    keys_time = time.perf_counter() - started
    video_times: list[float] = []
    video_cpu: list[float] = []
    audio_times: list[float] = []
    audio_cpu: list[float] = []
    found: set[int] = set()
    for _repeat in range(args.repeats):
        started, spent = time.perf_counter(), _cpu()
        found_video = fingerprints.search_video(big, video_query, prints_of=prints.get)
        video_times.append(time.perf_counter() - started)
        video_cpu.append(_cpu() - spent)
        started, spent = time.perf_counter(), _cpu()
        found_audio = fingerprints.search_audio(big, audio_query, prints_of=prints.get)
        audio_times.append(time.perf_counter() - started)
        audio_cpu.append(_cpu() - spent)
        found = {s.reference for s in found_video + found_audio}
    totals = [v + a for v, a in zip(video_times, audio_times, strict=True)]

    def spread(values: list[float]) -> str:
        return f"p50 {np.percentile(values, 50):.2f} s, p95 {np.percentile(values, 95):.2f} s"

    distinct_keys = np.unique(np.concatenate([k for _s, k, _t in audio_query.hypotheses])).size
    print(
        f"One-minute query ({video_query.duration:.0f} s): its fingerprint {keys_time:.2f} s "
        f"(decoding it, once); "
        f"searching {args.repeats}×, {load()}: video ({args.hours:,.0f} h) {spread(video_times)} "
        f"(first {video_times[0]:.2f} s; CPU time {spread(video_cpu)}), "
        f"audio ({args.audio_hours:,.0f} h; {distinct_keys:,} distinct keys, at most "
        f"{fingerprints.AUDIO_LOOKUPS:,} looked up) {spread(audio_times)} (first {audio_times[0]:.2f} s; "
        f"CPU time {spread(audio_cpu)}, works found by the audio alone "
        f"{sorted(s.reference for s in found_audio)}), both {spread(totals)}; "
        f"works found {sorted(found)} (the right one: {BBB})."
    )
    if args.cold:
        cold(args, big, video_query, audio_query, prints)
    if args.varied:
        varied(args, folder, big, prints)
    if not args.keep:
        shutil.rmtree(big, ignore_errors=True)
        for modality, (hours, _rate, _bits, version) in plans.items():
            shutil.rmtree(scratch / f"big-{modality}-{hours:g}h-keys{version}", ignore_errors=True)


def cold(
    args: argparse.Namespace,
    big: Path,
    video_query: video.VideoQuery,
    audio_query: audio.AudioQuery,
    prints: dict[int, fingerprints.Prints],
) -> None:
    """The same searches with the kernel's page cache emptied before each (as root only): every page of the
    index they touch is read from disk, the worst case of an index larger than memory."""
    drop = Path("/proc/sys/vm/drop_caches")
    if not os.access(drop, os.W_OK):
        print("Cold searches not measured: emptying the page cache needs root.")
        return
    measured: dict[str, list[float]] = {"video": [], "audio": [], "both at once": []}
    searches: list[tuple[str, Callable[[], object]]] = [
        ("video", lambda: fingerprints.search_video(big, video_query, prints_of=prints.get)),
        ("audio", lambda: fingerprints.search_audio(big, audio_query, prints_of=prints.get)),
        (
            "both at once",
            lambda: fingerprints.search_queries(big, video_query, audio_query, prints_of=prints.get),
        ),
    ]
    for _repeat in range(args.cold):
        for modality, search in searches:
            os.sync()
            drop.write_text("3\n")
            started = time.perf_counter()
            search()
            measured[modality].append(time.perf_counter() - started)
    print(
        f"Cold ({args.cold}×, page cache emptied before each, {load()}): "
        + ", ".join(f"{m} p50 {np.percentile(v, 50):.2f} s, max {max(v):.2f} s" for m, v in measured.items())
        + "."
    )


def varied(args: argparse.Namespace, folder: Path, big: Path, prints: dict[int, fingerprints.Prints]) -> None:
    """One-minute queries of other sound each, searched once each: the page cache holds what the build and
    earlier searches left, not what this query needs (the repeats above meet the same pages again). Each is
    20 s of rain, 8 s of crunching, 20 s of the Big Buck Bunny stretch and 12 s of shifting tones, the
    pieces taken at other offsets and the whole played at another tempo (0.96–1.03) each time."""
    fmt = "aresample=44100,aformat=channel_layouts=stereo:sample_fmts=fltp"
    times: list[float] = []
    found: list[list[int]] = []
    keys: list[int] = []
    for number in range(args.varied):
        query = folder / f"varied-{number}.m4a"
        tempo = 0.96 + 0.01 * (number % 8)
        tones = (
            f"sin(2*PI*(300+{40 * number}*mod(floor(t*3)\\,7))*t)*0.3"
            f"+sin(2*PI*(900+{25 * number}*mod(floor(t*5)\\,5))*t)*0.2"
        )
        pieces = ";".join(
            f"[{i}:a]{trim}asetpts=N/SR/TB,{fmt}[p{i}]"
            for i, trim in enumerate(("atrim=0:20,", "atrim=0:8,", "atrim=0:20,", ""))
        )
        sources = [
            "-ss", str((2 * number) % 40), "-i", str(args.corpus / "rain.mp3"),
            "-i", str(args.corpus / "crunching.mp3"),
            "-ss", str(number % 10), "-i", str(args.corpus / "bbb_0_30.webm"),
            "-f", "lavfi", "-i", f"aevalsrc={tones}:s=44100:d=12",
        ]  # fmt: skip
        joined = f"{pieces};[p0][p1][p2][p3]concat=n=4:v=0:a=1,atempo={tempo}[s]"
        encode = ["-map", "[s]", "-c:a", "aac", "-b:a", "96k", str(query)]
        _wait([run([*sources, "-filter_complex", joined, *encode])])
        made = audio.query_keys(query)
        keys.append(int(np.unique(np.concatenate([k for _s, k, _t in made.hypotheses])).size))
        started = time.perf_counter()
        result = fingerprints.search_audio(big, made, prints_of=prints.get)
        times.append(time.perf_counter() - started)
        found.append(sorted(s.reference for s in result))
    print(
        f"Varied one-minute queries ({args.varied}, {min(keys):,}–{max(keys):,} distinct keys, each searched "
        f"once, {load()}): audio p50 {np.percentile(times, 50):.2f} s, max {max(times):.2f} s; the right "
        f"work found in {sum(found_ == [BBB] for found_ in found)} of {args.varied}, another in "
        f"{sum(any(r != BBB for r in found_) for found_ in found)}."
    )


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
