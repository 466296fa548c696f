"""Web pages of the rights module: works and their registration, certificates (JSON and PDF), suspected
copies with a side-by-side player and an evidence report, and the licence marketplace."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import select

from avbase.core import storage
from avbase.core.accounts.models import Organisation
from avbase.core.accounts.principal import Principal
from avbase.core.errors import AvbaseError, NotFound
from avbase.media.models import Asset
from avbase.media.steps import PROXY
from avbase.rights import certificates, evidence, marketplace, works
from avbase.rights.models import (
    DepositCertificate,
    Licence,
    Listing,
    MatchState,
    MediaRight,
    SuspectedCopy,
    Work,
    WorkType,
)
from avbase.settings import get_settings
from avbase.web.deps import Db, PagePrincipal
from avbase.web.forms import FormFields
from avbase.web.limits import upload_body
from avbase.web.pdf import data_uri, pdf_response, render_pdf
from avbase.web.schemas import RowId
from avbase.web.templating import add_template_dir, render
from avbase.web.uploads import with_upload

router = APIRouter(prefix="/rights")
add_template_dir(Path(__file__).resolve().parent / "templates")


@router.get("")
def works_page(request: Request, db: Db, principal: PagePrincipal) -> Response:
    rows = [works.work_json(db, work) for work in works.list_works(db, principal)]
    return render(request, "rights/works.html", {"works": rows, "types": list(WorkType)})


@router.post("/works", max_body_size=upload_body(get_settings().upload_max_mb << 20))
def register_page(
    db: Db,
    principal: PagePrincipal,
    title: str = Form(""),
    work_type: str = Form("film"),
    holders: str = Form(""),
    registration_number: str = Form(""),
    file: UploadFile = File(...),
) -> Response:
    """Register a work from one uploaded file (more files: the API or the CLI)."""
    try:
        kind = WorkType(work_type)
    except ValueError as exc:
        raise AvbaseError("Unknown work type {type}.", field="type", type=work_type[:30]) from exc
    shares = [works.HolderShare.parse(line) for line in holders.splitlines() if line.strip()]
    data = works.WorkIn(
        title=title[:300],
        work_type=kind,
        holders=shares,
        registration_number=registration_number.strip()[:60] or None,
    )

    def keep(path: Path, name: str) -> int:
        renamed = path.with_name(Path(name).name or path.name)
        path.replace(renamed)
        work, _certificate = works.register(db, principal, data, [renamed])
        renamed.unlink(missing_ok=True)
        return work.id

    work_id = with_upload(file, get_settings().upload_max_mb << 20, keep)
    return RedirectResponse(f"/rights/works/{work_id}", status_code=303)


@router.get("/works/{work_id}")
def work_page(request: Request, db: Db, principal: PagePrincipal, work_id: RowId) -> Response:
    work = works.get_work(db, principal, work_id)
    shown = works.work_json(db, work)
    owner = principal.owns(work.org_id)
    copies = (
        list(
            db.scalars(
                select(SuspectedCopy).where(SuspectedCopy.work_id == work.id).order_by(SuspectedCopy.id)
            )
        )
        if owner or principal.is_admin
        else []
    )
    listings = list(db.scalars(select(Listing).where(Listing.work_id == work.id).order_by(Listing.id)))
    licences = list(db.scalars(select(Licence).where(Licence.work_id == work.id).order_by(Licence.id)))
    return render(
        request,
        "rights/work.html",
        {
            "w": shown,
            "work": work,
            "owner": owner,
            "copies": copies,
            "listings": listings,
            "licences": licences,
            "rights": list(MediaRight),
        },
    )


def _certificate(db: Db, principal: Principal, number: str) -> DepositCertificate:
    row: DepositCertificate = certificates.get_by_number(db, number[:40])
    org = db.get(Organisation, row.org_id)
    if org is None or not principal.can_read(org):
        raise NotFound("No certificate has the number {number}.", field="number", number=number[:40])
    return row


@router.get("/certificates/{number}.json")
def certificate_json(db: Db, principal: PagePrincipal, number: str) -> Response:
    row = _certificate(db, principal, number)
    return Response(
        row.document,
        media_type="application/json",
        headers={"Content-Disposition": f'attachment; filename="{row.number}.cert.json"'},
    )


@router.get("/certificates/{number}.pdf")
def certificate_pdf(db: Db, principal: PagePrincipal, number: str) -> Response:
    row = _certificate(db, principal, number)
    document = json.loads(row.document)
    key = certificates.platform_key()
    pdf = render_pdf(
        "rights/certificate_pdf.html",
        {
            "title": f"存证证书 {row.number}",
            "c": document["certificate"],
            "signature": document["signature"],
            "public_key": certificates.public_key_pem(key),
        },
    )
    return pdf_response(pdf, f"{row.number}.pdf")


# --- suspected copies ----------------------------------------------------------------------------------


def _copy(db: Db, principal: Principal, copy_id: int) -> SuspectedCopy:
    """A suspected copy, for the work's holder (and the administrator) only."""
    copy = db.get(SuspectedCopy, copy_id)
    if copy is None or not (principal.is_admin or principal.org_id == copy.work_org_id):
        raise NotFound("Suspected copy not found.", field="match")
    return copy


