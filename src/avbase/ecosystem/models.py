"""The ecosystem's tables: algorithm contests (马栏山杯) with tasks, teams, submissions and standings."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from avbase.core.audit import Audited
from avbase.core.db import Base, TimestampMixin, str_enum, utcnow

IDS_NEVER_REUSED = {"sqlite_autoincrement": True}


class ContestState(StrEnum):
    open = "open"  # taking submissions until the deadline
    closed = "closed"  # private scores and the final leaderboard are shown


class Contest(Audited, TimestampMixin, Base):
    __tablename__ = "eco_contests"
    __table_args__ = (IDS_NEVER_REUSED,)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    deadline: Mapped[datetime | None]
    daily_limit: Mapped[int]  # scored tries per participant (user or team) per task and day (Beijing time)
    state: Mapped[ContestState] = mapped_column(str_enum(ContestState), default=ContestState.open)
    closed_at: Mapped[datetime | None]
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    tasks: Mapped[list[ContestTask]] = relationship(
        order_by="ContestTask.id", back_populates="contest", cascade="all, delete-orphan"
    )


class ContestTask(Audited, Base):
    """One task of a contest: its metric, its hidden truth (in the file store) and the fixed random split
    of its test items into a public and a private part."""

    __tablename__ = "eco_contest_tasks"
    __table_args__ = (IDS_NEVER_REUSED,)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("eco_contests.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    metric: Mapped[str] = mapped_column(String(40))
    truth_sha256: Mapped[str] = mapped_column(String(64))
    truth_name: Mapped[str] = mapped_column(String(200))
    items: Mapped[int]  # test items in the truth
    public_share: Mapped[float]
    split_seed: Mapped[int]  # with the truth's items, fixes which are public
    # The hidden inputs given to code submissions (JSON in the file store); a task with inputs accepts code.
    inputs_sha256: Mapped[str | None] = mapped_column(String(64))
    inputs_name: Mapped[str | None] = mapped_column(String(200))

    contest: Mapped[Contest] = relationship(back_populates="tasks")

    @property
    def accepts_code(self) -> bool:
        return self.inputs_sha256 is not None


class Team(Audited, TimestampMixin, Base):
    __tablename__ = "eco_teams"
    __table_args__ = (UniqueConstraint("contest_id", "name"), IDS_NEVER_REUSED)

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("eco_contests.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(100))

    members: Mapped[list[TeamMember]] = relationship(order_by="TeamMember.id", cascade="all, delete-orphan")


class TeamMember(Audited, Base):
    __tablename__ = "eco_team_members"
    # One team per person in a contest: their tries count once.
    __table_args__ = (UniqueConstraint("contest_id", "user_id"), IDS_NEVER_REUSED)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("eco_teams.id", ondelete="CASCADE"), index=True)
    contest_id: Mapped[int] = mapped_column(ForeignKey("eco_contests.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))


class Submission(Audited, Base):
    """A prediction file, or code that makes one from the task's hidden inputs (``code``), for a task.
    Scored by a job; a run that fails is not held against the participant (the daily limit counts only
    submissions whose scoring job has not failed)."""

    __tablename__ = "eco_submissions"
    __table_args__ = (
        Index("ix_eco_submissions_task_participant", "task_id", "participant", "created_at"),
        IDS_NEVER_REUSED,
    )
    __audit_exclude__ = frozenset({"details"})

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("eco_contest_tasks.id", ondelete="CASCADE"))
    # "user:12", "team:3" or "operator" (the platform operator at the command line)
    participant: Mapped[str] = mapped_column(String(40))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("eco_teams.id", ondelete="SET NULL"))
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(String(200), default="")
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    public_score: Mapped[float | None]
    private_score: Mapped[float | None]  # shown only once the contest is closed
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    scored_at: Mapped[datetime | None]
    code: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The participant's own failure when their code ran: {"reason": timeout|memory|error|output, "detail",
    # "message"?, "params"?}. Scored (uses a try) but never on the leaderboard.
    failure: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Standing(Base):
    """A participant's best scored submission on a task (by public score, the earliest first on a tie),
    kept as submissions are scored so that a leaderboard is one indexed read."""

    __tablename__ = "eco_standings"
    __table_args__ = (
        UniqueConstraint("task_id", "participant"),
        Index("ix_eco_standings_public_order", "task_id", "public_key", "submitted_at", "id"),
        Index("ix_eco_standings_private_order", "task_id", "private_key", "submitted_at", "id"),
        IDS_NEVER_REUSED,
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("eco_contest_tasks.id", ondelete="CASCADE"))
    participant: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))  # the team's name or the person's display name
    submission_id: Mapped[int] = mapped_column(ForeignKey("eco_submissions.id", ondelete="CASCADE"))
    public_score: Mapped[float]
    private_score: Mapped[float | None]
    # The scores as ascending sort keys (negated where higher is better), so one index serves every metric.
    public_key: Mapped[float]
    private_key: Mapped[float | None]
    submitted_at: Mapped[datetime]
    entries: Mapped[int] = mapped_column(default=1)  # scored submissions so far


# --- shared resources (资源共享) ------------------------------------------------------------------------


class ResourceKind(StrEnum):
    dataset = "dataset"
    model = "model"
    code = "code"
    app = "app"
    content_pack = "content_pack"
    platform = "platform"  # a public service platform (公共服务平台)


class Access(StrEnum):
    open = "open"  # any signed-in user downloads
    on_request = "on_request"  # the owner approves each request first


class RequestState(StrEnum):
    pending = "pending"
    approved = "approved"
    refused = "refused"


class Resource(Audited, TimestampMixin, Base):
    """A shared dataset, model, code, app, content pack or public service platform."""

    __tablename__ = "eco_resources"
    __table_args__ = (IDS_NEVER_REUSED,)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[ResourceKind] = mapped_column(str_enum(ResourceKind), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    licence: Mapped[str] = mapped_column(String(100))  # an SPDX identifier or the licence's name
    access: Mapped[Access] = mapped_column(str_enum(Access), default=Access.open)
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    landing_url: Mapped[str | None] = mapped_column(String(300))  # a platform's or app's own address
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    publisher_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    media_asset_id: Mapped[int | None]  # published from the media library (an id of media's, no foreign key)
    downloads: Mapped[int] = mapped_column(default=0)

    versions: Mapped[list[ResourceVersion]] = relationship(
        order_by="ResourceVersion.id.desc()", cascade="all, delete-orphan", back_populates="resource"
    )


class ResourceVersion(Audited, Base):
    __tablename__ = "eco_resource_versions"
    __table_args__ = (UniqueConstraint("resource_id", "version"), IDS_NEVER_REUSED)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("eco_resources.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(40))
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    resource: Mapped[Resource] = relationship(back_populates="versions")
    files: Mapped[list[ResourceFile]] = relationship(order_by="ResourceFile.id", cascade="all, delete-orphan")


class ResourceFile(Audited, Base):
    """A file of a version; its bytes are in the content-addressed store."""

    __tablename__ = "eco_resource_files"
    __table_args__ = (IDS_NEVER_REUSED,)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("eco_resource_versions.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    media_type: Mapped[str] = mapped_column(String(100))


class AccessRequest(Audited, TimestampMixin, Base):
    __tablename__ = "eco_access_requests"
    __table_args__ = (IDS_NEVER_REUSED,)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("eco_resources.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(Text)
    state: Mapped[RequestState] = mapped_column(str_enum(RequestState), default=RequestState.pending)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(String(300), default="")


class Download(Base):
    """One download of one file (also written to the audit log): counts for profiles and rankings."""

    __tablename__ = "eco_downloads"
    __table_args__ = (Index("ix_eco_downloads_resource_at", "resource_id", "at"), IDS_NEVER_REUSED)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("eco_resources.id", ondelete="CASCADE"))
    file_id: Mapped[int] = mapped_column(ForeignKey("eco_resource_files.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)


class Rating(Audited, TimestampMixin, Base):
    __tablename__ = "eco_ratings"
    __table_args__ = (UniqueConstraint("resource_id", "user_id"), IDS_NEVER_REUSED)

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_id: Mapped[int] = mapped_column(ForeignKey("eco_resources.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    stars: Mapped[int]  # 1 to 5


# --- industry data service (行业数据服务) -------------------------------------------------------------------


class ApiKey(Audited, TimestampMixin, Base):
    """A key for outside users of the open statistics API, with a daily quota of calls."""

    __tablename__ = "eco_api_keys"
    __table_args__ = (IDS_NEVER_REUSED,)
    __audit_exclude__ = frozenset({"secret_hash", "last_used_at"})

    id: Mapped[int] = mapped_column(primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))  # who the key was given to
    contact: Mapped[str] = mapped_column(String(200), default="")
    prefix: Mapped[str] = mapped_column(String(12), unique=True)  # shown to tell keys apart
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the whole key
    daily_quota: Mapped[int]
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None]


class ApiKeyUse(Base):
    """Calls made with a key on one day (Beijing time), counted against its quota."""

    __tablename__ = "eco_api_key_uses"
    __table_args__ = (UniqueConstraint("key_id", "day"), IDS_NEVER_REUSED)

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[int] = mapped_column(ForeignKey("eco_api_keys.id", ondelete="CASCADE"))
    day: Mapped[date]
    calls: Mapped[int] = mapped_column(default=0)


# --- developer and creator ecosystems, experts, talent ------------------------------------------------------


class RankingScheme(Audited, TimestampMixin, Base):
    """How developers and creators are ranked, as data: each indicator's weight (shown beside the list)."""

    __tablename__ = "eco_ranking_schemes"
    __table_args__ = (IDS_NEVER_REUSED,)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    weights: Mapped[dict[str, float]] = mapped_column(JSON)  # indicator → weight, summing to 1


