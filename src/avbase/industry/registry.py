"""Enterprises, parks, projects and the classification standard: who may see and change them."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select, true
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, Role
from avbase.core.accounts.principal import STEWARDS, Principal, jurisdiction_prefix, require_steward
from avbase.core.errors import Conflict, Forbidden, NotFound
from avbase.industry.models import (
    Category,
    ClassificationVersion,
    Cluster,
    Enterprise,
    Milestone,
    Park,
    Project,
    ProjectYear,
    Tier,
)
from avbase.industry.schemas import (
    EnterpriseIn,
    EnterpriseOut,
    EnterprisePatch,
    MilestoneIn,
    ParkIn,
    ProjectIn,
    ProjectPatch,
)
from avbase.kit.pagination import Page, PageRequest, paginate
from avbase.kit.regions import within_prefix

DATA_DIR = Path(__file__).resolve().parent / "data"


def require_monitor(principal: Principal) -> None:
    """KPI, index and ranking views: authorities, park operators and administrators."""
    if principal.role not in (*STEWARDS, Role.park_operator):
        raise Forbidden("Industry monitoring is open to authorities and park operators.")


def monitor_prefix(principal: Principal, requested: str | None) -> str:
    """The GB/T 2260 prefix a monitoring view covers: what was asked for, within the principal's
    jurisdiction (administrators: anywhere; others: their own region and below)."""
    require_monitor(principal)
    wanted = jurisdiction_prefix(requested) if requested and len(requested) == 6 else (requested or "")
    if principal.is_admin:
        return wanted
    own = jurisdiction_prefix(principal.region_code)
    if not wanted:
        return own
    if not wanted.startswith(own):
        raise Forbidden("This region is outside your jurisdiction.", field="region")
    return wanted


def in_jurisdiction(principal: Principal, region_code: str) -> bool:
    if principal.is_admin:
        return True
    if principal.is_authority:
        return region_code.startswith(jurisdiction_prefix(principal.region_code))
    return False


# --- classification ----------------------------------------------------------------------------------


def current_classification(session: Session) -> ClassificationVersion | None:
    return session.scalar(select(ClassificationVersion).where(ClassificationVersion.is_current))


def load_classification(
    session: Session,
    *,
    code: str,
    name: str,
    csv_text: str,
    source: str | None = None,
    make_current: bool = True,
) -> ClassificationVersion:
    """A new classification version from CSV (code,name_zh,name_en,cluster,national_code)."""
    if session.scalar(select(ClassificationVersion.id).where(ClassificationVersion.code == code)):
        raise Conflict("Classification version {code} exists already.", code=code)
    version = ClassificationVersion(code=code, name=name, source=source, is_current=False)
    seen: set[str] = set()
    for line, row in enumerate(csv.DictReader(io.StringIO(csv_text)), start=2):
        try:
            cluster = Cluster(row["cluster"].strip())
        except (KeyError, ValueError, AttributeError):
            raise Conflict("Line {line}: unknown cluster.", line=line) from None
        category_code = (row.get("code") or "").strip()
        if not category_code or category_code in seen:
            raise Conflict("Line {line}: the category code is missing or repeated.", line=line)
        seen.add(category_code)
        version.categories.append(
            Category(
                code=category_code,
                name_zh=row["name_zh"].strip(),
                name_en=row["name_en"].strip(),
                cluster=cluster,
                national_code=(row.get("national_code") or "").strip() or None,
            )
        )
    if not version.categories:
        raise Conflict("The classification file has no categories.")
    session.add(version)
    if make_current:
        for other in session.scalars(select(ClassificationVersion).where(ClassificationVersion.is_current)):
            other.is_current = False
        version.is_current = True
    session.flush()
    return version


def load_default_classification(session: Session) -> ClassificationVersion:
    existing = session.scalar(select(ClassificationVersion).where(ClassificationVersion.code == "AV-2024"))
    if existing:
        return existing
    return load_classification(
        session,
        code="AV-2024",
        name="大视听产业分类(试行)",
        csv_text=(DATA_DIR / "classification-av2024.csv").read_text(encoding="utf-8"),
        source="ZJ 加强监测评估: 开展全国现代视听产业分类标准研究试点; "
        "national codes: 文化及相关产业分类(2018)",
    )


def category_by_code(session: Session, code: str) -> Category:
    version = current_classification(session)
    category = (
        session.scalar(select(Category).where(Category.version_id == version.id, Category.code == code))
        if version
        else None
    )
    if category is None:
        raise NotFound(
            "Unknown category {code} in the current classification.", field="category_code", code=code
        )
    return category


# --- enterprises -------------------------------------------------------------------------------------

ENTERPRISE_SORTS = {
    "name": Organisation.name,
    "region_code": Organisation.region_code,
    "cluster": Enterprise.cluster,
    "tier": Enterprise.tier,
    "credit_code": Enterprise.credit_code,
}


def visible_enterprises(principal: Principal) -> Select[Enterprise]:
    # The visibility filter applies to the joined organisation itself, not through an IN (SELECT …) that a
    # database may evaluate again for every batch of a large import.
    return (
        select(Enterprise)
        .join(Organisation, Organisation.id == Enterprise.org_id)
        .where(principal.visible_orgs())
    )


def list_enterprises(
    session: Session,
    principal: Principal,
    request: PageRequest,
    *,
    search: str | None = None,
    cluster: Cluster | None = None,
    tier: Tier | None = None,
    park_id: int | None = None,
    region_prefix: str | None = None,
) -> Page[Enterprise]:
    stmt = visible_enterprises(principal)
    if search:
        stmt = stmt.where(or_(Organisation.name.contains(search), Enterprise.credit_code == search.upper()))
    if cluster:
        stmt = stmt.where(Enterprise.cluster == cluster)
    if tier:
        stmt = stmt.where(Enterprise.tier == tier)
    if park_id:
        stmt = stmt.where(Enterprise.park_id == park_id)
    if region_prefix:
        stmt = stmt.where(Organisation.region_code.startswith(region_prefix))
    return paginate(session, stmt, request, ENTERPRISE_SORTS, Enterprise.id)


def get_enterprise(session: Session, principal: Principal, enterprise_id: int) -> Enterprise:
    enterprise = session.scalar(visible_enterprises(principal).where(Enterprise.id == enterprise_id))
    if enterprise is None:
        raise NotFound("Enterprise not found.")
    return enterprise


def enterprise_by_credit_code(session: Session, principal: Principal, credit_code: str) -> Enterprise:
    enterprise = session.scalar(visible_enterprises(principal).where(Enterprise.credit_code == credit_code))
    if enterprise is None:
        raise NotFound("No enterprise you may see has the credit code {code}.", code=credit_code)
    return enterprise


def _check_enterprise_write(principal: Principal, *, region_code: str, park: Park | None) -> None:
    if in_jurisdiction(principal, region_code):
        return
    if principal.role is Role.park_operator and park is not None and park.operator_org_id == principal.org_id:
        return
    raise Forbidden("You may not register or change enterprises in this region or park.")


def _park(session: Session, park_id: int | None) -> Park | None:
    if park_id is None:
        return None
    park = session.get(Park, park_id)
    if park is None:
        raise NotFound("Park not found.", field="park_id")
    return park


def create_enterprise(session: Session, principal: Principal, data: EnterpriseIn) -> Enterprise:
    park = _park(session, data.park_id)
    _check_enterprise_write(principal, region_code=data.region_code, park=park)
    flags_set = data.tier is not Tier.none or data.specialised or data.provincial_key
    if flags_set and principal.role not in STEWARDS:
        raise Forbidden("Only authorities set tiers and key-enterprise flags.", field="tier")
    if session.scalar(select(Enterprise.id).where(Enterprise.credit_code == data.credit_code)):
        raise Conflict("An enterprise with this credit code is registered already.", field="credit_code")
    if session.scalar(select(Organisation.id).where(Organisation.name == data.name)):
        raise Conflict("An organisation with this name exists already.", field="name")
    category = category_by_code(session, data.category_code) if data.category_code else None
    org = Organisation(
        name=data.name,
        kind=OrgKind.enterprise,
        region_code=data.region_code,
        managed_by_id=park.operator_org_id if park else None,
    )
    session.add(org)
    session.flush()
    enterprise = Enterprise(
        org_id=org.id,
        credit_code=data.credit_code,
        park_id=park.id if park else None,
        cluster=data.cluster,
        category_id=category.id if category else None,
        tier=data.tier,
        specialised=data.specialised,
        provincial_key=data.provincial_key,
    )
    session.add(enterprise)
    session.flush()
    return enterprise


def update_enterprise(
    session: Session, principal: Principal, enterprise_id: int, data: EnterprisePatch
) -> Enterprise:
    enterprise = get_enterprise(session, principal, enterprise_id)
    org = enterprise.organisation
    changes = data.model_dump(exclude_unset=True)
    _check_enterprise_write(principal, region_code=org.region_code, park=enterprise.park)
    if {"tier", "specialised", "provincial_key"} & changes.keys() and principal.role not in STEWARDS:
        raise Forbidden("Only authorities set tiers and key-enterprise flags.", field="tier")
    if changes.get("region_code"):
        _check_enterprise_write(principal, region_code=changes["region_code"], park=enterprise.park)
        org.region_code = changes.pop("region_code")
    if changes.get("name"):
        name = changes.pop("name")
        if session.scalar(
            select(Organisation.id).where(Organisation.name == name, Organisation.id != org.id)
        ):
            raise Conflict("An organisation with this name exists already.", field="name")
        org.name = name
    if "park_id" in changes:
        park = _park(session, changes.pop("park_id"))
        enterprise.park_id = park.id if park else None
        org.managed_by_id = park.operator_org_id if park else None
    if "category_code" in changes:
        code = changes.pop("category_code")
        enterprise.category_id = category_by_code(session, code).id if code else None
    for key, value in changes.items():
        if value is not None:
            setattr(enterprise, key, value)
    session.flush()
    return enterprise


def enterprise_out(enterprise: Enterprise) -> EnterpriseOut:
    return EnterpriseOut(
        id=enterprise.id,
        org_id=enterprise.org_id,
        name=enterprise.organisation.name,
        credit_code=enterprise.credit_code,
        region_code=enterprise.organisation.region_code,
        cluster=enterprise.cluster,
        category_code=enterprise.category.code if enterprise.category else None,
        park_id=enterprise.park_id,
        park_name=enterprise.park.name if enterprise.park else None,
        tier=enterprise.tier,
        specialised=enterprise.specialised,
        provincial_key=enterprise.provincial_key,
    )


# --- parks -------------------------------------------------------------------------------------------


def visible_parks(principal: Principal) -> ColumnElement[bool]:
    """Parks a principal may look at, like enterprises: administrators all, authorities their region's,
    an operator its own parks, an enterprise the park it is in."""
    if principal.is_admin:
        return true()
    if principal.is_authority:
        return Park.region_code.startswith(jurisdiction_prefix(principal.region_code))
    if principal.role is Role.park_operator:
        return Park.operator_org_id == principal.org_id
    return Park.id.in_(select(Enterprise.park_id).where(Enterprise.org_id == principal.org_id))


def may_see_evaluations(principal: Principal, park: Park) -> bool:
    """A park's evaluation (scores, entry and exit) is for the authorities over it and its operator."""
    return in_jurisdiction(principal, park.region_code) or (
        principal.role is Role.park_operator and park.operator_org_id == principal.org_id
    )


