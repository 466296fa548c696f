"""REST routes of material search."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel

from avbase.search import service
from avbase.search.images import MAX_BYTES, read_picture
from avbase.web.deps import ApiPrincipal, Db
from avbase.web.limits import upload_body
from avbase.web.schemas import ErrorOut

router = APIRouter(
    prefix="/search", tags=["search"], responses={401: {"model": ErrorOut}, 422: {"model": ErrorOut}}
)
Text = Annotated[str | None, Query(max_length=80, pattern=r"^[^\x00-\x1f]*$")]


class HitOut(BaseModel):
    asset_id: int
    title: str
    field: str  # where the words were found: title, description, tags, ocr, subtitle, transcript, shot…
    start: float | None  # seconds; none for what belongs to the whole asset
    end: float | None
    score: float
    snippet: str  # HTML, matched words in <mark>
    thumbnail: str | None  # URL of the picture at that moment
    link: str  # the asset page, playing from that moment


class SearchOut(BaseModel):
    total: int
    page: int
    per_page: int
    pages: int
    seconds: float
    hits: list[HitOut]
    facets: dict[str, dict[str, int]]


class ShotOut(BaseModel):
    asset_id: int
    title: str
    shot: int  # 0-based
    start: float
    end: float
    similarity: float
    thumbnail: str | None
    link: str


class ShotGroupOut(BaseModel):
    best: ShotOut
    same: list[ShotOut]  # near-duplicates of it: the same picture in other clips or encodings


def _thumb(asset_id: int, name: str | None) -> str | None:
    return f"/api/v1/media/assets/{asset_id}/files/{name}" if name else None


def _shot(match: service.ShotMatch) -> ShotOut:
    return ShotOut(
        asset_id=match.asset_id,
        title=match.title,
        shot=match.shot,
        start=match.start,
        end=match.end,
        similarity=match.similarity,
        thumbnail=_thumb(match.asset_id, match.thumbnail),
        link=match.link,
    )


def _groups(groups: list[service.ShotGroup]) -> list[ShotGroupOut]:
    return [ShotGroupOut(best=_shot(g.best), same=[_shot(m) for m in g.same]) for g in groups]


@router.get(
    "", response_model=SearchOut, summary="Words in titles, descriptions, on screen, in subtitles and speech"
)
def search(
    db: Db,
    principal: ApiPrincipal,
    q: Annotated[str, Query(min_length=1, max_length=500, pattern=r"^[^\x00-\x1f]*$")],
    kind: Annotated[str | None, Query(pattern=r"^(video|audio)$")] = None,
    min_res: Annotated[str | None, Query(pattern=r"^(SD|HD|FHD|4K|8K)$")] = None,
    hdr: Text = None,
    duration: Annotated[str | None, Query(pattern=r"^(short|medium|long)$")] = None,
    added_from: date | None = None,
    org_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    collection: Text = None,
    tag: Text = None,
    language: Text = None,
    field: Annotated[str | None, Query(pattern=r"^[a-z]{2,20}$")] = None,
    sort: Annotated[str, Query(pattern=r"^(relevance|date|duration)$")] = "relevance",
    page: Annotated[int, Query(ge=1, le=500)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchOut:
    filters = service.SearchFilters(
        kind, min_res, hdr, duration, added_from, org_id, collection, tag, language, field
    )
    found = service.search(db, principal, q, filters, sort=sort, page=page, per_page=per_page)
    hits = [
        HitOut(
            asset_id=h.asset_id,
            title=h.title,
            field=h.source,
            start=h.start,
            end=h.end,
            score=h.score,
            snippet=str(h.snippet),
            thumbnail=_thumb(h.asset_id, h.thumbnail),
            link=h.link,
        )
        for h in found.hits
    ]
    return SearchOut(
        total=found.total,
        page=found.page,
        per_page=found.per_page,
        pages=found.pages,
        seconds=found.seconds,
        hits=hits,
        facets=found.facets,
    )


@router.post(
    "/image",
    response_model=list[ShotGroupOut],
    summary="Shots that look like a picture (JPEG, PNG, WebP)",
    max_body_size=upload_body(MAX_BYTES),
)
def search_by_image(
    db: Db,
    principal: ApiPrincipal,
    file: Annotated[UploadFile, File()],
    limit: Annotated[int, Query(ge=1, le=50)] = 12,
) -> list[ShotGroupOut]:
    picture = read_picture(file)
    return _groups(service.similar_shots(db, principal, picture, limit))


@router.get(
    "/similar",
    response_model=list[ShotGroupOut],
    responses={404: {"model": ErrorOut}},
    summary="Shots that look like one shot of a clip",
)
def similar(
    db: Db,
    principal: ApiPrincipal,
    asset_id: Annotated[int, Query(ge=1, le=2**31 - 1)],
    shot: Annotated[int, Query(ge=0, le=1_000_000)],
    limit: Annotated[int, Query(ge=1, le=50)] = 12,
) -> list[ShotGroupOut]:
    return _groups(service.similar_to_shot(db, principal, asset_id, shot, limit))
