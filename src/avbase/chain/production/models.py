"""Productions on the collaboration network: the companies and crew on them, scenes (from the script
breakdown) laid out into shooting days on a stripboard, and tasks between the companies with dependencies.
Modelled after Kitsu's productions, entities, tasks and task statuses."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from avbase.core.audit import Audited
from avbase.core.db import Base, TimestampMixin, str_enum


class ProductionStage(StrEnum):
    development = "development"
    pre_production = "pre_production"
    shooting = "shooting"
    post_production = "post_production"
    delivered = "delivered"


class TaskStatus(StrEnum):
    todo = "todo"
    in_progress = "in_progress"
    review = "review"
    done = "done"
    blocked = "blocked"


class Production(Audited, TimestampMixin, Base):
    __tablename__ = "chain_productions"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    stage: Mapped[ProductionStage] = mapped_column(
        str_enum(ProductionStage), default=ProductionStage.development
    )
    # plain ids of other domains' rows, when they exist: an industry "146" project, a rights work
    industry_project_id: Mapped[int | None] = mapped_column(index=True)
    rights_work_id: Mapped[int | None] = mapped_column(index=True)
    script_id: Mapped[int | None]
    starts_on: Mapped[date | None]
    description: Mapped[str | None] = mapped_column(Text)


class ProductionCompany(Audited, Base):
    """A company collaborating on a production (the lead company is one too)."""

    __tablename__ = "chain_production_companies"
    __table_args__ = (UniqueConstraint("production_id", "org_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    production_id: Mapped[int] = mapped_column(ForeignKey("chain_productions.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(80))  # 出品, 摄制, 视效, 调色, 录音混录 …


class CrewMember(Audited, Base):
    __tablename__ = "chain_crew"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    production_id: Mapped[int] = mapped_column(
        ForeignKey("chain_productions.id", ondelete="CASCADE"), index=True
    )
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(80))
    character: Mapped[str | None] = mapped_column(String(100))  # the part an actor plays
    phone: Mapped[str | None] = mapped_column(String(40))
    call_time: Mapped[str | None] = mapped_column(String(5))  # usual call, HH:MM


class ShootingDay(Audited, Base):
    __tablename__ = "chain_shooting_days"
    __table_args__ = (UniqueConstraint("production_id", "number"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    production_id: Mapped[int] = mapped_column(ForeignKey("chain_productions.id", ondelete="CASCADE"))
    number: Mapped[int]
    shoot_on: Mapped[date | None]
    call_time: Mapped[str] = mapped_column(String(5), default="07:00")
    note: Mapped[str | None] = mapped_column(String(300))


class Scene(Audited, Base):
    """A strip: a scene of the breakdown, in a shooting day (or not yet scheduled) at a position."""

    __tablename__ = "chain_scenes"
    __table_args__ = (
        Index("ix_chain_scenes_board", "production_id", "day_id", "position"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    production_id: Mapped[int] = mapped_column(ForeignKey("chain_productions.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20))
    heading: Mapped[str] = mapped_column(String(200))
    time: Mapped[str | None] = mapped_column(String(10))  # day | night | dawn | dusk
    setting: Mapped[str | None] = mapped_column(String(10))  # int | ext | int/ext
    location: Mapped[str] = mapped_column(String(200))
    characters: Mapped[list[str]] = mapped_column(JSON, default=list)
    eighths: Mapped[int] = mapped_column(default=1)
    day_id: Mapped[int | None] = mapped_column(ForeignKey("chain_shooting_days.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(default=0)


class Task(Audited, TimestampMixin, Base):
    """Work one company does for a production (a VFX shot list, the colour grade, the final mix …)."""

    __tablename__ = "chain_tasks"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    production_id: Mapped[int] = mapped_column(
        ForeignKey("chain_productions.id", ondelete="CASCADE"), index=True
    )
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    status: Mapped[TaskStatus] = mapped_column(str_enum(TaskStatus), default=TaskStatus.todo)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_on: Mapped[date | None]
    description: Mapped[str | None] = mapped_column(Text)
    depends_on: Mapped[list[int]] = mapped_column(JSON, default=list)  # ids of tasks of the same production
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
