from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from avbase.core.accounts.models import Organisation, OrgKind, Role, User


def test_list_is_paged_sorted_and_scoped(
    client: TestClient,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    api_token: Callable[[User], dict[str, str]],
) -> None:
    authority = make_org("Zhejiang Bureau", kind=OrgKind.authority, region_code="330000")
    for name, region in [("Hangzhou A", "330106"), ("Ningbo B", "330212"), ("Changsha C", "430105")]:
        make_org(name, region_code=region)
    headers = api_token(make_user(role=Role.authority_officer, org=authority))
    body = client.get("/api/v1/organisations?sort=-name&per_page=2", headers=headers).json()
    assert body["total"] == 3 and body["pages"] == 2
    assert [item["name"] for item in body["items"]] == ["Zhejiang Bureau", "Ningbo B"]


def test_validation_errors_name_each_field_in_the_requested_language(
    client: TestClient, make_user: Callable[..., User], api_token: Callable[[User], dict[str, str]]
) -> None:
    headers = api_token(make_user(role=Role.admin))
    bad = {"name": "", "kind": "studio", "region_code": "12ab", "surprise": 1}
    zh = client.post("/api/v1/organisations", json=bad, headers=headers)
    assert zh.status_code == 422
    messages = {e["field"]: e["message"] for e in zh.json()["errors"]}
    assert messages["name"] == "至少需要 1 个字符。"
    assert messages["kind"].startswith("必须是以下之一")
    assert messages["region_code"] == "格式不正确。"
    assert messages["surprise"] == "未知字段。"
    en = client.post(
        "/api/v1/organisations", json=bad, headers={**headers, "Accept-Language": "en-GB,en;q=0.9"}
    )
    assert {e["field"]: e["message"] for e in en.json()["errors"]}["name"] == "Must be at least 1 characters."
    broken = client.post(
        "/api/v1/organisations",
        content=b"{not json",
        headers={**headers, "Content-Type": "application/json", "Accept-Language": "en"},
    )
    assert (
        broken.status_code == 422
        and broken.json()["errors"][0]["message"] == "The request body is not valid JSON."
    )


def test_enterprise_staff_can_edit_their_organisation_but_not_its_region(
    client: TestClient,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    api_token: Callable[[User], dict[str, str]],
) -> None:
    own, other = make_org("Mine"), make_org("Theirs")
    headers = api_token(make_user(org=own))
    assert (
        client.patch(
            f"/api/v1/organisations/{own.id}", json={"contact_email": "hi@mine.cn"}, headers=headers
        ).json()["contact_email"]
        == "hi@mine.cn"
    )
    refused = client.patch(f"/api/v1/organisations/{own.id}", json={"region_code": "430105"}, headers=headers)
    assert refused.status_code == 403 and refused.json()["errors"][0]["field"] == "region_code"
    assert client.get(f"/api/v1/organisations/{other.id}", headers=headers).status_code == 404
    assert (
        client.post(
            "/api/v1/organisations",
            json={"name": "New", "kind": "enterprise", "region_code": "330106"},
            headers=headers,
        ).status_code
        == 403
    )


def test_authority_cannot_register_outside_its_jurisdiction(
    client: TestClient,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    api_token: Callable[[User], dict[str, str]],
) -> None:
    city = make_org("Hangzhou Bureau", kind=OrgKind.authority, region_code="330100")
    headers = api_token(make_user(role=Role.authority_officer, org=city))
    inside = client.post(
        "/api/v1/organisations",
        json={"name": "Binjiang Co", "kind": "enterprise", "region_code": "330108"},
        headers=headers,
    )
    assert inside.status_code == 201
    outside = client.post(
        "/api/v1/organisations",
        json={"name": "Ningbo Co", "kind": "enterprise", "region_code": "330212"},
        headers=headers,
    )
    assert outside.status_code == 403
    duplicate = client.post(
        "/api/v1/organisations",
        json={"name": "Binjiang Co", "kind": "enterprise", "region_code": "330108"},
        headers=headers,
    )
    assert duplicate.status_code == 409


def test_users_api_admin_only_writes(
    client: TestClient,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    api_token: Callable[[User], dict[str, str]],
) -> None:
    org = make_org()
    admin_headers = api_token(make_user(role=Role.admin, org=org))
    created = client.post(
        "/api/v1/users",
        json={
            "username": "new.staff",
            "display_name": "New Staff",
            "password": "long-enough-1",
            "role": "enterprise_staff",
            "org_id": org.id,
        },
        headers=admin_headers,
    )
    assert created.status_code == 201 and "password" not in created.json()
    staff_headers = api_token(make_user(org=org))
    promoted = client.patch(
        f"/api/v1/users/{created.json()['id']}", json={"role": "admin"}, headers=staff_headers
    )
    assert promoted.status_code == 403
    short = client.post(
        "/api/v1/users",
        json={"username": "x", "display_name": "X", "password": "short", "role": "admin", "org_id": org.id},
        headers=admin_headers,
    )
    assert {e["field"] for e in short.json()["errors"]} == {"username", "password"}


def test_cookie_session_writes_to_the_api_need_the_csrf_header(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    from tests.conftest import login

    token = login(client, make_user(role=Role.admin).username)
    body = {"name": "Via Browser", "kind": "other", "region_code": "330000"}
    assert client.post("/api/v1/organisations", json=body).status_code == 403
    assert client.post("/api/v1/organisations", json=body, headers={"X-CSRF-Token": token}).status_code == 201


def test_healthz_and_openapi(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/organisations" in spec["paths"] and "/api/v1/jobs" in spec["paths"]
