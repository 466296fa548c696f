"""Web pages of the chain: titles and windows, contracts with the waterfall of a period, statements,
reconciliations with their discrepancies and claims, ledger balances; Excel exports."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from avbase.chain import charts, exports, views
from avbase.chain.distribution import service as distribution
from avbase.chain.distribution.models import Channel, TitleKind
from avbase.chain.settlement import claims
from avbase.chain.settlement import service as settlement
from avbase.chain.settlement.models import StatementImport
from avbase.chain.settlement.platform import RULE_SETS
from avbase.chain.settlement.statements import import_statements
from avbase.core.accounts.service import organisation_names
from avbase.core.errors import AvbaseError
from avbase.core.i18n import _
from avbase.industry.exports import XLSX_MEDIA_TYPE
from avbase.industry.imports import ImportRejected
from avbase.web.deps import Db, PagePrincipal
from avbase.web.downloads import attachment
from avbase.web.forms import FormFields
from avbase.web.limits import upload_body
from avbase.web.schemas import RowId
from avbase.web.templating import add_template_dir, render
from avbase.web.uploads import with_upload

router = APIRouter(prefix="/chain")
add_template_dir(Path(__file__).resolve().parent / "templates")
UPLOAD = upload_body(views.STATEMENT_MAX_BYTES)


def _error_text(exc: AvbaseError) -> str:
    text = _(exc.message, **exc.params)
    return f"{exc.field}: {text}" if exc.field and exc.field not in text else text


@router.get("")
def overview(request: Request, db: Db, principal: PagePrincipal, error: str | None = None) -> Response:
    titles = distribution.list_titles(db, principal)
    return render(
        request,
        "chain/index.html",
        {
            "titles": titles,
            "calendar": distribution.window_calendar(db, principal),
            "contracts": distribution.list_contracts(db, principal),
            "channels": list(Channel),
            "kinds": list(TitleKind),
            "owned": {t.id for t in titles if principal.owns(t.org_id)},
            "error": error,
        },
    )


@router.post("/titles")
def create_title(request: Request, db: Db, principal: PagePrincipal, values: FormFields) -> Response:
    try:
        distribution.create_title(db, principal, name=values.get("name", ""), kind=values.get("kind", ""))
    except AvbaseError as exc:
        db.rollback()
        return overview(request, db, principal, error=_error_text(exc))
    return RedirectResponse("/chain", status_code=303)


@router.post("/titles/{title_id}/windows")
def add_window(
    request: Request, db: Db, principal: PagePrincipal, title_id: RowId, values: FormFields
) -> Response:
    try:
        starts = date.fromisoformat(values.get("starts_on", ""))
        ends = date.fromisoformat(values["ends_on"]) if values.get("ends_on") else None
    except ValueError:
        return overview(request, db, principal, error=_("A date is written YYYY-MM-DD."))
    try:
        distribution.add_window(
            db,
            principal,
            title_id,
            channel=values.get("channel", ""),
            territory=values.get("territory", ""),
            starts_on=starts,
            ends_on=ends,
            exclusive=values.get("exclusive") == "on",
        )
    except AvbaseError as exc:
        db.rollback()
        return overview(request, db, principal, error=_error_text(exc))
    return RedirectResponse("/chain", status_code=303)


def _names(contract: Any) -> dict[str, str]:
    return {party.role: party.name for party in contract.parties}


@router.get("/contracts/{contract_id}")
def contract_page(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    contract_id: RowId,
    run: int | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    contract = distribution.get_contract(db, principal, contract_id)
    runs = settlement.list_runs(db, principal, contract_id=contract.id)
    owner = principal.is_admin or principal.org_id == contract.org_id
    shown = next((r for r in runs if r.id == run), runs[0] if runs else None)
    return render(
        request,
        "chain/contract.html",
        {
            "c": contract,
            "runs": runs,
            "shown": views.run_out(shown, principal) if shown else None,
            "shown_run": shown,
            "waterfall": charts.run_waterfall(shown.trace, _names(contract)) if shown and owner else None,
            "owner": owner,
            "error": error,
            "terms": sorted(contract.terms, key=lambda t: (t.name, t.effective_from)),
            "rule_sets": RULE_SETS,
        },
        status_code=status,
    )


@router.post("/contracts/{contract_id}/settle")
def settle(
    request: Request, db: Db, principal: PagePrincipal, contract_id: RowId, values: FormFields
) -> Response:
    try:
        made = settlement.settle(db, principal, contract_id, period=values.get("period", "").strip())
    except AvbaseError as exc:
        db.rollback()
        return contract_page(
            request, db, principal, contract_id, error=_error_text(exc), status=exc.status_code
        )
    return RedirectResponse(f"/chain/contracts/{contract_id}?run={made.id}", status_code=303)


@router.post("/runs/{run_id}/approve")
def approve(request: Request, db: Db, principal: PagePrincipal, run_id: RowId) -> Response:
    run = settlement.get_run(db, principal, run_id)
    try:
        settlement.approve(db, principal, run_id)
    except AvbaseError as exc:
        db.rollback()
        return contract_page(
            request,
            db,
            principal,
            run.contract_id,
            run=run_id,
            error=_error_text(exc),
            status=exc.status_code,
        )
    return RedirectResponse(f"/chain/contracts/{run.contract_id}?run={run_id}", status_code=303)


@router.get("/statements")
def statements_page(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    errors: list[dict[str, Any]] | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    stmt = select(StatementImport).order_by(StatementImport.id.desc()).limit(200)
    if not principal.is_admin:
        stmt = stmt.where(StatementImport.org_id == principal.org_id)
    return render(
        request,
        "chain/statements.html",
        {
            "imports": list(db.scalars(stmt)),
            "errors": errors or [],
            "error": error,
        },
        status_code=status,
    )


@router.post("/statements", max_body_size=UPLOAD)
def upload_statements(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    file: UploadFile = File(...),
    source: str = Form(""),
    template: str = Form(""),
) -> Response:
    try:
        with_upload(
            file,
            views.STATEMENT_MAX_BYTES,
            lambda path, name: import_statements(
                db, principal, path, source=source or name, template=template.strip() or None, file_name=name
            ),
        )
    except ImportRejected as rejected:
        db.rollback()
        rows = [{"row": e.row, "column": e.column, "reason": e.reason} for e in rejected.errors[:200]]
        return statements_page(request, db, principal, errors=rows, error=_error_text(rejected), status=422)
    except AvbaseError as exc:
        db.rollback()
        return statements_page(request, db, principal, error=_error_text(exc), status=exc.status_code)
    return RedirectResponse("/chain/statements", status_code=303)


def _claim_orgs(found: list[Any]) -> set[int]:
    ids = {c.org_id for c in found} | {c.counterparty_org_id for c in found if c.counterparty_org_id}
    return ids | {e.org_id for c in found for e in c.events if e.org_id}


def _counterparties(db: Db, principal: PagePrincipal) -> dict[int, str]:
    """The organisations named in the principal's contracts or licensed its windows: whom a claim can be
    raised with."""
    ids = {p.org_id for c in distribution.list_contracts(db, principal) for p in c.parties if p.org_id}
    ids |= {
        row.window.licensee_org_id
        for row in distribution.window_calendar(db, principal)
        if row.window.licensee_org_id
    }
    return {k: v for k, v in organisation_names(db, ids).items() if k != principal.org_id}


@router.get("/reconciliations")
def reconciliations_page(
    request: Request, db: Db, principal: PagePrincipal, error: str | None = None, status: int = 200
) -> Response:
    found = claims.list_claims(db, principal)
    return render(
        request,
        "chain/reconciliations.html",
        {
            "reconciliations": claims.list_reconciliations(db, principal),
            "claims": found,
            "org_names": organisation_names(db, _claim_orgs(found)),
            "error": error,
        },
        status_code=status,
    )


@router.post("/reconciliations", max_body_size=UPLOAD)
def reconcile(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    statement: UploadFile = File(...),
    expected: UploadFile = File(...),
    counterparty: str = Form(""),
) -> Response:
    try:
        kept, _result = views.with_two_uploads(
            statement,
            expected,
            lambda s, s_name, e, e_name: claims.reconcile_and_keep(
                db,
                principal,
                statement=s,
                expected=e,
                counterparty=counterparty or "-",
                statement_name=s_name,
                expected_name=e_name,
            ),
        )
    except AvbaseError as exc:
        db.rollback()
        return reconciliations_page(request, db, principal, error=_error_text(exc), status=exc.status_code)
    return RedirectResponse(f"/chain/reconciliations/{kept.id}", status_code=303)


@router.get("/reconciliations/{reconciliation_id}")
def reconciliation_page(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    reconciliation_id: RowId,
    error: str | None = None,
    status: int = 200,
) -> Response:
    found = claims.get_reconciliation(db, principal, reconciliation_id)
    raised = {
        (c.title, c.period, c.metric, c.kind): c
        for c in claims.list_claims(db, principal)
        if c.reconciliation_id == found.id
    }
    return render(
        request,
        "chain/reconciliation.html",
        {
            "r": found,
            "raised": raised,
            "counterparties": _counterparties(db, principal),
            "error": error,
        },
        status_code=status,
    )


@router.get("/reconciliations/{reconciliation_id}.xlsx")
def reconciliation_xlsx(db: Db, principal: PagePrincipal, reconciliation_id: RowId) -> Response:
    found = claims.get_reconciliation(db, principal, reconciliation_id)
    keys = (
        "title",
        "period",
        "metric",
        "kind",
        "difference",
        "statement_amount",
        "expected_amount",
        "statement_quantity",
        "expected_quantity",
    )
    body = exports.workbook(
        "discrepancies",
        f"{found.counterparty} · {found.statement_name}",
        [_(k) for k in keys],
        ([d.get(k) for k in keys] for d in found.discrepancies),
    )
    return attachment(body, media_type=XLSX_MEDIA_TYPE, name=f"reconciliation-{found.id}.xlsx")


@router.post("/reconciliations/{reconciliation_id}/claims")
def raise_claim(
    request: Request, db: Db, principal: PagePrincipal, reconciliation_id: RowId, values: FormFields
) -> Response:
    try:
        counterparty = int(values["counterparty_org_id"]) if values.get("counterparty_org_id") else None
        claims.raise_claim(
            db,
            principal,
            reconciliation_id,
            index=int(values.get("index", "-1")),
            counterparty_org_id=counterparty,
            text=values.get("text", ""),
        )
    except (AvbaseError, ValueError) as exc:
        db.rollback()
        message = _error_text(exc) if isinstance(exc, AvbaseError) else _("Choose a discrepancy.")
        return reconciliation_page(request, db, principal, reconciliation_id, error=message, status=422)
    return RedirectResponse(f"/chain/reconciliations/{reconciliation_id}", status_code=303)


@router.post("/claims/{claim_id}/{action}")
def claim_action(
    request: Request, db: Db, principal: PagePrincipal, claim_id: RowId, action: str, values: FormFields
) -> Response:
    try:
        if action == "answer":
            claims.answer(db, principal, claim_id, text=values.get("text", ""))
        elif action == "close":
            claims.close(db, principal, claim_id, text=values.get("text", ""))
        else:
            return reconciliations_page(request, db, principal, error=_("Unknown action."), status=404)
    except AvbaseError as exc:
        db.rollback()
        return reconciliations_page(request, db, principal, error=_error_text(exc), status=exc.status_code)
    return RedirectResponse("/chain/reconciliations", status_code=303)


def _balances(
    db: Db, principal: PagePrincipal, on: str | None
) -> tuple[date | None, list[settlement.PartyBalance]]:
    try:
        day = date.fromisoformat(on) if on else None
    except ValueError:
        day = None
    return day, settlement.balances(db, principal, on=day)


@router.get("/balances")
def balances_page(request: Request, db: Db, principal: PagePrincipal, on: str | None = None) -> Response:
    day, rows = _balances(db, principal, on)
    total = sum((b.owed for b in rows), Decimal(0))
    return render(request, "chain/balances.html", {"rows": rows, "on": day, "total": total})


@router.get("/balances.xlsx")
def balances_xlsx(db: Db, principal: PagePrincipal, on: str | None = None) -> Response:
    day, rows = _balances(db, principal, on)
    body = exports.workbook(
        "balances",
        _("Balances on {on}", on=day.isoformat() if day else "—"),
        [_("Party"), _("Account"), _("Owed")],
        ((b.name, b.code, b.owed) for b in rows),
    )
    return attachment(body, media_type=XLSX_MEDIA_TYPE, name="chain-balances.xlsx")
