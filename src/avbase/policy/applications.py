"""Applications from draft to money paid: lead-unit review, joint review (联审联办), awards against a budget.

States: draft → lead_review → joint_review → approved → committed → disbursed, with returned (back to the
applicant, who may resubmit: a new review round) and rejected. Every change is an audited row; the awards
ledger is append-only and a correction is a reversing entry.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import ColumnElement, Select, or_, select, update
from sqlalchemy.orm import Session

from avbase.core import routing, storage
from avbase.core.accounts.models import Organisation, Role
from avbase.core.accounts.principal import Principal
from avbase.core.db import utcnow
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound
from avbase.kit.dates import today
from avbase.kit.filetypes import sniff_document
from avbase.policy import books
from avbase.policy.catalogue import rule_of
from avbase.policy.models import (
    Application,
    ApplicationState,
    Attachment,
    Budget,
    Decision,
    LedgerEntry,
    LedgerKind,
    Measure,
    Review,
    ReviewStage,
)
from avbase.policy.rules import evaluate
from avbase.policy.service import (
    check_applicant_region,
    get_document,
    get_measure,
    region_label,
    require_document_steward,
    within_region,
)
from avbase.policy.views import step_text, stored_step
from avbase.settings import get_settings

EDITABLE = (ApplicationState.draft, ApplicationState.returned)
AWARDED = (ApplicationState.committed, ApplicationState.disbursed)
REVIEWERS = (Role.admin, Role.authority_officer)


# --- routing -----------------------------------------------------------------------------------------


def route_unit(
    session: Session, principal: Principal, *, document: str, unit: str, org_id: int
) -> routing.UnitRoute:
    """Names the authority organisation that acts for ``unit`` of ``document`` (replaces an earlier one).

    Only the document's own authorities route its units, and only to an organisation where it applies."""
    found = get_document(session, document)
    require_document_steward(principal, found)
    unit = unit.strip()
    if unit not in document_units(session, document):
        raise AvbaseError("The document {code} names no unit {unit}.", field="unit", code=document, unit=unit)
    org = session.get(Organisation, org_id)
    if org is not None and not within_region(org.region_code, found):
        raise Conflict(
            "The units of this document are routed to organisations in {region}.",
            field="org_id",
            region=region_label(found.region_code),
        )
    return routing.set_route(session, principal, scope=document, unit=unit, org_id=org_id)


def routes(session: Session, document: str) -> dict[str, int]:
    return routing.routes(session, document)


def document_units(session: Session, document: str) -> list[str]:
    """Every unit the document's measures name (or the competent department where a measure names none),
    in the order they first appear."""
    measures = session.scalars(select(Measure).where(Measure.document_code == document).order_by(Measure.id))
    return list(dict.fromkeys(unit for measure in measures for unit in measure.responsible_units))


def unrouted_lead(session: Session, measure: Measure) -> str | None:
    """The measure's lead unit when no organisation acts for it yet (nobody could review an application)."""
    unit = measure.lead_unit
    return unit if routing.routed_org(session, measure.document_code, unit) is None else None


# --- reading -----------------------------------------------------------------------------------------


def _visible(principal: Principal) -> ColumnElement[bool]:
    """Applicants see their organisations' applications; a department sees what is routed to it."""
    routed = select(Review.application_id).where(Review.org_id == principal.org_id)
    if principal.is_admin:
        return Application.id.is_not(None)
    own = Application.org_id.in_(principal.visible_org_ids()) if not principal.is_authority else None
    return or_(Application.id.in_(routed), own) if own is not None else Application.id.in_(routed)


def visible_applications(principal: Principal) -> Select[Application]:
    return select(Application).where(_visible(principal)).order_by(Application.id.desc())


def get_application(session: Session, principal: Principal, application_id: int) -> Application:
    found = session.scalar(select(Application).where(Application.id == application_id, _visible(principal)))
    if found is None:
        raise NotFound("Application not found.")
    return found


