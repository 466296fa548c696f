"""Pydantic shapes of the chain module (distribution, settlement, reconciliation)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from avbase.kit.pagination import MAX_ROW_ID
from avbase.web.schemas import RowRef


class WindowIn(BaseModel):
    channel: str = Field(max_length=20)
    territory: str = Field(max_length=20)
    starts_on: date
    ends_on: date | None = None
    exclusive: bool = False
    licensee_org_id: RowRef | None = None
    note: str | None = Field(default=None, max_length=500)


class WindowOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    channel: str
    territory: str
    starts_on: date
    ends_on: date | None
    exclusive: bool
    licensee_org_id: int | None


class TitleIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    kind: str = Field(max_length=20)
    work_id: RowRef | None = None
    note: str | None = Field(default=None, max_length=2000)


class TitleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    name: str
    kind: str
    work_id: int | None
    windows: list[WindowOut]


class PartyBody(BaseModel):
    role: str = Field(min_length=1, max_length=80)
    name: str = Field(min_length=1, max_length=200)
    org_id: RowRef | None = None


class TermBody(BaseModel):
    name: str = Field(min_length=1, max_length=40)
    value: str = Field(min_length=1, max_length=200)
    effective_from: date
    source: str | None = Field(default=None, max_length=500)


class ContractIn(BaseModel):
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    title_id: RowRef
    model: str = Field(max_length=40)
    starts_on: date
    ends_on: date | None = None
    parties: list[PartyBody]
    terms: list[TermBody] = []


class PartyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    role: str
    name: str
    org_id: int | None


class TermOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    value: str
    effective_from: date
    source: str | None


class ContractOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    org_id: int
    title_id: int
    model: str
    starts_on: date
    ends_on: date | None
    parties: list[PartyOut]
    terms: list[TermOut]


class QuoteIn(BaseModel):
    model: str = Field(max_length=40)
    params: dict[str, str]
    on: date | None = None


class SettleIn(BaseModel):
    period: str = Field(pattern=r"^\d{4}-\d{2}$")


class StatementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    role: str
    name: str
    org_id: int | None
    amount: Decimal
    adjustment: Decimal


class RunOut(BaseModel):
    id: int
    contract_id: int
    period: str
    sequence: int
    state: str
    base: Decimal | None  # None for a party that sees only its own statement
    statements: list[StatementOut]
    trace: list[str]


class ImportOut(BaseModel):
    id: int
    file_name: str
    rows: int
    amount: Decimal
    template: str | None


class BalanceOut(BaseModel):
    party: str
    name: str
    account: str
    owed: Decimal


class ReconciliationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    counterparty: str
    statement_name: str
    expected_name: str
    lines: int
    discrepancies: list[dict[str, Any]]


class ClaimIn(BaseModel):
    reconciliation_id: RowRef
    index: int = Field(ge=0, le=MAX_ROW_ID)
    counterparty_org_id: RowRef | None = None
    text: str = Field(min_length=1, max_length=2000)


class ClaimTextIn(BaseModel):
    text: str = Field(default="", max_length=2000)


class ClaimEventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    text: str
    org_id: int | None


class ClaimOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    counterparty_org_id: int | None
    title: str
    period: str
    metric: str
    kind: str
    difference: str
    state: str
    events: list[ClaimEventOut]
