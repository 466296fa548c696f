"""The built-in shot detector on several seeds of each kind of material, with what it missed.

    PYTHONPATH=src .venv/bin/python bench/shots_seeds.py [--seeds 13 1 2] [--shots 8] [--only text pans] [-v]

The edits are those of ``tests/media/edits.py`` (320×180, 25 fps; seed 13 with 8 shots is what the tests
build), made once and kept under ``--cache`` with their truth, so that a change of the detector is measured on
the same files. Prints F1 for cuts and gradual transitions per kind (summed over the seeds), per seed with
``-v`` the misses and false alarms, and the speed of decoding plus detection (× real time).
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, os.environ.get("AVBASE_SRC", str(ROOT / "src")))  # another checkout, to compare
sys.path.insert(0, str(ROOT))

from tests.media.edits import CUT_TOLERANCE, MATERIALS, SPAN_TOLERANCE, Edit, build, score  # noqa: E402

from avbase.kit.matching import Tally  # noqa: E402
from avbase.media.shots import detect_shots  # noqa: E402


def edit(material: str, seed: int, shots: int, cache: Path, corpus: Path) -> Edit:
    kept = cache / f"{material}-{seed}-{shots}.pickle"
    if kept.exists():
        made: Edit = pickle.loads(kept.read_bytes())
        if made.path.exists():
            return made
    made = build(material, cache, corpus, shots=shots, seed=seed)
    kept.write_bytes(pickle.dumps(made))
    return made


def errors(made: Edit, found: list[tuple[int, str]]) -> str:
    """The truth no boundary of the right kind answers, and the boundaries that answer none (roughly)."""
    misses, used = [], set()
    for transition in made.transitions:
        low = transition.start - (CUT_TOLERANCE if transition.kind == "cut" else SPAN_TOLERANCE)
        high = (
            transition.start + CUT_TOLERANCE
            if transition.kind == "cut"
            else transition.end - 1 + SPAN_TOLERANCE
        )
        hit = [
            frame
            for frame, kind in found
            if low <= frame <= high and kind == transition.kind and frame not in used
        ]
        if hit:
            used.add(hit[0])
        else:
            near = [f"{frame}{kind[0]}" for frame, kind in found if low - 10 <= frame <= high + 10]
            misses.append(f"{transition.kind}@{transition.start}-{transition.end} (near: {near})")
    extra = [f"{kind}@{frame}" for frame, kind in found if frame not in used]
    return f"missed {misses}; extra {extra}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus/media"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/avbase-shot-edits"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[13, 1, 2])
    parser.add_argument("--shots", type=int, default=8)
    parser.add_argument("--only", nargs="+", default=list(MATERIALS))
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    seconds = media = 0.0
    print(f"seeds {args.seeds}, {args.shots} shots an edit; F1 cuts / gradual (summed over seeds)")
    for material in args.only:
        totals = {"cut": Tally(), "gradual": Tally()}
        per_seed = []
        for seed in args.seeds:
            made = edit(material, seed, args.shots, args.cache, args.corpus)
            started = time.perf_counter()
            shots = detect_shots(made.path)
            seconds += time.perf_counter() - started
            media += made.frames / made.fps
            found = [(shot.start_frame, shot.transition) for shot in shots[1:]]
            tallies = score(made.transitions, found)
            for group in totals:
                totals[group].add(tallies[group])
            f1 = "/".join(
                f"{tallies[g].f1:.2f}" if tallies[g].true or tallies[g].found else "-"
                for g in ("cut", "gradual")
            )
            per_seed.append(f"{seed}:{f1}")
            if args.verbose and any(t.f1 < 1 for t in tallies.values() if t.true or t.found):
                print(f"  {material} seed {seed}: {errors(made, found)}")
        cells = [
            f"{totals[g].f1:.3f}" if totals[g].true or totals[g].found else "  -  "
            for g in ("cut", "gradual")
        ]
        print(f"{material:10s} {cells[0]} / {cells[1]}   {' '.join(per_seed)}")
    print(f"speed: {media / seconds:.1f}× real time (decode + detect, {media:.0f} s of media)")


if __name__ == "__main__":
    main()
