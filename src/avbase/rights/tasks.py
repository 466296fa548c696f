"""Jobs of the rights module: fingerprint an already analysed asset of a registered work; the library watch
(compare a newly ingested asset with the registered works)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from avbase.core import storage
from avbase.core.db import session_scope, utcnow
from avbase.core.errors import AvbaseError
from avbase.core.i18n import N_
from avbase.core.jobs import enqueue
from avbase.core.jobs.models import BULK
from avbase.core.jobs.registry import JobContext, job_handler
from avbase.media.executor import run_step
from avbase.media.models import Asset
from avbase.rights import tracing
from avbase.rights.models import WorkAsset

WATCH_ROUNDS = 10
WATCH_RETRY_SECONDS = 30


def _fingerprint(given: tuple[str, str]) -> dict[str, Any]:
    sha256, _unused = given
    return tracing.fingerprint_step(storage.path_of(sha256), storage.derived_dir(sha256))


@job_handler(tracing.FINGERPRINT_JOB)
def fingerprint(ctx: JobContext) -> dict[str, Any]:
    asset_id = int(ctx.payload["asset_id"])
    with session_scope(ctx.engine) as session:
        asset = session.get(Asset, asset_id)
        if asset is None:
            raise AvbaseError("The asset no longer exists.")
        sha256 = asset.sha256
    result = run_step(_fingerprint, (sha256, ""))
    with session_scope(ctx.engine) as session:
        asset = session.get(Asset, asset_id)
        link = session.scalar(select(WorkAsset).where(WorkAsset.asset_id == asset_id))
        if asset is not None and link is not None:
            tracing.store_fingerprint(asset, result)
    return {"asset": asset_id, **result}


@job_handler(tracing.WATCH_JOB)
def watch(ctx: JobContext) -> dict[str, Any]:
    asset_id = int(ctx.payload["asset_id"])
    with session_scope(ctx.engine) as session:
        try:
            found = tracing.watch(session, asset_id)
            rebuilding = False
        except tracing.IndexRebuilding:  # the rebuild is queued: look again once it has had time
            found, rebuilding = [], True
        indexing = rebuilding or tracing.works_still_indexing(session)
        again = indexing and int(ctx.payload.get("round", 0)) < WATCH_ROUNDS
        if again:
            # Works registered a moment ago are still being fingerprinted: look once more when they are.
            job = enqueue(session, kind=tracing.WATCH_JOB, title=N_("Compare with registered works"),
                          payload={"asset_id": asset_id, "round": int(ctx.payload.get("round", 0)) + 1},
                          priority=BULK)  # fmt: skip
            job.run_after = utcnow() + timedelta(seconds=WATCH_RETRY_SECONDS)
        return {"asset": asset_id, "suspected_copies": [row.work_id for row in found], "again": again}


@job_handler(tracing.REINDEX_JOB)
def reindex(ctx: JobContext) -> dict[str, Any]:
    """Rebuilds the fingerprint index from the stored fingerprints (queued when it could not be read)."""
    with session_scope(ctx.engine) as session:
        return tracing.rebuild_index(session)
