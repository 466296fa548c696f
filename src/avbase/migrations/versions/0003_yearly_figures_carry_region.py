"""yearly figures carry the enterprise's region

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 18:10:00

The KPI, drill-down and index queries filter a year's figures by GB/T 2260 prefix. Joining every figure to
its organisation for the region cost most of their time at 100,000 enterprises; the region is now copied
onto the figure (and kept in step when an organisation moves, see ``avbase.industry.models``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("industry_yearly_figures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("region_code", sa.String(length=6), nullable=False, server_default=""))
    op.execute(
        "UPDATE industry_yearly_figures SET region_code = ("
        " SELECT o.region_code FROM industry_enterprises e JOIN organisations o ON o.id = e.org_id"
        " WHERE e.id = industry_yearly_figures.enterprise_id)"
    )
    with op.batch_alter_table("industry_yearly_figures", schema=None) as batch_op:
        # Covers the revenue sums of a region's year: the KPI and trend queries never touch the table.
        batch_op.create_index(
            "ix_industry_yearly_figures_year_region",
            [
                "year",
                "region_code",
                "revenue_content",
                "revenue_electronics",
                "revenue_services",
                "revenue_total",
            ],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("industry_yearly_figures", schema=None) as batch_op:
        batch_op.drop_index("ix_industry_yearly_figures_year_region")
        batch_op.drop_column("region_code")
