from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, OrgKind, User
from avbase.core.audit import Actor, AuditEntry


def entries(db: Session, entity_type: str) -> list[AuditEntry]:
    return list(
        db.scalars(select(AuditEntry).where(AuditEntry.entity_type == entity_type).order_by(AuditEntry.id))
    )


def test_create_update_delete_are_recorded_with_actor_before_and_after(db: Session) -> None:
    db.info["actor"] = Actor(name="alice", user_id=None, ip="10.0.0.1")
    org = Organisation(name="之江影视", kind=OrgKind.enterprise, region_code="330106")
    db.add(org)
    db.commit()
    org.name = "之江影视传媒"
    db.commit()
    db.delete(org)
    db.commit()

    created, updated, deleted = entries(db, "organisations")
    assert (created.action, created.actor_name, created.ip) == ("create", "alice", "10.0.0.1")
    assert created.after is not None and created.after["name"] == "之江影视" and created.before is None
    assert updated.before == {"name": "之江影视"} and updated.after == {"name": "之江影视传媒"}
    assert deleted.before is not None and deleted.before["name"] == "之江影视传媒" and deleted.after is None
    assert created.entity_id == updated.entity_id == deleted.entity_id == str(created.org_id)


def test_a_rolled_back_change_leaves_no_audit_entry(db: Session) -> None:
    db.add(Organisation(name="never", kind=OrgKind.other, region_code="330000"))
    db.flush()
    db.rollback()
    assert entries(db, "organisations") == []


def test_secrets_are_never_written_to_the_log(db: Session, make_user: Callable[..., User]) -> None:
    user = make_user()
    user.password_hash = "changed"
    db.commit()
    for entry in entries(db, "users"):
        assert "password_hash" not in (entry.after or {}) and "password_hash" not in (entry.before or {})