def list_parks(session: Session, principal: Principal, *, region_prefix: str | None = None) -> list[Park]:
    stmt = select(Park).where(visible_parks(principal)).order_by(Park.level, Park.name)
    if region_prefix:
        stmt = stmt.where(Park.region_code.startswith(region_prefix))
    return list(session.scalars(stmt))


def park_enterprise_counts(session: Session) -> dict[int, int]:
    rows = session.execute(
        select(Enterprise.park_id, func.count())
        .where(Enterprise.park_id.is_not(None))
        .group_by(Enterprise.park_id)
    )
    return {int(park_id): int(count) for park_id, count in rows if park_id is not None}


def create_park(session: Session, principal: Principal, data: ParkIn) -> Park:
    require_steward(principal)
    if not in_jurisdiction(principal, data.region_code):
        raise Forbidden("You may not register parks in this region.", field="region_code")
    if session.scalar(select(Park.id).where(Park.name == data.name)):
        raise Conflict("A park with this name exists already.", field="name")
    if data.operator_org_id is not None:
        operator = session.get(Organisation, data.operator_org_id)
        if operator is None or operator.kind is not OrgKind.park_operator:
            raise Conflict("The operator must be a park-operator organisation.", field="operator_org_id")
    park = Park(**data.model_dump())
    session.add(park)
    session.flush()
    return park


