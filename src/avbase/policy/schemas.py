"""Pydantic shapes of the policy module."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


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


class ApplicationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    measure_id: Annotated[str, Field(pattern=r"^[a-z0-9.\-]{3,80}$")]
    item: Annotated[str, Field(min_length=1, max_length=200)]
    facts: Annotated[dict[Annotated[str, Field(max_length=40)], FactValue], Field(max_length=20)] = {}


class ApplicationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    item: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    facts: Annotated[dict[Annotated[str, Field(max_length=40)], FactValue], Field(max_length=20)] = {}


class SubmitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    on: date | None = None


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "return", "reject"]
    comment: Annotated[str, Field(max_length=2000)] | None = None


class CommitIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: Annotated[int, Field(ge=2000, le=2100)]


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: Annotated[str, Field(max_length=2000)] = ""


class BudgetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    amount: Annotated[Decimal, Field(ge=0, le=Decimal("1e13"), decimal_places=2)]


class RouteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    document: Annotated[str, Field(pattern=r"^[a-z0-9]{2,20}$")]
    unit: Annotated[str, Field(min_length=1, max_length=100)]
    org_id: Annotated[int, Field(ge=1, le=2**31 - 1)]


class ReviewOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    stage: str
    round: int
    unit: str
    org_id: int
    decision: str
    comment: str | None


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    evidence: str
    file_name: str
    media_type: str
    size: int
    sha256: str


class ApplicationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    measure_id: str
    org_id: int
    item: str
    facts: dict[str, Any]
    state: str
    quoted_amount: Decimal | None
    approved_amount: Decimal | None
    trace: list[str]  # in the reader's language
    submitted_on: date | None
    reviews: list[ReviewOut]
    attachments: list[AttachmentOut]

    @field_validator("trace", mode="before")
    @classmethod
    def _in_the_readers_language(cls, trace: list[object]) -> list[str]:
        from avbase.policy.views import trace_lines  # views imports the schemas

        return trace_lines(trace)


class LedgerEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    measure_id: str
    year: int
    application_id: int
    kind: str
    amount: Decimal
    note: str | None


class AwardRowOut(BaseModel):
    key: str
    name: str
    applications: int
    approved: Decimal
    committed: Decimal
    disbursed: Decimal
    budget: Decimal | None
    states: dict[str, int]


class CriterionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, Field(pattern=r"^[a-z_]{1,30}$")]
    name: Annotated[str, Field(min_length=1, max_length=60)]
    max: Annotated[float, Field(gt=0, le=1000)]


class RoundIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    measure_id: Annotated[str, Field(pattern=r"^[a-z0-9.\-]{3,80}$")]
    year: Annotated[int, Field(ge=2000, le=2100)]
    title: Annotated[str, Field(min_length=1, max_length=200)]
    criteria: Annotated[list[CriterionIn], Field(min_length=1, max_length=12)]
    deadline: date
    quota: Annotated[int, Field(ge=1, le=10_000)]


class EntryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Annotated[str, Field(min_length=1, max_length=200)]
    summary: Annotated[str, Field(max_length=4000)] | None = None


class ExpertIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_id: Annotated[int, Field(ge=1, le=2**31 - 1)]


class MarksIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    marks: Annotated[
        dict[Annotated[str, Field(max_length=30)], Annotated[float, Field(ge=0, le=1000)]],
        Field(max_length=12),
    ]


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    title: str
    summary: str | None
    rank: int | None
    score: float | None
    listed: bool


class RoundOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    measure_id: str
    year: int
    title: str
    criteria: list[dict[str, Any]]
    deadline: date
    quota: int
    state: str
    entries: list[EntryOut]
