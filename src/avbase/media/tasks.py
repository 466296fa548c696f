"""Job ``media.analyse``: the analysis steps of one asset, each idempotent and recorded in the checkpoint
so a resumed job skips what is done. A file FFmpeg cannot read fails its job with the reason."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from avbase.core import storage
from avbase.core.db import session_scope
from avbase.core.errors import AvbaseError
from avbase.core.jobs.registry import JobContext, job_handler
from avbase.media.models import Asset, AssetState
from avbase.media.probe import probe
from avbase.media.service import ANALYSE_JOB, mark
from avbase.media.shots import detect_shots


@job_handler(ANALYSE_JOB)
def analyse(ctx: JobContext) -> dict[str, Any]:
    asset_id = int(ctx.payload["asset_id"])
    with session_scope(ctx.engine) as session:
        asset = session.get(Asset, asset_id)
        if asset is None:
            raise AvbaseError("The asset no longer exists.")
        mark(asset, AssetState.processing)
        path = storage.path_of(asset.sha256)
    if "probe" not in ctx.checkpoint:
        try:
            result = probe(path)
        except AvbaseError as exc:
            with session_scope(ctx.engine) as session:
                failed = session.get(Asset, asset_id)
                if failed is not None:
                    mark(failed, AssetState.failed, exc.message.format(**exc.params))
            raise
        first_video = result.video[0] if result.video else None
        with session_scope(ctx.engine) as session:
            asset = session.get(Asset, asset_id)
            assert asset is not None
            asset.probe = result.to_json()
            asset.kind = result.kind
            asset.duration = result.duration
            asset.resolution_class = first_video.resolution_class if first_video else None
            asset.hdr = first_video.hdr if first_video else None
        ctx.save_checkpoint(probe=True)
        ctx.progress(0.3, "probe")
    if "shots" not in ctx.checkpoint:
        with session_scope(ctx.engine) as session:
            asset = session.get(Asset, asset_id)
            is_video = asset is not None and asset.kind == "video"
        found = [asdict(shot) for shot in detect_shots(path)] if is_video else []
        with session_scope(ctx.engine) as session:
            asset = session.get(Asset, asset_id)
            assert asset is not None
            asset.shots = found
        ctx.save_checkpoint(shots=True)
        ctx.progress(1.0, "shots")
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
