"""Platform health for the administrator's home page: jobs that failed or are stuck, when a worker was last
heard from, the file store's disk use and the database's size."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.core.db import utcnow
from avbase.core.jobs.models import Job, JobState
from avbase.settings import get_settings

STORE_WALK_LIMIT = 200_000  # files counted before the store's size is reported as "at least"


@dataclass(frozen=True)
class Health:
    failed_jobs_24h: int
    stuck_jobs: int  # running without a heartbeat for job_stale_seconds
    queued_jobs: int
    worker_seen_at: datetime | None  # the latest heartbeat or finish of any job
    store_bytes: int
    store_complete: bool  # False when the walk stopped at STORE_WALK_LIMIT files
    disk_free_bytes: int | None
    database_bytes: int | None


def _store_size(root: Path) -> tuple[int, bool]:
    total, seen = 0, 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            seen += 1
            if seen > STORE_WALK_LIMIT:
                return total, False
            try:
                total += (Path(folder) / name).stat().st_size
            except OSError:  # removed while we walked
                continue
    return total, True


def _database_size(session: Session) -> int | None:
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        return int(session.scalar(select(func.pg_database_size(func.current_database()))) or 0)
    path = bind.engine.url.database
    return Path(path).stat().st_size if path and Path(path).exists() else None


def platform_health(session: Session) -> Health:
    settings = get_settings()
    now = utcnow()
    stale = now - timedelta(seconds=settings.job_stale_seconds)
    failed, stuck, queued, seen = session.execute(
        select(
            select(func.count())
            .where(Job.state == JobState.failed, Job.finished_at >= now - timedelta(days=1))
            .scalar_subquery(),
            select(func.count())
            .where(Job.state == JobState.running, Job.heartbeat_at < stale)
            .scalar_subquery(),
            select(func.count()).where(Job.state == JobState.queued).scalar_subquery(),
            select(func.max(func.coalesce(Job.heartbeat_at, Job.finished_at))).scalar_subquery(),
        )
    ).one()
    store = settings.store_dir
    size, complete = _store_size(store) if store.is_dir() else (0, True)
    free = shutil.disk_usage(store).free if store.is_dir() else None
    return Health(
        failed_jobs_24h=int(failed or 0),
        stuck_jobs=int(stuck or 0),
        queued_jobs=int(queued or 0),
        worker_seen_at=seen,
        store_bytes=size,
        store_complete=complete,
        disk_free_bytes=free,
        database_bytes=_database_size(session),
    )
