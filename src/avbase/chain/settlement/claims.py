"""Reconciliations kept, and claims: a discrepancy raised with the other party, answered, closed.

The loop of DDEX's claim and discrepancy messages in our terms; every step is an event kept in the claim's
history. The organisation that raised a claim and the counterparty named on it see it; the counterparty
answers, the raiser closes.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from avbase.chain.settlement.models import Claim, ClaimEvent, ClaimState, Reconciliation
from avbase.chain.settlement.reconcile import Result, reconcile_files
from avbase.core.accounts.models import Organisation
from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound


def _writer(principal: Principal) -> None:
    if principal.role in READ_ONLY_ROLES or principal.org_id == 0:
        raise Forbidden("Reconciliations and claims are kept by an organisation's staff.")


def reconcile_and_keep(
    session: Session,
    principal: Principal,
    *,
    statement: Path,
    expected: Path,
    counterparty: str,
    statement_name: str | None = None,
    expected_name: str | None = None,
) -> tuple[Reconciliation, Result]:
    _writer(principal)
    result = reconcile_files(statement, expected)
    kept = Reconciliation(
        org_id=principal.org_id,
        counterparty=counterparty.strip()[:200] or "-",
        statement_name=(statement_name or statement.name)[:200],
        expected_name=(expected_name or expected.name)[:200],
        lines=result.statement_lines,
        discrepancies=[d.to_json() for d in result.discrepancies],
        by_id=principal.user_id or None,
    )
    session.add(kept)
    session.flush()
    return kept, result


def list_reconciliations(session: Session, principal: Principal) -> list[Reconciliation]:
    stmt = select(Reconciliation).order_by(Reconciliation.id.desc())
    if not principal.is_admin:
        stmt = stmt.where(Reconciliation.org_id == principal.org_id)
    return list(session.scalars(stmt))


def get_reconciliation(session: Session, principal: Principal, reconciliation_id: int) -> Reconciliation:
    found = session.get(Reconciliation, reconciliation_id)
    if found is None or not (principal.is_admin or found.org_id == principal.org_id):
        raise NotFound("Reconciliation not found.", field="reconciliation")
    return found


def _visible(principal: Principal) -> ColumnElement[bool]:
    if principal.is_admin:
        return Claim.id.is_not(None)
    return or_(Claim.org_id == principal.org_id, Claim.counterparty_org_id == principal.org_id)


def list_claims(session: Session, principal: Principal, *, state: str | None = None) -> list[Claim]:
    stmt = select(Claim).where(_visible(principal)).order_by(Claim.id.desc())
    if state:
        stmt = stmt.where(Claim.state == state)
    return list(session.scalars(stmt))


def get_claim(session: Session, principal: Principal, claim_id: int) -> Claim:
    found = session.scalar(select(Claim).where(Claim.id == claim_id, _visible(principal)))
    if found is None:
        raise NotFound("Claim not found.", field="claim")
    return found


def raise_claim(
    session: Session,
    principal: Principal,
    reconciliation_id: int,
    *,
    index: int,
    counterparty_org_id: int | None,
    text: str,
) -> Claim:
    """Raises the reconciliation's discrepancy number ``index`` (from 0) with the counterparty."""
    _writer(principal)
    reconciliation = get_reconciliation(session, principal, reconciliation_id)
    if not 0 <= index < len(reconciliation.discrepancies):
        raise NotFound("The reconciliation has no discrepancy {index}.", field="index", index=index)
    if counterparty_org_id is not None and session.get(Organisation, counterparty_org_id) is None:
        raise NotFound("Organisation not found.", field="counterparty")
    if not text.strip():
        raise AvbaseError("Say what is claimed.", field="text")
    found = reconciliation.discrepancies[index]
    claim = Claim(
        org_id=principal.org_id,
        counterparty_org_id=counterparty_org_id,
        reconciliation_id=reconciliation.id,
        title=found["title"],
        period=found["period"],
        metric=found["metric"],
        kind=found["kind"],
        difference=found["difference"],
        state=ClaimState.raised,
    )
    claim.events.append(_event(principal, ClaimState.raised, text))
    session.add(claim)
    session.flush()
    return claim


def _event(principal: Principal, action: ClaimState, text: str) -> ClaimEvent:
    return ClaimEvent(
        action=action, text=text.strip(), org_id=principal.org_id or None, by_id=principal.user_id or None
    )


def answer(session: Session, principal: Principal, claim_id: int, *, text: str) -> Claim:
    """The counterparty answers (again, if need be); an answer to a closed claim is refused."""
    claim = get_claim(session, principal, claim_id)
    _writer(principal)
    if claim.counterparty_org_id != principal.org_id and not principal.is_admin:
        raise Forbidden("The claim is answered by the party it is raised with.")
    if claim.state is ClaimState.closed:
        raise Conflict("The claim is closed.", field="claim")
    if not text.strip():
        raise AvbaseError("Write the answer.", field="text")
    claim.events.append(_event(principal, ClaimState.answered, text))
    claim.state = ClaimState.answered
    session.flush()
    return claim


def close(session: Session, principal: Principal, claim_id: int, *, text: str) -> Claim:
    claim = get_claim(session, principal, claim_id)
    _writer(principal)
    if claim.org_id != principal.org_id and not principal.is_admin:
        raise Forbidden("The claim is closed by the party that raised it.")
    if claim.state is ClaimState.closed:
        raise Conflict("The claim is closed.", field="claim")
    claim.events.append(_event(principal, ClaimState.closed, text or "-"))
    claim.state = ClaimState.closed
    session.flush()
    return claim
