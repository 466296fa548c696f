"""REST under /api/v1 for resources, productions and scripts: allowed and refused."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from avbase.core.accounts.models import Organisation, Role, User

SCRIPTS = Path(__file__).parent / "scripts"


def test_resources_productions_and_scripts_over_rest(
    client: TestClient,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    api_token: Callable[[User], dict[str, str]],
) -> None:
    owner = api_token(make_user(org=make_org("横店影视城")))
    producer = api_token(make_user(org=make_org("春江影业")))
    reviewer = api_token(make_user(org=make_org("专家库"), role=Role.reviewer))
    assert client.get("/api/v1/resources").status_code == 401
    stage = {"kind": "studio", "name": "LED 虚拟摄影棚", "region_code": "330783", "day_rate": "20000"}
    created = client.post("/api/v1/resources", json=stage, headers=owner)
    assert created.status_code == 201, created.text
    rid = created.json()["id"]
    assert client.post("/api/v1/resources", json=stage, headers=reviewer).status_code == 403
    bad = client.post("/api/v1/resources", json={**stage, "region_code": "33"}, headers=owner)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "region_code"
    days = {"starts_on": "2027-04-01", "ends_on": "2027-04-03"}
    assert client.post(f"/api/v1/resources/{rid}/bookings", json=days, headers=producer).status_code == 201
    taken = client.post(f"/api/v1/resources/{rid}/bookings", json=days, headers=owner)
    assert taken.status_code == 409 and "2027-04-01" in taken.json()["detail"]
    found = client.get(
        "/api/v1/resources",
        params={"kind": "studio", "available_from": "2027-04-03", "available_to": "2027-04-05"},
        headers=producer,
    )
    assert found.json() == {"resources": [], "more": False}

    production = client.post(
        "/api/v1/productions", json={"title": "江边", "industry_project_id": 3}, headers=producer
    )
    assert production.status_code == 201
    pid = production.json()["id"]
    assert client.get(f"/api/v1/productions/{pid}", headers=owner).status_code == 404
    text = (SCRIPTS / "river_dash.txt").read_text("utf-8")
    assert client.post(
        f"/api/v1/productions/{pid}/breakdown", json={"text": text}, headers=producer
    ).json() == {"scenes": 4}
    day = client.post(f"/api/v1/productions/{pid}/days", json={}, headers=producer).json()
    board = client.get(f"/api/v1/productions/{pid}/stripboard", headers=producer).json()
    first = board["unscheduled"][0]["id"]
    moved = client.post(
        f"/api/v1/productions/{pid}/stripboard/move",
        json={"scene_id": first, "day_id": day["id"]},
        headers=producer,
    )
    assert moved.status_code == 200 and moved.json()["day_id"] == day["id"]
    dood = client.get(f"/api/v1/productions/{pid}/dood", headers=producer).json()
    assert {row["character"] for row in dood} == {"林秋", "陈默", "老周"}

    with (SCRIPTS / "city_dichang.txt").open("rb") as handle:
        deposited = client.post(
            "/api/v1/scripts", data={"title": "都市夜归人", "genre": "都市"}, files={"file": ("city.txt", handle)},
            headers=producer,
        )  # fmt: skip
    assert deposited.status_code == 201, deposited.text
    sid = deposited.json()["script"]["id"]
    assert client.get(f"/api/v1/scripts/{sid}/text", headers=owner).status_code == 403
    scores = {"premise": 6, "structure": 6, "characters": 7, "dialogue": 8, "market": 8}
    covered = client.put(
        f"/api/v1/scripts/{sid}/coverage",
        json={"scores": scores, "recommendation": "consider"},
        headers=reviewer,
    )
    assert covered.status_code == 200 and covered.json()["overall"] == 7.0
    assert (
        client.put(
            f"/api/v1/scripts/{sid}/coverage",
            json={"scores": scores, "recommendation": "consider"},
            headers=owner,
        ).status_code
        == 403
    )
    assert client.get("/api/v1/scripts", params={"order": "score"}, headers=owner).json()[0]["overall"] == 7.0
