"""Review benchmark: technical QC against one FFmpeg pass, and term matching throughput.

    .venv/bin/python bench/review.py [--corpus ../shared/corpus/media] [--seconds 60] [--terms 50000]
                                     [--chars 10000000] [--repeat 3]

QC, side by side on the same 1080p H.264 files (the corpus's SMPTE bars, and the corpus's Big Buck Bunny
excerpt encoded to 1080p H.264/AAC and looped to --seconds, made in a temporary folder):

- avbase: ``review.qc.check`` — one decoding pass with loudness, LRA, true peak, black, freeze, silence,
  silent channel, clipping and flashes, against gy-t-282;
- FFmpeg: one pass of ``ebur128=peak=true`` and ``silencedetect`` on the audio and ``blackdetect`` and
  ``freezedetect`` on the video, to the null muxer (the same decoders, threads as FFmpeg chooses).

Both are reported in seconds per media minute (median of --repeat runs, interleaved so both see the same
machine load); the target is avbase ≤ 1.2 × FFmpeg.

Term matching: a pack of --terms terms (2–4 CJK characters, some Latin words, fixed seed) over --chars
characters of mixed text (CJK in simplified and traditional characters, Latin, digits, punctuation, with
disguised terms inserted) in pieces of 1,000 characters as subtitles and OCR arrive, on one core, with
variant folding on. Target ≥ 2 M characters a second.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("OMP_NUM_THREADS", "1")

from avbase.review.profiles import BUILTIN  # noqa: E402
from avbase.review.qc import check  # noqa: E402
from avbase.review.terms import Term, TermMatcher  # noqa: E402


def ffmpeg_pass(path: Path) -> float:
    started = time.perf_counter()
    graph = (
        "[0:a:0]ebur128=peak=true,silencedetect=n=-60dB:d=2[a];"
        "[0:v:0]blackdetect=d=2,freezedetect=n=-60dB:d=2[v]"
    )
    subprocess.run(
        ["ffmpeg", "-v", "error", "-nostats", "-i", str(path), "-filter_complex", graph,
         "-map", "[v]", "-map", "[a]", "-f", "null", "-"],
        check=True,
    )  # fmt: skip
    return time.perf_counter() - started


def avbase_pass(path: Path) -> float:
    started = time.perf_counter()
    check(path, BUILTIN["gy-t-282"])
    return time.perf_counter() - started


def duration_of(path: Path) -> float:
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(out.stdout.strip())


def programme(corpus: Path, folder: Path, seconds: float) -> Path:
    out = folder / "bbb_1080p.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-stream_loop", "-1", "-i", str(corpus / "bbb_0_30.webm"),
         "-t", str(seconds), "-vf", "scale=1920:1080", "-c:v", "libx264", "-preset", "veryfast", "-crf", "20",
         "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "192k", "-ac", "2", str(out)],
        check=True,
    )  # fmt: skip
    return out


def qc_rows(files: list[Path], repeat: int) -> list[list[str]]:
    rows = []
    for path in files:
        minutes = duration_of(path) / 60
        theirs, ours = [], []
        avbase_pass(path)  # warm-up: imports, caches
        for _ in range(repeat):
            theirs.append(ffmpeg_pass(path))
            ours.append(avbase_pass(path))
        mine, base = statistics.median(ours) / minutes, statistics.median(theirs) / minutes
        rows.append([path.name, f"{minutes * 60:.0f} s", f"{base:.2f}", f"{mine:.2f}", f"{mine / base:.2f}×"])
    return rows


BATCH = 1000  # pieces matched in one call


def term_row(count: int, chars: int) -> list[str]:
    rng = random.Random(282)
    han = [chr(code) for code in range(0x4E00, 0x4E00 + 3500)]
    latin = ["casino", "bet365", "loan", "lottery", "escort", "drug", "fraud", "vpn", "porn", "spam"]
    terms: dict[str, Term] = {}
    while len(terms) < count:
        text = "".join(rng.choices(han, k=rng.randint(2, 4))) if rng.random() < 0.98 else (
            rng.choice(latin) + str(rng.randint(0, 999)))  # fmt: skip
        terms.setdefault(text, Term(text, "涉赌", "high"))
    pack = list(terms.values())
    started = time.perf_counter()
    matcher = TermMatcher(pack, ["路口交通"])
    build = time.perf_counter() - started
    pieces = []
    sample = [term.text for term in pack[:2000]]
    words = ["the", "programme", "episode", "12", "2025", "！", "，", "。", " ", "——", "賭博", "網上", "這裡"]
    total = 0
    while total < chars:
        parts = []
        size = 0
        while size < 1000:
            roll = rng.random()
            if roll < 0.01:
                term = rng.choice(sample)
                part = ".".join(term) if rng.random() < 0.5 else term  # disguised or plain
            elif roll < 0.25:
                part = rng.choice(words)
            else:
                part = "".join(rng.choices(han, k=rng.randint(4, 20)))
            parts.append(part)
            size += len(part)
        piece = "".join(parts)
        pieces.append(piece)
        total += len(piece)
    started = time.perf_counter()
    hits = 0
    for batch in range(0, len(pieces), BATCH):  # as one asset's text segments arrive together
        hits += sum(len(found) for found in matcher.find_many(pieces[batch : batch + BATCH]))
    seconds = time.perf_counter() - started
    speed = f"{total / seconds / 1e6:.2f} M chars/s"
    return [f"{count:,} terms", f"{total:,} chars", f"{build:.1f} s build", speed, f"{hits:,} hits"]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "media")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--terms", type=int, default=50_000)
    parser.add_argument("--chars", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-qc", action="store_true")
    args = parser.parse_args()
    if not args.skip_qc:
        with tempfile.TemporaryDirectory(prefix="avbase-bench-review-") as folder:
            files = [args.corpus / "smpte_1080p.mp4", programme(args.corpus, Path(folder), args.seconds)]
            rows = qc_rows(files, args.repeat)
        print(
            "| 1080p H.264 file | length | FFmpeg one pass | avbase QC | ratio |  (seconds per media minute)"
        )
        print("|---|---|---|---|---|")
        for row in rows:
            print("| " + " | ".join(row) + " |")
        print()
    row = term_row(args.terms, args.chars)
    print("| pack | text | automaton | matching, one core, folding on | hits |")
    print("|---|---|---|---|---|")
    print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
