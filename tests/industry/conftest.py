from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.industry import index_service, kpi, ranking, registry
from avbase.industry.credit_code import make_credit_code
from avbase.industry.models import Cluster, Enterprise, ParkLevel, ProjectTier
from avbase.industry.reports import file_report
from avbase.industry.schemas import EnterpriseIn, MilestoneIn, ParkIn, ProjectIn, ReportIn


@pytest.fixture
def officer_user(make_user: Callable[..., User], make_org: Callable[..., Organisation]) -> User:
    """A provincial authority officer in Zhejiang."""
    return make_user(role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="330000"))


@pytest.fixture
def officer(officer_user: User) -> Principal:
    return Principal.of(officer_user)


@pytest.fixture
def make_enterprise(db: Session, officer: Principal) -> Callable[..., Enterprise]:
    serial = iter(range(1, 10_000))

    def make(
        name: str | None = None,
        *,
        region_code: str = "330106",
        cluster: Cluster = Cluster.content,
        **extra: object,
    ) -> Enterprise:
        number = next(serial)
        data = EnterpriseIn(
            name=name or f"Studio {number}",
            credit_code=make_credit_code(region_code, number),
            region_code=region_code,
            cluster=cluster,
            **extra,  # type: ignore[arg-type]
        )
        return registry.create_enterprise(db, officer, data)

    return make


@pytest.fixture
def province(db: Session, officer: Principal, make_enterprise: Callable[..., Enterprise]) -> dict[str, int]:
    """A tiny province: targets, index definitions, ranking schemes, a park, two enterprises, a project."""
    kpi.load_default_targets(db)
    index_service.load_default_definitions(db)
    ranking.load_default_schemes(db)
    park = registry.create_park(
        db, officer, ParkIn(name="之江基地", level=ParkLevel.national, region_code="330106")
    )
    a = make_enterprise(name="之江影业", park_id=park.id)
    b = make_enterprise(name="甬江电子", region_code="330212", cluster=Cluster.electronics)
    on = date(2026, 11, 22)
    for year, amount in ((2024, 800), (2025, 1000)):
        for enterprise in (a, b):
            file_report(db, officer, enterprise,
                        ReportIn(period=str(year), revenue_content=Decimal(amount), rnd_expense=Decimal(60)), on=on)  # fmt: skip
    project = registry.create_project(
        db,
        officer,
        ProjectIn(name="超高清制播中心", tier=ProjectTier.head, year_selected=2025, region_code="330106"),
    )
    registry.add_milestone(db, officer, project.id, MilestoneIn(title="主体完工", due_on=date(2025, 6, 30)))
    db.commit()
    return {"park": park.id, "a": a.id, "b": b.id, "project": project.id}
