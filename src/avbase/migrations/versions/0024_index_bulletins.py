"""industry index series points and bulletins (指数发布); sub-index levels on index definitions

Revision ID: 0024
Revises: 0022
Create Date: 2026-11-30 15:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import avbase.core.db

revision = "0024"
down_revision = "0022"
branch_labels = None
depends_on = None

LEVELS = ("city", "county", "park", "province")


def upgrade() -> None:
    # A plain ADD COLUMN: a batch copy of the table would lose its AUTOINCREMENT on SQLite (0015).
    op.add_column(
        "industry_index_definitions",
        sa.Column("sub_levels", sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )
    op.create_table(
        "industry_index_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=60), nullable=False),
        sa.Column(
            "level",
            sa.Enum(*LEVELS, name="unitlevel", native_enum=False, length=32, create_constraint=True),
            nullable=False,
        ),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("definition_id", sa.Integer(), nullable=False),
        sa.Column("input_digest", sa.String(length=64), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("frozen_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("frozen_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["definition_id"],
            ["industry_index_definitions.id"],
            name=op.f("fk_industry_index_points_definition_id_industry_index_definitions"),
        ),
        sa.ForeignKeyConstraint(
            ["frozen_by_id"],
            ["users.id"],
            name=op.f("fk_industry_index_points_frozen_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_industry_index_points")),
        sa.UniqueConstraint("series", "level", "period", name=op.f("uq_industry_index_points_series")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "industry_index_bulletins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=60), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "published",
                name="bulletinstatus",
                native_enum=False,
                length=32,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("published_at", avbase.core.db.UTCDateTime(), nullable=True),
        sa.Column("published_by_id", sa.Integer(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=True),
        sa.Column("snapshot_digest", sa.String(length=64), nullable=True),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_industry_index_bulletins_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["users.id"],
            name=op.f("fk_industry_index_bulletins_published_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_industry_index_bulletins")),
        sa.UniqueConstraint("series", "period", name=op.f("uq_industry_index_bulletins_series")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("industry_index_bulletins", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_industry_index_bulletins_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("industry_index_bulletins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_industry_index_bulletins_status"))
    op.drop_table("industry_index_bulletins")
    op.drop_table("industry_index_points")
    op.drop_column("industry_index_definitions", "sub_levels")
