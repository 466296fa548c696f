"""Jobs of the rights module: fingerprint an already analysed asset (of a registered work, or an upload
analysed before the step existed); the library watch (compare a newly ingested asset with the registered
works); the rescan (compare the uploads analysed before a work's asset was indexed with it); the rebuild of
the index."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

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
from avbase.rights.fingerprint import search as fingerprints

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
        if asset is not None:  # indexed if it carries a work, else compared with the works by the watch
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


@job_handler(tracing.RESCAN_JOB)
def rescan(ctx: JobContext) -> dict[str, Any]:
    """Compares the uploads of other organisations, by their stored prints, with one asset of a work, a
    batch of uploads at a time (an index of their prints alone, searched with the work's file as the
    query: the whole index is never read). Resumes after the last batch it recorded."""
    work_id, asset_id = int(ctx.payload["work_id"]), int(ctx.payload["asset_id"])
    with session_scope(ctx.engine) as session:
        target = tracing.rescan_target(session, work_id, asset_id)
        total = tracing.count_uploads(session, target) if target is not None else 0
    result = {"work": work_id, "asset": asset_id, "uploads": total}
    if target is None:
        return {**result, "gone": True}
    tally: dict[str, Any] = {
        "compared": 0, "suspected_copies": [], "already_known": [], "fingerprinting": 0, "analysing": 0,
        "nothing_printed": 0, **ctx.checkpoint.get("tally", {}),
    }  # fmt: skip
    after, done = int(ctx.checkpoint.get("after", 0)), int(ctx.checkpoint.get("done", 0))
    queries: tuple[Any, Any] | None = None
    batch: list[tuple[int, fingerprints.Prints]] = []
    org_of: dict[int, int] = {}
    later: list[int] = []

    def settle() -> None:
        """Compares the batch, records what it copies and queues the fingerprints wanted, then notes how
        far the rescan got."""
        nonlocal queries
        found = []
        if batch:
            queries = queries or tracing.work_queries(target)
            found = tracing.compare_uploads(queries, batch)
        with session_scope(ctx.engine) as session:
            recorded, known = tracing.record_rescan(session, target, found, org_of)
            tracing.fingerprint_later(session, later)
        tally["suspected_copies"] += recorded
        tally["already_known"] += known
        tally["compared"] += len(batch)
        tally["fingerprinting"] += len(later)
        batch.clear()
        org_of.clear()
        later.clear()
        ctx.save_checkpoint(after=after, done=done, tally=tally)
        ctx.progress(done / total if total else 1.0, f"{done}/{total}")

    while True:
        with session_scope(ctx.engine) as session:
            page = tracing.uploads(session, target, after=after)
        if not page:
            break
        postings = 0
        for upload in page:
            folder = tracing.prints_folder(upload.sha256)
            prints = fingerprints.load(folder)
            if prints.video is not None or prints.audio is not None:
                batch.append((upload.asset_id, prints))
                org_of[upload.asset_id] = upload.org_id
                postings += tracing.postings_of(prints)
            elif not upload.analysed:
                tally["analysing"] += 1  # its analysis ends with the watch, which sees the work
            elif not upload.fingerprinted or fingerprints.stale(folder):
                later.append(upload.asset_id)  # analysed before the step existed, or of older keys
            else:
                tally["nothing_printed"] += 1  # no picture or sound to recognise a work by
            done, after = done + 1, upload.asset_id
            if postings >= tracing.RESCAN_BATCH_POSTINGS:
                settle()
                postings = 0
        settle()  # each page ends with a checkpoint and its progress
    return {**result, **tally}
