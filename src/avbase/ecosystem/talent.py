"""Talent demands posted by enterprises, and the directory of talent to bring in (人才引进需求名录) they
add up to, by field and region, exportable to Excel."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, Role
from avbase.core.accounts.principal import Principal
from avbase.core.errors import AvbaseError, Forbidden, NotFound
from avbase.core.i18n import N_, _, get_locale
from avbase.ecosystem.models import TalentDemand, TalentLevel
from avbase.kit.cells import append_row
from avbase.kit.regions import REGIONS, region_name, within_prefix

LEVELS = {
    TalentLevel.junior: N_("junior"),
    TalentLevel.senior: N_("senior"),
    TalentLevel.leading: N_("leading talent"),
}
POSTERS = (Role.admin, Role.enterprise_staff, Role.park_operator)


def post(
    session: Session,
    principal: Principal,
    *,
    role: str,
    field: str,
    level: str,
    count: int,
    region_code: str | None = None,
    note: str = "",
) -> TalentDemand:
    """A demand of the principal's organisation (enterprises and parks post their own)."""
    if principal.role not in POSTERS or not principal.org_id:
        raise Forbidden(N_("Talent demands are posted by enterprises and parks."))
    if not role.strip():
        raise AvbaseError(N_("Name the role."), field="role")
    if not field.strip():
        raise AvbaseError(N_("Name the field."), field="field")
    try:
        chosen = TalentLevel(level)
    except ValueError:
        raise AvbaseError(N_("The level is junior, senior or leading."), field="level") from None
    if not 1 <= count <= 10_000:
        raise AvbaseError(N_("Ask for 1 to 10,000 people."), field="count")
    region = region_code or principal.region_code
    if region not in REGIONS:
        raise AvbaseError(N_("Unknown GB/T 2260 region code."), field="region_code")
    demand = TalentDemand(
        org_id=principal.org_id, role=role.strip()[:100], field=field.strip()[:60], level=chosen, count=count,
        region_code=region, note=note.strip()[:300],
    )  # fmt: skip
    session.add(demand)
    session.flush()
    return demand


def close(session: Session, principal: Principal, demand_id: int) -> TalentDemand:
    demand = session.get(TalentDemand, demand_id)
    if demand is None:
        raise NotFound(N_("Talent demand not found."))
    if not principal.owns(demand.org_id):
        raise Forbidden(N_("Only the organisation that posted a demand closes it."))
    demand.open = False
    session.flush()
    return demand


def mine(session: Session, principal: Principal) -> list[TalentDemand]:
    return list(
        session.scalars(
            select(TalentDemand)
            .where(TalentDemand.org_id == principal.org_id)
            .order_by(TalentDemand.id.desc())
        )
    )


@dataclass
class DirectoryRow:
    field: str
    region: str  # city code
    people: int
    enterprises: int
    by_level: dict[str, int]
    roles: list[str]


def directory(session: Session, *, field: str | None = None, region_prefix: str = "") -> list[DirectoryRow]:
    """Open demands added up by field and city: people wanted, enterprises asking, per level, the roles."""
    query = select(TalentDemand).where(
        TalentDemand.open, within_prefix(TalentDemand.region_code, region_prefix)
    )
    if field:
        query = query.where(TalentDemand.field == field)
    groups: dict[tuple[str, str], list[TalentDemand]] = defaultdict(list)
    for demand in session.scalars(query):
        groups[(demand.field, demand.region_code[:4] + "00")].append(demand)
    rows = []
    for (name, city), demands in groups.items():
        levels = {level.value: sum(d.count for d in demands if d.level is level) for level in TalentLevel}
        people, asking = sum(d.count for d in demands), len({d.org_id for d in demands})
        rows.append(DirectoryRow(name, city, people, asking, levels, sorted({d.role for d in demands})))
    return sorted(rows, key=lambda row: (-row.people, row.field, row.region))


def workbook(rows: list[DirectoryRow]) -> bytes:
    locale = get_locale()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("人才引进需求名录")
    append_row(sheet, [_("Directory of talent in demand")])
    append_row(
        sheet,
        [
            _("Field"),
            _("Region"),
            _("People wanted"),
            _("Enterprises"),
            *[_(t) for t in LEVELS.values()],
            _("Roles"),
        ],
    )
    for row in rows:
        levels = [row.by_level[level.value] for level in LEVELS]
        name = region_name(row.region, locale)
        append_row(sheet, [row.field, name, row.people, row.enterprises, *levels, "、".join(row.roles)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def organisation_demands(session: Session, org_ids: list[int]) -> dict[int, str]:
    return {o.id: o.name for o in session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))}
