"""The double-entry ledger: balanced transactions only, balances on any date, corrections by reversal."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal as D

import pytest
from sqlalchemy.orm import Session

from avbase.core import ledger
from avbase.core.accounts.models import Organisation
from avbase.core.errors import AvbaseError, Conflict


def test_balanced_postings_and_balances_on_any_date(
    db: Session, make_org: Callable[..., Organisation]
) -> None:
    studio = make_org(name="影业")
    cash = ledger.account(db, book="t", party="bank", code="cash")
    owed = ledger.account(db, book="t", party=ledger.org_party(studio.id), code="payable", org_id=studio.id)
    ledger.post(
        db, book="t", on=date(2024, 1, 31), memo="Jan", postings=[(cash, D("100.05")), (owed, D("-100.05"))]
    )
    ledger.post(
        db, book="t", on=date(2024, 2, 29), memo="Feb", postings=[(cash, D("0.95")), (owed, D("-0.95"))]
    )
    assert ledger.balance(db, owed) == D("-101.00")
    assert ledger.balance(db, owed, on=date(2024, 2, 1)) == D("-100.05")
    assert ledger.balance(db, owed, on=date(2023, 12, 31)) == D("0.00")
    mine = ledger.balances(db, book="t", org_ids=[studio.id])
    assert [(b.code, b.amount) for b in mine] == [("payable", D("-101.00"))]
    assert sum(b.amount for b in ledger.balances(db, book="t")) == 0


def test_unbalanced_or_empty_transactions_are_refused(db: Session) -> None:
    a = ledger.account(db, book="t", party="a", code="x")
    b = ledger.account(db, book="t", party="b", code="x")
    with pytest.raises(AvbaseError, match="do not balance"):
        ledger.post(db, book="t", on=date(2024, 1, 1), memo="m", postings=[(a, D("1.00")), (b, D("-0.99"))])
    with pytest.raises(AvbaseError, match="at least one"):
        ledger.post(db, book="t", on=date(2024, 1, 1), memo="m", postings=[(a, D("0")), (b, D("0"))])
    other = ledger.account(db, book="u", party="c", code="x")
    with pytest.raises(AvbaseError, match="another book"):
        ledger.post(db, book="t", on=date(2024, 1, 1), memo="m", postings=[(a, D("1")), (other, D("-1"))])


def test_entries_are_never_edited_and_corrections_reverse(db: Session) -> None:
    a = ledger.account(db, book="t", party="a", code="x")
    b = ledger.account(db, book="t", party="b", code="x")
    first = ledger.post(db, book="t", on=date(2024, 1, 1), memo="m", postings=[(a, D("5")), (b, D("-5"))])
    db.commit()
    first.memo = "changed"
    with pytest.raises(Conflict):
        db.flush()
    db.rollback()
    db.delete(first.postings[0])
    with pytest.raises(Conflict):
        db.flush()
    db.rollback()
    undo = ledger.reverse(db, first.id, on=date(2024, 1, 15), memo="wrong amount")
    assert undo.reverses_id == first.id and [p.amount for p in undo.postings] == [D("-5.00"), D("5.00")]
    assert ledger.balance(db, a) == D("0.00") and ledger.balance(db, a, on=date(2024, 1, 10)) == D("5.00")
    with pytest.raises(Conflict):
        ledger.reverse(db, first.id, on=date(2024, 1, 16), memo="again")
