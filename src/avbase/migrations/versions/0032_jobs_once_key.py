"""jobs: a key for work that is queued once (jobs.once_key, indexed with kind): while a job of its kind
with the key is queued or running, asking for it again returns that job; the pending rights jobs that
were kept single by reading their payloads get their keys

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-01 00:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None


def _key(kind: str, payload: object) -> str | None:
    """The key rights/tracing.py gives each of its kinds (at the time of this migration)."""
    data = payload if isinstance(payload, dict) else {}
    if kind == "rights.reindex":
        return "index"
    if kind == "rights.rescan" and "work_id" in data and "asset_id" in data:
        return f"{data['work_id']}:{data['asset_id']}"
    if kind == "rights.fingerprint" and "asset_id" in data:
        return str(data["asset_id"])
    return None


def upgrade() -> None:
    op.add_column("jobs", sa.Column("once_key", sa.String(length=200), nullable=True))
    op.create_index("ix_jobs_kind_once_key", "jobs", ["kind", "once_key"])
    jobs = sa.table(
        "jobs",
        sa.column("id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("state", sa.String()),
        sa.column("payload", sa.JSON()),
        sa.column("once_key", sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(jobs.c.id, jobs.c.kind, jobs.c.payload).where(
            jobs.c.kind.in_(["rights.reindex", "rights.rescan", "rights.fingerprint"]),
            jobs.c.state.in_(["queued", "running"]),
        )
    )
    for job_id, kind, payload in list(rows):
        key = _key(kind, payload)
        if key is not None:
            connection.execute(jobs.update().where(jobs.c.id == job_id).values(once_key=key))


def downgrade() -> None:
    op.drop_index("ix_jobs_kind_once_key", table_name="jobs")
    with op.batch_alter_table("jobs", schema=None, table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.drop_column("once_key")