def get_park(session: Session, principal: Principal, park_id: int) -> Park:
    park = session.scalar(select(Park).where(Park.id == park_id, visible_parks(principal)))
    if park is None:
        raise NotFound("Park not found.")
    return park


# --- projects ("146") --------------------------------------------------------------------------------

PROJECT_SORTS = {
    "name": Project.name,
    "year_selected": Project.year_selected,
    "tier": Project.tier,
    "planned_total": Project.planned_total,
}


def visible_projects(principal: Principal) -> Select[Project]:
    """ "146" projects as enterprises are seen: administrators all, authorities their region's, an operator
    those in its parks or led by its enterprises, an enterprise those it leads."""
    stmt = select(Project)
    if principal.is_admin:
        return stmt
    if principal.is_authority:
        return stmt.where(Project.region_code.startswith(jurisdiction_prefix(principal.region_code)))
    if principal.role is Role.park_operator:
        operated = select(Park.id).where(Park.operator_org_id == principal.org_id)
        return stmt.where(or_(Project.park_id.in_(operated), Project.org_id.in_(principal.visible_org_ids())))
    return stmt.where(Project.org_id == principal.org_id)


def list_projects(
    session: Session,
    principal: Principal,
    request: PageRequest,
    *,
    year: int | None = None,
    tier: str | None = None,
) -> Page[Project]:
    stmt = visible_projects(principal)
    if year:
        stmt = stmt.where(Project.year_selected == year)
    if tier:
        stmt = stmt.where(Project.tier == tier)
    return paginate(session, stmt, request, PROJECT_SORTS, Project.id)


