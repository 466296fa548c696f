"""A script's deposit certificate: one mechanism with the rights registry. A script is deposited as a
subject of kind "script" and the registry's Ed25519-signed certificate (files with their SHA-256, time,
registrant) is what the author gets; this module only calls it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from avbase.rights import certificates

SUBJECT_KIND = "script"


def issue_certificate(
    session: Session, *, org_id: int, org_name: str, author: str, user_id: int | None, script_id: int,
    title: str, path: Path, file_name: str,
) -> tuple[str, dict[str, Any]]:  # fmt: skip
    """The rights registry's certificate for the deposited file, as (number, document)."""
    row = certificates.issue(
        session,
        org_id=org_id,
        files=[certificates.FileDigest.of(path, file_name)],
        registrant=certificates.Registrant(name=author, organisation=org_name),
        subject=certificates.Subject(kind=SUBJECT_KIND, id=str(script_id), title=title),
        created_by_id=user_id,
    )
    return str(row.number), json.loads(row.document)
