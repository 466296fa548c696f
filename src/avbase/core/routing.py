"""Routing of work to departments: which authority organisation acts for a unit a text names.

One mechanism for every domain that sends work to departments: policy routes the units its documents name
(省工业和信息化厅 → 湖南省工业和信息化厅) under the document's code; the review module routes its joint-review
departments under its own scope. A scope is a plain string the domain owns; core knows nothing of its meaning.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from avbase.core.accounts.models import Organisation, OrgKind
from avbase.core.accounts.principal import Principal, require_steward
from avbase.core.audit import Audited
from avbase.core.db import Base, TimestampMixin
from avbase.core.errors import Conflict


class UnitRoute(Audited, TimestampMixin, Base):
    __tablename__ = "unit_routes"
    __table_args__ = (UniqueConstraint("scope", "unit"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64), index=True)  # e.g. a policy document's code, "review"
    unit: Mapped[str] = mapped_column(String(100))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)


def set_route(session: Session, principal: Principal, *, scope: str, unit: str, org_id: int) -> UnitRoute:
    """Names the authority organisation that acts for ``unit`` in ``scope`` (replaces an earlier one)."""
    require_steward(principal)
    unit = unit.strip()
    if not unit:
        raise Conflict("Name the unit to route.", field="unit")
    org = session.get(Organisation, org_id)
    if org is None or org.kind is not OrgKind.authority:
        raise Conflict("A unit is routed to an authority organisation.", field="org_id")
    route = session.scalar(select(UnitRoute).where(UnitRoute.scope == scope, UnitRoute.unit == unit))
    if route is None:
        route = UnitRoute(scope=scope, unit=unit, org_id=org_id)
        session.add(route)
    else:
        route.org_id = org_id
    session.flush()
    return route


def remove_route(session: Session, principal: Principal, *, scope: str, unit: str) -> bool:
    require_steward(principal)
    route = session.scalar(select(UnitRoute).where(UnitRoute.scope == scope, UnitRoute.unit == unit))
    if route is None:
        return False
    session.delete(route)
    session.flush()
    return True


def routes(session: Session, scope: str) -> dict[str, int]:
    """unit → organisation id for one scope."""
    return dict(
        session.execute(select(UnitRoute.unit, UnitRoute.org_id).where(UnitRoute.scope == scope)).all()
    )


def routed_org(session: Session, scope: str, unit: str) -> int | None:
    return session.scalar(select(UnitRoute.org_id).where(UnitRoute.scope == scope, UnitRoute.unit == unit))


def units_of(session: Session, org_id: int) -> list[tuple[str, str]]:
    """(scope, unit) pairs an organisation acts for: what a department's page lists as its duties."""
    rows = session.execute(
        select(UnitRoute.scope, UnitRoute.unit).where(UnitRoute.org_id == org_id).order_by(UnitRoute.scope)
    )
    return [(scope, unit) for scope, unit in rows]
