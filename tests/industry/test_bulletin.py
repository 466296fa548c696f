"""指数发布: drafts seen only by those who may publish them, publishing frozen and audited, the published
bulletin and its data open to anyone without an account."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.audit import AuditEntry
from avbase.core.errors import AvbaseError, Conflict, Forbidden
from avbase.industry import bulletins, index_service
from avbase.industry.models import BulletinStatus, Enterprise, IndexBulletin, IndexPoint
from avbase.industry.reports import file_report
from avbase.industry.schemas import ReportIn
from avbase.kit.svgchart import Line, Marker, line_chart, stacked_bars
from tests.conftest import login
from tests.industry.conftest import ON, definition_in
from tests.industry.test_raw_codes import raw_codes, visible_text


def test_drafting_is_for_officers_of_the_whole_region_and_checks_its_input(
    db: Session,
    hunan: dict[str, Enterprise],
    hn_officer: Principal,
    officer: Principal,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> None:
    with pytest.raises(Forbidden):  # a Zhejiang officer
        bulletins.create_draft(db, officer, series_name="hn-test", period=2023)
    city = Principal.of(
        make_user(role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="430100"))
    )
    with pytest.raises(Forbidden):  # 长沙's officer does not speak for Hunan
        bulletins.create_draft(db, city, series_name="hn-test", period=2023)
    with pytest.raises(AvbaseError) as no_data:
        bulletins.create_draft(db, hn_officer, series_name="hn-test", period=2024)
    assert no_data.value.field == "period"
    index_service.save_definition(
        db, definition_in(name="hn-minmax", normalisation="minmax", base_period=None, sub_levels=[])
    )
    with pytest.raises(AvbaseError, match="no time series"):
        bulletins.create_draft(db, hn_officer, series_name="hn-minmax", period=2023)
    bulletins.create_draft(db, hn_officer, series_name="hn-test", period=2023)
    with pytest.raises(Conflict):
        bulletins.create_draft(db, hn_officer, series_name="hn-test", period=2023)


def test_a_published_bulletin_is_frozen_audited_and_open_to_everyone(
    client: TestClient,
    db: Session,
    hunan: dict[str, Enterprise],
    hn_officer: Principal,
    make_user: Callable[..., User],
) -> None:
    db.commit()
    csrf = login(client, hn_officer.username)
    made = client.post(
        "/industry/bulletins",
        data={"csrf_token": csrf, "series": "hn-test", "period": "2023"},
        follow_redirects=False,
    )
    assert made.status_code == 303
    url = made.headers["location"]
    draft = client.get(url).text
    assert "草稿" in draft and "137.50" in draft and 'action="' + url + '/publish"' in draft
    bad = client.post("/industry/bulletins", data={"csrf_token": csrf, "series": "hn-test", "period": "二〇"})
    assert bad.status_code == 400

    # Nobody else sees the draft: not the public, not an enterprise.
    client.cookies.clear()
    for path in (url, url + "/bulletin.pdf", url + "/data.csv", url + "/data.xlsx"):
        assert client.get(path).status_code == 404, path
    assert "测试指数" not in client.get("/industry/bulletins").text
    staff = make_user(role=Role.enterprise_staff, org=db.get(Organisation, hunan["A"].org_id))
    csrf = login(client, staff.username)
    assert client.get(url).status_code == 404
    assert client.post(url + "/publish", data={"csrf_token": csrf}).status_code == 404

    client.cookies.clear()
    csrf = login(client, hn_officer.username)
    assert client.post(url + "/publish", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    db.expire_all()
    bulletin = db.scalars(select(IndexBulletin)).one()
    assert bulletin.status is BulletinStatus.published and bulletin.published_by_id == hn_officer.user_id
    assert bulletin.snapshot is not None and bulletin.snapshot["headline"]["composite"] == pytest.approx(
        137.5
    )
    audit = db.scalars(
        select(AuditEntry).where(
            AuditEntry.entity_type == "industry_index_bulletins", AuditEntry.action == "update"
        )
    ).all()
    assert [(a.before or {}).get("status") for a in audit] == ["draft"]
    assert [(a.after or {}).get("status") for a in audit] == ["published"]
    frozen = db.scalars(select(IndexPoint)).all()
    assert sorted((p.level.value, p.period) for p in frozen) == [
        ("city", 2021), ("city", 2022), ("city", 2023), ("province", 2021), ("province", 2022), ("province", 2023)
    ]  # fmt: skip
    assert client.post(url + "/publish", data={"csrf_token": csrf}).status_code == 409

    # A late correction changes neither the bulletin nor its frozen points.
    file_report(db, hn_officer, hunan["A"],
                ReportIn(period="2023", revenue_content=Decimal(900), rnd_expense=Decimal(30), note="修正"), on=ON)  # fmt: skip
    db.commit()
    assert bulletins.content(db, bulletin) == bulletin.snapshot

    # Anyone, signed in or not, reads it and takes its data.
    client.cookies.clear()
    listed = client.get("/industry/bulletins").text
    assert "测试指数 · 2023" in listed
    page = client.get(url).text
    assert "137.50" in page and "131.25" in page and "方法说明" in page and "长沙市" in page
    assert raw_codes(visible_text(page), chinese=True) == []
    if db.get_bind().dialect.name == "sqlite":  # the PDF is laid out from the snapshot: once is enough
        pdf = client.get(url + "/bulletin.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and len(pdf.content) > 10_000
    rows = list(csv.reader(io.StringIO(client.get(url + "/data.csv").content.decode("utf-8-sig"))))
    headline = rows[rows.index(next(r for r in rows if r and r[0] == "2023"))]
    assert float(headline[1]) == pytest.approx(137.5) and float(headline[2]) == pytest.approx(
        100 * 6.25 / 131.25, abs=1e-4
    )
    workbook = load_workbook(io.BytesIO(client.get(url + "/data.xlsx").content), read_only=True)
    assert len(workbook.sheetnames) == 4  # headline series, city ranking, city series, indicator values
    city_rows = list(workbook[workbook.sheetnames[1]].iter_rows(values_only=True))
    assert [(r[0], r[2], r[3]) for r in city_rows[1:]] == [(1, "长沙市", 187.5), (2, "株洲市", 87.5)]


def test_the_svg_charts_scale_to_their_values_and_mark_method_changes() -> None:
    svg = line_chart("序列", [2021, 2022, 2023], [Line("指数", [100.0, 131.25, 175.0], labels=True)],
                     markers=[Marker(2023, "方法 v2")], reference=100.0)  # fmt: skip
    assert svg.startswith("<svg") and "方法 v2" in svg and "175.0" in svg and "131.2" in svg
    bars = stacked_bars(
        "贡献", [2022, 2023], [("规模", [18.75, -18.75]), ("创新", [12.5, 25.0])], [31.25, 6.25]
    )
    assert "+31.25" in bars and "+6.25" in bars and bars.count("<rect") >= 5


def test_the_api_drafts_and_publishes_for_officers_and_serves_published_bulletins_to_anyone(
    client: TestClient,
    db: Session,
    hunan: dict[str, Enterprise],
    hn_officer: Principal,
    make_user: Callable[..., User],
    api_token: Callable[[User], dict[str, str]],
) -> None:
    officer = db.get(User, hn_officer.user_id)
    staff = make_user(role=Role.enterprise_staff, org=db.get(Organisation, hunan["A"].org_id))
    assert officer is not None
    body = {"series": "hn-test", "period": 2023}
    assert client.post("/api/v1/industry/bulletins", json=body, headers=api_token(staff)).status_code == 403
    assert client.post("/api/v1/industry/bulletins", json=body).status_code == 401
    bad = client.post("/api/v1/industry/bulletins", json={**body, "period": 2030}, headers=api_token(officer))
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "period"
    made = client.post("/api/v1/industry/bulletins", json=body, headers=api_token(officer))
    assert made.status_code == 201 and made.json()["status"] == "draft"
    number = made.json()["id"]
    assert client.get("/api/v1/industry/bulletins").json() == []
    assert client.get(f"/api/v1/industry/bulletins/{number}").status_code == 404
    published = client.post(f"/api/v1/industry/bulletins/{number}/publish", headers=api_token(officer)).json()
    assert published["status"] == "published" and len(published["snapshot_digest"]) == 64
    assert [b["id"] for b in client.get("/api/v1/industry/bulletins").json()] == [number]
    shown = client.get(f"/api/v1/industry/bulletins/{number}").json()
    assert shown["content"]["headline"]["composite"] == pytest.approx(137.5)
    assert [r["name"] for r in shown["content"]["subs"][0]["rows"]] == ["长沙市", "株洲市"]
