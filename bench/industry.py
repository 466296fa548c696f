"""Industry benchmark: the KPI dashboard, the composite index and a 50,000-row Excel import at scale.

    .venv/bin/python bench/industry.py [--enterprises 100000] [--months 60] [--backends sqlite,postgresql]
                                       [--import-rows 50000] [--repeat 5]

Generates (fixed seed) N enterprises with M monthly reports each (100,000 × 60 = 6 M report rows), writes them
once to CSV, loads the same rows into SQLite and PostgreSQL (COPY) and into an in-memory DuckDB, then times:

- dashboard: ``kpi.kpi_rows`` (the ten ZJ 2027 targets, current and previous year) + the five-year revenue
  series + the drill-down by city, as the /industry page runs them;
- index: ``index_service.compute_run`` for the zj-city index (gather, normalise, aggregate, store the run);
- DuckDB baseline: the same revenue figures aggregated straight from the 6 M report rows;
- import: ``run_import`` of a 50,000-row .xlsx of reports (validation, bulk insert, yearly-figure rebuild,
  commit), against the floor of reading the same workbook with openpyxl alone.

The yearly-figure table is built in SQL from the loaded reports (setup, not timed) and checked against
``reports.refresh_yearly_figures`` on a sample, so the timed queries read what the application would.
Prints one table; times are the median of --repeat runs after one warm-up.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("AVBASE_VAR_DIR", tempfile.mkdtemp(prefix="avbase-bench-industry-"))

import duckdb  # noqa: E402
import psycopg  # noqa: E402
from openpyxl import Workbook, load_workbook  # noqa: E402
from sqlalchemy import Engine, select, text  # noqa: E402

from avbase.core.accounts.models import Role  # noqa: E402
from avbase.core.accounts.principal import Principal  # noqa: E402
from avbase.core.audit import Actor  # noqa: E402
from avbase.core.db import make_engine, session_scope  # noqa: E402
from avbase.core.migrate import upgrade  # noqa: E402
from avbase.industry import index_service, kpi, ranking, reports  # noqa: E402
from avbase.industry.credit_code import make_credit_code  # noqa: E402
from avbase.industry.imports import run_import  # noqa: E402
from avbase.industry.models import YearlyFigure  # noqa: E402
from avbase.models import import_all_models  # noqa: E402

import_all_models()

SEED = 2027
PG_ADMIN = os.environ.get("AVBASE_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
COUNTIES = [f"33{city:02d}{county:02d}" for city in range(1, 12) for county in (2, 3, 4, 5, 6)] + [
    f"43{city:02d}{county:02d}" for city in range(1, 14) for county in (2, 3, 4)
]
CLUSTERS = ("content", "electronics", "services")
STAMP = "2026-01-01 00:00:00"
ADMIN = Principal(0, "bench", "bench", Role.admin, 0, "bench", "000000")

ORG_COLUMNS = ("id", "name", "kind", "region_code", "created_at", "updated_at")
ENTERPRISE_COLUMNS = (
    "id", "org_id", "credit_code", "cluster", "tier", "specialised", "provincial_key",
    "created_at", "updated_at",
)  # fmt: skip
REPORT_COLUMNS = (
    "enterprise_id", "org_id", "period_kind", "period_start", "version", "is_current", "revenue_content",
    "revenue_electronics", "revenue_services", "rnd_expense", "exports", "investment", "employees", "titles",
    "content_hours", "submitted_at",
)  # fmt: skip


# --- data --------------------------------------------------------------------------------------------


def months(count: int) -> list[date]:
    """``count`` months ending December 2025."""
    first = 2025 * 12 + 11 - (count - 1)
    return [date(m // 12, m % 12 + 1, 1) for m in range(first, first + count)]


def write_csvs(folder: Path, enterprises: int, month_count: int) -> dict[str, Path]:
    rng = random.Random(SEED)
    paths = {name: folder / f"{name}.csv" for name in ("orgs", "enterprises", "reports")}
    periods = months(month_count)
    with (
        paths["orgs"].open("w", newline="") as orgs_file,
        paths["enterprises"].open("w", newline="") as ent_file,
        paths["reports"].open("w", newline="") as rep_file,
    ):
        orgs, ents, reps = csv.writer(orgs_file), csv.writer(ent_file), csv.writer(rep_file)
        orgs.writerow(ORG_COLUMNS)
        ents.writerow(ENTERPRISE_COLUMNS)
        reps.writerow(REPORT_COLUMNS)
        for number in range(1, enterprises + 1):
            region = COUNTIES[number % len(COUNTIES)]
            cluster = CLUSTERS[number % 3]
            orgs.writerow((number, f"企业{number:06d}", "enterprise", region, STAMP, STAMP))
            specialised, key = int(rng.random() < 0.1), int(rng.random() < 0.004)
            code = make_credit_code(region, number)
            ents.writerow((number, number, code, cluster, "none", specialised, key, STAMP, STAMP))
            scale = rng.lognormvariate(13.5, 1.2)  # monthly revenue in yuan, median ~730k
            growth = 1 + rng.uniform(-0.05, 0.25)
            employees = max(3, int(scale / 40_000))
            rnd_share = rng.uniform(0.0, 0.09)
            for index, start in enumerate(periods):
                revenue = scale * growth ** (index / 12) * rng.uniform(0.85, 1.15)
                fen = int(revenue * 100)
                split = {"content": (fen, 0, 0), "electronics": (0, fen, 0), "services": (0, 0, fen)}[cluster]
                reps.writerow(
                    (number, number, "month", start.isoformat(), 1, 1, *split, int(fen * rnd_share),
                     int(fen * rng.uniform(0, 0.08)), int(fen * rng.uniform(0, 0.2)), employees,
                     rng.randint(0, 3), round(rng.uniform(0, 20), 1), STAMP)
                )  # fmt: skip
    return paths


# --- loading -----------------------------------------------------------------------------------------


def fresh_engine(backend: str, folder: Path) -> tuple[Engine, Callable[[], None]]:
    if backend == "sqlite":
        engine = make_engine(f"sqlite:///{folder / 'bench.db'}")
        upgrade(engine)
        return engine, engine.dispose
    name = f"avbase_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(
        PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    )
    upgrade(engine)

    def drop() -> None:
        engine.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return engine, drop


def csv_rows(path: Path) -> Iterator[list[str]]:
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        yield from reader


def load_table(engine: Engine, table: str, path: Path) -> None:
    with path.open(newline="") as handle:
        columns = next(csv.reader(handle))
    column_list = ", ".join(columns)
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            command = f"COPY {table} ({column_list}) FROM STDIN WITH (FORMAT csv, HEADER true)"
            with cursor.copy(command) as copy, path.open("rb") as handle:  # type: ignore[attr-defined]
                while chunk := handle.read(1 << 20):
                    copy.write(chunk)
        else:
            cursor.execute("PRAGMA synchronous=OFF")
            marks = ", ".join("?" * len(columns))
            batch: list[list[str]] = []
            for row in csv_rows(path):
                batch.append(row)
                if len(batch) == 50_000:
                    cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({marks})", batch)
                    batch.clear()
            if batch:
                cursor.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({marks})", batch)
        raw.commit()
    finally:
        raw.close()


YEARLY_SQL = """
INSERT INTO industry_yearly_figures (enterprise_id, year, basis, months_covered, revenue_content,
  revenue_electronics, revenue_services, revenue_total, rnd_expense, exports, investment, employees, titles,
  content_hours, region_code)
