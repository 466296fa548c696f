"""Settlement runs: a contract's period from its imported statements, a statement per party, the ledger.

A run is a draft until approved; a draft settled again is recomputed. Approval posts the run to the ledger
(book ``chain``) and locks the period: settling it again makes a correcting run whose differences to the
approved runs are posted, when approved, as adjustments.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from avbase.chain.distribution.models import Contract
from avbase.chain.distribution.service import get_contract, terms_in_force, visible_contracts
from avbase.chain.settlement.batch import inputs_of
from avbase.chain.settlement.models import PartyStatement, RunState, SettlementRun, StatementLine
from avbase.chain.settlement.revenue_models import quote, specs_of
from avbase.chain.settlement.waterfall import Quote
from avbase.core import ledger
from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal
from avbase.core.db import utcnow
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound

BOOK = "chain"
ZERO = Decimal("0.00")

# Cumulative parameters taken from the approved runs of earlier periods: an input, or a line of the trace.
CUMULATIVE = {
    "total_before": ("inputs", "gross"),
    "hours_before": ("inputs", "hours"),
    "revenue_before": ("trace", "title_revenue"),
    "receipts_before": ("trace", "receipts"),
    "recouped_before": ("trace", "recoupment"),
}


def check_period(period: str) -> tuple[date, date]:
    """2024-11 → its first and last day."""
    try:
        year, month = (int(part) for part in period.split("-"))
        first = date(year, month, 1)
    except ValueError as exc:
        raise AvbaseError("A period is a month: YYYY-MM.", field="period") from exc
    if len(period) != 7:
        raise AvbaseError("A period is a month: YYYY-MM.", field="period")
    return first, date(year, month, calendar.monthrange(year, month)[1])


def statement_figures(session: Session, contract: Contract, period: str) -> dict[tuple[str, str], Decimal]:
    """(metric, amount|quantity) → the sum over the owner's imported lines of the title in the period."""
    stmt = (
        select(StatementLine.metric, func.sum(StatementLine.amount), func.sum(StatementLine.quantity))
        .where(
            StatementLine.org_id == contract.org_id,
            StatementLine.title == contract.title.name,
            or_(StatementLine.period == period, StatementLine.period.startswith(period + "-")),
        )
        .group_by(StatementLine.metric)
    )
    figures: dict[tuple[str, str], Decimal] = {}
    for metric, amount, quantity in session.execute(stmt):
        figures[(metric, "amount")] = Decimal(amount or 0)
        figures[(metric, "quantity")] = Decimal(quantity or 0)
    return figures


def _approved_runs(session: Session, contract: Contract, *, before: str) -> list[SettlementRun]:
    stmt = select(SettlementRun).where(
        SettlementRun.contract_id == contract.id, SettlementRun.state == RunState.approved
    )
    stmt = stmt.where(SettlementRun.period < before)
    return list(session.scalars(stmt.order_by(SettlementRun.period, SettlementRun.sequence)))


def _cumulative(session: Session, contract: Contract, period: str, names: set[str]) -> dict[str, str]:
    latest: dict[str, SettlementRun] = {}
    for run in _approved_runs(session, contract, before=period):
        latest[run.period] = run  # the last approved run of each period holds its full figures
    values: dict[str, str] = {}
    for name, (where, key) in CUMULATIVE.items():
        if name not in names:
            continue
        total = Decimal(0)
        for run in latest.values():
            if where == "inputs":
                total += Decimal(run.inputs.get(key, "0"))
            else:
                total += sum(
                    (Decimal(line["amount"]) for line in run.trace if line["key"] == key), Decimal(0)
                )
        values[name] = f"{total:f}"
    return values


