"""Media benchmark: shot-boundary accuracy on spliced edits, and ingest speed against plain decoding.

    .venv/bin/python bench/media.py [--corpus ../shared/corpus/media] [--shots 16] [--no-steps]

1. Accuracy: three edits spliced from single-shot corpus clips with known cut points (fixed seed); precision,
   recall and F1 of the detected hard cuts at ±2 frames. Three more edits joined by dissolves (12–30
   frames) and fades through black: a boundary counts when found within half the transition's length (at
   least ±2 frames) with the right kind.
2. Speed on 1080p H.264, best of 3: the ingest analysis (probe + shots + thumbnails + keyframes + contact
   sheet, one decoding pass) against the physical limit measured in the same run, a plain decode of the
   same file with `ffmpeg -threads 2 -i X -f null -` (PyAV's decode on 2 threads when ffmpeg is missing).
   Clips: the corpus SMPTE bars (10 s) and 60 s of the corpus camera footage scaled to 1080p.
3. The proxy and OCR steps, separately, in seconds per media minute (``--no-steps`` leaves them out).
4. Every shot detector of the seam on edits of each kind of material (``bench/shots.py``).
"""

from __future__ import annotations

import argparse
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
from bench.shots import table as shot_table  # noqa: E402
from tests.media.synthetic import splice  # noqa: E402
from tests.media.test_shots import precision_recall  # noqa: E402

from avbase.media.ocr import read_video_text  # noqa: E402
from avbase.media.probe import probe  # noqa: E402
from avbase.media.proxy import make_proxy  # noqa: E402
from avbase.media.shots import detect_shots  # noqa: E402
from avbase.media.stills import analyse_pictures  # noqa: E402

SINGLE_SHOT = [("bottle.mp4", 38), ("person.mp4", 135), ("example_16s.mp4", 15), ("smpte_1080p.mp4", 9),
               ("fire2.mp4", 1.5)]  # fmt: skip


def accuracy(corpus: Path, folder: Path) -> tuple[float, float, int]:
    rng = random.Random(2027)
    matched_p = matched_r = cuts_total = found_total = 0.0
    for number in range(3):
        pieces = []
        for _ in range(12):
            name, length = rng.choice(SINGLE_SHOT)
            start = rng.uniform(0, max(length - 3, 0.1))
            pieces.append((name, round(start, 2), rng.randint(12, 60)))
        truth = splice(folder / f"edit{number}.mp4", corpus, pieces)
        found = [shot.start_frame for shot in detect_shots(folder / f"edit{number}.mp4")[1:]]
        precision, recall = precision_recall(truth, found)
        matched_p += precision * len(found)
        matched_r += recall * len(truth)
        found_total += len(found)
        cuts_total += len(truth)
    return matched_p / max(found_total, 1), matched_r / max(cuts_total, 1), int(cuts_total)


