"""Policy benchmark: evaluate 100,000 applications against the measures catalogue in one batch.

    .venv/bin/python bench/policy.py [--applications 100000]

Loads every measure of both texts into a scratch SQLite database, reads the rules once, then evaluates
N claims (fixed seed) spread over every measure: amounts around each cap, dates around the Hunan expiry,
some bad facts, and one item in five claimed under two measures of the same non-cumulation group.
Prints the time for the batch (rules loaded, facts parsed, caps and rates applied, 就高原则 resolved) and
the outcome counts. Target: under 10 s.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("AVBASE_VAR_DIR", tempfile.mkdtemp(prefix="avbase-bench-policy-"))

from avbase.core.db import make_engine, session_scope  # noqa: E402
from avbase.core.migrate import upgrade  # noqa: E402
from avbase.models import import_all_models  # noqa: E402
from avbase.policy.catalogue import all_rules, load_catalogue  # noqa: E402
from avbase.policy.rules import Claim, FactSpec, Rule, evaluate_batch  # noqa: E402

import_all_models()


def fact_value(spec: FactSpec, rng: random.Random) -> object:
    if spec.kind == "choice":
        return rng.choice(spec.choices)
    if spec.kind == "flag":
        return "true" if rng.random() < 0.9 else "false"
    if rng.random() < 0.01:
        return "-1"  # bad input: refused with the reason, the batch goes on
    return f"{rng.choice([rng.uniform(0, 3e6), rng.uniform(3e6, 9e6)]):.2f}"


def claims(rules: dict[str, Rule], count: int) -> list[Claim]:
    rng = random.Random(2027)
    ids = sorted(rules)
    grouped = [mid for mid in ids if rules[mid].group and rules[mid].kind.value in ("capped", "rate_capped")]
    start = date(2024, 1, 1)
    made: list[Claim] = []
    while len(made) < count:
        item = f"item-{len(made)}"
        on = start + timedelta(days=rng.randint(0, 365 * 6))
        chosen = rng.sample(grouped, 2) if rng.random() < 0.2 else [rng.choice(ids)]
        for measure_id in chosen:
            facts = {spec.name: fact_value(spec, rng) for spec in rules[measure_id].facts}
            made.append(Claim(item, measure_id, facts, on))
    return made[:count]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--applications", type=int, default=100_000)
    args = parser.parse_args()
    engine = make_engine(f"sqlite:///{tempfile.mkdtemp()}/policy.db")
    upgrade(engine)
    with session_scope(engine) as session:
        load_catalogue(session)
    batch = claims(_rules(engine), args.applications)
    started = time.perf_counter()
    with session_scope(engine) as session:
        rules = all_rules(session)
    quotes = evaluate_batch(rules, batch)
    seconds = time.perf_counter() - started
    outcomes = Counter(
        "granted with an amount" if q.eligible and q.amount is not None else "eligible, no amount"
        if q.eligible else "refused" for q in quotes
    )  # fmt: skip
    stacked = sum(1 for q in quotes if q.reason is not None and "就高原则" in q.reason.msgid)
    print("| applications | measures | seconds | per second |")
    print("|---|---|---|---|")
    print(f"| {len(batch):,} | {len(rules)} | {seconds:.2f} | {len(batch) / seconds:,.0f} |")
    print()
    print(
        ", ".join(f"{name}: {count:,}" for name, count in sorted(outcomes.items())),
        f"(not stacked: {stacked:,})",
    )


def _rules(engine: object) -> dict[str, Rule]:
    with session_scope(engine) as session:  # type: ignore[arg-type]
        return all_rules(session)


if __name__ == "__main__":
    main()
