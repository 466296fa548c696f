from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from avbase.core.accounts.principal import Principal
from avbase.industry import kpi
from avbase.industry.models import Cluster, Enterprise, ProjectTier
from avbase.industry.registry import create_project
from avbase.industry.reports import file_report
from avbase.industry.schemas import ProjectIn, ProjectYearIn, ReportIn, TargetSchemeIn

ON = date(2026, 11, 22)


def test_kpis_against_hand_computed_values(
    db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise]
) -> None:
    a = make_enterprise(provincial_key=True)
    b = make_enterprise(region_code="330212", cluster=Cluster.electronics)
    hunan = make_enterprise(region_code="330106", provincial_key=True)  # moved to Hunan: outside the scheme
    hunan.organisation.region_code = "430105"
    for enterprise, before, now in ((a, "300", "400"), (b, "200", "225")):
        file_report(db, officer, enterprise, ReportIn(period="2024", revenue_content=before), on=ON)  # type: ignore[arg-type]
        file_report(db, officer, enterprise, ReportIn(period="2025", revenue_content=now), on=ON)  # type: ignore[arg-type]
    create_project(
        db, officer,
        ProjectIn(name="8K base", tier=ProjectTier.head, year_selected=2024, region_code="330106",
                  years=[ProjectYearIn(year=2023, completed=Decimal(50)), ProjectYearIn(year=2024, completed=Decimal(100)),
                         ProjectYearIn(year=2025, completed=Decimal(20))]),
    )  # fmt: skip
    kpi.load_targets(
        db,
        TargetSchemeIn.model_validate(
            {
                "scheme": "test",
                "region_prefix": "33",
                "targets": [
                    {"key": "revenue_total", "label_zh": "收入", "label_en": "Revenue", "value": "1000", "unit": "yuan",
                     "target_year": 2027, "source": "clause"},
                    {"key": "provincial_key_enterprises", "label_zh": "重点企业", "label_en": "Key", "value": "5",
                     "unit": "count", "target_year": 2027, "source": "clause"},
                    {"key": "project_investment", "label_zh": "投资", "label_en": "Investment", "value": "420",
                     "unit": "yuan", "target_year": 2027, "from_year": 2024, "source": "clause"},
                    {"key": "head_projects", "label_zh": "头部", "label_en": "Head", "value": "10", "unit": "count",
                     "target_year": 2027, "source": "clause"},
                ],
            }
        ),
    )  # fmt: skip
    rows = {row.target.key: row for row in kpi.kpi_rows(db, scheme="test", year=2025)}
    revenue = rows["revenue_total"]
    assert revenue.current == Decimal("625.00") and revenue.previous == Decimal("500.00")
    assert revenue.progress == Decimal("0.6250") and revenue.actual_growth == Decimal("0.2500")
    # (1000 / 625) ** (1 / 2) - 1 = 0.264911…
    assert revenue.needed_growth == Decimal("0.2649") and not revenue.on_track
    key = rows["provincial_key_enterprises"]
    assert (key.current, key.needed_per_year) == (Decimal(1), Decimal("2.00"))
    investment = rows["project_investment"]  # 2024 and 2025 only: 100 + 20
    assert (investment.current, investment.needed_per_year) == (Decimal(120), Decimal("150.00"))
    assert rows["head_projects"].current == 0
    assert kpi.kpi_rows(db, scheme="test", year=2024)[3].current == 1


def test_the_zhejiang_targets_are_loaded_with_their_source_clauses(db: Session) -> None:
    assert kpi.load_default_targets(db) == 10
    targets = {row.target.key: row.target for row in kpi.kpi_rows(db, scheme="zj2024", year=2025)}
    assert targets["revenue_total"].value == Decimal("1000000000000.00")
    assert (
        targets["project_investment"].value == Decimal("60000000000.00")
        and targets["project_investment"].from_year == 2024
    )
    assert {
        targets[k].value for k in ("national_bases", "provincial_key_bases", "provincial_key_enterprises")
    } == {Decimal(8), Decimal(40), Decimal(500)}
    assert "600亿元以上" in targets["project_investment"].source


@pytest.mark.parametrize("key", ["revenue_content", "revenue_electronics", "revenue_services"])
def test_each_cluster_has_its_hundred_billion_target(db: Session, key: str) -> None:
    kpi.load_default_targets(db)
    row = next(r for r in kpi.kpi_rows(db, scheme="zj2024", year=2025) if r.target.key == key)
    assert row.target.value == Decimal("100000000000.00")
