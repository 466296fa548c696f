from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from avbase.core import audit
from avbase.core.accounts.principal import Principal
from avbase.core.db import utcnow
from avbase.core.errors import Conflict, NotFound
from avbase.core.jobs.models import Job, JobState
from avbase.core.jobs.registry import CANCEL_HOOKS, load_handlers
from avbase.kit.pagination import Page, PageRequest, paginate

JOB_SORTS = {
    "id": Job.id,
    "kind": Job.kind,
    "state": Job.state,
    "created_at": Job.created_at,
    "progress": Job.progress,
}


def enqueue(
    session: Session,
    *,
    kind: str,
    title: str,
    payload: dict[str, Any] | None = None,
    principal: Principal | None = None,
    max_attempts: int = 3,
    priority: int = 0,
    once: str | None = None,
) -> Job:
    """Queue a job inside the caller's transaction: if that rolls back, no job exists. ``once``: a key
    naming what the job is about; while a job of this kind with that key is queued or running, it is
    returned and nothing new is queued (a rebuild asked for twice, a file fingerprinted once)."""
    if once is not None:
        waiting = pending(session, kind, once)
        if waiting is not None:
            return waiting
    job = Job(
        kind=kind,
        priority=priority,
        title=title,
        payload=payload or {},
        max_attempts=max_attempts,
        created_by_id=principal.user_id if principal else None,
        org_id=principal.org_id if principal else None,
        once_key=once,
    )
    session.add(job)
    session.flush()
    audit.record(
        session,
        action="enqueue",
        entity_type="jobs",
        entity_id=job.id,
        org_id=job.org_id,
        after={"kind": kind, "title": title, "payload": job.payload},
    )
    return job


def pending(session: Session, kind: str, once: str) -> Job | None:
    """The job of this kind and key that is queued or running, if there is one (see :func:`enqueue`)."""
    return session.scalar(
        select(Job)
        .where(Job.kind == kind, Job.once_key == once, Job.state.in_([JobState.queued, JobState.running]))
        .order_by(Job.id)
        .limit(1)
    )


def visible_to(principal: Principal) -> Any:
    """A filter on :class:`Job`: what this principal may see (own jobs and their organisations')."""
    if principal.is_admin:
        return Job.id.is_not(None)
    return or_(Job.created_by_id == principal.user_id, Job.org_id.in_(principal.visible_org_ids()))


def list_jobs(
    session: Session, principal: Principal, request: PageRequest, *, state: str | None = None
) -> Page[Job]:
    stmt = select(Job).where(visible_to(principal))
    if state:
        stmt = stmt.where(Job.state == state)
    return paginate(session, stmt, request, JOB_SORTS, Job.id)


def recent_jobs(session: Session, principal: Principal, *, limit: int) -> list[Job]:
    return list(
        session.scalars(select(Job).where(visible_to(principal)).order_by(Job.id.desc()).limit(limit))
    )


def get_job(session: Session, principal: Principal, job_id: int) -> Job:
    job = session.scalar(select(Job).where(Job.id == job_id, visible_to(principal)))
    if job is None:
        raise NotFound("Job not found.")
    return job


def cancel_job(session: Session, principal: Principal, job_id: int) -> Job:
    """A queued job is cancelled at once; a running one stops at its next progress report."""
    job = get_job(session, principal, job_id)
    if job.state.finished:
        raise Conflict("The job has already finished.")
    if job.state is JobState.queued:
        job.state = JobState.cancelled
        job.finished_at = utcnow()
        load_handlers()
        if hook := CANCEL_HOOKS.get(job.kind):
            hook(session, job)
    else:
        job.cancel_requested = True
    audit.record(session, action="cancel", entity_type="jobs", entity_id=job.id, org_id=job.org_id)
    session.flush()
    return job
