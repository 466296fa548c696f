"""What a newcomer meets first in monitoring: the year pages open on, how complete it is, their own province's
targets and menu, a park's reporting with a reminder, and forms that ask for what they need."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.notifications.models import Notification
from avbase.industry import coverage, kpi, ranking, registry
from avbase.industry.credit_code import make_credit_code
from avbase.industry.models import Cluster, Enterprise, ParkLevel
from avbase.industry.reports import file_report
from avbase.industry.schemas import EnterpriseIn, ParkIn, ReportIn
from tests.conftest import login

ON = date(2026, 11, 22)


def _year(db: Session, officer: Principal, enterprise: Enterprise, period: str, amount: int = 1000) -> None:
    file_report(db, officer, enterprise, ReportIn(period=period, revenue_content=Decimal(amount)), on=ON)


@pytest.fixture
def zhejiang(db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise]) -> list[Enterprise]:
    """Ten enterprises that reported 2024 and 2025 in full; one has filed 2026's first quarter."""
    kpi.load_default_targets(db)
    ranking.load_default_schemes(db)
    firms = [make_enterprise(name=f"之江 {n}") for n in range(10)]
    for firm in firms:
        _year(db, officer, firm, "2024")
        _year(db, officer, firm, "2025", 1200)
    _year(db, officer, firms[0], "2026-Q1", 300)
    db.commit()
    return firms


def test_pages_open_on_the_latest_complete_year_and_say_how_complete_it_is(
    db: Session, client: TestClient, officer_user: User, zhejiang: list[Enterprise]
) -> None:
    assert coverage.latest_complete_year(db, "33") == 2025  # not 2026, where one of ten has filed a quarter
    assert coverage.coverage(db, 2026, "33") == coverage.Coverage(2026, 0, 1, 10)
    login(client, officer_user.username)
    page = client.get("/industry").text
    assert 'value="2025"' in page and "coverage-note" not in page
    partial = client.get("/industry?year=2026").text
    note = re.search(r'data-testid="coverage-note">([^<]+)<', partial)
    assert note and "0 / 10" not in note.group(1) and "10" in note.group(1) and "2026" in note.group(1)
    ranking = client.get("/industry/rankings?period=2026").text
    assert "coverage-note" in ranking


def test_a_hunan_officer_sees_hunan_not_zhejiang(
    db: Session,
    client: TestClient,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    make_enterprise: Callable[..., Enterprise],
    officer_user: User,
    zhejiang: list[Enterprise],
) -> None:
    hunan = make_user(role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="430000"))
    registry.create_enterprise(
        db, Principal.of(hunan),
        EnterpriseIn(name="马栏山影业", credit_code=make_credit_code("430105", 7), region_code="430105",
                     cluster=Cluster.content),
    )  # fmt: skip
    db.commit()
    login(client, hunan.username)
    page = client.get("/industry").text
    assert "视听内容生产集群营业收入" not in page  # Zhejiang's 2027 targets
    assert 'data-testid="no-targets"' in page
    assert re.search(r'<div class="label">企业</div><div class="value">1</div>', page)  # Hunan's one
    assert 'data-nav="rankings"' not in page and 'data-nav="projects"' not in page
    assert kpi.schemes(db, "43") == [] and kpi.schemes(db, "33") == ["zj2024"]

    login(client, officer_user.username)
    zj = client.get("/industry").text
    assert "视听内容生产集群营业收入" in zj and 'data-nav="rankings"' in zj and 'data-nav="projects"' in zj
    assert re.search(r'<div class="label">企业</div><div class="value">10</div>', zj)


def test_a_park_operator_sees_who_has_not_reported_and_reminds_them(
    db: Session,
    client: TestClient,
    officer: Principal,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
    make_enterprise: Callable[..., Enterprise],
) -> None:
    operator_org = make_org("之江园区管委会", kind=OrgKind.park_operator, region_code="330106")
    operator = make_user(role=Role.park_operator, org=operator_org)
    park_in = ParkIn(
        name="之江基地", level=ParkLevel.provincial_key, region_code="330106", operator_org_id=operator_org.id
    )
    park = registry.create_park(db, officer, park_in)
    punctual = make_enterprise(name="准时影业", park_id=park.id)
    late = make_enterprise(name="迟报影业", park_id=park.id)
    for quarter in ("2026-Q1", "2026-Q2", "2026-Q3"):
        _year(db, officer, punctual, quarter)
    _year(db, officer, late, "2026-Q1")
    staff = make_user(role=Role.enterprise_staff, org=db.get(Organisation, late.org_id))
    other_operator = make_user(
        role=Role.park_operator, org=make_org(kind=OrgKind.park_operator, region_code="330106")
    )
    db.commit()

    token = login(client, operator.username)
    page = client.get(f"/industry/parks/{park.id}").text
    rows = re.findall(r'<tr><td><a href="/industry/enterprises/\d+">([^<]+)</a>', page)
    assert rows[:2] == ["迟报影业", "准时影业"]  # the late one first
    assert "2026-Q2、2026-Q3" in page and 'data-testid="remind"' in page
    sent = client.post(
        f"/industry/parks/{park.id}/remind", data={"csrf_token": token}, follow_redirects=False
    )
    assert sent.status_code == 303 and "reminded=1" in sent.headers["location"]
    told = db.scalars(select(Notification).where(Notification.user_id == staff.id)).all()
    assert len(told) == 1 and "之江基地" in told[0].title and "2026-Q2" in told[0].title
    again = client.post(
        f"/industry/parks/{park.id}/remind", data={"csrf_token": token}, follow_redirects=False
    )
    assert "reminded=0" in again.headers["location"]  # once a day at most

    token = login(client, other_operator.username)
    assert client.get(f"/industry/parks/{park.id}").status_code == 404
    refused = client.post(f"/industry/parks/{park.id}/remind", data={"csrf_token": token})
    assert refused.status_code == 404
    token = login(client, staff.username)
    refused = client.post(f"/industry/parks/{park.id}/remind", data={"csrf_token": token})
    assert refused.status_code == 403


def test_the_report_form_offers_the_periods_owed_and_a_correction_asks_why_first(
    db: Session, client: TestClient, officer: Principal, make_user: Callable[..., User],
    make_enterprise: Callable[..., Enterprise],
) -> None:  # fmt: skip
    firm = make_enterprise(name="季报影业")
    _year(db, officer, firm, "2026-Q1")
    staff = make_user(role=Role.enterprise_staff, org=db.get(Organisation, firm.org_id))
    db.commit()
    token = login(client, staff.username)
    form = client.get(f"/industry/enterprises/{firm.id}/report").text
    options = re.findall(r'<option value="([^"]+)"', form)
    assert options[:2] == ["2026-Q2", "2026-Q3"]
    filed = client.post(
        f"/industry/enterprises/{firm.id}/report",
        data={"csrf_token": token, "period": "2026-Q2", "revenue_content": "500"},
        follow_redirects=True,
    )
    assert "2026-Q2 的报告已报送" in filed.text
    correction = client.get(f"/industry/enterprises/{firm.id}/report?period=2026-Q1").text
    assert "更正" in correction and correction.index('name="note"') < correction.index(
        'name="revenue_content"'
    )
    missing_note = client.post(
        f"/industry/enterprises/{firm.id}/report",
        data={"csrf_token": token, "period": "2026-Q1", "revenue_content": "900"},
    )
    assert missing_note.status_code == 422 and "更正" in missing_note.text
