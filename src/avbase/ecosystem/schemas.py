"""What the ecosystem's REST routes take and give."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    metric: str
    items: int
    public_share: float


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
    state: str = Field(description="scoring, scored or failed (a failed run uses no try)")
    public_score: float | None
    private_score: float | None = Field(description="Only once the contest is closed.")
    job: int | None
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
