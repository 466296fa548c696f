"""The file store: content-addressed by SHA-256 under ``var/store``, so a file is kept once however often
it is uploaded. Files are moved in whole, never rewritten."""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from avbase.settings import get_settings

CHUNK = 1 << 20


def path_of(sha256: str) -> Path:
    return get_settings().store_dir / sha256[:2] / sha256[2:4] / sha256


def derived_dir(sha256: str) -> Path:
    """Where files made from a stored file live (thumbnails, proxies): one folder per content, shared by
    every asset with that content, so they are made once too."""
    return get_settings().var_dir / "derived" / sha256[:2] / sha256[2:4] / sha256


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def keep(path: Path) -> tuple[str, bool]:
    """Moves ``path`` into the store; returns its SHA-256 and whether the store had it already (then the
    given file is simply removed)."""
    sha256 = sha256_of(path)
    target = path_of(sha256)
    if target.exists():
        path.unlink(missing_ok=True)
        return sha256, True
    target.parent.mkdir(parents=True, exist_ok=True)
    path.replace(target)
    return sha256, False


def keep_copy(source: Path) -> tuple[str, bool]:
    """Copies ``source`` (a file the user keeps) into the store; see :func:`keep`."""
    staging = get_settings().var_dir / "uploads"
    staging.mkdir(parents=True, exist_ok=True)
    temporary = staging / f".copy-{os.getpid()}-{source.name[-80:]}"
    shutil.copyfile(source, temporary)
    return keep(temporary)


def forget(sha256: str) -> None:
    """Deletes a stored file and everything made from it (call once nothing refers to it any more)."""
    path_of(sha256).unlink(missing_ok=True)
    shutil.rmtree(derived_dir(sha256), ignore_errors=True)
