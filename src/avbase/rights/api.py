"""REST routes of the rights module under /api/v1/rights: works, certificates, matching, suspected copies and
the licence marketplace. Files reach the library through the media API; a work is registered over assets."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter
from fastapi import Path as PathParam
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from avbase.rights import certificates, marketplace, tracing, works
from avbase.rights.models import (
    DepositCertificate,
    Listing,
    MatchState,
    MediaRight,
    Offer,
    OfferState,
    SuspectedCopy,
    WorkType,
)
from avbase.web.deps import ApiPrincipal, Db
from avbase.web.schemas import ErrorOut, RowId

router = APIRouter(
    prefix="/rights", tags=["rights"], responses={401: {"model": ErrorOut}, 422: {"model": ErrorOut}}
)

Text = Annotated[str, Field(min_length=1, max_length=300, pattern=r"^[^\x00-\x1f]*$")]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]  # a row id: within the database's integer
NoNul = r"^[^\x00]*$"  # PostgreSQL text holds no NUL character


class HolderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text
    share: Annotated[Decimal, Field(gt=0, le=100, max_digits=7, decimal_places=4)]


class CreatorIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: Text
    role: Annotated[str, Field(max_length=60, pattern=NoNul)] = ""


class WorkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: Text
    type: WorkType = WorkType.film
    asset_ids: Annotated[list[Id], Field(min_length=1, max_length=200)]
    holders: Annotated[list[HolderIn], Field(max_length=50)] = []
    creators: Annotated[list[CreatorIn], Field(max_length=100)] = []
    registration_number: Annotated[str, Field(max_length=60, pattern=NoNul)] | None = None
    registered_on: date | None = None
    parent_id: Id | None = None
    episode_number: Annotated[int, Field(ge=0, le=100000)] | None = None


class MatchOut(BaseModel):
    work_id: int | None
    title: str | None
    reference_start: float | None
    reference_end: float | None
    query_start: float
    query_end: float
    score: float
    modality: str


class MatchesOut(BaseModel):
    matches: list[MatchOut]


class SuspectedCopyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    asset_id: int
    org_id: int
    work_id: int
    reference_start: float
    reference_end: float
    query_start: float
    query_end: float
    score: float
    modality: str
    state: MatchState
    found_at: datetime


class ListingCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    work_id: Id
    media_right: MediaRight
    territory: Annotated[str, Field(min_length=2, max_length=60, pattern=r"^[A-Za-z0-9-]+$")]
    starts_on: date
    ends_on: date
    exclusive: bool
    price: Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2)] | None = None
    note: Annotated[str, Field(max_length=2000, pattern=NoNul)] | None = None


class ListingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    work_id: int
    org_id: int
    media_right: MediaRight
    territory: str
    starts_on: date
    ends_on: date
    exclusive: bool
    price: Decimal | None
    open: bool


class OfferCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    price: Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2)]
    starts_on: date | None = None
    ends_on: date | None = None
    message: Annotated[str, Field(max_length=2000, pattern=NoNul)] | None = None


class OfferOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    listing_id: int
    buyer_org_id: int
    price: Decimal
    starts_on: date
    ends_on: date
    state: OfferState


class LicenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    work_id: int
    offer_id: int | None
    licensor_org_id: int
    licensee_org_id: int
    media_right: MediaRight
    territory: str
    starts_on: date
    ends_on: date
    exclusive: bool
    price: Decimal
    granted_at: datetime


@router.get("/works", summary="Registered works you may see")
def list_works(db: Db, principal: ApiPrincipal) -> list[dict[str, Any]]:
    return [works.work_json(db, work) for work in works.list_works(db, principal)]


@router.post("/works", status_code=201, summary="Register a work over assets of your library")
def register_work(db: Db, principal: ApiPrincipal, body: WorkCreate) -> dict[str, Any]:
    data = works.WorkIn(
        title=body.title,
        work_type=body.type,
        creators=[c.model_dump() for c in body.creators],
        holders=[works.HolderShare(h.name, h.share) for h in body.holders],
        registration_number=body.registration_number,
        registered_on=body.registered_on,
        parent_id=body.parent_id,
        episode_number=body.episode_number,
    )
    work = works.create_work(db, principal, data)
    works.attach_assets(db, principal, work, body.asset_ids)
    works.deposit(db, principal, work)
    return works.work_json(db, work)


@router.get("/works/{work_id}", summary="One work with its holders, certificate and chain of title")
def get_work(db: Db, principal: ApiPrincipal, work_id: RowId) -> dict[str, Any]:
    return works.work_json(db, works.get_work(db, principal, work_id))


@router.get("/certificates/{number}", summary="A deposit certificate (the signed JSON)")
def get_certificate(
    db: Db, principal: ApiPrincipal, number: Annotated[str, PathParam(max_length=40, pattern=r"^[A-Z0-9-]+$")]
) -> Any:
    row: DepositCertificate = certificates.get_by_number(db, number)
    from avbase.core.accounts.models import Organisation

    org = db.get(Organisation, row.org_id)
    if org is None or not principal.can_read(org):
        from avbase.core.errors import NotFound

        raise NotFound("No certificate has the number {number}.", field="number", number=number)
    return json.loads(row.document)


@router.get("/public-key", summary="The platform's public key, to verify certificates offline")
def public_key(principal: ApiPrincipal) -> dict[str, str]:
    key = certificates.platform_key()
    return {"key_id": certificates.key_id(key), "public_key": certificates.public_key_pem(key)}


@router.post("/match/{asset_id}", response_model=MatchesOut, summary="Registered works an asset copies")
def match_asset(db: Db, principal: ApiPrincipal, asset_id: RowId) -> MatchesOut:
    found = tracing.match_asset(db, principal, asset_id)
    return MatchesOut(
        matches=[
            MatchOut(**m.to_json(disclosed=tracing.may_see_work(principal, m.work_org_id))) for m in found
        ]
    )


@router.get("/matches", response_model=list[SuspectedCopyOut], summary="Suspected copies of your works")
def suspected_copies(db: Db, principal: ApiPrincipal) -> list[SuspectedCopy]:
    stmt = select(SuspectedCopy).order_by(SuspectedCopy.id.desc()).limit(500)
    if not principal.is_admin:
        stmt = stmt.where(SuspectedCopy.work_org_id == principal.org_id)
    return list(db.scalars(stmt))


@router.get("/listings", response_model=list[ListingOut], summary="Open listings of the marketplace")
def listings(db: Db, principal: ApiPrincipal) -> list[Listing]:
    return [listing for listing, _title in marketplace.open_listings(db)]


@router.post("/listings", response_model=ListingOut, status_code=201, summary="List a right for licence")
def create_listing(db: Db, principal: ApiPrincipal, body: ListingCreate) -> Listing:
    return marketplace.create_listing(db, principal, marketplace.ListingIn(**body.model_dump()))


@router.post(
    "/listings/{listing_id}/offers", response_model=OfferOut, status_code=201, summary="Make an offer"
)
def make_offer(db: Db, principal: ApiPrincipal, listing_id: RowId, body: OfferCreate) -> Offer:
    return marketplace.make_offer(
        db, principal, marketplace.OfferIn(listing_id=listing_id, **body.model_dump())
    )


@router.get("/offers", response_model=list[OfferOut], summary="Offers your organisation made or received")
def offers(db: Db, principal: ApiPrincipal) -> list[Offer]:
    return marketplace.offers_for(db, principal)


@router.post("/offers/{offer_id}/accept", response_model=LicenceOut, summary="Accept an offer: a licence")
def accept_offer(db: Db, principal: ApiPrincipal, offer_id: RowId) -> Any:
    return marketplace.accept_offer(db, principal, offer_id)


@router.post("/offers/{offer_id}/reject", response_model=OfferOut, summary="Reject an offer")
def reject_offer(db: Db, principal: ApiPrincipal, offer_id: RowId) -> Offer:
    return marketplace.reject_offer(db, principal, offer_id)


@router.get(
    "/licences", response_model=list[LicenceOut], summary="Licences your organisation granted or holds"
)
def licences(db: Db, principal: ApiPrincipal) -> list[Any]:
    return marketplace.licences_of(db, principal)
