from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, update
from sqlalchemy.orm import Session

import tests.core.job_handlers  # noqa: F401  (registers the test handlers)
from avbase.core.accounts.models import Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.db import utcnow
from avbase.core.errors import Conflict
from avbase.core.jobs import Job, JobState, cancel_job, enqueue
from avbase.core.jobs.models import BULK
from avbase.core.jobs.worker import Worker

ROOT = Path(__file__).resolve().parents[2]


def refreshed(db: Session, job_id: int) -> Job:
    db.expire_all()
    job = db.get(Job, job_id)
    assert job is not None
    return job


def test_a_job_runs_to_success_with_progress_and_result(db: Session, clean_engine: Engine) -> None:
    job = enqueue(db, kind="test.count", title="count", payload={"steps": 4})
    db.commit()
    assert Worker(clean_engine).run_until_idle() == 1
    done = refreshed(db, job.id)
    assert done.state is JobState.succeeded and done.progress == 1.0
    assert done.result == {"done": 4, "resumed_from": 0}
    assert done.attempts == 1 and done.finished_at is not None


def test_higher_priority_runs_first_and_the_interactive_worker_leaves_bulk_jobs(
    db: Session, clean_engine: Engine
) -> None:
    bulk = enqueue(db, kind="test.count", title="analyse", payload={"steps": 1}, priority=BULK)
    first = enqueue(db, kind="test.count", title="import", payload={"steps": 1})
    db.commit()
    assert Worker(clean_engine, interactive_only=True).run_until_idle() == 1
    assert refreshed(db, first.id).state is JobState.succeeded
    assert refreshed(db, bulk.id).state is JobState.queued
    later = enqueue(db, kind="test.count", title="export", payload={"steps": 1})
    db.commit()
    assert Worker(clean_engine).run_once()
    assert refreshed(db, later.id).state is JobState.succeeded  # queued after the bulk job, yet first
    assert refreshed(db, bulk.id).state is JobState.queued
    assert Worker(clean_engine).run_until_idle(only=bulk.id) == 1


def test_bad_input_fails_at_once_with_the_reason(db: Session, clean_engine: Engine) -> None:
    job = enqueue(db, kind="test.bad_input", title="bad", max_attempts=3)
    db.commit()
    Worker(clean_engine).run_until_idle()
    failed = refreshed(db, job.id)
    assert failed.state is JobState.failed
    assert failed.error == "The file is not a media file."
    assert failed.attempts == 1


