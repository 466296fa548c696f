"""Units routed by their own province's authorities; measures apply where their document does; forms and
writes only for those who may use them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.errors import AvbaseError, Conflict, Forbidden
from avbase.policy import applications as apps
from avbase.policy import service
from avbase.policy.demo import attach_evidence
from avbase.policy.models import ApplicationState
from tests.conftest import login

ZJ_MEASURE = "zj2024.5.public-platforms"  # the Zhejiang text names no unit: the competent department
HN_MEASURE = "hn2023.6.demonstration"


@dataclass
class Provinces:
    zj_officer: User
    hn_officer: User
    zj_bureau: Organisation
    hn_bureau: Organisation
    zj_staff: User
    hn_staff: User


@pytest.fixture
def provinces(
    catalogue: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> Provinces:
    zj_bureau = make_org("浙江省广播电视局", kind=OrgKind.authority, region_code="330000")
    hn_bureau = make_org("湖南省工业和信息化厅", kind=OrgKind.authority, region_code="430000")
    return Provinces(
        make_user(role=Role.authority_officer, org=zj_bureau),
        make_user(role=Role.authority_officer, org=hn_bureau),
        zj_bureau,
        hn_bureau,
        make_user(role=Role.enterprise_staff, org=make_org("之江影视", region_code="330106")),
        make_user(role=Role.enterprise_staff, org=make_org("芒果声像", region_code="430105")),
    )


def test_each_province_routes_only_its_own_documents_units(catalogue: Session, provinces: Provinces) -> None:
    db = catalogue
    zj, hn = Principal.of(provinces.zj_officer), Principal.of(provinces.hn_officer)
    assert apps.document_units(db, "zj2024") == ["主管部门"]
    with pytest.raises(Forbidden):
        apps.route_unit(db, zj, document="hn2023", unit="省工业和信息化厅", org_id=provinces.zj_bureau.id)
    with pytest.raises(Forbidden):
        apps.route_unit(db, hn, document="zj2024", unit="主管部门", org_id=provinces.hn_bureau.id)
    with pytest.raises(Conflict) as outside:
        apps.route_unit(db, zj, document="zj2024", unit="主管部门", org_id=provinces.hn_bureau.id)
    assert outside.value.field == "org_id"
    with pytest.raises(AvbaseError) as unknown:
        apps.route_unit(db, zj, document="zj2024", unit="省财政厅", org_id=provinces.zj_bureau.id)
    assert unknown.value.field == "unit"
    apps.route_unit(db, zj, document="zj2024", unit="主管部门", org_id=provinces.zj_bureau.id)
    apps.route_unit(db, hn, document="hn2023", unit="省工业和信息化厅", org_id=provinces.hn_bureau.id)
    assert apps.routes(db, "zj2024") == {"主管部门": provinces.zj_bureau.id}


def test_a_zhejiang_measure_is_refused_before_its_unit_is_routed_and_submitted_after(
    catalogue: Session, provinces: Provinces
) -> None:
    db = catalogue
    staff = Principal.of(provinces.zj_staff)
    with pytest.raises(Conflict) as unrouted:
        apps.create_application(db, staff, measure_id=ZJ_MEASURE, item="视听公共服务平台", facts={})
    assert "主管部门" in unrouted.value.params["unit"]
    zj = Principal.of(provinces.zj_officer)
    apps.route_unit(db, zj, document="zj2024", unit="主管部门", org_id=provinces.zj_bureau.id)
    made = apps.create_application(db, staff, measure_id=ZJ_MEASURE, item="视听公共服务平台", facts={})
    attach_evidence(db, staff, made.id)
    submitted = apps.submit(db, staff, made.id, on=date(2025, 3, 1))
    assert submitted.state is ApplicationState.lead_review
    assert [(r.unit, r.org_id) for r in submitted.reviews] == [("主管部门", provinces.zj_bureau.id)]


def test_an_enterprise_applies_only_where_the_measure_applies(
    catalogue: Session, provinces: Provinces
) -> None:
    db = catalogue
    hn = Principal.of(provinces.hn_officer)
    for unit in ("省工业和信息化厅", "省委宣传部", "省广电局", "省财政厅", "各市州人民政府"):
        apps.route_unit(db, hn, document="hn2023", unit=unit, org_id=provinces.hn_bureau.id)
    with pytest.raises(Forbidden) as refused:
        apps.create_application(
            db,
            Principal.of(provinces.zj_staff),
            measure_id=HN_MEASURE,
            item="示范项目",
            facts={"assessed_amount": "100"},
        )
    assert refused.value.params["region"] == "湖南省" and refused.value.params["org"] == "之江影视"
    made = apps.create_application(
        db,
        Principal.of(provinces.hn_staff),
        measure_id=HN_MEASURE,
        item="示范项目",
        facts={"assessed_amount": "100"},
    )
    assert made.measure.region_code == "430000"


def test_only_the_documents_province_amends_its_caps(catalogue: Session, provinces: Provinces) -> None:
    db = catalogue
    zj, hn = Principal.of(provinces.zj_officer), Principal.of(provinces.hn_officer)
    amendment = {"name": "cap", "value": "1500000", "effective_from": date(2026, 1, 1)}
    with pytest.raises(Forbidden):
        service.amend_parameter(db, zj, HN_MEASURE, **amendment)  # type: ignore[arg-type]
    service.amend_parameter(db, hn, HN_MEASURE, **amendment)  # type: ignore[arg-type]


def test_the_routes_page_assigns_a_unit_and_shows_forms_only_to_the_documents_authorities(
    client: TestClient, catalogue: Session, provinces: Provinces
) -> None:
    csrf = login(client, provinces.zj_officer.username)
    page = client.get("/policy/routes").text
    assert 'name="document" value="zj2024"' in page and 'name="document" value="hn2023"' not in page
    assert "浙江省广播电视局" in page
    hunan = {
        "csrf_token": csrf,
        "document": "hn2023",
        "unit": "省工业和信息化厅",
        "org_id": provinces.zj_bureau.id,
    }
    assert client.post("/policy/routes", data=hunan).status_code == 403
    form = {"csrf_token": csrf, "document": "zj2024", "unit": "主管部门", "org_id": provinces.zj_bureau.id}
    done = client.post("/policy/routes", data=form, follow_redirects=False)
    assert done.status_code == 303
    shown = client.get(done.headers["location"]).text
    assert 'data-testid="flash"' in shown and "浙江省广播电视局" in shown
    assert 'data-testid="flash"' not in client.get("/policy/routes").text  # shown once
    # the measure page: a Hunan measure shows a Zhejiang officer no amendment form, and the write is refused
    measure = client.get(f"/policy/measures/{HN_MEASURE}").text
    assert 'action="/policy/measures/hn2023.6.demonstration/parameters"' not in measure
    amend = {"csrf_token": csrf, "name": "cap", "value": "1", "effective_from": "2026-01-01"}
    assert client.post(f"/policy/measures/{HN_MEASURE}/parameters", data=amend).status_code == 403
    csrf = login(client, provinces.hn_officer.username)
    assert (
        'action="/policy/measures/hn2023.6.demonstration/parameters"'
        in client.get(f"/policy/measures/{HN_MEASURE}").text
    )
    assert client.post("/policy/routes", data={**form, "csrf_token": csrf}).status_code == 403
    login(client, provinces.zj_staff.username)
    assert client.get("/policy/routes").status_code == 403


def test_the_measure_page_says_when_nobody_can_apply_yet(
    client: TestClient, catalogue: Session, provinces: Provinces
) -> None:
    login(client, provinces.zj_staff.username)
    page = client.get(f"/policy/measures/{ZJ_MEASURE}").text
    assert 'data-testid="unrouted"' in page and 'data-testid="apply"' not in page
    hunan = client.get(f"/policy/measures/{HN_MEASURE}").text
    assert 'data-testid="outside-region"' in hunan and 'data-testid="apply"' not in hunan
    apps.route_unit(
        catalogue, Principal.of(provinces.zj_officer), document="zj2024", unit="主管部门",
        org_id=provinces.zj_bureau.id,
    )  # fmt: skip
    catalogue.commit()
    page = client.get(f"/policy/measures/{ZJ_MEASURE}").text
    assert 'data-testid="unrouted"' not in page and 'data-testid="apply"' in page


def test_reviewers_see_the_applicants_region(
    client: TestClient, catalogue: Session, provinces: Provinces
) -> None:
    db = catalogue
    zj = Principal.of(provinces.zj_officer)
    apps.route_unit(db, zj, document="zj2024", unit="主管部门", org_id=provinces.zj_bureau.id)
    staff = Principal.of(provinces.zj_staff)
    made = apps.create_application(db, staff, measure_id=ZJ_MEASURE, item="公共服务平台", facts={})
    attach_evidence(db, staff, made.id)
    apps.submit(db, staff, made.id, on=date(2025, 3, 1))
    db.commit()
    login(client, provinces.zj_officer.username)
    page = client.get(f"/policy/applications/{made.id}").text
    assert "浙江省杭州市西湖区" in page and 'data-testid="outside-region"' not in page
    assert "浙江省杭州市西湖区" in client.get("/policy/applications").text


def test_the_rest_api_refuses_routing_another_provinces_units(
    client: TestClient, catalogue: Session, provinces: Provinces, api_token: Callable[[User], dict[str, str]]
) -> None:
    route = {"document": "hn2023", "unit": "省工业和信息化厅", "org_id": provinces.hn_bureau.id}
    assert (
        client.put("/api/v1/policy/routes", json=route, headers=api_token(provinces.zj_officer)).status_code
        == 403
    )
    assert (
        client.put("/api/v1/policy/routes", json=route, headers=api_token(provinces.hn_officer)).status_code
        == 204
    )


def test_the_policy_pages_show_no_raw_codes_in_either_language(
    client: TestClient, catalogue: Session, provinces: Provinces
) -> None:
    from tests.industry.test_raw_codes import raw_codes, visible_text

    db = catalogue
    apps.route_unit(
        db,
        Principal.of(provinces.zj_officer),
        document="zj2024",
        unit="主管部门",
        org_id=provinces.zj_bureau.id,
    )
    staff = Principal.of(provinces.zj_staff)
    facts = {"rnd_expense": "600000", "revenue": "10000000"}
    made = apps.create_application(
        db, staff, measure_id="zj2024.11.key-support-list", item="研发清单", facts=facts
    )
    attach_evidence(db, staff, made.id)
    apps.submit(db, staff, made.id, on=date(2025, 3, 1))
    db.commit()
    login(client, provinces.zj_officer.username)
    problems = {}
    for path in (
        "/policy", "/policy/routes", "/policy/applications", f"/policy/applications/{made.id}",
        "/policy/measures/hn2023.4.rnd-center", "/policy/measures/zj2024.11.key-support-list",
        "/policy/measures/hn2023.8.training-base", "/policy/reports",
    ):  # fmt: skip
        for lang in ("zh_Hans", "en"):
            response = client.get(f"{path}?lang={lang}")
            assert response.status_code == 200, path
            assert ('<html lang="en">' in response.text) is (lang == "en")
            if codes := raw_codes(visible_text(response.text), chinese=lang == "zh_Hans"):
                problems[f"{path} {lang}"] = codes
    assert problems == {}
