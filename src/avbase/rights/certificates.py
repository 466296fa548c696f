"""Deposit certificates (存证证书): what was deposited (each file's SHA-256 and size), when, by whom and for
which subject, signed with the platform's Ed25519 key.

A certificate is a JSON document ``{"certificate": {...}, "signature": "..."}``; the signature covers the
canonical JSON of the ``certificate`` object (keys sorted, no spaces, UTF-8). Anyone holding the file(s), the
certificate and the platform's public key can check it offline with :func:`verify` (``avbase rights verify``);
no database is needed for that.

Other modules register their deposits through :func:`issue` (a work's media, a script in the exchange): the
subject names what was deposited (``kind``, ``id``, ``title``) so each module finds its own certificates.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.errors import AvbaseError, NotFound
from avbase.settings import get_settings

FORMAT = "avbase-deposit-certificate/1"
KEY_FILE_NAME = "rights-ed25519.pem"
_CHUNK = 1 << 20


class BadCertificate(AvbaseError):
    """The certificate cannot be read at all (not JSON, fields missing): bad input, not a forgery."""


# --- the platform key ----------------------------------------------------------------------------------


def key_path(var_dir: Path | None = None) -> Path:
    return (var_dir or get_settings().var_dir) / "keys" / KEY_FILE_NAME


def platform_key(var_dir: Path | None = None) -> Ed25519PrivateKey:
    """The platform's signing key, made on first use as a PEM file readable by its owner only (0600).

    Two processes starting together make one key: the new key is written to a private temporary file and
    linked into place, which fails for the loser, who then reads the winner's key."""
    path = key_path(var_dir)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(pem)
            with contextlib.suppress(FileExistsError):  # another process made it first: use theirs
                os.link(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise AvbaseError("The platform key in {path} is not an Ed25519 key.", path=str(path))
    return loaded


def public_key_bytes(key: Ed25519PrivateKey | Ed25519PublicKey) -> bytes:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    """A short name of a key: the first 16 hex digits of the SHA-256 of its raw public key."""
    return hashlib.sha256(public_key_bytes(key)).hexdigest()[:16]


def public_key_pem(key: Ed25519PrivateKey | Ed25519PublicKey) -> str:
    public = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    try:
        loaded = serialization.load_pem_public_key(pem)
    except ValueError as exc:
        raise BadCertificate("The public key is not a PEM public key.", field="public_key") from exc
    if not isinstance(loaded, Ed25519PublicKey):
        raise BadCertificate("The public key is not an Ed25519 key.", field="public_key")
    return loaded


# --- the document --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileDigest:
    name: str
    sha256: str
    size: int

    @classmethod
    def of(cls, path: Path, name: str | None = None) -> FileDigest:
        digest = hashlib.sha256()
        size = 0
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
        return cls(name=name or path.name, sha256=digest.hexdigest(), size=size)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "sha256": self.sha256, "size": self.size}


@dataclass(frozen=True)
class Subject:
    """What was deposited: ``kind`` names the module's thing ("work", "script"), ``id`` its row there."""

    kind: str
    id: str
    title: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.id, "title": self.title}


@dataclass(frozen=True)
class Registrant:
    name: str
    organisation: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "organisation": self.organisation}


