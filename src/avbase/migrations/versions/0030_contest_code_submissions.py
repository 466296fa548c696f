"""ecosystem: code submissions for contests — a task's hidden inputs (eco_contest_tasks.inputs_sha256,
inputs_name; a task with inputs accepts code), and a submission's kind and the participant's failure
(eco_submissions.code, failure)

Revision ID: 0030
Revises: 0028
Create Date: 2026-11-30 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0030"
down_revision = "0028"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch): SQLite keeps the tables' AUTOINCREMENT (ids never reused).
    op.add_column("eco_contest_tasks", sa.Column("inputs_sha256", sa.String(length=64), nullable=True))
    op.add_column("eco_contest_tasks", sa.Column("inputs_name", sa.String(length=200), nullable=True))
    code: sa.Column[bool] = sa.Column("code", sa.Boolean(), nullable=False, server_default=sa.false())
    op.add_column("eco_submissions", code)
    op.add_column("eco_submissions", sa.Column("failure", sa.JSON(), nullable=True))


def downgrade() -> None:
    op.drop_column("eco_submissions", "failure")
    op.drop_column("eco_submissions", "code")
    op.drop_column("eco_contest_tasks", "inputs_name")
    op.drop_column("eco_contest_tasks", "inputs_sha256")
