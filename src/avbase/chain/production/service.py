"""Productions and the work between their companies: members, crew, the stripboard (scenes moved into
shooting days), the day-out-of-days report, call sheets and tasks with dependencies.

Who sees what: the companies on a production see it; administrators and authority officers (of the lead
company's region) read it. The lead company changes the production, its members, crew and stripboard; a
task is changed by the lead company and by the company that does it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.chain.production.models import (
    CrewMember,
    Production,
    ProductionCompany,
    ProductionStage,
    Scene,
    ShootingDay,
    Task,
    TaskStatus,
)
from avbase.chain.scripts.breakdown import Breakdown, eighths_label
from avbase.core.accounts.models import Organisation
from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound


def _member_orgs(session: Session, production_id: int) -> set[int]:
    return set(
        session.scalars(
            select(ProductionCompany.org_id).where(ProductionCompany.production_id == production_id)
        )
    )


def visible_productions(session: Session, principal: Principal) -> list[Production]:
    query = select(Production).order_by(Production.id.desc())
    if not principal.is_admin:
        member = select(ProductionCompany.production_id).where(ProductionCompany.org_id == principal.org_id)
        if principal.is_authority:
            query = query.where(
                Production.id.in_(member) | Production.org_id.in_(principal.visible_org_ids())
            )
        else:
            query = query.where(Production.id.in_(member))
    return list(session.scalars(query.limit(500)))


def get_production(session: Session, principal: Principal, production_id: int) -> Production:
    production = session.get(Production, production_id)
    if production is not None and (
        principal.is_admin or principal.org_id in _member_orgs(session, production.id)
        or (principal.is_authority and principal.can_read(session.get_one(Organisation, production.org_id)))
    ):  # fmt: skip
        return production
    raise NotFound("No production has the id {id}.", field="production_id", id=production_id)


def _lead(session: Session, principal: Principal, production_id: int) -> Production:
    production = get_production(session, principal, production_id)
    if not principal.owns(production.org_id):
        raise Forbidden("Only the lead company of the production may change this.")
    return production


def create_production(
    session: Session,
    principal: Principal,
    *,
    title: str,
    industry_project_id: int | None = None,
    rights_work_id: int | None = None,
    starts_on: date | None = None,
    description: str | None = None,
    stage: ProductionStage = ProductionStage.pre_production,
) -> Production:
    if principal.role in READ_ONLY_ROLES or not principal.org_id:
        raise Forbidden("Only a company's staff may start a production.")
    title = title.strip()
    if not title or len(title) > 200:
        raise AvbaseError("A title of 1 to 200 characters is required.", field="title")
    production = Production(
        org_id=principal.org_id, title=title, industry_project_id=industry_project_id, stage=stage,
        rights_work_id=rights_work_id, starts_on=starts_on, description=description,
    )  # fmt: skip
    session.add(production)
    session.flush()
    session.add(ProductionCompany(production_id=production.id, org_id=principal.org_id, role="出品/摄制"))
    session.flush()
    return production


def add_company(session: Session, principal: Principal, production_id: int, org_id: int, role: str) -> None:
    production = _lead(session, principal, production_id)
    if session.get(Organisation, org_id) is None:
        raise NotFound("No organisation has the id {id}.", field="org_id", id=org_id)
    if org_id in _member_orgs(session, production.id):
        raise Conflict("The company is on the production already.", field="org_id")
    session.add(ProductionCompany(production_id=production.id, org_id=org_id, role=role.strip()[:80] or "—"))
    session.flush()


def companies(session: Session, production_id: int) -> list[tuple[ProductionCompany, Organisation]]:
    rows = session.execute(
        select(ProductionCompany, Organisation)
        .join(Organisation, Organisation.id == ProductionCompany.org_id)
        .where(ProductionCompany.production_id == production_id)
        .order_by(ProductionCompany.id)
    )
    return [(row[0], row[1]) for row in rows]


def add_crew(
    session: Session, principal: Principal, production_id: int, *, name: str, role: str,
    character: str | None = None, org_id: int | None = None, phone: str | None = None,
    call_time: str | None = None,
) -> CrewMember:  # fmt: skip
    production = _lead(session, principal, production_id)
    if not name.strip() or not role.strip():
        raise AvbaseError("A crew member needs a name and a role.", field="name")
    if org_id is not None and session.get(Organisation, org_id) is None:
        raise NotFound("No organisation has the id {id}.", field="org_id", id=org_id)
    member = CrewMember(
        production_id=production.id, name=name.strip()[:100], role=role.strip()[:80], character=character,
        org_id=org_id, phone=phone, call_time=call_time,
    )  # fmt: skip
    session.add(member)
    session.flush()
    return member


def crew(session: Session, production_id: int) -> list[CrewMember]:
    return list(
        session.scalars(
            select(CrewMember).where(CrewMember.production_id == production_id).order_by(CrewMember.id)
        )
    )


# --- stripboard -------------------------------------------------------------------------------------------


def load_breakdown(session: Session, principal: Principal, production_id: int, breakdown: Breakdown) -> int:
    """The breakdown's scenes become unscheduled strips (appended after those already there)."""
    production = _lead(session, principal, production_id)
    start = (
        session.scalar(select(func.count()).select_from(Scene).where(Scene.production_id == production.id))
        or 0
    )
    for index, scene in enumerate(breakdown.scenes):
        session.add(
            Scene(
                production_id=production.id, number=scene.number, heading=scene.heading[:200],
                time=scene.time, setting=scene.setting, location=scene.location[:200] or "—",
                characters=list(scene.characters), eighths=scene.eighths, position=start + index,
            )
        )  # fmt: skip
    session.flush()
    return len(breakdown.scenes)


