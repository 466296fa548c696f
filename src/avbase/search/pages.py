"""The search page: words or a picture in, moments of clips out, with filters and facet counts."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import Response

from avbase.core.accounts.models import Organisation
from avbase.core.i18n import N_
from avbase.search import service
from avbase.search.images import MAX_BYTES, read_picture
from avbase.web.deps import Db, PagePrincipal
from avbase.web.limits import upload_body
from avbase.web.templating import add_template_dir, render

router = APIRouter(prefix="/search")
add_template_dir(Path(__file__).resolve().parent / "templates")
SORT_LABELS = {"relevance": N_("Most relevant"), "date": N_("Newest"), "duration": N_("Longest")}


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 10 else None


@router.get("")
def search_page(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    q: str = "",
    kind: str | None = None,
    min_res: str | None = None,
    hdr: str | None = None,
    duration: str | None = None,
    added_from: str | None = None,
    org: str | None = None,
    collection: str | None = None,
    tag: str | None = None,
    language: str | None = None,
    field: str | None = None,
    res: str | None = None,
    sort: str = "relevance",
    page: int = 1,
) -> Response:
    def clean(value: str | None, limit: int = 80) -> str | None:
        return (value or "").strip()[:limit] or None

    filters = service.SearchFilters(
        kind=kind if kind in ("video", "audio") else None,
        min_resolution=min_res if min_res in service.RESOLUTIONS else None,
        hdr=clean(hdr),
        duration=duration if duration in ("short", "medium", "long") else None,
        added_from=_date(added_from),
        org_id=_int(org),
        collection=clean(collection),
        tag=clean(tag),
        language=clean(language),
        source=clean(field, 20),
        resolution=res if res in service.RESOLUTIONS else None,
    )
    sort = sort if sort in SORT_LABELS else "relevance"
    found = (
        service.search(db, principal, q[:500], filters, sort=sort, page=max(1, min(page, 500)))
        if q.strip()
        else None
    )
    org_names = {}
    if found is not None and found.facets.get("org_id"):
        ids = [int(key) for key in found.facets["org_id"]]
        org_names = {str(o.id): o.name for o in db.query(Organisation).filter(Organisation.id.in_(ids))}
    return render(
        request,
        "search/search.html",
        {
            "q": q,
            "f": filters,
            "sort": sort,
            "found": found,
            "sorts": SORT_LABELS,
            "org_names": org_names,
            "resolutions": service.RESOLUTIONS,
            "groups": None,
            "errors": {},
        },
    )


@router.post("/image", max_body_size=upload_body(MAX_BYTES))
def search_by_image(
    request: Request, db: Db, principal: PagePrincipal, file: UploadFile = File(...)
) -> Response:
    groups = service.similar_shots(db, principal, read_picture(file))
    return _shots_page(request, groups, picked=None)


@router.get("/similar")
def similar(request: Request, db: Db, principal: PagePrincipal, asset: int, shot: int) -> Response:
    groups = service.similar_to_shot(db, principal, asset, max(0, min(shot, 1_000_000)))
    return _shots_page(request, groups, picked=(asset, shot))


def _shots_page(
    request: Request, groups: list[service.ShotGroup], picked: tuple[int, int] | None
) -> Response:
    return render(
        request,
        "search/search.html",
        {
            "q": "",
            "f": service.SearchFilters(),
            "sort": "relevance",
            "found": None,
            "sorts": SORT_LABELS,
            "org_names": {},
            "resolutions": service.RESOLUTIONS,
            "groups": groups,
            "picked": picked,
            "errors": {},
        },
    )
