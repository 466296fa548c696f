"""A double-entry ledger shared by every domain (policy awards, chain settlements and payments).

Accounts belong to a book (``policy``, ``chain``) and a party (``org:12`` for an organisation, or a name for
a party outside the platform, such as the film fund) and have a code (``receivable``, ``payable`` …).
A transaction is a set of postings whose amounts add up to zero (debits positive, credits negative); an
unbalanced one is refused. Transactions and postings are never edited or deleted: a correction is a new
transaction that reverses the old one. A balance is the sum of an account's postings whose transaction
falls on or before a date.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint, event, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from avbase.core.audit import Audited
from avbase.core.db import Base, utcnow
from avbase.core.errors import AvbaseError, Conflict, NotFound
from avbase.kit.money import Money, to_yuan

ZERO = Decimal("0.00")


class LedgerAccount(Audited, Base):
    __tablename__ = "ledger_accounts"
    __table_args__ = (UniqueConstraint("book", "party", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    book: Mapped[str] = mapped_column(String(20), index=True)
    party: Mapped[str] = mapped_column(String(120))  # org:<id>, or the name of a party off the platform
    code: Mapped[str] = mapped_column(String(80))  # receivable, payable, revenue:<title> …
    org_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class LedgerTransaction(Audited, Base):
    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(primary_key=True)
    book: Mapped[str] = mapped_column(String(20), index=True)
    on: Mapped[date] = mapped_column(index=True)  # the date the balances count it from
    memo: Mapped[str] = mapped_column(Text)
    source_type: Mapped[str | None] = mapped_column(String(40))  # what booked it: policy.application …
    source_id: Mapped[str | None] = mapped_column(String(40))
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transactions.id", ondelete="RESTRICT"), unique=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    postings: Mapped[list[LedgerPosting]] = relationship(
        order_by="LedgerPosting.id", back_populates="transaction"
    )


class LedgerPosting(Audited, Base):
    __tablename__ = "ledger_postings"

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_transactions.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[Decimal] = mapped_column(Money)  # debit positive, credit negative

    transaction: Mapped[LedgerTransaction] = relationship(back_populates="postings")
    account: Mapped[LedgerAccount] = relationship(lazy="joined")


@event.listens_for(Session, "before_flush")
def _entries_are_never_edited(session: Session, _context: Any, _instances: Any) -> None:
    for row in (*session.dirty, *session.deleted):
        if isinstance(row, LedgerTransaction | LedgerPosting) and (
            row in session.deleted or session.is_modified(row, include_collections=False)
        ):
            raise Conflict(
                "Ledger entries are never edited or deleted; post a reversal instead.", field="ledger"
            )


def org_party(org_id: int) -> str:
    return f"org:{org_id}"


def find(session: Session, *, book: str, party: str, code: str) -> LedgerAccount | None:
    """The account if it was ever opened (reading never opens one)."""
    return session.scalar(
        select(LedgerAccount).where(
            LedgerAccount.book == book, LedgerAccount.party == party, LedgerAccount.code == code
        )
    )


def account(
    session: Session, *, book: str, party: str, code: str, org_id: int | None = None, name: str | None = None
) -> LedgerAccount:
    """The account of this party and code in this book, opened on first use."""
    found = find(session, book=book, party=party, code=code)
    if found is None:
        found = LedgerAccount(
            book=book, party=party, code=code, org_id=org_id, name=name or f"{party} {code}"
        )
        session.add(found)
        session.flush()
    return found


def post(
    session: Session,
    *,
    book: str,
    on: date,
    memo: str,
    postings: Sequence[tuple[LedgerAccount, Decimal]],
    source: tuple[str, object] | None = None,
    by_id: int | None = None,
    reverses: LedgerTransaction | None = None,
) -> LedgerTransaction:
    """Books a balanced transaction; refuses one whose postings do not add up to zero to the fen."""
    lines = [(acct, to_yuan(amount)) for acct, amount in postings if to_yuan(amount) != 0]
    if not lines:
        raise AvbaseError("A transaction needs at least one posting that is not zero.", field="postings")
    total = sum((amount for _, amount in lines), ZERO)
    if total != 0:
        raise AvbaseError(
            "The postings do not balance: they add up to {total}.", field="postings", total=str(total)
        )
    for acct, _ in lines:
        if acct.book != book:
            raise AvbaseError(
                "Account {account} belongs to another book.", field="postings", account=acct.name
            )
    transaction = LedgerTransaction(
        book=book,
        on=on,
        memo=memo,
        source_type=source[0] if source else None,
        source_id=str(source[1]) if source else None,
        reverses_id=reverses.id if reverses else None,
        by_id=by_id,
    )
    session.add(transaction)
    session.flush()
    for acct, amount in lines:
        session.add(LedgerPosting(transaction_id=transaction.id, account_id=acct.id, amount=amount))
    session.flush()
    session.refresh(transaction, ["postings"])
    return transaction


def reverse(
    session: Session, transaction_id: int, *, on: date, memo: str, by_id: int | None = None
) -> LedgerTransaction:
    """A new transaction with every posting of the old one negated; each transaction is reversed once."""
    original = session.get(LedgerTransaction, transaction_id)
    if original is None:
        raise NotFound("No ledger transaction has the id {id}.", field="transaction", id=transaction_id)
    if session.scalar(select(LedgerTransaction.id).where(LedgerTransaction.reverses_id == original.id)):
        raise Conflict("Transaction {id} is already reversed.", field="transaction", id=transaction_id)
    return post(
        session,
        book=original.book,
        on=on,
        memo=memo,
        postings=[(p.account, -p.amount) for p in original.postings],
        source=(original.source_type, original.source_id) if original.source_type else None,
        by_id=by_id,
        reverses=original,
    )


@dataclass(frozen=True)
class Balance:
    account_id: int
    book: str
    party: str
    code: str
    org_id: int | None
    name: str
    amount: Decimal


def balances(
    session: Session,
    *,
    book: str,
    on: date | None = None,
    org_ids: Sequence[int] | None = None,
    party: str | None = None,
    code_prefix: str | None = None,
) -> list[Balance]:
    """Each account's balance counting the transactions dated on or before ``on`` (all when None)."""
    total = func.coalesce(func.sum(LedgerPosting.amount), 0)
    stmt = (
        select(LedgerAccount, total)
        .join(LedgerPosting, LedgerPosting.account_id == LedgerAccount.id)
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(LedgerAccount.book == book)
        .group_by(LedgerAccount.id)
        .order_by(LedgerAccount.party, LedgerAccount.code)
    )
    if on is not None:
        stmt = stmt.where(LedgerTransaction.on <= on)
    if org_ids is not None:
        stmt = stmt.where(LedgerAccount.org_id.in_(org_ids))
    if party is not None:
        stmt = stmt.where(LedgerAccount.party == party)
    if code_prefix is not None:
        stmt = stmt.where(LedgerAccount.code.startswith(code_prefix))
    return [
        Balance(
            a.id,
            a.book,
            a.party,
            a.code,
            a.org_id,
            a.name,
            to_yuan(total_yuan or 0),
        )
        for a, total_yuan in session.execute(stmt)
    ]


def balance(session: Session, acct: LedgerAccount, *, on: date | None = None) -> Decimal:
    stmt = (
        select(func.coalesce(func.sum(LedgerPosting.amount), 0))
        .join(LedgerTransaction, LedgerTransaction.id == LedgerPosting.transaction_id)
        .where(LedgerPosting.account_id == acct.id)
    )
    if on is not None:
        stmt = stmt.where(LedgerTransaction.on <= on)
    # The sum keeps the column's type, so it comes back in yuan already.
    return to_yuan(session.scalar(stmt) or 0)
