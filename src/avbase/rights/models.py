"""Tables of the rights module: deposit certificates, works and their chain of title, fingerprint
registrations, suspected copies, and the licence marketplace."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from avbase.core.audit import Audited
from avbase.core.db import Base, TimestampMixin, str_enum, utcnow


class DepositCertificate(Audited, Base):
    """A signed deposit certificate; ``document`` is the exact JSON handed out (canonical form)."""

    __tablename__ = "rights_certificates"
    __table_args__ = (
        Index("ix_rights_certificates_subject", "subject_kind", "subject_id"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(40), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    subject_kind: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    document: Mapped[str] = mapped_column(Text)
    key_id: Mapped[str] = mapped_column(String(16))
    issued_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class WorkType(StrEnum):
    film = "film"
    series = "series"
    episode = "episode"  # of a series (parent_id)
    micro_drama = "micro_drama"
    animation = "animation"
    documentary = "documentary"
    variety = "variety"
    music = "music"
    game_video = "game_video"
    other = "other"


class Work(Audited, TimestampMixin, Base):
    """A work (作品) an organisation registers: what it is, who made it, who holds which share of it."""

    __tablename__ = "rights_works"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    work_type: Mapped[WorkType] = mapped_column(str_enum(WorkType), default=WorkType.film)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("rights_works.id", ondelete="CASCADE"), index=True
    )
    episode_number: Mapped[int | None]
    description: Mapped[str | None] = mapped_column(Text)
    creators: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # name, role
    # 作品登记号 and date when registered with a copyright office; empty until then
    registration_number: Mapped[str | None] = mapped_column(String(60), index=True)
    registered_on: Mapped[date | None]
    certificate_id: Mapped[int | None] = mapped_column(
        ForeignKey("rights_certificates.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class RightsHolder(Audited, Base):
    """A holder's share of a work, in percent; the shares of a work sum to exactly 100."""

    __tablename__ = "rights_holders"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("rights_works.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    share: Mapped[Decimal] = mapped_column(Numeric(7, 4))


class WorkAsset(Audited, Base):
    """A media asset that carries the work (a file of it); ``fingerprinted`` once it is in the index."""

    __tablename__ = "rights_work_assets"
    __table_args__ = (UniqueConstraint("asset_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("rights_works.id", ondelete="CASCADE"), index=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("media_assets.id", ondelete="CASCADE"))
    fingerprinted_at: Mapped[datetime | None]


class TitleEventKind(StrEnum):
    registration = "registration"
    assignment = "assignment"  # the rights (or a share) pass to another holder
    licence = "licence"  # a right is licensed for a territory and a window


class TitleEvent(Audited, Base):
    """One link of the chain of title, in the order it happened."""

    __tablename__ = "rights_title_events"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("rights_works.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TitleEventKind] = mapped_column(str_enum(TitleEventKind))
    from_party: Mapped[str | None] = mapped_column(String(200))
    to_party: Mapped[str] = mapped_column(String(200))
    media_right: Mapped[str | None] = mapped_column(String(30))
    territory: Mapped[str | None] = mapped_column(String(60))
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    exclusive: Mapped[bool | None]
    share: Mapped[Decimal | None] = mapped_column(Numeric(7, 4))
    licence_id: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class MatchState(StrEnum):
    new = "new"
    confirmed = "confirmed"  # the rights holder judged it a copy
    dismissed = "dismissed"  # not a copy (a licensed use, a false alarm)


class SuspectedCopy(Audited, Base):
    """An asset of the library found to copy a registered work (by the library watch or a match request).
    The rights holder sees all of it; the uploader only that its asset matched a registered work."""

    __tablename__ = "rights_matches"
    __table_args__ = (UniqueConstraint("asset_id", "work_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("media_assets.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("rights_works.id", ondelete="CASCADE"), index=True)
    work_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    reference_asset_id: Mapped[int] = mapped_column(ForeignKey("media_assets.id", ondelete="CASCADE"))
    reference_start: Mapped[float]
    reference_end: Mapped[float]
    query_start: Mapped[float]
    query_end: Mapped[float]
    score: Mapped[float]
    modality: Mapped[str] = mapped_column(String(10))
    state: Mapped[MatchState] = mapped_column(str_enum(MatchState), default=MatchState.new, index=True)
    found_at: Mapped[datetime] = mapped_column(default=utcnow)


class MediaRight(StrEnum):
    theatrical = "theatrical"
    tv = "tv"
    svod = "svod"  # online, subscription
    avod = "avod"  # online, advertising
    short_video = "short_video"
    overseas = "overseas"


class OfferState(StrEnum):
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"
    withdrawn = "withdrawn"


class Listing(Audited, TimestampMixin, Base):
    """A right a holder offers for licence: medium, territory, window, exclusivity, price (None: on
    request)."""

    __tablename__ = "rights_listings"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("rights_works.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    media_right: Mapped[MediaRight] = mapped_column(str_enum(MediaRight))
    territory: Mapped[str] = mapped_column(String(60))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    exclusive: Mapped[bool]
    price: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))  # yuan; None: price on request
    note: Mapped[str | None] = mapped_column(Text)
    open: Mapped[bool] = mapped_column(default=True)


class Offer(Audited, TimestampMixin, Base):
    __tablename__ = "rights_offers"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("rights_listings.id", ondelete="CASCADE"), index=True)
    buyer_org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    price: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    message: Mapped[str | None] = mapped_column(Text)
    state: Mapped[OfferState] = mapped_column(str_enum(OfferState), default=OfferState.pending, index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Licence(Audited, Base):
    """A granted licence: the parties and terms (what the settlement module reads), on the chain of title."""

    __tablename__ = "rights_licences"
    __table_args__ = (
        Index("ix_rights_licences_scope", "work_id", "media_right"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("rights_works.id", ondelete="CASCADE"))
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("rights_offers.id", ondelete="SET NULL"))
    licensor_org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    licensee_org_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    media_right: Mapped[MediaRight] = mapped_column(str_enum(MediaRight))
    territory: Mapped[str] = mapped_column(String(60))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    exclusive: Mapped[bool]
    price: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
