"""review: the changes a department lists when it passes a work with changes (修改后通过), ticked off on the
next version; works consolidated as "returned" become "passed_with_changes"; delivery profiles of one
organisation (review_profiles.org_id, empty for the operator's)

Revision ID: 0028
Revises: 0029
Create Date: 2026-11-30 18:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import avbase.core.db

revision = "0028"
down_revision = "0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "review_work_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("work_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("org_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("done", sa.Boolean(), nullable=False),
        sa.Column("checked_version", sa.Integer(), nullable=True),
        sa.Column("checked_by_id", sa.Integer(), nullable=True),
        sa.Column("checked_at", avbase.core.db.UTCDateTime(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", avbase.core.db.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["checked_by_id"],
            ["users.id"],
            name=op.f("fk_review_work_changes_checked_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["users.id"],
            name=op.f("fk_review_work_changes_created_by_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["org_id"],
            ["organisations.id"],
            name=op.f("fk_review_work_changes_org_id_organisations"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["work_id"],
            ["review_works.id"],
            name=op.f("fk_review_work_changes_work_id_review_works"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_work_changes")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("review_work_changes", schema=None) as batch_op:
        batch_op.create_index("ix_review_work_changes_work", ["work_id", "version"], unique=False)
    # SQLite rebuilds the table: keep its ids counting up for good (see 0015)
    with op.batch_alter_table(
        "review_profiles", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.add_column(sa.Column("org_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_review_profiles_org_id"), ["org_id"], unique=False)
        batch_op.create_foreign_key(
            batch_op.f("fk_review_profiles_org_id_organisations"),
            "organisations",
            ["org_id"],
            ["id"],
            ondelete="CASCADE",
        )
    # the state column is a VARCHAR without a CHECK: the new value needs no schema change
    op.execute("UPDATE review_works SET state = 'passed_with_changes' WHERE state = 'returned'")


def downgrade() -> None:
    with op.batch_alter_table(
        "review_profiles", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_review_profiles_org_id_organisations"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_review_profiles_org_id"))
        batch_op.drop_column("org_id")
    op.execute("UPDATE review_works SET state = 'returned' WHERE state = 'passed_with_changes'")
    with op.batch_alter_table("review_work_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_review_work_changes_work")

    op.drop_table("review_work_changes")
