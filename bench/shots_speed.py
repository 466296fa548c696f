"""Speed of the built-in shot detector against another checkout's, run in turns on the same edits.

    PYTHONPATH=src .venv/bin/python bench/shots_speed.py --against /path/to/other/checkout/src [--runs 5]

The edits are the cached ones of ``bench/shots_seeds.py`` (seed 13, 8 shots: pans, text, dissolves,
flashes; run that first). Each detector decodes and detects every edit once per run, in turns with the
other and with a plain decode, and the best run of each counts, so that a machine shared with other work
slows them alike. Then the detection alone, on thumbnails decoded beforehand (milliseconds a frame).
"""

from __future__ import annotations

import argparse
import importlib
import pickle
import sys
import time
from pathlib import Path
from types import ModuleType

import av
from av.video.reformatter import VideoReformatter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.media.edits, for the pickled edits
MATERIALS = ("pans", "text", "dissolves", "flashes")


def detector_from(src: Path) -> ModuleType:
    """``avbase.media.shots`` as found under ``src`` (each import fresh, so two checkouts can be compared)."""
    for name in [name for name in sys.modules if name == "avbase" or name.startswith("avbase.")]:
        del sys.modules[name]
    sys.path.insert(0, str(src))
    try:
        return importlib.import_module("avbase.media.shots")
    finally:
        sys.path.remove(str(src))


def decode(path: Path) -> None:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        for _ in container.decode(stream):
            pass


def thumbnails(path: Path) -> list[object]:
    scaler, taken = VideoReformatter(), []
    with av.open(str(path)) as container:
        for frame in container.decode(container.streams.video[0]):
            small = scaler.reformat(frame, width=64, height=36, format="rgb24", interpolation="FAST_BILINEAR")
            taken.append(small.to_ndarray())
    return taken


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", type=Path, required=True, help="another checkout's src folder")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/avbase-shot-edits"))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    edits = [pickle.loads((args.cache / f"{name}-13-8.pickle").read_bytes()) for name in MATERIALS]
    media = sum(edit.frames / edit.fps for edit in edits)
    engines = {"this checkout": detector_from(ROOT / "src"), str(args.against): detector_from(args.against)}
    best = dict.fromkeys([*engines, "plain decode"], float("inf"))
    for _ in range(args.runs):
        for name, module in engines.items():
            started = time.perf_counter()
            for edit in edits:
                module.detect_shots(edit.path)
            best[name] = min(best[name], time.perf_counter() - started)
        started = time.perf_counter()
        for edit in edits:
            decode(edit.path)
        best["plain decode"] = min(best["plain decode"], time.perf_counter() - started)
    print(f"{len(edits)} edits, {media:.0f} s of media at 320×180, best of {args.runs} runs in turns:")
    for name, seconds in best.items():
        print(f"  {name}: {media / seconds:.1f}× real time (decode + detect)")
    frames = [thumbnails(edit.path) for edit in edits]
    count = sum(len(pictures) for pictures in frames)
    for name, module in engines.items():
        fastest = float("inf")
        for _ in range(args.runs):
            started = time.perf_counter()
            for pictures in frames:
                measurer = module._Measurer()
                for number, picture in enumerate(pictures):
                    measurer.add(number / 25, picture)
                module.boundaries(measurer.finish())
            fastest = min(fastest, time.perf_counter() - started)
        print(f"  {name}: detection alone {fastest / count * 1000:.2f} ms a frame")


if __name__ == "__main__":
    main()
