"""Web pages of the review assistant: the review queue, the QC report under an asset's player (through
media's panel hook), delivery profiles and term packs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation
from avbase.core.accounts.principal import Principal
from avbase.core.errors import AvbaseError
from avbase.core.i18n import _
from avbase.media.models import Asset
from avbase.media.pages import ASSET_PANELS
from avbase.review import service, units
from avbase.review.api import PACK_MAX_BYTES
from avbase.review.profiles import BUILTIN, KINDS, SOURCES
from avbase.web.deps import Db, PagePrincipal
from avbase.web.forms import FormFields
from avbase.web.limits import upload_body
from avbase.web.schemas import RowId
from avbase.web.templating import add_template_dir, environment, render
from avbase.web.uploads import with_upload

router = APIRouter(prefix="/review")
add_template_dir(Path(__file__).resolve().parent / "templates")
environment.filters["measured"] = units.measured
environment.filters["with_unit"] = units.with_unit


def _timeline(findings: list[Any], duration: float | None) -> list[dict[str, Any]]:
    """Each finding as a mark on a bar as long as the programme: left and width in percent, technical
    findings on the upper lane, term hits on the lower one. The integrated loudness is the programme's as a
    whole: it is in the report's heading, not on the bar."""
    length = duration or max((f.end for f in findings), default=0.0) or 1.0
    marks = []
    for finding in findings:
        if finding.kind == "loudness":
            continue
        left = max(0.0, min(100.0, finding.start / length * 100))
        width = max(0.6, min(100.0 - left, (finding.end - finding.start) / length * 100))
        lane = "terms" if finding.kind == "term" else "qc"
        marks.append({"f": finding, "left": round(left, 3), "width": round(width, 3), "lane": lane})
    return marks


def asset_panel(db: Session, principal: Principal, asset: Asset) -> tuple[str, dict[str, Any]] | None:
    if asset.kind not in ("video", "audio"):
        return None
    reports = []
    for report in service.reports_of(db, principal, asset.id):
        findings = service.findings_of(db, report)
        reports.append({"r": report, "findings": findings, "marks": _timeline(findings, report.duration)})
    usable = service.profiles(db, principal)
    panel = {
        "reports": reports,
        "profiles": usable,
        "names": {profile.key: profile.name for profile in usable},
        "may_decide": principal.role in service.REVIEWERS,
        "may_check": principal.owns(asset.org_id) or principal.role in service.REVIEWERS,
    }
    return "review/_asset_panel.html", panel


ASSET_PANELS.append(asset_panel)


@router.get("")
def queue(request: Request, db: Db, principal: PagePrincipal) -> Response:
    names = {profile.key: profile.name for profile in service.profiles(db, principal)}
    return render(request, "review/queue.html", {"rows": service.review_queue(db, principal), "names": names})


@router.post("/assets/{asset_id}/check")
def check(db: Db, principal: PagePrincipal, asset_id: RowId, form: FormFields) -> Response:
    service.request_check(db, principal, asset_id, form.get("profile", service.DEFAULT_PROFILE))
    return RedirectResponse(f"/media/{asset_id}#qc", status_code=303)


@router.post("/findings/{finding_id}/decision")
def decide(db: Db, principal: PagePrincipal, finding_id: RowId, form: FormFields) -> Response:
    finding = service.decide(db, principal, finding_id, form.get("status", ""), form.get("note", ""))
    return RedirectResponse(f"/media/{finding.asset_id}#finding-{finding.id}", status_code=303)


@router.get("/profiles")
def profiles(request: Request, db: Db, principal: PagePrincipal) -> Response:
    return _profiles_page(request, db, principal)


def _profiles_page(
    request: Request,
    db: Session,
    principal: Principal,
    errors: dict[str, str] | None = None,
    text: str = "",
    scope: str = "",
) -> Response:
    rows = service.profile_rows(db, principal)
    scopes = [scope for scope in service.PROFILE_SCOPES if service.may_save_profiles(principal, scope)]
    deletable = [profile.key for profile, org in rows
                 if profile.key not in BUILTIN and service.may_delete_profile(principal, org)]  # fmt: skip
    held = {org for _profile, org in rows if org}
    names = select(Organisation.id, Organisation.name).where(Organisation.id.in_(held))
    owners = dict(db.execute(names).all())
    return render(
        request,
        "review/profiles.html",
        {
            "rows": rows,
            "owners": owners,
            "builtin": BUILTIN,
            "scopes": scopes,
            "scope": scope or service.default_scope(principal),
            "may_edit": bool(scopes),
            "deletable": deletable,
            "use": service.profile_use(db, deletable) if deletable else {},
            "kinds": KINDS,
            "sources": SOURCES,
            "errors": errors or {},
            "text": text,
        },
        status_code=422 if errors else 200,
    )


@router.post("/profiles")
def save_profile(request: Request, db: Db, principal: PagePrincipal, form: FormFields) -> Response:
    text, scope = form.get("params", ""), form.get("scope", "")
    try:
        params = json.loads(text)
        if not isinstance(params, dict):
            raise ValueError("a JSON object is expected")
    except ValueError as exc:
        return _profiles_page(request, db, principal, {"params": str(exc)}, text, scope)
    try:
        service.save_profile(db, principal, params, scope=scope or None)
    except AvbaseError as exc:
        if exc.status_code == 403:
            raise
        return _profiles_page(request, db, principal, {"params": _(exc.message, **exc.params)}, text, scope)
    return RedirectResponse("/review/profiles", status_code=303)


@router.post("/profiles/{key:path}/delete")
def delete_profile(db: Db, principal: PagePrincipal, key: str, form: FormFields) -> Response:
    service.delete_profile(db, principal, key)
    return RedirectResponse("/review/profiles", status_code=303)


@router.get("/packs")
def packs(request: Request, db: Db, principal: PagePrincipal) -> Response:
    return render(
        request,
        "review/packs.html",
        {"packs": service.packs(db), "may_load": principal.role in service.REVIEWERS, "errors": {}},
    )


@router.get("/packs/{pack_id}")
def pack(request: Request, db: Db, principal: PagePrincipal, pack_id: RowId) -> Response:
    found = service.get_pack(db, pack_id)
    return render(
        request, "review/pack.html", {"pack": found, "versions": service.pack_versions(db, found.id)}
    )


@router.post("/packs", max_body_size=upload_body(2 * PACK_MAX_BYTES))
def load_pack(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    name: str = Form(""),
    file: UploadFile = File(...),
    whitelist: UploadFile | None = File(None),
) -> Response:
    phrases = None
    if whitelist is not None and whitelist.filename:
        phrases = with_upload(whitelist, PACK_MAX_BYTES, lambda path, _name: path.read_bytes())

    def load(path: Path, file_name: str) -> Response:
        try:
            version = service.load_pack(db, principal, name=name, data=path.read_bytes(), file_name=file_name,
                                        whitelist=phrases)  # fmt: skip
        except AvbaseError as exc:
            if exc.status_code == 403:
                raise
            errors = {exc.field or "file": _(exc.message, **exc.params)}
            return render(request, "review/packs.html",
                          {"packs": service.packs(db), "may_load": True, "errors": errors, "name": name},
                          status_code=422)  # fmt: skip
        return RedirectResponse(f"/review/packs/{version.pack_id}", status_code=303)

    return with_upload(file, PACK_MAX_BYTES, load)


from avbase.review import joint_pages  # noqa: E402  (joint review: /review/works…)

router.include_router(joint_pages.router)
