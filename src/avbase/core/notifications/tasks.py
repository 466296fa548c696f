"""Jobs that send notifications, and the worker housekeeping that finds what to notify."""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy import Engine

from avbase.core.audit import Actor
from avbase.core.db import session_scope
from avbase.core.jobs.registry import JobContext, idle_task, job_handler
from avbase.core.notifications import service
from avbase.settings import get_settings

log = logging.getLogger(__name__)

# The first retry of a failed send waits a minute, the next two, then four …
SEND_BACKOFF_SECONDS = 60.0


@job_handler(service.EMAIL_JOB, backoff_seconds=SEND_BACKOFF_SECONDS)
def send_email(ctx: JobContext) -> dict[str, Any]:
    with session_scope(ctx.engine) as session:
        session.info["actor"] = Actor(name="notifications")
        sent = service.send_email(
            session,
            user_id=int(ctx.payload["user_id"]),
            digest=bool(ctx.payload["digest"]),
            notification_ids=[int(i) for i in ctx.payload["notification_ids"]],
        )
    return {"sent": sent}


_last_scan: dict[str, float] = {}


@idle_task
def notify_new_items(engine: Engine) -> None:
    """Every ``notify_scan_minutes`` (in each worker process): tell users of new inbox items, and send the
    day's digests once the digest hour has passed. Running it twice at once only repeats no-ops."""
    minutes = get_settings().notify_scan_minutes
    if not minutes:
        return
    key = str(engine.url)
    if time.monotonic() - _last_scan.get(key, float("-inf")) < minutes * 60:
        return
    _last_scan[key] = time.monotonic()
    service.scan_and_queue(engine)
