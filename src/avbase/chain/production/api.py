"""REST routes of the collaboration network: productions, companies, crew, stripboard, day-out-of-days,
call sheets and tasks."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from avbase.chain.production import service
from avbase.chain.production.models import ProductionStage, TaskStatus
from avbase.chain.scripts.breakdown import breakdown_lines
from avbase.core.i18n import _
from avbase.web.deps import ApiPrincipal, Db
from avbase.web.pdf import pdf_response, render_pdf
from avbase.web.schemas import ErrorOut, RowId, RowRef

router = APIRouter(
    prefix="/productions",
    tags=["productions"],
    responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
Name = Annotated[str, Field(min_length=1, max_length=100)]


class ProductionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=200)]
    industry_project_id: RowRef | None = None
    rights_work_id: RowRef | None = None
    starts_on: date | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None
    stage: ProductionStage = ProductionStage.pre_production


class ProductionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    title: str
    stage: ProductionStage
    industry_project_id: int | None
    rights_work_id: int | None
    starts_on: date | None


class CompanyIn(BaseModel):
    org_id: RowRef
    role: Annotated[str, Field(max_length=80)] = ""


class CrewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    role: Annotated[str, Field(min_length=1, max_length=80)]
    character: Annotated[str, Field(max_length=100)] | None = None
    org_id: RowRef | None = None
    phone: Annotated[str, Field(max_length=40)] | None = None
    call_time: Annotated[str, Field(pattern=r"^\d{2}:\d{2}$")] | None = None


class BreakdownTextIn(BaseModel):
    text: Annotated[str, Field(min_length=1, max_length=2_000_000)]


class DayIn(BaseModel):
    shoot_on: date | None = None


class MoveIn(BaseModel):
    scene_id: RowRef
    day_id: RowRef | None = None
    position: Annotated[int, Field(ge=0, le=10_000)] = 0


class SceneOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    number: str
    time: str | None
    setting: str | None
    location: str
    characters: list[str]
    eighths: int
    day_id: int | None
    position: int


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=200)]
    org_id: int
    due_on: date | None = None
    assignee_id: int | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None
    depends_on: Annotated[list[int], Field(max_length=50)] = []


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    production_id: int
    org_id: int
    title: str
    status: TaskStatus
    assignee_id: int | None
    due_on: date | None
    depends_on: list[int]


class StatusIn(BaseModel):
    status: TaskStatus


@router.get("", response_model=list[ProductionOut])
def productions(db: Db, principal: ApiPrincipal) -> Any:
    return service.visible_productions(db, principal)


@router.post("", response_model=ProductionOut, status_code=201, responses={403: {"model": ErrorOut}})
def create(db: Db, principal: ApiPrincipal, data: ProductionIn) -> Any:
    return service.create_production(db, principal, **data.model_dump())


@router.get("/{production_id}", response_model=ProductionOut)
def get(db: Db, principal: ApiPrincipal, production_id: RowId) -> Any:
    return service.get_production(db, principal, production_id)


@router.post("/{production_id}/companies", status_code=204, responses={403: {"model": ErrorOut}})
def add_company(db: Db, principal: ApiPrincipal, production_id: RowId, data: CompanyIn) -> None:
    service.add_company(db, principal, production_id, data.org_id, data.role)


@router.post("/{production_id}/crew", status_code=201)
def add_crew(db: Db, principal: ApiPrincipal, production_id: RowId, data: CrewIn) -> dict[str, int]:
    return {"id": service.add_crew(db, principal, production_id, **data.model_dump()).id}


@router.post("/{production_id}/breakdown", summary="Strips from a screenplay's text")
def breakdown(db: Db, principal: ApiPrincipal, production_id: RowId, data: BreakdownTextIn) -> dict[str, int]:
    return {
        "scenes": service.load_breakdown(
            db, principal, production_id, breakdown_lines(data.text.splitlines())
        )
    }


@router.post("/{production_id}/days", status_code=201)
def add_day(db: Db, principal: ApiPrincipal, production_id: RowId, data: DayIn) -> dict[str, int]:
    day = service.add_day(db, principal, production_id, data.shoot_on)
    return {"id": day.id, "number": day.number}


@router.get("/{production_id}/stripboard")
def stripboard(db: Db, principal: ApiPrincipal, production_id: RowId) -> dict[str, Any]:
    board, pool = service.stripboard(db, principal, production_id)
    return {
        "days": [
            {"id": b.day.id, "number": b.day.number, "shoot_on": b.day.shoot_on, "pages": b.pages,
             "scenes": [SceneOut.model_validate(s).model_dump() for s in b.scenes]}
            for b in board if b.day is not None
        ],
        "unscheduled": [SceneOut.model_validate(s).model_dump() for s in pool.scenes],
    }  # fmt: skip


@router.post("/{production_id}/stripboard/move", response_model=SceneOut)
def move(db: Db, principal: ApiPrincipal, production_id: RowId, data: MoveIn) -> Any:
    return service.move_scene(db, principal, production_id, data.scene_id, data.day_id, data.position)


@router.get("/{production_id}/dood", summary="Day-out-of-days per character")
def dood(db: Db, principal: ApiPrincipal, production_id: RowId) -> list[dict[str, object]]:
    board, _pool = service.stripboard(db, principal, production_id)
    return service.day_out_of_days(board)


@router.get("/{production_id}/days/{day_id}/callsheet.pdf", response_class=Response)
def call_sheet(db: Db, principal: ApiPrincipal, production_id: RowId, day_id: RowId) -> Response:
    item = service.get_production(db, principal, production_id)
    sheet = service.call_sheet(db, principal, production_id, day_id)
    content = render_pdf(
        "production/call_sheet.html", {**sheet, "title": _("Call sheet · {title}", title=item.title)}
    )
    return pdf_response(content, f"callsheet-{production_id}-{day_id}.pdf")


@router.get("/{production_id}/tasks", response_model=list[TaskOut])
def tasks(db: Db, principal: ApiPrincipal, production_id: RowId) -> Any:
    return service.tasks(db, principal, production_id)


@router.post("/{production_id}/tasks", response_model=TaskOut, status_code=201)
def create_task(db: Db, principal: ApiPrincipal, production_id: RowId, data: TaskIn) -> Any:
    return service.create_task(db, principal, production_id, **data.model_dump())


@router.patch("/tasks/{task_id}", response_model=TaskOut, responses={409: {"model": ErrorOut}})
def set_status(db: Db, principal: ApiPrincipal, task_id: RowId, data: StatusIn) -> Any:
    return service.set_task_status(db, principal, task_id, data.status)
