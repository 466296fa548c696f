"""Shot-boundary benchmark: every detector of the seam on the same generated edits, kind by kind.

    PYTHONPATH=src .venv/bin/python bench/shots.py [--shots 16] [--corpus ../shared/corpus/media]

The edits are those of ``tests/media/edits.py`` (one per kind of material, fixed seed, 320×180, 25 fps),
built once and given to each detector: the built-in one and, where the ``bench`` extra is installed,
PySceneDetect's ContentDetector and AdaptiveDetector and TransNetV2 (CPU). Cuts are scored at ±2 frames
and gradual transitions inside their span (±2 frames). The built-in detector must also name the kind
(cut, dissolve or fade); the others cannot, so any boundary in the right place counts for them. Speed is
media seconds per second of wall time for decoding plus detection (one process, run one after another).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # before site-packages: the transnetv2 wheel installs a `tests` package too

from tests.media.edits import MATERIALS, Edit, build, score  # noqa: E402

from avbase.kit.matching import Tally  # noqa: E402
from avbase.media.detector import ENGINES, EngineMissing, shot_detector  # noqa: E402
from avbase.media.shots import detect_shots  # noqa: E402

NAMES = {
    "builtin": "avbase built-in",
    "pyscenedetect": "PySceneDetect ContentDetector",
    "pyscenedetect-adaptive": "PySceneDetect AdaptiveDetector",
    "transnetv2": "TransNetV2 (CPU)",
}


def run(engine: str, edits: list[Edit]) -> tuple[dict[str, dict[str, Tally]], float]:
    """Per material, the cut and gradual tallies of one engine; and its speed (× real time)."""
    tallies: dict[str, dict[str, Tally]] = {}
    seconds = media = 0.0
    for edit in edits:
        detector = shot_detector(engine)
        started = time.perf_counter()
        shots = detect_shots(edit.path, detector=detector)
        seconds += time.perf_counter() - started
        media += edit.frames / edit.fps
        found = [(shot.start_frame, shot.transition) for shot in shots[1:]]
        tallies[edit.material] = score(edit.transitions, found, kinds=engine == "builtin")
    return tallies, media / seconds


def cell(tally: Tally) -> str:
    if not tally.true:  # nothing to find: only false alarms can be counted
        return f"— ({tally.found} false)" if tally.found else "—"
    return f"{tally.precision:.2f} / {tally.recall:.2f} / **{tally.f1:.2f}**"


def table(corpus: Path, folder: Path, shots: int = 16) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    edits = [build(material, folder, corpus, shots=shots) for material in MATERIALS]
    results: dict[str, tuple[dict[str, dict[str, Tally]], float]] = {}
    for engine in ENGINES:
        try:
            results[engine] = run(engine, edits)
        except EngineMissing as missing:
            print(f"({NAMES[engine]}: {missing.message.format(**missing.params)})")
    frames = sum(edit.frames for edit in edits)
    print(f"Shot boundaries, P / R / **F1** (cuts ±2 frames; gradual inside the span ±2), {len(edits)} edits "
          f"of {shots} shots, {frames} frames at 320×180:")  # fmt: skip
    print()
    groups = [f"{NAMES[engine]}: {group}" for engine in results for group in ("cuts", "gradual")]
    print("| material | boundaries (cut / gradual) | " + " | ".join(groups) + " |")
    print("|---|---|" + "---|" * (2 * len(results)))
    totals = {engine: {"cut": Tally(), "gradual": Tally()} for engine in results}
    for edit in edits:
        counts = {"cut": 0, "gradual": 0}
        for transition in edit.transitions:
            counts["cut" if transition.kind == "cut" else "gradual"] += 1
        row = []
        for engine, (tallies, _) in results.items():
            for group in ("cut", "gradual"):
                row.append(cell(tallies[edit.material][group]))
                totals[engine][group].add(tallies[edit.material][group])
        print(
            f"| {MATERIALS[edit.material][0]} | {counts['cut']} / {counts['gradual']} | "
            + " | ".join(row)
            + " |"
        )
    print("| **all** | | " + " | ".join(cell(totals[engine][group]) for engine in results
                                      for group in ("cut", "gradual")) + " |")  # fmt: skip
    speeds = [text for _, speed in results.values() for text in (f"{speed:.0f}×", "")]
    print("| speed (× real time, decode + detect) | | " + " | ".join(speeds) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "media")
    parser.add_argument("--shots", type=int, default=16, help="shots per edit")
    args = parser.parse_args()
    table(args.corpus, Path(tempfile.mkdtemp(prefix="avbase-bench-shots-")), args.shots)


if __name__ == "__main__":
    main()
