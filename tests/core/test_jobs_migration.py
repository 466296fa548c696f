"""Migration 0032 on SQLite and PostgreSQL: the rights jobs still pending get the keys that keep them single
(jobs.once_key), finished ones and other kinds none; the downgrade drops the column."""

from __future__ import annotations

import json

from sqlalchemy import Engine, inspect, text

from avbase.core.migrate import upgrade
from tests.conftest import downgrade_to

STAMP = "2026-11-30 00:00:00"
JOBS = [
    (1, "rights.rescan", "queued", {"work_id": 3, "asset_id": 9}),
    (2, "rights.fingerprint", "running", {"asset_id": 12}),
    (3, "rights.reindex", "queued", {}),
    (4, "rights.fingerprint", "succeeded", {"asset_id": 13}),  # done: asking again queues it again
    (5, "media.analyse", "queued", {"asset_id": 12}),  # another kind: no key
]


def test_0032_gives_the_pending_rights_jobs_their_keys(bare_engine: Engine) -> None:
    upgrade(bare_engine, "0031")
    with bare_engine.begin() as connection:
        for job_id, kind, state, payload in JOBS:
            connection.execute(
                text(
                    "INSERT INTO jobs (id, kind, title, payload, state, progress, message, log, attempts, "
                    "max_attempts, priority, checkpoint, created_at, cancel_requested) VALUES (:id, :kind, 't', "
                    ":payload, :state, 0, '', '', 0, 3, 0, '{}', :at, false)"
                ),
                {"id": job_id, "kind": kind, "payload": json.dumps(payload), "state": state, "at": STAMP},
            )
    upgrade(bare_engine)
    with bare_engine.connect() as connection:
        keys = connection.execute(text("SELECT id, once_key FROM jobs ORDER BY id")).all()
    assert [tuple(row) for row in keys] == [(1, "3:9"), (2, "12"), (3, "index"), (4, None), (5, None)]
    downgrade_to(bare_engine, "0031")
    assert "once_key" not in {c["name"] for c in inspect(bare_engine).get_columns("jobs")}
    with bare_engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM jobs")).scalar_one() == 5
    upgrade(bare_engine)  # and up again
