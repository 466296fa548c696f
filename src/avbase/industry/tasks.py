"""Job: import an uploaded CSV or Excel file, all rows or none, with progress and a rejection report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
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
from avbase.industry.imports import KINDS, ImportOptions, ImportRejected, errors_csv, run_import
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
                options=ImportOptions.from_json(payload.get("options")),
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


def _may_import(principal: Principal, kind: str) -> None:
    if kind not in KINDS:
        raise AvbaseError("Unknown import kind {kind}.", field="kind", kind=kind)
    if principal.role in (Role.reviewer, Role.creator):
        raise Forbidden("You may not import industry data.")


def _store(upload: UploadFile) -> Path:
    """The upload on disk (streamed, size-limited), checked by its bytes."""
    limit = get_settings().import_max_mb << 20
    stored = save_upload(upload, imports_dir(), max_bytes=limit)
    try:
        check_spreadsheet(stored)
    except AvbaseError:
        stored.unlink(missing_ok=True)
        raise
    return stored


def _enqueue(
    session: Session, principal: Principal, kind: str, stored: Path, file_name: str, options: ImportOptions
) -> Job:
    return enqueue(
        session,
        kind=IMPORT_JOB,
        title=IMPORT_TITLES[kind],
        payload={
            "kind": kind,
            "stored": stored.name,
            "file_name": file_name,
            "user_id": principal.user_id,
            "options": options.to_json(),
        },
        principal=principal,
        max_attempts=2,
    )


def queue_import(
    session: Session,
    principal: Principal,
    *,
    kind: str,
    upload: UploadFile,
    options: ImportOptions | None = None,
) -> Job:
    """Stores the upload (streamed, size-limited, checked by content) and queues its import job."""
    _may_import(principal, kind)
    stored = _store(upload)
    return _enqueue(session, principal, kind, stored, safe_name(upload.filename), options or ImportOptions())


@contextmanager
def stored_for_preview(principal: Principal, *, kind: str, upload: UploadFile) -> Iterator[tuple[Path, str]]:
    """The upload on disk while a preview reads it, removed afterwards."""
    _may_import(principal, kind)
    stored = _store(upload)
    try:
        yield stored, safe_name(upload.filename)
    finally:
        stored.unlink(missing_ok=True)


# --- staged uploads: previewed first, imported when the user confirms ----------------------------------


def stage_import(principal: Principal, *, kind: str, upload: UploadFile) -> str:
    """Keeps the upload for a preview and returns its token; a note beside it says whose it is."""
    _may_import(principal, kind)
    stored = _store(upload)
    owner = {"user_id": principal.user_id, "kind": kind, "file_name": safe_name(upload.filename)}
    stored.with_name(stored.name + ".json").write_text(json.dumps(owner), encoding="utf-8")
    return stored.name


def staged_import(principal: Principal, token: str) -> tuple[Path, str, str]:
    """The staged file of ``token`` with its kind and name; another user's token is not found."""
    stored = imports_dir() / Path(token).name
    note = stored.with_name(stored.name + ".json")
    if not stored.is_file() or not note.is_file():
        raise NotFound("This upload is gone: upload the file again.")
    owner = json.loads(note.read_text(encoding="utf-8"))
    if owner.get("user_id") != principal.user_id:
        raise NotFound("This upload is gone: upload the file again.")
    return stored, str(owner["kind"]), str(owner["file_name"])


def queue_staged(session: Session, principal: Principal, token: str, options: ImportOptions) -> Job:
    """Queues the import of a previewed file with the mapping the user confirmed."""
    stored, kind, file_name = staged_import(principal, token)
    _may_import(principal, kind)
    stored.with_name(stored.name + ".json").unlink(missing_ok=True)  # imported once, not twice
    return _enqueue(session, principal, kind, stored, file_name, options)
