"""Pydantic shapes of the policy module."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field


class ParameterOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    value: str
    effective_from: date
    note: str | None


class MeasureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    document_code: str
    article: str
    kind: str
    title_zh: str
    title_en: str
    source_text: str
    units: list[str]
    lead_unit: str | None
    units_note: str | None
    evidence: list[str]
    facts: list[dict[str, Any]]
    group_key: str | None
    note: str | None
    parameters: list[ParameterOut]


FactValue = Annotated[str, Field(max_length=40)]


class QuoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    facts: Annotated[dict[Annotated[str, Field(max_length=40)], FactValue], Field(max_length=20)] = {}
    on: date | None = None


class StepOut(BaseModel):
    text: str
    msgid: str
    params: dict[str, Any]


class QuoteOut(BaseModel):
    measure: str
    on: date
    eligible: bool
    outcome: str
    amount: Decimal | None
    reason: str | None
    trace: list[StepOut]


class ParameterIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(max_length=20)]
    value: Annotated[str, Field(max_length=40)]
    effective_from: date
    note: Annotated[str, Field(max_length=500)] | None = None
