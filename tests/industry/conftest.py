from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.industry import registry
from avbase.industry.credit_code import make_credit_code
from avbase.industry.models import Cluster, Enterprise
from avbase.industry.schemas import EnterpriseIn


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
