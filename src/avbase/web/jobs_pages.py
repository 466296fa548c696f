from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from avbase.core.jobs import service
from avbase.core.jobs.models import JobState
from avbase.kit.pagination import PageRequest
from avbase.web.deps import Db, PagePrincipal
from avbase.web.schemas import RowId
from avbase.web.templating import render

router = APIRouter()


@router.get("/jobs")
def jobs(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    page: int = 1,
    per_page: int = 20,
    sort: str | None = "-id",
    state: JobState | None = None,
) -> Response:
    result = service.list_jobs(db, principal, PageRequest.parse(page, per_page, sort), state=state)
    template = "jobs/_table.html" if request.headers.get("hx-request") == "true" else "jobs/list.html"
    return render(request, template, {"page": result, "state": state, "states": list(JobState)})


@router.get("/jobs/{job_id}")
def job(request: Request, db: Db, principal: PagePrincipal, job_id: RowId) -> Response:
    found = service.get_job(db, principal, job_id)
    template = "jobs/_detail.html" if request.headers.get("hx-request") == "true" else "jobs/detail.html"
    return render(request, template, {"job": found})


@router.post("/jobs/{job_id}/cancel")
def cancel(request: Request, db: Db, principal: PagePrincipal, job_id: RowId) -> Response:
    service.cancel_job(db, principal, job_id)
    return RedirectResponse(f"/jobs/{job_id}", status_code=303)
