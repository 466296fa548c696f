from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import LoginAttempt, Role, User
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


def test_failed_logins_from_one_client_never_lock_the_owner_out(
    db: Session, make_user: Callable[..., User]
) -> None:
    from avbase.core.accounts.service import authenticate
    from avbase.core.errors import RateLimited, Unauthenticated

    admin = make_user(role=Role.admin)
    waits = []
    for _ in range(8):
        try:
            authenticate(db, username=admin.username, password="guess-guess", ip="203.0.113.9")
        except Unauthenticated:
            pass
        except RateLimited as limited:
            waits.append(limited.params["seconds"])
            # The refused try still counts, as the attacker keeps trying.
            db.add(LoginAttempt(username=admin.username, ip="203.0.113.9", succeeded=False))
        db.commit()
    assert waits and waits == sorted(waits)  # the attacker waits, longer each time
    # The owner, from their own address, signs in at once with the right password.
    assert authenticate(db, username=admin.username, password=PASSWORD, ip="198.51.100.20").id == admin.id


def test_a_password_change_ends_the_other_sessions_and_tokens(
    client: TestClient,
    db: Session,
    make_user: Callable[..., User],
    api_token: Callable[[User], dict[str, str]],
) -> None:
    from avbase.app import create_app

    user = make_user()
    keeper, other_token = api_token(user), api_token(user)
    with TestClient(
        create_app(client.app.state.engine, run_worker=False), base_url="http://testserver"
    ) as elsewhere:
        login(elsewhere, user.username)
        assert elsewhere.get("/account", follow_redirects=False).status_code == 200
        url = f"/api/v1/users/{user.id}"
        assert client.patch(url, json={"password": "new-secret-99"}, headers=keeper).status_code == 403
        wrong = client.patch(
            url, json={"password": "new-secret-99", "current_password": "nope"}, headers=keeper
        )
        assert wrong.status_code == 403 and wrong.json()["errors"][0]["field"] == "current_password"
        changed = client.patch(
            url, json={"password": "new-secret-99", "current_password": PASSWORD}, headers=keeper
        )
        assert changed.status_code == 200
        assert client.get("/api/v1/me", headers=keeper).status_code == 200  # the token that made the change
        assert client.get("/api/v1/me", headers=other_token).status_code == 401
        assert elsewhere.get("/account", follow_redirects=False).status_code == 303  # signed out


def test_an_administrators_reset_ends_all_the_users_sessions(
    client: TestClient, make_user: Callable[..., User], api_token: Callable[[User], dict[str, str]]
) -> None:
    admin, user = make_user(role=Role.admin), make_user()
    theirs = api_token(user)
    reset = client.patch(
        f"/api/v1/users/{user.id}", json={"password": "reset-by-admin-1"}, headers=api_token(admin)
    )
    assert reset.status_code == 200
    assert client.get("/api/v1/me", headers=theirs).status_code == 401


def test_the_account_page_changes_the_password_once_the_current_one_is_given(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    user = make_user()
    csrf = login(client, user.username)
    form = {"csrf_token": csrf, "current_password": "not-it-at-all", "new_password": "brand-new-secret-7"}
    wrong = client.post("/account/password", data=form, headers={"Accept-Language": "en"})
    assert wrong.status_code == 422 and "The current password is wrong." in wrong.text
    changed = client.post("/account/password", data={**form, "current_password": PASSWORD})
    assert changed.status_code == 200
    client.post("/logout", data={"csrf_token": csrf})
    login(client, user.username, "brand-new-secret-7")
