"""rights: deposit certificates, works, fingerprints, suspected copies, licence marketplace

Revision ID: 0020
Revises: 0017
Create Date: 2026-11-30 14:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import avbase.core.db

revision = "0020"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "rights_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("subject_kind", sa.String(length=30), nullable=False),
        sa.Column("subject_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("issued_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_rights_certificates_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_rights_certificates_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rights_certificates")),
        sa.UniqueConstraint("number", name=op.f("uq_rights_certificates_number")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("rights_certificates", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_rights_certificates_org_id"), ["org_id"], unique=False)
        batch_op.create_index("ix_rights_certificates_subject", ["subject_kind", "subject_id"], unique=False)


def downgrade() -> None:
    op.drop_table("rights_certificates")
