"""Job: import an uploaded CSV or Excel file, all rows or none, with progress and a rejection report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import UploadFile
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.audit import Actor
from avbase.core.db import session_scope
from avbase.core.errors import AvbaseError, Forbidden, NotFound
from avbase.core.i18n import N_
from avbase.core.jobs import enqueue
from avbase.core.jobs.models import Job
from avbase.core.jobs.registry import JobContext, job_handler
from avbase.industry.imports import KINDS, ImportRejected, errors_csv, run_import
from avbase.kit.filetypes import check_spreadsheet, safe_name
from avbase.settings import get_settings
from avbase.web.uploads import save_upload

IMPORT_JOB = "industry.import"
IMPORT_TITLES = {
    "enterprises": N_("Import enterprises"),
    "reports": N_("Import reports"),
    "parks": N_("Import parks"),
    "projects": N_("Import projects"),
}


def imports_dir() -> Path:
    return get_settings().var_dir / "imports"


def rejection_file(job_id: int) -> Path:
    return get_settings().var_dir / "exports" / f"import-{job_id}-errors.csv"


@job_handler(IMPORT_JOB)
def import_upload(ctx: JobContext) -> dict[str, Any]:
    """Runs in one transaction: a rejected file (or a crash) leaves nothing behind, so a retry is safe."""
    payload = ctx.payload
    path = imports_dir() / str(payload["stored"])
    try:
        with session_scope(ctx.engine) as session:
            user = session.get(User, int(payload["user_id"]))
            if user is None:
                raise NotFound("The user who uploaded the file no longer exists.")
            principal = Principal.of(user)
            session.info["actor"] = Actor(name=user.username, user_id=user.id)
            result = run_import(
                session,
                principal,
                str(payload["kind"]),
                path,
                file_name=str(payload["file_name"]),
                progress=ctx.progress,
            )
    except ImportRejected as rejected:
        report = rejection_file(ctx.job_id)
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(
            errors_csv([vars(error) for error in rejected.errors]), encoding="utf-8", newline=""
        )
        ctx.log(f"rejected: {len(rejected.errors)} problems; report {report.name}")
        path.unlink(missing_ok=True)  # final: the report says what to fix, the user uploads again
        raise
    path.unlink(missing_ok=True)
    return result.to_json()


def queue_import(session: Session, principal: Principal, *, kind: str, upload: UploadFile) -> Job:
    """Stores the upload (streamed, size-limited, checked by content) and queues its import job."""
    if kind not in KINDS:
        raise AvbaseError("Unknown import kind {kind}.", field="kind", kind=kind)
    if principal.role in (Role.reviewer, Role.creator):
        raise Forbidden("You may not import industry data.")
    limit = get_settings().import_max_mb << 20
    stored = save_upload(upload, imports_dir(), max_bytes=limit)
    try:
        check_spreadsheet(stored)
    except AvbaseError:
        stored.unlink(missing_ok=True)
        raise
    return enqueue(
        session,
        kind=IMPORT_JOB,
        title=IMPORT_TITLES[kind],
        payload={
            "kind": kind,
            "stored": stored.name,
            "file_name": safe_name(upload.filename),
            "user_id": principal.user_id,
        },
        principal=principal,
        max_attempts=2,
    )
