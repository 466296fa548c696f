"""Uploads streamed to disk in chunks, with a size limit and a check of the bytes, not the file name."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from fastapi import UploadFile

from avbase.core.errors import AvbaseError
from avbase.kit.filetypes import safe_name
from avbase.settings import get_settings

CHUNK = 1 << 20
T = TypeVar("T")


async def save_upload(upload: UploadFile, folder: Path, *, max_bytes: int) -> Path:
    """Writes the upload under ``folder`` with a random prefix; removes it and refuses when too large."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{secrets.token_hex(6)}-{safe_name(upload.filename)}"
    written = 0
    with target.open("wb") as out:
        while chunk := await upload.read(CHUNK):
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


async def with_upload(upload: UploadFile, max_bytes: int, use: Callable[[Path, str], T]) -> T:
    """Saves the upload, hands it to ``use`` with its cleaned name, and removes it afterwards whatever
    happens (a file ``use`` keeps, it moves away first)."""
    path = await save_upload(upload, get_settings().var_dir / "uploads", max_bytes=max_bytes)
    try:
        return use(path, safe_name(upload.filename))
    finally:
        path.unlink(missing_ok=True)
