"""Review tables: operator delivery profiles, term packs with their versions, QC reports with their
findings (and the reviewer's decision on each)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from avbase.core.audit import Audited
from avbase.core.db import Base, TimestampMixin, str_enum, utcnow


class OperatorProfile(Audited, TimestampMixin, Base):
    """A delivery profile added as data (an online platform's, a channel's): the same fields as the
    built-in ones in ``profiles.BUILTIN``, stored as JSON; the operator's (for everyone) or one
    organisation's own (for its members)."""

    __tablename__ = "review_profiles"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    params: Mapped[dict[str, Any]] = mapped_column(JSON)
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )  # None: the operator's
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class TermPack(Audited, TimestampMixin, Base):
    """A named pack of sensitive terms; its content is in versions, the newest one is in use."""

    __tablename__ = "review_term_packs"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    current_version: Mapped[int] = mapped_column(default=1)
    active: Mapped[bool] = mapped_column(default=True)


class TermPackVersion(Audited, Base):
    """One loaded file of a pack, never changed: a correction is a new version."""

    __tablename__ = "review_term_pack_versions"
    __table_args__ = (UniqueConstraint("pack_id", "version"), {"sqlite_autoincrement": True})
    __audit_exclude__ = frozenset({"terms", "whitelist"})  # the audit keeps the counts and the digest

    id: Mapped[int] = mapped_column(primary_key=True)
    pack_id: Mapped[int] = mapped_column(ForeignKey("review_term_packs.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    terms: Mapped[list[list[str]]] = mapped_column(JSON)  # [term, category, severity]
    whitelist: Mapped[list[str]] = mapped_column(JSON, default=list)
    term_count: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class QCReport(Audited, Base):
    """The result of checking one asset against one profile and the active term packs."""

    __tablename__ = "review_reports"
    __table_args__ = (Index("ix_review_reports_asset", "asset_id", "profile"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("media_assets.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    profile: Mapped[str] = mapped_column(String(40))
    # the profile's name when it was checked: the report reads the same after the profile is deleted
    profile_name: Mapped[str] = mapped_column(String(100), default="")
    verdict: Mapped[str] = mapped_column(String(10), index=True)  # pass | fail
    duration: Mapped[float | None]
    loudness: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    packs: Mapped[list[str]] = mapped_column(JSON, default=list)  # "name v3" of each pack matched
    seconds: Mapped[float | None]  # how long the check took
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id", ondelete="SET NULL"))


class FindingStatus(StrEnum):
    open = "open"
    accepted = "accepted"  # a real problem the reviewer accepts (it stays, e.g. to be fixed)
    false_positive = "false_positive"


class Finding(Audited, Base):
    __tablename__ = "review_findings"
    __table_args__ = (
        Index("ix_review_findings_report", "report_id", "start"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("review_reports.id", ondelete="CASCADE"))
    asset_id: Mapped[int] = mapped_column(ForeignKey("media_assets.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    start: Mapped[float]
    end: Mapped[float]
    value: Mapped[float | None]
    limit: Mapped[float | None]
    severity: Mapped[str] = mapped_column(String(10))  # error | warning
    detail: Mapped[str] = mapped_column(String(200), default="")
    source: Mapped[str] = mapped_column(String(20))  # qc | ocr | subtitle | transcript | document | metadata
    track: Mapped[str] = mapped_column(String(120), default="")
    text: Mapped[str] = mapped_column(Text, default="")  # the context of a term hit
    thumbnail: Mapped[str | None] = mapped_column(String(40))  # the frame at its start, under media's files
    term: Mapped[str] = mapped_column(String(100), default="")
    category: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[FindingStatus] = mapped_column(str_enum(FindingStatus), default=FindingStatus.open)
    note: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]


# ---- joint review (联审联办) ----------------------------------------------------------------------------


class WorkState(StrEnum):
    submitted = "submitted"  # waiting for an authority officer to route it
    routed = "routed"  # departments assigned, none has acted on this version yet
    in_review = "in_review"
    # decided: every department passed; one rejected; none rejected and one passed it on condition of
    # listed changes (修改后通过: the owner makes them and sends version N+1, checked against the list)
    passed = "passed"
    passed_with_changes = "passed_with_changes"
    returned = "returned"  # before 0028, what passed_with_changes is now; no decision leads here any more
    rejected = "rejected"


DECIDED_STATES = (WorkState.passed, WorkState.passed_with_changes, WorkState.returned, WorkState.rejected)
AWAITING_VERSION = (WorkState.passed_with_changes, WorkState.returned)  # the owner sends version N+1


class Decision(StrEnum):
    approve = "pass"
    with_changes = "pass_with_changes"  # passes once the listed changes are made (``WorkChange``)
    reject = "reject"


class ReviewWork(Audited, TimestampMixin, Base):
    """A work its owner submits for joint review (送审作品); its content is in versions."""

    __tablename__ = "review_works"
    __table_args__ = ({"sqlite_autoincrement": True},)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    version: Mapped[int] = mapped_column(default=1)  # the current one
    state: Mapped[WorkState] = mapped_column(str_enum(WorkState), default=WorkState.submitted, index=True)
    due_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    routed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]


class WorkVersion(Audited, Base):
    __tablename__ = "review_work_versions"
    __table_args__ = (UniqueConstraint("work_id", "version"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("review_works.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    asset_ids: Mapped[list[int]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(Text, default="")
    # each department's decision on this version, kept when the next version clears them
    decisions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkDepartment(Audited, Base):
    """A department a work is routed to (through ``core.routing`` scope "review") and its decision on the
    current version."""

    __tablename__ = "review_work_departments"
    __table_args__ = (UniqueConstraint("work_id", "unit"), {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("review_works.id", ondelete="CASCADE"), index=True)
    unit: Mapped[str] = mapped_column(String(100))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    lead: Mapped[bool] = mapped_column(default=False)
    decision: Mapped[Decision | None] = mapped_column(str_enum(Decision))
    reasons: Mapped[str] = mapped_column(Text, default="")
    decided_version: Mapped[int | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None]


class WorkComment(Audited, Base):
    """A reviewer's comment at a frame of one asset of a version."""

    __tablename__ = "review_work_comments"
    __table_args__ = (
        Index("ix_review_work_comments_work", "work_id", "version"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("review_works.id", ondelete="CASCADE"))
    version: Mapped[int]
    asset_id: Mapped[int] = mapped_column(ForeignKey("media_assets.id", ondelete="CASCADE"))
    seconds: Mapped[float]
    timecode: Mapped[str] = mapped_column(String(20))  # HH:MM:SS:FF at the asset's frame rate
    text: Mapped[str] = mapped_column(Text)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))  # the department
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    resolved: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChangeState(StrEnum):
    asked = "asked"  # listed; not checked yet
    done = "done"  # made in the next version, as the department that asked found
    not_made = "not_made"  # not made, and the department that asked accepts it (the reason in ``note``)


SETTLED_CHANGES = (ChangeState.done, ChangeState.not_made)  # what lets the department pass the next version


class WorkChange(Audited, Base):
    """A change a department listed when it passed a version with changes (修改后通过), settled by that
    department on the next version: ticked off as made, or accepted as not made with the reason (the
    owner's explanation, or the department's own finding that it was not needed)."""

    __tablename__ = "review_work_changes"
    __table_args__ = (
        Index("ix_review_work_changes_work", "work_id", "version"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    work_id: Mapped[int] = mapped_column(ForeignKey("review_works.id", ondelete="CASCADE"))
    version: Mapped[int]  # the version it was asked on
    unit: Mapped[str] = mapped_column(String(100))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))  # the department
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[ChangeState] = mapped_column(str_enum(ChangeState), default=ChangeState.asked)
    note: Mapped[str] = mapped_column(Text, default="")  # why it was not made (required for not_made)
    checked_version: Mapped[int | None]  # the version it was settled on
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    checked_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def done(self) -> bool:
        return self.state is ChangeState.done

    @property
    def settled(self) -> bool:
        return self.state in SETTLED_CHANGES
