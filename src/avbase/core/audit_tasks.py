"""Job: export the audit log to CSV, in batches, with progress."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import func, select

from avbase.core.audit import AuditEntry
from avbase.core.audit_views.service import audit_query
from avbase.core.db import session_scope
from avbase.core.jobs.registry import JobContext, job_handler
from avbase.kit.cells import CsvWriter
from avbase.settings import get_settings

BATCH = 2000


@job_handler("audit.export")
def export_audit(ctx: JobContext) -> dict[str, Any]:
    from avbase.core.accounts.models import Role
    from avbase.core.accounts.principal import Principal

    raw = ctx.payload.get("filters", {})
    filters: dict[str, Any] = {key: raw[key] for key in ("actor", "action", "entity_type") if raw.get(key)}
    for key in ("since", "until"):
        if raw.get(key):
            filters[key] = date.fromisoformat(raw[key])
    # The job was queued by an administrator (the route checks); it reads as one.
    admin = Principal(0, "job", "job", Role.admin, 0, "", "000000")
    out_dir = get_settings().var_dir / "exports"
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"audit-{ctx.job_id}.csv"
    stmt = audit_query(admin, **filters)
    with session_scope(ctx.engine) as session:
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    written = 0
    last_id = 0
    # Written afresh on every attempt: a partial file from a lost worker is simply replaced.
    with (out_dir / name).open("w", newline="", encoding="utf-8-sig") as handle:
        writer = CsvWriter(handle)
        writer.writerow(
            ["id", "at", "actor", "ip", "action", "entity_type", "entity_id", "before", "after", "note"]
        )
        while True:
            with session_scope(ctx.engine) as session:
                rows = session.scalars(
                    stmt.where(AuditEntry.id > last_id).order_by(AuditEntry.id).limit(BATCH)
                ).all()
            if not rows:
                break
            for row in rows:
                writer.writerow(
                    [
                        row.id,
                        row.at.isoformat(),
                        row.actor_name,
                        row.ip or "",
                        row.action,
                        row.entity_type,
                        row.entity_id or "",
                        json.dumps(row.before, ensure_ascii=False) if row.before else "",
                        json.dumps(row.after, ensure_ascii=False) if row.after else "",
                        row.note or "",
                    ]
                )
            written += len(rows)
            last_id = rows[-1].id
            ctx.progress(written / total if total else 1.0, f"{written}/{total}")
    return {"file": name, "rows": written}
