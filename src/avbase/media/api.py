"""REST routes of the media library."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from avbase.kit.filetypes import safe_name
from avbase.kit.pagination import MAX_PER_PAGE, PageRequest
from avbase.media import service
from avbase.media.models import AssetState
from avbase.settings import get_settings
from avbase.web.deps import ApiPrincipal, Db
from avbase.web.schemas import ErrorOut, PageOut, RowId, page_out
from avbase.web.uploads import save_upload

router = APIRouter(
    prefix="/media", tags=["media"], responses={401: {"model": ErrorOut}, 422: {"model": ErrorOut}}
)


class AssetOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    title: str
    file_name: str
    size: int
    sha256: str
    state: AssetState
    error: str | None
    kind: str | None
    duration: float | None
    resolution_class: str | None
    hdr: str | None
    job_id: int | None
    created_at: datetime


class AssetDetailOut(AssetOut):
    probe: dict[str, Any] | None
    shots: list[dict[str, Any]] | None
    description: str | None
    tags: list[str]
    people: list[str]
    location: str | None
    language: str | None
    rights_holder: str | None
    collections: list[str]


class MetadataPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=300)] | None = None
    description: Annotated[str, Field(max_length=4000)] | None = None
    tags: Annotated[list[Annotated[str, Field(min_length=1, max_length=40)]], Field(max_length=50)] | None = (
        None
    )
    people: (
        Annotated[list[Annotated[str, Field(min_length=1, max_length=80)]], Field(max_length=50)] | None
    ) = None
    location: Annotated[str, Field(max_length=200)] | None = None
    language: Annotated[str, Field(max_length=20)] | None = None
    rights_holder: Annotated[str, Field(max_length=200)] | None = None
    collections: (
        Annotated[list[Annotated[str, Field(min_length=1, max_length=80)]], Field(max_length=20)] | None
    ) = None


class IngestedOut(BaseModel):
    asset: AssetOut
    duplicate: bool


@router.get("/assets", response_model=PageOut[AssetOut], summary="Assets you may see")
def list_assets(
    db: Db,
    principal: ApiPrincipal,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 24,
    sort: Annotated[str | None, Query(pattern=r"^-?(created_at|title|duration|size)$")] = "-created_at",
    kind: Annotated[str | None, Query(pattern=r"^(video|audio)$")] = None,
    resolution: Annotated[str | None, Query(pattern=r"^(SD|HD|FHD|4K|8K)$")] = None,
    q: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00-\x1f]*$")] = None,
) -> PageOut[AssetOut]:
    found = service.list_assets(
        db, principal, PageRequest.parse(page, per_page, sort), kind=kind, resolution=resolution, search=q
    )
    return page_out(found, AssetOut)


@router.get("/assets/{asset_id}", response_model=AssetDetailOut, responses={404: {"model": ErrorOut}})
def get_asset(asset_id: RowId, db: Db, principal: ApiPrincipal) -> AssetDetailOut:
    return AssetDetailOut.model_validate(service.get_asset(db, principal, asset_id))


@router.post(
    "/assets",
    response_model=IngestedOut,
    status_code=202,
    summary="Upload a file (streamed to disk, size limit from config); it is analysed by a job",
)
async def upload(db: Db, principal: ApiPrincipal, file: Annotated[UploadFile, File()]) -> IngestedOut:
    path = await save_upload(
        file, get_settings().var_dir / "uploads", max_bytes=get_settings().upload_max_mb << 20
    )
    asset, duplicate = service.ingest(db, principal, path, file_name=safe_name(file.filename), move=True)
    return IngestedOut(asset=AssetOut.model_validate(asset), duplicate=duplicate)


@router.patch("/assets/{asset_id}", response_model=AssetDetailOut, responses={404: {"model": ErrorOut}})
def update_metadata(asset_id: RowId, data: MetadataPatch, db: Db, principal: ApiPrincipal) -> AssetDetailOut:
    changed = service.update_metadata(db, principal, asset_id, data.model_dump(exclude_unset=True))
    return AssetDetailOut.model_validate(changed)
