"""Pydantic shapes of the production resources database (in and out)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from avbase.chain.resources.models import BookingStatus, QuoteRequestStatus, QuoteStatus, ResourceKind

Rate = Annotated[Decimal, Field(ge=0, le=Decimal("1e9"), decimal_places=2)]
RegionCode = Annotated[str, Field(pattern=r"^\d{6}$")]
RegionPrefix = Annotated[str, Field(pattern=r"^\d{2,6}$")]
Trade = Annotated[str, Field(pattern=r"^[a-z_]{2,40}$")]


class ResourceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ResourceKind
    name: Annotated[str, Field(min_length=1, max_length=200)]
    trade: Trade | None = None
    region_code: RegionCode
    place: Annotated[str, Field(max_length=120)] | None = None
    day_rate: Rate | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    details: Annotated[dict[str, Any], Field(max_length=30)] = {}
    org_id: int | None = None  # an administrator may enter a resource for an organisation


class ResourceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    kind: ResourceKind
    trade: str | None
    name: str
    region_code: str
    place: str | None
    day_rate: Decimal | None
    rating: float
    rating_count: int
    description: str | None
    lat: float | None
    lon: float | None
    details: dict[str, Any]


class DaysIn(BaseModel):
    starts_on: date
    ends_on: date

    @model_validator(mode="after")
    def _ordered(self) -> DaysIn:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on is before starts_on")
        if (self.ends_on - self.starts_on).days > 366:
            raise ValueError("a booking spans at most a year")
        return self


class BookingIn(DaysIn):
    model_config = ConfigDict(extra="forbid")

    status: BookingStatus = BookingStatus.confirmed
    production_id: int | None = None
    note: Annotated[str, Field(max_length=300)] | None = None


class BookingOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    resource_id: int
    org_id: int
    production_id: int | None
    starts_on: date
    ends_on: date
    status: BookingStatus
    note: str | None


class QuoteRequestIn(DaysIn):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=200)]
    kind: ResourceKind
    trade: Trade | None = None
    region_prefix: RegionPrefix | None = None
    budget: Rate | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None
    production_id: int | None = None


class QuoteRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    title: str
    kind: ResourceKind
    trade: str | None
    region_prefix: str | None
    starts_on: date
    ends_on: date
    budget: Decimal | None
    status: QuoteRequestStatus


class QuoteAnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day_rate: Rate | None = None
    message: Annotated[str, Field(max_length=2000)] | None = None
    decline: bool = False


class QuoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    request_id: int
    resource_id: int
    org_id: int
    status: QuoteStatus
    day_rate: Decimal | None
    message: str | None
    booking_id: int | None
