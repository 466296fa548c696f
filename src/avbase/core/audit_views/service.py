from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from avbase.core.accounts.principal import Principal
from avbase.core.audit import AuditEntry
from avbase.core.errors import Forbidden
from avbase.kit.pagination import Page, PageRequest, paginate
from avbase.settings import get_settings

AUDIT_SORTS = {
    "at": AuditEntry.at,
    "actor_name": AuditEntry.actor_name,
    "action": AuditEntry.action,
    "entity_type": AuditEntry.entity_type,
}


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=ZoneInfo(get_settings().timezone))


def audit_query(
    principal: Principal,
    *,
    actor: str | None = None,
    action: str | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Select[AuditEntry]:
    if not principal.is_admin:
        raise Forbidden("Only administrators can browse the audit log.")
    stmt = select(AuditEntry)
    if actor:
        stmt = stmt.where(AuditEntry.actor_name == actor)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    # The first and last representable days bound nothing (and would overflow when shifted to UTC).
    if since and since > date.min:
        stmt = stmt.where(AuditEntry.at >= _day_start(since))
    if until and until < date.max:
        stmt = stmt.where(AuditEntry.at < _day_start(until + timedelta(days=1)))
    return stmt


def list_audit(
    session: Session, principal: Principal, request: PageRequest, **filters: Any
) -> Page[AuditEntry]:
    return paginate(
        session,
        audit_query(principal, **filters),
        request,
        AUDIT_SORTS,
        AuditEntry.id,
    )


def entity_types(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.entity_type).distinct().order_by(AuditEntry.entity_type)))
