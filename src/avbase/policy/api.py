"""REST routes of the policy module: the measures catalogue, quotes and parameter amendments."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile

from avbase.core.accounts.principal import Principal
from avbase.core.i18n import get_locale
from avbase.kit.dates import today
from avbase.policy import applications as apps
from avbase.policy import reports, rounds, service
from avbase.policy.models import Application, ApplicationState, Decision, SelectionRound
from avbase.policy.rules import RuleKind
from avbase.policy.schemas import (
    ApplicationIn,
    ApplicationOut,
    ApplicationPatch,
    AttachmentOut,
    AwardRowOut,
    BudgetIn,
    CommitIn,
    DecisionIn,
    EntryIn,
    EntryOut,
    ExpertIn,
    LedgerEntryOut,
    MarksIn,
    MeasureOut,
    NoteIn,
    ParameterIn,
    ParameterOut,
    QuoteIn,
    QuoteOut,
    RoundIn,
    RoundOut,
    RouteIn,
    SubmitIn,
)
from avbase.policy.views import evidence_file, quote_out, store_evidence
from avbase.settings import get_settings
from avbase.web.deps import ApiPrincipal, Db
from avbase.web.limits import upload_body
from avbase.web.schemas import ErrorOut, RowId

router = APIRouter(
    prefix="/policy",
    tags=["policy"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
MeasureId = Annotated[str, Path(pattern=r"^[a-z0-9.\-]{3,80}$", description="e.g. hn2023.4.rnd-center")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}}
CONFLICT: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}, 409: {"model": ErrorOut}}


@router.get("/measures", response_model=list[MeasureOut], summary="Every measure of the loaded documents")
def list_measures(
    db: Db,
    principal: ApiPrincipal,
    document: Annotated[str | None, Query(pattern=r"^[a-z0-9]{2,20}$")] = None,
    kind: RuleKind | None = None,
    q: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00-\x1f]*$")] = None,
) -> list[MeasureOut]:
    found = service.list_measures(db, document=document, kind=kind.value if kind else None, search=q)
    return [MeasureOut.model_validate(m) for m in found]


@router.get("/measures/{measure_id}", response_model=MeasureOut, responses=NOT_FOUND)
def get_measure(measure_id: MeasureId, db: Db, principal: ApiPrincipal) -> MeasureOut:
    return MeasureOut.model_validate(service.get_measure(db, measure_id))


@router.post(
    "/measures/{measure_id}/quote",
    response_model=QuoteOut,
    responses=NOT_FOUND,
    summary="What the measure gives for these facts as of a date, with the trace (eligible or the reason)",
)
def quote(measure_id: MeasureId, data: QuoteIn, db: Db, principal: ApiPrincipal) -> QuoteOut:
    return quote_out(service.quote(db, measure_id, data.facts, on=data.on or today()))


@router.post(
    "/measures/{measure_id}/parameters",
    response_model=ParameterOut,
    status_code=201,
    responses={**NOT_FOUND, 409: {"model": ErrorOut}},
    summary="Amend a cap, rate or threshold from a date on (earlier dates keep the earlier value)",
)
def amend(measure_id: MeasureId, data: ParameterIn, db: Db, principal: ApiPrincipal) -> ParameterOut:
    parameter = service.amend_parameter(
        db,
        principal,
        measure_id,
        name=data.name,
        value=data.value,
        effective_from=data.effective_from,
        note=data.note,
    )
    return ParameterOut.model_validate(parameter)


# --- applications, budgets, routes -------------------------------------------------------------------


@router.post("/applications", response_model=ApplicationOut, status_code=201, responses=NOT_FOUND)
def create_application(data: ApplicationIn, db: Db, principal: ApiPrincipal) -> ApplicationOut:
    made = apps.create_application(
        db, principal, measure_id=data.measure_id, item=data.item, facts=dict(data.facts)
    )
    return ApplicationOut.model_validate(made)


@router.get(
    "/applications", response_model=list[ApplicationOut], summary="Own applications, or those routed to you"
)
def list_applications(
    db: Db,
    principal: ApiPrincipal,
    state: ApplicationState | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ApplicationOut]:
    stmt = apps.visible_applications(principal).limit(limit)
    if state:
        stmt = stmt.where(Application.state == state)
    return [ApplicationOut.model_validate(a) for a in db.scalars(stmt)]


@router.get("/applications/{application_id}", response_model=ApplicationOut, responses=NOT_FOUND)
def get_application(application_id: RowId, db: Db, principal: ApiPrincipal) -> ApplicationOut:
    return ApplicationOut.model_validate(apps.get_application(db, principal, application_id))


@router.patch("/applications/{application_id}", response_model=ApplicationOut, responses=CONFLICT)
def update_application(
    application_id: RowId, data: ApplicationPatch, db: Db, principal: ApiPrincipal
) -> ApplicationOut:
    changed = apps.update_draft(db, principal, application_id, item=data.item, facts=dict(data.facts))
    return ApplicationOut.model_validate(changed)


@router.post("/applications/{application_id}/submit", response_model=ApplicationOut, responses=CONFLICT)
def submit_application(
    application_id: RowId, data: SubmitIn, db: Db, principal: ApiPrincipal
) -> ApplicationOut:
    return ApplicationOut.model_validate(apps.submit(db, principal, application_id, on=data.on or today()))


@router.post("/applications/{application_id}/decision", response_model=ApplicationOut, responses=CONFLICT)
def decide(application_id: RowId, data: DecisionIn, db: Db, principal: ApiPrincipal) -> ApplicationOut:
    decided = apps.decide(
        db, principal, application_id, decision=Decision(data.decision), comment=data.comment
    )
    return ApplicationOut.model_validate(decided)


@router.post("/applications/{application_id}/commit", response_model=LedgerEntryOut, responses=CONFLICT)
def commit_award(application_id: RowId, data: CommitIn, db: Db, principal: ApiPrincipal) -> LedgerEntryOut:
    return LedgerEntryOut.model_validate(apps.commit_award(db, principal, application_id, year=data.year))


@router.post("/applications/{application_id}/disburse", response_model=LedgerEntryOut, responses=CONFLICT)
def disburse(application_id: RowId, data: NoteIn, db: Db, principal: ApiPrincipal) -> LedgerEntryOut:
    return LedgerEntryOut.model_validate(apps.disburse(db, principal, application_id, note=data.note or None))


@router.post(
    "/applications/{application_id}/reverse", response_model=list[LedgerEntryOut], responses=CONFLICT
)
def reverse(application_id: RowId, data: NoteIn, db: Db, principal: ApiPrincipal) -> list[LedgerEntryOut]:
    return [
        LedgerEntryOut.model_validate(e) for e in apps.reverse(db, principal, application_id, note=data.note)
    ]


@router.put("/budgets/{measure_id}/{year}", status_code=204, responses=CONFLICT)
def set_budget(
    measure_id: MeasureId,
    year: Annotated[int, Path(ge=2000, le=2100)],
    data: BudgetIn,
    db: Db,
    principal: ApiPrincipal,
) -> Response:
    apps.set_budget(db, principal, measure_id=measure_id, year=year, amount=data.amount)
    return Response(status_code=204)


@router.put(
    "/routes", status_code=204, responses=CONFLICT, summary="Route a responsible unit to an organisation"
)
def route_unit(data: RouteIn, db: Db, principal: ApiPrincipal) -> Response:
    apps.route_unit(db, principal, document=data.document, unit=data.unit, org_id=data.org_id)
    return Response(status_code=204)


@router.get(
    "/reports", response_model=list[AwardRowOut], summary="Awards by measure, lead unit or region for a year"
)
def award_report(
    db: Db,
    principal: ApiPrincipal,
    year: Annotated[int, Query(ge=2000, le=2100)],
    by: Literal["measure", "unit", "region"] = "measure",
) -> list[AwardRowOut]:
    rows = reports.award_report(db, principal, year=year, by=by, locale=get_locale())
    return [AwardRowOut.model_validate(row, from_attributes=True) for row in rows]


@router.post(
    "/applications/{application_id}/attachments",
    response_model=AttachmentOut,
    status_code=201,
    responses=CONFLICT,
    summary="Attach evidence: PDF, PNG, JPEG or an Office file, checked by its bytes, up to the size limit",
    max_body_size=upload_body(get_settings().attachment_max_mb << 20),
)
def attach(
    application_id: RowId,
    db: Db,
    principal: ApiPrincipal,
    evidence: Annotated[str, Form(max_length=200)],
    file: Annotated[UploadFile, File()],
) -> AttachmentOut:
    return AttachmentOut.model_validate(store_evidence(db, principal, application_id, evidence, file))


@router.get("/applications/{application_id}/attachments/{attachment_id}", responses=NOT_FOUND)
def download_attachment(
    application_id: RowId, attachment_id: RowId, db: Db, principal: ApiPrincipal
) -> Response:
    return evidence_file(db, principal, application_id, attachment_id)


# --- selection rounds --------------------------------------------------------------------------------


def _round_out(selection: SelectionRound, principal: Principal) -> RoundOut:
    """Entries of an unpublished round are shown to stewards and to their own entrants only."""
    out = RoundOut.model_validate(selection)
    visible = {entry.id for entry in rounds.visible_entries(selection, principal)}
    out.entries = [entry for entry in out.entries if entry.id in visible]
    return out


@router.post("/rounds", response_model=RoundOut, status_code=201, responses=CONFLICT)
def create_round(data: RoundIn, db: Db, principal: ApiPrincipal) -> RoundOut:
    made = rounds.create_round(
        db,
        principal,
        measure_id=data.measure_id,
        year=data.year,
        title=data.title,
        criteria=[c.model_dump() for c in data.criteria],
        deadline=data.deadline,
        quota=data.quota,
    )
    return _round_out(made, principal)


@router.get("/rounds", response_model=list[RoundOut])
def list_rounds(db: Db, principal: ApiPrincipal) -> list[RoundOut]:
    return [_round_out(r, principal) for r in rounds.list_rounds(db)]


@router.get("/rounds/{round_id}", response_model=RoundOut, responses=NOT_FOUND)
def get_round(round_id: RowId, db: Db, principal: ApiPrincipal) -> RoundOut:
    return _round_out(rounds.get_round(db, round_id), principal)


@router.post("/rounds/{round_id}/entries", response_model=EntryOut, status_code=201, responses=CONFLICT)
def submit_entry(round_id: RowId, data: EntryIn, db: Db, principal: ApiPrincipal) -> EntryOut:
    entry = rounds.submit_entry(db, principal, round_id, title=data.title, summary=data.summary, on=today())
    return EntryOut.model_validate(entry)


@router.post("/rounds/{round_id}/experts", status_code=204, responses=CONFLICT)
def add_expert(round_id: RowId, data: ExpertIn, db: Db, principal: ApiPrincipal) -> Response:
    rounds.add_expert(db, principal, round_id, user_id=data.user_id)
    return Response(status_code=204)


@router.post("/rounds/{round_id}/close", response_model=RoundOut, responses=CONFLICT)
def close_entries(round_id: RowId, db: Db, principal: ApiPrincipal) -> RoundOut:
    return _round_out(rounds.close_entries(db, principal, round_id), principal)


@router.post("/round-entries/{entry_id}/scores", status_code=204, responses=CONFLICT)
def score_entry(entry_id: RowId, data: MarksIn, db: Db, principal: ApiPrincipal) -> Response:
    rounds.score_entry(db, principal, entry_id, marks=dict(data.marks))
    return Response(status_code=204)


@router.post("/rounds/{round_id}/publish", response_model=RoundOut, responses=CONFLICT)
def publish(round_id: RowId, db: Db, principal: ApiPrincipal) -> RoundOut:
    rounds.publish(db, principal, round_id)
    return _round_out(rounds.get_round(db, round_id), principal)