class Expert(Audited, TimestampMixin, Base):
    """A member of the expert think tank (专家智库): a user with fields, a title and the organisations they
    must not judge (their own is always one)."""

    __tablename__ = "eco_experts"
    __table_args__ = (IDS_NEVER_REUSED,)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    title: Mapped[str] = mapped_column(String(100))  # 职称: 教授, 高级工程师 …
    affiliation: Mapped[str] = mapped_column(String(200), default="")
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    conflicts: Mapped[list[int]] = mapped_column(JSON, default=list)  # organisation ids
    active: Mapped[bool] = mapped_column(default=True)


class TalentLevel(StrEnum):
    junior = "junior"
    senior = "senior"
    leading = "leading"  # 领军人才


class TalentDemand(Audited, TimestampMixin, Base):
    """Talent an enterprise wants to bring in; the directory (人才引进需求名录) aggregates these."""

    __tablename__ = "eco_talent_demands"
    __table_args__ = (Index("ix_eco_talent_demands_field_region", "field", "region_code"), IDS_NEVER_REUSED)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(100))
    field: Mapped[str] = mapped_column(String(60))
    level: Mapped[TalentLevel] = mapped_column(str_enum(TalentLevel))
    count: Mapped[int]
    region_code: Mapped[str] = mapped_column(String(6))
    note: Mapped[str] = mapped_column(String(300), default="")
    open: Mapped[bool] = mapped_column(default=True)
