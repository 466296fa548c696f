"""Job handlers and the context they run with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from avbase.core.db import session_scope, utcnow
from avbase.core.jobs.models import Job

Handler = Callable[["JobContext"], dict[str, Any] | None]

HANDLERS: dict[str, Handler] = {}

# What a domain does when a job of its kind is cancelled (queued or running), in the same transaction that
# marks the job cancelled: the rows the job was working on must not stay "in progress" for ever.
CancelHook = Callable[[Session, Job], None]
CANCEL_HOOKS: dict[str, CancelHook] = {}

# Seconds before the first retry of a kind whose failures may pass on their own (a mail server that is
# down); each further retry waits twice as long. Kinds not named here are retried at once.
BACKOFF_SECONDS: dict[str, float] = {}

# Modules whose import registers handlers; each domain adds its tasks module here.
HANDLER_MODULES = [
    "avbase.demo.tasks",
    "avbase.core.audit_tasks",
    "avbase.core.notifications.tasks",
    "avbase.industry.tasks",
    "avbase.media.tasks",
    "avbase.review.tasks",
    "avbase.search.tasks",
    "avbase.ecosystem.tasks",
    "avbase.rights.tasks",
]


def job_handler(
    kind: str, *, on_cancel: CancelHook | None = None, backoff_seconds: float | None = None
) -> Callable[[Handler], Handler]:
    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        if on_cancel is not None:
            CANCEL_HOOKS[kind] = on_cancel
        if backoff_seconds is not None:
            BACKOFF_SECONDS[kind] = backoff_seconds
        return func

    return register


IdleTask = Callable[[Engine], None]
IDLE_TASKS: list[IdleTask] = []


def idle_task(func: IdleTask) -> IdleTask:
    """Housekeeping a worker does whenever it finds no job (keeping the search index in step, say). It must
    be quick when there is nothing to do, and safe to run in several workers at once."""
    IDLE_TASKS.append(func)
    return func


def retry_delay(kind: str, attempt: int) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1, 2, …) before the next one."""
    base = BACKOFF_SECONDS.get(kind, 0.0)
    return float(base * 2 ** (attempt - 1))


def load_handlers() -> None:
    import importlib

    from avbase.settings import get_settings

    for module in [*HANDLER_MODULES, *get_settings().job_modules]:
        importlib.import_module(module)


class JobCancelled(Exception):
    """Raised inside a handler when someone asked to cancel its job."""


@dataclass
class JobContext:
    """What a handler sees: its payload, its checkpoint, and ways to report progress.

    Each report commits on its own. Report between the handler's transactions, never inside one:
    SQLite allows a single writer, so a report made while a write transaction is open would wait on it.
    """

    job_id: int
    engine: Engine
    payload: dict[str, Any]
    checkpoint: dict[str, Any] = field(default_factory=dict)
    attempt: int = 1

    def progress(self, fraction: float, message: str = "") -> None:
        with session_scope(self.engine) as session:
            session.execute(
                update(Job)
                .where(Job.id == self.job_id)
                .values(progress=min(max(fraction, 0.0), 1.0), message=message[:300], heartbeat_at=utcnow())
            )
        self.raise_if_cancelled()

    def log(self, line: str) -> None:
        stamp = utcnow().strftime("%H:%M:%S")
        with session_scope(self.engine) as session:
            job = session.get(Job, self.job_id)
            if job is not None:
                job.log = (job.log or "") + f"[{stamp}] {line}\n"

    def save_checkpoint(self, **values: Any) -> None:
        """Record finished steps; commit them together with the work they describe for exact resume."""
        self.checkpoint.update(values)
        with session_scope(self.engine) as session:
            session.execute(update(Job).where(Job.id == self.job_id).values(checkpoint=dict(self.checkpoint)))

    def raise_if_cancelled(self) -> None:
        with session_scope(self.engine) as session:
            if session.scalar(select(Job.cancel_requested).where(Job.id == self.job_id)):
                raise JobCancelled()
