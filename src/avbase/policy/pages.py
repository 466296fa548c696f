"""Web pages of the policy module: the measures catalogue, a measure with its quote form and trace."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from avbase.core.accounts.models import Organisation, OrgKind, Role
from avbase.core.accounts.principal import STEWARDS
from avbase.core.accounts.service import organisation_names
from avbase.core.errors import AvbaseError, Forbidden, NotFound
from avbase.core.i18n import N_, _, get_locale, label
from avbase.industry.exports import XLSX_MEDIA_TYPE
from avbase.kit.dates import today
from avbase.policy import applications as apps
from avbase.policy import rounds, service
from avbase.policy.exports import award_workbook
from avbase.policy.facts import (
    CHOICE_LABELS,
    FACT_LABELS,
    fact_label,
    fact_value,
    parameter_label,
    parameter_value,
)
from avbase.policy.models import (
    Application,
    ApplicationState,
    Budget,
    Decision,
    LedgerEntry,
    Measure,
    PolicyDocument,
    RoundEntry,
    RoundScore,
    RoundState,
)
from avbase.policy.reports import AwardRow, award_report
from avbase.policy.rules import Quote, RuleKind
from avbase.policy.sources import simplified
from avbase.policy.views import (
    evidence_file,
    measure_title,
    readable_params,
    step_text,
    store_evidence,
    trace_lines,
)
from avbase.settings import get_settings
from avbase.web.deps import Db, PagePrincipal
from avbase.web.downloads import attachment
from avbase.web.flash import flash_redirect
from avbase.web.forms import FormFields
from avbase.web.limits import upload_body
from avbase.web.schemas import RowId
from avbase.web.templating import add_template_dir, environment, render

router = APIRouter(prefix="/policy")
add_template_dir(Path(__file__).resolve().parent / "templates")
DOCUMENT_NAMES = {"hn2023": N_("Hunan 2023 (音视频)"), "zj2024": N_("Zhejiang 2024 (大视听)")}


def document_name(code: str) -> str:
    """A document as people call it (湖南2023音视频), never its code."""
    return _(DOCUMENT_NAMES[code]) if code in DOCUMENT_NAMES else code


environment.globals.update(
    fact_label=fact_label,
    fact_value=fact_value,
    parameter_label=parameter_label,
    parameter_value=parameter_value,
    document_name=document_name,
    measure_title=measure_title,
)


def shown_text(text: str) -> str:
    """Seed text in simplified characters, in either language (the HN text is traditional; the page offers
    the original beside it)."""
    return simplified(text)


def shown_source(measure: Measure) -> str:
    return shown_text(measure.source_text)


@router.get("")
def catalogue(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    document: str | None = None,
    kind: str | None = None,
    q: str | None = None,
) -> Response:
    chosen_kind = kind if kind in RuleKind.__members__ else None
    measures = service.list_measures(
        db, document=document or None, kind=chosen_kind, search=(q or "").strip()[:100] or None
    )
    return render(
        request,
        "policy/catalogue.html",
        {
            "measures": measures,
            "document": document or "",
            "kind": chosen_kind,
            "kinds": list(RuleKind),
            "q": q or "",
            "shown_source": shown_source,
        },
    )


def _measure_page(
    request: Request,
    db: Db,
    measure: Measure,
    principal: PagePrincipal,
    *,
    values: dict[str, str],
    errors: dict[str, str],
    result: Quote | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "policy/measure.html",
        {
            "m": measure,
            "source": shown_source(measure),
            "original": measure.source_text if shown_source(measure) != measure.source_text else None,
            "values": values,
            "errors": errors,
            "result": result,
            "step_text": step_text,
            "can_amend": service.stewards_document(principal, measure.document),
            "can_apply": principal.role in (Role.enterprise_staff, Role.park_operator),
            "unrouted_lead": apps.unrouted_lead(db, measure),
            "outside_region": principal.role in (Role.enterprise_staff, Role.park_operator)
            and not service.within_region(principal.region_code, measure.document),
            "region": service.region_label(measure.region_code),
            "today": today().isoformat(),
            "fact_labels": FACT_LABELS,
            "choice_labels": CHOICE_LABELS,
            "non_cumulation": shown_text(measure.document.non_cumulation or ""),
        },
        status_code=status,
    )


@router.get("/measures/{measure_id}")
def measure(request: Request, db: Db, principal: PagePrincipal, measure_id: str) -> Response:
    found = service.get_measure(db, measure_id[:80])
    return _measure_page(request, db, found, principal, values={}, errors={})


@router.post("/measures/{measure_id}/quote")
def quote(
    request: Request, db: Db, principal: PagePrincipal, measure_id: str, values: FormFields
) -> Response:
    found = service.get_measure(db, measure_id[:80])
    facts: dict[str, Any] = {k[5:]: v for k, v in values.items() if k.startswith("fact_") and v != ""}
    errors: dict[str, str] = {}
    try:
        on = date.fromisoformat(values.get("on") or today().isoformat())
    except ValueError:
        errors["on"] = _("A date is written YYYY-MM-DD.")
        return _measure_page(request, db, found, principal, values=values, errors=errors, status=422)
    try:
        result = service.quote(db, found.id, facts, on=on)
    except AvbaseError as exc:
        errors[f"fact_{exc.field}" if exc.field else "form"] = _(exc.message, **readable_params(exc.params))
        return _measure_page(request, db, found, principal, values=values, errors=errors, status=422)
    return _measure_page(request, db, found, principal, values=values, errors={}, result=result)


@router.post("/measures/{measure_id}/parameters")
def amend(
    request: Request, db: Db, principal: PagePrincipal, measure_id: str, values: FormFields
) -> Response:
    found = service.get_measure(db, measure_id[:80])
    try:
        effective_from = date.fromisoformat(values.get("effective_from", ""))
    except ValueError:
        return _measure_page(
            request,
            db,
            found,
            principal,
            values=values,
            errors={"effective_from": _("A date is written YYYY-MM-DD.")},
            status=422,
        )
    try:
        service.amend_parameter(
            db,
            principal,
            found.id,
            name=values.get("name", ""),
            value=values.get("value", ""),
            effective_from=effective_from,
            note=values.get("note") or None,
        )
    except AvbaseError as exc:
        errors = {exc.field or "form": _(exc.message, **readable_params(exc.params))}
        return _measure_page(
            request, db, found, principal, values=values, errors=errors, status=exc.status_code
        )
    return flash_redirect(
        f"/policy/measures/{found.id}",
        _("The new value is in force from {date}.", date=effective_from.isoformat()),
    )


# --- responsible units -------------------------------------------------------------------------------


def _routes_page(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    if principal.role not in STEWARDS:
        raise Forbidden("Only administrators and authority officers may change this.")
    documents = []
    for document in db.scalars(select(PolicyDocument).order_by(PolicyDocument.code)):
        routed = apps.routes(db, document.code)
        may = service.stewards_document(principal, document)
        choices = (
            list(
                db.scalars(
                    select(Organisation)
                    .where(Organisation.kind == OrgKind.authority)
                    .order_by(Organisation.region_code, Organisation.name)
                )
            )
            if may
            else []
        )
        documents.append(
            {
                "document": document,
                "region": service.region_label(document.region_code),
                "may_route": may,
                "choices": [o for o in choices if service.within_region(o.region_code, document)],
                "units": [(unit, routed.get(unit)) for unit in apps.document_units(db, document.code)],
                "names": organisation_names(db, routed.values()),
            }
        )
    documents.sort(key=lambda d: not d["may_route"])  # the documents the reader may route come first
    return render(
        request, "policy/routes.html", {"documents": documents, "errors": errors or {}}, status_code=status
    )


@router.get("/routes")
def unit_routes(request: Request, db: Db, principal: PagePrincipal) -> Response:
    return _routes_page(request, db, principal)


@router.post("/routes")
def route_unit(request: Request, db: Db, principal: PagePrincipal, values: FormFields) -> Response:
    document, unit = values.get("document", ""), values.get("unit", "")
    try:
        try:
            org_id = int(values.get("org_id") or "")
        except ValueError:
            raise AvbaseError("Choose the organisation that acts for the unit.", field="org_id") from None
        apps.route_unit(db, principal, document=document[:20], unit=unit[:100], org_id=org_id)
    except AvbaseError as exc:
        db.rollback()
        return _routes_page(
            request, db, principal, {"form": _(exc.message, **readable_params(exc.params))}, exc.status_code
        )
    name = organisation_names(db, [org_id]).get(org_id, "")
    return flash_redirect(
        f"/policy/routes#doc-{document}", _("{org} now acts for {unit}.", org=name, unit=unit)
    )


# --- applications ------------------------------------------------------------------------------------


@router.get("/applications")
def applications(request: Request, db: Db, principal: PagePrincipal, state: str | None = None) -> Response:
    stmt = apps.visible_applications(principal).limit(200)
    chosen = state if state in ApplicationState.__members__ else None
    if chosen:
        stmt = stmt.where(Application.state == chosen)
    found = list(db.scalars(stmt))
    waiting = [
        a
        for a in found
        if any(
            r.org_id == principal.org_id
            and r.decision is Decision.pending
            and r.round == max(x.round for x in a.reviews)
            for r in a.reviews
        )
        and a.state in (ApplicationState.lead_review, ApplicationState.joint_review)
    ]
    names = organisation_names(db, (a.org_id for a in found))
    return render(
        request,
        "policy/applications.html",
        {
            "applications": found,
            "waiting": waiting,
            "states": list(ApplicationState),
            "state": chosen,
            "org_names": names,
            "org_regions": {
                org.id: service.region_label(org.region_code)
                for org in db.scalars(select(Organisation).where(Organisation.id.in_(names)))
            },
        },
    )


@router.post("/measures/{measure_id}/apply")
def apply(
    request: Request, db: Db, principal: PagePrincipal, measure_id: str, values: FormFields
) -> Response:
    found = service.get_measure(db, measure_id[:80])
    facts = {k[5:]: v for k, v in values.items() if k.startswith("fact_") and v != ""}
    item = values.get("item", "").strip()
    if not item:
        return _measure_page(
            request,
            db,
            found,
            principal,
            values=values,
            errors={"item": _("This field is required.")},
            status=422,
        )
    try:
        made = apps.create_application(db, principal, measure_id=found.id, item=item[:200], facts=facts)
    except AvbaseError as exc:
        return _measure_page(
            request,
            db,
            found,
            principal,
            values=values,
            errors={"form": _(exc.message, **readable_params(exc.params))},
            status=exc.status_code,
        )
    return flash_redirect(
        f"/policy/applications/{made.id}", _("Draft saved: attach the evidence, then submit it.")
    )


def _application_page(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    application: Application,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    current = max((r.round for r in application.reviews), default=0)
    my_review = next(
        (
            r
            for r in application.reviews
            if r.round == current
            and r.decision is Decision.pending
            and (r.org_id == principal.org_id or principal.is_admin)
            and application.state in (ApplicationState.lead_review, ApplicationState.joint_review)
            and (r.stage.value == "lead") == (application.state is ApplicationState.lead_review)
        ),
        None,
    )
    leads = [r for r in application.reviews if r.stage.value == "lead"]
    is_lead = (
        principal.role in apps.REVIEWERS
        and bool(leads)
        and (principal.is_admin or leads[-1].org_id == principal.org_id)
    )
    org = db.get(Organisation, application.org_id)
    budgets = apps.budget_lines(db, application.measure_id)
    ledger = list(
        db.scalars(
            select(LedgerEntry).where(LedgerEntry.application_id == application.id).order_by(LedgerEntry.id)
        )
    )
    return render(
        request,
        "policy/application.html",
        {
            "a": application,
            "trace_lines": trace_lines,
            "applicant": org,
            "applicant_region": service.region_label(org.region_code) if org else "—",
            "outside_region": org is not None
            and not service.within_region(org.region_code, application.measure.document),
            "region": service.region_label(application.measure.region_code),
            "is_applicant": org is not None and principal.can_edit(org) and not principal.is_authority,
            "my_review": my_review,
            "is_lead": is_lead,
            "missing": apps.missing_evidence(application),
            "evidence_items": [*application.measure.evidence, apps.OTHER_EVIDENCE],
            "ledger": ledger,
            "errors": errors or {},
            "budgets": budgets,
            "year": apps.default_commit_year(budgets, application.approved_amount),
            "can_budget": service.stewards_document(principal, application.measure.document),
            "fact_labels": FACT_LABELS,
            "choice_labels": CHOICE_LABELS,
            "unit_names": organisation_names(db, (r.org_id for r in application.reviews)),
        },
        status_code=status,
    )


@router.get("/applications/{application_id}")
def application(request: Request, db: Db, principal: PagePrincipal, application_id: RowId) -> Response:
    return _application_page(request, db, principal, apps.get_application(db, principal, application_id))


@router.post(
    "/applications/{application_id}/attach", max_body_size=upload_body(get_settings().attachment_max_mb << 20)
)
def attach(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    application_id: RowId,
    evidence: str = Form(""),
    file: UploadFile = File(...),
) -> Response:
    try:
        attached = store_evidence(db, principal, application_id, evidence, file)
    except AvbaseError as exc:
        db.rollback()
        found = apps.get_application(db, principal, application_id)
        return _application_page(
            request,
            db,
            principal,
            found,
            {"form": _(exc.message, **readable_params(exc.params))},
            exc.status_code,
        )
    return flash_redirect(
        f"/policy/applications/{application_id}", _("Attached {file}.", file=attached.file_name)
    )


@router.get("/applications/{application_id}/attachments/{attachment_id}")
def attachment_file(
    db: Db, principal: PagePrincipal, application_id: RowId, attachment_id: RowId
) -> Response:
    return evidence_file(db, principal, application_id, attachment_id)


@router.post("/applications/{application_id}/{action}")
def act(
    request: Request, db: Db, principal: PagePrincipal, application_id: RowId, action: str, values: FormFields
) -> Response:
    """One form endpoint per action: submit, decide, commit, disburse, reverse, budget."""
    found = apps.get_application(db, principal, application_id)
    try:
        if action == "submit":
            apps.submit(db, principal, found.id, on=today())
            done = _("Submitted: {unit} reviews it next.", unit=found.measure.lead_unit)
        elif action == "decide":
            choice = values.get("decision", "")
            if choice not in ("approve", "return", "reject"):
                raise AvbaseError("Choose approve, return or reject.", field="decision")
            decided = apps.decide(
                db, principal, found.id, decision=Decision(choice), comment=values.get("comment")
            )
            done = {
                "approve": _("Approved; the application is now {state}.", state=label(decided.state)),
                "return": _("Returned to the applicant for changes."),
                "reject": _("Rejected; the applicant sees your comment."),
            }[choice]
        elif action == "commit":
            try:
                year = int(values.get("year") or "")
            except ValueError:
                raise AvbaseError("Choose the budget year.", field="year") from None
            entry = apps.commit_award(db, principal, found.id, year=year)
            line = next(b for b in apps.budget_lines(db, found.measure_id) if b.year == year)
            done = _(
                "{amount} yuan committed against the {year} budget; {left} yuan left.",
                amount=f"{entry.amount:,.2f}",
                year=year,
                left=f"{line.left:,.2f}",
            )
        elif action == "budget":
            try:
                year = int(values.get("year") or "")
                amount = Decimal(values.get("amount", "").replace(",", "").strip())
            except (ValueError, InvalidOperation):
                raise AvbaseError("Give the year and the budget in yuan.", field="amount") from None
            apps.set_budget(db, principal, measure_id=found.measure_id, year=year, amount=amount)
            done = _("The {year} budget is {amount} yuan.", year=year, amount=f"{amount:,.2f}")
        elif action == "disburse":
            apps.disburse(db, principal, found.id, note=values.get("note") or None)
            done = _("Payment recorded.")
        elif action == "reverse":
            apps.reverse(db, principal, found.id, note=values.get("note", ""))
            done = _("The award is reversed; the application is approved again.")
        else:
            raise NotFound("Page not found.")
    except AvbaseError as exc:
        db.rollback()
        found = apps.get_application(db, principal, application_id)
        return _application_page(
            request,
            db,
            principal,
            found,
            {exc.field or "form": _(exc.message, **readable_params(exc.params))},
            exc.status_code,
        )
    return flash_redirect(f"/policy/applications/{found.id}", done)


# --- reports -----------------------------------------------------------------------------------------


def _report(
    db: Db, principal: PagePrincipal, year: str | None, by: str | None
) -> tuple[int, str, list[AwardRow]]:
    chosen_by = by if by in ("measure", "unit", "region") else "measure"
    # By default the latest year that has budgets or bookings (the current year has none until they are set).
    latest = db.scalar(select(func.max(Budget.year)).where(Budget.year <= today().year)) or today().year
    try:
        chosen_year = min(max(int(year or latest), 2000), 2100)
    except ValueError:
        chosen_year = latest
    rows = award_report(db, principal, year=chosen_year, by=chosen_by, locale=get_locale())  # type: ignore[arg-type]
    return chosen_year, chosen_by, rows


@router.get("/reports")
def reports(
    request: Request, db: Db, principal: PagePrincipal, year: str | None = None, by: str | None = None
) -> Response:
    chosen_year, chosen_by, rows = _report(db, principal, year, by)
    return render(request, "policy/reports.html", {"year": chosen_year, "by": chosen_by, "rows": rows})


@router.get("/reports.xlsx")
def reports_export(
    db: Db, principal: PagePrincipal, year: str | None = None, by: str | None = None
) -> Response:
    chosen_year, chosen_by, rows = _report(db, principal, year, by)
    body = award_workbook(chosen_year, chosen_by, rows)
    return attachment(body, media_type=XLSX_MEDIA_TYPE, name=f"awards-{chosen_year}-{chosen_by}.xlsx")


# --- selection rounds --------------------------------------------------------------------------------


@router.get("/rounds")
def selection_rounds(request: Request, db: Db, principal: PagePrincipal) -> Response:
    return render(request, "policy/rounds.html", {"rounds": rounds.list_rounds(db)})


def _round_page(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    round_id: int,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    selection = rounds.get_round(db, round_id)
    steward = principal.role in STEWARDS
    entries = rounds.visible_entries(selection, principal)
    names = organisation_names(db, (e.org_id for e in entries))
    published = selection.state is RoundState.published
    standings = {s.entry_id: s for s in rounds.standings(db, round_id)} if steward or published else {}
    full_marks = sum(float(c.get("max", 0)) for c in selection.criteria) or 100.0
    points = {  # the experts' mean mark on a 0–100 scale: what people read; the rank uses the z-scores
        entry_id: s.raw_mean / full_marks * 100 for entry_id, s in standings.items() if s.raw_mean is not None
    }
    return render(
        request,
        "policy/round.html",
        {
            "r": selection,
            "entries": sorted(entries, key=lambda e: (e.rank is None, e.rank or 0, e.id)),
            "org_names": names,
            "standings": standings,
            "points": points,
            "steward": steward,
            "my_marks": _my_marks(db, principal, selection),
            "is_expert": any(e.user_id == principal.user_id for e in selection.experts)
            and selection.state is RoundState.scoring,
            "conflicts": {
                e.id
                for e in selection.entries
                if any(x.user_id == principal.user_id and x.org_id == e.org_id for x in selection.experts)
            },
            "can_enter": selection.state is RoundState.open
            and principal.role in (Role.enterprise_staff, Role.park_operator, Role.creator),
            "errors": errors or {},
        },
        status_code=status,
    )


def _my_marks(db: Db, principal: PagePrincipal, selection: Any) -> dict[int, dict[str, float]]:
    ids = [e.id for e in selection.entries]
    found = db.scalars(
        select(RoundScore).where(RoundScore.entry_id.in_(ids), RoundScore.user_id == principal.user_id)
    )
    return {score.entry_id: score.marks for score in found}


@router.post("/round-entries/{entry_id}/score")
def score(
    request: Request, db: Db, principal: PagePrincipal, entry_id: RowId, values: FormFields
) -> Response:
    entry = db.get(RoundEntry, entry_id)
    if entry is None:
        raise NotFound("Entry not found.")
    try:
        marks = {k[5:]: float(v) for k, v in values.items() if k.startswith("mark_")}
    except ValueError:
        return _round_page(request, db, principal, entry.round_id, {"form": _("Marks are numbers.")}, 422)
    try:
        rounds.score_entry(db, principal, entry_id, marks=marks)
    except AvbaseError as exc:
        db.rollback()
        return _round_page(
            request,
            db,
            principal,
            entry.round_id,
            {"form": _(exc.message, **readable_params(exc.params))},
            exc.status_code,
        )
    return RedirectResponse(f"/policy/rounds/{entry.round_id}", status_code=303)


@router.get("/rounds/{round_id}")
def selection_round(request: Request, db: Db, principal: PagePrincipal, round_id: RowId) -> Response:
    return _round_page(request, db, principal, round_id)


@router.post("/rounds/{round_id}/{action}")
def round_action(
    request: Request, db: Db, principal: PagePrincipal, round_id: RowId, action: str, values: FormFields
) -> Response:
    try:
        if action == "enter":
            if not values.get("title"):
                raise AvbaseError("This field is required.", field="title")
            rounds.submit_entry(
                db,
                principal,
                round_id,
                title=values["title"][:200],
                summary=values.get("summary") or None,
                on=today(),
            )
        elif action == "close":
            rounds.close_entries(db, principal, round_id)
        elif action == "publish":
            rounds.publish(db, principal, round_id)
        else:
            raise NotFound("Page not found.")
    except AvbaseError as exc:
        db.rollback()
        return _round_page(
            request,
            db,
            principal,
            round_id,
            {exc.field or "form": _(exc.message, **readable_params(exc.params))},
            exc.status_code,
        )
    return RedirectResponse(f"/policy/rounds/{round_id}", status_code=303)
