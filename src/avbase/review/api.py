"""REST routes of the review assistant: profiles, term packs, QC checks, reports and decisions on findings."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from avbase.kit.pagination import MAX_ROW_ID
from avbase.review import service
from avbase.review.models import FindingStatus
from avbase.web.deps import ApiPrincipal, Db
from avbase.web.limits import upload_body
from avbase.web.schemas import ErrorOut, RowId
from avbase.web.uploads import with_upload

router = APIRouter(
    prefix="/review", tags=["review"], responses={401: {"model": ErrorOut}, 422: {"model": ErrorOut}}
)
PACK_MAX_BYTES = 20 << 20
ProfileScope = Literal["operator", "organisation"]


class FindingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    start: float
    end: float
    source: str
    track: str
    text: str
    term: str
    category: str
    value: float | None
    limit: float | None
    unit: str = Field(
        description="the unit of value and limit: LUFS, dBTP, s, samples, flashes/s; empty for a term"
    )
    severity: str
    detail: str
    status: FindingStatus
    note: str
    thumbnail: str | None  # under /media/{asset}/files/


class ReportOut(BaseModel):
    id: int
    asset: int
    profile: str
    profile_name: str = Field(description="the profile's name when checked; kept after it is deleted")
    verdict: str
    duration: float | None
    units: dict[str, str] = Field(description="the unit of start, end and duration (seconds)")
    loudness: dict[str, float] | None = Field(
        description="each key names its unit: _lufs, _lu, _dbtp, _dbfs, _s"
    )
    packs: list[str]
    created_at: datetime
    findings: list[FindingOut]


class CheckIn(BaseModel):
    asset_id: int = Field(gt=0, le=MAX_ROW_ID)
    profile: str = Field(default=service.DEFAULT_PROFILE, min_length=1, max_length=40)


class CheckOut(BaseModel):
    job_id: int


class DecisionIn(BaseModel):
    status: FindingStatus
    note: str = Field(default="", max_length=2000)


class PackOut(BaseModel):
    id: int
    name: str
    version: int
    terms: int
    whitelist: int
    active: bool
    sha256: str


def _pack_out(pack: Any, version: Any) -> PackOut:
    return PackOut(id=pack.id, name=pack.name, version=version.version, terms=version.term_count,
                   whitelist=len(version.whitelist), active=pack.active, sha256=version.sha256)  # fmt: skip


@router.get(
    "/profiles",
    summary="Delivery profiles you may use: built-in, the operator's and your organisation's (org_id)",
)
def list_profiles(db: Db, principal: ApiPrincipal) -> list[dict[str, Any]]:
    rows = service.profile_rows(db, principal)
    return [{**profile.to_json(), "org_id": org_id} for profile, org_id in rows]


@router.post(
    "/profiles",
    status_code=201,
    responses={403: {"model": ErrorOut}, 409: {"model": ErrorOut}},
    summary="Add or replace a profile (the fields of a built-in one, with another key): the operator's "
    "(administrators, authority officers) or your organisation's (scope=organisation, the default for "
    "its members)",
)
def save_profile(
    params: dict[str, Any], db: Db, principal: ApiPrincipal, scope: ProfileScope | None = None
) -> dict[str, Any]:
    profile = service.save_profile(db, principal, params, scope=scope)
    org_id = None if (scope or service.default_scope(principal)) == "operator" else principal.org_id
    return {**profile.to_json(), "org_id": org_id}


class ProfileDeletedOut(BaseModel):
    key: str
    name: str
    reports_kept: int = Field(description="QC reports checked against it: they stay, with its name")


@router.delete(
    "/profiles/{key:path}",
    response_model=ProfileDeletedOut,
    responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
    summary="Delete a stored profile (the operator's, or your organisation's); built-in ones cannot be "
    "deleted; the QC reports checked against it stay",
)
def delete_profile(key: str, db: Db, principal: ApiPrincipal) -> ProfileDeletedOut:
    profile, kept = service.delete_profile(db, principal, key)
    return ProfileDeletedOut(key=profile.key, name=profile.name, reports_kept=kept)


@router.get("/packs", response_model=list[PackOut], summary="Term packs with their current version")
def list_packs(db: Db, principal: ApiPrincipal) -> list[PackOut]:
    return [_pack_out(pack, version) for pack, version in service.packs(db)]


@router.post(
    "/packs",
    response_model=PackOut,
    status_code=201,
    responses={403: {"model": ErrorOut}},
    summary="Load a UTF-8 term file (one term a line, or term,category,severity) as a pack's next version",
    max_body_size=upload_body(2 * PACK_MAX_BYTES),
)
def load_pack(
    db: Db,
    principal: ApiPrincipal,
    name: Annotated[str, Form(max_length=100)],
    file: Annotated[UploadFile, File()],
    whitelist: Annotated[UploadFile | None, File()] = None,
) -> PackOut:
    phrases = (
        with_upload(whitelist, PACK_MAX_BYTES, lambda path, _name: path.read_bytes()) if whitelist else None
    )

    def load(path: Path, file_name: str) -> PackOut:
        version = service.load_pack(db, principal, name=name, data=path.read_bytes(), file_name=file_name,
                                    whitelist=phrases)  # fmt: skip
        pack = service.get_pack(db, version.pack_id)
        return _pack_out(pack, version)

    return with_upload(file, PACK_MAX_BYTES, load)


@router.post(
    "/checks",
    response_model=CheckOut,
    status_code=202,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
    summary="Check an asset against a delivery profile and the term packs (a job)",
)
def request_check(data: CheckIn, db: Db, principal: ApiPrincipal) -> CheckOut:
    job = service.request_check(db, principal, data.asset_id, data.profile)
    return CheckOut(job_id=job.id)


@router.get(
    "/assets/{asset_id}/reports",
    response_model=list[ReportOut],
    responses={404: {"model": ErrorOut}},
    summary="The newest QC report of each profile the asset was checked against",
)
def asset_reports(asset_id: RowId, db: Db, principal: ApiPrincipal) -> list[ReportOut]:
    return [
        ReportOut.model_validate(service.report_json(db, report))
        for report in service.reports_of(db, principal, asset_id)
    ]


@router.get("/reports/{report_id}", response_model=ReportOut, responses={404: {"model": ErrorOut}})
def get_report(report_id: RowId, db: Db, principal: ApiPrincipal) -> ReportOut:
    return ReportOut.model_validate(service.report_json(db, service.get_report(db, principal, report_id)))


@router.get("/queue", summary="The newest report of each asset you may see, failing ones first")
def queue(db: Db, principal: ApiPrincipal) -> list[dict[str, Any]]:
    return [
        {"report": report.id, "asset": asset.id, "title": asset.title, "profile": report.profile,
         "verdict": report.verdict, "open_findings": open_count, "created_at": report.created_at.isoformat()}
        for report, asset, open_count in service.review_queue(db, principal)
    ]  # fmt: skip


@router.post(
    "/findings/{finding_id}/decision",
    response_model=FindingOut,
    responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut}},
    summary="Mark a finding accepted or a false positive (or open again), with a note",
)
def decide(finding_id: RowId, data: DecisionIn, db: Db, principal: ApiPrincipal) -> FindingOut:
    return FindingOut.model_validate(
        service.finding_json(service.decide(db, principal, finding_id, data.status.value, data.note))
    )


from avbase.review import joint_api  # noqa: E402  (joint review: /review/works…)

router.include_router(joint_api.router)
