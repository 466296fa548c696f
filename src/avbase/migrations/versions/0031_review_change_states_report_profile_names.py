"""review: a listed change's state (review_work_changes.state: asked, done or not_made, with the reason in
note) replaces its done flag; a QC report keeps its profile's name (review_reports.profile_name), so it
reads the same after the profile is deleted

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-30 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

# the built-in profiles' names (review/profiles.py BUILTIN) at the time of this migration
BUILTIN_NAMES = {"gy-t-282": "GY/T 282-2014", "ebu-r128": "EBU R 128", "atsc-a85": "ATSC A/85"}


def upgrade() -> None:
    op.add_column(
        "review_work_changes",
        sa.Column("state", sa.String(length=32), nullable=False, server_default="asked"),
    )
    op.add_column("review_work_changes", sa.Column("note", sa.Text(), nullable=False, server_default=""))
    op.execute(
        sa.text("UPDATE review_work_changes SET state = 'done' WHERE done = :made").bindparams(made=True)
    )
    # SQLite rebuilds the table to drop a column: keep its ids counting up for good (see 0015)
    with op.batch_alter_table(
        "review_work_changes", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("done")

    op.add_column(
        "review_reports",
        sa.Column("profile_name", sa.String(length=100), nullable=False, server_default=""),
    )
    connection = op.get_bind()
    names = dict(BUILTIN_NAMES)
    profiles = sa.table("review_profiles", sa.column("key", sa.String()), sa.column("params", sa.JSON()))
    for key, params in connection.execute(sa.select(profiles.c.key, profiles.c.params)):
        if isinstance(params, dict) and isinstance(params.get("name"), str):
            names[key] = params["name"][:100]
    reports = sa.table("review_reports", sa.column("profile", sa.String()), sa.column("profile_name"))
    for key, name in names.items():
        connection.execute(reports.update().where(reports.c.profile == key).values(profile_name=name))


def downgrade() -> None:
    with op.batch_alter_table(
        "review_reports", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("profile_name")
    done: sa.Column[bool] = sa.Column("done", sa.Boolean(), nullable=False, server_default=sa.false())
    op.add_column("review_work_changes", done)
    op.execute(
        sa.text("UPDATE review_work_changes SET done = :made WHERE state = 'done'").bindparams(made=True)
    )
    with op.batch_alter_table(
        "review_work_changes", schema=None, table_kwargs={"sqlite_autoincrement": True}
    ) as batch_op:
        batch_op.drop_column("note")
        batch_op.drop_column("state")
