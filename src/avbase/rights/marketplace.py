"""The licence marketplace (版权交易): holders list rights, buyers offer, an accepted offer becomes a licence
on the work's chain of title.

Two exclusive licences never overlap in medium, territory and time, and a non-exclusive one never overlaps
an exclusive one. Granting locks the work's row first (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite a
no-op write takes the database's write lock), so two acceptances at the same moment are checked one after
the other and the second sees the first's licence.

Territories are codes: ``WW`` (worldwide) covers every other; ``CN`` covers ``CN-33`` (a province) and so on
down the hyphenated path.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import or_, select, text
from sqlalchemy.orm import Session

from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound
from avbase.rights.models import (
    Licence,
    Listing,
    MediaRight,
    Offer,
    OfferState,
    TitleEvent,
    TitleEventKind,
    Work,
)
from avbase.rights.works import get_work

WORLDWIDE = "WW"


def territories_overlap(a: str, b: str) -> bool:
    a, b = a.upper(), b.upper()
    if WORLDWIDE in (a, b) or a == b:
        return True
    return a.startswith(b + "-") or b.startswith(a + "-")


def windows_overlap(a: tuple[date, date], b: tuple[date, date]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


@dataclass(frozen=True)
class ListingIn:
    work_id: int
    media_right: MediaRight
    territory: str
    starts_on: date
    ends_on: date
    exclusive: bool
    price: Decimal | None = None
    note: str | None = None


@dataclass(frozen=True)
class OfferIn:
    listing_id: int
    price: Decimal
    starts_on: date | None = None  # default: the listing's window
    ends_on: date | None = None
    message: str | None = None


def _check_window(starts_on: date, ends_on: date) -> None:
    if ends_on < starts_on:
        raise AvbaseError("The window ends before it starts.", field="ends_on")


def create_listing(session: Session, principal: Principal, data: ListingIn) -> Listing:
    work = get_work(session, principal, data.work_id)
    if not principal.owns(work.org_id):
        raise Forbidden("Only the work's holder may list its rights.", field="work")
    _check_window(data.starts_on, data.ends_on)
    territory = data.territory.strip().upper()
    if not territory:
        raise AvbaseError("Name the territory, e.g. CN or WW.", field="territory")
    if data.price is not None and data.price <= 0:
        raise AvbaseError("The price must be above zero (or leave it empty: on request).", field="price")
    listing = Listing(
        work_id=work.id,
        org_id=work.org_id,
        media_right=data.media_right,
        territory=territory[:60],
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        exclusive=data.exclusive,
        price=data.price,
        note=data.note,
    )
    session.add(listing)
    session.flush()
    return listing


def open_listings(session: Session, *, limit: int = 200) -> list[tuple[Listing, str]]:
    """Every open listing with its work's title: the marketplace is public to signed-in users."""
    rows = session.execute(
        select(Listing, Work.title)
        .join(Work, Work.id == Listing.work_id)
        .where(Listing.open.is_(True))
        .order_by(Listing.id.desc())
        .limit(limit)
    ).all()
    return [(listing, title) for listing, title in rows]


def get_listing(session: Session, listing_id: int) -> Listing:
    listing = session.get(Listing, listing_id)
    if listing is None:
        raise NotFound("Listing not found.", field="listing")
    return listing


def make_offer(session: Session, principal: Principal, data: OfferIn) -> Offer:
    if principal.role in READ_ONLY_ROLES or principal.is_authority:
        raise Forbidden("You may not make offers.")
    listing = get_listing(session, data.listing_id)
    if not listing.open:
        raise Conflict("This listing is closed.", field="listing")
    if listing.org_id == principal.org_id:
        raise AvbaseError("You cannot make an offer on your own listing.", field="listing")
    if data.price <= 0:
        raise AvbaseError("The price must be above zero.", field="price")
    starts_on = data.starts_on or listing.starts_on
    ends_on = data.ends_on or listing.ends_on
    _check_window(starts_on, ends_on)
    if starts_on < listing.starts_on or ends_on > listing.ends_on:
        raise AvbaseError("The window must lie inside the listing's window.", field="starts_on")
    offer = Offer(
        listing_id=listing.id,
        buyer_org_id=principal.org_id,
        price=data.price,
        starts_on=starts_on,
        ends_on=ends_on,
        message=data.message,
        created_by_id=principal.user_id or None,
    )
    session.add(offer)
    session.flush()
    return offer


