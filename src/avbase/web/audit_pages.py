from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from avbase.core.audit_views import service
from avbase.core.errors import NotFound
from avbase.core.i18n import N_
from avbase.core.jobs import enqueue, get_job
from avbase.core.jobs.models import JobState
from avbase.i18n_labels import AUDIT_ACTIONS
from avbase.kit.pagination import PageRequest
from avbase.settings import get_settings
from avbase.web.deps import Db, PagePrincipal
from avbase.web.forms import RawForm
from avbase.web.schemas import RowId
from avbase.web.templating import render

router = APIRouter()


@router.get("/audit")
def audit_log(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    page: int = 1,
    per_page: int = 50,
    sort: str | None = "-at",
    actor: str | None = None,
    action: str | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Response:
    filters = {
        "actor": actor or None,
        "action": action or None,
        "entity_type": entity_type or None,
        "entity_id": entity_id or None,
        "since": since,
        "until": until,
    }
    result = service.list_audit(db, principal, PageRequest.parse(page, per_page, sort), **filters)
    template = "audit/_table.html" if request.headers.get("hx-request") == "true" else "audit/list.html"
    return render(
        request,
        template,
        {
            "page": result,
            "filters": filters,
            "audit_actions": AUDIT_ACTIONS,
            "entity_types": service.entity_types(db),
        },
    )


@router.post("/audit/export")
def export(db: Db, principal: PagePrincipal, form: RawForm) -> Response:
    service.audit_query(principal)  # refuses non-administrators
    filters = {
        key: str(form[key]) for key in ("actor", "action", "entity_type", "since", "until") if form.get(key)
    }
    job = enqueue(
        db,
        kind="audit.export",
        title=N_("Export audit log"),
        payload={"filters": filters},
        principal=principal,
    )
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.get("/audit/exports/{job_id}")
def download(db: Db, principal: PagePrincipal, job_id: RowId) -> Response:
    service.audit_query(principal)
    job = get_job(db, principal, job_id)
    if job.kind != "audit.export" or job.state is not JobState.succeeded or not job.result:
        raise NotFound("Export not found.")
    path = get_settings().var_dir / "exports" / str(job.result["file"])
    if not path.is_file():
        raise NotFound("Export not found.")
    return FileResponse(path, media_type="text/csv", filename=path.name)
