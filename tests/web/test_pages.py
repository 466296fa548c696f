from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.audit import AuditEntry
from tests.conftest import login

HAN = re.compile(r"[\u4e00-\u9fff]")
PAGES = [
    "/",
    "/organisations",
    "/users",
    "/jobs",
    "/audit",
    "/account",
    "/-/patterns",
    "/organisations/new",
    "/users/new",
]


def test_every_page_renders_for_an_admin_in_both_languages(
    client: TestClient, make_user: Callable[..., User]
) -> None:
    admin = make_user("root", role=Role.admin)
    login(client, admin.username)
    for path in PAGES:
        client.cookies.set("avbase_locale", "zh_Hans")
        zh = client.get(path)
        assert zh.status_code == 200, path
        assert "工作台" in zh.text
        client.cookies.set("avbase_locale", "en")
        en = client.get(path)
        assert en.status_code == 200, path
        # Test data is ASCII, so any Han character left on an English page is an untranslated string.
        leftovers = set(HAN.findall(en.text.replace("中文", "")))
        assert not leftovers, f"{path}: {sorted(leftovers)[:10]}"


def test_language_switch_is_remembered_for_the_user(
    client: TestClient, db: Session, make_user: Callable[..., User]
) -> None:
    user = make_user()
    token = login(client, user.username)
    response = client.post(
        "/-/locale", data={"locale": "en", "next": "/jobs", "csrf_token": token}, follow_redirects=False
    )
    assert response.headers["location"] == "/jobs"
    assert ">Jobs<" in client.get("/jobs").text
    db.expire_all()
    assert db.get(User, user.id).locale == "en"  # type: ignore[union-attr]


