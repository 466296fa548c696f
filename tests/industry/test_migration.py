"""Migration 0003 copies each enterprise's region onto its existing yearly figures."""

from __future__ import annotations

from sqlalchemy import Engine, text

from avbase.core.db import make_engine
from avbase.core.migrate import upgrade

STAMP = "2026-01-01 00:00:00"


def test_upgrading_fills_the_region_of_existing_figures(tmp_path: object) -> None:
    engine: Engine = make_engine(f"sqlite:///{tmp_path}/old.db")
    upgrade(engine, "0002")
    rows = {
        "organisations": {"id": 1, "name": "Studio", "kind": "enterprise", "region_code": "330106",
                          "created_at": STAMP, "updated_at": STAMP},
        "industry_enterprises": {"id": 7, "org_id": 1, "credit_code": "X", "cluster": "services", "tier": "none",
                                 "specialised": 1, "provincial_key": 0, "created_at": STAMP, "updated_at": STAMP},
        "industry_yearly_figures": {"enterprise_id": 7, "year": 2025, "basis": "year", "months_covered": 12,
                                    "revenue_content": 0, "revenue_electronics": 0, "revenue_services": 100,
                                    "revenue_total": 100, "rnd_expense": 0, "exports": 0, "investment": 0,
                                    "employees": 1, "titles": 0, "content_hours": 0.0},
    }  # fmt: skip
    with engine.begin() as connection:
        for table, values in rows.items():
            columns = ", ".join(values)
            marks = ", ".join(f":{name}" for name in values)
            connection.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({marks})"), values)  # noqa: S608
    upgrade(engine)
    with engine.connect() as connection:
        region = connection.execute(text("SELECT region_code FROM industry_yearly_figures")).scalar_one()
    assert region == "330106"
    engine.dispose()
