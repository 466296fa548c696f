from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from avbase.core.accounts.models import OrgKind, Role
from avbase.core.i18n import N_
from avbase.kit.pagination import MAX_ROW_ID
from avbase.kit.regions import REGIONS


def _known_region(code: str) -> str:
    if code not in REGIONS:
        raise ValueError(N_("Unknown GB/T 2260 region code."))
    return code


def _printable(text: str) -> str:
    # PostgreSQL text cannot hold NUL, and no form field has a use for control characters.
    if any(ord(char) < 32 and char not in "\t\n\r" for char in text):
        raise ValueError(N_("Control characters are not allowed."))
    return text


Printable = AfterValidator(_printable)
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), Printable]
RegionCode = Annotated[str, StringConstraints(pattern=r"^\d{6}$"), AfterValidator(_known_region), Printable]
Email = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=200, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
]
Username = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[a-z0-9_.-]{3,64}$"), Printable]
Password = Annotated[str, StringConstraints(min_length=8, max_length=200), Printable]


class OrganisationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: OrgKind
    region_code: RegionCode
    managed_by_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    contact_email: Email | None = None


class OrganisationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    kind: OrgKind | None = None
    region_code: RegionCode | None = None
    managed_by_id: int | None = Field(default=None, ge=1, le=MAX_ROW_ID)
    contact_email: Email | None = None


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: OrgKind
    region_code: str
    managed_by_id: int | None
    contact_email: str | None
    created_at: datetime
    updated_at: datetime


class UserIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    username: Username
    display_name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), Printable
    ]
    email: Email | None = None
    password: Password
    role: Role
    org_id: int = Field(ge=1, le=MAX_ROW_ID)
    locale: Annotated[str, StringConstraints(pattern="^(zh_Hans|en)$"), Printable] | None = None


class UserPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), Printable]
        | None
    ) = None
    email: Email | None = None
    role: Role | None = None
    is_active: bool | None = None
    password: Password | None = None
    current_password: str | None = Field(
        default=None, max_length=200, description="Required to change one's own password."
    )


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    username: str
    display_name: str
    email: str | None
    role: Role
    org_id: int
    is_active: bool
    last_login_at: datetime | None
    created_at: datetime


class TokenIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), Printable]
    expires_days: int | None = Field(default=None, ge=1, le=3650)


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret; shown once, store it now.")