# --- applicant ---------------------------------------------------------------------------------------


def create_application(
    session: Session, principal: Principal, *, measure_id: str, item: str, facts: Mapping[str, object]
) -> Application:
    """A draft for the principal's own organisation."""
    if principal.role in (Role.reviewer, Role.creator, Role.authority_officer):
        raise Forbidden("Applications are made by enterprises and park operators.")
    measure = get_measure(session, measure_id)
    check_applicant_region(session, measure, principal.org_id)
    if unit := unrouted_lead(session, measure):
        raise Conflict(
            "No organisation acts for the lead unit {unit} of this measure yet, so nobody could review an "
            "application; ask the authority to assign it.",
            field="measure",
            unit=unit,
        )
    application = Application(
        measure_id=measure.id,
        org_id=principal.org_id,
        item=item.strip(),
        facts={k: str(v) for k, v in facts.items()},
        state=ApplicationState.draft,
        created_by_id=principal.user_id or None,
    )
    session.add(application)
    session.flush()
    return application


def update_draft(
    session: Session,
    principal: Principal,
    application_id: int,
    *,
    item: str | None,
    facts: Mapping[str, object],
) -> Application:
    application = _own(session, principal, application_id)
    if application.state not in EDITABLE:
        raise Conflict("Only a draft or a returned application can be changed.")
    if item is not None:
        application.item = item.strip()
    application.facts = {**application.facts, **{k: str(v) for k, v in facts.items()}}
    session.flush()
    return application


def submit(session: Session, principal: Principal, application_id: int, *, on: date) -> Application:
    """Checks the facts against the rule in force on ``on`` and sends the application to the lead unit."""
    application = _own(session, principal, application_id)
    if application.state not in EDITABLE:
        raise Conflict("The application has been submitted already.")
    measure = application.measure
    check_applicant_region(session, measure, application.org_id)
    quote = evaluate(rule_of(measure), application.facts, on=on)
    if not quote.eligible:
        raise AvbaseError(
            "Not eligible: {reason}", reason=step_text(quote.reason) if quote.reason else "—", field="facts"
        )
    if missing := missing_evidence(application):
        raise AvbaseError(
            "Attach the evidence first: {items}.", field="attachments", items="、".join(missing)
        )
    lead = _route_of(session, measure, 0)
    application.quoted_amount = quote.amount
    application.trace = [stored_step(step) for step in quote.trace]
    application.submitted_on = on
    application.state = ApplicationState.lead_review
    application.reviews.append(
        Review(
            stage=ReviewStage.lead,
            round=_next_round(application),
            unit=measure.lead_unit,
            org_id=lead,
            due_on=_due(),
        )
    )
    session.flush()
    return application


def _own(session: Session, principal: Principal, application_id: int) -> Application:
    application = get_application(session, principal, application_id)
    org = session.get(Organisation, application.org_id)
    if org is None or not principal.can_edit(org) or principal.is_authority:
        raise Forbidden("Only the applicant changes or submits an application.")
    return application


def _next_round(application: Application) -> int:
    return max((r.round for r in application.reviews), default=0) + 1


def _route_of(session: Session, measure: Measure, position: int) -> int:
    unit = measure.responsible_units[position]
    org_id = routes(session, measure.document_code).get(unit)
    if org_id is None:
        raise Conflict("No organisation acts for {unit} yet; an administrator must route it.", unit=unit)
    return org_id


# --- evidence ----------------------------------------------------------------------------------------

OTHER_EVIDENCE = "其他材料"