def add_day(
    session: Session, principal: Principal, production_id: int, shoot_on: date | None = None
) -> ShootingDay:
    production = _lead(session, principal, production_id)
    last = session.scalar(
        select(func.max(ShootingDay.number)).where(ShootingDay.production_id == production.id)
    )
    day = ShootingDay(production_id=production.id, number=(last or 0) + 1, shoot_on=shoot_on)
    session.add(day)
    session.flush()
    return day


def days(session: Session, production_id: int) -> list[ShootingDay]:
    return list(
        session.scalars(
            select(ShootingDay).where(ShootingDay.production_id == production_id).order_by(ShootingDay.number)
        )
    )


def move_scene(
    session: Session,
    principal: Principal,
    production_id: int,
    scene_id: int,
    day_id: int | None,
    position: int,
) -> Scene:
    """Put a strip into a shooting day (or back among the unscheduled ones) at a position; the strips of
    both places are renumbered."""
    production = _lead(session, principal, production_id)
    scene = session.get(Scene, scene_id)
    if scene is None or scene.production_id != production.id:
        raise NotFound("No scene has the id {id}.", field="scene_id", id=scene_id)
    if day_id is not None:
        day = session.get(ShootingDay, day_id)
        if day is None or day.production_id != production.id:
            raise NotFound("No shooting day has the id {id}.", field="day_id", id=day_id)
    old_day = scene.day_id
    target = [s for s in _strips(session, production.id, day_id) if s.id != scene.id]
    position = max(0, min(position, len(target)))
    target.insert(position, scene)
    scene.day_id = day_id
    for index, strip in enumerate(target):
        strip.position = index
    if old_day != day_id:
        for index, strip in enumerate(
            s for s in _strips(session, production.id, old_day) if s.id != scene.id
        ):
            strip.position = index
    session.flush()
    return scene


def _strips(session: Session, production_id: int, day_id: int | None) -> list[Scene]:
    query = select(Scene).where(Scene.production_id == production_id)
    query = query.where(Scene.day_id.is_(None) if day_id is None else Scene.day_id == day_id)
    return list(session.scalars(query.order_by(Scene.position, Scene.id)))


@dataclass
class BoardDay:
    day: ShootingDay | None
    scenes: list[Scene] = field(default_factory=list)

    @property
    def eighths(self) -> int:
        return sum(scene.eighths for scene in self.scenes)

    @property
    def pages(self) -> str:
        return eighths_label(self.eighths)


def stripboard(session: Session, principal: Principal, production_id: int) -> tuple[list[BoardDay], BoardDay]:
    """Shooting days with their strips in order, and the strips not scheduled yet."""
    production = get_production(session, principal, production_id)
    board = {day.id: BoardDay(day) for day in days(session, production.id)}
    pool = BoardDay(None)
    scenes = session.scalars(
        select(Scene).where(Scene.production_id == production.id).order_by(Scene.position, Scene.id)
    )
    for scene in scenes:
        board.get(scene.day_id or 0, pool).scenes.append(scene)
    return list(board.values()), pool


def strip_colour(scene: Scene) -> str:
    """The stripboard convention: white day interior, yellow day exterior, blue night interior, green night
    exterior; dawn and dusk in pink and orange."""
    exterior = scene.setting in ("ext", "int/ext")
    if scene.time == "night":
        return "night-ext" if exterior else "night-int"
    if scene.time in ("dawn", "dusk"):
        return scene.time
    return "day-ext" if exterior else "day-int"


