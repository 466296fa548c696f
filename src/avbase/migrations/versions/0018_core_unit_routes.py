"""unit routes move from policy into core (one routing mechanism for policy and review)

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 15:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import avbase.core.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_unit_routes_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_routes")),
        sa.UniqueConstraint("scope", "unit", name=op.f("uq_unit_routes_scope")),
        sqlite_autoincrement=True,  # ids never reused (0015)
    )
    with op.batch_alter_table("unit_routes", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_routes_scope"), ["scope"], unique=False)
        batch_op.create_index(batch_op.f("ix_unit_routes_org_id"), ["org_id"], unique=False)
    op.execute(
        "INSERT INTO unit_routes (scope, unit, org_id, created_at, updated_at) "
        "SELECT document_code, unit, org_id, created_at, updated_at FROM policy_unit_routes ORDER BY id"
    )
    op.drop_table("policy_unit_routes")


def downgrade() -> None:
    op.create_table(
        "policy_unit_routes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_code", sa.String(length=20), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_code"],
            ["policy_documents.code"],
            name=op.f("fk_policy_unit_routes_document_code_policy_documents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_policy_unit_routes_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_unit_routes")),
        sa.UniqueConstraint("document_code", "unit", name=op.f("uq_policy_unit_routes_document_code")),
        sqlite_autoincrement=True,
    )
    op.execute(
        "INSERT INTO policy_unit_routes (document_code, unit, org_id, created_at, updated_at) "
        "SELECT scope, unit, org_id, created_at, updated_at FROM unit_routes "
        "WHERE scope IN (SELECT code FROM policy_documents) ORDER BY id"
    )
    with op.batch_alter_table("unit_routes", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_routes_org_id"))
        batch_op.drop_index(batch_op.f("ix_unit_routes_scope"))
    op.drop_table("unit_routes")
