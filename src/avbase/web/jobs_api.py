from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from avbase.core.jobs import service
from avbase.core.jobs.models import JobState
from avbase.core.jobs.schemas import JobDetailOut, JobOut
from avbase.kit.pagination import MAX_PER_PAGE, PageRequest
from avbase.web.deps import ApiPrincipal, Db
from avbase.web.schemas import ErrorOut, PageOut, RowId, page_out

router = APIRouter(tags=["jobs"], responses={401: {"model": ErrorOut}, 422: {"model": ErrorOut}})


@router.get("/jobs", response_model=PageOut[JobOut], summary="Background jobs you may see")
def list_jobs(
    db: Db,
    principal: ApiPrincipal,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20,
    sort: Annotated[str | None, Query(pattern=r"^-?(id|kind|state|created_at|progress)$")] = "-id",
    state: JobState | None = None,
) -> PageOut[JobOut]:
    return page_out(
        service.list_jobs(db, principal, PageRequest.parse(page, per_page, sort), state=state), JobOut
    )


@router.get("/jobs/{job_id}", response_model=JobDetailOut, responses={404: {"model": ErrorOut}})
def get_job(job_id: RowId, db: Db, principal: ApiPrincipal) -> JobDetailOut:
    return JobDetailOut.model_validate(service.get_job(db, principal, job_id))


@router.post(
    "/jobs/{job_id}/cancel",
    response_model=JobOut,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
)
def cancel_job(job_id: RowId, db: Db, principal: ApiPrincipal) -> JobOut:
    return JobOut.model_validate(service.cancel_job(db, principal, job_id))
