"""The production resources database: studios, locations, equipment, crew and talent, service companies, each
owned by the organisation that keeps it current; their bookings (a calendar that never double-books) and
requests for quotes sent to matching providers."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from avbase.core.audit import Audited
from avbase.core.db import Base, TimestampMixin, str_enum
from avbase.kit.money import Money


class ResourceKind(StrEnum):
    studio = "studio"  # a studio or sound stage (area, height, LED volume, power)
    location = "location"  # a shooting location (photos, GPS, permits, contact)
    equipment = "equipment"
    crew = "crew"  # crew and talent (roles, credits, day rate)
    service = "service"  # a service company of a trade


class Trade(StrEnum):
    """The post-production trades Zhejiang 8 names, and the services around them."""

    post_production = "post_production"
    vfx = "vfx"
    animation = "animation"
    colour = "colour"
    sound = "sound"
    music = "music"
    dubbing = "dubbing"
    subtitles = "subtitles"


class BookingStatus(StrEnum):
    held = "held"  # pencilled in: the days are taken until confirmed or cancelled
    confirmed = "confirmed"
    blocked = "blocked"  # the owner's own unavailability (maintenance, another client off the platform)
    cancelled = "cancelled"  # frees the days


TAKING = (BookingStatus.held, BookingStatus.confirmed, BookingStatus.blocked)


class ProductionResource(Audited, TimestampMixin, Base):
    __tablename__ = "chain_resources"
    __table_args__ = (
        # Search walks the best-rated rows of a kind (and trade) first, stopping at a page of available ones.
        Index("ix_chain_resources_kind_rating", "kind", "rating", "id"),
        Index("ix_chain_resources_trade_rating", "trade", "rating", "id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ResourceKind] = mapped_column(str_enum(ResourceKind))
    # the trade of a service company, or a crew member's main role (director, gaffer, actor …)
    trade: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    place: Mapped[str | None] = mapped_column(String(120))  # e.g. 横店影视城, 马栏山视频文创园
    day_rate: Mapped[Decimal | None] = mapped_column(Money)
    rating: Mapped[float] = mapped_column(default=0.0)  # mean of 1–5 stars
    rating_count: Mapped[int] = mapped_column(default=0)
    description: Mapped[str | None] = mapped_column(Text)
    lat: Mapped[float | None]
    lon: Mapped[float | None]
    # kind-specific facts: area_m2, height_m, led_volume, power_kw, permits, contact, photos, credits, roles
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Booking(Audited, TimestampMixin, Base):
    """Days ``starts_on`` to ``ends_on`` (both included) of one resource. Written only under the resource
    row's lock (service.book), so two bookings of the same days can never both be taken."""

    __tablename__ = "chain_bookings"
    __table_args__ = (
        Index("ix_chain_bookings_calendar", "resource_id", "starts_on", "ends_on", "status"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("chain_resources.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    production_id: Mapped[int | None] = mapped_column(index=True)  # a chain_productions id, when for one
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    status: Mapped[BookingStatus] = mapped_column(str_enum(BookingStatus), default=BookingStatus.confirmed)
    note: Mapped[str | None] = mapped_column(String(300))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class QuoteRequestStatus(StrEnum):
    open = "open"
    closed = "closed"  # one quote accepted, or withdrawn


class QuoteStatus(StrEnum):
    requested = "requested"
    answered = "answered"
    declined = "declined"
    accepted = "accepted"
    rejected = "rejected"  # another quote was accepted


class QuoteRequest(Audited, TimestampMixin, Base):
    """A production's request for quotes, sent to every resource that matches it."""

    __tablename__ = "chain_quote_requests"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ResourceKind] = mapped_column(str_enum(ResourceKind))
    trade: Mapped[str | None] = mapped_column(String(40))
    region_prefix: Mapped[str | None] = mapped_column(String(6))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    budget: Mapped[Decimal | None] = mapped_column(Money)  # per day
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[QuoteRequestStatus] = mapped_column(
        str_enum(QuoteRequestStatus), default=QuoteRequestStatus.open
    )
    production_id: Mapped[int | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Quote(Audited, TimestampMixin, Base):
    """One provider's answer to a request, for one of its resources."""

    __tablename__ = "chain_quotes"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("chain_quote_requests.id", ondelete="CASCADE"), index=True
    )
    resource_id: Mapped[int] = mapped_column(ForeignKey("chain_resources.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    status: Mapped[QuoteStatus] = mapped_column(str_enum(QuoteStatus), default=QuoteStatus.requested)
    day_rate: Mapped[Decimal | None] = mapped_column(Money)
    message: Mapped[str | None] = mapped_column(Text)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("chain_bookings.id", ondelete="SET NULL"))
