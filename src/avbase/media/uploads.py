"""Resumable uploads for large media: start one with the file's name and size, send the bytes in chunks at
the offset the server reports, and pick up after a dropped connection or a closed browser from that offset.
The last chunk turns the file into an asset (see ``service.ingest``)."""

from __future__ import annotations

import fcntl
import secrets
from datetime import timedelta
from pathlib import Path
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal
from avbase.core.db import utcnow
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound
from avbase.kit.filetypes import safe_name
from avbase.media import service
from avbase.media.models import Asset, Upload
from avbase.settings import get_settings

CHUNK_SIZE = 8 << 20  # what the web client sends; any size up to MAX_CHUNK is taken
MAX_CHUNK = 64 << 20


def part_path(upload: Upload) -> Path:
    return get_settings().var_dir / "uploads" / "chunked" / f"{upload.id}.part"


def offset_of(upload: Upload) -> int:
    path = part_path(upload)
    return path.stat().st_size if path.exists() else 0


def start(session: Session, principal: Principal, file_name: str, size: int) -> Upload:
    if principal.role in READ_ONLY_ROLES or not principal.user_id:
        raise Forbidden("You may not add media to the library.")
    limit = get_settings().upload_max_mb << 20
    if size > limit:
        raise AvbaseError("The file is larger than {limit} MB.", field="size", limit=limit >> 20)
    if size <= 0:
        raise AvbaseError("The file is empty.", field="size")
    upload = Upload(
        id=secrets.token_hex(16),
        user_id=principal.user_id,
        org_id=principal.org_id,
        file_name=safe_name(file_name)[-300:],
        size=size,
    )
    session.add(upload)
    session.flush()
    part_path(upload).parent.mkdir(parents=True, exist_ok=True)
    part_path(upload).touch()
    return upload


def get(session: Session, principal: Principal, upload_id: str) -> Upload:
    """Only the user who started an upload sees it."""
    upload = session.get(Upload, upload_id)
    if upload is None or upload.user_id != principal.user_id:
        raise NotFound("Upload not found.")
    return upload


def append(
    session: Session, principal: Principal, upload_id: str, offset: int, chunk: IO[bytes]
) -> tuple[Upload, int, tuple[Asset, bool] | None]:
    """Writes a chunk at ``offset``, which must be where the upload stands (else 409, with that offset).
    Returns the upload, the new offset and, once the file is whole, the asset and whether it was known."""
    upload = get(session, principal, upload_id)
    path = part_path(upload)
    with path.open("ab") as out:
        fcntl.flock(out, fcntl.LOCK_EX)  # two requests for one upload: one waits, then sees the new offset
        current = out.tell()
        if offset != current:
            raise Conflict(
                "The upload stands at byte {offset}; send from there.", field="offset", offset=current
            )
        received = 0
        while piece := chunk.read(1 << 20):
            received += len(piece)
            if received > MAX_CHUNK or current + received > upload.size:
                out.truncate(current)
                raise AvbaseError(
                    "The chunk goes past the end of the file or is larger than {limit} MB.",
                    field="offset", limit=MAX_CHUNK >> 20,
                )  # fmt: skip
            out.write(piece)
        out.flush()
        offset = current + received
    if offset < upload.size:
        return upload, offset, None
    ingested = service.ingest(session, principal, path, file_name=upload.file_name, move=True)
    session.delete(upload)
    session.flush()
    return upload, offset, ingested


def cancel(session: Session, principal: Principal, upload_id: str) -> None:
    upload = get(session, principal, upload_id)
    part_path(upload).unlink(missing_ok=True)
    session.delete(upload)
    session.flush()


def purge_abandoned(session: Session) -> int:
    """Deletes uploads nobody has finished within ``upload_keep_days``; returns how many."""
    cutoff = utcnow() - timedelta(days=get_settings().upload_keep_days)
    stale = list(session.scalars(select(Upload).where(Upload.created_at < cutoff).limit(500)))
    for upload in stale:
        part_path(upload).unlink(missing_ok=True)
        session.delete(upload)
    session.flush()
    return len(stale)
