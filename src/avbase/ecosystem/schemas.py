"""What the ecosystem's REST routes take and give."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from avbase.kit.pagination import MAX_ROW_ID

Id = Annotated[int, Field(ge=1, le=MAX_ROW_ID)]


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    metric: str
    items: int
    public_share: float
    accepts_code: bool = Field(description="Whether code submissions (predict(inputs)) are accepted.")


class ContestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    state: str
    deadline: datetime | None
    daily_limit: int
    closed_at: datetime | None
    tasks: list[TaskOut]


class SubmissionOut(BaseModel):
    id: int
    task: int
    participant: str
    state: str = Field(
        description="scoring, scored, failed (on our side: uses no try) or code_failed (the participant's "
        "code failed: uses a try; see failure)"
    )
    public_score: float | None
    private_score: float | None = Field(description="Only once the contest is closed.")
    job: int | None
    code: bool = False
    failure: str | None = Field(
        default=None, description="Why the participant's code failed, in their language."
    )
    created_at: datetime


class BoardRowOut(BaseModel):
    rank: int
    participant: str
    score: float | None
    entries: int
    submission: int
    submitted_at: datetime


class LeaderboardOut(BaseModel):
    contest: int
    task: int
    private: bool
    total: int = Field(description="Participants on the board.")
    page: int
    per_page: int
    rows: list[BoardRowOut]


class TeamIn(BaseModel):
    name: str = Field(min_length=1, max_length=100)


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    contest_id: int
    name: str


class FailureOut(BaseModel):
    submission: int
    participant: str
    job: int
    error: str | None
    attempts: int


class ResourceIn(BaseModel):
    kind: str = Field(description="dataset, model, code, app, content_pack or platform")
    title: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=10_000)
    licence: str = Field(min_length=1, max_length=100)
    access: str = Field("open", description="open or on_request")
    keywords: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=20)
    landing_url: str | None = Field(None, max_length=300)


class AssetShareIn(BaseModel):
    asset_id: Id
    licence: str = Field(min_length=1, max_length=100)
    access: str = "open"


class FileOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    sha256: str
    size: int
    media_type: str


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    version: str
    notes: str
    created_at: datetime
    files: list[FileOut]


class ResourceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    title: str
    description: str
    licence: str
    access: str
    keywords: list[str]
    landing_url: str | None
    org_id: int
    publisher_id: int | None
    media_asset_id: int | None
    downloads: int
    versions: list[VersionOut]


class AccessRequestIn(BaseModel):
    purpose: str = Field(min_length=1, max_length=2000)


class DecisionIn(BaseModel):
    approve: bool
    note: str = Field("", max_length=300)


class AccessRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    resource_id: int
    user_id: int
    purpose: str
    state: str
    note: str


class StatisticRow(BaseModel):
    year: int
    measure: str
    unit: str
    region: str | None = Field(description="GB/T 2260 city code; null for the total over regions")
    region_name: str
    cluster: str | None = Field(description="content, electronics or services; null for the total")
    enterprises: int
    value: str | None = Field(description="Decimal as text; null when withheld")
    suppressed: str | None = Field(description="primary (too few or one dominant enterprise) or secondary")


class StatisticsOut(BaseModel):
    year: int
    measure: str
    rule: str
    rows: list[StatisticRow]


class ApiKeyIn(BaseModel):
    holder: str = Field(min_length=1, max_length=200)
    contact: str = Field("", max_length=200)
    daily_quota: int = Field(1000, ge=1, le=1_000_000)


class ApiKeyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    holder: str
    contact: str
    prefix: str
    daily_quota: int
    active: bool


class ApiKeyMadeOut(ApiKeyOut):
    key: str = Field(description="The secret, shown this once.")


class RankedOut(BaseModel):
    rank: int
    user: int | None = Field(description="The person; null on a ranking of organisations")
    organisation: int
    name: str
    score: float
    indicators: dict[str, float]
    normalised: dict[str, float]


class RankingOut(BaseModel):
    period: str
    by: Literal["people", "organisations"]
    scheme: str
    weights: dict[str, float]
    formula: list[str] = Field(description="Each indicator with its weight, as shown beside the list")
    rows: list[RankedOut]


class NominateIn(BaseModel):
    round_id: Id
    period: str
    top: int = Field(3, ge=1, le=100)
    scheme: str | None = None
    by: Literal["people", "organisations"] = "people"


class ExpertIn(BaseModel):
    user_id: Id
    title: str = Field(min_length=1, max_length=100)
    affiliation: str = Field("", max_length=200)
    fields: list[Annotated[str, Field(max_length=60)]] = Field(min_length=1, max_length=20)
    conflicts: list[Id] = Field(default_factory=list, max_length=50)


class ExpertOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int
    title: str
    affiliation: str
    fields: list[str]
    conflicts: list[int]


class PanelIn(BaseModel):
    round_id: Id
    field: str = Field(min_length=1, max_length=60)
    size: int = Field(3, ge=1, le=50)


class TalentIn(BaseModel):
    role: str = Field(min_length=1, max_length=100)
    field: str = Field(min_length=1, max_length=60)
    level: str = Field(description="junior, senior or leading")
    count: int = Field(ge=1, le=10_000)
    region_code: str | None = Field(None, pattern=r"^\d{6}$")
    note: str = Field("", max_length=300)


class TalentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    org_id: int
    role: str
    field: str
    level: str
    count: int
    region_code: str
    open: bool


class DirectoryRowOut(BaseModel):
    field: str
    region: str
    people: int
    enterprises: int
    by_level: dict[str, int]
    roles: list[str]
