"""The audit log: who changed what, when, with the row before and after.

Writes to any model that inherits :class:`Audited` are recorded by a flush listener, so a service cannot
forget to audit. Events that change no audited row (a login, a failed login) are recorded with :func:`record`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from sqlalchemy import JSON, String, Text, event, insert, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.attributes import get_history

from avbase.core.db import Base, utcnow


@dataclass(frozen=True)
class Actor:
    """Who is acting in a unit of work; put on ``session.info["actor"]`` at the boundary."""

    name: str
    user_id: int | None = None
    ip: str | None = None


SYSTEM = Actor(name="system")


class Audited:
    """Mixin: every insert, update and delete of this model is written to the audit log."""

    __audit_exclude__: frozenset[str] = frozenset()


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(index=True)
    actor_name: Mapped[str] = mapped_column(String(100))
    ip: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(32), index=True)
    entity_type: Mapped[str] = mapped_column(String(64), index=True)
    entity_id: Mapped[str | None] = mapped_column(String(64))
    org_id: Mapped[int | None] = mapped_column(index=True)
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)


def actor_of(session: Session) -> Actor:
    actor = session.info.get("actor")
    return actor if isinstance(actor, Actor) else SYSTEM


def record(
    session: Session,
    *,
    action: str,
    entity_type: str,
    entity_id: object = None,
    org_id: int | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
    actor: Actor | None = None,
) -> None:
    """Record an event that is not a row change (login, logout, export …)."""
    who = actor or actor_of(session)
    session.add(
        AuditEntry(
            actor_id=who.user_id,
            actor_name=who.name,
            ip=who.ip,
            action=action,
            entity_type=entity_type,
            entity_id=None if entity_id is None else str(entity_id),
            org_id=org_id,
            before=before,
            after=after,
            note=note,
        )
    )


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return f"<{len(value)} bytes>"
    return value


def _columns(obj: Audited) -> list[str]:
    mapper = inspect(type(obj))
    return [attr.key for attr in mapper.column_attrs if attr.key not in obj.__audit_exclude__]


def _snapshot(obj: Audited) -> dict[str, Any]:
    # Read loaded state only: a deleted row cannot be refreshed from the database.
    loaded = inspect(obj).dict
    return {key: _plain(loaded.get(key)) for key in _columns(obj)}


def _changes(obj: Audited) -> tuple[dict[str, Any], dict[str, Any]]:
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key in _columns(obj):
        history = get_history(obj, key)
        if history.has_changes():
            before[key] = _plain(history.deleted[0]) if history.deleted else None
            after[key] = _plain(history.added[0]) if history.added else None
    return before, after


def _org_of(obj: Audited) -> int | None:
    if type(obj).__name__ == "Organisation":
        return getattr(obj, "id", None)
    value = getattr(obj, "org_id", None)
    return value if isinstance(value, int) else None


def _entity_id(obj: Audited) -> str | None:
    # The identity key is not set yet for rows inserted in this flush; the primary key values are.
    values = inspect(type(obj)).primary_key_from_instance(obj)
    return None if any(v is None for v in values) else "/".join(str(v) for v in values)


@event.listens_for(Session, "after_flush")
def _audit_flush(session: Session, _context: Any) -> None:
    who = actor_of(session)
    rows: list[dict[str, Any]] = []

    def add(action: str, obj: Audited, before: dict[str, Any] | None, after: dict[str, Any] | None) -> None:
        rows.append(
            {
                "at": utcnow(),
                "actor_id": who.user_id,
                "actor_name": who.name,
                "ip": who.ip,
                "action": action,
                "entity_type": type(obj).__tablename__,  # type: ignore[attr-defined]
                "entity_id": _entity_id(obj),
                "org_id": _org_of(obj),
                "before": before,
                "after": after,
                "note": None,
            }
        )

    for obj in session.new:
        if isinstance(obj, Audited):
            add("create", obj, None, _snapshot(obj))
    for obj in session.dirty:
        if isinstance(obj, Audited) and session.is_modified(obj, include_collections=False):
            before, after = _changes(obj)
            if after:
                add("update", obj, before, after)
    for obj in session.deleted:
        if isinstance(obj, Audited):
            add("delete", obj, _snapshot(obj), None)
    if rows:
        # Core insert: adding ORM objects is not allowed while a flush is executing.
        session.connection().execute(insert(AuditEntry), rows)
