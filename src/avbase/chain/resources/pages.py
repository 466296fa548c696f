"""Web pages of the production resources database: search with filters, a map of locations, a resource's
calendar and booking form, and requests for quotes."""

from __future__ import annotations

import calendar as months
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from avbase.chain.resources import service
from avbase.chain.resources.models import (
    BookingStatus,
    ProductionResource,
    Quote,
    QuoteRequest,
    ResourceKind,
    Trade,
)
from avbase.chain.resources.schemas import BookingIn, QuoteAnswerIn, QuoteRequestIn
from avbase.core.accounts.models import Organisation
from avbase.core.errors import AvbaseError
from avbase.web.deps import Db, PagePrincipal
from avbase.web.forms import FormFields
from avbase.web.schemas import RowId
from avbase.web.templating import add_template_dir, render

router = APIRouter(prefix="/resources")
add_template_dir(Path(__file__).resolve().parent / "templates")
MAP_SIZE = 360


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def location_maps(resources: list[ProductionResource]) -> list[dict[str, object]]:
    """Locations placed on an SVG per area (the first four digits of the region code: a city), by longitude
    and latitude; no map tiles, the platform runs offline."""
    areas: dict[str, list[ProductionResource]] = {}
    for resource in resources:
        if resource.lat is not None and resource.lon is not None:
            areas.setdefault(resource.region_code[:4], []).append(resource)
    maps: list[dict[str, object]] = []
    for code, placed in sorted(areas.items()):
        lons = [float(r.lon or 0) for r in placed]
        lats = [float(r.lat or 0) for r in placed]
        span = max(max(lons) - min(lons), max(lats) - min(lats), 0.01) * 1.3
        west, north = (min(lons) + max(lons) - span) / 2, (min(lats) + max(lats) + span) / 2
        pins = [
            {
                "id": r.id, "name": r.name, "lat": r.lat, "lon": r.lon,
                "x": round(30 + (float(r.lon or 0) - west) / span * (MAP_SIZE - 60), 1),
                "y": round(30 + (north - float(r.lat or 0)) / span * (MAP_SIZE - 60), 1),
            }
            for r in placed
        ]  # fmt: skip
        maps.append({"area": code, "place": placed[0].place or code, "pins": pins})
    return maps


@router.get("")
def directory(
    request: Request, db: Db, principal: PagePrincipal, kind: str | None = None, trade: str | None = None,
    region: str | None = None, available_from: str | None = None, available_to: str | None = None,
    max_rate: str | None = None, min_rating: str | None = None, q: str | None = None, page: int = 1,
) -> Response:  # fmt: skip
    start, end = _date(available_from), _date(available_to)
    if (start is None) != (end is None) or (start and end and end < start):
        start = end = None
    try:
        rate = Decimal(max_rate) if max_rate else None
    except InvalidOperation:
        rate = None
    filters = service.SearchFilters(
        kind=ResourceKind(kind) if kind and kind in ResourceKind.__members__ else None,
        trade=trade if trade and len(trade) <= 40 else None,
        region=region if region and region.isdigit() and 2 <= len(region) <= 6 else None,
        available_from=start, available_to=end, max_rate=rate,
        min_rating=float(min_rating) if min_rating and min_rating.replace(".", "", 1).isdigit() else None,
        text=(q or "").strip()[:100] or None,
    )  # fmt: skip
    page = max(1, min(page, 1000))
    found, more = service.search(db, filters, limit=30, offset=(page - 1) * 30)
    names = dict(
        db.execute(
            select(Organisation.id, Organisation.name).where(Organisation.id.in_({r.org_id for r in found}))
        ).all()
    )
    locations = list(
        db.scalars(
            select(ProductionResource)
            .where(ProductionResource.kind == ResourceKind.location, ProductionResource.active.is_(True))
            .limit(300)
        )
    )
    return render(
        request,
        "resources/directory.html",
        {
            "found": found, "more": more, "page": page, "f": filters, "names": names,
            "kinds": list(ResourceKind),
            "trades": list(Trade), "args": request.query_params, "maps": location_maps(locations),
            "map_size": MAP_SIZE,
        },
    )  # fmt: skip


