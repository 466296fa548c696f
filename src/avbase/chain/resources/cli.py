"""``avbase resources …``: search the production resources database, add a resource, book one.

Booking acts for an organisation: ``--as USER`` (that user's organisation and permissions) or ``--org NAME``
(the operator acting for it). A booking whose days are taken exits 2 naming the booking in the way."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import typer

from avbase.chain.resources.models import Booking, BookingStatus, ProductionResource, ResourceKind
from avbase.core.db import get_engine, session_scope
from avbase.core.i18n import _, label
from avbase.industry.cli import AsUser, Json
from avbase.kit.output import emit_json, emit_table
from avbase.media.cli import Org, owner

resources_app = typer.Typer(help="Production resources: search, add and book.", no_args_is_help=True)


def resource_dict(resource: ProductionResource) -> dict[str, Any]:
    from avbase.chain.resources.schemas import ResourceOut

    return ResourceOut.model_validate(resource).model_dump(mode="json")


def booking_dict(booking: Booking) -> dict[str, Any]:
    from avbase.chain.resources.schemas import BookingOut

    return BookingOut.model_validate(booking).model_dump(mode="json")


@resources_app.command("search")
def search_command(
    kind: Annotated[
        ResourceKind | None, typer.Option(help="studio | location | equipment | crew | service")
    ] = None,
    trade: Annotated[
        str | None, typer.Option(help="A service trade (vfx, colour, sound …) or crew role.")
    ] = None,
    region: Annotated[str | None, typer.Option(help="Region code or prefix: 33, 3307, 430104.")] = None,
    available_from: Annotated[
        str | None, typer.Option("--from", help="Free from this day (YYYY-MM-DD).")
    ] = None,
    available_to: Annotated[str | None, typer.Option("--to", help="…to this day, included.")] = None,
    max_rate: Annotated[str | None, typer.Option("--max-rate", help="Highest day rate in yuan.")] = None,
    min_rating: Annotated[float | None, typer.Option("--min-rating", help="Lowest rating (1–5).")] = None,
    text: Annotated[str | None, typer.Option("--text", help="Part of the name.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many (up to 100).")] = 20,
    offset: Annotated[int, typer.Option(help="Skip this many.")] = 0,
    json_out: Json = False,
) -> None:
    """Find resources by kind, trade, region, free days, price and rating (best rated first)."""
    from avbase.chain.resources import service

    filters = service.SearchFilters(
        kind=kind,
        trade=trade,
        region=region,
        available_from=date.fromisoformat(available_from) if available_from else None,
        available_to=date.fromisoformat(available_to) if available_to else None,
        max_rate=Decimal(max_rate) if max_rate else None,
        min_rating=min_rating,
        text=text,
    )
    with session_scope(get_engine()) as session:
        found, more = service.search(session, filters, limit=limit, offset=offset)
        rows = [resource_dict(resource) for resource in found]
    if json_out:
        emit_json({"resources": rows, "more": more})
        return
    emit_table(
        _("Resources"),
        [_("ID"), _("Kind"), _("Name"), _("Region"), _("Day rate"), _("Rating")],
        [(r["id"], label(r["kind"]), r["name"], r["region_code"], r["day_rate"], r["rating"]) for r in rows],
    )


@resources_app.command("add")
def add_command(
    kind: Annotated[ResourceKind, typer.Option(help="studio | location | equipment | crew | service")],
    name: Annotated[str, typer.Option(help="The resource's name.")],
    region: Annotated[str, typer.Option(help="Its six-digit region code.")],
    trade: Annotated[
        str | None, typer.Option(help="Trade of a service company, role of a crew member.")
    ] = None,
    place: Annotated[str | None, typer.Option(help="Base or park, e.g. 横店影视城.")] = None,
    day_rate: Annotated[str | None, typer.Option("--day-rate", help="Day rate in yuan.")] = None,
    lat: Annotated[float | None, typer.Option(help="Latitude (locations).")] = None,
    lon: Annotated[float | None, typer.Option(help="Longitude (locations).")] = None,
    details: Annotated[
        str | None, typer.Option(help='Facts as JSON: {"area_m2": 3000, "led_volume": true}')
    ] = None,
    org: Org = None,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Enter a resource of an organisation into the database."""
    from avbase.chain.resources import service
    from avbase.chain.resources.schemas import ResourceIn

    data = ResourceIn.model_validate(
        {
            "kind": kind, "name": name, "region_code": region, "trade": trade, "place": place,
            "day_rate": day_rate, "lat": lat, "lon": lon, "details": json.loads(details) if details else {},
        }
    )  # fmt: skip
    with session_scope(get_engine()) as session:
        principal = owner(session, as_user, org)
        created = resource_dict(service.create_resource(session, principal, data))
    if json_out:
        emit_json(created)
    else:
        typer.echo(_("Resource {id} added: {name}.", id=created["id"], name=created["name"]))


@resources_app.command("book")
def book_command(
    resource_id: Annotated[int, typer.Argument(help="The resource to book.")],
    starts_on: Annotated[str, typer.Option("--from", help="First day (YYYY-MM-DD).")],
    ends_on: Annotated[str, typer.Option("--to", help="Last day, included.")],
    status: Annotated[BookingStatus, typer.Option(help="held | confirmed | blocked (owner only)")] = (
        BookingStatus.confirmed
    ),
    production: Annotated[int | None, typer.Option(help="The production the booking is for.")] = None,
    note: Annotated[str | None, typer.Option(help="A note for the owner.")] = None,
    org: Org = None,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Book days of a resource; exits 2 with the booking in the way when a day is taken."""
    from avbase.chain.resources import service
    from avbase.chain.resources.schemas import BookingIn

    data = BookingIn.model_validate(
        {
            "starts_on": starts_on,
            "ends_on": ends_on,
            "status": status,
            "production_id": production,
            "note": note,
        }
    )
    with session_scope(get_engine()) as session:
        principal = owner(session, as_user, org)
        booked = booking_dict(service.book(session, principal, resource_id, data))
    if json_out:
        emit_json(booked)
    else:
        typer.echo(
            _("Booking {id}: resource {resource} from {start} to {end}.", id=booked["id"],
              resource=resource_id, start=booked["starts_on"], end=booked["ends_on"])
        )  # fmt: skip
