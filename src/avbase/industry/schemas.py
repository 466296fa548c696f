"""Pydantic shapes of the industry module: what forms, the API and imports accept and return."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from avbase.core.accounts.schemas import Name, Printable, RegionCode
from avbase.core.errors import InvalidValue
from avbase.core.i18n import N_
from avbase.industry.credit_code import normalise_credit_code
from avbase.industry.models import (
    Cluster,
    Normalisation,
    ParkLevel,
    ParkStatus,
    PeriodKind,
    ProjectStatus,
    ProjectTier,
    Recommendation,
    Tier,
    UnitLevel,
)
from avbase.kit.money import to_yuan
from avbase.web.schemas import RowRef

MAX_AMOUNT = Decimal("1e15")  # a million 亿; anything larger is a typing error


def _amount(value: object) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    if isinstance(value, bool):
        raise InvalidValue(N_("Must be an amount in yuan."))
    try:
        amount = to_yuan(value)
    except ValueError as exc:
        raise InvalidValue(N_("Must be an amount in yuan.")) from exc
    if amount < 0:
        raise InvalidValue(N_("Must not be negative."))
    if amount > MAX_AMOUNT:
        raise InvalidValue(N_("The amount is implausibly large."))
    return amount


Amount = Annotated[Decimal, BeforeValidator(_amount)]
Count = Annotated[int, Field(ge=0, le=10_000_000)]
Year = Annotated[int, Field(ge=1949, le=2100)]
CreditCode = Annotated[str, Printable, AfterValidator(normalise_credit_code)]

_PERIOD_PATTERNS = {
    PeriodKind.month: re.compile(r"^(\d{4})-(\d{2})$"),
    PeriodKind.quarter: re.compile(r"^(\d{4})-?Q([1-4])$"),
    PeriodKind.year: re.compile(r"^(\d{4})$"),
}


def parse_period(text: str) -> tuple[PeriodKind, date]:
    """'2025' → year, '2025-Q2' → quarter starting 2025-04-01, '2025-03' → month."""
    text = str(text).strip().upper()
    for kind, pattern in _PERIOD_PATTERNS.items():
        if found := pattern.match(text):
            year, part = int(found.group(1)), int(found.group(2)) if found.lastindex == 2 else 1
            month = (part - 1) * 3 + 1 if kind is PeriodKind.quarter else part
            if not 1 <= month <= 12 or not 1949 <= year <= 2100:
                break
            return kind, date(year, month, 1)
    raise InvalidValue(N_("A period is written 2025, 2025-Q2 or 2025-03."))


def period_label(kind: PeriodKind, start: date) -> str:
    if kind is PeriodKind.year:
        return str(start.year)
    if kind is PeriodKind.quarter:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return f"{start.year}-{start.month:02d}"


def period_end(kind: PeriodKind, start: date) -> date:
    """The first day after the period."""
    months = {PeriodKind.month: 1, PeriodKind.quarter: 3, PeriodKind.year: 12}[kind]
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


class EnterpriseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    credit_code: CreditCode
    region_code: RegionCode
    cluster: Cluster
    category_code: Annotated[str, Field(max_length=20), Printable] | None = None
    park_id: RowRef | None = None
    tier: Tier = Tier.none
    specialised: bool = False
    provincial_key: bool = False


class EnterprisePatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    region_code: RegionCode | None = None
    cluster: Cluster | None = None
    category_code: Annotated[str, Field(max_length=20), Printable] | None = None
    park_id: RowRef | None = None
    tier: Tier | None = None
    specialised: bool | None = None
    provincial_key: bool | None = None


class EnterpriseOut(BaseModel):
    id: int
    org_id: int
    name: str
    credit_code: str
    region_code: str
    cluster: Cluster
    category_code: str | None
    park_id: int | None
    park_name: str | None
    tier: Tier
    specialised: bool
    provincial_key: bool


class ReportIn(BaseModel):
    """One period's figures. Money in yuan (numbers or decimal strings)."""

    model_config = ConfigDict(extra="forbid")

    period: Annotated[str, Field(max_length=10), Printable]
    revenue_content: Amount = Decimal(0)
    revenue_electronics: Amount = Decimal(0)
    revenue_services: Amount = Decimal(0)
    rnd_expense: Amount = Decimal(0)
    exports: Amount = Decimal(0)
    investment: Amount = Decimal(0)
    employees: Count = 0
    titles: Count = 0
    content_hours: Annotated[float, Field(ge=0, le=10_000_000, allow_inf_nan=False)] = 0.0
    note: Annotated[str, Field(max_length=2000), Printable] | None = None

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        parse_period(value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> ReportIn:
        revenue = self.revenue_content + self.revenue_electronics + self.revenue_services
        if self.rnd_expense > revenue:
            raise InvalidValue(N_("R&D expense cannot exceed revenue."))
        if self.exports > revenue:
            raise InvalidValue(N_("Exports cannot exceed revenue."))
        return self


class ReportOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    enterprise_id: int
    period: str
    period_kind: PeriodKind
    version: int
    is_current: bool
    revenue_total: Decimal
    revenue_content: Decimal
    revenue_electronics: Decimal
    revenue_services: Decimal
    rnd_expense: Decimal
    exports: Decimal
    investment: Decimal
    employees: int
    titles: int
    content_hours: float
    note: str | None


class ParkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    level: ParkLevel
    region_code: RegionCode
    status: ParkStatus = ParkStatus.active
    operator_org_id: RowRef | None = None
    established_year: Year | None = None


class ParkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    level: ParkLevel
    status: ParkStatus
    region_code: str
    operator_org_id: int | None
    established_year: int | None


class ParkEvaluationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    park_id: int
    year: int
    version: int
    score: float
    recommendation: Recommendation
    inputs: dict[str, Any]
    evaluated_at: datetime


class ProjectYearIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    year: Year
    planned: Amount = Decimal(0)
    completed: Amount = Decimal(0)


class ProjectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    tier: ProjectTier
    year_selected: Year
    region_code: RegionCode
    lead_credit_code: CreditCode | None = None
    park_id: RowRef | None = None
    status: ProjectStatus = ProjectStatus.planned
    planned_total: Amount = Decimal(0)
    years: Annotated[list[ProjectYearIn], Field(max_length=30)] = []
    description: Annotated[str, Field(max_length=4000), Printable] | None = None


class ProjectPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: ProjectStatus | None = None
    planned_total: Amount | None = None
    years: Annotated[list[ProjectYearIn], Field(max_length=30)] = []


class MilestoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Name
    due_on: date
    done_on: date | None = None


class MilestoneDone(BaseModel):
    model_config = ConfigDict(extra="forbid")

    done_on: date


class MilestoneOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    title: str
    due_on: date
    done_on: date | None


class ProjectYearOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    year: int
    planned: Decimal
    completed: Decimal


class ProjectOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    tier: ProjectTier
    year_selected: int
    region_code: str
    lead_enterprise_id: int | None
    park_id: int | None
    status: ProjectStatus
    planned_total: Decimal
    years: list[ProjectYearOut]
    milestones: list[MilestoneOut]


class IndicatorSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: str
    weight: Annotated[float, Field(gt=0, le=1000)]
    direction: Annotated[int, Field(ge=-1, le=1)] = 1


class PillarSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, Field(pattern=r"^[a-z_]{1,40}$")]
    name_zh: str
    name_en: str
    weight: Annotated[float, Field(gt=0, le=1000)]
    indicators: Annotated[list[IndicatorSpec], Field(min_length=1, max_length=20)]


class IndexDefinitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(pattern=r"^[a-z0-9_-]{2,60}$")]
    title: Name
    unit_level: UnitLevel
    region_prefix: Annotated[str, Field(pattern=r"^\d{2,6}$")]
    normalisation: Normalisation
    base_period: Year | None = None
    pillars: Annotated[list[PillarSpec], Field(min_length=1, max_length=12)]
    note: str | None = None
    # Sub-indices on the same method for smaller units of the same region (cities, parks).
    sub_levels: Annotated[list[UnitLevel], Field(max_length=3)] = []

    @model_validator(mode="after")
    def _check(self) -> IndexDefinitionIn:
        from avbase.industry.indicators import INDICATORS

        if self.normalisation is Normalisation.base_ratio and self.base_period is None:
            raise InvalidValue(N_("Normalisation to a base period needs a base period."))
        for pillar in self.pillars:
            for indicator in pillar.indicators:
                if indicator.key not in INDICATORS:
                    raise InvalidValue(N_("Unknown indicator: {key}."), key=indicator.key)
        return self


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, Field(max_length=60)]
    label_zh: Name
    label_en: Name
    value: Amount
    unit: Annotated[str, Field(pattern=r"^(yuan|count)$")]
    target_year: Year
    from_year: Year | None = None
    source: Annotated[str, Field(min_length=1, max_length=2000)]


class TargetSchemeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scheme: Annotated[str, Field(pattern=r"^[a-z0-9_-]{2,40}$")]
    region_prefix: Annotated[str, Field(pattern=r"^\d{2,6}$")]
    targets: Annotated[list[TargetIn], Field(min_length=1, max_length=100)]


def dump_money(values: dict[str, Any]) -> dict[str, Any]:
    """Decimal → str for JSON output, so yuan amounts keep every fen."""
    return {key: str(value) if isinstance(value, Decimal) else value for key, value in values.items()}


# --- monitoring views (API out) ----------------------------------------------------------------------


