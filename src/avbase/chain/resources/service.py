"""The production resources database: entering resources, searching them with an availability filter,
booking days without ever double-booking, and requests for quotes answered and accepted into a booking.

Every signed-in user may search the directory and see which days a resource is taken; who took them is shown
to the resource's owner and to the booker only. Resources are changed by their owning organisation.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, exists, or_, select, text
from sqlalchemy.orm import Session, aliased

from avbase.chain.resources.models import (
    TAKING,
    Booking,
    BookingStatus,
    ProductionResource,
    Quote,
    QuoteRequest,
    QuoteRequestStatus,
    QuoteStatus,
    ResourceKind,
)
from avbase.chain.resources.schemas import BookingIn, QuoteAnswerIn, QuoteRequestIn, ResourceIn
from avbase.core.accounts.models import Organisation
from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound

MAX_SEARCH_PAGE = 100


def _require_writer(principal: Principal) -> None:
    if principal.role in READ_ONLY_ROLES:
        raise Forbidden("Your role may read the directory but not change it.")


def get_resource(session: Session, resource_id: int) -> ProductionResource:
    resource = session.get(ProductionResource, resource_id)
    if resource is None or not resource.active:
        raise NotFound("No resource has the id {id}.", field="resource_id", id=resource_id)
    return resource


def create_resource(session: Session, principal: Principal, data: ResourceIn) -> ProductionResource:
    """A new resource of the principal's organisation (an administrator may name another one)."""
    _require_writer(principal)
    org_id = principal.org_id
    if data.org_id is not None and data.org_id != principal.org_id:
        if not principal.is_admin:
            raise Forbidden("You may only enter resources of your own organisation.")
        if session.get(Organisation, data.org_id) is None:
            raise NotFound("No organisation has the id {id}.", field="org_id", id=data.org_id)
        org_id = data.org_id
    if data.kind is ResourceKind.service and not data.trade:
        raise AvbaseError("A service company needs its trade.", field="trade")
    resource = ProductionResource(org_id=org_id, **data.model_dump(exclude={"org_id"}))
    session.add(resource)
    session.flush()
    return resource


def update_resource(
    session: Session, principal: Principal, resource_id: int, data: ResourceIn
) -> ProductionResource:
    resource = get_resource(session, resource_id)
    if not principal.owns(resource.org_id):
        raise Forbidden("Only the organisation that owns this resource may change it.")
    for key, value in data.model_dump(exclude={"org_id"}).items():
        setattr(resource, key, value)
    session.flush()
    return resource


@dataclass(frozen=True)
class SearchFilters:
    kind: ResourceKind | None = None
    trade: str | None = None
    region: str | None = (
        None  # a GB/T 2260 code or its prefix: 33 (Zhejiang), 3307 (Jinhua), 330783 (Dongyang)
    )
    available_from: date | None = None
    available_to: date | None = None
    max_rate: Decimal | None = None
    min_rating: float | None = None
    text: str | None = None

    def __post_init__(self) -> None:
        if (self.available_from is None) != (self.available_to is None):
            raise AvbaseError("Give both dates of the availability window.", field="available_to")
        if self.available_from and self.available_to and self.available_to < self.available_from:
            raise AvbaseError("The window ends before it starts.", field="available_to")
        if self.region is not None and not (self.region.isdigit() and 2 <= len(self.region) <= 6):
            raise AvbaseError("A region is a code of 2 to 6 digits.", field="region")


