"""industry import templates

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import avbase.core.db

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "industry_import_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("mapping", sa.JSON(), nullable=False),
        sa.Column("unit", sa.String(length=10), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_industry_import_templates_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_industry_import_templates_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_industry_import_templates")),
        sa.UniqueConstraint("org_id", "kind", "name", name=op.f("uq_industry_import_templates_org_id")),
        sqlite_autoincrement=True,  # ids never reused (0015)
    )
    with op.batch_alter_table("industry_import_templates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_industry_import_templates_org_id"), ["org_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("industry_import_templates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_industry_import_templates_org_id"))
    op.drop_table("industry_import_templates")
