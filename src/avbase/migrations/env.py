"""Alembic environment: runs against the engine avbase is configured with."""

from __future__ import annotations

from alembic import context

from avbase.core.db import Base, get_engine
from avbase.models import import_all_models

import_all_models()
config = context.config


def run_migrations() -> None:
    connectable = config.attributes.get("connection")
    if connectable is None:
        with get_engine(config.get_main_option("sqlalchemy.url") or None).connect() as connection:
            _run(connection)
    else:
        _run(connectable)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=Base.metadata,
        render_as_batch=True,  # SQLite needs table rebuilds for most ALTERs
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    if hasattr(connection, "commit"):
        connection.commit()


run_migrations()
