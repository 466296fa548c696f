"""Policy documents, their measures, and the dated parameters (caps, rates, thresholds) of each measure."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from avbase.core.audit import Audited
from avbase.core.db import Base, TimestampMixin
from avbase.policy.rules import RuleKind


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
    def lead_unit(self) -> str | None:
        return self.units[0] if self.units else None


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
