"""Web pages of the media library: the library with filters and an asset's technical sheet."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from avbase.core.errors import AvbaseError
from avbase.core.i18n import _
from avbase.kit.filetypes import safe_name
from avbase.kit.pagination import PageRequest
from avbase.media import service
from avbase.settings import get_settings
from avbase.web.deps import Db, PagePrincipal
from avbase.web.schemas import RowId
from avbase.web.templating import add_template_dir, render
from avbase.web.uploads import save_upload

router = APIRouter(prefix="/media")
add_template_dir(Path(__file__).resolve().parent / "templates")
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
) -> Response:
    found = service.list_assets(
        db,
        principal,
        PageRequest.parse(page, 24, "-created_at"),
        kind=kind if kind in ("video", "audio") else None,
        resolution=resolution if resolution in RESOLUTIONS else None,
        hdr=hdr if hdr in HDR_TYPES else None,
        search=(q or "").strip()[:100] or None,
    )
    return render(
        request,
        "media/library.html",
        {
            "page": found,
            "kind": kind,
            "resolution": resolution,
            "hdr": hdr,
            "q": q or "",
            "resolutions": RESOLUTIONS,
            "hdr_types": HDR_TYPES,
            "errors": {},
        },
    )


@router.post("")
async def upload(
    request: Request, db: Db, principal: PagePrincipal, file: UploadFile = File(...)
) -> Response:
    try:
        path = await save_upload(
            file, get_settings().var_dir / "uploads", max_bytes=get_settings().upload_max_mb << 20
        )
        asset, _duplicate = service.ingest(db, principal, path, file_name=safe_name(file.filename), move=True)
    except AvbaseError as exc:
        return render(
            request,
            "error.html",
            {"status": exc.status_code, "message": _(exc.message, **exc.params), "errors": []},
            status_code=exc.status_code,
        )
    return RedirectResponse(f"/media/{asset.id}", status_code=303)


@router.get("/{asset_id}")
def asset_page(request: Request, db: Db, principal: PagePrincipal, asset_id: RowId) -> Response:
    asset = service.get_asset(db, principal, asset_id)
    return render(request, "media/asset.html", {"a": asset, "probe": asset.probe or {}})


@router.post("/{asset_id}/metadata")
async def edit_metadata(request: Request, db: Db, principal: PagePrincipal, asset_id: RowId) -> Response:
    form = await request.form()
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