def search(
    session: Session, filters: SearchFilters, *, limit: int = 20, offset: int = 0
) -> tuple[list[ProductionResource], bool]:
    """Active resources that match every filter, best rated first; and whether more follow. No total count:
    with an availability window that would test every resource's calendar.

    With a window on PostgreSQL, candidates are read in batches along the (kind, rating) or (trade, rating)
    index and only each batch's calendars are tested, until the page is full: its planner cannot tell how many
    resources a window leaves free and otherwise tests every calendar before sorting (300 ms at 100,000
    resources). SQLite walks the index itself, probing calendars as it goes: one query."""
    limit = max(1, min(limit, MAX_SEARCH_PAGE))
    offset = max(0, offset)
    wanted = offset + limit + 1
    conditions: list[ColumnElement[bool]] = [ProductionResource.active.is_(True)]
    if filters.kind is not None:
        conditions.append(ProductionResource.kind == filters.kind)
    if filters.trade:
        conditions.append(ProductionResource.trade == filters.trade)
    if filters.region:
        conditions.append(ProductionResource.region_code.startswith(filters.region, autoescape=True))
    if filters.max_rate is not None:
        conditions.append(ProductionResource.day_rate <= filters.max_rate)
    if filters.min_rating is not None:
        conditions.append(ProductionResource.rating >= filters.min_rating)
    if filters.text:
        conditions.append(ProductionResource.name.contains(filters.text, autoescape=True))
    order = (ProductionResource.rating.desc(), ProductionResource.id.desc())
    window = (filters.available_from, filters.available_to)
    if window[0] and window[1] and session.get_bind().dialect.name == "sqlite":
        # SQLite's planner walks the rating index and probes each calendar until the page is full.
        calendar_taken = exists().where(
            Booking.resource_id == ProductionResource.id,
            Booking.starts_on <= window[1],
            Booking.ends_on >= window[0],
            Booking.status.in_(TAKING),
        )
        conditions.append(~calendar_taken)
    if not (window[0] and window[1]) or session.get_bind().dialect.name == "sqlite":
        rows = list(
            session.scalars(
                select(ProductionResource).where(*conditions).order_by(*order).offset(offset).limit(limit + 1)
            )
        )
        return rows[:limit], len(rows) > limit
    free: list[ProductionResource] = []
    batch = max(32, wanted * 2)
    last: tuple[float, int] | None = None
    while len(free) < wanted:
        page = select(ProductionResource).where(*conditions)
        if last is not None:
            page = page.where(
                or_(
                    ProductionResource.rating < last[0],
                    and_(ProductionResource.rating == last[0], ProductionResource.id < last[1]),
                )
            )
        # One round trip per batch: the batch (materialised, so it is read along the index and cut first),
        # each candidate with whether a booking takes a day of the window.
        candidates = page.order_by(*order).limit(batch).cte("candidates").prefix_with("MATERIALIZED")
        candidate = aliased(ProductionResource, candidates)
        taken = exists().where(
            Booking.resource_id == candidate.id,
            Booking.starts_on <= filters.available_to,
            Booking.ends_on >= filters.available_from,
            Booking.status.in_(TAKING),
        )
        checked = session.execute(
            select(candidate, taken.label("taken")).order_by(candidate.rating.desc(), candidate.id.desc())
        ).all()
        if not checked:
            break
        free += [row[0] for row in checked if not row[1]]
        if len(checked) < batch:
            break
        last = (checked[-1][0].rating, checked[-1][0].id)
        batch = min(batch * 4, 4096)
    return free[offset : offset + limit], len(free) > offset + limit


def calendar(
    session: Session, principal: Principal, resource_id: int, starts_on: date, ends_on: date
) -> list[dict[str, object]]:
    """The bookings that take days of the window, oldest first; who booked shows only to the owner and the
    booker."""
    resource = get_resource(session, resource_id)
    bookings = session.scalars(
        select(Booking)
        .where(
            Booking.resource_id == resource.id,
            Booking.starts_on <= ends_on,
            Booking.ends_on >= starts_on,
            Booking.status.in_(TAKING),
        )
        .order_by(Booking.starts_on, Booking.id)
    )
    shown: list[dict[str, object]] = []
    for booking in bookings:
        full = principal.owns(resource.org_id) or principal.org_id == booking.org_id or principal.is_admin
        shown.append(
            {
                "id": booking.id if full else None,
                "starts_on": booking.starts_on,
                "ends_on": booking.ends_on,
                "status": booking.status.value,
                "org_id": booking.org_id if full else None,
                "production_id": booking.production_id if full else None,
                "note": booking.note if full else None,
            }
        )
    return shown


