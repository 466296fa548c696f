"""Web pages of the collaboration network: productions, their stripboard, day-out-of-days, call sheets and
tasks between companies."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from avbase.chain.production import service
from avbase.chain.production.models import TaskStatus
from avbase.chain.scripts.breakdown import breakdown_file
from avbase.core.accounts.models import Organisation
from avbase.core.errors import AvbaseError
from avbase.core.i18n import _
from avbase.media.documents import DOCUMENT_MAX_BYTES
from avbase.web.deps import Db, PagePrincipal
from avbase.web.forms import FormFields
from avbase.web.limits import upload_body
from avbase.web.pdf import pdf_response, render_pdf
from avbase.web.schemas import RowId
from avbase.web.templating import add_template_dir, render
from avbase.web.uploads import with_upload

router = APIRouter(prefix="/productions")
add_template_dir(Path(__file__).resolve().parent / "templates")


def _int(text: str | None, field: str) -> int | None:
    if not text:
        return None
    if not text.isdigit() or len(text) > 9:
        raise AvbaseError("Enter a whole number.", field=field)
    return int(text)


def _date(text: str | None, field: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError as exc:
        raise AvbaseError("Enter a date as YYYY-MM-DD.", field=field) from exc


@router.get("")
def productions(request: Request, db: Db, principal: PagePrincipal) -> Response:
    rows = service.visible_productions(db, principal)
    return render(request, "production/list.html", {"productions": rows})


@router.post("")
def create(db: Db, principal: PagePrincipal, form: FormFields) -> Response:
    production = service.create_production(
        db, principal, title=form.get("title", ""),
        industry_project_id=_int(form.get("industry_project_id"), "industry_project_id"),
        rights_work_id=_int(form.get("rights_work_id"), "rights_work_id"),
        starts_on=_date(form.get("starts_on"), "starts_on"),
    )  # fmt: skip
    return RedirectResponse(f"/productions/{production.id}", status_code=303)


@router.get("/{production_id}")
def production(request: Request, db: Db, principal: PagePrincipal, production_id: RowId) -> Response:
    item = service.get_production(db, principal, production_id)
    members = service.companies(db, item.id)
    tasks = service.tasks(db, principal, item.id)
    names = {org.id: org.name for _member, org in members}
    others = db.execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.name).limit(300)
    ).all()
    return render(
        request,
        "production/production.html",
        {
            "p": item, "members": members, "crew": service.crew(db, item.id), "tasks": tasks, "names": names,
            "statuses": list(TaskStatus), "is_lead": principal.owns(item.org_id), "my_org": principal.org_id,
            "orgs": others, "owns": principal.owns,
        },
    )  # fmt: skip


@router.post("/{production_id}/companies")
def add_company(db: Db, principal: PagePrincipal, production_id: RowId, form: FormFields) -> Response:
    org_id = _int(form.get("org_id"), "org_id")
    if org_id is None:
        raise AvbaseError("Choose a company.", field="org_id")
    service.add_company(db, principal, production_id, org_id, form.get("role", ""))
    return RedirectResponse(f"/productions/{production_id}#companies", status_code=303)


@router.post("/{production_id}/crew")
def add_crew(db: Db, principal: PagePrincipal, production_id: RowId, form: FormFields) -> Response:
    service.add_crew(
        db, principal, production_id, name=form.get("name", ""), role=form.get("role", ""),
        character=form.get("character") or None, phone=form.get("phone") or None,
    )  # fmt: skip
    return RedirectResponse(f"/productions/{production_id}#crew", status_code=303)


@router.post("/{production_id}/tasks")
def add_task(db: Db, principal: PagePrincipal, production_id: RowId, form: FormFields) -> Response:
    depends = [
        int(x) for x in form.get("depends_on", "").replace("，", ",").split(",") if x.strip().isdigit()
    ]
    org_id = _int(form.get("org_id"), "org_id")
    if org_id is None:
        raise AvbaseError("Choose a company.", field="org_id")
    service.create_task(
        db, principal, production_id, title=form.get("title", ""), org_id=org_id,
        due_on=_date(form.get("due_on"), "due_on"), depends_on=depends,
    )  # fmt: skip
    return RedirectResponse(f"/productions/{production_id}#tasks", status_code=303)


@router.post("/{production_id}/tasks/{task_id}/status")
def task_status(
    db: Db, principal: PagePrincipal, production_id: RowId, task_id: RowId, form: FormFields
) -> Response:
    try:
        status = TaskStatus(form.get("status", ""))
    except ValueError as exc:
        raise AvbaseError("Choose a status.", field="status") from exc
    service.set_task_status(db, principal, task_id, status)
    return RedirectResponse(f"/productions/{production_id}#tasks", status_code=303)


@router.get("/{production_id}/stripboard")
def stripboard(request: Request, db: Db, principal: PagePrincipal, production_id: RowId) -> Response:
    item = service.get_production(db, principal, production_id)
    board, pool = service.stripboard(db, principal, item.id)
    return render(
        request,
        "production/stripboard.html",
        {
            "p": item,
            "board": board,
            "pool": pool,
            "colour": service.strip_colour,
            "is_lead": principal.owns(item.org_id),
        },
    )


@router.post("/{production_id}/stripboard/move")
def move(
    request: Request, db: Db, principal: PagePrincipal, production_id: RowId, form: FormFields
) -> Response:
    scene_id = _int(form.get("scene_id"), "scene_id")
    if scene_id is None:
        raise AvbaseError("Choose a scene.", field="scene_id")
    day = form.get("day_id", "")
    service.move_scene(
        db, principal, production_id, scene_id, _int(day, "day_id") if day else None,
        _int(form.get("position"), "position") or 0,
    )  # fmt: skip
    if request.headers.get("x-requested-with") == "fetch":
        return Response(status_code=204)
    return RedirectResponse(f"/productions/{production_id}/stripboard", status_code=303)


@router.post("/{production_id}/days")
def add_day(db: Db, principal: PagePrincipal, production_id: RowId, form: FormFields) -> Response:
    service.add_day(db, principal, production_id, _date(form.get("shoot_on"), "shoot_on"))
    return RedirectResponse(f"/productions/{production_id}/stripboard", status_code=303)


@router.post("/{production_id}/breakdown", max_body_size=upload_body(DOCUMENT_MAX_BYTES))
def load_breakdown(
    db: Db, principal: PagePrincipal, production_id: RowId, file: UploadFile = File(...)
) -> Response:
    breakdown = with_upload(file, DOCUMENT_MAX_BYTES, lambda path, _name: breakdown_file(path))
    service.load_breakdown(db, principal, production_id, breakdown)
    return RedirectResponse(f"/productions/{production_id}/stripboard", status_code=303)


@router.get("/{production_id}/dood")
def dood(request: Request, db: Db, principal: PagePrincipal, production_id: RowId) -> Response:
    item = service.get_production(db, principal, production_id)
    board, _pool = service.stripboard(db, principal, item.id)
    days = [b.day for b in board if b.day is not None]
    return render(
        request, "production/dood.html", {"p": item, "days": days, "rows": service.day_out_of_days(board)}
    )


@router.get("/{production_id}/days/{day_id}/callsheet.pdf")
def call_sheet(db: Db, principal: PagePrincipal, production_id: RowId, day_id: RowId) -> Response:
    item = service.get_production(db, principal, production_id)
    sheet = service.call_sheet(db, principal, production_id, day_id)
    content = render_pdf(
        "production/call_sheet.html", {**sheet, "title": _("Call sheet · {title}", title=item.title)}
    )
    return pdf_response(content, f"callsheet-{production_id}-{day_id}.pdf")