class KpiRowOut(BaseModel):
    """One target; amounts are yuan (decimal strings), counts plain numbers as strings, rates 0–1."""

    key: str
    label: str
    unit: str
    year: int
    target: str
    target_year: int
    current: str
    progress: str
    years_left: int
    needed_growth: str | None
    needed_per_year: str | None
    actual_growth: str | None
    met: bool
    on_track: bool
    source: str


class KpiOut(BaseModel):
    scheme: str
    year: int
    targets: list[KpiRowOut]


class DrilldownRowOut(BaseModel):
    unit: str
    name: str
    indicators: dict[str, float | None]


class IndicatorScoreOut(BaseModel):
    raw: float | None
    normalised: float | None
    effective_weight: float
    contribution: float


class IndexUnitOut(BaseModel):
    unit: str
    name: str
    rank: int | None
    composite: float | None
    pillars: dict[str, float | None]
    indicators: dict[str, dict[str, IndicatorScoreOut]]
    missing: list[str]


class IndexRunOut(BaseModel):
    run: int
    definition: str
    version: int
    title: str
    period: int
    normalisation: Normalisation
    base_period: int | None
    input_digest: str
    parameters: dict[str, dict[str, float]]
    units: list[IndexUnitOut]


class SensitivityRowOut(BaseModel):
    unit: str
    name: str
    baseline_rank: int | None
    ranks: dict[str, int | None]
    max_shift: int


class SensitivityOut(BaseModel):
    definition: str
    period: int
    scenarios: list[str]
    mean_shift: dict[str, float]
    rows: list[SensitivityRowOut]


class RankRowOut(BaseModel):
    rank: int
    id: int
    name: str
    score: float
    previous_rank: int | None
    movement: int | None
    metrics: dict[str, float | None]


class RankingOut(BaseModel):
    scheme: str
    title: str
    group: str
    period: int
    region: str
    rows: list[RankRowOut]


class YearlyFigureOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    year: int
    basis: PeriodKind
    months_covered: int
    revenue_total: Decimal
    revenue_content: Decimal
    revenue_electronics: Decimal
    revenue_services: Decimal
    rnd_expense: Decimal
    exports: Decimal
    investment: Decimal
    employees: int
    titles: int
    content_hours: float
    key_support: bool = False


class FiledOut(BaseModel):
    report: ReportOut
    corrected_version: int | None


class ImportQueuedOut(BaseModel):
    job_id: int
    kind: str
    file_name: str


ImportKind = Literal["enterprises", "reports", "parks", "projects"]
MoneyUnit = Literal["元", "千元", "万元", "百万元", "亿元"]


class ImportTemplateIn(BaseModel):
    """A column mapping for one source organisation's forms: header title → field ('' leaves it out)."""

    model_config = ConfigDict(extra="forbid")

    kind: ImportKind
    name: Annotated[str, Field(min_length=1, max_length=80), Printable]
    source: Annotated[str, Field(min_length=1, max_length=200), Printable]
    mapping: Annotated[
        dict[Annotated[str, Field(max_length=200)], Annotated[str, Field(max_length=40)]],
        Field(max_length=200),
    ]
    unit: MoneyUnit | None = None


class ImportTemplateOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    name: str
    source: str
    mapping: dict[str, str]
    unit: str | None
    updated_at: datetime


class ImportColumnOut(BaseModel):
    column: str
    title: str
    field: str | None
    match: str
    unit: str | None
    alternatives: list[str]


class ImportRowErrorOut(BaseModel):
    row: int
    column: str
    reason: str


class ImportPreviewOut(BaseModel):
    """What the import would do: the sheet, header rows, unit, mapping, first rows and every problem."""

    kind: str
    sheet: str
    sheets: list[str]
    header_rows: list[int]
    unit: str
    unit_source: str
    template: str | None
    columns: list[ImportColumnOut]
    rows: list[dict[str, Any]]
    row_count: int
    totals: list[dict[str, Any]]
    skipped_rows: list[int]
    errors: list[ImportRowErrorOut]
    result: dict[str, Any] | None


class SeriesPointOut(BaseModel):
    period: int
    version: int
    frozen: bool
    composite: float | None
    rank: int | None
    pillars: dict[str, float | None]
    change: float | None
    change_pct: float | None
    contributions: dict[str, float]
    contributions_pct: dict[str, float]
    rank_change: int | None
    method_change: bool


class SeriesUnitOut(BaseModel):
    unit: str
    name: str
    points: list[SeriesPointOut]


class IndexSeriesOut(BaseModel):
    definition: str
    version: int
    title: str
    level: UnitLevel
    base_period: int | None
    periods: list[int]
    method_changes: list[int]
    units: list[SeriesUnitOut]


class BulletinIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    series: Annotated[str, Field(pattern=r"^[a-z0-9_-]{2,60}$")]
    period: Year


class BulletinOut(BaseModel):
    id: int
    series: str
    period: int
    title: str
    status: str
    published_at: datetime | None
    snapshot_digest: str | None
    content: dict[str, Any] | None = None