def attach(
    session: Session, principal: Principal, application_id: int, *, evidence: str, path: Path, file_name: str
) -> Attachment:
    """Adds an evidence file (already streamed to ``path``) after checking its type by its bytes and its
    size; the file moves into the content-addressed store."""
    application = _own(session, principal, application_id)
    try:
        if application.state not in EDITABLE:
            raise Conflict("Evidence is attached before the application is submitted.")
        allowed = [*application.measure.evidence, OTHER_EVIDENCE]
        if evidence not in allowed:
            raise AvbaseError(
                "Unknown evidence item; this measure asks for: {items}.",
                field="evidence",
                items="、".join(allowed),
            )
        size = path.stat().st_size
        if size > get_settings().attachment_max_mb << 20:
            raise AvbaseError(
                "The file is larger than {limit} MB.", field="file", limit=get_settings().attachment_max_mb
            )
        media_type = sniff_document(path)
    except AvbaseError:
        path.unlink(missing_ok=True)
        raise
    sha256, _known = storage.keep(path)
    attachment = Attachment(
        application_id=application.id,
        evidence=evidence,
        file_name=file_name[:200],
        media_type=media_type,
        size=size,
        sha256=sha256,
        uploaded_by_id=principal.user_id or None,
    )
    application.attachments.append(attachment)
    session.flush()
    return attachment


def missing_evidence(application: Application) -> list[str]:
    attached = {a.evidence for a in application.attachments}
    return [item for item in application.measure.evidence if item not in attached]


def waiting_reviews(session: Session, principal: Principal) -> list[Review]:
    """Reviews waiting on the principal's unit, the earliest due first."""
    return list(
        session.scalars(
            select(Review)
            .join(Application, Application.id == Review.application_id)
            .where(
                Review.org_id == principal.org_id,
                Review.decision == Decision.pending,
                Application.state.in_([ApplicationState.lead_review, ApplicationState.joint_review]),
            )
            .order_by(Review.due_on, Review.id)
        )
    )


def overdue_reviews(session: Session, principal: Principal, *, on: date) -> list[Review]:
    """Reviews waiting on the principal's unit past their due date."""
    return [r for r in waiting_reviews(session, principal) if r.due_on is not None and r.due_on < on]


def _due() -> date:
    return today() + timedelta(days=get_settings().review_days)


# --- reviewers ---------------------------------------------------------------------------------------


def decide(
    session: Session,
    principal: Principal,
    application_id: int,
    *,
    decision: Decision,
    comment: str | None = None,
) -> Application:
    """The principal's unit decides its pending review. The lead unit's approval opens the joint review
    of the other units, in parallel; any rejection rejects, any return returns, all approvals approve."""
    if principal.role not in REVIEWERS:
        raise Forbidden("Only authority officers decide applications.")
    if decision is Decision.pending:
        raise AvbaseError("Choose approve, return or reject.", field="decision")
    if decision is not Decision.approve and not (comment or "").strip():
        raise AvbaseError("Say why: a return or a rejection needs a comment.", field="comment")
    application = get_application(session, principal, application_id)
    stage = {ApplicationState.lead_review: ReviewStage.lead, ApplicationState.joint_review: ReviewStage.joint}
    if application.state not in stage:
        raise Conflict("The application is not under review.")
    current = max(r.round for r in application.reviews)
    pending = [
        r
        for r in application.reviews
        if r.round == current
        and r.stage is stage[application.state]
        and r.decision is Decision.pending
        and (r.org_id == principal.org_id or principal.is_admin)
    ]
    if not pending:
        raise Forbidden("Your unit has no pending review of this application.")
    review = pending[0]
    review.decision = decision
    review.comment = (comment or "").strip() or None
    review.decided_by_id = principal.user_id or None
    if decision is Decision.reject:
        application.state = ApplicationState.rejected
    elif decision is Decision.return_:
        application.state = ApplicationState.returned
    elif review.stage is ReviewStage.lead:
        _open_joint_review(session, application, current)
    elif all(
        r.decision is Decision.approve
        for r in application.reviews
        if r.round == current and r.stage is ReviewStage.joint
    ):
        _approve(application)
    session.flush()
    return application


