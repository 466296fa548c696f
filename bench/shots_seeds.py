"""The built-in shot detector on several seeds of each kind of material, with what it missed.

    PYTHONPATH=src .venv/bin/python bench/shots_seeds.py [--seeds 13 1 2] [--shots 8] [--only text pans] [-v]
                                                          [--engines builtin pyscenedetect ...]

The edits are those of ``tests/media/edits.py`` (320×180, 25 fps; seed 13 with 8 shots is what the tests
build), made once and kept under ``--cache`` with their truth, so that a change of the detector is measured on
the same files. Prints F1 for cuts and gradual transitions per kind (summed over the seeds), per seed with
``-v`` the misses and false alarms, and the speed of decoding plus detection (× real time). With
``--engines`` every named detector of the seam runs on the same files (the anchors need the ``bench``
extra) and a side-by-side table follows; the anchors cannot name a boundary's kind, so any boundary in the
right place counts for them, as in ``bench/shots.py``.
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
from avbase.media.detector import ENGINES, shot_detector  # noqa: E402
from avbase.media.shots import detect_shots  # noqa: E402

NAMES = {
    "builtin": "avbase built-in",
    "pyscenedetect": "PySceneDetect Content",
    "pyscenedetect-adaptive": "PySceneDetect Adaptive",
    "transnetv2": "TransNetV2 (CPU)",
}


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


def run_engine(engine: str, args: argparse.Namespace) -> tuple[dict[str, dict[str, Tally]], float]:
    """Per material the cut and gradual tallies summed over the seeds, and the speed (× real time)."""
    seconds = media = 0.0
    results: dict[str, dict[str, Tally]] = {}
    print(f"{NAMES[engine]}: seeds {args.seeds}, {args.shots} shots an edit; F1 cuts / gradual (summed)")
    for material in args.only:
        totals = {"cut": Tally(), "gradual": Tally()}
        per_seed = []
        for seed in args.seeds:
            made = edit(material, seed, args.shots, args.cache, args.corpus)
            detector = shot_detector(engine)
            started = time.perf_counter()
            shots = detect_shots(made.path, detector=detector)
            seconds += time.perf_counter() - started
            media += made.frames / made.fps
            found = [(shot.start_frame, shot.transition) for shot in shots[1:]]
            tallies = score(made.transitions, found, kinds=engine == "builtin")
            for group in totals:
                totals[group].add(tallies[group])
            f1 = "/".join(
                f"{tallies[g].f1:.2f}" if tallies[g].true or tallies[g].found else "-"
                for g in ("cut", "gradual")
            )
            per_seed.append(f"{seed}:{f1}")
            if args.verbose and any(t.f1 < 1 for t in tallies.values() if t.true or t.found):
                print(f"  {material} seed {seed}: {errors(made, found)}")
        results[material] = totals
        print(f"{material:10s} {cell(totals['cut'])} / {cell(totals['gradual'])}   {' '.join(per_seed)}")
    speed = media / seconds
    print(f"speed: {speed:.1f}× real time (decode + detect, {media:.0f} s of media), load {load()}")
    return results, speed


def cell(tally: Tally) -> str:
    if not tally.true:  # nothing to find: only false alarms count
        return f"— ({tally.found} false)" if tally.found else "—"
    return f"{tally.f1:.3f}"


def load() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=Path("/work/shared/corpus/media"))
    parser.add_argument("--cache", type=Path, default=Path("/tmp/avbase-shot-edits"))
    parser.add_argument("--seeds", type=int, nargs="+", default=[13, 1, 2])
    parser.add_argument("--shots", type=int, default=8)
    parser.add_argument("--only", nargs="+", default=list(MATERIALS))
    parser.add_argument("--engines", nargs="+", default=["builtin"], choices=list(ENGINES))
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    args.cache.mkdir(parents=True, exist_ok=True)
    results = {engine: run_engine(engine, args) for engine in args.engines}
    if len(results) < 2:
        return
    print()
    print("| material | " + " | ".join(f"{NAMES[e]}: cuts | {NAMES[e]}: gradual" for e in results) + " |")
    print("|---|" + "---|---|" * len(results))
    for material in args.only:
        cells = [cell(results[e][0][material][g]) for e in results for g in ("cut", "gradual")]
        print(f"| {MATERIALS[material][0]} | " + " | ".join(cells) + " |")
    everything = {e: {g: Tally() for g in ("cut", "gradual")} for e in results}
    for engine, (tallies, _) in results.items():
        for material_tallies in tallies.values():
            for group, tally in material_tallies.items():
                everything[engine][group].add(tally)
    overall = [cell(everything[e][g]) for e in results for g in ("cut", "gradual")]
    print("| **all** | " + " | ".join(overall) + " |")
    speeds = [f"{speed:.1f}× | " for _, speed in results.values()]
    print("| speed (× real time, decode + detect) | " + " | ".join(speeds))


if __name__ == "__main__":
    main()
