"""Media assets: one row per organisation and file content; the file itself is in the content store."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from avbase.core.audit import Audited
from avbase.core.db import Base, TimestampMixin, str_enum, utcnow


class AssetState(StrEnum):
    queued = "queued"
    processing = "processing"
    ready = "ready"
    failed = "failed"
    cancelled = "cancelled"  # its analysis job was cancelled; "analyse again" starts a new one


class Asset(Audited, TimestampMixin, Base):
    __tablename__ = "media_assets"
    __table_args__ = (UniqueConstraint("org_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    file_name: Mapped[str] = mapped_column(String(300))
    size: Mapped[int] = mapped_column(BigInteger)  # bytes: films pass 2 GiB
    state: Mapped[AssetState] = mapped_column(str_enum(AssetState), default=AssetState.queued, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String(10), index=True)  # video | audio
    duration: Mapped[float | None]
    resolution_class: Mapped[str | None] = mapped_column(String(4), index=True)
    hdr: Mapped[str | None] = mapped_column(String(20), index=True)
    probe: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # index, start/end frame and seconds, transition, keyframe (seconds) and its thumbnail
    shots: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # files made from it (thumbnail times, contact sheet, proxy, waveform) and what each step reported
    derived: Mapped[dict[str, Any] | None] = mapped_column(JSON)
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


class TextSource(StrEnum):
    ocr = "ocr"
    subtitle = "subtitle"
    transcript = "transcript"
    document = "document"  # a script or other document attached to the asset: paragraphs, no time


class TextSegment(Base):
    """Time-coded text of an asset: an on-screen caption, a subtitle cue or a transcribed phrase. Written by
    the analysis job or a subtitle import (which the audit log records as one event), never edited."""

    __tablename__ = "media_text_segments"
    __table_args__ = (Index("ix_media_text_segments_asset", "asset_id", "source", "start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("media_assets.id", ondelete="CASCADE"))
    source: Mapped[TextSource] = mapped_column(str_enum(TextSource))
    track: Mapped[str] = mapped_column(String(120))  # "ocr", a subtitle file or stream, the speech model
    start: Mapped[float]
    end: Mapped[float]
    text: Mapped[str] = mapped_column(Text)
    box: Mapped[list[float] | None] = mapped_column(JSON)  # on-screen place (OCR): fractions of the frame
    confidence: Mapped[float | None]


class Upload(Audited, Base):
    """A resumable upload in progress: the bytes received so far are in ``var/uploads/chunked/<id>.part``
    (its length is the offset to resume from); when the last chunk arrives the file becomes an asset and
    this row goes."""

    __tablename__ = "media_uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    file_name: Mapped[str] = mapped_column(String(300))
    size: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
