"""The script exchange (剧本交流推介平台): deposited scripts and literary works with a public logline and
synopsis, requests to read the full text, expert coverage, producers' interest, and what producers look for
(to match literary works proposed for adaptation)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from avbase.core.audit import Audited
from avbase.core.db import Base, TimestampMixin, str_enum


class WorkKind(StrEnum):
    script = "script"  # a screenplay
    literary = "literary"  # a novel or story proposed for adaptation (优秀文学作品向视听剧本转化)


class ReadStatus(StrEnum):
    requested = "requested"
    admitted = "admitted"
    refused = "refused"


class Recommendation(StrEnum):
    recommend = "recommend"
    consider = "consider"
    decline = "pass"  # coverage says "pass" for a script it does not recommend


class InterestKind(StrEnum):
    interest = "interest"
    option = "option"
    purchase = "purchase"


COVERAGE_CRITERIA = ("premise", "structure", "characters", "dialogue", "market")


class Script(Audited, TimestampMixin, Base):
    __tablename__ = "chain_scripts"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    author_name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[WorkKind] = mapped_column(str_enum(WorkKind), default=WorkKind.script)
    title: Mapped[str] = mapped_column(String(200))
    genre: Mapped[str | None] = mapped_column(String(40), index=True)
    logline: Mapped[str | None] = mapped_column(String(300))
    synopsis: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    deposited_at: Mapped[datetime]
    certificate_number: Mapped[str | None] = mapped_column(String(40))  # the rights registry's certificate
    rights_work_id: Mapped[int | None]
    eighths: Mapped[int | None]  # length when the breakdown reads it as a screenplay
    listed: Mapped[bool] = mapped_column(default=True)  # in the public catalogue (logline and synopsis)


class ReadRequest(Audited, TimestampMixin, Base):
    __tablename__ = "chain_script_reads"
    __table_args__ = (UniqueConstraint("script_id", "reader_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    script_id: Mapped[int] = mapped_column(ForeignKey("chain_scripts.id", ondelete="CASCADE"), index=True)
    reader_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    status: Mapped[ReadStatus] = mapped_column(str_enum(ReadStatus), default=ReadStatus.requested)
    message: Mapped[str | None] = mapped_column(String(500))


class Coverage(Audited, TimestampMixin, Base):
    """An expert's report on a script: a score of 1–10 per criterion, their mean and a recommendation."""

    __tablename__ = "chain_script_coverage"
    __table_args__ = (UniqueConstraint("script_id", "expert_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    script_id: Mapped[int] = mapped_column(ForeignKey("chain_scripts.id", ondelete="CASCADE"), index=True)
    expert_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    scores: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    overall: Mapped[float]
    recommendation: Mapped[Recommendation] = mapped_column(str_enum(Recommendation))
    comments: Mapped[str | None] = mapped_column(Text)


class Interest(Audited, TimestampMixin, Base):
    """A producer's interest in a script, or an option or purchase of it."""

    __tablename__ = "chain_script_interest"
    __table_args__ = (UniqueConstraint("script_id", "org_id", "kind"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    script_id: Mapped[int] = mapped_column(ForeignKey("chain_scripts.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[InterestKind] = mapped_column(str_enum(InterestKind), default=InterestKind.interest)
    note: Mapped[str | None] = mapped_column(String(500))


class ProducerBrief(Audited, TimestampMixin, Base):
    """What a producer looks for: genres and a note; literary works of those genres are matched to it."""

    __tablename__ = "chain_producer_briefs"
    __table_args__ = (UniqueConstraint("org_id"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    genres: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(String(500))
