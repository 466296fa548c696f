"""sqlite ids never reused

SQLite gives a new row the largest id plus one, so deleting the newest row (an asset, say) handed its id to
the next one, and the audit log of "asset 11" mixed several assets. With AUTOINCREMENT, SQLite never gives
an id twice. PostgreSQL's sequences never did; there, this migration does nothing.

Each table with an integer ``id`` key is rebuilt (SQLite cannot alter a key): the same definition with the
key declared ``INTEGER PRIMARY KEY AUTOINCREMENT``, its rows copied, its indexes made again. Migrations run
with foreign keys off (core/migrate.py), so the rows that refer to a rebuilt table are untouched.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-30 13:40:00
"""

from __future__ import annotations

import re

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

KEY_COLUMN = re.compile(r"(\(\s*)id INTEGER NOT NULL,")
KEY_CONSTRAINT = re.compile(r",\s*CONSTRAINT \w+ PRIMARY KEY \(id\)")


def _with_autoincrement(create_sql: str, table: str, new_name: str) -> str:
    rebuilt, keys = KEY_COLUMN.subn(r"\1id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,", create_sql, count=1)
    rebuilt, constraints = KEY_CONSTRAINT.subn("", rebuilt, count=1)
    if keys != 1 or constraints != 1:
        raise RuntimeError(f"unexpected definition of table {table}: {create_sql}")
    return rebuilt.replace(f"CREATE TABLE {table} ", f"CREATE TABLE {new_name} ", 1).replace(
        f'CREATE TABLE "{table}" ', f"CREATE TABLE {new_name} ", 1
    )


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "sqlite":
        return
    tables = bind.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name != 'alembic_version' ORDER BY name"
    ).all()
    for table, create_sql in tables:
        if "AUTOINCREMENT" in create_sql:
            continue
        columns = bind.exec_driver_sql(f'PRAGMA table_info("{table}")').all()
        key = [(column[1], column[2]) for column in columns if column[5]]
        if key != [("id", "INTEGER")]:
            continue  # a text key (uploads) or a composite one
        indexes = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (table,),
        ).all()
        new_name = f"_new_{table}"
        bind.exec_driver_sql(_with_autoincrement(create_sql, table, new_name))
        bind.exec_driver_sql(f'INSERT INTO {new_name} SELECT * FROM "{table}"')  # noqa: S608 (our tables)
        bind.exec_driver_sql(f'DROP TABLE "{table}"')
        bind.exec_driver_sql(f'ALTER TABLE {new_name} RENAME TO "{table}"')
        for (index_sql,) in indexes:
            bind.exec_driver_sql(index_sql)


def downgrade() -> None:
    """Ids stay as they are: AUTOINCREMENT only changes which ids new rows get."""
