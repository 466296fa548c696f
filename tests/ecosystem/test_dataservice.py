"""Disclosure control by hand, and the data service over industry's figures: page, Excel, open API with
keys and quotas."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.errors import Forbidden, RateLimited, Unauthenticated
from avbase.ecosystem import dataservice
from avbase.ecosystem.disclosure import TOTAL, Cell, protect
from avbase.industry import registry, reports
from avbase.industry.credit_code import make_credit_code
from avbase.industry.models import Cluster
from avbase.industry.schemas import EnterpriseIn, ReportIn
from tests.conftest import login

D = Decimal


def test_primary_and_secondary_suppression_by_hand() -> None:
    table = protect(
        [
            Cell("A", "c", 5, D(100), D(30)),
            Cell("A", "e", 2, D(50), D(40)),  # two enterprises: primary
            Cell("A", "s", 4, D(80), D(70)),  # 70 > 85 % of 80: primary
            Cell("B", "c", 3, D(60), D(20)),
            Cell("B", "e", 4, D(40), D(10)),
            Cell("B", "s", 6, D(90), D(20)),
        ]
    )
    status = {key: cell.status for key, cell in table.cells.items()}
    assert status[("A", "e")] == status[("A", "s")] == "primary"
    # Column e and column s would each hide one cell under a published total: B's cell is hidden too.
    assert status[("B", "e")] == status[("B", "s")] == "secondary"
    assert all(status[key] == "published" for key in [("A", "c"), ("B", "c"), ("A", TOTAL), ("B", TOTAL)])
    assert table.get(TOTAL, TOTAL).value == D(420) and table.get(TOTAL, "e").value == D(90)
    assert table.get(TOTAL, "e").units == 6 and table.get("A", "e").value is None


def test_a_lone_sensitive_cell_takes_its_row_total_and_a_column_partner() -> None:
    table = protect(
        [
            Cell("A", "c", 1, D(10), D(10)),  # one enterprise, alone in its city
            Cell("B", "c", 5, D(200), D(50)),
            Cell("C", "c", 4, D(100), D(30)),
        ]
    )
    assert table.get("A", "c").status == "primary" and table.get("A", TOTAL).status == "primary"
    # Column c hides A; the smallest other city (C, 100) is hidden with it; the city totals follow.
    assert table.get("C", "c").status == "secondary" and table.get("C", TOTAL).status == "secondary"
    assert table.get("B", "c").value == D(200) and table.get(TOTAL, TOTAL).value == D(310)


@pytest.fixture
def figures(db: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]) -> Principal:
    """2024 revenue of seven enterprises: four content studios in Changsha (4301), one dominant; two
    electronics makers and one content studio in Zhuzhou (4302)."""
    officer = Principal.of(
        make_user(role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="430000"))
    )
    firms = [("430105", Cluster.content, 900), ("430105", Cluster.content, 40), ("430104", Cluster.content, 30),
             ("430104", Cluster.content, 30), ("430200", Cluster.electronics, 500), ("430200", Cluster.electronics, 400),
             ("430200", Cluster.content, 70)]  # fmt: skip
    for number, (region, cluster, revenue) in enumerate(firms, 1):
        enterprise = registry.create_enterprise(
            db, officer, EnterpriseIn(name=f"湘企{number}", credit_code=make_credit_code(region, number),
                                      region_code=region, cluster=cluster),
        )  # fmt: skip
        reports.file_report(
            db, officer, enterprise, ReportIn(period="2024", revenue_content=D(revenue)), on=date(2025, 3, 1)
        )
    db.commit()
    return officer


def test_statistics_come_from_industry_with_cells_withheld(db: Session, figures: Principal) -> None:
    result = dataservice.statistics(db, year=2024, measure="revenue_total", region="43")
    cells = result.table.cells
    assert result.table.rows == ["430100", "430200"] and result.table.columns == ["content", "electronics"]
    assert cells[("430100", "content")].status == "primary"  # 900 of 1,000
    assert cells[("430200", "electronics")].status == "primary"  # two enterprises
    assert cells[("430200", "content")].status == "primary"  # one enterprise
    assert cells[("430100", "electronics")].units == 0 and cells[("430100", "electronics")].value == 0
    rows = {(r["region"], r["cluster"]): r for r in dataservice.rows_json(result)}
    assert (
        rows[("430100", "content")]["value"] is None
        and rows[("430100", "content")]["suppressed"] == "primary"
    )
    assert rows[(None, None)]["value"] == "1970.00" and rows[(None, None)]["enterprises"] == 7


def test_open_api_needs_a_key_counts_calls_and_stops_at_the_quota(
    client: TestClient, db: Session, figures: Principal, make_user: Callable[..., User]
) -> None:
    with pytest.raises(Forbidden):
        dataservice.create_key(db, Principal.of(make_user()), holder="x")
    secret, key = dataservice.create_key(db, figures, holder="湖南大学", daily_quota=2)
    db.commit()
    url = "/api/v1/ecosystem/open/statistics?year=2024&measure=revenue_total&region=43"
    assert client.get(url).status_code == 401
    assert client.get(url, headers={"X-API-Key": "avk_wrong"}).status_code == 401
    first = client.get(url, headers={"X-API-Key": secret})
    assert first.status_code == 200, first.text
    body = first.json()
    assert "85 %" in body["rule"] and any(row["suppressed"] == "primary" for row in body["rows"])
    assert client.get("/api/v1/ecosystem/open/years", headers={"X-API-Key": secret}).json() == [2024]
    refused = client.get(url, headers={"X-API-Key": secret})
    assert refused.status_code == 429
    with pytest.raises(RateLimited):
        dataservice.use_key(db, secret)
    dataservice.revoke_key(db, figures, key.id)
    with pytest.raises(Unauthenticated):
        dataservice.use_key(db, secret)


def test_the_download_page_and_excel_show_withheld_cells(
    client: TestClient, figures: Principal, make_user: Callable[..., User]
) -> None:
    login(client, make_user(role=Role.creator).username)
    page = client.get("/ecosystem/data?year=2024&region=43")
    assert page.status_code == 200 and 'data-status="primary"' in page.text and "api-keys" not in page.text
    book = client.get("/ecosystem/data.xlsx?year=2024&region=43")
    sheet = load_workbook(io.BytesIO(book.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[2][1] == "×" and values[-2][-1] == 1970
    assert client.post("/ecosystem/api-keys", data={"holder": "x"}).status_code == 403
