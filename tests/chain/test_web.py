"""The chain's pages, as a party and as an outsider."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from avbase.chain.settlement import service as settlement
from avbase.chain.settlement.statements import import_statements
from tests.chain.conftest import World
from tests.chain.test_reconcile import EXPECTED, STATEMENT
from tests.chain.test_settlement import NOVEMBER
from tests.conftest import login


def test_pages_show_each_party_its_own(client: TestClient, db: Session, world: World, tmp_path: Path) -> None:
    path = tmp_path / "nov.csv"
    path.write_text(NOVEMBER, encoding="utf-8")
    import_statements(db, world.studio, path, source="猫眼")
    run = settlement.settle(db, world.studio, "HX-2024-01", period="2024-11")
    db.commit()
    token = login(client, "studio")
    page = client.get(f"/chain/contracts/{world.contract.id}")
    assert page.status_code == 200 and "waterfall-chart" in page.text and "HX-2024-01" in page.text
    approved = client.post(
        f"/chain/runs/{run.id}/approve", data={"csrf_token": token}, follow_redirects=False
    )
    assert approved.status_code == 303
    balances = client.get("/chain/balances")
    assert "522,690.00" in balances.text and "354,879.00" in balances.text
    assert (
        client.get("/chain/balances.xlsx")
        .headers["content-type"]
        .startswith("application/vnd.openxmlformats")
    )
    overlap = client.post(
        f"/chain/titles/{world.title.id}/windows",
        data={
            "csrf_token": token,
            "channel": "svod",
            "territory": "CN",
            "starts_on": "2025-01-01",
            "exclusive": "on",
        },
        follow_redirects=False,
    )
    assert overlap.status_code == 303
    refused = client.post(
        f"/chain/titles/{world.title.id}/windows",
        data={"csrf_token": token, "channel": "svod", "territory": "CN", "starts_on": "2025-02-01"},
    )
    assert refused.status_code == 200 and 'id="chain-error"' in refused.text
    files = {
        "statement": ("s.csv", STATEMENT.encode(), "text/csv"),
        "expected": ("e.csv", EXPECTED.encode(), "text/csv"),
    }
    made = client.post(
        "/chain/reconciliations",
        data={"csrf_token": token, "counterparty": "芒果平台"},
        files=files,
        follow_redirects=True,
    )
    assert made.status_code == 200 and made.text.count('class="discrepancy') == 5
    client.cookies.clear()

    login(client, "cinema")
    seen = client.get(f"/chain/contracts/{world.contract.id}")
    assert (
        seen.status_code == 200
        and "waterfall-chart" not in seen.text
        and "settle" not in seen.text.lower().split("</h1>")[1][:0]
    )
    assert "潇湘院线 · HX-2024-01" in client.get("/chain/balances").text
    assert "湘江影业 · HX-2024-01" not in client.get("/chain/balances").text
    client.cookies.clear()

    login(client, "outsider")
    assert client.get(f"/chain/contracts/{world.contract.id}").status_code == 404
    assert "HX-2024-01" not in client.get("/chain").text
