"""Job ``review.check`` (one asset against one profile, on request) and the ``review`` step of media's
analysis job (every programme against the default profile, right after its text is read)."""

from __future__ import annotations

import time
from typing import Any

from avbase.core import storage
from avbase.core.db import session_scope
from avbase.core.errors import AvbaseError
from avbase.core.jobs.registry import JobContext, job_handler
from avbase.media.executor import run_step
from avbase.media.models import Asset
from avbase.media.steps import Step, StepInput, register_step
from avbase.review import qc, service
from avbase.review.profiles import BUILTIN, Profile


def _default_check(given: StepInput) -> dict[str, Any]:
    started = time.perf_counter()
    report = qc.check(given.source, BUILTIN[service.DEFAULT_PROFILE])
    return {"report": report, "seconds": time.perf_counter() - started}


def _store_default(asset: Asset, result: dict[str, Any]) -> None:
    from sqlalchemy.orm import object_session

    session = object_session(asset)
    assert session is not None
    profile = BUILTIN[service.DEFAULT_PROFILE]
    service.store_report(
        session, asset, profile, result["report"], job_id=asset.job_id, seconds=result["seconds"]
    )


register_step(Step("review", _default_check, _store_default))


@job_handler(service.CHECK_JOB)
def check(ctx: JobContext) -> dict[str, Any]:
    asset_id = int(ctx.payload["asset_id"])
    with session_scope(ctx.engine) as session:
        asset = session.get(Asset, asset_id)
        if asset is None:
            raise AvbaseError("The asset no longer exists.")
        profile: Profile = service.get_profile(session, str(ctx.payload["profile"]))
        source = storage.path_of(asset.sha256)
    ctx.progress(0.0, "qc")
    started = time.perf_counter()
    report = run_step(lambda path: qc.check(path, profile), source)
    seconds = time.perf_counter() - started
    ctx.progress(0.95, "terms")
    with session_scope(ctx.engine) as session:
        asset = session.get(Asset, asset_id)
        if asset is None:
            raise AvbaseError("The asset no longer exists.")
        frames = (source, storage.derived_dir(asset.sha256))
        row = service.store_report(
            session, asset, profile, report, job_id=ctx.job_id, seconds=seconds, frames=frames
        )
        return {"report": row.id, "verdict": row.verdict, "asset": asset_id}