def gradual_accuracy(corpus: Path, folder: Path) -> dict[str, tuple[int, int, int]]:
    """Per transition kind: (true transitions, found within max(2, length/2) frames with the right kind,
    detections of that kind)."""
    rng = random.Random(2028)
    tally = {kind: [0, 0, 0] for kind in ("dissolve", "fade")}
    for number in range(3):
        pieces: list[tuple[str, float, int, str, int]] = []
        for _ in range(10):
            name, length = rng.choice([clip for clip in SINGLE_SHOT if clip[1] > 4])
            kind = rng.choice(["dissolve", "fade"])
            span = rng.randint(12, 30) if kind == "dissolve" else 2 * rng.randint(6, 12)
            start = rng.uniform(0, max(length - 4, 0.1))
            pieces.append((name, round(start, 2), rng.randint(55, 90), kind, span))
        truth = splice(folder / f"gradual{number}.mp4", corpus, pieces)
        shots = detect_shots(folder / f"gradual{number}.mp4")[1:]
        for shot in shots:
            if shot.transition in tally:
                tally[shot.transition][2] += 1
        for boundary, (_, _, _, kind, span) in zip(truth, pieces[1:], strict=True):
            tally[kind][0] += 1
            near = [s for s in shots if abs(s.start_frame - boundary) <= max(2, span // 2)]
            tally[kind][1] += any(s.transition == kind for s in near)
    return {kind: (total, hit, found) for kind, (total, hit, found) in tally.items()}


def decode_only(path: Path) -> float:
    started = time.perf_counter()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        stream.codec_context.thread_count = 2
        for _ in container.decode(stream):
            pass
    return time.perf_counter() - started


def ffmpeg_decode(path: Path) -> float | None:
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    started = time.perf_counter()
    subprocess.run([ffmpeg, "-v", "error", "-threads", "2", "-i", str(path), "-f", "null", "-"], check=True)
    return time.perf_counter() - started


def analysis(path: Path, folder: Path) -> float:
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    probe(path)
    analyse_pictures(path, folder)
    return time.perf_counter() - started


def camera_1080p(corpus: Path, folder: Path) -> Path | None:
    """60 s of real camera footage (person.mp4) scaled to 1920×1080, H.264 High, as a camera would deliver."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        return None
    target = folder / "camera_1080p.mp4"
    subprocess.run(
        [ffmpeg, "-v", "error", "-y", "-i", str(corpus / "person.mp4"), "-t", "60", "-vf", "scale=1920:1080",
         "-c:v", "libx264", "-preset", "veryfast", "-crf", "20", "-an", str(target)],
        check=True,
    )  # fmt: skip
    return target


def minutes_of(path: Path) -> float:
    with av.open(str(path)) as container:
        return float(container.duration or 0) / 1_000_000 / 60


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "media")
    parser.add_argument("--shots", type=int, default=16, help="shots per edit of the detector comparison")
    parser.add_argument("--no-steps", action="store_true", help="leave out the proxy and OCR steps")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="avbase-bench-media-"))
    precision, recall, cuts = accuracy(args.corpus, folder)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print("| shot boundaries | boundaries | precision | recall | F1 |")
    print("|---|---|---|---|---|")
    print(f"| 3 edits of single-shot clips, hard cuts (±2 frames) | {cuts} | {precision:.3f} | "
          f"{recall:.3f} | {f1:.3f} |")  # fmt: skip
    for kind, (total, hit, found) in gradual_accuracy(args.corpus, folder).items():
        p, r = hit / max(found, 1), hit / max(total, 1)
        print(f"| 3 edits with {kind}s ({kind} boundaries) | {total} | {p:.3f} | {r:.3f} | "
              f"{2 * p * r / (p + r) if p + r else 0:.3f} |")  # fmt: skip
    print()
    print("| 1080p H.264, seconds per media minute | decode: ffmpeg -threads 2 | decode: PyAV | "
          "avbase ingest analysis | ingest speed vs ffmpeg decode |")  # fmt: skip
    print("|---|---|---|---|---|")
    clips = [args.corpus / "smpte_1080p.mp4", camera_1080p(args.corpus, folder)]
    for clip in [c for c in clips if c is not None]:
        minutes = minutes_of(clip)
        timings = [ffmpeg_decode(clip) for _ in range(3)]
        ffmpeg_best = min(t for t in timings if t is not None) if None not in timings else None
        pyav_best = min(decode_only(clip) for _ in range(3))
        analyse = min(analysis(clip, folder / "stills") for _ in range(3))
        limit = ffmpeg_best if ffmpeg_best is not None else pyav_best
        ffmpeg_text = f"{ffmpeg_best / minutes:.2f}" if ffmpeg_best is not None else "—"
        print(f"| {clip.name} ({minutes * 60:.0f} s) | {ffmpeg_text} | {pyav_best / minutes:.2f} | "
              f"{analyse / minutes:.2f} | {limit / analyse:.2f} |")  # fmt: skip
    print()
    shot_table(args.corpus, folder / "edits", args.shots)
    if args.no_steps:
        return
    print()
    print("| step, seconds per media minute | clip | seconds/min | notes |")
    print("|---|---|---|---|")
    for clip in [args.corpus / "smpte_1080p.mp4", args.corpus / "bbb_0_30.webm", args.corpus / "person.mp4"]:
        minutes = minutes_of(clip)
        made = make_proxy(clip, folder / f"{clip.stem}-proxy.mp4")
        print(f"| web proxy (H.264/AAC ≤720p) | {clip.name} | {made.seconds / minutes:.2f} | "
              f"{made.width}×{made.height} |")  # fmt: skip
        stills = analyse_pictures(clip, folder / f"{clip.stem}-stills")
        keyframes = [shot["keyframe"] for shot in stills["shots"]]  # type: ignore[index, union-attr]
        read_video_text(folder / f"{clip.stem}-proxy.mp4", [])  # loads the OCR models once
        run = read_video_text(folder / f"{clip.stem}-proxy.mp4", keyframes)
        print(f"| OCR (1 frame/s + keyframes) | {clip.name} | {run.seconds / minutes:.2f} | "
              f"{run.frames_read} frames read, {run.frames_reused} unchanged and skipped, "
              f"{len(run.records)} records |")  # fmt: skip


if __name__ == "__main__":
    main()