@router.get("/matches")
def matches_page(request: Request, db: Db, principal: PagePrincipal) -> Response:
    stmt = (
        select(SuspectedCopy, Work.title, Organisation.name, Asset.title)
        .join(Work, Work.id == SuspectedCopy.work_id)
        .join(Organisation, Organisation.id == SuspectedCopy.org_id)
        .join(Asset, Asset.id == SuspectedCopy.asset_id)
        .order_by(SuspectedCopy.id.desc())
        .limit(200)
    )
    if not principal.is_admin:
        stmt = stmt.where(SuspectedCopy.work_org_id == principal.org_id)
    return render(request, "rights/matches.html", {"rows": db.execute(stmt).all()})


@router.get("/matches/{copy_id}")
def match_page(request: Request, db: Db, principal: PagePrincipal, copy_id: RowId) -> Response:
    copy = _copy(db, principal, copy_id)
    work = db.get(Work, copy.work_id)
    suspect = db.get(Asset, copy.asset_id)
    reference = db.get(Asset, copy.reference_asset_id)
    org = db.get(Organisation, copy.org_id)
    return render(
        request,
        "rights/match.html",
        {"m": copy, "work": work, "suspect": suspect, "reference": reference, "org": org},
    )


@router.post("/matches/{copy_id}/state")
def match_state(db: Db, principal: PagePrincipal, copy_id: RowId, form: FormFields) -> Response:
    copy = _copy(db, principal, copy_id)
    try:
        copy.state = MatchState(form.get("state", ""))
    except ValueError as exc:
        raise AvbaseError("Choose confirmed or dismissed.", field="state") from exc
    return RedirectResponse(f"/rights/matches/{copy.id}", status_code=303)


@router.get("/matches/{copy_id}/{side}.mp4")
def match_media(db: Db, principal: PagePrincipal, copy_id: RowId, side: str) -> Response:
    """The web proxy of the work's file or of the suspected copy, for the side-by-side player."""
    copy = _copy(db, principal, copy_id)
    asset_id = {"reference": copy.reference_asset_id, "suspect": copy.asset_id}.get(side)
    asset = db.get(Asset, asset_id) if asset_id else None
    if asset is None:
        raise NotFound("Suspected copy not found.", field="side")
    proxy = storage.derived_dir(asset.sha256) / PROXY
    if not proxy.exists():
        raise NotFound("The player appears when the web proxy is made.", field="side")
    return FileResponse(proxy, media_type="video/mp4")


