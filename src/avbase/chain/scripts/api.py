"""REST routes of the script exchange and the breakdown."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from avbase.chain.scripts import service
from avbase.chain.scripts.breakdown import breakdown_file
from avbase.chain.scripts.models import InterestKind, ReadStatus, Recommendation, WorkKind
from avbase.media.documents import DOCUMENT_MAX_BYTES
from avbase.web.deps import ApiPrincipal, Db
from avbase.web.limits import upload_body
from avbase.web.schemas import ErrorOut, RowId
from avbase.web.uploads import with_upload

router = APIRouter(
    prefix="/scripts",
    tags=["script exchange"],
    responses={401: {"model": ErrorOut}, 404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)


class ScriptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    author_name: str
    kind: WorkKind
    title: str
    genre: str | None
    logline: str | None
    synopsis: str | None
    file_name: str
    sha256: str
    size: int
    deposited_at: datetime
    certificate_number: str | None
    eighths: int | None


class CatalogueOut(BaseModel):
    script: ScriptOut
    coverage_count: int
    overall: float | None
    interest: int


class DepositOut(BaseModel):
    script: ScriptOut
    certificate: dict[str, Any] | None


class ReadRequestIn(BaseModel):
    message: Annotated[str, Field(max_length=500)] | None = None


class ReadRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    script_id: int
    reader_id: int
    status: ReadStatus
    message: str | None


class DecisionIn(BaseModel):
    admit: bool


class CoverageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scores: Annotated[dict[str, int], Field(max_length=10)]
    recommendation: Recommendation
    comments: Annotated[str, Field(max_length=5000)] | None = None


class CoverageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    expert_id: int
    scores: dict[str, Any]
    overall: float
    recommendation: Recommendation
    comments: str | None


class InterestIn(BaseModel):
    kind: InterestKind = InterestKind.interest
    note: Annotated[str, Field(max_length=500)] | None = None


class BriefIn(BaseModel):
    genres: Annotated[list[Annotated[str, Field(max_length=40)]], Field(min_length=1, max_length=20)]
    note: Annotated[str, Field(max_length=500)] | None = None


@router.post(
    "/breakdown",
    summary="Break a screenplay (text, .docx, PDF) down into scenes",
    max_body_size=upload_body(DOCUMENT_MAX_BYTES),
)
def breakdown(_principal: ApiPrincipal, file: UploadFile = File(...)) -> dict[str, object]:
    return with_upload(file, DOCUMENT_MAX_BYTES, lambda path, _name: breakdown_file(path).as_dict())


@router.get("", response_model=list[CatalogueOut])
def catalogue(
    db: Db, _principal: ApiPrincipal, kind: WorkKind | None = None, genre: str | None = None,
    q: str | None = None, order: str = "recent",
) -> Any:  # fmt: skip
    return service.catalogue(db, kind=kind, genre=genre, text=q, order=order)


@router.post("", response_model=DepositOut, status_code=201, max_body_size=upload_body(DOCUMENT_MAX_BYTES))
def deposit(
    db: Db, principal: ApiPrincipal, file: UploadFile = File(...), title: str = Form(..., max_length=200),
    genre: str = Form("", max_length=40), logline: str = Form("", max_length=300),
    synopsis: str = Form("", max_length=5000), kind: WorkKind = Form(WorkKind.script),
) -> Any:  # fmt: skip
    """Deposit a script: its SHA-256 and time, and the rights registry's certificate when it is installed."""
    script, certificate = with_upload(
        file, DOCUMENT_MAX_BYTES,
        lambda path, name: service.deposit(
            db, principal, path, title=title, file_name=name, kind=kind, genre=genre, logline=logline,
            synopsis=synopsis or None,
        ),
    )  # fmt: skip
    return {"script": script, "certificate": certificate}


@router.get("/{script_id}", response_model=ScriptOut)
def get(db: Db, principal: ApiPrincipal, script_id: RowId) -> Any:
    return service.visible_script(db, principal, script_id)


@router.post("/{script_id}/requests", response_model=ReadRequestOut, status_code=201)
def request_read(db: Db, principal: ApiPrincipal, script_id: RowId, data: ReadRequestIn) -> Any:
    return service.request_read(db, principal, script_id, data.message)


@router.get("/{script_id}/requests", response_model=list[ReadRequestOut])
def requests(db: Db, principal: ApiPrincipal, script_id: RowId) -> Any:
    return service.read_requests(db, principal, script_id)


@router.post("/requests/{request_id}/decision", response_model=ReadRequestOut)
def decide(db: Db, principal: ApiPrincipal, request_id: RowId, data: DecisionIn) -> Any:
    return service.decide_read(db, principal, request_id, data.admit)


@router.get("/{script_id}/text", summary="The full text for an admitted reader (audited)")
def text(db: Db, principal: ApiPrincipal, script_id: RowId) -> dict[str, object]:
    script, lines = service.full_text(db, principal, script_id)
    return {"id": script.id, "title": script.title, "watermark": service.watermark(principal), "lines": lines}


@router.get("/{script_id}/coverage")
def coverage(db: Db, principal: ApiPrincipal, script_id: RowId) -> dict[str, object]:
    rows, means = service.coverage_of(db, principal, script_id)
    return {"coverage": [CoverageOut.model_validate(r).model_dump(mode="json") for r in rows], "means": means}


@router.put("/{script_id}/coverage", response_model=CoverageOut)
def write_coverage(db: Db, principal: ApiPrincipal, script_id: RowId, data: CoverageIn) -> Any:
    return service.write_coverage(
        db,
        principal,
        script_id,
        scores=data.scores,
        recommendation=data.recommendation,
        comments=data.comments,
    )


@router.post("/{script_id}/interest", status_code=201)
def interest(db: Db, principal: ApiPrincipal, script_id: RowId, data: InterestIn) -> dict[str, int]:
    return {"id": service.mark_interest(db, principal, script_id, data.kind, data.note).id}


@router.get("/{script_id}/matches", summary="Producers matched to a work proposed for adaptation")
def matches(db: Db, principal: ApiPrincipal, script_id: RowId) -> list[dict[str, object]]:
    return service.adaptation_matches(db, principal, script_id)


@router.put("/briefs/mine", status_code=204, summary="What my company looks for (genres)")
def brief(db: Db, principal: ApiPrincipal, data: BriefIn) -> None:
    service.set_brief(db, principal, data.genres, data.note)