def offers_for(session: Session, principal: Principal) -> list[Offer]:
    """Offers the principal's organisation made or received."""
    return list(
        session.scalars(
            select(Offer)
            .join(Listing, Listing.id == Offer.listing_id)
            .where(or_(Offer.buyer_org_id == principal.org_id, Listing.org_id == principal.org_id))
            .order_by(Offer.id.desc())
        )
    )


def _lock_work(session: Session, work_id: int) -> Work:
    if session.get_bind().dialect.name == "sqlite":
        # SQLite has no row locks: a write that changes nothing takes the database's write lock now,
        # before the overlap check reads, so a concurrent grant waits for this transaction to end.
        session.execute(text("UPDATE rights_works SET id = id WHERE id = :id"), {"id": work_id})
    work = session.scalar(select(Work).where(Work.id == work_id).with_for_update())
    if work is None:
        raise NotFound("Work not found.", field="work")
    return work


def conflicting_licence(
    session: Session,
    *,
    work_id: int,
    media_right: MediaRight,
    territory: str,
    window: tuple[date, date],
    exclusive: bool,
) -> Licence | None:
    """A licence the new one would overlap against the rules, if any."""
    candidates = session.scalars(
        select(Licence).where(
            Licence.work_id == work_id,
            Licence.media_right == media_right,
            Licence.starts_on <= window[1],
            Licence.ends_on >= window[0],
        )
    )
    for licence in candidates:
        if not territories_overlap(licence.territory, territory):
            continue
        if exclusive or licence.exclusive:
            return licence
    return None


def accept_offer(session: Session, principal: Principal, offer_id: int) -> Licence:
    """The holder accepts: the offer becomes a licence on the chain of title (or a Conflict, with nothing
    changed, when it would overlap an exclusive licence)."""
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise NotFound("Offer not found.", field="offer")
    listing = get_listing(session, offer.listing_id)
    if not principal.owns(listing.org_id):
        raise Forbidden("Only the listing's holder may accept its offers.", field="offer")
    work = _lock_work(session, listing.work_id)
    session.refresh(offer)
    if offer.state is not OfferState.pending:
        raise Conflict("This offer is no longer pending.", field="offer")
    clash = conflicting_licence(
        session,
        work_id=work.id,
        media_right=listing.media_right,
        territory=listing.territory,
        window=(offer.starts_on, offer.ends_on),
        exclusive=listing.exclusive,
    )
    if clash is not None:
        raise Conflict(
            "It would overlap licence {id} ({territory}, {start} – {end}), which is exclusive or would "
            "have to be.",
            field="offer",
            id=clash.id,
            territory=clash.territory,
            start=clash.starts_on.isoformat(),
            end=clash.ends_on.isoformat(),
        )
    licence = Licence(
        work_id=work.id,
        offer_id=offer.id,
        licensor_org_id=listing.org_id,
        licensee_org_id=offer.buyer_org_id,
        media_right=listing.media_right,
        territory=listing.territory,
        starts_on=offer.starts_on,
        ends_on=offer.ends_on,
        exclusive=listing.exclusive,
        price=offer.price,
    )
    session.add(licence)
    offer.state = OfferState.accepted
    if listing.exclusive:
        listing.open = False
    session.flush()
    from avbase.core.accounts.models import Organisation

    licensee = session.get(Organisation, offer.buyer_org_id)
    licensor = session.get(Organisation, listing.org_id)
    session.add(
        TitleEvent(
            work_id=work.id,
            kind=TitleEventKind.licence,
            from_party=licensor.name if licensor else None,
            to_party=licensee.name if licensee else str(offer.buyer_org_id),
            media_right=listing.media_right.value,
            territory=listing.territory,
            starts_on=offer.starts_on,
            ends_on=offer.ends_on,
            exclusive=listing.exclusive,
            licence_id=licence.id,
        )
    )
    session.flush()
    return licence


def reject_offer(session: Session, principal: Principal, offer_id: int) -> Offer:
    offer = session.get(Offer, offer_id)
    if offer is None:
        raise NotFound("Offer not found.", field="offer")
    listing = get_listing(session, offer.listing_id)
    if not principal.owns(listing.org_id):
        raise Forbidden("Only the listing's holder may reject its offers.", field="offer")
    if offer.state is not OfferState.pending:
        raise Conflict("This offer is no longer pending.", field="offer")
    offer.state = OfferState.rejected
    session.flush()
    return offer


def licences_of(session: Session, principal: Principal) -> list[Licence]:
    stmt = select(Licence).order_by(Licence.id.desc())
    if not (principal.is_admin or principal.is_authority):
        stmt = stmt.where(
            or_(Licence.licensor_org_id == principal.org_id, Licence.licensee_org_id == principal.org_id)
        )
    return list(session.scalars(stmt))
