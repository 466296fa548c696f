"""The industry REST API: registry, reports and corrections, monitoring views, permissions, exports."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.industry import index_service, kpi, ranking
from avbase.industry.credit_code import make_credit_code
from avbase.industry.models import Cluster, Enterprise, IndexRun, Report
from avbase.industry.reports import file_report
from avbase.industry.schemas import ReportIn

ON = date(2026, 11, 22)
Headers = Callable[[User], dict[str, str]]


def test_an_officer_registers_an_enterprise_and_a_wrong_check_character_names_the_field(
    client: TestClient, officer_user: User, api_token: Headers
) -> None:
    headers = api_token(officer_user)
    good = make_credit_code("330106", 77)
    body = {"name": "钱塘影视有限公司", "credit_code": good, "region_code": "330106", "cluster": "content"}
    created = client.post("/api/v1/industry/enterprises", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["credit_code"] == good

    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    refused = client.post(
        "/api/v1/industry/enterprises",
        json={**body, "name": "另一家", "credit_code": wrong},
        headers={**headers, "Accept-Language": "en"},
    )
    assert refused.status_code == 422
    error = refused.json()["errors"][0]
    assert error["field"] == "credit_code"
    assert good[-1] in error["message"]  # the message names the expected check character


def test_reports_are_filed_corrected_with_a_note_and_flagged_for_key_support(
    client: TestClient,
    db: Session,
    make_user: Callable[..., User],
    make_enterprise: Callable[..., Enterprise],
    api_token: Headers,
) -> None:
    enterprise = make_enterprise()
    db.commit()
    staff = make_user(role=Role.enterprise_staff, org=db.get(Organisation, enterprise.org_id))
    headers = api_token(staff)
    url = f"/api/v1/industry/enterprises/{enterprise.id}/reports"

    first = client.post(
        url, json={"period": "2025", "revenue_content": "1000.00", "rnd_expense": 50}, headers=headers
    )
    assert first.status_code == 201, first.text
    assert first.json()["corrected_version"] is None
    assert first.json()["report"]["revenue_total"] == "1000.00"  # yuan, as a decimal string

    no_note = client.post(
        url, json={"period": "2025", "revenue_content": 1000, "rnd_expense": 60}, headers=headers
    )
    assert no_note.status_code == 400
    assert no_note.json()["errors"][0]["field"] == "note"

    corrected = client.post(
        url,
        json={"period": "2025", "revenue_content": 1000, "rnd_expense": 60, "note": "audited"},
        headers=headers,
    )
    assert corrected.status_code == 201
    assert (corrected.json()["report"]["version"], corrected.json()["corrected_version"]) == (2, 1)

    history = client.get(url + "?history=true", headers=headers).json()
    assert [(r["version"], r["is_current"]) for r in history] == [(2, True), (1, False)]
    figures = client.get(f"/api/v1/industry/enterprises/{enterprise.id}/figures", headers=headers).json()
    # 60 / 1000 = 6 % > 5 %: on the ZJ 11 key support list; the first filing (5 %) was not above it.
    assert [(f["year"], f["rnd_expense"], f["key_support"]) for f in figures] == [(2025, "60.00", True)]

    bad = client.post(url, json={"period": "2024", "revenue_content": 10, "rnd_expense": 11}, headers=headers)
    assert bad.status_code == 422
    future = client.post(url, json={"period": "2099-Q1", "revenue_content": 10}, headers=headers)
    assert future.status_code == 400 and future.json()["errors"][0]["field"] == "period"


def test_enterprise_staff_see_only_their_own_enterprise_and_no_monitoring(
    client: TestClient,
    db: Session,
    make_user: Callable[..., User],
    make_enterprise: Callable[..., Enterprise],
    api_token: Headers,
) -> None:
    mine, other = make_enterprise(), make_enterprise()
    db.commit()
    headers = api_token(make_user(role=Role.enterprise_staff, org=db.get(Organisation, mine.org_id)))
    listed = client.get("/api/v1/industry/enterprises", headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [mine.id]
    assert client.get(f"/api/v1/industry/enterprises/{other.id}", headers=headers).status_code == 404
    assert client.get("/api/v1/industry/kpi?year=2025", headers=headers).status_code == 403
    assert (
        client.get("/api/v1/industry/rankings/saima-enterprise?group=content&period=2025", headers=headers)
    ).status_code == 403


def test_kpi_answers_in_yuan_and_rankings_stay_within_a_region(
    client: TestClient,
    db: Session,
    officer: Principal,
    officer_user: User,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    make_enterprise: Callable[..., Enterprise],
    api_token: Headers,
) -> None:
    kpi.load_default_targets(db)
    ranking.load_default_schemes(db)
    zj = make_enterprise(name="杭州甲")
    hn = make_enterprise(name="长沙乙", region_code="330106")
    for enterprise in (zj, hn):
        file_report(
            db, officer, enterprise, ReportIn(period="2025", revenue_content=Decimal("123456789.01")), on=ON
        )
    hn.organisation.region_code = "430105"  # moved to Hunan after filing
    db.commit()
    headers = api_token(officer_user)

    view = client.get("/api/v1/industry/kpi?year=2025", headers=headers).json()
    revenue = next(t for t in view["targets"] if t["key"] == "revenue_total")
    assert revenue["current"] == "123456789.01"  # Zhejiang only, in yuan
    assert revenue["target"] == "1000000000000.00"  # 1万亿

    url = "/api/v1/industry/rankings/saima-enterprise?group=content&period=2025"
    assert [r["name"] for r in client.get(url, headers=headers).json()["rows"]] == ["杭州甲"]
    admin = api_token(make_user(role=Role.admin))
    both = client.get(url, headers=admin).json()["rows"]
    assert sorted(r["name"] for r in both) == ["杭州甲", "长沙乙"]
    assert [r["name"] for r in client.get(url + "&region=43", headers=admin).json()["rows"]] == ["长沙乙"]
    # A Zhejiang officer may not look into Hunan.
    assert client.get(url + "&region=43", headers=headers).status_code == 403

    workbook = client.get(url.replace("saima-enterprise?", "saima-enterprise.xlsx?"), headers=headers)
    assert workbook.status_code == 200
    sheet = load_workbook(io.BytesIO(workbook.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[2][:2] == (1, "杭州甲") and len(rows) == 3


def test_the_index_reuses_a_run_until_its_inputs_change(
    client: TestClient,
    db: Session,
    officer: Principal,
    officer_user: User,
    make_enterprise: Callable[..., Enterprise],
    api_token: Headers,
) -> None:
    index_service.load_default_definitions(db)
    hangzhou, ningbo = make_enterprise(), make_enterprise(region_code="330212", cluster=Cluster.electronics)
    for enterprise, amount in ((hangzhou, 300), (ningbo, 100)):
        file_report(
            db, officer, enterprise, ReportIn(period="2025", revenue_content=amount, rnd_expense=10), on=ON
        )  # type: ignore[arg-type]
    db.commit()
    headers = api_token(officer_user)
    first = client.get("/api/v1/industry/index/zj-city?period=2025", headers=headers).json()
    again = client.get("/api/v1/industry/index/zj-city?period=2025", headers=headers).json()
    assert first["run"] == again["run"] and first["input_digest"] == again["input_digest"]
    assert [u["name"] for u in first["units"]] == ["杭州市", "宁波市"]
    for unit in first["units"]:  # every composite is the sum of its indicator contributions
        parts = [s["contribution"] for items in unit["indicators"].values() for s in items.values()]
        assert abs(sum(parts) - unit["composite"]) < 1e-9

    file_report(db, officer, ningbo, ReportIn(period="2025", revenue_content=900, note="restated"), on=ON)  # type: ignore[arg-type]
    db.commit()
    changed = client.get("/api/v1/industry/index/zj-city?period=2025", headers=headers).json()
    assert changed["run"] != first["run"] and changed["input_digest"] != first["input_digest"]
    assert db.scalar(select(func.count()).select_from(IndexRun)) == 2
    sensitivity = client.get("/api/v1/industry/index/zj-city/sensitivity?period=2025", headers=headers).json()
    assert "equal" in sensitivity["scenarios"] and len(sensitivity["rows"]) == 2


def test_exported_reports_import_back_unchanged_and_as_corrections(
    client: TestClient,
    db: Session,
    officer: Principal,
    officer_user: User,
    make_enterprise: Callable[..., Enterprise],
    api_token: Headers,
    tmp_path: object,
) -> None:
    from pathlib import Path

    from avbase.industry.imports import run_import

    enterprise = make_enterprise()
    file_report(
        db,
        officer,
        enterprise,
        ReportIn(period="2025-Q1", revenue_content=Decimal("10.05"), employees=3),
        on=ON,
    )
    file_report(db, officer, enterprise, ReportIn(period="2024", revenue_services=Decimal("7")), on=ON)  # type: ignore[arg-type]
    db.commit()
    response = client.get("/api/v1/industry/exports/reports.xlsx?year=2025", headers=api_token(officer_user))
    assert response.status_code == 200
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("统一社会信用代码", "企业名称", "行政区划代码", "期间")
    assert len(rows) == 2 and rows[1][3] == "2025-Q1" and Decimal(str(rows[1][4])) == Decimal("10.05")

    path = Path(str(tmp_path)) / "back.xlsx"
    path.write_bytes(response.content)
    result = run_import(db, officer, "reports", path, on=ON)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 1)  # the same figures correct nothing

    book = load_workbook(path)
    book.active["E2"], book.active["O2"] = 12.5, "restated after audit"
    book.save(path)
    result = run_import(db, officer, "reports", path, on=ON)
    assert (result.created, result.updated) == (0, 1)
    versions = db.scalars(
        select(Report.version).where(Report.enterprise_id == enterprise.id, Report.is_current)
    )
    assert sorted(versions) == [1, 2]  # 2024 untouched, 2025-Q1 re-filed as version 2


def test_project_milestones_are_added_completed_once_and_shown_overdue(
    client: TestClient,
    db: Session,
    officer_user: User,
    make_org: Callable[..., Organisation],
    api_token: Headers,
) -> None:
    headers = api_token(officer_user)
    project = client.post(
        "/api/v1/industry/projects",
        json={"name": "8K 制播基地", "tier": "head", "year_selected": 2025, "region_code": "330106",
              "years": [{"year": 2025, "planned": "100000000", "completed": "25000000"}]},
        headers=headers,
    )  # fmt: skip
    assert project.status_code == 201, project.text
    pid = project.json()["id"]
    milestone = client.post(
        f"/api/v1/industry/projects/{pid}/milestones",
        json={"title": "开工", "due_on": "2025-03-01"},
        headers=headers,
    )
    assert milestone.status_code == 201
    mid = milestone.json()["id"]
    done = client.post(
        f"/api/v1/industry/milestones/{mid}/done", json={"done_on": "2025-03-05"}, headers=headers
    )
    assert done.status_code == 200 and done.json()["done_on"] == "2025-03-05"
    again = client.post(
        f"/api/v1/industry/milestones/{mid}/done", json={"done_on": "2025-03-06"}, headers=headers
    )
    assert again.status_code == 409
    patched = client.patch(
        f"/api/v1/industry/projects/{pid}",
        json={
            "status": "in_progress",
            "years": [{"year": 2025, "planned": "100000000", "completed": "60000000"}],
        },
        headers=headers,
    )
    assert patched.json()["years"] == [{"year": 2025, "planned": "100000000.00", "completed": "60000000.00"}]
    assert patched.json()["status"] == "in_progress"
    staff = api_token(make_user_in(db, make_org))
    assert client.post(f"/api/v1/industry/projects/{pid}/milestones", json={"title": "x", "due_on": "2025-01-01"},
                       headers=staff).status_code == 403  # fmt: skip


def make_user_in(db: Session, make_org: Callable[..., Organisation]) -> User:
    from tests.conftest import _PASSWORD_HASH

    user = User(
        username="staff-x", display_name="S", password_hash=_PASSWORD_HASH, role=Role.enterprise_staff,
        org_id=make_org(kind=OrgKind.enterprise).id,
    )  # fmt: skip
    db.add(user)
    db.commit()
    return user


def test_parks_are_evaluated_in_versions_within_the_officers_region(
    client: TestClient,
    db: Session,
    officer: Principal,
    officer_user: User,
    make_enterprise: Callable[..., Enterprise],
    api_token: Headers,
) -> None:
    from avbase.industry import registry
    from avbase.industry.models import ParkLevel
    from avbase.industry.schemas import ParkIn

    park = registry.create_park(
        db, officer, ParkIn(name="之江基地", level=ParkLevel.national, region_code="330106")
    )
    for _ in range(3):
        member = make_enterprise(park_id=park.id)
        file_report(
            db,
            officer,
            member,
            ReportIn(period="2025", revenue_content=Decimal(10**8), rnd_expense=Decimal(5 * 10**6)),
            on=ON,
        )
    db.commit()
    headers = api_token(officer_user)
    first = client.post("/api/v1/industry/parks/evaluations?year=2025", headers=headers)
    assert first.status_code == 201, first.text
    (result,) = first.json()
    # 3 of 50 enterprises × 20 + 3亿 of 50亿 × 30 + no growth + 5 % ≥ 4 % R&D × 15 + no key enterprises
    assert result["score"] == pytest.approx(3 / 50 * 20 + 3e8 / 5e9 * 30 + 15)
    assert result["recommendation"] == "exit" and result["version"] == 1
    client.post("/api/v1/industry/parks/evaluations?year=2025", headers=headers)
    history = client.get(f"/api/v1/industry/parks/{park.id}/evaluations", headers=headers).json()
    assert [item["version"] for item in history] == [2, 1]
    assert (
        client.post("/api/v1/industry/parks/evaluations?year=2025&region=43", headers=headers).status_code
        == 403
    )


def test_projects_and_park_evaluations_are_seen_within_jurisdiction_only(
    client: TestClient,
    db: Session,
    officer: Principal,
    officer_user: User,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    make_enterprise: Callable[..., Enterprise],
    api_token: Headers,
) -> None:
    from avbase.industry import evaluation, registry
    from avbase.industry.models import ParkLevel
    from avbase.industry.schemas import ParkIn

    operator_org = make_org("之江运营", kind=OrgKind.park_operator, region_code="330106")
    park = registry.create_park(
        db, officer, ParkIn(name="之江基地", level=ParkLevel.national, region_code="330106",
                            operator_org_id=operator_org.id)
    )  # fmt: skip
    lead = make_enterprise("领军影业", park_id=park.id)
    other = make_enterprise("别家影业")
    db.commit()
    evaluation.evaluate_parks(db, officer, year=2025, region_prefix="33")
    db.commit()
    zj = api_token(officer_user)
    created = client.post(
        "/api/v1/industry/projects",
        json={"name": "8K 制播基地", "tier": "head", "year_selected": 2025, "region_code": "330106",
              "lead_credit_code": lead.credit_code, "park_id": park.id},
        headers=zj,
    )  # fmt: skip
    assert created.status_code == 201, created.text
    project = f"/api/v1/industry/projects/{created.json()['id']}"
    evaluations = f"/api/v1/industry/parks/{park.id}/evaluations"
    hunan = api_token(
        make_user(role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="430000"))
    )
    lead_staff = api_token(make_user(role=Role.enterprise_staff, org=db.get(Organisation, lead.org_id)))
    other_staff = api_token(make_user(role=Role.enterprise_staff, org=db.get(Organisation, other.org_id)))
    operator = api_token(make_user(role=Role.park_operator, org=operator_org))

    for allowed in (zj, lead_staff, operator):
        assert client.get(project, headers=allowed).status_code == 200
        assert client.get("/api/v1/industry/projects", headers=allowed).json()["total"] == 1
    for refused in (hunan, other_staff):
        assert client.get(project, headers=refused).status_code == 404
        assert client.get("/api/v1/industry/projects", headers=refused).json()["total"] == 0
    assert len(client.get(evaluations, headers=zj).json()) == 1
    assert len(client.get(evaluations, headers=operator).json()) == 1
    assert client.get(evaluations, headers=hunan).status_code == 404
    assert client.get(evaluations, headers=lead_staff).status_code == 403  # sees its park, not its score
    assert client.get(f"/api/v1/industry/parks/{park.id}", headers=other_staff).status_code == 404
