"""Uploads copied to disk in chunks, with a size limit and a check of the bytes, not the file name.

Starlette has already spooled a multipart upload by the time a handler runs; these helpers read that spool
synchronously, from handlers that run in the thread pool.
"""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import IO, Annotated, TypeVar

from fastapi import Depends, Request, UploadFile

from avbase.core.errors import AvbaseError
from avbase.kit.filetypes import safe_name
from avbase.settings import get_settings

CHUNK = 1 << 20
T = TypeVar("T")


def save_upload(upload: UploadFile, folder: Path, *, max_bytes: int) -> Path:
    """Writes the upload under ``folder`` with a random prefix; removes it and refuses when too large."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{secrets.token_hex(6)}-{safe_name(upload.filename)}"
    written = 0
    upload.file.seek(0)
    with target.open("wb") as out:
        while chunk := upload.file.read(CHUNK):
            written += len(chunk)
            if written > max_bytes:
                out.close()
                target.unlink(missing_ok=True)
                raise AvbaseError(
                    "The file is larger than {limit} MB.", field="file", limit=max_bytes // (1 << 20)
                )
            out.write(chunk)
    if written == 0:
        target.unlink(missing_ok=True)
        raise AvbaseError("The file is empty.", field="file")
    return target


def with_upload(upload: UploadFile, max_bytes: int, use: Callable[[Path, str], T]) -> T:
    """Saves the upload, hands it to ``use`` with its cleaned name, and removes it afterwards whatever
    happens (a file ``use`` keeps, it moves away first): nothing of a refused or failed request stays."""
    path = save_upload(upload, get_settings().var_dir / "uploads", max_bytes=max_bytes)
    try:
        return use(path, safe_name(upload.filename))
    finally:
        path.unlink(missing_ok=True)


async def request_body(request: Request) -> AsyncIterator[IO[bytes]]:
    """The raw request body, spooled (to disk past 8 MB) before the handler runs; its size is bounded by the
    route's body limit (:mod:`avbase.web.limits`)."""
    with tempfile.SpooledTemporaryFile(max_size=8 << 20) as spool:
        async for piece in request.stream():
            spool.write(piece)
        spool.seek(0)
        yield spool


RawBody = Annotated[IO[bytes], Depends(request_body)]