def create_project(session: Session, principal: Principal, data: ProjectIn) -> Project:
    require_steward(principal)
    if not in_jurisdiction(principal, data.region_code):
        raise Forbidden("You may not register projects in this region.", field="region_code")
    lead = (
        session.scalar(select(Enterprise).where(Enterprise.credit_code == data.lead_credit_code))
        if data.lead_credit_code
        else None
    )
    if data.lead_credit_code and lead is None:
        raise NotFound(
            "No enterprise has the credit code {code}.", field="lead_credit_code", code=data.lead_credit_code
        )
    _park(session, data.park_id)
    years = sorted({y.year for y in data.years})
    if len(years) != len(data.years):
        raise Conflict("A year appears twice in the investment plan.", field="years")
    project = Project(
        name=data.name,
        tier=data.tier,
        year_selected=data.year_selected,
        region_code=data.region_code,
        lead_enterprise_id=lead.id if lead else None,
        org_id=lead.org_id if lead else None,
        park_id=data.park_id,
        status=data.status,
        planned_total=data.planned_total,
        description=data.description,
        years=[ProjectYear(year=y.year, planned=y.planned, completed=y.completed) for y in data.years],
    )
    session.add(project)
    session.flush()
    return project


def get_project(session: Session, principal: Principal, project_id: int) -> Project:
    project = session.scalar(visible_projects(principal).where(Project.id == project_id))
    if project is None:
        raise NotFound("Project not found.")
    return project


def _editable_project(session: Session, principal: Principal, project_id: int) -> Project:
    require_steward(principal)
    project = get_project(session, principal, project_id)
    if not in_jurisdiction(principal, project.region_code):
        raise Forbidden("You may not change projects in this region.")
    return project


def update_project(session: Session, principal: Principal, project_id: int, data: ProjectPatch) -> Project:
    """Status and the yearly investment plan and completion (a year given again replaces its figures)."""
    project = _editable_project(session, principal, project_id)
    if data.status is not None:
        project.status = data.status
    if data.planned_total is not None:
        project.planned_total = data.planned_total
    if len({y.year for y in data.years}) != len(data.years):
        raise Conflict("A year appears twice in the investment plan.", field="years")
    by_year = {row.year: row for row in project.years}
    for plan in data.years:
        row = by_year.get(plan.year)
        if row is None:
            project.years.append(ProjectYear(year=plan.year, planned=plan.planned, completed=plan.completed))
        else:
            row.planned, row.completed = plan.planned, plan.completed
    session.flush()
    return project


def add_milestone(session: Session, principal: Principal, project_id: int, data: MilestoneIn) -> Milestone:
    project = _editable_project(session, principal, project_id)
    milestone = Milestone(project_id=project.id, title=data.title, due_on=data.due_on, done_on=data.done_on)
    session.add(milestone)
    session.flush()
    return milestone


def complete_milestone(
    session: Session, principal: Principal, milestone_id: int, *, done_on: date
) -> Milestone:
    milestone = session.get(Milestone, milestone_id)
    if milestone is None:
        raise NotFound("Milestone not found.")
    _editable_project(session, principal, milestone.project_id)
    if milestone.done_on is not None:
        raise Conflict("The milestone was marked done on {date} already.", date=milestone.done_on.isoformat())
    milestone.done_on = done_on
    session.flush()
    return milestone


def overdue_milestones(project: Project, *, on: date) -> list[Milestone]:
    return [m for m in project.milestones if m.done_on is None and m.due_on < on]


def summary_counts(session: Session, prefix: str = "") -> dict[str, Any]:
    """Enterprises, parks and projects in a region (everything with the empty prefix)."""
    enterprises = (
        select(func.count())
        .select_from(Enterprise)
        .join(Organisation, Organisation.id == Enterprise.org_id)
        .where(within_prefix(Organisation.region_code, prefix))
    )
    parks = select(func.count()).select_from(Park).where(within_prefix(Park.region_code, prefix))
    projects = select(func.count()).select_from(Project).where(within_prefix(Project.region_code, prefix))
    return {
        "enterprises": session.scalar(enterprises) or 0,
        "parks": session.scalar(parks) or 0,
        "projects": session.scalar(projects) or 0,
    }
