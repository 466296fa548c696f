"""REST routes of the media library."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Response, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field

from avbase.kit.pagination import MAX_PER_PAGE, PageRequest
from avbase.media import service, uploads
from avbase.media.documents import DOCUMENT_MAX_BYTES
from avbase.media.models import Asset, AssetState, TextSource, Upload
from avbase.media.subtitles import SUBTITLE_MAX_BYTES
from avbase.settings import get_settings
from avbase.web.deps import ApiPrincipal, Db
from avbase.web.limits import upload_body
from avbase.web.schemas import ErrorOut, PageOut, RowId, page_out
from avbase.web.uploads import RawBody, with_upload

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
    derived: dict[str, Any] | None
    description: str | None
    tags: list[str]
    people: list[str]
    location: str | None
    language: str | None
    rights_holder: str | None
    collections: list[str]


class TextSegmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    source: TextSource
    track: str
    start: float
    end: float
    text: str
    box: list[float] | None
    confidence: float | None


class SubtitlesOut(BaseModel):
    track: str
    cues: int
    encoding: str  # as detected: utf-8, utf-16-le/be, utf-32-le/be, gb18030 or big5
    language: str | None


class UploadStart(BaseModel):
    model_config = ConfigDict(extra="forbid")

    file_name: Annotated[str, Field(min_length=1, max_length=300, pattern=r"^[^\x00-\x1f]*$")]
    size: Annotated[int, Field(ge=1, le=2**53)]


class UploadOut(BaseModel):
    id: str
    file_name: str
    size: int
    offset: int  # bytes received: send the next chunk from here
    chunk_size: int  # what the server suggests per request
    asset: AssetOut | None = None  # when the last chunk is in
    duplicate: bool | None = None


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
    hdr: Annotated[str | None, Query(max_length=20, pattern=r"^[^\x00-\x1f]*$")] = None,
    duration: Annotated[str | None, Query(pattern=r"^(short|medium|long)$")] = None,
    added_from: date | None = None,
    org_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    collection: Annotated[str | None, Query(max_length=80, pattern=r"^[^\x00-\x1f]*$")] = None,
) -> PageOut[AssetOut]:
    filters = service.AssetFilters(kind, resolution, hdr, q, duration, added_from, org_id, collection)
    found = service.list_assets(db, principal, PageRequest.parse(page, per_page, sort), filters)
    return page_out(found, AssetOut)


@router.get("/assets/{asset_id}", response_model=AssetDetailOut, responses={404: {"model": ErrorOut}})
def get_asset(asset_id: RowId, db: Db, principal: ApiPrincipal) -> AssetDetailOut:
    return AssetDetailOut.model_validate(service.get_asset(db, principal, asset_id))


@router.post(
    "/assets",
    response_model=IngestedOut,
    status_code=202,
    summary="Upload a file (streamed to disk, size limit from config); it is analysed by a job",
    max_body_size=upload_body(get_settings().upload_max_mb << 20),
)
def upload(db: Db, principal: ApiPrincipal, file: Annotated[UploadFile, File()]) -> IngestedOut:
    def keep(path: Path, name: str) -> IngestedOut:
        asset, duplicate = service.ingest(db, principal, path, file_name=name, move=True)
        return IngestedOut(asset=AssetOut.model_validate(asset), duplicate=duplicate)

    return with_upload(file, get_settings().upload_max_mb << 20, keep)


@router.patch("/assets/{asset_id}", response_model=AssetDetailOut, responses={404: {"model": ErrorOut}})
def update_metadata(asset_id: RowId, data: MetadataPatch, db: Db, principal: ApiPrincipal) -> AssetDetailOut:
    changed = service.update_metadata(db, principal, asset_id, data.model_dump(exclude_unset=True))
    return AssetDetailOut.model_validate(changed)


@router.delete(
    "/assets/{asset_id}",
    status_code=204,
    responses={404: {"model": ErrorOut}},
    summary="Delete an asset, its text tracks and search entries (and the file, if no one else has it)",
)
def delete_asset(asset_id: RowId, db: Db, principal: ApiPrincipal) -> Response:
    service.delete_asset(db, principal, asset_id)
    return Response(status_code=204)


@router.post(
    "/assets/{asset_id}/analyse",
    response_model=AssetOut,
    status_code=202,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
    summary="Analyse an asset again (after a failed or cancelled analysis, or a change of settings)",
)
def analyse_again(asset_id: RowId, db: Db, principal: ApiPrincipal) -> AssetOut:
    return AssetOut.model_validate(service.analyse_again(db, principal, asset_id))


@router.get(
    "/assets/{asset_id}/text",
    response_model=list[TextSegmentOut],
    responses={404: {"model": ErrorOut}},
    summary="Time-coded text: on-screen captions (OCR), subtitles and transcripts",
)
def text_segments(
    asset_id: RowId, db: Db, principal: ApiPrincipal, source: TextSource | None = None
) -> list[TextSegmentOut]:
    asset = service.get_asset(db, principal, asset_id)
    return [TextSegmentOut.model_validate(row) for row in service.text_segments(db, asset, source)]


@router.post(
    "/assets/{asset_id}/subtitles",
    response_model=SubtitlesOut,
    responses={404: {"model": ErrorOut}},
    summary="Import an SRT, ASS/SSA or WebVTT file (UTF-8/16, GB18030/GBK or Big5) as a subtitle track "
    "(same file name and language: replaced)",
    max_body_size=upload_body(SUBTITLE_MAX_BYTES),
)
def import_subtitles(
    asset_id: RowId,
    db: Db,
    principal: ApiPrincipal,
    file: Annotated[UploadFile, File()],
    language: Annotated[str | None, Form(max_length=20, description="zh, en, zh-Hant…")] = None,
) -> SubtitlesOut:
    def read(path: Path, track: str) -> SubtitlesOut:
        done = service.import_subtitles(db, principal, asset_id, path, track, language=language)
        return SubtitlesOut(track=done.track, cues=done.cues, encoding=done.encoding, language=done.language)

    return with_upload(file, SUBTITLE_MAX_BYTES, read)


class DocumentOut(BaseModel):
    document: str
    paragraphs: int


@router.post(
    "/assets/{asset_id}/documents",
    response_model=DocumentOut,
    responses={404: {"model": ErrorOut}},
    summary="Attach a script or document (text, .docx or PDF), searchable by paragraph; same name: replaced",
    max_body_size=upload_body(DOCUMENT_MAX_BYTES),
)
def attach_document(
    asset_id: RowId, db: Db, principal: ApiPrincipal, file: Annotated[UploadFile, File()]
) -> DocumentOut:
    def read(path: Path, name: str) -> DocumentOut:
        return DocumentOut(
            document=name, paragraphs=service.attach_document(db, principal, asset_id, path, name)
        )

    return with_upload(file, DOCUMENT_MAX_BYTES, read)


@router.get(
    "/assets/{asset_id}/files/{name:path}",
    responses={404: {"model": ErrorOut}, 200: {"content": {"video/mp4": {}, "image/jpeg": {}}}},
    response_class=FileResponse,
    summary="A file made from the asset: proxy.mp4, contact.jpg, waveform.png, thumbs/NNNNNNNNN.jpg",
)
def derived_file(asset_id: RowId, name: str, db: Db, principal: ApiPrincipal) -> FileResponse:
    return FileResponse(service.derived_file(db, principal, asset_id, name))


UploadId = Annotated[str, PathParam(pattern=r"^[0-9a-f]{32}$")]


def _upload_out(upload: Upload, offset: int, ingested: tuple[Asset, bool] | None = None) -> UploadOut:
    return UploadOut(
        id=upload.id,
        file_name=upload.file_name,
        size=upload.size,
        offset=offset,
        chunk_size=uploads.CHUNK_SIZE,
        asset=AssetOut.model_validate(ingested[0]) if ingested else None,
        duplicate=ingested[1] if ingested else None,
    )


@router.post("/uploads", response_model=UploadOut, status_code=201, summary="Start a resumable upload")
def start_upload(data: UploadStart, db: Db, principal: ApiPrincipal) -> UploadOut:
    return _upload_out(uploads.start(db, principal, data.file_name, data.size), 0)


@router.get("/uploads/{upload_id}", response_model=UploadOut, responses={404: {"model": ErrorOut}},
            summary="Where an upload stands: resume from its offset")  # fmt: skip
def upload_state(upload_id: UploadId, db: Db, principal: ApiPrincipal) -> UploadOut:
    upload = uploads.get(db, principal, upload_id)
    return _upload_out(upload, uploads.offset_of(upload))


@router.put(
    "/uploads/{upload_id}",
    response_model=UploadOut,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
    summary="Send the next chunk (raw bytes in the body) at ?offset=; the last one makes the asset",
    openapi_extra={
        "requestBody": {
            "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}
        }
    },
    max_body_size=upload_body(uploads.MAX_CHUNK),
)
def upload_chunk(
    upload_id: UploadId,
    body: RawBody,
    db: Db,
    principal: ApiPrincipal,
    offset: Annotated[int, Query(ge=0, le=2**53)],
) -> UploadOut:
    upload, reached, ingested = uploads.append(db, principal, upload_id, offset, body)
    return _upload_out(upload, reached, ingested)


@router.delete("/uploads/{upload_id}", status_code=204, responses={404: {"model": ErrorOut}},
               summary="Abandon an upload and free its space")  # fmt: skip
def cancel_upload(upload_id: UploadId, db: Db, principal: ApiPrincipal) -> Response:
    uploads.cancel(db, principal, upload_id)
    return Response(status_code=204)
