"""policy documents carry the region they apply to (GB/T 2260 province code)

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None

# The two seed texts: Hunan's measures apply in Hunan, Zhejiang's in Zhejiang.
KNOWN = {"hn2023": "430000", "zj2024": "330000"}


def upgrade() -> None:
    with op.batch_alter_table("policy_documents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region_code", sa.String(length=6), nullable=True))
    documents = sa.table(
        "policy_documents", sa.column("code", sa.String), sa.column("region_code", sa.String)
    )
    for code, region in KNOWN.items():
        op.execute(documents.update().where(documents.c.code == code).values(region_code=region))


def downgrade() -> None:
    with op.batch_alter_table("policy_documents", schema=None) as batch_op:
        batch_op.drop_column("region_code")
