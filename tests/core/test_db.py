from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from avbase.core.db import Base
from avbase.core.jobs.models import Job
from avbase.core.migrate import current_revision


def test_migrations_reach_head_and_match_the_models(engine: Engine) -> None:
    assert current_revision(engine) is not None
    with engine.connect() as connection:
        diff = compare_metadata(
            MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata
        )
    assert diff == []


def test_timestamps_come_back_as_the_same_utc_instant(db: Session) -> None:
    shanghai = timezone(timedelta(hours=8))
    moment = datetime(2026, 3, 1, 9, 30, tzinfo=shanghai)
    job = Job(kind="k", title="t", started_at=moment)
    db.add(job)
    db.commit()
    db.expire_all()
    loaded = db.get(Job, job.id)
    assert loaded is not None and loaded.started_at == moment
    assert loaded.started_at.tzinfo is not None and loaded.started_at.utcoffset() == UTC.utcoffset(None)


def test_a_migration_that_rebuilds_a_table_on_sqlite_keeps_the_rows_that_refer_to_it(tmp_path: Path) -> None:
    """0013 rebuilds media_assets on SQLite; with foreign keys on, dropping the old table would cascade to
    every asset's text. The upgrade turns them off while it runs."""
    from avbase.core.db import make_engine
    from avbase.core.migrate import upgrade

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(engine, "0012")
    with engine.begin() as connection:
        connection.exec_driver_sql(
            "INSERT INTO organisations (id, name, kind, region_code, created_at, updated_at) "
            "VALUES (1, 'Studio', 'enterprise', '330106', '2026-01-01', '2026-01-01')"
        )
        connection.exec_driver_sql(
            "INSERT INTO media_assets (id, org_id, sha256, file_name, size, state, title, tags, people, "
            "collections, created_at, updated_at) VALUES (1, 1, 'ab', 'a.mp4', 10, 'ready', 'a', '[]', '[]', "
            "'[]', '2026-01-01', '2026-01-01')"
        )
        connection.exec_driver_sql(
            'INSERT INTO media_text_segments (asset_id, source, track, start, "end", text) '
            "VALUES (1, 'ocr', 'ocr', 1.0, 2.0, '字幕')"
        )
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT text FROM media_text_segments").scalars().all() == ["字幕"]
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    engine.dispose()


def test_an_id_is_never_given_twice(db: Session) -> None:
    """SQLite used to hand a deleted newest row's id to the next row (the audit log of "asset 11" then mixed
    several assets); every table with an integer key counts up for good, on SQLite as on PostgreSQL."""
    from sqlalchemy import text

    from avbase.core.accounts.models import Organisation, OrgKind

    first = Organisation(name="先到", kind=OrgKind.enterprise, region_code="330106")
    db.add(first)
    db.commit()
    gone = first.id
    db.delete(first)
    db.commit()
    second = Organisation(name="后到", kind=OrgKind.enterprise, region_code="330106")
    db.add(second)
    db.commit()
    assert second.id > gone
    if db.get_bind().dialect.name == "sqlite":
        tables = db.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all()
        keyed = [(name, sql) for name, sql in tables if re.search(r"\(\s*id INTEGER NOT NULL", sql)]
        assert len(keyed) > 30 and [name for name, sql in keyed if "AUTOINCREMENT" not in sql] == []