def test_transient_errors_are_retried_until_attempts_run_out(
    db: Session, clean_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    recovers = enqueue(db, kind="test.flaky", title="flaky", payload={"succeed_on": 2}, max_attempts=3)
    gives_up = enqueue(db, kind="test.flaky", title="flaky", payload={"succeed_on": 9}, max_attempts=2)
    db.commit()
    Worker(clean_engine).run_until_idle()
    assert refreshed(db, recovers.id).state is JobState.succeeded
    assert refreshed(db, recovers.id).result == {"attempt": 2}
    final = refreshed(db, gives_up.id)
    assert final.state is JobState.failed and final.attempts == 2
    # The user reads that it failed on our side; the exception (paths, internals) is in the server log only.
    assert final.error == "系统内部出错，错误已记录。"  # in the platform's language
    assert "storage unreachable" not in final.log and "Traceback" not in final.log
    assert "storage unreachable" in caplog.text


def test_unknown_kind_fails_with_a_clear_reason(db: Session, clean_engine: Engine) -> None:
    job = enqueue(db, kind="nobody.handles.this", title="x")
    db.commit()
    Worker(clean_engine).run_until_idle()
    assert refreshed(db, job.id).error == "No handler for job kind 'nobody.handles.this'."


def test_cancel_queued_and_running_jobs(
    db: Session, clean_engine: Engine, make_user: Callable[..., User]
) -> None:
    admin = Principal.of(make_user(role=Role.admin))
    queued = enqueue(db, kind="test.count", title="q", payload={"steps": 1})
    db.commit()
    cancel_job(db, admin, queued.id)
    db.commit()
    assert refreshed(db, queued.id).state is JobState.cancelled
    with pytest.raises(Conflict):
        cancel_job(db, admin, queued.id)

    running = enqueue(db, kind="test.count", title="r", payload={"steps": 200, "sleep": 0.01})
    db.commit()
    worker = threading.Thread(target=Worker(clean_engine).run_until_idle)
    worker.start()
    while refreshed(db, running.id).progress == 0:
        time.sleep(0.02)
    cancel_job(db, admin, running.id)
    db.commit()
    worker.join(timeout=30)
    stopped = refreshed(db, running.id)
    assert stopped.state is JobState.cancelled
    assert 0 < stopped.progress < 1


def test_a_job_whose_worker_stopped_heartbeating_is_resumed(db: Session, clean_engine: Engine) -> None:
    job = enqueue(db, kind="test.count", title="resume", payload={"steps": 5})
    db.commit()
    # As a worker on another machine would leave it: running, checkpoint at 3, heartbeat long ago.
    db.execute(
        update(Job)
        .where(Job.id == job.id)
        .values(
            state=JobState.running,
            attempts=1,
            worker_id="elsewhere:1:abc",
            checkpoint={"done": 3},
            heartbeat_at=utcnow() - timedelta(minutes=10),
        )
    )
    db.commit()
    worker = Worker(clean_engine)
    assert worker.recover_lost_jobs() == [job.id]
    worker.run_until_idle()
    resumed = refreshed(db, job.id)
    assert resumed.state is JobState.succeeded
    assert resumed.result == {"done": 5, "resumed_from": 3}
    assert "queued again to resume" in resumed.log


def test_a_heartbeat_lost_to_a_busy_database_is_not_the_last(
    db: Session, clean_engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    if clean_engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single writer is what makes a beat wait")
    job = enqueue(db, kind="test.count", title="busy", payload={"steps": 1})
    db.commit()
    impatient = create_engine(clean_engine.url, connect_args={"timeout": 0.1})  # gives up on a lock at once
    worker = Worker(impatient)
    worker.settings = worker.settings.model_copy(update={"job_stale_seconds": 4})  # a beat every second
    holder = sqlite3.connect(str(clean_engine.url.database), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds the database, as a long import does
    done = threading.Event()
    beating = threading.Thread(target=worker._heartbeat, args=(job.id, done))
    beating.start()
    time.sleep(1.6)
    holder.execute("ROLLBACK")
    holder.close()
    time.sleep(1.4)
    done.set()
    beating.join(timeout=5)
    impatient.dispose()
    assert "heartbeat skipped, the database is busy" in caplog.text
    assert refreshed(db, job.id).heartbeat_at is not None  # the beat after the lock went landed


def test_a_lost_job_out_of_attempts_fails_instead_of_vanishing(db: Session, clean_engine: Engine) -> None:
    job = enqueue(db, kind="test.count", title="lost", payload={"steps": 5}, max_attempts=1)
    db.commit()
    db.execute(
        update(Job)
        .where(Job.id == job.id)
        .values(
            state=JobState.running,
            attempts=1,
            worker_id="elsewhere:1:abc",
            heartbeat_at=utcnow() - timedelta(hours=1),
        )
    )
    db.commit()
    Worker(clean_engine).recover_lost_jobs()
    lost = refreshed(db, job.id)
    assert lost.state is JobState.failed and lost.error is not None and "lost" in lost.error


def test_concurrent_workers_run_each_job_exactly_once(db: Session, clean_engine: Engine) -> None:
    ids = [enqueue(db, kind="test.count", title=f"j{i}", payload={"steps": 1}).id for i in range(12)]
    db.commit()
    workers = [threading.Thread(target=Worker(clean_engine).run_until_idle) for _ in range(3)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join(timeout=60)
    for job_id in ids:
        job = refreshed(db, job_id)
        assert job.state is JobState.succeeded and job.attempts == 1


def _worker_process(url: str, var_dir: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "AVBASE_DATABASE_URL": url,
        "AVBASE_VAR_DIR": str(var_dir),
        "AVBASE_JOB_MODULES": '["tests.core.job_handlers"]',
        "PYTHONPATH": str(ROOT),
        "AVBASE_WORKER_POLL_SECONDS": "0.1",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "avbase.cli", "worker"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


@pytest.mark.slow
def test_killed_worker_process_job_is_resumed_by_the_next_worker(
    db: Session, clean_engine: Engine, tmp_path: Path
) -> None:
    url = clean_engine.url.render_as_string(hide_password=False)
    job = enqueue(db, kind="test.count", title="crash", payload={"steps": 40, "sleep": 0.05})
    db.commit()
    first = _worker_process(url, tmp_path)
    try:
        deadline = time.monotonic() + 60
        while refreshed(db, job.id).progress < 0.25:
            assert time.monotonic() < deadline, "the first worker never made progress"
            time.sleep(0.05)
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert refreshed(db, job.id).state is JobState.running  # left behind by the dead process

    second = _worker_process(url, tmp_path)
    try:
        deadline = time.monotonic() + 60
        while not refreshed(db, job.id).state.finished:
            assert time.monotonic() < deadline, "the job was not resumed"
            time.sleep(0.1)
    finally:
        second.terminate()
        second.wait(timeout=10)
    resumed = refreshed(db, job.id)
    assert resumed.state is JobState.succeeded and resumed.attempts == 2
    assert resumed.result is not None and resumed.result["resumed_from"] >= 10


def test_a_job_queued_once_is_not_queued_again_while_it_waits_or_runs(db: Session) -> None:
    from avbase.core.jobs import pending

    first = enqueue(db, kind="test.once", title="t", payload={"n": 1}, once="asset:7")
    assert enqueue(db, kind="test.once", title="t", payload={"n": 2}, once="asset:7").id == first.id
    other = enqueue(db, kind="test.once", title="t", once="asset:8")  # another key: a job of its own
    plain = enqueue(db, kind="test.once", title="t")  # no key: always queued
    assert len({first.id, other.id, plain.id}) == 3
    first.state = JobState.running
    db.flush()
    assert pending(db, "test.once", "asset:7") is first
    assert enqueue(db, kind="test.once", title="t", once="asset:7").id == first.id
    first.state = JobState.succeeded
    db.flush()
    assert pending(db, "test.once", "asset:7") is None
    again = enqueue(db, kind="test.once", title="t", once="asset:7")  # done: asked again, queued again
    assert again.id != first.id and again.once_key == "asset:7"
    assert enqueue(db, kind="test.other", title="t", once="asset:7").id != again.id  # keys are per kind
