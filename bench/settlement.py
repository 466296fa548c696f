"""Settlement and reconciliation benchmark, each side by side with the same work written in DuckDB.

    .venv/bin/python bench/settlement.py [--contracts 1000] [--lines 1000000] [--repeat 3]

Generates (fixed seed) N contracts over N titles (half cn-theatrical with tiers, 保底 or recoupment, the
rest member-hours with iQIYI's tiers or member + advertising shares) and a month of statement lines
(daily box office for films, platform metrics for the others) written once to CSV, then times:

- settle: ``batch.settle_file`` — every contract's quote for the month, with its full trace and parts;
- DuckDB settle: the same join of lines to contracts and aggregation per contract and metric, in SQL;
- reconcile: ``reconcile.reconcile_files`` — a statement against the expected figures (both CSV files of
  --lines lines with a duplicate, differing, missing and unexpected lines planted), validation included;
- DuckDB reconcile: the same de-duplication, full outer join and comparison, in SQL over the typed files.

Prints one table; times are the median of --repeat runs after one warm-up.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("AVBASE_VAR_DIR", tempfile.mkdtemp(prefix="avbase-bench-settlement-"))

import duckdb  # noqa: E402

from avbase.chain.settlement.batch import LINE_TYPES, ContractSpec, settle_file  # noqa: E402
from avbase.chain.settlement.reconcile import reconcile_files  # noqa: E402

SEED = 2024
PERIOD = "2024-11"


def contracts(count: int, rng: random.Random) -> list[ContractSpec]:
    made = []
    for n in range(count):
        title = f"T{n:05d}"
        if n % 2 == 0:
            terms = {"producer_share_tiers": "0:43%,3亿:45%,8亿:47%", "distribution_fee_rate": "10%"}
            if n % 6 == 0:
                terms |= {"guarantee": "500万", "guarantor_share_above": "70%"}
            if n % 10 == 0:
                terms |= {"costs": "200万", "investors": "甲:60%,乙:40%"}
            made.append(ContractSpec(f"C{n:05d}", title, "cn-theatrical", terms))
        elif n % 4 == 1:
            made.append(
                ContractSpec(
                    f"C{n:05d}",
                    title,
                    "member-hours",
                    {"rules": "iqiyi-online-film-2024", "new_member_bonus": "5"},
                )
            )
        else:
            made.append(
                ContractSpec(f"C{n:05d}", title, "revenue-share", {"member_share": "60%", "ad_share": "30%"})
            )
    rng.shuffle(made)
    return made


def write_lines(path: Path, specs: list[ContractSpec], count: int, rng: random.Random) -> None:
    per = count // len(specs)
    with path.open("w", encoding="utf-8") as out:
        out.write("title,period,metric,quantity,amount\n")
        written = 0
        for spec in specs:
            for k in range(per if spec is not specs[-1] else count - written):
                if spec.model == "cn-theatrical":
                    line = (
                        spec.title,
                        f"{PERIOD}-{k % 30 + 1:02d}",
                        "box_office",
                        rng.randint(1, 900),
                        f"{rng.randint(100, 9_000_000) / 100:.2f}",
                    )
                elif spec.model == "member-hours":
                    metric = "member_hours" if k % 10 else "new_members"
                    line = (spec.title, PERIOD, metric, rng.randint(1, 5000), "0.00")
                else:
                    metric = "member_revenue" if k % 2 else "ad_revenue"
                    line = (spec.title, PERIOD, metric, 0, f"{rng.randint(100, 500_000) / 100:.2f}")
                out.write(",".join(str(v) for v in line) + "\n")
                written += 1


def plant_discrepancies(expected: Path, statement: Path, rng: random.Random) -> None:
    """The statement is the expected lines re-keyed per line, with one of each kind planted."""
    lines = expected.read_text(encoding="utf-8").splitlines()
    header, body = lines[0], lines[1:]
    keyed = [f"{line.split(',', 1)[0]}-{i}," + line.split(",", 1)[1] for i, line in enumerate(body)]
    expected.write_text("\n".join([header, *keyed]) + "\n", encoding="utf-8")
    out = list(keyed)
    out.append(out[10])  # duplicate
    parts = out[20].split(",")
    out[20] = ",".join([*parts[:4], f"{float(parts[4]) + 0.01:.2f}"])  # amount differs by a fen
    del out[30]  # missing
    out.append("UNEXPECTED,2024-11,box_office,1,1.00")  # unexpected
    rng.shuffle(out)
    statement.write_text("\n".join([header, *out]) + "\n", encoding="utf-8")


def duckdb_settle(lines: Path, specs: list[ContractSpec]) -> int:
    con = duckdb.connect()
    con.execute("CREATE TABLE contracts (code VARCHAR, title VARCHAR)")
    con.executemany("INSERT INTO contracts VALUES (?, ?)", [(c.code, c.title) for c in specs])
    rows = con.execute(
        "SELECT c.code, l.metric, sum(l.amount), sum(l.quantity) "
        "FROM read_csv(?, header = true, columns = ?) l "
        "JOIN contracts c ON c.title = l.title WHERE l.period = ? OR starts_with(l.period, ?) "
        "GROUP BY c.code, l.metric",
        [str(lines), LINE_TYPES, PERIOD, PERIOD + "-"],
    ).fetchall()
    con.close()
    return len(rows)


DUCKDB_RECONCILE = """
WITH lines AS (
    SELECT title, period, metric, quantity, amount, count(*) AS n
    FROM read_csv(?, header = true, columns = ?) GROUP BY ALL
),
dup AS (SELECT title FROM lines WHERE n > 1),
s AS (SELECT title, period, metric, sum(quantity) q, sum(amount) a FROM lines GROUP BY ALL),
e AS (
    SELECT title, period, metric, sum(quantity) q, sum(amount) a
    FROM read_csv(?, header = true, columns = ?) GROUP BY ALL
)
SELECT count(*) FROM (
    SELECT s.title FROM s FULL OUTER JOIN e USING (title, period, metric)
    WHERE s.a IS NULL OR e.a IS NULL OR s.a <> e.a OR s.q <> e.q
    UNION ALL SELECT title FROM dup
)
"""


def duckdb_reconcile(statement: Path, expected: Path) -> int:
    con = duckdb.connect()
    found = con.execute(DUCKDB_RECONCILE, [str(statement), LINE_TYPES, str(expected), LINE_TYPES]).fetchall()
    con.close()
    return int(found[0][0])


def timed(run: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    result = run()  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--contracts", type=int, default=1000)
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(SEED)
    folder = Path(tempfile.mkdtemp(prefix="avbase-bench-settlement-"))
    specs = contracts(args.contracts, rng)
    lines = folder / "lines.csv"
    write_lines(lines, specs, args.lines, rng)
    expected, statement = folder / "expected.csv", folder / "statement.csv"
    write_lines(expected, specs, args.lines, rng)
    plant_discrepancies(expected, statement, rng)

    settle_s, quotes = timed(
        lambda: settle_file(lines, specs, period=PERIOD, on=date(2024, 11, 30)), args.repeat
    )
    duck_settle_s, groups = timed(lambda: duckdb_settle(lines, specs), args.repeat)
    assert all(sum(q.parts.values()) == q.base for q in quotes.values())
    reconcile_s, result = timed(lambda: reconcile_files(statement, expected), args.repeat)
    duck_reconcile_s, found = timed(lambda: duckdb_reconcile(statement, expected), args.repeat)
    kinds = sorted({d.kind for d in result.discrepancies})
    assert len(result.discrepancies) == found == 4, (result.discrepancies, found)

    print(
        f"settlement benchmark: {args.contracts:,} contracts, {args.lines:,} lines (median of {args.repeat})"
    )
    print(f"{'work':<44}{'avbase s':>10}{'DuckDB s':>10}{'ratio':>8}")
    print(
        f"{'settle (' + str(len(quotes)) + ' quotes, ' + str(groups) + ' groups)':<44}"
        f"{settle_s:>10.2f}{duck_settle_s:>10.2f}{settle_s / duck_settle_s:>8.2f}"
    )
    print(
        f"{'reconcile (' + ', '.join(kinds) + ')':<44}"
        f"{reconcile_s:>10.2f}{duck_reconcile_s:>10.2f}{reconcile_s / duck_reconcile_s:>8.2f}"
    )


if __name__ == "__main__":
    main()
