"""Production collaboration benchmark: script breakdown and resource search with an availability filter.

    .venv/bin/python bench/collaboration.py [--pages 120] [--resources 100000] [--bookings 2000000]
        [--queries 200] [--skip-search] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Breakdown: a synthetic 120-page screenplay (fixed seed) in each heading style, broken down from text.
Target: under 1 s each.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("AVBASE_VAR_DIR", tempfile.mkdtemp(prefix="avbase-bench-collab-"))

from avbase.chain.scripts.breakdown import breakdown_lines  # noqa: E402
from avbase.chain.scripts.samples import screenplay  # noqa: E402


def bench_breakdown(pages: int) -> list[tuple[str, str, str]]:
    rows = []
    for style in ("dash", "dichang", "changjing"):
        text = screenplay(pages=pages, style=style, seed=120)
        times = []
        for _ in range(5):
            started = time.perf_counter()
            result = breakdown_lines(text.splitlines())
            times.append(time.perf_counter() - started)
        rows.append(
            (
                f"breakdown {style}, {result.eighths // 8} pages, {len(result.scenes)} scenes",
                f"{statistics.median(times) * 1000:.0f} ms (median of 5)",
                "< 1 s",
            )
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=120)
    args = parser.parse_args()
    rows = bench_breakdown(args.pages)
    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'result':<24}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<24}  {target}")


if __name__ == "__main__":
    main()
