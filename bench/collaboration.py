"""Production collaboration benchmark: script breakdown and resource search with an availability filter.

    .venv/bin/python bench/collaboration.py [--pages 120] [--resources 100000] [--bookings 2000000]
        [--queries 200] [--skip-search] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

Breakdown: a synthetic 120-page screenplay (fixed seed) in each heading style, broken down from text.
Target: under 1 s each.

Search: N resources (studios, locations, equipment, crew, service companies of every trade, in Zhejiang and
Hunan regions) with M bookings spread over 2026–2028, loaded into a scratch SQLite file and a scratch
PostgreSQL database through the migrations; then Q searches with random filters (kind, trade, region prefix,
price, rating) and an availability window of 3–14 days, through the service the API and CLI use. Reports
p50/p95/max. Target: p95 under 50 ms on both.
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

import random  # noqa: E402
import re  # noqa: E402
import uuid  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from decimal import Decimal  # noqa: E402

from sqlalchemy import Engine  # noqa: E402

from avbase.chain.resources import service  # noqa: E402
from avbase.chain.resources.models import ResourceKind, Trade  # noqa: E402
from avbase.chain.scripts.breakdown import breakdown_lines  # noqa: E402
from avbase.chain.scripts.samples import screenplay  # noqa: E402
from avbase.core.accounts.models import Organisation  # noqa: E402
from avbase.core.db import make_engine, session_scope  # noqa: E402
from avbase.core.migrate import upgrade  # noqa: E402
from avbase.models import import_all_models  # noqa: E402

import_all_models()
REGIONS = ("330783", "330782", "330106", "330108", "330102", "330205", "430104", "430102", "430111", "430121")
CREW_ROLES = ("director", "dop", "gaffer", "sound_mixer", "editor", "actor", "art_director", "producer")
START = date(2026, 1, 1)


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


def resource_rows(count: int, org_ids: list[int], rng: random.Random) -> list[dict[str, object]]:
    kinds = list(ResourceKind)
    trades = [t.value for t in Trade]
    rows = []
    for i in range(count):
        kind = kinds[i % len(kinds)]
        trade = rng.choice(trades) if kind is ResourceKind.service else None
        trade = rng.choice(CREW_ROLES) if kind is ResourceKind.crew else trade
        rows.append(
            {
                "id": i + 1, "org_id": rng.choice(org_ids), "kind": kind.value, "trade": trade,
                "name": f"{kind.value}-{i}", "region_code": rng.choice(REGIONS),
                "day_rate": rng.randrange(500, 50_000) * 100, "rating": round(rng.uniform(1, 5), 1),
                "rating_count": rng.randrange(0, 200), "details": "{}", "active": True,
            }
        )  # fmt: skip
    return rows


def booking_rows(resources: int, count: int, rng: random.Random) -> list[tuple[object, ...]]:
    """Non-overlapping bookings per resource, about count/resources each, over three years."""
    per = max(1, count // resources)
    rows: list[tuple[object, ...]] = []
    next_id = 1
    for resource_id in range(1, resources + 1):
        day = rng.randrange(0, 30)
        for _ in range(per):
            length = rng.randrange(1, 12)
            starts = START + timedelta(days=day)
            status = "confirmed" if rng.random() < 0.8 else rng.choice(("held", "blocked", "cancelled"))
            rows.append((next_id, resource_id, 1, starts, starts + timedelta(days=length - 1), status))
            next_id += 1
            day += length + rng.randrange(0, 100)
    return rows[:count]


def load(engine: Engine, resources: int, bookings: int) -> None:
    rng = random.Random(18)
    upgrade(engine)
    with session_scope(engine) as session:
        orgs = [
            Organisation(name=f"bench-{i}", kind="enterprise", region_code=rng.choice(REGIONS))
            for i in range(200)
        ]
        session.add_all(orgs)
        session.flush()
        org_ids = [org.id for org in orgs]
    res = resource_rows(resources, org_ids, rng)
    books = booking_rows(resources, bookings, rng)
    now = "2026-11-30 00:00:00.000000"
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            cols = (
                "id, org_id, kind, trade, name, region_code, day_rate, rating, rating_count, details, active"
            )
            with cursor.copy(f"COPY chain_resources ({cols}, created_at, updated_at) FROM STDIN") as copy:
                for r in res:
                    copy.write_row([*r.values(), now, now])
            cols = "id, resource_id, org_id, starts_on, ends_on, status"
            with cursor.copy(f"COPY chain_bookings ({cols}, created_at, updated_at) FROM STDIN") as copy:
                for b in books:
                    copy.write_row([*b[:2], org_ids[0], *b[3:], now, now])
            cursor.execute("SELECT setval('chain_resources_id_seq', %s)", (resources,))
            raw.commit()
        finally:
            raw.close()
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("VACUUM ANALYZE chain_resources")  # as autovacuum would, after a load
            connection.exec_driver_sql("VACUUM ANALYZE chain_bookings")
        return
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO chain_resources (id, org_id, kind, trade, name, region_code, day_rate, rating, "
            "rating_count, details, active, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(*r.values(), now, now) for r in res],
        )
        raw_rows = [(*b[:2], org_ids[0], b[3].isoformat(), b[4].isoformat(), b[5], now, now) for b in books]
        connection.exec_driver_sql(
            "INSERT INTO chain_bookings (id, resource_id, org_id, starts_on, ends_on, status, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            raw_rows,
        )
        connection.exec_driver_sql("ANALYZE")


def random_filters(rng: random.Random) -> service.SearchFilters:
    kind = rng.choice(list(ResourceKind))
    trade = None
    if kind is ResourceKind.service and rng.random() < 0.7:
        trade = rng.choice([t.value for t in Trade])
    start = date(2027, 1, 1) + timedelta(days=rng.randrange(0, 360))
    return service.SearchFilters(
        kind=kind,
        trade=trade,
        region=rng.choice((None, "33", "43", "3307", "4301", "330783")),
        available_from=start,
        available_to=start + timedelta(days=rng.randrange(2, 14)),
        max_rate=Decimal(rng.choice((5_000, 20_000, 1_000_000))) if rng.random() < 0.5 else None,
        min_rating=rng.choice((3.0, 4.0, 4.5)) if rng.random() < 0.5 else None,
    )


def bench_search(engine: Engine, label: str, queries: int) -> tuple[str, str, str]:
    rng = random.Random(50)
    times = []
    found = 0
    with session_scope(engine) as session:
        for i in range(queries + 10):
            filters = random_filters(rng)
            started = time.perf_counter()
            rows, _more = service.search(session, filters, limit=20)
            elapsed = time.perf_counter() - started
            if i >= 10:
                times.append(elapsed)
                found += len(rows)
    times.sort()
    p50, p95 = times[len(times) // 2], times[int(len(times) * 0.95) - 1]
    return (
        f"search {label} ({queries} queries, {found / queries:.1f} hits each)",
        f"p50 {p50 * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, max {times[-1] * 1000:.1f} ms",
        "p95 < 50 ms",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=120)
    parser.add_argument("--resources", type=int, default=100_000)
    parser.add_argument("--bookings", type=int, default=2_000_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--skip-search", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    rows = bench_breakdown(args.pages)
    if not args.skip_search and not args.skip_sqlite:
        scratch = Path(tempfile.mkdtemp(prefix="avbase-bench-collab-db-"))
        engine = make_engine(f"sqlite:///{scratch / 'bench.db'}")
        started = time.perf_counter()
        load(engine, args.resources, args.bookings)
        print(f"SQLite loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        rows.append(
            bench_search(
                engine, f"SQLite, {args.resources:,} resources, {args.bookings:,} bookings", args.queries
            )
        )
        engine.dispose()
    if not args.skip_search and args.pg:
        rows.append(bench_pg(args))
    width = max(len(row[0]) for row in rows)
    print(f"{'measure':<{width}}  {'result':<24}  target")
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:<24}  {target}")


def bench_pg(args: argparse.Namespace) -> tuple[str, str, str]:
    import psycopg

    admin_url = args.pg.replace("postgresql+psycopg://", "postgresql://", 1)
    name = f"avbase_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    engine = make_engine(re.sub(r"/[^/]*$", f"/{name}", args.pg))
    try:
        started = time.perf_counter()
        load(engine, args.resources, args.bookings)
        print(f"PostgreSQL loaded in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        return bench_search(
            engine, f"PostgreSQL, {args.resources:,} resources, {args.bookings:,} bookings", args.queries
        )
    finally:
        engine.dispose()
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
