"""Headers every response carries, body limits, and cookies over HTTPS."""

from __future__ import annotations

import socket
from collections.abc import Callable
from urllib.parse import urlsplit

from fastapi.testclient import TestClient

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.settings import Settings
from tests.conftest import login
from tests.web.conftest import LiveServer


def test_pages_and_the_api_send_the_security_headers(client: TestClient) -> None:
    for url in ("/login", "/api/v1/openapi.json", "/healthz", "/static/app.js"):
        headers = client.get(url).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self';" in policy and "frame-ancestors 'none'" in policy, url
        assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"
        assert headers["referrer-policy"] == "same-origin"


def test_no_page_template_carries_inline_script() -> None:
    """The policy forbids inline script; a template that had some would silently stop working."""
    import re
    from pathlib import Path

    import avbase

    root = Path(avbase.__file__).parent
    offenders = []
    for template in root.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(r"\son[a-z]+=\"", text):
            offenders.append(template.relative_to(root).as_posix())
    assert offenders == []


def test_a_body_over_the_route_limit_is_refused_before_it_is_read(live_server: LiveServer) -> None:
    base, _database, auth = live_server
    address = urlsplit(base)
    with socket.create_connection((address.hostname or "", address.port or 80), timeout=10) as raw:
        # 10 GB declared, not a byte of it sent: the answer comes at once.
        raw.sendall(
            b"POST /api/v1/media/assets HTTP/1.1\r\nHost: x\r\n"
            + f"Authorization: {auth['Authorization']}\r\n".encode()
            + b"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: 10000000000\r\n\r\n"
        )
        status_line = raw.recv(200).split(b"\r\n")[0]
    assert b" 413 " in status_line


def test_forms_and_json_have_a_small_limit_and_uploads_their_own(client: TestClient) -> None:
    response = client.post("/api/v1/organisations", content=b"{" + b" " * (3 << 20) + b"}",
                           headers={"Content-Type": "application/json"})  # fmt: skip
    assert response.status_code == 413 and response.json()["detail"]


def test_cookies_are_https_only_by_default_when_the_base_url_is_https() -> None:
    assert Settings(base_url="https://avbase.example.cn").cookies_https_only
    assert not Settings(base_url="http://127.0.0.1:8000").cookies_https_only
    assert not Settings(base_url="https://avbase.example.cn", secure_cookies=False).cookies_https_only


def test_a_nul_character_in_a_query_or_a_form_is_refused_naming_the_field(
    client: TestClient, make_user: Callable[..., User], api_token: Callable[[User], dict[str, str]]
) -> None:
    officer = make_user(role=Role.admin)
    answer = client.get("/api/v1/industry/kpi?scheme=%00", headers=api_token(officer))
    assert answer.status_code == 400 and answer.json()["errors"][0]["field"] == "scheme"
    csrf = login(client, officer.username)
    page = client.post(
        "/organisations/new", data={"csrf_token": csrf, "name": "a\x00b", "kind": "enterprise"}
    )
    assert page.status_code == 400
    # a multipart form whose fields the route reads with Form(): the note beside an uploaded file
    multipart = client.post(
        "/ecosystem/contests/1/submit",
        data={"csrf_token": csrf, "note": "第一次\x00提交"},
        files={"file": ("guess.json", b"{}", "application/json")},
    )
    assert multipart.status_code == 400 and "note" in multipart.text


def test_refused_uploads_leave_nothing_on_disk_and_bad_references_are_4xx(
    client: TestClient, make_user: Callable[..., User], make_org: Callable[..., Organisation],
    api_token: Callable[[User], dict[str, str]],
) -> None:  # fmt: skip
    from avbase.settings import get_settings

    uploads = get_settings().var_dir / "uploads"
    before = set(uploads.glob("*")) if uploads.exists() else set()
    reader = api_token(make_user(role=Role.reviewer))
    for _ in range(3):  # an application that does not exist, from an account that may not attach
        refused = client.post(
            "/api/v1/policy/applications/999999/attachments",
            files={"file": ("证明.pdf", b"%PDF-1.4 " + b"x" * (1 << 20))},
            data={"evidence": "x"},
            headers=reader,
        )
        assert 400 <= refused.status_code < 500
    assert (set(uploads.glob("*")) if uploads.exists() else set()) == before

    admin = api_token(make_user(role=Role.admin))
    authority = make_org("浙江省广电局", kind=OrgKind.authority, region_code="330000")
    unknown_document = client.put(
        "/api/v1/policy/routes",
        json={"document": "nope", "unit": "省财政厅", "org_id": authority.id},
        headers=admin,
    )
    assert unknown_document.status_code == 404 and unknown_document.json()["errors"][0]["field"] == "document"