def compute(session: Session, contract: Contract, period: str) -> tuple[dict[str, str], Quote]:
    """The contract's quote for the period: its terms in force at the period's end, the statements' figures
    and the cumulative figures of the approved earlier periods."""
    _, last_day = check_period(period)
    specs = {spec.name for spec in specs_of(contract.model)}
    figures = statement_figures(session, contract, period)
    inputs = inputs_of(contract.model, figures)
    params: dict[str, Any] = {name: term.value for name, term in terms_in_force(contract, last_day).items()}
    params |= _cumulative(session, contract, period, specs)
    params |= inputs
    result = quote(contract.model, params, on=last_day)
    for name, term in terms_in_force(contract, last_day).items():
        if term.source and name in result.parameters:
            result.parameters[name] = (result.parameters[name][0], term.source)
    return inputs, result


def _trace(result: Quote) -> list[dict[str, Any]]:
    return [
        {
            "key": line.key,
            "msgid": line.msgid,
            "params": dict(line.params),
            "amount": str(line.amount),
            "party": line.party,
        }
        for line in result.lines
    ]


def _require_owner(principal: Principal, contract: Contract) -> None:
    if principal.role in READ_ONLY_ROLES or not principal.owns(contract.org_id):
        raise Forbidden("Only the contract's owner settles it.")


def settle(session: Session, principal: Principal, ref: int | str, *, period: str) -> SettlementRun:
    """Computes (or recomputes) the period's draft run; after approval, a correcting run."""
    contract = get_contract(session, principal, ref)
    _require_owner(principal, contract)
    inputs, result = compute(session, contract, period)
    runs = list(
        session.scalars(
            select(SettlementRun)
            .where(SettlementRun.contract_id == contract.id, SettlementRun.period == period)
            .order_by(SettlementRun.sequence)
        )
    )
    draft = next((run for run in runs if run.state is RunState.draft), None)
    if draft is not None:
        session.delete(draft)  # a draft was never posted: it is recomputed, not corrected
        session.flush()
        runs.remove(draft)
    approved = _approved_parts(runs)
    roles = {party.role: party for party in contract.parties}
    run = SettlementRun(
        contract_id=contract.id,
        org_id=contract.org_id,
        period=period,
        sequence=(runs[-1].sequence + 1) if runs else 1,
        state=RunState.draft,
        base=result.base,
        inputs=inputs,
        trace=_trace(result),
    )
    parts = result.parts
    for role in [*parts, *(r for r in approved if r not in parts)]:
        amount = parts.get(role, ZERO)
        party = roles.get(role)
        run.statements.append(
            PartyStatement(
                role=role,
                org_id=party.org_id if party else None,
                name=party.name if party else role,
                amount=amount,
                adjustment=amount - approved.get(role, ZERO),
            )
        )
    session.add(run)
    session.flush()
    return run


def _approved_parts(runs: list[SettlementRun]) -> dict[str, Decimal]:
    """What the approved runs of a period gave each party so far (their adjustments add up)."""
    parts: dict[str, Decimal] = {}
    for run in runs:
        if run.state is RunState.approved:
            for statement in run.statements:
                parts[statement.role] = parts.get(statement.role, ZERO) + statement.adjustment
    return parts


def contract_account(session: Session, contract: Contract) -> ledger.LedgerAccount:
    return ledger.account(
        session,
        book=BOOK,
        party=f"contract:{contract.code}",
        code="gross",
        org_id=contract.org_id,
        name=f"{contract.code} gross",
    )


def party_account(session: Session, contract: Contract, statement: PartyStatement) -> ledger.LedgerAccount:
    party = ledger.org_party(statement.org_id) if statement.org_id else statement.role
    return ledger.account(
        session,
        book=BOOK,
        party=party,
        code=f"share:{contract.code}",
        org_id=statement.org_id,
        name=f"{statement.name} · {contract.code}",
    )


