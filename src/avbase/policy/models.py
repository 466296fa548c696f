"""Policy documents, their measures, and the dated parameters (caps, rates, thresholds) of each measure."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from avbase.core.audit import Audited
from avbase.core.db import Base, TimestampMixin, str_enum, utcnow
from avbase.kit.money import Money
from avbase.policy.rules import RuleKind

COMPETENT_DEPARTMENT = "主管部门"  # the unit of a measure whose text names none ("由主管部门指定")


class PolicyDocument(Audited, TimestampMixin, Base):
    __tablename__ = "policy_documents"

    code: Mapped[str] = mapped_column(String(20), primary_key=True)  # hn2023, zj2024
    title: Mapped[str] = mapped_column(String(300))
    issuer: Mapped[str] = mapped_column(String(200))
    number: Mapped[str | None] = mapped_column(String(100))
    issued_on: Mapped[date]
    in_force_from: Mapped[date]
    in_force_until: Mapped[date | None]
    non_cumulation: Mapped[str | None] = mapped_column(Text)  # the clause, where the document has one
    # Where its measures apply (GB/T 2260, 430000 for Hunan): who may apply, and which authorities steward it.
    region_code: Mapped[str | None] = mapped_column(String(6))


class Measure(Audited, TimestampMixin, Base):
    """One measure of a document, with its verbatim source sentence and how it is evaluated."""

    __tablename__ = "policy_measures"

    id: Mapped[str] = mapped_column(String(80), primary_key=True)  # stable: hn2023.4.rnd-center
    document_code: Mapped[str] = mapped_column(ForeignKey("policy_documents.code", ondelete="CASCADE"))
    article: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(30))  # a RuleKind value
    title_zh: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    source_text: Mapped[str] = mapped_column(Text)  # word for word from the document
    units: Mapped[list[str]] = mapped_column(JSON)  # responsible units, the lead unit first
    units_note: Mapped[str | None] = mapped_column(Text)
    evidence: Mapped[list[str]] = mapped_column(JSON)  # what an applicant must attach
    facts: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # FactSpec fields
    group_key: Mapped[str | None] = mapped_column(String(40))  # non-cumulation group
    numerator: Mapped[str | None] = mapped_column(String(40))
    denominator: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)

    document: Mapped[PolicyDocument] = relationship(lazy="joined")
    parameters: Mapped[list[MeasureParameter]] = relationship(
        order_by="(MeasureParameter.name, MeasureParameter.effective_from)",
        cascade="all, delete-orphan",
        back_populates="measure",
    )

    @property
    def rule_kind(self) -> RuleKind:
        return RuleKind(self.kind)

    @property
    def responsible_units(self) -> list[str]:
        """The units the text names, the lead first; where it names none (Zhejiang's text), the competent
        department (主管部门) that the document's authorities route to an organisation."""
        return list(self.units) or [COMPETENT_DEPARTMENT]

    @property
    def lead_unit(self) -> str:
        return self.responsible_units[0]

    @property
    def region_code(self) -> str | None:
        return self.document.region_code


class MeasureParameter(Audited, TimestampMixin, Base):
    """A cap, rate or threshold in force from a date on; an amendment adds a row, never edits one."""

    __tablename__ = "policy_parameters"
    __table_args__ = (UniqueConstraint("measure_id", "name", "effective_from"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[str] = mapped_column(ForeignKey("policy_measures.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(40))  # a decimal, kept as text so no backend rounds it
    effective_from: Mapped[date]
    note: Mapped[str | None] = mapped_column(Text)

    measure: Mapped[Measure] = relationship(back_populates="parameters")


class ApplicationState(StrEnum):
    draft = "draft"
    lead_review = "lead_review"  # with the lead unit (排第一的为牵头单位)
    joint_review = "joint_review"  # with the co-responsible units, in parallel (联审联办)
    returned = "returned"  # back to the applicant for changes
    rejected = "rejected"
    approved = "approved"
    committed = "committed"  # the award is booked against the budget
    disbursed = "disbursed"


class ReviewStage(StrEnum):
    lead = "lead"
    joint = "joint"


class Decision(StrEnum):
    pending = "pending"
    approve = "approve"
    return_ = "return"
    reject = "reject"


class LedgerKind(StrEnum):
    commit = "commit"
    disburse = "disburse"
    reverse_commit = "reverse_commit"
    reverse_disburse = "reverse_disburse"


class Application(Audited, TimestampMixin, Base):
    """An enterprise's application under one measure, for one item (what non-cumulation compares)."""

    __tablename__ = "policy_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[str] = mapped_column(ForeignKey("policy_measures.id", ondelete="RESTRICT"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(200))  # e.g. "研发中心：xx实验室" — one thing supported once
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[ApplicationState] = mapped_column(str_enum(ApplicationState), index=True)
    quoted_amount: Mapped[Decimal | None] = mapped_column(Money)
    approved_amount: Mapped[Decimal | None] = mapped_column(Money)
    trace: Mapped[list[Any]] = mapped_column(JSON, default=list)  # stored steps (views.stored_step)
    submitted_on: Mapped[date | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    measure: Mapped[Measure] = relationship()
    reviews: Mapped[list[Review]] = relationship(
        order_by="Review.id", cascade="all, delete-orphan", back_populates="application"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        order_by="Attachment.id", cascade="all, delete-orphan"
    )


class Review(Audited, TimestampMixin, Base):
    __tablename__ = "policy_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("policy_applications.id", ondelete="CASCADE"))
    stage: Mapped[ReviewStage] = mapped_column(str_enum(ReviewStage))
    round: Mapped[int] = mapped_column(default=1)  # a returned application starts a new round
    unit: Mapped[str] = mapped_column(String(100))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    decision: Mapped[Decision] = mapped_column(str_enum(Decision), default=Decision.pending)
    comment: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_on: Mapped[date | None]  # after this the review is overdue and shows as a reminder

    application: Mapped[Application] = relationship(back_populates="reviews")


class Attachment(Audited, TimestampMixin, Base):
    """Evidence attached to an application; the file itself is in the content-addressed store."""

    __tablename__ = "policy_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("policy_applications.id", ondelete="CASCADE"), index=True
    )
    evidence: Mapped[str] = mapped_column(String(200))  # one of the measure's evidence items
    file_name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class Budget(Audited, TimestampMixin, Base):
    """What a measure may award in a year; commitments are checked against it under a row lock."""

    __tablename__ = "policy_budgets"
    __table_args__ = (UniqueConstraint("measure_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[str] = mapped_column(ForeignKey("policy_measures.id", ondelete="CASCADE"))
    year: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Money)


class LedgerEntry(Audited, Base):
    """The awards register: each commitment and disbursement of an application, posted as a balanced
    transaction to the core ledger; a correction is a reversing entry, never an edit."""

    __tablename__ = "policy_ledger"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[str] = mapped_column(ForeignKey("policy_measures.id", ondelete="RESTRICT"), index=True)
    year: Mapped[int]
    application_id: Mapped[int] = mapped_column(ForeignKey("policy_applications.id", ondelete="RESTRICT"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"))
    kind: Mapped[LedgerKind] = mapped_column(str_enum(LedgerKind))
    amount: Mapped[Decimal] = mapped_column(Money)  # positive for commit and disburse, negative for reversals
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    # The balanced transaction in the platform's double-entry ledger (book "policy") this entry posted.
    transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id", ondelete="RESTRICT")
    )


class RoundState(StrEnum):
    open = "open"  # taking entries until the deadline
    scoring = "scoring"
    published = "published"


class SelectionRound(Audited, TimestampMixin, Base):
    __tablename__ = "policy_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    measure_id: Mapped[str] = mapped_column(ForeignKey("policy_measures.id", ondelete="RESTRICT"))
    year: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # key, name, max
    deadline: Mapped[date]
    quota: Mapped[int]  # how many make the published list
    state: Mapped[RoundState] = mapped_column(str_enum(RoundState), default=RoundState.open)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))

    measure: Mapped[Measure] = relationship()
    entries: Mapped[list[RoundEntry]] = relationship(order_by="RoundEntry.id", back_populates="round")
    experts: Mapped[list[RoundExpert]] = relationship(order_by="RoundExpert.id", cascade="all, delete-orphan")


class RoundEntry(Audited, TimestampMixin, Base):
    __tablename__ = "policy_round_entries"
    __table_args__ = (UniqueConstraint("round_id", "org_id", "title"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("policy_rounds.id", ondelete="CASCADE"), index=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str | None] = mapped_column(Text)
    rank: Mapped[int | None]  # frozen at publication
    score: Mapped[float | None]
    listed: Mapped[bool] = mapped_column(default=False)

    round: Mapped[SelectionRound] = relationship(back_populates="entries")


class RoundExpert(Audited, Base):
    __tablename__ = "policy_round_experts"
    __table_args__ = (UniqueConstraint("round_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("policy_rounds.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))  # for conflicts


class RoundScore(Audited, TimestampMixin, Base):
    __tablename__ = "policy_round_scores"
    __table_args__ = (UniqueConstraint("entry_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("policy_round_entries.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    marks: Mapped[dict[str, float]] = mapped_column(JSON)
    total: Mapped[float]
