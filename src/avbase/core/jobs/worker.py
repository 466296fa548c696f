"""The job worker: claims queued jobs, runs their handlers, and recovers jobs whose worker died."""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

from sqlalchemy import Engine, or_, select, update
from sqlalchemy.exc import OperationalError

from avbase.core.db import session_scope, utcnow
from avbase.core.errors import AvbaseError
from avbase.core.i18n import N_, _, reset_locale, set_locale
from avbase.core.jobs.models import BULK, Job, JobState
from avbase.core.jobs.registry import (
    CANCEL_HOOKS,
    HANDLERS,
    IDLE_TASKS,
    JobCancelled,
    JobContext,
    load_handlers,
    retry_delay,
)
from avbase.settings import get_settings

log = logging.getLogger(__name__)

HOSTNAME = socket.gethostname()


def new_worker_id() -> str:
    return f"{HOSTNAME}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _local_process_gone(worker_id: str | None) -> bool:
    """True when ``worker_id`` names a process on this host that no longer exists."""
    if not worker_id or worker_id.count(":") != 2:
        return False
    host, pid, _ = worker_id.split(":")
    if host != HOSTNAME or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Worker:
    def __init__(
        self, engine: Engine, *, worker_id: str | None = None, interactive_only: bool = False
    ) -> None:
        """``interactive_only``: take no BULK jobs, so someone is always free for an import or an export."""
        load_handlers()
        self.engine = engine
        self.interactive_only = interactive_only
        self.worker_id = worker_id or new_worker_id()
        self.settings = get_settings()

    # --- recovery -------------------------------------------------------------------------------------

    def recover_lost_jobs(self) -> list[int]:
        """Requeue (or fail, when out of attempts) running jobs whose worker stopped heartbeating or died."""
        stale_before = utcnow() - timedelta(seconds=self.settings.job_stale_seconds)
        recovered: list[int] = []
        with session_scope(self.engine) as session:
            running = session.scalars(select(Job).where(Job.state == JobState.running)).all()
            for job in running:
                lost = (
                    job.heartbeat_at is None
                    or job.heartbeat_at < stale_before
                    or _local_process_gone(job.worker_id)
                )
                if not lost or job.worker_id == self.worker_id:
                    continue
                stamp = utcnow().strftime("%H:%M:%S")
                if job.attempts < job.max_attempts:
                    job.state = JobState.queued
                    job.log += f"[{stamp}] worker {job.worker_id} was lost; queued again to resume\n"
                else:
                    job.state = JobState.failed
                    job.error = "The worker running this job was lost and no attempts are left."
                    job.finished_at = utcnow()
                    job.log += f"[{stamp}] worker {job.worker_id} was lost; no attempts left\n"
                job.worker_id = None
                recovered.append(job.id)
        return recovered

    # --- claiming and running -------------------------------------------------------------------------

    def claim(self, only: int | None = None) -> Job | None:
        """Take the oldest queued job (or job ``only``). The guarded UPDATE makes this safe with many
        workers on any backend."""
        with session_scope(self.engine) as session:
            candidates = (
                select(Job.id)
                .where(Job.state == JobState.queued, or_(Job.run_after.is_(None), Job.run_after <= utcnow()))
                .order_by(Job.priority.desc(), Job.id)
                .limit(5)
            )
            if self.interactive_only:
                candidates = candidates.where(Job.priority > BULK)
            if only is not None:
                candidates = candidates.where(Job.id == only)
            if self.engine.dialect.name == "postgresql":
                candidates = candidates.with_for_update(skip_locked=True)
            for job_id in session.scalars(candidates).all():
                now = utcnow()
                claimed = session.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.state == JobState.queued)
                    .values(
                        state=JobState.running,
                        worker_id=self.worker_id,
                        started_at=now,
                        heartbeat_at=now,
                        attempts=Job.attempts + 1,
                    )
                )
                if claimed.rowcount == 1:  # type: ignore[attr-defined]
                    return session.get(Job, job_id)
        return None

    def run_once(self, only: int | None = None) -> bool:
        """Recover lost jobs, then run one queued job (job ``only``, when given) if there is one. Returns
        whether a job ran."""
        self.recover_lost_jobs()
        job = self.claim(only)
        if job is None:
            return False
        self._run(job)
        return True

    def run_until_idle(self, only: int | None = None) -> int:
        """Runs queued jobs until none is left, then the idle tasks; with ``only``, that one job (and its
        retries) alone."""
        ran = 0
        while self.run_once(only):
            ran += 1
        if only is None:
            self.run_idle_tasks()
        return ran

    def run_idle_tasks(self) -> None:
        for task in IDLE_TASKS:
            try:
                task(self.engine)
            except Exception:  # housekeeping must not stop the worker; it is tried again next time
                log.exception("idle task %s failed", getattr(task, "__name__", task))

    def run_forever(self, stop: threading.Event) -> None:
        log.info("worker %s started", self.worker_id)
        while not stop.is_set():
            try:
                if not self.run_once():
                    self.run_idle_tasks()
                    stop.wait(self.settings.worker_poll_seconds)
            except Exception:  # a broken database connection must not kill the worker thread
                log.exception("worker loop error")
                stop.wait(self.settings.worker_poll_seconds)

    def _heartbeat(self, job_id: int, done: threading.Event) -> None:
        """Beats four times per stale period, so a beat lost to a busy database (SQLite's one writer held
        by a long import) costs nothing: the thread carries on and the next beat lands."""
        interval = max(1.0, self.settings.job_stale_seconds / 4)
        while not done.wait(interval):
            try:
                with session_scope(self.engine) as session:
                    session.execute(update(Job).where(Job.id == job_id).values(heartbeat_at=utcnow()))
            except OperationalError as exc:
                log.warning("job %s: heartbeat skipped, the database is busy (%s)", job_id, exc.orig)

    def _for_people(self, msgid: str, **params: object) -> str:
        """A job's error as people read it: in the platform's language, whoever's request ran."""
        token = set_locale(self.settings.default_locale)
        try:
            return _(msgid, **params)
        finally:
            reset_locale(token)

    def _finish(self, job_id: int, state: JobState, **values: object) -> None:
        with session_scope(self.engine) as session:
            session.execute(
                update(Job).where(Job.id == job_id).values(state=state, finished_at=utcnow(), **values)
            )

    def _run(self, job: Job) -> None:
        handler = HANDLERS.get(job.kind)
        context = JobContext(job.id, self.engine, dict(job.payload), dict(job.checkpoint or {}), job.attempts)
        if handler is None:
            self._finish(job.id, JobState.failed, error=f"No handler for job kind {job.kind!r}.")
            return
        done = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(job.id, done), daemon=True)
        beat.start()
        try:
            if job.attempts > 1:
                context.log(f"attempt {job.attempts} of {job.max_attempts}, resuming from checkpoint")
            result = handler(context)
        except JobCancelled:
            context.log("cancelled on request")
            with session_scope(self.engine) as session:
                cancelled = session.get(Job, job.id)
                assert cancelled is not None
                cancelled.state, cancelled.finished_at = JobState.cancelled, utcnow()
                if hook := CANCEL_HOOKS.get(job.kind):
                    hook(session, cancelled)
        except AvbaseError as exc:
            # The input is wrong; retrying cannot help. Stored in the platform's language: people read it.
            message = self._for_people(exc.message, **exc.params)
            context.log(f"failed: {exc.message.format(**exc.params)}")
            self._finish(job.id, JobState.failed, error=message)
        except Exception as exc:
            # Users read a job's error and log: a traceback (server paths, internals) goes to the server's
            # log only, and the job says that something failed on our side.
            log.exception("job %s (%s), attempt %s, failed", job.id, job.kind, job.attempts)
            context.log(f"attempt {job.attempts} failed: {type(exc).__name__} (details in the server log)")
            message = self._for_people(N_("Something went wrong on our side. The error has been logged."))
            if job.attempts < job.max_attempts:
                delay = retry_delay(job.kind, job.attempts)
                if delay:
                    context.log(f"next attempt in {delay:.0f} s")
                with session_scope(self.engine) as session:
                    session.execute(
                        update(Job)
                        .where(Job.id == job.id)
                        .values(
                            state=JobState.queued,
                            worker_id=None,
                            error=message,
                            run_after=utcnow() + timedelta(seconds=delay) if delay else None,
                        )
                    )
            else:
                self._finish(job.id, JobState.failed, error=message)
        else:
            self._finish(job.id, JobState.succeeded, progress=1.0, result=result, error=None)
        finally:
            done.set()
            beat.join(timeout=5)


def start_background_worker(engine: Engine) -> tuple[list[threading.Thread], threading.Event]:
    """The in-process workers that ``avbase serve`` runs beside the web app: one for every job, and one
    that leaves bulk work (media analysis) alone, so imports and exports start at once."""
    stop = threading.Event()
    threads = []
    for name, interactive_only in (("avbase-worker", False), ("avbase-worker-interactive", True)):
        worker = Worker(engine, interactive_only=interactive_only)
        thread = threading.Thread(target=worker.run_forever, args=(stop,), name=name, daemon=True)
        thread.start()
        threads.append(thread)
    return threads, stop
