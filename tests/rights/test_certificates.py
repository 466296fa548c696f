"""Deposit certificates: signed on issue, stored, and checked offline against the file and the key."""

from __future__ import annotations

import json
import stat
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation
from avbase.core.audit import AuditEntry
from avbase.rights import certificates
from avbase.rights.certificates import FileDigest, Registrant, Subject
from tests.conftest import run_cli


def _deposit(tmp_path: Path, content: bytes = b"episode one, final cut") -> Path:
    path = tmp_path / "ep01.mp4"
    path.write_bytes(content)
    return path


def _document(path: Path, key: Ed25519PrivateKey) -> dict[str, object]:
    from datetime import UTC, datetime

    return certificates.build(
        number="AVB-TEST-1",
        files=[FileDigest.of(path)],
        registrant=Registrant(name="张三", organisation="Studio"),
        subject=Subject(kind="work", id="7", title="山海之间"),
        issued_at=datetime(2026, 11, 30, 8, 0, tzinfo=UTC),
        key=key,
    )


def test_the_platform_key_is_made_once_and_private(tmp_path: Path) -> None:
    first = certificates.platform_key(tmp_path)
    second = certificates.platform_key(tmp_path)
    path = certificates.key_path(tmp_path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert certificates.key_id(first) == certificates.key_id(second)


def test_a_certificate_verifies_and_any_change_breaks_it(tmp_path: Path) -> None:
    key = Ed25519PrivateKey.generate()
    path = _deposit(tmp_path)
    document = _document(path, key)
    trusted = [key.public_key()]

    assert certificates.verify(document, [path], trusted=trusted).valid

    (tmp_path / "copy").mkdir()
    tampered_file = _deposit(tmp_path / "copy", b"episode one, final cuT")
    outcome = certificates.verify(document, [tampered_file], trusted=trusted)
    assert outcome.signature_valid and not outcome.valid
    assert outcome.files[0]["listed"] is False

    forged = json.loads(json.dumps(document))
    forged["certificate"]["time"] = "2020-01-01T00:00:00.000000Z"  # backdated
    assert not certificates.verify(forged, [path], trusted=trusted).signature_valid

    other = Ed25519PrivateKey.generate()
    resigned = _document(path, other)  # a well-formed certificate, signed by someone else
    outcome = certificates.verify(resigned, [path], trusted=trusted)
    assert not outcome.valid and "not trusted" in outcome.problems[0]
    # ... even when the forger puts our key id on it
    resigned["certificate"]["key_id"] = certificates.key_id(key)
    assert not certificates.verify(resigned, [path], trusted=trusted).valid


def test_unreadable_certificates_are_bad_input() -> None:
    with pytest.raises(certificates.BadCertificate):
        certificates.parse(b"not json")
    with pytest.raises(certificates.BadCertificate):
        certificates.parse(json.dumps({"certificate": {"number": "1"}, "signature": "x"}))


def test_issue_stores_an_audited_certificate(
    db: Session, make_org: Callable[..., Organisation], tmp_path: Path
) -> None:
    org = make_org("Studio")
    path = _deposit(tmp_path)
    row = certificates.issue(
        db,
        org_id=org.id,
        files=[FileDigest.of(path)],
        registrant=Registrant(name="张三", organisation=org.name),
        subject=Subject(kind="script", id="12", title="剧本《山海》"),
    )
    db.commit()
    assert certificates.certificates_of(db, subject_kind="script", subject_id="12") == [row]
    document = certificates.parse(row.document)
    assert document["certificate"]["files"][0]["sha256"] == FileDigest.of(path).sha256
    assert certificates.verify(document, [path], trusted=certificates.trusted_keys()).valid
    audited = db.scalars(select(AuditEntry).where(AuditEntry.entity_type == "rights_certificates")).all()
    assert [entry.action for entry in audited] == ["create"]


def test_verify_command_exit_codes(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    key = certificates.platform_key(var_dir)  # the installation's own key, which the command trusts
    path = _deposit(tmp_path)
    cert = tmp_path / "ep01.cert.json"
    cert.write_text(json.dumps(_document(path, key)), encoding="utf-8")

    ok = run_cli(var_dir, "rights", "verify", str(path), str(cert), "--json")
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["valid"] is True

    changed = tmp_path / "changed.mp4"
    changed.write_bytes(path.read_bytes() + b"\0")
    assert run_cli(var_dir, "rights", "verify", str(changed), str(cert)).returncode == 3

    elsewhere = run_cli(tmp_path / "other-var", "rights", "verify", str(path), str(cert))
    assert elsewhere.returncode == 3  # another installation's key does not vouch for it
    public = tmp_path / "platform.pem"
    public.write_text(certificates.public_key_pem(key))
    published = run_cli(
        tmp_path / "other-var", "rights", "verify", str(path), str(cert), "--public-key", str(public)
    )
    assert published.returncode == 0, published.stderr

    broken = tmp_path / "broken.json"
    broken.write_text("{")
    bad = run_cli(var_dir, "rights", "verify", str(path), str(broken))
    assert bad.returncode == 2 and "not JSON" in bad.stderr
    assert run_cli(var_dir, "rights", "verify", str(tmp_path / "missing"), str(cert)).returncode == 2