@router.get("/matches/{copy_id}/evidence.pdf")
def evidence_pdf(db: Db, principal: PagePrincipal, copy_id: RowId) -> Response:
    copy = _copy(db, principal, copy_id)
    work = db.get(Work, copy.work_id)
    suspect = db.get(Asset, copy.asset_id)
    reference = db.get(Asset, copy.reference_asset_id)
    org = db.get(Organisation, copy.org_id)
    assert work is not None and suspect is not None and reference is not None
    pairs = []
    speed = (copy.reference_end - copy.reference_start) / max(copy.query_end - copy.query_start, 1e-6)
    for moment in evidence.moments(copy.query_start, copy.query_end):
        at_reference = copy.reference_start + (moment - copy.query_start) * speed
        left = evidence.frame_at(storage.path_of(reference.sha256), at_reference)
        right = evidence.frame_at(storage.path_of(suspect.sha256), moment)
        pairs.append(
            {
                "reference_at": at_reference,
                "query_at": moment,
                "reference": data_uri(left) if left else None,
                "query": data_uri(right) if right else None,
            }
        )
    certificate = db.get(DepositCertificate, work.certificate_id) if work.certificate_id else None
    pdf = render_pdf(
        "rights/evidence_pdf.html",
        {
            "title": f"取证报告 · {work.title}",
            "m": copy,
            "work": work,
            "suspect": suspect,
            "reference": reference,
            "org": org,
            "pairs": pairs,
            "certificate": json.loads(certificate.document) if certificate else None,
        },
    )
    return pdf_response(pdf, f"evidence-{copy.id}.pdf")


# --- the marketplace -----------------------------------------------------------------------------------


@router.get("/market")
def market_page(request: Request, db: Db, principal: PagePrincipal) -> Response:
    listings = marketplace.open_listings(db)
    offers = marketplace.offers_for(db, principal)
    listing_of = {listing.id: listing for listing, _title in listings}
    for offer in offers:
        if offer.listing_id not in listing_of:
            found = db.get(Listing, offer.listing_id)
            if found is not None:
                listing_of[found.id] = found
    titles = dict(db.execute(select(Work.id, Work.title)).all())
    orgs = dict(db.execute(select(Organisation.id, Organisation.name)).all())
    return render(
        request,
        "rights/market.html",
        {
            "listings": listings,
            "offers": offers,
            "listing_of": listing_of,
            "titles": titles,
            "orgs": orgs,
            "licences": marketplace.licences_of(db, principal),
        },
    )


def _date(text: str, field: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise AvbaseError("Write the date as YYYY-MM-DD.", field=field) from exc


def _money(text: str, field: str) -> Decimal | None:
    if not text.strip():
        return None
    try:
        return Decimal(text.strip().replace(",", "")).quantize(Decimal("0.01"))
    except InvalidOperation as exc:
        raise AvbaseError("The price is not a number.", field=field) from exc


@router.post("/works/{work_id}/listings")
def create_listing(db: Db, principal: PagePrincipal, work_id: RowId, form: FormFields) -> Response:
    try:
        right = MediaRight(form.get("media_right", ""))
    except ValueError as exc:
        raise AvbaseError("Choose a medium.", field="media_right") from exc
    marketplace.create_listing(
        db,
        principal,
        marketplace.ListingIn(
            work_id=work_id,
            media_right=right,
            territory=form.get("territory", "")[:60],
            starts_on=_date(form.get("starts_on", ""), "starts_on"),
            ends_on=_date(form.get("ends_on", ""), "ends_on"),
            exclusive=form.get("exclusive") == "on",
            price=_money(form.get("price", ""), "price"),
        ),
    )
    return RedirectResponse(f"/rights/works/{work_id}", status_code=303)


@router.post("/listings/{listing_id}/offers")
def make_offer(db: Db, principal: PagePrincipal, listing_id: RowId, form: FormFields) -> Response:
    price = _money(form.get("price", ""), "price")
    if price is None:
        raise AvbaseError("Give a price.", field="price")
    marketplace.make_offer(
        db,
        principal,
        marketplace.OfferIn(
            listing_id=listing_id, price=price, message=form.get("message", "")[:2000] or None
        ),
    )
    return RedirectResponse("/rights/market", status_code=303)


@router.post("/offers/{offer_id}/{decision}")
def decide_offer(db: Db, principal: PagePrincipal, offer_id: RowId, decision: str) -> Response:
    if decision == "accept":
        marketplace.accept_offer(db, principal, offer_id)
    elif decision == "reject":
        marketplace.reject_offer(db, principal, offer_id)
    else:
        raise NotFound("Offer not found.", field="offer")
    return RedirectResponse("/rights/market", status_code=303)