def canonical(value: Any) -> bytes:
    """The bytes a signature covers: JSON with sorted keys, no whitespace, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _utc_text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def build(
    *,
    number: str,
    files: Sequence[FileDigest],
    registrant: Registrant,
    subject: Subject,
    issued_at: datetime,
    key: Ed25519PrivateKey,
) -> dict[str, Any]:
    """A signed certificate document (see the module docstring for its shape)."""
    if not files:
        raise AvbaseError("A certificate needs at least one file.", field="files")
    body = {
        "format": FORMAT,
        "number": number,
        "files": [f.to_json() for f in files],
        "time": _utc_text(issued_at),
        "registrant": registrant.to_json(),
        "subject": subject.to_json(),
        "key_id": key_id(key),
        "public_key": base64.b64encode(public_key_bytes(key)).decode("ascii"),
    }
    signature = key.sign(canonical(body))
    return {"certificate": body, "signature": base64.b64encode(signature).decode("ascii")}


def parse(text: str | bytes) -> dict[str, Any]:
    """Reads a certificate document, checking its shape only (not its signature)."""
    try:
        document = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCertificate("The certificate is not JSON.", field="certificate") from exc
    if not isinstance(document, dict) or not isinstance(document.get("certificate"), dict):
        raise BadCertificate("The certificate has no certificate object.", field="certificate")
    body = document["certificate"]
    for name in ("number", "files", "time", "registrant", "subject", "key_id"):
        if name not in body:
            raise BadCertificate("The certificate lacks its {name} field.", field="certificate", name=name)
    if not isinstance(document.get("signature"), str):
        raise BadCertificate("The certificate has no signature.", field="signature")
    files = body["files"]
    if not isinstance(files, list) or not all(
        isinstance(f, dict) and isinstance(f.get("sha256"), str) and isinstance(f.get("size"), int)
        for f in files
    ):
        raise BadCertificate("The certificate's files are not a list of name, sha256, size.", field="files")
    return document


# --- checking ------------------------------------------------------------------------------------------


@dataclass
class Verification:
    """The outcome of :func:`verify`: ``valid`` when the signature is the trusted key's and every file given
    is one the certificate lists, byte for byte."""

    signature_valid: bool
    files: list[dict[str, Any]] = field(default_factory=list)  # name, sha256, size, listed (bool)
    number: str = ""
    key_id: str = ""
    problems: list[str] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return self.signature_valid and all(f["listed"] for f in self.files)

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "signature_valid": self.signature_valid,
            "number": self.number,
            "key_id": self.key_id,
            "files": self.files,
            "problems": self.problems,
        }


def verify(
    document: dict[str, Any], files: Sequence[Path], *, trusted: Sequence[Ed25519PublicKey]
) -> Verification:
    """Checks a parsed certificate against the trusted public keys and the given files.

    The key inside the certificate is only a hint: the signature must verify under one of ``trusted``
    whose key id the certificate names, so a certificate re-signed with another key fails."""
    body = document["certificate"]
    result = Verification(signature_valid=False, number=str(body["number"]), key_id=str(body["key_id"]))
    candidates = [k for k in trusted if key_id(k) == body["key_id"]]
    if not candidates:
        result.problems.append("signed with a key that is not trusted")
    else:
        try:
            signature = base64.b64decode(document["signature"], validate=True)
        except ValueError:
            signature = b""
        for public in candidates:
            try:
                public.verify(signature, canonical(body))
                result.signature_valid = True
                break
            except InvalidSignature:
                continue
        if not result.signature_valid:
            result.problems.append("the signature does not match the certificate")
    listed = {(f["sha256"], f["size"]) for f in body["files"]}
    for path in files:
        digest = FileDigest.of(path)
        entry = digest.to_json() | {"listed": (digest.sha256, digest.size) in listed}
        result.files.append(entry)
        if not entry["listed"]:
            result.problems.append(f"{path.name} is not a file this certificate lists")
    return result


def trusted_keys(extra_pem: Sequence[bytes] = ()) -> list[Ed25519PublicKey]:
    """This platform's key (made if missing) and any public keys the caller names."""
    return [platform_key().public_key(), *(load_public_key(pem) for pem in extra_pem)]


# --- issuing and storing -------------------------------------------------------------------------------


def _next_number(session: Session, issued_at: datetime) -> str:
    from avbase.rights.models import DepositCertificate

    prefix = f"AVB-{issued_at.astimezone(UTC):%Y%m%d}-"
    # A random suffix, not a counter: concurrent issuers cannot collide on a sequence (unique constraint
    # catches the astronomically rare clash).
    while True:
        number = prefix + secrets.token_hex(4).upper()
        if session.scalar(select(DepositCertificate.id).where(DepositCertificate.number == number)) is None:
            return number


def issue(
    session: Session,
    *,
    org_id: int,
    files: Sequence[FileDigest],
    registrant: Registrant,
    subject: Subject,
    created_by_id: int | None = None,
    issued_at: datetime | None = None,
) -> Any:
    """Signs and stores a certificate (flushes; the caller commits). Returns the DepositCertificate row."""
    from avbase.rights.models import DepositCertificate

    moment = issued_at or datetime.now(UTC)
    number = _next_number(session, moment)
    document = build(
        number=number,
        files=files,
        registrant=registrant,
        subject=subject,
        issued_at=moment,
        key=platform_key(),
    )
    row = DepositCertificate(
        number=number,
        org_id=org_id,
        subject_kind=subject.kind,
        subject_id=subject.id,
        title=subject.title[:300],
        document=canonical(document).decode("utf-8"),
        key_id=document["certificate"]["key_id"],
        issued_at=moment,
        created_by_id=created_by_id,
    )
    session.add(row)
    session.flush()
    return row


def certificates_of(session: Session, *, subject_kind: str, subject_id: str) -> list[Any]:
    from avbase.rights.models import DepositCertificate

    return list(
        session.scalars(
            select(DepositCertificate)
            .where(
                DepositCertificate.subject_kind == subject_kind, DepositCertificate.subject_id == subject_id
            )
            .order_by(DepositCertificate.id)
        )
    )


def get_by_number(session: Session, number: str) -> Any:
    from avbase.rights.models import DepositCertificate

    row = session.scalar(select(DepositCertificate).where(DepositCertificate.number == number))
    if row is None:
        raise NotFound("No certificate has the number {number}.", field="number", number=number)
    return row