def test_enterprise_staff_see_only_their_own_organisation(
    client: TestClient, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> None:
    own = make_org("Own Studio")
    other = make_org("Other Studio")
    login(client, make_user(org=own).username)
    listing = client.get("/organisations").text
    assert "Own Studio" in listing and "Other Studio" not in listing
    assert client.get(f"/organisations/{other.id}").status_code == 404
    assert client.get("/audit").status_code == 403
    assert client.get("/users").status_code == 403


def test_tables_sort_and_page(
    client: TestClient, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> None:
    admin = make_user(role=Role.admin, org=make_org("AAA Admin Office", kind=OrgKind.other))
    for index in range(25):
        make_org(f"Studio {index:02d}")
    login(client, admin.username)
    first = client.get("/organisations?sort=-name&per_page=10").text
    names = re.findall(r'href="/organisations/\d+">([^<]+)<', first)
    assert names[:3] == ["Studio 24", "Studio 23", "Studio 22"]
    assert "共 26 条 · 第 1/3 页" in first
    last = client.get("/organisations?sort=-name&per_page=10&page=3").text
    assert re.findall(r'href="/organisations/\d+">([^<]+)<', last) == [
        "Studio 04",
        "Studio 03",
        "Studio 02",
        "Studio 01",
        "Studio 00",
        "AAA Admin Office",
    ]
    partial = client.get("/organisations?sort=name", headers={"HX-Request": "true"}).text
    assert "<html" not in partial and "AAA Admin Office" in partial


@pytest.mark.parametrize(
    ("lang", "required", "region"),
    [
        ("zh_Hans", "此项为必填项。", "未知的 GB/T 2260 行政区划代码。"),
        ("en", "This field is required.", "Unknown GB/T 2260 region code."),
    ],
)
def test_form_errors_are_shown_inline_in_the_users_language(
    client: TestClient, make_user: Callable[..., User], lang: str, required: str, region: str
) -> None:
    token = login(client, make_user(role=Role.admin).username)
    client.cookies.set("avbase_locale", lang)
    response = client.post(
        "/organisations/new",
        data={"name": "", "kind": "enterprise", "region_code": "339999", "csrf_token": token},
    )
    assert response.status_code == 422
    assert f'<div class="error" id="e-name" role="alert">{required}</div>' in response.text
    assert f'<div class="error" id="e-region_code" role="alert">{region}</div>' in response.text


def test_creating_and_editing_an_organisation_through_the_forms_is_audited(
    client: TestClient, db: Session, make_user: Callable[..., User]
) -> None:
    admin = make_user(role=Role.admin)
    token = login(client, admin.username)
    created = client.post(
        "/organisations/new",
        data={"name": "西溪光影", "kind": "enterprise", "region_code": "330106", "csrf_token": token},
        follow_redirects=False,
    )
    assert created.status_code == 303
    org = db.scalar(select(Organisation).where(Organisation.name == "西溪光影"))
    assert org is not None
    edited = client.post(
        f"/organisations/{org.id}/edit",
        data={"name": "西溪光影传媒", "kind": "enterprise", "region_code": "330106", "csrf_token": token},
        follow_redirects=False,
    )
    assert edited.status_code == 303
    change = db.scalar(
        select(AuditEntry).where(AuditEntry.entity_type == "organisations", AuditEntry.action == "update")
    )
    assert change is not None and change.actor_name == admin.username
    assert change.before == {"name": "西溪光影"} and change.after == {"name": "西溪光影传媒"}
    assert "西溪光影传媒" in client.get("/audit?entity_type=organisations").text


def test_duplicate_name_is_an_inline_error_not_a_crash(
    client: TestClient, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> None:
    make_org("Taken Name")
    token = login(client, make_user(role=Role.admin).username)
    response = client.post(
        "/organisations/new",
        data={"name": "Taken Name", "kind": "enterprise", "region_code": "330106", "csrf_token": token},
    )
    assert response.status_code == 422
    assert 'id="e-name"' in response.text and "已存在同名组织" in response.text


def test_job_pages_poll_while_running_and_stop_when_finished(
    client: TestClient, db: Session, make_user: Callable[..., User]
) -> None:
    from avbase.core.jobs import JobState, enqueue

    admin = make_user(role=Role.admin)
    login(client, admin.username)
    job = enqueue(db, kind="demo.load", title="Load demo data")
    db.commit()
    live = client.get(f"/jobs/{job.id}", headers={"HX-Request": "true"}).text
    assert 'hx-trigger="every 1s"' in live and "排队中" in live
    job.state = JobState.succeeded
    job.progress = 1.0
    db.commit()
    finished = client.get(f"/jobs/{job.id}", headers={"HX-Request": "true"}).text
    assert "hx-trigger" not in finished and "已完成" in finished


def test_workbench_shows_only_the_users_own_jobs_and_no_platform_health(
    client: TestClient, db: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> None:
    from avbase.core.accounts.principal import Principal
    from avbase.core.jobs import service as jobs

    own, other = make_org("Own studio"), make_org("Other studio")
    staff = make_user(org=own)
    jobs.enqueue(db, kind="demo.load", title="Mine", principal=Principal.of(staff))
    for _ in range(2):
        jobs.enqueue(db, kind="demo.load", title="Theirs", principal=Principal.of(make_user(org=other)))
    db.commit()
    login(client, staff.username)
    page = client.get("/").text
    assert "Mine" in page and "Theirs" not in page
    assert 'data-testid="inbox"' in page
    assert 'data-testid="health"' not in page  # platform health is the administrator's


@pytest.mark.parametrize(
    ("role", "link"),
    [(Role.reviewer, "/review"), (Role.creator, "/ecosystem/contests"), (Role.enterprise_staff, "/chain")],
)
def test_the_home_page_offers_each_role_its_everyday_tasks(
    client: TestClient, make_user: Callable[..., User], role: Role, link: str
) -> None:
    user = make_user(role=role)
    login(client, user.username)
    home = client.get("/").text
    assert 'data-testid="role-tasks"' in home and f'href="{link}"' in home
    assert client.get(link).status_code == 200  # a task it is offered, it may open
