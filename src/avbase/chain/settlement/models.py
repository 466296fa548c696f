"""Imported statements, settlement runs with a statement per party, reconciliations and claims."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Dialect, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from avbase.core.audit import Audited
from avbase.core.db import Base, TimestampMixin, str_enum, utcnow
from avbase.kit.money import Money

QUANTITY_SCALE = Decimal(10_000)


class Quantity(TypeDecorator[Decimal]):
    """Hours, views and members as exact decimals with four places, stored as integers on every backend."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> int | None:
        return None if value is None else int(Decimal(value) * QUANTITY_SCALE)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        return None if value is None else (Decimal(int(value)) / QUANTITY_SCALE).normalize()


class StatementImport(Audited, Base):
    """One file imported once: its SHA-256 recognises it when it comes again."""

    __tablename__ = "chain_statement_imports"
    __table_args__ = (UniqueConstraint("org_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(200))  # who sent it: a platform, a 院线, a ticketing system
    file_name: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    template: Mapped[str | None] = mapped_column(String(80))
    rows: Mapped[int]
    amount: Mapped[Decimal] = mapped_column(Money)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class StatementLine(Base):
    """A line of an imported statement (not audited one by one: the import is)."""

    __tablename__ = "chain_statement_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(
        ForeignKey("chain_statement_imports.id", ondelete="CASCADE"), index=True
    )
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    row: Mapped[int]
    title: Mapped[str] = mapped_column(String(200), index=True)
    period: Mapped[str] = mapped_column(String(10))  # 2024-11 or 2024-11-03
    metric: Mapped[str] = mapped_column(String(40))
    quantity: Mapped[Decimal] = mapped_column(Quantity)
    amount: Mapped[Decimal] = mapped_column(Money)


class RunState(StrEnum):
    draft = "draft"
    approved = "approved"


class SettlementRun(Audited, TimestampMixin, Base):
    """A contract's settlement of a period; after approval the period is locked and only corrected."""

    __tablename__ = "chain_runs"
    __table_args__ = (UniqueConstraint("contract_id", "period", "sequence"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(
        ForeignKey("chain_contracts.id", ondelete="RESTRICT"), index=True
    )
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    period: Mapped[str] = mapped_column(String(10))
    sequence: Mapped[int]  # 1 the first run; 2, 3 … correcting runs
    state: Mapped[RunState] = mapped_column(str_enum(RunState), default=RunState.draft)
    base: Mapped[Decimal] = mapped_column(Money)
    inputs: Mapped[dict[str, str]] = mapped_column(JSON)  # the parameters the statements gave
    trace: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # key, msgid, params, amount, party
    transaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id", ondelete="RESTRICT")
    )
    approved_at: Mapped[datetime | None]
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    statements: Mapped[list[PartyStatement]] = relationship(
        order_by="PartyStatement.id", cascade="all, delete-orphan", back_populates="run"
    )


class PartyStatement(Audited, Base):
    """A party's statement from a run: its part of the period, and what this run adds (the adjustment)."""

    __tablename__ = "chain_party_statements"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("chain_runs.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(80))
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(Money)  # the party's part of the period as this run computes it
    adjustment: Mapped[Decimal] = mapped_column(Money)  # the difference to the approved runs before it

    run: Mapped[SettlementRun] = relationship(back_populates="statements")


class Reconciliation(Audited, Base):
    __tablename__ = "chain_reconciliations"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    counterparty: Mapped[str] = mapped_column(String(200))  # whose statement it is
    statement_name: Mapped[str] = mapped_column(String(200))
    expected_name: Mapped[str] = mapped_column(String(200))
    lines: Mapped[int]
    discrepancies: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class ClaimState(StrEnum):
    raised = "raised"
    answered = "answered"
    closed = "closed"


class Claim(Audited, TimestampMixin, Base):
    """A discrepancy raised with the other party; answered and closed, every step kept in its history."""

    __tablename__ = "chain_claims"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    counterparty_org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL"), index=True
    )
    reconciliation_id: Mapped[int | None] = mapped_column(
        ForeignKey("chain_reconciliations.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    period: Mapped[str] = mapped_column(String(10))
    metric: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(30))
    difference: Mapped[str] = mapped_column(String(40))
    state: Mapped[ClaimState] = mapped_column(str_enum(ClaimState), default=ClaimState.raised)

    events: Mapped[list[ClaimEvent]] = relationship(
        order_by="ClaimEvent.id", cascade="all, delete-orphan", back_populates="claim"
    )


class ClaimEvent(Audited, Base):
    __tablename__ = "chain_claim_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(ForeignKey("chain_claims.id", ondelete="CASCADE"), index=True)
    action: Mapped[ClaimState] = mapped_column(str_enum(ClaimState))
    text: Mapped[str] = mapped_column(Text)
    org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    claim: Mapped[Claim] = relationship(back_populates="events")