SELECT r.enterprise_id, {year}, 'month', COUNT(*), SUM(revenue_content), SUM(revenue_electronics),
  SUM(revenue_services), SUM(revenue_content + revenue_electronics + revenue_services), SUM(rnd_expense),
  SUM(exports), SUM(investment), MAX(employees), SUM(titles), SUM(content_hours), o.region_code
FROM industry_reports r JOIN organisations o ON o.id = r.org_id
WHERE is_current {true} GROUP BY r.enterprise_id, {year}, o.region_code
"""


def build_yearly_figures(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        sql = YEARLY_SQL.format(year="CAST(EXTRACT(YEAR FROM period_start) AS INTEGER)", true="")
    else:
        sql = YEARLY_SQL.format(year="CAST(substr(period_start, 1, 4) AS INTEGER)", true="= 1")
    with engine.begin() as connection:
        connection.execute(text(sql))
        if engine.dialect.name == "postgresql":
            for table in (
                "industry_reports",
                "industry_yearly_figures",
                "industry_enterprises",
                "organisations",
            ):
                connection.execute(text(f"ANALYZE {table}"))
        else:
            connection.execute(text("ANALYZE"))


def check_yearly_figures(engine: Engine, enterprises: int) -> None:
    """The SQL-built yearly figures equal what the application's own rebuild produces, on a sample."""
    sample = random.Random(1).sample(range(1, enterprises + 1), k=min(50, enterprises))
    table = YearlyFigure.__table__

    def snapshot() -> list[tuple[Any, ...]]:
        with engine.connect() as connection:
            rows = connection.execute(
                select(table)
                .where(table.c.enterprise_id.in_(sample))
                .order_by(table.c.enterprise_id, table.c.year)
            )
            # Float sums may differ in the last bit with the order of addition.
            return [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows]

    before = snapshot()
    with session_scope(engine) as session:
        reports.refresh_yearly_figures(session, {(row[0], row[1]) for row in before})
    if not before or before != snapshot():
        raise SystemExit("setup error: SQL-built yearly figures differ from refresh_yearly_figures")