@router.get("/quotes")
def quotes(request: Request, db: Db, principal: PagePrincipal) -> Response:
    mine = list(
        db.scalars(
            select(QuoteRequest)
            .where(QuoteRequest.org_id == principal.org_id)
            .order_by(QuoteRequest.id.desc())
            .limit(100)
        )
    )
    answers = {
        r.id: list(db.scalars(select(Quote).where(Quote.request_id == r.id).order_by(Quote.id))) for r in mine
    }
    names = dict(db.execute(select(ProductionResource.id, ProductionResource.name)).all()) if mine else {}
    incoming = service.quotes_for_provider(db, principal)
    names.update({q.resource_id: db.get_one(ProductionResource, q.resource_id).name for q, _r in incoming})
    return render(
        request, "resources/quotes.html",
        {"mine": mine, "answers": answers, "incoming": incoming, "names": names, "kinds": list(ResourceKind)},
    )  # fmt: skip


@router.post("/quotes")
def request_quotes(db: Db, principal: PagePrincipal, form: FormFields) -> Response:
    data = QuoteRequestIn.model_validate(
        {
            "title": form.get("title", ""), "kind": form.get("kind", ""), "trade": form.get("trade") or None,
            "region_prefix": form.get("region_prefix") or None, "starts_on": form.get("starts_on", ""),
            "ends_on": form.get("ends_on", ""), "budget": form.get("budget") or None,
        }
    )  # fmt: skip
    service.request_quotes(db, principal, data)
    return RedirectResponse("/resources/quotes", status_code=303)


@router.post("/quotes/{quote_id}/answer")
def answer(db: Db, principal: PagePrincipal, quote_id: RowId, form: FormFields) -> Response:
    data = QuoteAnswerIn.model_validate(
        {"day_rate": form.get("day_rate") or None, "message": form.get("message") or None,
         "decline": form.get("decline") == "1"}
    )  # fmt: skip
    service.answer_quote(db, principal, quote_id, data)
    return RedirectResponse("/resources/quotes", status_code=303)


@router.post("/quotes/{quote_id}/accept")
def accept(db: Db, principal: PagePrincipal, quote_id: RowId) -> Response:
    service.accept_quote(db, principal, quote_id)
    return RedirectResponse("/resources/quotes", status_code=303)


def month_grid(first: date, taken: list[dict[str, object]]) -> list[dict[str, object]]:
    """The days of a month as calendar cells, Monday first, each marked taken or blocked."""
    cells: list[dict[str, object]] = [{"day": None} for _ in range(first.weekday())]
    days_in = months.monthrange(first.year, first.month)[1]
    for offset in range(days_in):
        day = first + timedelta(days=offset)
        state = ""
        for row in taken:
            starts, ends = row["starts_on"], row["ends_on"]
            if isinstance(starts, date) and isinstance(ends, date) and starts <= day <= ends:
                state = "blocked" if row["status"] == "blocked" else "taken"
        cells.append({"day": day, "state": state})
    return cells


@router.get("/{resource_id}")
def resource(
    request: Request, db: Db, principal: PagePrincipal, resource_id: RowId, month: str | None = None
) -> Response:
    item = service.get_resource(db, resource_id)
    first = (_date(f"{month}-01") if month else None) or date.today().replace(day=1)
    last = first.replace(day=months.monthrange(first.year, first.month)[1])
    taken = service.calendar(db, principal, item.id, first, last)
    previous = (first - timedelta(days=1)).replace(day=1)
    following = last + timedelta(days=1)
    return render(
        request,
        "resources/resource.html",
        {
            "r": item, "owner": db.get(Organisation, item.org_id), "taken": taken,
            "cells": month_grid(first, taken),
            "first": first, "previous": previous.strftime("%Y-%m"), "next": following.strftime("%Y-%m"),
            "owns": principal.owns(item.org_id),
        },
    )  # fmt: skip


@router.post("/{resource_id}/bookings")
def book(db: Db, principal: PagePrincipal, resource_id: RowId, form: FormFields) -> Response:
    status = BookingStatus.blocked if form.get("status") == "blocked" else BookingStatus.confirmed
    if form.get("status") == "held":
        status = BookingStatus.held
    try:
        data = BookingIn.model_validate(
            {"starts_on": form.get("starts_on", ""), "ends_on": form.get("ends_on", ""), "status": status,
             "note": form.get("note") or None}
        )  # fmt: skip
    except ValueError as exc:
        raise AvbaseError(
            "Enter the first and last day (the last not before the first).", field="ends_on"
        ) from exc
    booking = service.book(db, principal, resource_id, data)
    return RedirectResponse(f"/resources/{resource_id}?month={booking.starts_on:%Y-%m}", status_code=303)