def _open_joint_review(session: Session, application: Application, round_: int) -> None:
    measure = application.measure
    units = measure.responsible_units
    others = [_route_of(session, measure, i) for i in range(1, len(units))]
    seen: set[int] = {r.org_id for r in application.reviews if r.round == round_}
    for unit, org_id in zip(units[1:], others, strict=True):
        if org_id in seen:  # one organisation may act for two named units; it reviews once
            continue
        seen.add(org_id)
        application.reviews.append(
            Review(stage=ReviewStage.joint, round=round_, unit=unit, org_id=org_id, due_on=_due())
        )
    if any(r.stage is ReviewStage.joint and r.round == round_ for r in application.reviews):
        application.state = ApplicationState.joint_review
    else:
        _approve(application)


def _approve(application: Application) -> None:
    application.state = ApplicationState.approved
    application.approved_amount = application.quoted_amount


# --- money -------------------------------------------------------------------------------------------


def set_budget(
    session: Session, principal: Principal, *, measure_id: str, year: int, amount: Decimal
) -> Budget:
    require_document_steward(principal, get_measure(session, measure_id).document)
    if amount < 0:
        raise AvbaseError("A budget cannot be negative.", field="amount")
    budget = session.scalar(select(Budget).where(Budget.measure_id == measure_id, Budget.year == year))
    if budget is None:
        budget = Budget(measure_id=measure_id, year=year, amount=amount)
        session.add(budget)
    else:
        if amount < books.committed_total(session, measure_id, year):
            raise Conflict("The budget cannot fall below what is committed already.", field="amount")
        budget.amount = amount
    session.flush()
    return budget


@dataclass(frozen=True)
class BudgetLine:
    year: int
    amount: Decimal
    committed: Decimal

    @property
    def left(self) -> Decimal:
        return self.amount - self.committed


def budget_lines(session: Session, measure_id: str) -> list[BudgetLine]:
    """Each year's budget of a measure with what is committed against it and what is left, latest first."""
    budgets = session.scalars(
        select(Budget).where(Budget.measure_id == measure_id).order_by(Budget.year.desc())
    )
    return [
        BudgetLine(b.year, Decimal(b.amount), books.committed_total(session, measure_id, b.year))
        for b in budgets
    ]


def default_commit_year(lines: list[BudgetLine], amount: Decimal | None) -> int:
    """The year an award is booked against by default: the latest budget that still covers it, else the
    latest budget, else this year (which has none, and says so)."""
    covering = [line for line in lines if amount is not None and line.left >= amount]
    chosen = covering or lines
    return chosen[0].year if chosen else today().year


def commit_award(session: Session, principal: Principal, application_id: int, *, year: int) -> LedgerEntry:
    """Books the approved amount against the measure's budget for ``year``.

    The budget row is written first (``UPDATE … SET updated_at``): on PostgreSQL that locks the row, on
    SQLite it takes the write lock, so two approvals at the same moment are serialised and the second sees
    the first one's commitment before it checks what is left.
    """
    application = _lead_decided(session, principal, application_id)
    if application.state is not ApplicationState.approved:
        raise Conflict("Only an approved application is committed.")
    amount = application.approved_amount
    if amount is None or amount <= 0:
        raise Conflict("The measure gives no money to commit.")
    _not_stacked(session, application)
    locked = session.execute(
        update(Budget)
        .where(Budget.measure_id == application.measure_id, Budget.year == year)
        .values(updated_at=utcnow())
    )
    if locked.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict("The measure has no budget for {year}.", field="year", year=year)
    budget = session.scalar(
        select(Budget.amount).where(Budget.measure_id == application.measure_id, Budget.year == year)
    )
    left = Decimal(budget or 0) - books.committed_total(session, application.measure_id, year)
    if amount > left:
        raise Conflict(
            "The budget for {year} is exhausted: {left} yuan left, {amount} yuan asked.",
            year=year,
            left=f"{left:,.2f}",
            amount=f"{amount:,.2f}",
        )
    entry = LedgerEntry(
        measure_id=application.measure_id,
        year=year,
        application_id=application.id,
        org_id=application.org_id,
        kind=LedgerKind.commit,
        amount=amount,
        by_id=principal.user_id or None,
    )
    books.post_entry(session, entry)
    session.add(entry)
    application.state = ApplicationState.committed
    session.flush()
    return entry


