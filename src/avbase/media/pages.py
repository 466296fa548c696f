"""Web pages of the media library: the library with filters and an asset's technical sheet."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from avbase.core.accounts.principal import Principal
from avbase.core.jobs.models import Job
from avbase.kit.pagination import PageRequest
from avbase.media import service
from avbase.media.documents import DOCUMENT_MAX_BYTES
from avbase.media.labels import colour_description, container_name
from avbase.media.models import Asset, TextSegment
from avbase.media.subtitles import SUBTITLE_MAX_BYTES, SUBTITLE_SUFFIXES
from avbase.settings import get_settings
from avbase.web.deps import Db, PagePrincipal
from avbase.web.forms import RawForm
from avbase.web.limits import upload_body
from avbase.web.schemas import RowId
from avbase.web.templating import add_template_dir, environment, render
from avbase.web.uploads import with_upload

router = APIRouter(prefix="/media")
# Another domain's panel under the player (review's QC report): a template to include and its context, or
# None when it has nothing to show; the included template sees the page's context too.
AssetPanel = Callable[[Session, Principal, Asset], tuple[str, dict[str, Any]] | None]
ASSET_PANELS: list[AssetPanel] = []
add_template_dir(Path(__file__).resolve().parent / "templates")
environment.globals.update(container_name=container_name, colour_description=colour_description)
RESOLUTIONS = ("SD", "HD", "FHD", "4K", "8K")
HDR_TYPES = ("SDR", "HLG", "HDR10 (PQ)", "HDR10+", "HDR Vivid", "Dolby Vision")


@router.get("")
def library(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    page: int = 1,
    kind: str | None = None,
    resolution: str | None = None,
    hdr: str | None = None,
    q: str | None = None,
    duration: str | None = None,
    added_from: str | None = None,
    org: str | None = None,
    collection: str | None = None,
) -> Response:
    filters = service.AssetFilters(
        kind=kind if kind in ("video", "audio") else None,
        resolution=resolution if resolution in RESOLUTIONS else None,
        hdr=hdr if hdr in HDR_TYPES else None,
        search=(q or "").strip()[:100] or None,
        duration=duration if duration in service.DURATIONS else None,
        added_from=_date_or_none(added_from),
        org_id=int(org) if org and org.isdigit() and len(org) < 10 else None,
        collection=(collection or "").strip()[:80] or None,
    )
    found = service.list_assets(db, principal, PageRequest.parse(page, 24, "-created_at"), filters)
    orgs, collections = service.library_choices(db, principal)
    return render(
        request,
        "media/library.html",
        {
            "page": found,
            "f": filters,
            "q": q or "",
            "resolutions": RESOLUTIONS,
            "hdr_types": HDR_TYPES,
            "orgs": orgs,
            "collections": collections,
            "upload_max_mb": get_settings().upload_max_mb,
            "errors": {},
        },
    )


def _date_or_none(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


@router.post("", max_body_size=upload_body(get_settings().upload_max_mb << 20))
def upload(db: Db, principal: PagePrincipal, file: UploadFile = File(...)) -> Response:
    """A whole file in one request (without JavaScript; the page's script sends large files in parts)."""

    def keep(path: Path, name: str) -> int:
        return service.ingest(db, principal, path, file_name=name, move=True)[0].id

    asset_id = with_upload(file, get_settings().upload_max_mb << 20, keep)
    return RedirectResponse(f"/media/{asset_id}", status_code=303)


@router.get("/{asset_id}")
def asset_page(
    request: Request, db: Db, principal: PagePrincipal, asset_id: RowId, t: float | None = None
) -> Response:
    asset = service.get_asset(db, principal, asset_id)
    segments = service.text_segments(db, asset)
    tracks: dict[tuple[str, str], list[TextSegment]] = {}
    for segment in segments:
        tracks.setdefault((segment.source.value, segment.track), []).append(segment)
    job = db.get(Job, asset.job_id) if asset.job_id else None
    return render(
        request,
        "media/asset.html",
        {
            "a": asset,
            "probe": asset.probe or {},
            "derived": asset.derived or {},
            "tracks": tracks,
            "job": job,
            "start_at": t if t is not None and 0 <= t < 10**6 else None,
            "subtitle_suffixes": ",".join(SUBTITLE_SUFFIXES),
            "can_change": principal.owns(asset.org_id),
            "panels": [shown for panel in ASSET_PANELS if (shown := panel(db, principal, asset))],
        },
    )


@router.get("/{asset_id}/progress")
def analysis_progress(request: Request, db: Db, principal: PagePrincipal, asset_id: RowId) -> Response:
    """The live progress block of the asset page; once the analysis ends, the page reloads itself."""
    asset = service.get_asset(db, principal, asset_id)
    if asset.state.value in ("ready", "failed"):
        return Response(status_code=200, headers={"HX-Refresh": "true"})
    job = db.get(Job, asset.job_id) if asset.job_id else None
    return render(request, "media/_progress.html", {"a": asset, "job": job})


@router.get("/{asset_id}/files/{name:path}")
def derived_file(db: Db, principal: PagePrincipal, asset_id: RowId, name: str) -> Response:
    """Proxy, thumbnails, contact sheet and waveform; ranges are served, so the player seeks."""
    path = service.derived_file(db, principal, asset_id, name)
    return FileResponse(path, headers={"Cache-Control": "private, max-age=3600"})


@router.post("/{asset_id}/subtitles", max_body_size=upload_body(SUBTITLE_MAX_BYTES))
def import_subtitles(
    db: Db, principal: PagePrincipal, asset_id: RowId, file: UploadFile = File(...), language: str = Form("")
) -> Response:
    read = partial(service.import_subtitles, db, principal, asset_id, language=language[:40])
    with_upload(file, SUBTITLE_MAX_BYTES, read)
    return RedirectResponse(f"/media/{asset_id}#text-tracks", status_code=303)


@router.post("/{asset_id}/documents", max_body_size=upload_body(DOCUMENT_MAX_BYTES))
def attach_document(
    db: Db, principal: PagePrincipal, asset_id: RowId, file: UploadFile = File(...)
) -> Response:
    with_upload(file, DOCUMENT_MAX_BYTES, partial(service.attach_document, db, principal, asset_id))
    return RedirectResponse(f"/media/{asset_id}#text-tracks", status_code=303)


@router.post("/{asset_id}/analyse")
def analyse_again(db: Db, principal: PagePrincipal, asset_id: RowId) -> Response:
    service.analyse_again(db, principal, asset_id)
    return RedirectResponse(f"/media/{asset_id}", status_code=303)


@router.post("/{asset_id}/delete")
def delete_asset(db: Db, principal: PagePrincipal, asset_id: RowId) -> Response:
    service.delete_asset(db, principal, asset_id)
    return RedirectResponse("/media", status_code=303)


@router.post("/{asset_id}/metadata")
def edit_metadata(db: Db, principal: PagePrincipal, asset_id: RowId, form: RawForm) -> Response:
    changes: dict[str, object] = {}
    for key in service.METADATA_FIELDS:
        value = form.get(key)
        if not isinstance(value, str):
            continue
        text = value.strip()
        if key in service.LIST_FIELDS:
            changes[key] = [part.strip()[:80] for part in text.replace("，", ",").split(",") if part.strip()][
                :50
            ]
        elif key == "title":
            if text:
                changes[key] = text[:300]
        else:
            changes[key] = text[:4000] or None
    service.update_metadata(db, principal, asset_id, changes)
    return RedirectResponse(f"/media/{asset_id}", status_code=303)
