"""Titles, their release windows, and contracts as data (parties, a revenue model, dated terms)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from avbase.core.audit import Audited
from avbase.core.db import Base, TimestampMixin, str_enum


class TitleKind(StrEnum):
    film = "film"
    series = "series"
    micro_drama = "micro_drama"
    animation = "animation"


class Channel(StrEnum):
    theatrical = "theatrical"
    pvod = "pvod"
    svod = "svod"
    avod = "avod"
    tv = "tv"
    overseas = "overseas"


class Title(Audited, TimestampMixin, Base):
    __tablename__ = "chain_titles"
    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[TitleKind] = mapped_column(str_enum(TitleKind))
    work_id: Mapped[int | None]  # the rights registry's work, when the title is registered there
    note: Mapped[str | None] = mapped_column(Text)

    windows: Mapped[list[Window]] = relationship(
        order_by="(Window.starts_on, Window.id)", cascade="all, delete-orphan", back_populates="title"
    )


class Window(Audited, TimestampMixin, Base):
    """A title on one channel in one territory from a date (until a date, or open)."""

    __tablename__ = "chain_windows"

    id: Mapped[int] = mapped_column(primary_key=True)
    title_id: Mapped[int] = mapped_column(ForeignKey("chain_titles.id", ondelete="CASCADE"), index=True)
    channel: Mapped[Channel] = mapped_column(str_enum(Channel))
    territory: Mapped[str] = mapped_column(String(20))  # CN, HK, MO, TW, WORLD, or an ISO country code
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    exclusive: Mapped[bool] = mapped_column(default=False)
    licensee_org_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)

    title: Mapped[Title] = relationship(back_populates="windows")


class ContractState(StrEnum):
    active = "active"
    ended = "ended"


class Contract(Audited, TimestampMixin, Base):
    __tablename__ = "chain_contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    title_id: Mapped[int] = mapped_column(ForeignKey("chain_titles.id", ondelete="RESTRICT"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    model: Mapped[str] = mapped_column(String(40))  # a revenue model: cn-theatrical, member-hours …
    starts_on: Mapped[date]
    ends_on: Mapped[date | None]
    state: Mapped[ContractState] = mapped_column(str_enum(ContractState), default=ContractState.active)

    title: Mapped[Title] = relationship()
    parties: Mapped[list[ContractParty]] = relationship(
        order_by="ContractParty.id", cascade="all, delete-orphan", back_populates="contract"
    )
    terms: Mapped[list[ContractTerm]] = relationship(
        order_by="(ContractTerm.name, ContractTerm.effective_from)",
        cascade="all, delete-orphan",
        back_populates="contract",
    )


class ContractParty(Audited, Base):
    """Who takes a part: a role of the revenue model (exhibitor, distributor, producer, an investor)."""

    __tablename__ = "chain_contract_parties"
    __table_args__ = (UniqueConstraint("contract_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("chain_contracts.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(80))
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))  # the organisation's name, or a party off the platform

    contract: Mapped[Contract] = relationship(back_populates="parties")


class ContractTerm(Audited, TimestampMixin, Base):
    """A parameter of the contract's model from a date on, with the clause or document it comes from."""

    __tablename__ = "chain_contract_terms"
    __table_args__ = (
        UniqueConstraint("contract_id", "name", "effective_from"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_id: Mapped[int] = mapped_column(ForeignKey("chain_contracts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(200))  # as written: 43%, 0:43%,3亿:45%, 甲:60%,乙:40%
    effective_from: Mapped[date]
    source: Mapped[str | None] = mapped_column(Text)  # e.g. 合同第5.2条

    contract: Mapped[Contract] = relationship(back_populates="terms")