def _not_stacked(session: Session, application: Application) -> None:
    """HN closing clause: one item is supported once within a non-cumulation group (就高原则 picks the
    higher amount when the claims are compared; a second award for the same item is refused)."""
    group = application.measure.group_key
    if not group:
        return
    other = session.scalar(
        select(Application)
        .join(Measure, Measure.id == Application.measure_id)
        .where(
            Application.org_id == application.org_id,
            Application.item == application.item,
            Application.id != application.id,
            Application.state.in_(AWARDED),
            Measure.group_key == group,
        )
    )
    if other is not None:
        raise Conflict(
            "Not stacked: the same item already has an award under {measure} (不重复享受).",
            measure=other.measure_id,
        )


def disburse(
    session: Session, principal: Principal, application_id: int, *, note: str | None = None
) -> LedgerEntry:
    application = _lead_decided(session, principal, application_id)
    if application.state is not ApplicationState.committed:
        raise Conflict("Only a committed award is paid.")
    commit = _last_entry(session, application, LedgerKind.commit)
    entry = LedgerEntry(
        measure_id=application.measure_id,
        year=commit.year,
        application_id=application.id,
        org_id=application.org_id,
        kind=LedgerKind.disburse,
        amount=commit.amount,
        by_id=principal.user_id or None,
        note=note,
    )
    books.post_entry(session, entry)
    session.add(entry)
    application.state = ApplicationState.disbursed
    session.flush()
    return entry


def reverse(session: Session, principal: Principal, application_id: int, *, note: str) -> list[LedgerEntry]:
    """Undoes a commitment (and its payment) with reversing entries; the application is approved again."""
    if not note.strip():
        raise AvbaseError("Say why: a reversal needs a note.", field="note")
    application = _lead_decided(session, principal, application_id)
    if application.state not in AWARDED:
        raise Conflict("Nothing is booked for this application.")
    entries = []
    if application.state is ApplicationState.disbursed:
        paid = _last_entry(session, application, LedgerKind.disburse)
        entries.append((LedgerKind.reverse_disburse, paid))
    commit = _last_entry(session, application, LedgerKind.commit)
    entries.append((LedgerKind.reverse_commit, commit))
    made = [
        LedgerEntry(
            measure_id=original.measure_id,
            year=original.year,
            application_id=application.id,
            org_id=application.org_id,
            kind=kind,
            amount=-original.amount,
            by_id=principal.user_id or None,
            note=note.strip(),
        )
        for kind, original in entries
    ]
    for entry in made:
        books.post_entry(session, entry)
    session.add_all(made)
    application.state = ApplicationState.approved
    session.flush()
    return made


def _lead_decided(session: Session, principal: Principal, application_id: int) -> Application:
    """Money is booked by the lead unit of the application (or an administrator)."""
    if principal.role not in REVIEWERS:
        raise Forbidden("Only authority officers book awards.")
    application = get_application(session, principal, application_id)
    lead = [r for r in application.reviews if r.stage is ReviewStage.lead]
    if not principal.is_admin and (not lead or lead[-1].org_id != principal.org_id):
        raise Forbidden("Awards are booked by the lead unit.")
    return application


def _last_entry(session: Session, application: Application, kind: LedgerKind) -> LedgerEntry:
    entry = session.scalar(
        select(LedgerEntry)
        .where(LedgerEntry.application_id == application.id, LedgerEntry.kind == kind)
        .order_by(LedgerEntry.id.desc())
        .limit(1)
    )
    if entry is None:
        raise Conflict("The ledger has no {kind} entry for this application.", kind=kind.value)
    return entry
