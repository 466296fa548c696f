from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal, jurisdiction_prefix


@pytest.mark.parametrize(
    ("code", "prefix"),
    [("330000", "33"), ("330100", "3301"), ("330106", "330106"), ("110000", "11"), ("433100", "4331")],
)
def test_jurisdiction_prefix(code: str, prefix: str) -> None:
    assert jurisdiction_prefix(code) == prefix


def test_who_sees_which_organisations(
    db: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> None:
    province = make_org("浙江省广播电视局", kind=OrgKind.authority, region_code="330000")
    city = make_org("杭州市文化广电旅游局", kind=OrgKind.authority, region_code="330100")
    park = make_org("横店集聚区", kind=OrgKind.park_operator, region_code="330783")
    in_park = make_org("横店星影视", region_code="330783", managed_by=park)
    hangzhou = make_org("之江光影", region_code="330106")
    hunan = make_org("马栏山云视", region_code="430105")

    def visible(user: User) -> set[str]:
        principal = Principal.of(user)
        return set(db.scalars(select(Organisation.name).where(principal.visible_orgs())))

    everyone = {o.name for o in (province, city, park, in_park, hangzhou, hunan)}
    assert visible(make_user(role=Role.admin, org=province)) == everyone
    assert visible(make_user(role=Role.authority_officer, org=province)) == everyone - {hunan.name}
    assert visible(make_user(role=Role.authority_officer, org=city)) == {city.name, hangzhou.name}
    assert visible(make_user(role=Role.park_operator, org=park)) == {park.name, in_park.name}
    assert visible(make_user(role=Role.enterprise_staff, org=hangzhou)) == {hangzhou.name}

    reviewer = Principal.of(make_user(role=Role.reviewer, org=hangzhou))
    assert reviewer.can_read(hangzhou) and not reviewer.can_edit(hangzhou)
