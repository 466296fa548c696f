"""Media benchmark: shot-boundary accuracy on spliced edits, and analysis speed against plain decoding.

    .venv/bin/python bench/media.py [--corpus ../shared/corpus/media]

1. Accuracy: three edits spliced from single-shot corpus clips with known cut points (fixed seed); precision,
   recall and F1 of the detected hard cuts at ±2 frames.
2. Speed on 1080p H.264 (smpte_1080p.mp4, 10 s, best of 5): the analysis this release runs (probe + shots)
   against the physical limit measured in the same run, a plain decode of the same file with PyAV on 2
   threads (FFmpeg's command-line tool is not installed here; PyAV drives the same libavcodec).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

import av  # noqa: E402
from tests.media.synthetic import splice  # noqa: E402
from tests.media.test_shots import precision_recall  # noqa: E402

from avbase.media.probe import probe  # noqa: E402
from avbase.media.shots import detect_shots  # noqa: E402

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


def analysis(path: Path) -> float:
    started = time.perf_counter()
    probe(path)
    detect_shots(path)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "media")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="avbase-bench-media-"))
    precision, recall, cuts = accuracy(args.corpus, folder)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    clip = args.corpus / "smpte_1080p.mp4"
    with av.open(str(clip)) as container:
        minutes = float(container.duration or 0) / 1_000_000 / 60
    decode = min(decode_only(clip) for _ in range(5))
    analyse = min(analysis(clip) for _ in range(5))
    print("| shot boundaries (hard cuts, ±2 frames) | cuts | precision | recall | F1 |")
    print("|---|---|---|---|---|")
    print(f"| 3 spliced edits of single-shot clips | {cuts} | {precision:.3f} | {recall:.3f} | {f1:.3f} |")
    for kind, (total, hit, found) in gradual_accuracy(args.corpus, folder).items():
        p, r = hit / max(found, 1), hit / max(total, 1)
        print(f"| 3 edits with {kind}s ({kind} boundaries) | {total} | {p:.3f} | {r:.3f} | "
              f"{2 * p * r / (p + r) if p + r else 0:.3f} |")  # fmt: skip
    print()
    print("| 1080p H.264, seconds per media minute | seconds/min | speed vs decode |")
    print("|---|---|---|")
    print(f"| plain decode, PyAV, 2 threads (the limit) | {decode / minutes:.2f} | 1.00 |")
    print(f"| avbase analysis (probe + shots) | {analyse / minutes:.2f} | {decode / analyse:.2f} |")


if __name__ == "__main__":
    main()
