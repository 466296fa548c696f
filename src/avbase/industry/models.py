"""Industry registry, periodic reports, targets, index definitions and ranking schemes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Connection,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    event,
    inspect,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from avbase.core.accounts.models import Organisation
from avbase.core.audit import Audited
from avbase.core.db import Base, TimestampMixin, str_enum, utcnow
from avbase.kit.money import Money


class Cluster(StrEnum):
    """The three 千亿级 clusters of ZJ 总体要求."""

    content = "content"  # 视听内容生产
    electronics = "electronics"  # 视听电子产品
    services = "services"  # 视听文化服务


class Tier(StrEnum):
    """ZJ 3 梯度培育."""

    chain_leader = "chain_leader"  # 链主
    little_giant = "little_giant"  # 小巨人
    growth = "growth"  # 成长型
    none = "none"


class ParkLevel(StrEnum):
    national = "national"
    provincial_key = "provincial_key"
    municipal = "municipal"


class ParkStatus(StrEnum):
    candidate = "candidate"
    active = "active"
    warned = "warned"
    exited = "exited"


class Recommendation(StrEnum):
    """ZJ 4 进入退出机制."""

    enter = "enter"
    keep = "keep"
    warn = "warn"
    exit = "exit"


class ProjectTier(StrEnum):
    """ZJ 2 "146": about 10 head and 40 waist projects a year."""

    head = "head"
    waist = "waist"
    other = "other"


class ProjectStatus(StrEnum):
    planned = "planned"
    in_progress = "in_progress"
    completed = "completed"
    suspended = "suspended"


class PeriodKind(StrEnum):
    month = "month"
    quarter = "quarter"
    year = "year"


class Normalisation(StrEnum):
    minmax = "minmax"
    zscore = "zscore"
    base_ratio = "base_ratio"  # value / value in the base period × 100


class UnitLevel(StrEnum):
    city = "city"
    county = "county"
    park = "park"
    province = "province"


class ClassificationVersion(Audited, TimestampMixin, Base):
    __tablename__ = "industry_classifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    issued_on: Mapped[date | None]
    source: Mapped[str | None] = mapped_column(Text)
    is_current: Mapped[bool] = mapped_column(default=False)

    categories: Mapped[list[Category]] = relationship(
        back_populates="version", order_by="Category.code", cascade="all, delete-orphan"
    )


class Category(Audited, Base):
    __tablename__ = "industry_categories"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("industry_classifications.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(20))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(150))
    cluster: Mapped[Cluster] = mapped_column(str_enum(Cluster))
    # 文化及相关产业分类(2018) class code, where the category has one.
    national_code: Mapped[str | None] = mapped_column(String(10))

    version: Mapped[ClassificationVersion] = relationship(back_populates="categories")


class Park(Audited, TimestampMixin, Base):
    __tablename__ = "industry_parks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    level: Mapped[ParkLevel] = mapped_column(str_enum(ParkLevel), index=True)
    status: Mapped[ParkStatus] = mapped_column(str_enum(ParkStatus), default=ParkStatus.active)
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    # The operator organisation; enterprises in the park are managed by it (and visible to its users).
    operator_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    established_year: Mapped[int | None]
    note: Mapped[str | None] = mapped_column(Text)

    operator: Mapped[Organisation | None] = relationship(lazy="joined")

    @property
    def org_id(self) -> int | None:
        return self.operator_org_id


class Enterprise(Audited, TimestampMixin, Base):
    """The industry profile of an enterprise organisation (name and region live on the organisation)."""

    __tablename__ = "industry_enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), unique=True)
    credit_code: Mapped[str] = mapped_column(String(18), unique=True)
    park_id: Mapped[int | None] = mapped_column(
        ForeignKey("industry_parks.id", ondelete="SET NULL"), index=True
    )
    cluster: Mapped[Cluster] = mapped_column(str_enum(Cluster), index=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("industry_categories.id", ondelete="SET NULL"))
    tier: Mapped[Tier] = mapped_column(str_enum(Tier), default=Tier.none)
    specialised: Mapped[bool] = mapped_column(default=False)  # 专精特新
    provincial_key: Mapped[bool] = mapped_column(default=False, index=True)  # 省级重点企业

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    park: Mapped[Park | None] = relationship()
    category: Mapped[Category | None] = relationship()


class Report(Audited, Base):
    """One filing for one period. A correction is a new version; the old one stays, no longer current."""

    __tablename__ = "industry_reports"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "period_kind", "period_start", "version"),
        Index("ix_industry_reports_enterprise_period", "enterprise_id", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("industry_enterprises.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    period_kind: Mapped[PeriodKind] = mapped_column(str_enum(PeriodKind))
    period_start: Mapped[date]
    version: Mapped[int] = mapped_column(default=1)
    is_current: Mapped[bool] = mapped_column(default=True)
    revenue_content: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    revenue_electronics: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    revenue_services: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    rnd_expense: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    exports: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    investment: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    employees: Mapped[int] = mapped_column(default=0)
    titles: Mapped[int] = mapped_column(default=0)
    content_hours: Mapped[float] = mapped_column(default=0.0)
    note: Mapped[str | None] = mapped_column(Text)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    import_batch: Mapped[str | None] = mapped_column(String(64))
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    enterprise: Mapped[Enterprise] = relationship()

    @property
    def revenue_total(self) -> Decimal:
        return self.revenue_content + self.revenue_electronics + self.revenue_services


class YearlyFigure(Base):
    """Derived, one row per enterprise and year, rebuilt whenever that year's reports change.

    The KPI dashboard and the index read this table instead of scanning every report. A year's flows come
    from the annual report when there is one, else from the quarterly reports, else from the monthly ones;
    employees are the latest period's head count. The organisation's region is copied here so that a
    region's figures are read without a join (kept in step by :func:`_figures_follow_the_region`).
    """

    __tablename__ = "industry_yearly_figures"
    __table_args__ = (
        Index("ix_industry_yearly_figures_year", "year"),
        # Covers the revenue sums of a region's year (KPI, trend), so those never read the table itself.
        Index(
            "ix_industry_yearly_figures_year_region",
            "year",
            "region_code",
            "revenue_content",
            "revenue_electronics",
            "revenue_services",
            "revenue_total",
        ),
    )

    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("industry_enterprises.id", ondelete="CASCADE"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), server_default="")
    basis: Mapped[PeriodKind] = mapped_column(str_enum(PeriodKind))
    months_covered: Mapped[int]
    revenue_content: Mapped[Decimal] = mapped_column(Money)
    revenue_electronics: Mapped[Decimal] = mapped_column(Money)
    revenue_services: Mapped[Decimal] = mapped_column(Money)
    revenue_total: Mapped[Decimal] = mapped_column(Money)
    rnd_expense: Mapped[Decimal] = mapped_column(Money)
    exports: Mapped[Decimal] = mapped_column(Money)
    investment: Mapped[Decimal] = mapped_column(Money)
    employees: Mapped[int]
    titles: Mapped[int]
    content_hours: Mapped[float]


class Project(Audited, TimestampMixin, Base):
    __tablename__ = "industry_projects"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    tier: Mapped[ProjectTier] = mapped_column(str_enum(ProjectTier), index=True)
    year_selected: Mapped[int] = mapped_column(index=True)
    lead_enterprise_id: Mapped[int | None] = mapped_column(
        ForeignKey("industry_enterprises.id", ondelete="SET NULL")
    )
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    park_id: Mapped[int | None] = mapped_column(ForeignKey("industry_parks.id", ondelete="SET NULL"))
    region_code: Mapped[str] = mapped_column(String(6), index=True)
    status: Mapped[ProjectStatus] = mapped_column(str_enum(ProjectStatus), default=ProjectStatus.planned)
    planned_total: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    description: Mapped[str | None] = mapped_column(Text)

    lead_enterprise: Mapped[Enterprise | None] = relationship()
    park: Mapped[Park | None] = relationship()
    years: Mapped[list[ProjectYear]] = relationship(
        order_by="ProjectYear.year", cascade="all, delete-orphan", back_populates="project"
    )
    milestones: Mapped[list[Milestone]] = relationship(
        order_by="Milestone.due_on", cascade="all, delete-orphan", back_populates="project"
    )


class ProjectYear(Audited, Base):
    __tablename__ = "industry_project_years"
    __table_args__ = (UniqueConstraint("project_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("industry_projects.id", ondelete="CASCADE"))
    year: Mapped[int]
    planned: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    completed: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))

    project: Mapped[Project] = relationship(back_populates="years")


class Milestone(Audited, Base):
    __tablename__ = "industry_milestones"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("industry_projects.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date]
    done_on: Mapped[date | None]

    project: Mapped[Project] = relationship(back_populates="milestones")


class Target(Audited, TimestampMixin, Base):
    """A monitored target, as data with its source clause (ZJ 总体要求, ZJ 2 …)."""

    __tablename__ = "industry_targets"
    __table_args__ = (UniqueConstraint("scheme", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scheme: Mapped[str] = mapped_column(String(40))  # e.g. zj2024
    key: Mapped[str] = mapped_column(String(60))  # a metric of avbase.industry.kpi.METRICS
    label_zh: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    value: Mapped[Decimal] = mapped_column(Money)  # yuan for money, a plain count otherwise (stored ×100)
    unit: Mapped[str] = mapped_column(String(10))  # yuan | count
    target_year: Mapped[int]
    from_year: Mapped[int | None]  # cumulative targets count from this year (ZJ 2: 2024–2027)
    region_prefix: Mapped[str] = mapped_column(String(6))  # GB/T 2260 prefix the target covers
    source: Mapped[str] = mapped_column(Text)  # the verbatim clause


class IndexDefinition(Audited, TimestampMixin, Base):
    """A composite index (OECD/JRC handbook): pillars of weighted indicators. Edits make a new version."""

    __tablename__ = "industry_index_definitions"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(default=1)
    title: Mapped[str] = mapped_column(String(200))
    unit_level: Mapped[UnitLevel] = mapped_column(str_enum(UnitLevel))
    region_prefix: Mapped[str] = mapped_column(String(6))
    normalisation: Mapped[Normalisation] = mapped_column(str_enum(Normalisation))
    base_period: Mapped[int | None]
    pillars: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    note: Mapped[str | None] = mapped_column(Text)
    # Levels below the headline unit computed on the same method (马栏山指数: cities and parks).
    sub_levels: Mapped[list[str]] = mapped_column(JSON, default=list)


class IndexRun(Base):
    """A computed index for one period, frozen with its inputs so every value can be explained later."""

    __tablename__ = "industry_index_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(
        ForeignKey("industry_index_definitions.id", ondelete="CASCADE")
    )
    period: Mapped[int]
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    computed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    input_digest: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)

    definition: Mapped[IndexDefinition] = relationship()


class IndexPoint(Audited, Base):
    """A frozen point of an index series: one period at one unit level, computed with the definition
    version it names. Recorded when a bulletin is published; later method changes never recompute it."""

    __tablename__ = "industry_index_points"
    __audit_exclude__ = frozenset({"result"})
    __table_args__ = (UniqueConstraint("series", "level", "period"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(60))  # the definition's name
    level: Mapped[UnitLevel] = mapped_column(str_enum(UnitLevel))
    period: Mapped[int]
    definition_id: Mapped[int] = mapped_column(ForeignKey("industry_index_definitions.id"))
    input_digest: Mapped[str] = mapped_column(String(64))
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    frozen_at: Mapped[datetime] = mapped_column(default=utcnow)
    frozen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    definition: Mapped[IndexDefinition] = relationship()


class BulletinStatus(StrEnum):
    draft = "draft"
    published = "published"


class IndexBulletin(Audited, TimestampMixin, Base):
    """指数发布: the annual bulletin of an index. A draft is computed live; publishing freezes its content
    (``snapshot``) and the series points it shows, and makes it public."""

    __tablename__ = "industry_index_bulletins"
    __audit_exclude__ = frozenset({"snapshot"})
    __table_args__ = (UniqueConstraint("series", "period"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    series: Mapped[str] = mapped_column(String(60))
    period: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[BulletinStatus] = mapped_column(
        str_enum(BulletinStatus), default=BulletinStatus.draft, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    snapshot_digest: Mapped[str | None] = mapped_column(String(64))


class RankingScheme(Audited, TimestampMixin, Base):
    """赛马 (ZJ 3): how enterprises or their products are scored within a peer group."""

    __tablename__ = "industry_ranking_schemes"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(20))  # enterprise | product
    group_by: Mapped[str] = mapped_column(String(20))  # cluster | category | tier
    metrics: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class Product(Audited, TimestampMixin, Base):
    """A product or technology registered under an enterprise, for the 赛马 ranking."""

    __tablename__ = "industry_products"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("industry_enterprises.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))  # product | technology
    cluster: Mapped[Cluster] = mapped_column(str_enum(Cluster))
    launched_year: Mapped[int | None]

    enterprise: Mapped[Enterprise] = relationship()
    figures: Mapped[list[ProductFigure]] = relationship(
        order_by="ProductFigure.year", cascade="all, delete-orphan", back_populates="product"
    )


class ProductFigure(Audited, Base):
    __tablename__ = "industry_product_figures"
    __table_args__ = (UniqueConstraint("product_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("industry_products.id", ondelete="CASCADE"))
    year: Mapped[int]
    revenue: Mapped[Decimal] = mapped_column(Money, default=Decimal(0))
    users: Mapped[int] = mapped_column(default=0)
    patents: Mapped[int] = mapped_column(default=0)

    product: Mapped[Product] = relationship(back_populates="figures")


class ParkEvaluation(Audited, Base):
    """A yearly evaluation of a park against configurable indicators (ZJ 4 进入退出机制)."""

    __tablename__ = "industry_park_evaluations"
    __table_args__ = (UniqueConstraint("park_id", "year", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    park_id: Mapped[int] = mapped_column(ForeignKey("industry_parks.id", ondelete="CASCADE"), index=True)
    year: Mapped[int]
    version: Mapped[int] = mapped_column(default=1)
    scheme: Mapped[dict[str, Any]] = mapped_column(JSON)  # the indicators, weights and thresholds used
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON)  # indicator → raw value, points
    score: Mapped[float]
    recommendation: Mapped[Recommendation] = mapped_column(str_enum(Recommendation))
    evaluated_at: Mapped[datetime] = mapped_column(default=utcnow)
    evaluated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    park: Mapped[Park] = relationship()


class ImportTemplate(Audited, TimestampMixin, Base):
    """How one source organisation's forms map to import fields, saved by the organisation importing them."""

    __tablename__ = "industry_import_templates"
    __table_args__ = (UniqueConstraint("org_id", "kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # enterprises | reports | parks | projects
    name: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(200))  # the organisation whose forms these are
    # Normalised header title → field ('' for a column the import leaves out).
    mapping: Mapped[dict[str, str]] = mapped_column(JSON)
    unit: Mapped[str | None] = mapped_column(String(10))  # for forms that never say their money unit
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


@event.listens_for(Organisation, "after_update")
def _figures_follow_the_region(_mapper: Any, connection: Connection, target: Organisation) -> None:
    """An organisation that moves takes its enterprise's yearly figures to the new region."""
    if not inspect(target).attrs.region_code.history.has_changes():
        return
    connection.execute(
        update(YearlyFigure)
        .where(YearlyFigure.enterprise_id.in_(select(Enterprise.id).where(Enterprise.org_id == target.id)))
        .values(region_code=target.region_code)
    )
