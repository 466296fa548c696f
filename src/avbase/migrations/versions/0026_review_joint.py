"""review: joint review of works (送审作品), their versions, departments, decisions and time-coded comments

Revision ID: 0026
Revises: 0020
Create Date: 2026-11-30 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import avbase.core.db

revision = "0026"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_works",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "submitted",
                "routed",
                "in_review",
                "passed",
                "returned",
                "rejected",
                name="workstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("routed_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", avbase.core.db.UTCDateTime(), nullable=True),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.Column("updated_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_review_works_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_review_works_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["routed_by_id"],
            ["users.id"],
            name=op.f("fk_review_works_routed_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_works")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("review_works", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_works_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_works_state"), ["state"], unique=False)

    op.create_table(
        "review_work_departments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.Column(
            "decision",
            sa.Enum("pass", "pass_with_changes", "reject", name="decision", native_enum=False, length=32),
            nullable=True,
        ),
        sa.Column("reasons", sa.Text(), nullable=False),
        sa.Column("decided_version", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", avbase.core.db.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["users.id"],
            name=op.f("fk_review_work_departments_decided_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_review_work_departments_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["review_works.id"],
            name=op.f("fk_review_work_departments_work_id_review_works"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_work_departments")),
        sa.UniqueConstraint("work_id", "unit", name=op.f("uq_review_work_departments_work_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("review_work_departments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_work_departments_org_id"), ["org_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_review_work_departments_work_id"), ["work_id"], unique=False)

    op.create_table(
        "review_work_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("asset_ids", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decisions", sa.JSON(), nullable=False),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["review_works.id"],
            name=op.f("fk_review_work_versions_work_id_review_works"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_work_versions")),
        sa.UniqueConstraint("work_id", "version", name=op.f("uq_review_work_versions_work_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("review_work_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_review_work_versions_work_id"), ["work_id"], unique=False)

    op.create_table(
        "review_work_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("asset_id", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Double(), nullable=False),
        sa.Column("timecode", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["media_assets.id"],
            name=op.f("fk_review_work_comments_asset_id_media_assets"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["users.id"],
            name=op.f("fk_review_work_comments_author_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_review_work_comments_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["review_works.id"],
            name=op.f("fk_review_work_comments_work_id_review_works"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_work_comments")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("review_work_comments", schema=None) as batch_op:
        batch_op.create_index("ix_review_work_comments_work", ["work_id", "version"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("review_work_comments", schema=None) as batch_op:
        batch_op.drop_index("ix_review_work_comments_work")

    op.drop_table("review_work_comments")
    with op.batch_alter_table("review_work_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_work_versions_work_id"))

    op.drop_table("review_work_versions")
    with op.batch_alter_table("review_work_departments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_work_departments_work_id"))
        batch_op.drop_index(batch_op.f("ix_review_work_departments_org_id"))

    op.drop_table("review_work_departments")
    with op.batch_alter_table("review_works", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_review_works_state"))
        batch_op.drop_index(batch_op.f("ix_review_works_org_id"))

    op.drop_table("review_works")
