"""The policy catalogue over REST and on the web: quotes with their trace, amendments by authorities only."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.policy.demo import minimal_pdf
from tests.conftest import login

Headers = Callable[[User], dict[str, str]]


def test_the_api_quotes_with_a_trace_and_refuses_bad_facts(
    client: TestClient, catalogue: Session, make_user: Callable[..., User], api_token: Headers
) -> None:
    headers = {**api_token(make_user(role=Role.enterprise_staff)), "Accept-Language": "zh-CN"}
    listed = client.get("/api/v1/policy/measures?document=hn2023&kind=capped", headers=headers).json()
    assert {m["id"] for m in listed} == {"hn2023.4.rnd-center", "hn2023.6.demonstration", "hn2023.8.course"}
    url = "/api/v1/policy/measures/hn2023.8.training-base/quote"
    quoted = client.post(
        url, json={"facts": {"eligible_cost": "8000000"}, "on": "2025-05-01"}, headers=headers
    )
    assert quoted.status_code == 200, quoted.text
    body = quoted.json()
    assert body["eligible"] and body["amount"] == "2000000.00"
    assert [s["msgid"].split(" ")[0] for s in body["trace"]][-2:] == ["Capped", "Amount:"]
    assert "按上限 2,000,000.00 元核定" in body["trace"][-2]["text"]
    bad = client.post(url, json={"facts": {"eligible_cost": "-1"}}, headers=headers)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "eligible_cost"
    assert client.get("/api/v1/policy/measures/hn2023.99.none", headers=headers).status_code == 404


def test_only_authorities_amend_a_cap_and_the_old_cap_stays_for_earlier_dates(
    client: TestClient,
    catalogue: Session,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    api_token: Headers,
) -> None:
    staff = api_token(make_user(role=Role.enterprise_staff))
    officer = api_token(
        make_user(role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="430000"))
    )
    url = "/api/v1/policy/measures/hn2023.6.demonstration/parameters"
    amendment = {
        "name": "cap",
        "value": "1500000",
        "effective_from": "2026-01-01",
        "note": "湘政办函〔2025〕1号",
    }
    assert client.post(url, json=amendment, headers=staff).status_code == 403
    assert client.post(url, json=amendment, headers=officer).status_code == 201
    assert client.post(url, json=amendment, headers=officer).status_code == 409
    quote = "/api/v1/policy/measures/hn2023.6.demonstration/quote"
    facts = {"assessed_amount": "3000000"}
    before = client.post(quote, json={"facts": facts, "on": "2025-12-31"}, headers=staff).json()
    after = client.post(quote, json={"facts": facts, "on": "2026-01-01"}, headers=staff).json()
    assert (before["amount"], after["amount"]) == ("1000000.00", "1500000.00")


def test_the_measure_page_shows_the_source_in_simplified_chinese_and_quotes_through_the_form(
    client: TestClient, catalogue: Session, make_user: Callable[..., User]
) -> None:
    user = make_user(role=Role.enterprise_staff)
    csrf = login(client, user.username)
    listing = client.get("/policy?document=hn2023").text
    assert "研发中心奖励" in listing and "hn2023.4.rnd-center" in listing
    page = client.get("/policy/measures/hn2023.4.rnd-center").text
    assert (
        "对经省级及以上部门认定的中心,给予最高不超过500万元的奖励。" in page
    )  # simplified from the 繁体 text
    assert "省工业和信息化厅" in page
    form = {
        "csrf_token": csrf,
        "fact_recognition_level": "municipal",
        "fact_assessed_amount": "100",
        "on": "2025-01-01",
    }
    refused = client.post("/policy/measures/hn2023.4.rnd-center/quote", data=form)
    assert refused.status_code == 200 and "不符合条件" in refused.text
    form["fact_recognition_level"] = "provincial"
    granted = client.post("/policy/measures/hn2023.4.rnd-center/quote", data=form).text
    assert "符合条件：100.00 元" in granted
    form["fact_assessed_amount"] = "-3"
    bad = client.post("/policy/measures/hn2023.4.rnd-center/quote", data=form)
    assert bad.status_code == 422 and "不能为负数" in bad.text


def test_an_application_travels_through_the_api(
    client: TestClient,
    catalogue: Session,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    api_token: Headers,
) -> None:
    admin = api_token(make_user(role=Role.admin))
    officers = {}
    for unit, name in (
        ("省工业和信息化厅", "湖南省工业和信息化厅"),
        ("省财政厅", "湖南省财政厅"),
        ("各市州人民政府", "长沙市人民政府"),
    ):
        org = make_org(name, kind=OrgKind.authority, region_code="430000")
        route = {"document": "hn2023", "unit": unit, "org_id": org.id}
        assert client.put("/api/v1/policy/routes", json=route, headers=admin).status_code == 204
        officers[unit] = api_token(make_user(role=Role.authority_officer, org=org))
    staff = api_token(make_user(role=Role.enterprise_staff, org=make_org(region_code="430105")))
    facts = {"first_product": "true", "certification_cost": "90000", "granted_amount": "60000"}
    made = client.post(
        "/api/v1/policy/applications",
        json={"measure_id": "hn2023.5.certification", "item": "首款", "facts": facts},
        headers=staff,
    )
    assert made.status_code == 201, made.text
    url = f"/api/v1/policy/applications/{made.json()['id']}"
    early = client.post(url + "/submit", json={"on": "2025-03-01"}, headers=staff)
    assert early.status_code == 400 and early.json()["errors"][0]["field"] == "attachments"
    fake = client.post(
        url + "/attachments",
        data={"evidence": "申请书"},
        files={"file": ("申请书.pdf", b"MZ\x90 not a pdf")},
        headers=staff,
    )
    assert fake.status_code == 400 and fake.json()["errors"][0]["field"] == "file"
    for item in ["申请书", "营业执照或法人登记证书", "有关费用或投入凭证", "测试认证报告"]:
        upload = client.post(
            url + "/attachments",
            data={"evidence": item},
            files={"file": (f"{item}.pdf", minimal_pdf(item))},
            headers=staff,
        )
        assert upload.status_code == 201, upload.text
    attachment = upload.json()
    assert attachment["media_type"] == "application/pdf" and len(attachment["sha256"]) == 64
    downloaded = client.get(f"{url}/attachments/{attachment['id']}", headers=staff)
    assert downloaded.status_code == 200 and downloaded.content == minimal_pdf("测试认证报告")
    submitted = client.post(url + "/submit", json={"on": "2025-03-01"}, headers=staff).json()
    assert submitted["state"] == "lead_review" and submitted["quoted_amount"] == "60000.00"
    for unit in ("省工业和信息化厅", "省财政厅", "各市州人民政府"):
        decided = client.post(url + "/decision", json={"decision": "approve"}, headers=officers[unit])
        assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "approved"
    lead = officers["省工业和信息化厅"]
    no_budget = client.post(url + "/commit", json={"year": 2025}, headers=lead)
    assert no_budget.status_code == 409
    assert (
        client.put(
            "/api/v1/policy/budgets/hn2023.5.certification/2025", json={"amount": "100000"}, headers=lead
        ).status_code
        == 204
    )
    booked = client.post(url + "/commit", json={"year": 2025}, headers=lead)
    assert booked.status_code == 200 and booked.json()["amount"] == "60000.00"
    assert client.get(url, headers=staff).json()["state"] == "committed"
    stranger = api_token(make_user(role=Role.enterprise_staff))
    assert client.get(url, headers=stranger).status_code == 404
