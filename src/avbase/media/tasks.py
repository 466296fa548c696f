"""Job ``media.analyse``: the analysis steps of one asset (see ``steps``), each recorded in the checkpoint
when its result is written, so a resumed job skips what is done. A file FFmpeg cannot read fails its job
with the reason, and the asset says so."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine

from avbase.core import storage
from avbase.core.db import session_scope
from avbase.core.errors import AvbaseError
from avbase.core.jobs.registry import JobContext, idle_task, job_handler
from avbase.media.executor import run_step
from avbase.media.models import Asset, AssetState
from avbase.media.service import ANALYSE_JOB, analysis_cancelled, mark
from avbase.media.steps import StepInput, all_steps
from avbase.settings import get_settings


def _input_for(asset: Asset) -> StepInput:
    settings = get_settings()
    return StepInput(
        source=storage.path_of(asset.sha256),
        folder=storage.derived_dir(asset.sha256),
        kind=asset.kind,
        duration=asset.duration,
        keyframes=[shot["keyframe"] for shot in asset.shots or [] if shot.get("keyframe") is not None],
        cuts=[shot["start"] for shot in asset.shots or [] if shot.get("transition") == "cut"],
        speech_model=settings.speech_model_path,
        speech_language=settings.speech_language or None,
        shot_detector=settings.shot_detector,
    )


@job_handler(ANALYSE_JOB, on_cancel=analysis_cancelled)
def analyse(ctx: JobContext) -> dict[str, Any]:
    asset_id = int(ctx.payload["asset_id"])
    with session_scope(ctx.engine) as session:
        asset = session.get(Asset, asset_id)
        if asset is None:
            raise AvbaseError("The asset no longer exists.")
        mark(asset, AssetState.processing)
    steps = all_steps()
    for number, step in enumerate(steps):
        if step.name in ctx.checkpoint:
            continue
        with session_scope(ctx.engine) as session:
            asset = session.get(Asset, asset_id)
            if asset is None:
                raise AvbaseError("The asset no longer exists.")
            given = _input_for(asset)
        if step.applies(given):
            ctx.progress(number / len(steps), step.name)
            try:
                result = run_step(step.work, given)
            except AvbaseError as exc:
                with session_scope(ctx.engine) as session:
                    failed = session.get(Asset, asset_id)
                    if failed is not None:
                        mark(failed, AssetState.failed, exc.message.format(**exc.params))
                raise
            with session_scope(ctx.engine) as session:
                asset = session.get(Asset, asset_id)
                if asset is None:
                    raise AvbaseError("The asset no longer exists.")
                step.store(asset, result)
        ctx.save_checkpoint(**{step.name: True})
    ctx.progress(1.0, "done")
    with session_scope(ctx.engine) as session:
        asset = session.get(Asset, asset_id)
        assert asset is not None
        mark(asset, AssetState.ready)
        return {
            "asset": asset_id,
            "kind": asset.kind,
            "duration": asset.duration,
            "shots": len(asset.shots or []),
        }


PURGE_EVERY = 600.0  # seconds between looks for abandoned uploads
_last_purge = 0.0


@idle_task
def purge_abandoned_uploads(engine: Engine) -> None:
    global _last_purge
    from avbase.media.uploads import purge_abandoned

    if time.monotonic() - _last_purge < PURGE_EVERY:
        return
    _last_purge = time.monotonic()
    with session_scope(engine) as session:
        purge_abandoned(session)