def load_reference_data(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.info["actor"] = Actor(name="bench")
        kpi.load_default_targets(session)
        index_service.load_default_definitions(session)
        ranking.load_default_schemes(session)


# --- timing ------------------------------------------------------------------------------------------


def timed(repeat: int, action: Callable[[], object]) -> float:
    action()  # warm-up: caches, query plans
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def dashboard(engine: Engine) -> None:
    with session_scope(engine) as session:
        rows = kpi.kpi_rows(session, scheme="zj2024", year=2025)
        assert len(rows) == 10
        kpi.revenue_series(session, region_prefix="33", years=[2021, 2022, 2023, 2024, 2025])
        kpi.drilldown(session, region_prefix="33", year=2025, by="city")


def index_run(engine: Engine) -> None:
    with session_scope(engine) as session:
        definition = index_service.latest_definition(session, "zj-city")
        index_service.compute_run(session, None, definition, 2025)


def duckdb_baseline(paths: dict[str, Path], repeat: int) -> dict[str, float]:
    con = duckdb.connect()
    con.execute(f"CREATE TABLE orgs AS SELECT * FROM read_csv_auto('{paths['orgs']}')")
    con.execute(f"CREATE TABLE reports AS SELECT * FROM read_csv_auto('{paths['reports']}')")
    revenue = """
        SELECT year(r.period_start) AS y,
               SUM(revenue_content + revenue_electronics + revenue_services) / 100.0 AS total,
               SUM(revenue_content) / 100.0, SUM(revenue_electronics) / 100.0, SUM(revenue_services) / 100.0
        FROM reports r JOIN orgs o ON o.id = r.org_id
        WHERE o.region_code::VARCHAR LIKE '33%' AND year(r.period_start) BETWEEN 2021 AND 2025
        GROUP BY y ORDER BY y"""
    by_city = """
        SELECT substr(o.region_code::VARCHAR, 1, 4) AS city, year(r.period_start) AS y,
               SUM(revenue_content + revenue_electronics + revenue_services), SUM(rnd_expense), SUM(exports),
               COUNT(DISTINCT r.enterprise_id)
        FROM reports r JOIN orgs o ON o.id = r.org_id
        WHERE o.region_code::VARCHAR LIKE '33%' AND year(r.period_start) IN (2024, 2025)
        GROUP BY city, y"""
    return {
        "dashboard": timed(
            repeat, lambda: (con.execute(revenue).fetchall(), con.execute(by_city).fetchall())
        ),
        "index": timed(repeat, lambda: con.execute(by_city).fetchall()),
    }


def import_workbook(folder: Path, enterprises: int, rows: int, period: str = "2026-01") -> Path:
    """``rows`` reports for one closed month not yet filed (January 2026), one per Zhejiang enterprise."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("reports")
    sheet.append(["统一社会信用代码", "期间", "视听内容生产收入", "研发费用", "出口额", "从业人员", "作品数"])
    rng = random.Random(SEED + 1)
    written = 0
    for number in range(1, enterprises + 1):
        region = COUNTIES[number % len(COUNTIES)]
        if not region.startswith("33"):
            continue
        revenue = round(rng.uniform(1e5, 5e6), 2)
        sheet.append([make_credit_code(region, number), period, revenue, round(revenue * 0.04, 2),
                      0, rng.randint(3, 300), rng.randint(0, 3)])  # fmt: skip
        written += 1
        if written == rows:
            break
    path = folder / f"import-{period}-{rows}.xlsx"
    book.save(path)
    return path


def read_floor(path: Path) -> float:
    started = time.perf_counter()
    book = load_workbook(path, read_only=True, data_only=True)
    sum(1 for _ in book.active.iter_rows(values_only=True))
    book.close()
    return time.perf_counter() - started


def run_import_once(engine: Engine, path: Path) -> tuple[float, int]:
    started = time.perf_counter()
    with session_scope(engine) as session:
        session.info["actor"] = Actor(name="bench")
        result = run_import(session, ADMIN, "reports", path, on=date(2026, 11, 28))
    return time.perf_counter() - started, result.rows


# --- main --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--enterprises", type=int, default=100_000)
    parser.add_argument("--months", type=int, default=60)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--import-rows", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="Keep the SQLite database and the workbook in this folder.")
    args = parser.parse_args()

    folder = args.keep or Path(tempfile.mkdtemp(prefix="avbase-bench-data-"))
    folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    paths = write_csvs(folder, args.enterprises, args.months)
    report_rows = args.enterprises * args.months
    print(f"generated {args.enterprises:,} enterprises × {args.months} months = {report_rows:,} reports "
          f"in {time.perf_counter() - started:.0f} s", flush=True)  # fmt: skip
    workbook = import_workbook(folder, args.enterprises, args.import_rows)
    floor = read_floor(workbook)

    results: list[tuple[str, str, str]] = []
    duck = duckdb_baseline(paths, args.repeat)
    results.append(("DuckDB over the raw reports (baseline)", f"{duck['dashboard'] * 1000:.0f} ms",
                    f"{duck['index'] * 1000:.0f} ms"))  # fmt: skip
    imports: list[tuple[str, float, int]] = []
    for backend in args.backends.split(","):
        engine, cleanup = fresh_engine(backend, folder)
        try:
            started = time.perf_counter()
            for table, name in (("organisations", "orgs"), ("industry_enterprises", "enterprises"),
                                ("industry_reports", "reports")):  # fmt: skip
                load_table(engine, table, paths[name])
            build_yearly_figures(engine)
            load_reference_data(engine)
            check_yearly_figures(engine, args.enterprises)
            print(f"{backend}: loaded and indexed in {time.perf_counter() - started:.0f} s", flush=True)
            dash = timed(args.repeat, lambda engine=engine: dashboard(engine))  # type: ignore[misc]
            index = timed(args.repeat, lambda engine=engine: index_run(engine))  # type: ignore[misc]
            results.append((f"avbase on {backend}", f"{dash * 1000:.0f} ms", f"{index * 1000:.0f} ms"))
            seconds, rows = run_import_once(engine, workbook)
            imports.append((backend, seconds, rows))
        finally:
            if not (args.keep and backend == "sqlite"):
                cleanup()

    print()
    print(f"{args.enterprises:,} enterprises, {report_rows:,} monthly reports")
    print()
    print("| engine | KPI dashboard | zj-city index |")
    print("|---|---|---|")
    for name, dash_text, index_text in results:
        print(f"| {name} | {dash_text} | {index_text} |")
    print()
    print("| import of an .xlsx of reports | rows | seconds | rows/s |")
    print("|---|---|---|---|")
    rate = args.import_rows / floor
    print(f"| openpyxl read only (floor) | {args.import_rows:,} | {floor:.1f} | {rate:,.0f} |")
    for backend, seconds, rows in imports:
        print(f"| avbase run_import on {backend} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} |")


if __name__ == "__main__":
    main()
