"""Routing of work to departments: one table for every domain, scoped by a string the domain owns."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core import routing
from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.audit import AuditEntry
from avbase.core.errors import Conflict, Forbidden


def test_a_unit_is_routed_per_scope_replaced_and_audited(
    db: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> None:
    bureau = make_org("省广播电视局", kind=OrgKind.authority, region_code="430000")
    publicity = make_org("省委宣传部", kind=OrgKind.authority, region_code="430000")
    officer = Principal.of(make_user(role=Role.authority_officer, org=bureau))

    routing.set_route(db, officer, scope="review", unit="广电", org_id=bureau.id)
    routing.set_route(db, officer, scope="hn2023", unit="广电", org_id=publicity.id)
    assert routing.routes(db, "review") == {"广电": bureau.id}
    assert routing.routed_org(db, "hn2023", "广电") == publicity.id

    routing.set_route(db, officer, scope="review", unit="广电", org_id=publicity.id)
    assert routing.routes(db, "review") == {"广电": publicity.id}
    assert set(routing.units_of(db, publicity.id)) == {("review", "广电"), ("hn2023", "广电")}
    db.commit()
    changes = db.scalars(select(AuditEntry.action).where(AuditEntry.entity_type == "unit_routes")).all()
    assert sorted(changes) == ["create", "create", "update"]

    assert routing.remove_route(db, officer, scope="review", unit="广电")
    assert routing.routes(db, "review") == {}


def test_only_stewards_route_and_only_to_authorities(
    db: Session, make_org: Callable[..., Organisation], make_user: Callable[..., User]
) -> None:
    bureau = make_org(kind=OrgKind.authority)
    studio = make_org()
    staff = Principal.of(make_user(role=Role.enterprise_staff, org=studio))
    officer = Principal.of(make_user(role=Role.authority_officer, org=bureau))
    with pytest.raises(Forbidden):
        routing.set_route(db, staff, scope="review", unit="广电", org_id=bureau.id)
    with pytest.raises(Conflict) as refused:
        routing.set_route(db, officer, scope="review", unit="广电", org_id=studio.id)
    assert refused.value.field == "org_id"
    with pytest.raises(Conflict) as empty:
        routing.set_route(db, officer, scope="review", unit="  ", org_id=bureau.id)
    assert empty.value.field == "unit"