def _lock_resource(session: Session, resource_id: int) -> ProductionResource:
    """The resource row, locked until the transaction ends, so one booking of it is decided at a time.

    PostgreSQL: ``SELECT … FOR UPDATE`` holds the row; a second booking waits here until the first commits and
    then sees its days. SQLite has no row locks and reads outside a write transaction: a no-op write takes the
    database's single write lock first, so the check below reads what the previous writer committed."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("UPDATE chain_resources SET id = id WHERE id = :id"), {"id": resource_id})
    resource = session.scalar(
        select(ProductionResource)
        .where(ProductionResource.id == resource_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if resource is None or not resource.active:
        raise NotFound("No resource has the id {id}.", field="resource_id", id=resource_id)
    return resource


def book(session: Session, principal: Principal, resource_id: int, data: BookingIn) -> Booking:
    """Book days of a resource; refused (409, naming the booking in the way) when any day is taken."""
    _require_writer(principal)
    resource = _lock_resource(session, resource_id)
    if data.status is BookingStatus.blocked and not principal.owns(resource.org_id):
        raise Forbidden("Only the owner may block days of a resource.")
    if data.status is BookingStatus.cancelled:
        raise AvbaseError("A new booking is held, confirmed or blocked.", field="status")
    clash = session.scalar(
        select(Booking)
        .where(
            Booking.resource_id == resource.id,
            Booking.starts_on <= data.ends_on,
            Booking.ends_on >= data.starts_on,
            Booking.status.in_(TAKING),
        )
        .order_by(Booking.starts_on)
        .limit(1)
    )
    if clash is not None:
        raise Conflict(
            "{name} is taken from {start} to {end}.",
            field="starts_on",
            name=resource.name,
            start=clash.starts_on.isoformat(),
            end=clash.ends_on.isoformat(),
        )
    booking = Booking(
        resource_id=resource.id,
        org_id=principal.org_id,
        production_id=data.production_id,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        status=data.status,
        note=data.note,
        created_by_id=principal.user_id or None,
    )
    session.add(booking)
    session.flush()
    return booking


def _booking(session: Session, booking_id: int) -> Booking:
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("No booking has the id {id}.", field="booking_id", id=booking_id)
    return booking


def set_booking_status(
    session: Session, principal: Principal, booking_id: int, status: BookingStatus
) -> Booking:
    """Confirm a held booking or cancel one (by the booker or the resource's owner)."""
    booking = _booking(session, booking_id)
    resource = session.get_one(ProductionResource, booking.resource_id)
    if not (principal.owns(booking.org_id) or principal.owns(resource.org_id)):
        raise Forbidden("Only the booker or the resource's owner may change this booking.")
    if booking.status is BookingStatus.cancelled:
        raise Conflict("The booking is cancelled already.", field="status")
    if status not in (BookingStatus.confirmed, BookingStatus.cancelled):
        raise AvbaseError("A booking is confirmed or cancelled.", field="status")
    booking.status = status
    session.flush()
    return booking


# --- requests for quotes ---------------------------------------------------------------------------------

MAX_QUOTES_PER_REQUEST = 20


def request_quotes(
    session: Session, principal: Principal, data: QuoteRequestIn
) -> tuple[QuoteRequest, list[Quote]]:
    """A request sent to the best-rated matching providers that are free on those days (not the requester's
    own resources)."""
    _require_writer(principal)
    request = QuoteRequest(
        org_id=principal.org_id, created_by_id=principal.user_id or None, **data.model_dump()
    )
    session.add(request)
    session.flush()
    filters = SearchFilters(
        kind=data.kind,
        trade=data.trade,
        region=data.region_prefix,
        available_from=data.starts_on,
        available_to=data.ends_on,
        max_rate=None,
    )
    quotes: list[Quote] = []
    offset = 0
    while len(quotes) < MAX_QUOTES_PER_REQUEST:
        found, more = search(session, filters, limit=MAX_SEARCH_PAGE, offset=offset)
        for resource in found:
            if resource.org_id != principal.org_id and len(quotes) < MAX_QUOTES_PER_REQUEST:
                quotes.append(Quote(request_id=request.id, resource_id=resource.id, org_id=resource.org_id))
        if not more:
            break
        offset += MAX_SEARCH_PAGE
    session.add_all(quotes)
    session.flush()
    return request, quotes


def get_request(session: Session, principal: Principal, request_id: int) -> QuoteRequest:
    request = session.get(QuoteRequest, request_id)
    provider = session.scalar(
        select(Quote.id).where(Quote.request_id == request_id, Quote.org_id == principal.org_id).limit(1)
    )
    if request is None or not (principal.is_admin or request.org_id == principal.org_id or provider):
        raise NotFound("No request for quotes has the id {id}.", field="request_id", id=request_id)
    return request


def quotes_of(session: Session, principal: Principal, request_id: int) -> list[Quote]:
    """The requester sees every quote of its request; a provider sees its own."""
    request = get_request(session, principal, request_id)
    query = select(Quote).where(Quote.request_id == request.id).order_by(Quote.id)
    if not (principal.is_admin or request.org_id == principal.org_id):
        query = query.where(Quote.org_id == principal.org_id)
    return list(session.scalars(query))


def quotes_for_provider(session: Session, principal: Principal) -> list[tuple[Quote, QuoteRequest]]:
    rows = session.execute(
        select(Quote, QuoteRequest)
        .join(QuoteRequest, QuoteRequest.id == Quote.request_id)
        .where(Quote.org_id == principal.org_id)
        .order_by(Quote.id.desc())
        .limit(200)
    )
    return [(row[0], row[1]) for row in rows]


def answer_quote(session: Session, principal: Principal, quote_id: int, data: QuoteAnswerIn) -> Quote:
    quote = session.get(Quote, quote_id)
    if quote is None or not (principal.owns(quote.org_id) or principal.org_id == quote.org_id):
        raise NotFound("No quote has the id {id}.", field="quote_id", id=quote_id)
    if not principal.owns(quote.org_id):
        raise Forbidden("Your role may read the directory but not change it.")
    if quote.status not in (QuoteStatus.requested, QuoteStatus.answered):
        raise Conflict("The quote is {status} already.", field="status", status=quote.status.value)
    if data.decline:
        quote.status = QuoteStatus.declined
    else:
        if data.day_rate is None:
            raise AvbaseError("Give the day rate you offer.", field="day_rate")
        quote.status = QuoteStatus.answered
        quote.day_rate = data.day_rate
    quote.message = data.message
    session.flush()
    return quote


def accept_quote(session: Session, principal: Principal, quote_id: int) -> Booking:
    """The requester takes an answered quote: the days are booked (refused when taken meanwhile), the other
    quotes are rejected and the request closes."""
    quote = session.get(Quote, quote_id)
    request = session.get(QuoteRequest, quote.request_id) if quote else None
    if quote is None or request is None or not (principal.is_admin or request.org_id == principal.org_id):
        raise NotFound("No quote has the id {id}.", field="quote_id", id=quote_id)
    if request.status is not QuoteRequestStatus.open:
        raise Conflict("The request for quotes is closed.", field="request_id")
    if quote.status is not QuoteStatus.answered:
        raise Conflict("Only an answered quote can be accepted.", field="status")
    booking = book(
        session,
        principal,
        quote.resource_id,
        BookingIn(
            starts_on=request.starts_on,
            ends_on=request.ends_on,
            status=BookingStatus.confirmed,
            production_id=request.production_id,
            note=request.title[:300],
        ),
    )
    quote.status = QuoteStatus.accepted
    quote.booking_id = booking.id
    for other in session.scalars(select(Quote).where(Quote.request_id == request.id, Quote.id != quote.id)):
        if other.status in (QuoteStatus.requested, QuoteStatus.answered):
            other.status = QuoteStatus.rejected
    request.status = QuoteRequestStatus.closed
    session.flush()
    return booking


def owned(session: Session, principal: Principal) -> list[ProductionResource]:
    return list(
        session.scalars(
            select(ProductionResource)
            .where(ProductionResource.org_id == principal.org_id, ProductionResource.active.is_(True))
            .order_by(ProductionResource.id)
        )
    )
