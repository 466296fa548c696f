from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

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
