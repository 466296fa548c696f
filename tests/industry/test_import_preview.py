"""The import as a clerk meets it on the web and the API: a preview first, a mapping to confirm, templates kept
per organisation (and seen by no other)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from decimal import Decimal

from fastapi.testclient import TestClient
from openpyxl import Workbook
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.audit import AuditEntry
from avbase.core.jobs.models import Job, JobState
from avbase.core.jobs.worker import Worker
from avbase.industry.models import Enterprise, ImportTemplate, Report
from tests.conftest import login

Headers = Callable[[User], dict[str, str]]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def county_form(*codes: str) -> bytes:
    """A county bureau's form: title and unit rows, its own column names, a 合计 row and a note."""
    book = Workbook()
    sheet = book.active
    sheet.append(["2025年视听企业统计报表（东阳市）"])
    sheet.append(["", "", "", "单位：万元"])
    sheet.append(["组织机构代码", "报告期", "营业收入", "研发经费支出"])
    for number, code in enumerate(codes, start=1):
        sheet.append([code, "2025", 1.5 * number, 0.25])
    sheet.append(["合计", "", 1.5 * sum(range(1, len(codes) + 1)), 0.25 * len(codes)])
    sheet.append(["注：本表由县统计局汇总。"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_web_preview_shows_mapping_unit_rows_and_problems_then_imports_as_confirmed(
    client: TestClient,
    clean_engine: Engine,
    db: Session,
    officer_user: User,
    make_user: Callable[..., User],
    make_enterprise: Callable[..., Enterprise],
) -> None:
    a, b = make_enterprise(), make_enterprise()
    other = make_user(role=Role.authority_officer, org=officer_user.organisation)
    db.commit()
    csrf = login(client, officer_user.username)
    shown = client.post(
        "/industry/imports/preview",
        data={"kind": "reports", "csrf_token": csrf},
        files={"file": ("dongyang.xlsx", county_form(a.credit_code, b.credit_code), XLSX)},
    )
    assert shown.status_code == 200, shown.text
    page = shown.text
    assert 'id="preview-unit">万元' in page and "15000.00" in page  # 1.5 万元 as it will be stored
    assert page.count('data-match="guessed"') == 4 and "import-button" in page and "disabled" in page
    assert "看起来是 credit_code" in page  # each guess is a problem until confirmed
    token = re.search(r'action="/industry/imports/staged/([^"]+)"', page)
    assert token is not None
    form = {
        "csrf_token": csrf,
        "title": ["组织机构代码", "报告期", "营业收入", "研发经费支出"],
        "field": ["credit_code", "period", "revenue_services", "rnd_expense"],
        "save_as": "东阳季报",
        "source": "东阳市统计局",
    }
    checked = client.post(f"/industry/imports/staged/{token.group(1)}", data={**form, "action": "check"})
    assert checked.status_code == 200 and "没有问题" in checked.text and "2 new" not in checked.text
    assert db.scalar(select(func.count()).select_from(Report)) == 0  # a preview writes nothing

    # Another user (same organisation) cannot use this upload.
    client.cookies.clear()
    other_csrf = login(client, other.username)
    stolen = client.post(
        f"/industry/imports/staged/{token.group(1)}",
        data={**form, "csrf_token": other_csrf, "action": "import"},
    )
    assert stolen.status_code == 404
    client.cookies.clear()
    csrf = login(client, officer_user.username)

    done = client.post(
        f"/industry/imports/staged/{token.group(1)}",
        data={**form, "csrf_token": csrf, "action": "import"},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"].startswith("/jobs/")
    Worker(clean_engine).run_until_idle()
    job = db.scalar(select(Job).order_by(Job.id.desc()))
    assert job is not None and job.state is JobState.succeeded, job.error if job else None
    assert (job.result or {})["template"] == "东阳季报" and (job.result or {})["totals"] == 1
    revenue = db.scalars(select(Report.revenue_services).order_by(Report.enterprise_id))
    assert list(revenue) == [Decimal("15000.00"), Decimal("30000.00")]
    template = db.scalar(select(ImportTemplate))
    assert template is not None and template.mapping["营业收入"] == "revenue_services"
    assert (
        db.scalar(
            select(func.count())
            .select_from(AuditEntry)
            .where(AuditEntry.entity_type == "industry_import_templates")
        )
        == 1
    )
    listed = client.get("/industry/imports").text
    assert "东阳季报" in listed and "东阳市统计局" in listed


def test_import_templates_are_seen_used_and_deleted_only_by_their_organisation(
    client: TestClient,
    db: Session,
    officer_user: User,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    make_enterprise: Callable[..., Enterprise],
    api_token: Headers,
) -> None:
    a = make_enterprise()
    stranger = make_user(
        role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="330000")
    )
    db.commit()
    mine, theirs = api_token(officer_user), api_token(stranger)
    body = {
        "kind": "reports",
        "name": "东阳季报",
        "source": "东阳市统计局",
        "mapping": {
            "组织机构代码": "credit_code",
            "报告期": "period",
            "营业收入": "revenue_content",
            "研发经费支出": "rnd_expense",
        },
    }
    created = client.post("/api/v1/industry/import-templates", json=body, headers=mine)
    assert created.status_code == 201, created.text
    template_id = created.json()["id"]
    bad = client.post(
        "/api/v1/industry/import-templates", json={**body, "mapping": {"x": "salary"}}, headers=mine
    )
    assert bad.status_code == 400 and "salary" in bad.text

    assert [t["name"] for t in client.get("/api/v1/industry/import-templates", headers=mine).json()] == [
        "东阳季报"
    ]
    assert client.get("/api/v1/industry/import-templates", headers=theirs).json() == []
    assert (
        client.delete(f"/api/v1/industry/import-templates/{template_id}", headers=theirs).status_code == 404
    )

    form = ("county.xlsx", county_form(a.credit_code), XLSX)
    preview = client.post(
        "/api/v1/industry/imports/reports/preview",
        data={"template": "东阳季报"},
        files={"file": form},
        headers=mine,
    )
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert (shown["unit"], shown["template"], shown["errors"]) == ("万元", "东阳季报", [])
    assert shown["rows"][0]["values"]["revenue_content"] == "15000.00"
    refused = client.post(
        "/api/v1/industry/imports/reports/preview",
        data={"template": "东阳季报"},
        files={"file": form},
        headers=theirs,
    )
    assert refused.status_code == 404  # the stranger's organisation has no such template
    guessed = client.post(
        "/api/v1/industry/imports/reports/preview",
        data={"mapping": json.dumps({"营业收入": "revenue_electronics"})},
        files={"file": form},
        headers=theirs,
    ).json()
    assert guessed["template"] is None and {c["match"] for c in guessed["columns"]} == {"guessed", "mapped"}

    login(client, stranger.username)
    assert "东阳季报" not in client.get("/industry/imports").text
    assert (
        client.post(
            f"/industry/import-templates/{template_id}/delete",
            data={"csrf_token": login(client, stranger.username)},
        ).status_code
        == 404
    )
    assert client.delete(f"/api/v1/industry/import-templates/{template_id}", headers=mine).status_code == 204
    assert client.get("/api/v1/industry/import-templates", headers=mine).json() == []
