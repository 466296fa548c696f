from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Role, User
from avbase.core.audit import AuditEntry
from tests.conftest import PASSWORD, csrf_from, login


def test_pages_redirect_to_login_and_back(client: TestClient, make_user: Callable[..., User]) -> None:
    user = make_user(role=Role.admin)
    response = client.get("/organisations?page=2", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/organisations%3Fpage%3D2"
    page = client.get(response.headers["location"])
    signed_in = client.post(
        "/login",
        data={
            "username": user.username,
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
            "next": "/organisations?page=2",
        },
        follow_redirects=False,
    )
    assert signed_in.headers["location"] == "/organisations?page=2"


def test_wrong_password_is_refused_and_audited(
    client: TestClient, db: Session, make_user: Callable[..., User]
) -> None:
    user = make_user()
    page = client.get("/login")
    response = client.post(
        "/login",
        data={"username": user.username, "password": "nope-nope", "csrf_token": csrf_from(page.text)},
    )
    assert response.status_code == 401
    assert "用户名或密码错误" in response.text
    assert db.scalar(select(AuditEntry).where(AuditEntry.action == "login_failed")) is not None


def test_login_is_rate_limited_after_repeated_failures(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    token = csrf_from(client.get("/login").text)
    for _ in range(5):
        client.post("/login", data={"username": user.username, "password": "wrong-pass", "csrf_token": token})
    # Even the right password is refused until the window passes.
    response = client.post(
        "/login",
        data={"username": user.username, "password": PASSWORD, "csrf_token": token},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 429
    assert "Too many failed logins" in response.text


def test_login_and_forms_require_the_csrf_token(client: TestClient, make_user: Callable[..., User]) -> None:
    user = make_user(role=Role.admin)
    client.get("/login")
    refused = client.post("/login", data={"username": user.username, "password": PASSWORD})
    assert refused.status_code == 403
    login(client, user.username)
    forged = client.post(
        "/organisations/new",
        data={"name": "x", "kind": "enterprise", "region_code": "330000", "csrf_token": "forged"},
    )
    assert forged.status_code == 403


def test_logout_ends_the_session(client: TestClient, make_user: Callable[..., User]) -> None:
    user = make_user()
    token = login(client, user.username)
    old_cookie = client.cookies.get("avbase_session")
    client.post("/logout", data={"csrf_token": token})
    client.cookies.set("avbase_session", old_cookie or "")
    assert client.get("/", follow_redirects=False).status_code == 303


def test_api_tokens_authenticate_and_can_be_revoked(
    client: TestClient, make_user: Callable[..., User], api_token: Callable[[User], dict[str, str]]
) -> None:
    user = make_user()
    headers = api_token(user)
    me = client.get("/api/v1/me", headers=headers)
    assert me.status_code == 200 and me.json()["username"] == user.username
    token_id = client.get("/api/v1/tokens", headers=headers).json()[0]["id"]
    assert client.delete(f"/api/v1/tokens/{token_id}", headers=headers).status_code == 204
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert client.get("/api/v1/me").status_code == 401


def test_disabled_users_cannot_sign_in(
    client: TestClient, db: Session, make_user: Callable[..., User]
) -> None:
    user = make_user()
    user.is_active = False
    db.commit()
    page = client.get("/login")
    response = client.post(
        "/login", data={"username": user.username, "password": PASSWORD, "csrf_token": csrf_from(page.text)}
    )
    assert response.status_code == 401
