"""The worker keeps the search indexes in step whenever it has no job to run."""

from __future__ import annotations

from sqlalchemy import Engine

from avbase.core.jobs.registry import idle_task
from avbase.search import sync


@idle_task
def keep_search_in_step(engine: Engine) -> None:
    sync.drain(engine)
