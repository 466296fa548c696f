"""Media assets: one row per organisation and file content; the file itself is in the content store."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from avbase.core.audit import Audited
from avbase.core.db import Base, TimestampMixin, str_enum


class AssetState(StrEnum):
    queued = "queued"
    processing = "processing"
    ready = "ready"
    failed = "failed"


class Asset(Audited, TimestampMixin, Base):
    __tablename__ = "media_assets"
    __table_args__ = (UniqueConstraint("org_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(300))
    size: Mapped[int]
    state: Mapped[AssetState] = mapped_column(str_enum(AssetState), default=AssetState.queued, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(10), index=True)  # video | audio
    duration: Mapped[float | None]
    resolution_class: Mapped[str | None] = mapped_column(String(4), index=True)
    hdr: Mapped[str | None] = mapped_column(String(20), index=True)
    probe: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    shots: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)  # index, start/end frame and seconds
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    people: Mapped[list[str]] = mapped_column(JSON, default=list)
    location: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str | None] = mapped_column(String(20))
    rights_holder: Mapped[str | None] = mapped_column(String(200))
    collections: Mapped[list[str]] = mapped_column(JSON, default=list)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
