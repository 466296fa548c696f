"""Policy's accounts in the platform's double-entry ledger (book ``policy``): the one place that says which
accounts an award moves money between, and the reads that budgets and reports take from them.

For each measure and budget year there is a ``committed:<year>`` and a ``paid:<year>`` account; for each
enterprise and measure an ``award:<measure>`` account holds what the measure owes it. A commitment debits
the committed account and credits what is owed; a payment debits what is owed and credits the paid account.
The register (``policy_ledger``) keeps which application, kind and note each transaction belongs to.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from avbase.core import ledger
from avbase.core.accounts.models import Organisation
from avbase.core.ledger import LedgerAccount, LedgerPosting
from avbase.kit.dates import today
from avbase.policy.models import LedgerEntry, LedgerKind

BOOK = "policy"
COMMITTED = "committed"
PAID = "paid"


def measure_party(measure_id: str) -> str:
    return f"measure:{measure_id}"


def post_entry(session: Session, entry: LedgerEntry) -> None:
    """Posts a register entry as a balanced transaction. Reversals carry negative amounts and so post the
    opposite way."""
    owed = ledger.account(
        session,
        book=BOOK,
        party=ledger.org_party(entry.org_id),
        code=f"award:{entry.measure_id}",
        org_id=entry.org_id,
    )
    if entry.kind in (LedgerKind.commit, LedgerKind.reverse_commit):
        committed = _year_account(session, entry.measure_id, COMMITTED, entry.year)
        postings = [(committed, entry.amount), (owed, -entry.amount)]
    else:
        paid = _year_account(session, entry.measure_id, PAID, entry.year)
        postings = [(owed, entry.amount), (paid, -entry.amount)]
    transaction = ledger.post(
        session,
        book=BOOK,
        on=today(),
        memo=f"{entry.kind.value} {entry.measure_id} #{entry.application_id}",
        postings=postings,
        source=("policy.application", entry.application_id),
        by_id=entry.by_id,
    )
    entry.transaction_id = transaction.id


def _year_account(session: Session, measure_id: str, side: str, year: int) -> LedgerAccount:
    return ledger.account(session, book=BOOK, party=measure_party(measure_id), code=f"{side}:{year}")


def committed_total(session: Session, measure_id: str, year: int) -> Decimal:
    """What is committed against the measure's budget of ``year``, net of reversals."""
    found = ledger.find(session, book=BOOK, party=measure_party(measure_id), code=f"{COMMITTED}:{year}")
    return ledger.balance(session, found) if found is not None else Decimal("0.00")


def booked_by_measure_and_region(
    session: Session, *, year: int, region_prefix: str
) -> Iterator[tuple[str, str, Decimal, Decimal]]:
    """(measure, applicant's region, committed, paid) for ``year``'s budgets, net of reversals, for the
    applicants whose region starts with ``region_prefix``: each measure-side posting joined to the other
    posting of its transaction, whose account is the enterprise's."""
    measure_side = aliased(LedgerAccount)
    enterprise_side = aliased(LedgerAccount)
    other = aliased(LedgerPosting)
    codes = (f"{COMMITTED}:{year}", f"{PAID}:{year}")
    stmt = (
        select(
            measure_side.party,
            measure_side.code,
            Organisation.region_code,
            func.sum(LedgerPosting.amount),
        )
        .join(measure_side, measure_side.id == LedgerPosting.account_id)
        .join(
            other,
            and_(other.transaction_id == LedgerPosting.transaction_id, other.id != LedgerPosting.id),
        )
        .join(enterprise_side, enterprise_side.id == other.account_id)
        .join(Organisation, Organisation.id == enterprise_side.org_id)
        .where(
            measure_side.book == BOOK,
            measure_side.code.in_(codes),
            Organisation.region_code.startswith(region_prefix),
        )
        .group_by(measure_side.party, measure_side.code, Organisation.region_code)
    )
    for party, code, region, amount in session.execute(stmt):
        measure_id = party.removeprefix("measure:")
        booked = Decimal(amount or 0)
        if code.startswith(COMMITTED):
            yield measure_id, region, booked, Decimal("0.00")
        else:  # the paid account is credited: its balance is minus what was paid
            yield measure_id, region, Decimal("0.00"), -booked
