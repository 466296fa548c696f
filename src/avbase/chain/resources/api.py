"""REST routes of the production resources database: search, resources, calendars, bookings, quotes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from avbase.chain.resources import service
from avbase.chain.resources.models import BookingStatus, ResourceKind
from avbase.chain.resources.schemas import (
    BookingIn,
    BookingOut,
    QuoteAnswerIn,
    QuoteOut,
    QuoteRequestIn,
    QuoteRequestOut,
    ResourceIn,
    ResourceOut,
)
from avbase.web.deps import ApiPrincipal, Db
from avbase.web.schemas import ErrorOut, RowId

router = APIRouter(
    prefix="/resources",
    tags=["production resources"],
    responses={401: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)


class SearchOut(BaseModel):
    resources: list[ResourceOut]
    more: bool


class BookingStatusIn(BaseModel):
    status: BookingStatus


class QuoteRequestCreated(BaseModel):
    request: QuoteRequestOut
    quotes: list[QuoteOut]


@router.get("", response_model=SearchOut, summary="Search resources (best rated first)")
def search(
    db: Db,
    _principal: ApiPrincipal,
    kind: ResourceKind | None = None,
    trade: Annotated[str | None, Query(max_length=40)] = None,
    region: Annotated[str | None, Query(pattern=r"^\d{2,6}$")] = None,
    available_from: date | None = None,
    available_to: date | None = None,
    max_rate: Annotated[Decimal | None, Query(ge=0, le=Decimal("1e9"))] = None,
    min_rating: Annotated[float | None, Query(ge=0, le=5)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
) -> Any:
    filters = service.SearchFilters(
        kind=kind, trade=trade, region=region, available_from=available_from, available_to=available_to,
        max_rate=max_rate, min_rating=min_rating, text=q,
    )  # fmt: skip
    found, more = service.search(db, filters, limit=limit, offset=offset)
    return {"resources": found, "more": more}


@router.post("", response_model=ResourceOut, status_code=201, responses={403: {"model": ErrorOut}})
def create(db: Db, principal: ApiPrincipal, data: ResourceIn) -> Any:
    return service.create_resource(db, principal, data)


@router.get("/{resource_id}", response_model=ResourceOut, responses={404: {"model": ErrorOut}})
def get(db: Db, _principal: ApiPrincipal, resource_id: RowId) -> Any:
    return service.get_resource(db, resource_id)


@router.put("/{resource_id}", response_model=ResourceOut, responses={403: {"model": ErrorOut}})
def update(db: Db, principal: ApiPrincipal, resource_id: RowId, data: ResourceIn) -> Any:
    return service.update_resource(db, principal, resource_id, data)


@router.get("/{resource_id}/calendar", summary="Taken days in a window (who booked: owner and booker only)")
def calendar(db: Db, principal: ApiPrincipal, resource_id: RowId, starts_on: date, ends_on: date) -> Any:
    return service.calendar(db, principal, resource_id, starts_on, ends_on)


@router.post(
    "/{resource_id}/bookings", response_model=BookingOut, status_code=201,
    responses={409: {"model": ErrorOut}, 403: {"model": ErrorOut}},
)  # fmt: skip
def book(db: Db, principal: ApiPrincipal, resource_id: RowId, data: BookingIn) -> Any:
    """Book days; 409 naming the booking in the way when a day is taken."""
    return service.book(db, principal, resource_id, data)


@router.patch("/bookings/{booking_id}", response_model=BookingOut, responses={403: {"model": ErrorOut}})
def set_booking(db: Db, principal: ApiPrincipal, booking_id: RowId, data: BookingStatusIn) -> Any:
    return service.set_booking_status(db, principal, booking_id, data.status)


@router.post("/quote-requests", response_model=QuoteRequestCreated, status_code=201)
def request_quotes(db: Db, principal: ApiPrincipal, data: QuoteRequestIn) -> Any:
    """A request for quotes, sent to the matching providers free on those days."""
    request, quotes = service.request_quotes(db, principal, data)
    return {"request": request, "quotes": quotes}


@router.get("/quote-requests/{request_id}/quotes", response_model=list[QuoteOut])
def quotes(db: Db, principal: ApiPrincipal, request_id: RowId) -> Any:
    return service.quotes_of(db, principal, request_id)


@router.post("/quotes/{quote_id}/answer", response_model=QuoteOut)
def answer(db: Db, principal: ApiPrincipal, quote_id: RowId, data: QuoteAnswerIn) -> Any:
    return service.answer_quote(db, principal, quote_id, data)


@router.post("/quotes/{quote_id}/accept", response_model=BookingOut, responses={409: {"model": ErrorOut}})
def accept(db: Db, principal: ApiPrincipal, quote_id: RowId) -> Any:
    return service.accept_quote(db, principal, quote_id)