def approve(session: Session, principal: Principal, run_id: int) -> SettlementRun:
    """Posts the run (its adjustments, for a correcting run) and locks the period."""
    run = get_run(session, principal, run_id)
    contract = session.get(Contract, run.contract_id)
    assert contract is not None
    _require_owner(principal, contract)
    if run.state is RunState.approved:
        raise Conflict("Run {id} is approved already.", field="run", id=run.id)
    _, last_day = check_period(run.period)
    postings = [(party_account(session, contract, s), -s.adjustment) for s in run.statements]
    total = -sum((amount for _, amount in postings), ZERO)
    postings.append((contract_account(session, contract), total))
    if any(amount != 0 for _, amount in postings):
        memo = f"{contract.code} {run.period} #{run.sequence}" + (" (correction)" if run.sequence > 1 else "")
        transaction = ledger.post(
            session,
            book=BOOK,
            on=last_day,
            memo=memo,
            postings=postings,
            source=("chain.run", run.id),
            by_id=principal.user_id or None,
        )
        run.transaction_id = transaction.id
    run.state = RunState.approved
    run.approved_at = utcnow()
    run.approved_by_id = principal.user_id or None
    session.flush()
    return run


def record_payment(
    session: Session, principal: Principal, ref: int | str, *, role: str, amount: Decimal, on: date
) -> ledger.LedgerTransaction:
    """A payment to a party of the contract: what it is owed falls, and so does the contract's gross held."""
    contract = get_contract(session, principal, ref)
    _require_owner(principal, contract)
    if amount <= 0:
        raise AvbaseError("A payment is above zero.", field="amount")
    party = next((p for p in contract.parties if p.role == role), None)
    if party is None:
        raise NotFound("The contract has no party {role}.", field="role", role=role)
    statement = PartyStatement(
        role=role, org_id=party.org_id, name=party.name, amount=amount, adjustment=amount
    )
    return ledger.post(
        session,
        book=BOOK,
        on=on,
        memo=f"{contract.code} payment to {party.name}",
        postings=[
            (party_account(session, contract, statement), amount),
            (contract_account(session, contract), -amount),
        ],
        source=("chain.contract", contract.id),
        by_id=principal.user_id or None,
    )


def get_run(session: Session, principal: Principal, run_id: int) -> SettlementRun:
    run = session.scalar(
        select(SettlementRun)
        .join(Contract, Contract.id == SettlementRun.contract_id)
        .where(SettlementRun.id == run_id, visible_contracts(principal))
    )
    if run is None:
        raise NotFound("Settlement run not found.", field="run")
    return run


def list_runs(
    session: Session, principal: Principal, *, contract_id: int | None = None
) -> list[SettlementRun]:
    stmt = (
        select(SettlementRun)
        .join(Contract, Contract.id == SettlementRun.contract_id)
        .where(visible_contracts(principal))
        .order_by(SettlementRun.period.desc(), SettlementRun.contract_id, SettlementRun.sequence)
    )
    if contract_id is not None:
        stmt = stmt.where(SettlementRun.contract_id == contract_id)
    return list(session.scalars(stmt))


def own_statements(run: SettlementRun, principal: Principal) -> list[PartyStatement]:
    """The contract's owner and administrators see every party's statement; a party sees its own."""
    if principal.is_admin or principal.org_id == run.org_id:
        return list(run.statements)
    return [s for s in run.statements if s.org_id == principal.org_id]


@dataclass(frozen=True)
class PartyBalance:
    party: str
    name: str
    code: str
    owed: Decimal  # what the party is owed (credit balance) on the date


def balances(session: Session, principal: Principal, *, on: date | None = None) -> list[PartyBalance]:
    """What each party is owed on ``on``: a party sees its own accounts, a contract's owner every party's."""
    rows = ledger.balances(session, book=BOOK, on=on, code_prefix="share:")
    if not principal.is_admin:
        owned = {
            f"share:{code}"
            for code in session.scalars(select(Contract.code).where(Contract.org_id == principal.org_id))
        }
        rows = [b for b in rows if b.org_id == principal.org_id or b.code in owned]
    return [PartyBalance(b.party, b.name, b.code, -b.amount) for b in rows]
