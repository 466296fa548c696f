"""The chain's REST API, each route allowed and refused."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from avbase.core.accounts.models import User
from avbase.core.accounts.principal import Principal
from tests.chain.conftest import World
from tests.chain.test_reconcile import EXPECTED, STATEMENT
from tests.chain.test_settlement import NOVEMBER

Headers = Callable[[User], dict[str, str]]


def auth(db: Session, api_token: Headers, principal: Principal) -> dict[str, str]:
    user = db.get(User, principal.user_id)
    assert user is not None
    return api_token(user)


def test_statements_settle_approve_and_balances(
    client: TestClient, db: Session, world: World, api_token: Headers
) -> None:
    studio, cinema = auth(db, api_token, world.studio), auth(db, api_token, world.cinema)
    outsider = auth(db, api_token, world.outsider)
    files = {"file": ("nov.csv", NOVEMBER.encode(), "text/csv")}
    done = client.post("/api/v1/chain/statements", headers=studio, files=files, data={"source": "猫眼"})
    assert done.status_code == 201, done.text
    assert done.json()["rows"] == 3
    again = client.post("/api/v1/chain/statements", headers=studio, files=files, data={"source": "猫眼"})
    assert again.status_code == 409
    contract_id = world.contract.id
    refused = client.post(
        f"/api/v1/chain/contracts/{contract_id}/settle", headers=cinema, json={"period": "2024-11"}
    )
    assert refused.status_code == 403
    hidden = client.post(
        f"/api/v1/chain/contracts/{contract_id}/settle", headers=outsider, json={"period": "2024-11"}
    )
    assert hidden.status_code == 404
    run = client.post(
        f"/api/v1/chain/contracts/{contract_id}/settle", headers=studio, json={"period": "2024-11"}
    )
    assert run.status_code == 201 and run.json()["base"] == "1000000.00"
    run_id = run.json()["id"]
    assert client.post(f"/api/v1/chain/runs/{run_id}/approve", headers=cinema).status_code == 403
    assert client.post(f"/api/v1/chain/runs/{run_id}/approve", headers=studio).json()["state"] == "approved"
    seen = client.get(f"/api/v1/chain/runs/{run_id}", headers=cinema).json()
    assert (
        [s["role"] for s in seen["statements"]] == ["exhibitor"]
        and seen["base"] is None
        and seen["trace"] == []
    )
    assert client.get(f"/api/v1/chain/runs/{run_id}", headers=outsider).status_code == 404
    balances = client.get("/api/v1/chain/balances", headers=cinema).json()
    assert balances == [
        {
            "party": f"org:{world.cinema.org_id}",
            "name": "潇湘院线 · HX-2024-01",
            "account": "share:HX-2024-01",
            "owed": "522690.00",
        }
    ]
    assert client.get("/api/v1/chain/balances", headers=outsider).json() == []


def test_titles_windows_contracts_and_quote(
    client: TestClient, db: Session, world: World, api_token: Headers
) -> None:
    studio, cinema = auth(db, api_token, world.studio), auth(db, api_token, world.cinema)
    title = client.post("/api/v1/chain/titles", headers=studio, json={"name": "微光", "kind": "micro_drama"})
    assert title.status_code == 201
    window = {"channel": "svod", "territory": "CN", "starts_on": "2025-01-01", "exclusive": True}
    url = f"/api/v1/chain/titles/{title.json()['id']}/windows"
    assert client.post(url, headers=studio, json=window).status_code == 201
    assert client.post(url, headers=studio, json=window | {"starts_on": "2025-06-01"}).status_code == 409
    assert client.post(url, headers=cinema, json=window).status_code == 404  # not a party of this title
    assert [c["code"] for c in client.get("/api/v1/chain/contracts", headers=cinema).json()] == ["HX-2024-01"]
    quoted = client.post(
        "/api/v1/chain/quote",
        headers=cinema,
        json={"model": "cn-theatrical", "params": {"gross": "1000000"}, "on": "2024-05-01"},
    )
    assert quoted.json()["parts"]["exhibitor"] == "522690.00"
    bad = client.post(
        "/api/v1/chain/quote", headers=cinema, json={"model": "cn-theatrical", "params": {"gros": "1"}}
    )
    assert bad.status_code == 422 and "gros" in bad.text


def test_reconciliation_and_a_claim_through_the_api(
    client: TestClient, db: Session, world: World, api_token: Headers
) -> None:
    studio, platform = auth(db, api_token, world.studio), auth(db, api_token, world.platform)
    files = {
        "statement": ("s.csv", STATEMENT.encode(), "text/csv"),
        "expected": ("e.csv", EXPECTED.encode(), "text/csv"),
    }
    made = client.post(
        "/api/v1/chain/reconciliations", headers=studio, files=files, data={"counterparty": "芒果平台"}
    )
    assert made.status_code == 201, made.text
    kinds = [d["kind"] for d in made.json()["discrepancies"]]
    assert sorted(kinds) == ["amount_differs", "duplicate", "missing", "quantity_differs", "unexpected"]
    assert (
        client.get(f"/api/v1/chain/reconciliations/{made.json()['id']}", headers=platform).status_code == 404
    )
    claim = client.post(
        "/api/v1/chain/claims",
        headers=studio,
        json={
            "reconciliation_id": made.json()["id"],
            "index": kinds.index("missing"),
            "counterparty_org_id": world.platform.org_id,
            "text": "晨曦11月票房缺失",
        },
    )
    assert claim.status_code == 201 and claim.json()["kind"] == "missing"
    claim_id = claim.json()["id"]
    assert (
        client.post(f"/api/v1/chain/claims/{claim_id}/answer", headers=studio, json={"text": "x"}).status_code
        == 403
    )
    answered = client.post(f"/api/v1/chain/claims/{claim_id}/answer", headers=platform, json={"text": "补发"})
    assert answered.json()["state"] == "answered"
    assert [c["state"] for c in client.get("/api/v1/chain/claims", headers=platform).json()] == ["answered"]