def day_out_of_days(board: Sequence[BoardDay]) -> list[dict[str, object]]:
    """Per character, the code of each shooting day: SW (starts work), W (works), WF (finishes), SWF (the only
    day), H (held between working days) or empty; with the count of working and held days."""
    scheduled = [b for b in board if b.day is not None]
    working: dict[str, set[int]] = {}
    for index, day in enumerate(scheduled):
        for scene in day.scenes:
            for name in scene.characters:
                working.setdefault(name, set()).add(index)
    rows = []
    for name, worked in working.items():
        first, last = min(worked), max(worked)
        codes = []
        for index in range(len(scheduled)):
            if index in worked:
                codes.append(
                    "SWF" if first == last else "SW" if index == first else "WF" if index == last else "W"
                )
            else:
                codes.append("H" if first < index < last else "")
        rows.append({"character": name, "codes": codes, "work": len(worked), "hold": codes.count("H"),
                     "start": first + 1, "finish": last + 1})  # fmt: skip
    rows.sort(key=lambda row: (-int(str(row["work"])), str(row["start"]), str(row["character"])))
    return rows


def call_sheet(session: Session, principal: Principal, production_id: int, day_id: int) -> dict[str, object]:
    production = get_production(session, principal, production_id)
    day = session.get(ShootingDay, day_id)
    if day is None or day.production_id != production.id:
        raise NotFound("No shooting day has the id {id}.", field="day_id", id=day_id)
    scenes = _strips(session, production.id, day.id)
    names = list(dict.fromkeys(name for scene in scenes for name in scene.characters))
    members = crew(session, production.id)
    cast = [m for m in members if m.character in names]
    return {
        "production": production, "day": day, "scenes": scenes, "characters": names, "cast": cast,
        "crew": [m for m in members if m.character is None],
        "pages": eighths_label(sum(s.eighths for s in scenes)),
        "locations": list(dict.fromkeys(scene.location for scene in scenes)),
    }  # fmt: skip


# --- tasks --------------------------------------------------------------------------------------------------


def tasks(session: Session, principal: Principal, production_id: int) -> list[Task]:
    production = get_production(session, principal, production_id)
    return list(
        session.scalars(
            select(Task).where(Task.production_id == production.id).order_by(Task.due_on, Task.id)
        )
    )


def create_task(
    session: Session, principal: Principal, production_id: int, *, title: str, org_id: int,
    due_on: date | None = None, assignee_id: int | None = None, description: str | None = None,
    depends_on: Sequence[int] = (),
) -> Task:  # fmt: skip
    production = _lead(session, principal, production_id)
    if org_id not in _member_orgs(session, production.id):
        raise AvbaseError("The task goes to a company on the production.", field="org_id")
    if not title.strip():
        raise AvbaseError("A task needs a title.", field="title")
    known = set(session.scalars(select(Task.id).where(Task.production_id == production.id)))
    unknown = [tid for tid in depends_on if tid not in known]
    if unknown:
        raise NotFound("No task of this production has the id {id}.", field="depends_on", id=unknown[0])
    task = Task(
        production_id=production.id, org_id=org_id, title=title.strip()[:200], due_on=due_on,
        assignee_id=assignee_id, description=description, depends_on=sorted(set(depends_on)),
    )  # fmt: skip
    session.add(task)
    session.flush()
    return task


def set_task_status(session: Session, principal: Principal, task_id: int, status: TaskStatus) -> Task:
    """Moved by the lead company or the company doing it; not started nor finished before what it depends on
    is done."""
    task = session.get(Task, task_id)
    if task is None:
        raise NotFound("No task has the id {id}.", field="task_id", id=task_id)
    production = get_production(session, principal, task.production_id)
    if not (principal.owns(task.org_id) or principal.owns(production.org_id)):
        raise Forbidden("Only the company doing the task or the lead company may change it.")
    if status in (TaskStatus.in_progress, TaskStatus.review, TaskStatus.done) and task.depends_on:
        waiting = session.scalars(
            select(Task).where(Task.id.in_(task.depends_on), Task.status != TaskStatus.done).order_by(Task.id)
        ).first()
        if waiting is not None:
            raise Conflict("The task waits for “{title}” to be done.", field="status", title=waiting.title)
    task.status = status
    session.flush()
    return task
