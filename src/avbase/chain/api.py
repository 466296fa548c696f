"""REST routes of the chain module: titles and windows, contracts, quotes, statements, settlement runs,
balances, reconciliations and claims. Each party sees its own."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile

from avbase.chain import views
from avbase.chain.cli import quote_json
from avbase.chain.distribution import service as distribution
from avbase.chain.schemas import (
    BalanceOut,
    ClaimIn,
    ClaimOut,
    ClaimTextIn,
    ContractIn,
    ContractOut,
    ImportOut,
    QuoteIn,
    ReconciliationOut,
    RunOut,
    SettleIn,
    TitleIn,
    TitleOut,
    WindowIn,
    WindowOut,
)
from avbase.chain.settlement import claims
from avbase.chain.settlement import service as settlement
from avbase.chain.settlement.models import ClaimState
from avbase.chain.settlement.revenue_models import quote
from avbase.chain.settlement.statements import import_statements
from avbase.kit.dates import today
from avbase.kit.pagination import MAX_ROW_ID
from avbase.web.deps import ApiPrincipal, Db
from avbase.web.limits import upload_body
from avbase.web.schemas import ErrorOut, RowId
from avbase.web.uploads import with_upload

router = APIRouter(
    prefix="/chain",
    tags=["chain"],
    responses={
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
        409: {"model": ErrorOut},
        422: {"model": ErrorOut},
    },
)
UPLOAD = upload_body(views.STATEMENT_MAX_BYTES)


@router.get("/titles", response_model=list[TitleOut], summary="The titles the principal may see")
def list_titles(db: Db, principal: ApiPrincipal) -> list[TitleOut]:
    return [TitleOut.model_validate(t) for t in distribution.list_titles(db, principal)]


@router.post("/titles", response_model=TitleOut, status_code=201, summary="Register a title")
def create_title(data: TitleIn, db: Db, principal: ApiPrincipal) -> TitleOut:
    title = distribution.create_title(
        db, principal, name=data.name, kind=data.kind, work_id=data.work_id, note=data.note
    )
    return TitleOut.model_validate(title)


@router.get("/titles/{title_id}", response_model=TitleOut)
def get_title(title_id: RowId, db: Db, principal: ApiPrincipal) -> TitleOut:
    return TitleOut.model_validate(distribution.get_title(db, principal, title_id))


@router.post(
    "/titles/{title_id}/windows",
    response_model=WindowOut,
    status_code=201,
    summary="Add a release window (409 when it meets an exclusive one)",
)
def add_window(title_id: RowId, data: WindowIn, db: Db, principal: ApiPrincipal) -> WindowOut:
    window = distribution.add_window(db, principal, title_id, **data.model_dump())
    return WindowOut.model_validate(window)


@router.get("/contracts", response_model=list[ContractOut])
def list_contracts(db: Db, principal: ApiPrincipal) -> list[ContractOut]:
    return [ContractOut.model_validate(c) for c in distribution.list_contracts(db, principal)]


@router.post("/contracts", response_model=ContractOut, status_code=201, summary="A contract as data")
def create_contract(data: ContractIn, db: Db, principal: ApiPrincipal) -> ContractOut:
    contract = distribution.create_contract(
        db,
        principal,
        code=data.code,
        name=data.name,
        title_id=data.title_id,
        model=data.model,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        parties=[distribution.PartyIn(p.role, p.name, p.org_id) for p in data.parties],
        terms=[distribution.TermIn(t.name, t.value, t.effective_from, t.source) for t in data.terms],
    )
    return ContractOut.model_validate(contract)


@router.get("/contracts/{contract_id}", response_model=ContractOut)
def get_contract(contract_id: RowId, db: Db, principal: ApiPrincipal) -> ContractOut:
    return ContractOut.model_validate(distribution.get_contract(db, principal, contract_id))


@router.post("/quote", summary="Each step of a revenue model with its amount (422 names a bad parameter)")
def quote_model(data: QuoteIn, principal: ApiPrincipal) -> dict[str, Any]:
    return quote_json(quote(data.model, data.params, on=data.on or today()))


@router.post(
    "/statements",
    response_model=ImportOut,
    status_code=201,
    max_body_size=UPLOAD,
    summary="Import a statement (CSV or Excel): every row or none; a file twice is refused (409)",
)
def upload_statements(
    db: Db,
    principal: ApiPrincipal,
    file: Annotated[UploadFile, File()],
    source: Annotated[str, Form(min_length=1, max_length=200)],
    template: Annotated[str | None, Form(max_length=80)] = None,
) -> ImportOut:
    done = with_upload(
        file,
        views.STATEMENT_MAX_BYTES,
        lambda path, name: import_statements(
            db, principal, path, source=source, template=template or None, file_name=name
        ),
    )
    return ImportOut(
        id=done.id, file_name=done.file_name, rows=done.rows, amount=done.amount, template=done.template
    )


@router.post(
    "/contracts/{contract_id}/settle",
    response_model=RunOut,
    status_code=201,
    summary="Settle a period: a draft run, or a correcting run once the period is approved",
)
def settle(contract_id: RowId, data: SettleIn, db: Db, principal: ApiPrincipal) -> RunOut:
    return views.run_out(settlement.settle(db, principal, contract_id, period=data.period), principal)


@router.get("/runs", response_model=list[RunOut])
def list_runs(
    db: Db, principal: ApiPrincipal, contract_id: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None
) -> list[RunOut]:
    return [views.run_out(r, principal) for r in settlement.list_runs(db, principal, contract_id=contract_id)]


@router.get("/runs/{run_id}", response_model=RunOut)
def get_run(run_id: RowId, db: Db, principal: ApiPrincipal) -> RunOut:
    return views.run_out(settlement.get_run(db, principal, run_id), principal)


@router.post("/runs/{run_id}/approve", response_model=RunOut, summary="Approve: post to the ledger, lock")
def approve(run_id: RowId, db: Db, principal: ApiPrincipal) -> RunOut:
    return views.run_out(settlement.approve(db, principal, run_id), principal)


@router.get("/balances", response_model=list[BalanceOut], summary="What each party is owed on a date")
def balances(db: Db, principal: ApiPrincipal, on: Annotated[date | None, Query()] = None) -> list[BalanceOut]:
    return [
        BalanceOut(party=b.party, name=b.name, account=b.code, owed=b.owed)
        for b in settlement.balances(db, principal, on=on)
    ]


@router.post(
    "/reconciliations",
    response_model=ReconciliationOut,
    status_code=201,
    max_body_size=UPLOAD,
    summary="Reconcile a statement against expected figures; every discrepancy, nothing that agrees",
)
def reconcile(
    db: Db,
    principal: ApiPrincipal,
    statement: Annotated[UploadFile, File()],
    expected: Annotated[UploadFile, File()],
    counterparty: Annotated[str, Form(min_length=1, max_length=200)],
) -> ReconciliationOut:
    kept, _ = views.with_two_uploads(
        statement,
        expected,
        lambda s, s_name, e, e_name: claims.reconcile_and_keep(
            db,
            principal,
            statement=s,
            expected=e,
            counterparty=counterparty,
            statement_name=s_name,
            expected_name=e_name,
        ),
    )
    return ReconciliationOut.model_validate(kept)


@router.get("/reconciliations/{reconciliation_id}", response_model=ReconciliationOut)
def get_reconciliation(reconciliation_id: RowId, db: Db, principal: ApiPrincipal) -> ReconciliationOut:
    return ReconciliationOut.model_validate(claims.get_reconciliation(db, principal, reconciliation_id))


@router.get("/claims", response_model=list[ClaimOut])
def list_claims(db: Db, principal: ApiPrincipal, state: ClaimState | None = None) -> list[ClaimOut]:
    return [ClaimOut.model_validate(c) for c in claims.list_claims(db, principal, state=state)]


@router.post("/claims", response_model=ClaimOut, status_code=201, summary="Raise a discrepancy as a claim")
def raise_claim(data: ClaimIn, db: Db, principal: ApiPrincipal) -> ClaimOut:
    claim = claims.raise_claim(
        db,
        principal,
        data.reconciliation_id,
        index=data.index,
        counterparty_org_id=data.counterparty_org_id,
        text=data.text,
    )
    return ClaimOut.model_validate(claim)


@router.post("/claims/{claim_id}/answer", response_model=ClaimOut)
def answer_claim(claim_id: RowId, data: ClaimTextIn, db: Db, principal: ApiPrincipal) -> ClaimOut:
    return ClaimOut.model_validate(claims.answer(db, principal, claim_id, text=data.text))


@router.post("/claims/{claim_id}/close", response_model=ClaimOut)
def close_claim(claim_id: RowId, data: ClaimTextIn, db: Db, principal: ApiPrincipal) -> ClaimOut:
    return ClaimOut.model_validate(claims.close(db, principal, claim_id, text=data.text))
