"""Web pages of the industry module: monitoring dashboard, enterprises and reports, imports, index,
赛马 ranking, parks and projects."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

import plotly
from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, RedirectResponse, Response
from sqlalchemy import String, cast, or_, select

from avbase.core.accounts.models import Role
from avbase.core.accounts.principal import STEWARDS, Principal, jurisdiction_prefix
from avbase.core.audit import AuditEntry
from avbase.core.errors import AvbaseError, NotFound
from avbase.core.i18n import N_, _, get_locale, label
from avbase.core.jobs import get_job
from avbase.core.jobs.models import Job
from avbase.industry import (
    charts,
    coverage,
    evaluation,
    import_templates,
    index_series,
    index_service,
    kpi,
    ranking,
    registry,
    reporting,
    reports,
)
from avbase.industry.exports import XLSX_MEDIA_TYPE, ranking_file
from avbase.industry.imports import KINDS, MATCH_LABELS, ImportOptions, preview
from avbase.industry.inbox import owed_reports, report_deadline
from avbase.industry.indicators import INDICATORS
from avbase.industry.models import (
    Cluster,
    IndexDefinition,
    Park,
    ParkEvaluation,
    ProjectTier,
    Report,
    Tier,
    UnitLevel,
)
from avbase.industry.schemas import MilestoneIn, ReportIn, period_label
from avbase.industry.tasks import (
    IMPORT_JOB,
    queue_import,
    queue_staged,
    rejection_file,
    stage_import,
    staged_import,
)
from avbase.industry.views import index_run_out, ranking_out, scenario_label_of, sensitivity_out
from avbase.kit.dates import today
from avbase.kit.money import in_yi
from avbase.kit.pagination import PageRequest
from avbase.kit.regions import region_name
from avbase.kit.sheets import UNIT_LABELS
from avbase.settings import get_settings
from avbase.web.deps import Db, PagePrincipal
from avbase.web.downloads import attachment
from avbase.web.forms import FormFields, RawForm
from avbase.web.limits import upload_body
from avbase.web.schemas import RowId
from avbase.web.templating import add_template_dir, environment, render
from avbase.web.validation import validate_form

router = APIRouter(prefix="/industry")
add_template_dir(Path(__file__).resolve().parent / "templates")
environment.filters["yi"] = lambda amount: f"{in_yi(amount):,}"
environment.filters["pct"] = lambda value, digits=1: "—" if value is None else f"{float(value):.{digits}%}"
PLOTLY_JS = Path(plotly.__file__).resolve().parent / "package_data" / "plotly.min.js"
REPORT_FIELDS = (
    "revenue_content",
    "revenue_electronics",
    "revenue_services",
    "rnd_expense",
    "exports",
    "investment",
    "employees",
    "titles",
    "content_hours",
)


# How the change history names a changed field and shows its values (never the column or the enum value).
CHANGED_FIELDS = {
    "tier": N_("Tier"),
    "provincial_key": N_("Provincial key enterprise"),
    "specialised": N_("专精特新"),
    "cluster": N_("Cluster"),
    "category_id": N_("Category"),
    "park_id": N_("Park"),
    "credit_code": N_("Credit code"),
    "name": N_("Name"),
    "kind": N_("Kind"),
    "region_code": N_("Region"),
    "contact_email": N_("Contact e-mail"),
    "revenue_content": N_("Revenue: AV content production"),
    "revenue_electronics": N_("Revenue: AV electronics"),
    "revenue_services": N_("Revenue: AV cultural services"),
    "rnd_expense": N_("R&D expense"),
    "exports": N_("Exports"),
    "investment": N_("Investment"),
    "employees": N_("Employees"),
    "titles": N_("Titles produced"),
    "content_hours": N_("Content hours"),
    "note": N_("Note"),
    "version": N_("Version"),
    "is_current": N_("Current version"),
}
INTERNAL_FIELDS = frozenset(
    ("id", "org_id", "created_at", "updated_at", "submitted_at", "submitted_by_id", "import_batch")
)


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(field, old value, new value) as a reader reads them, for the fields a change touched."""

    def shown(field: str, value: object) -> str:
        if value is None or value == "":
            return "—"
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if field == "region_code":
            return region_name(str(value), get_locale())
        return label(value) if isinstance(value, str) else str(value)

    return [
        (_(CHANGED_FIELDS.get(key, key)), shown(key, before.get(key)), shown(key, value))
        for key, value in after.items()
        if key not in INTERNAL_FIELDS and before.get(key) != value
    ]


def latest_year(db: Db, prefix: str = "") -> int:
    """The year pages open on: the newest with complete reporting (see industry/coverage.py)."""
    return coverage.latest_complete_year(db, prefix)


def _int(value: str | None, default: int, low: int = 1949, high: int = 2100) -> int:
    try:
        number = int(value) if value else default
    except ValueError:
        return default
    return min(max(number, low), high)


@router.get("/-/plotly.min.js", include_in_schema=False)
def plotly_js() -> Response:
    """plotly.js from the installed plotly package: charts work with no network."""
    return FileResponse(PLOTLY_JS, media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})


# --- monitoring dashboard ----------------------------------------------------------------------------


@router.get("")
def dashboard(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    year: str | None = None,
    scheme: str | None = None,
    by: str = "city",
    region: str | None = None,
) -> Response:
    prefix = registry.monitor_prefix(principal, region if region and region.isdigit() else None)
    own = "" if principal.is_admin else jurisdiction_prefix(principal.region_code)
    chosen = _int(year, latest_year(db, prefix))
    level = by if by in ("city", "county", "park") else "city"
    schemes = kpi.schemes(db, own)
    chosen_scheme = scheme if scheme in schemes else (schemes[0] if schemes else None)
    rows = kpi.kpi_rows(db, scheme=chosen_scheme, year=chosen) if chosen_scheme else []
    target_prefix = rows[0].target.region_prefix if rows else prefix
    years = list(range(chosen - 4, chosen + 1))
    series = kpi.revenue_series(db, region_prefix=prefix or target_prefix, years=years)
    breakdown = kpi.drilldown(db, region_prefix=prefix or target_prefix, year=chosen, by=level)
    revenue_target = next((r for r in rows if r.target.key == "revenue_total"), None)
    return render(
        request,
        "industry/dashboard.html",
        {
            "year": chosen,
            "scheme": chosen_scheme,
            "schemes": schemes,
            "rows": rows,
            "by": level,
            "region": prefix,
            "breakdown": breakdown,
            "counts": registry.summary_counts(db, prefix or target_prefix),
            "coverage": coverage.coverage(db, chosen, prefix or target_prefix),
            "trend_chart": charts.revenue_trend(series, years, revenue_target),
            "breakdown_chart": charts.breakdown_bars(breakdown[:15]),
        },
    )


# --- enterprises and reports -------------------------------------------------------------------------


@router.get("/enterprises")
def enterprises(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    page: int = 1,
    per_page: int = 20,
    sort: str | None = None,
    q: str | None = None,
    cluster: str | None = None,
    tier: str | None = None,
    region: str | None = None,
) -> Response:
    chosen_cluster = Cluster(cluster) if cluster and cluster in Cluster.__members__ else None
    chosen_tier = Tier(tier) if tier and tier in Tier.__members__ else None
    result = registry.list_enterprises(
        db,
        principal,
        PageRequest.parse(page, per_page, sort),
        search=(q or "").strip()[:100] or None,
        cluster=chosen_cluster,
        tier=chosen_tier,
        region_prefix=region if region and region.isdigit() else None,
    )
    htmx = request.headers.get("hx-request") == "true"
    return render(
        request,
        "industry/_enterprise_table.html" if htmx else "industry/enterprises.html",
        {
            "page": result,
            "q": q or "",
            "cluster": chosen_cluster,
            "tier": chosen_tier,
            "clusters": list(Cluster),
            "tiers": list(Tier),
        },
    )


def _history(db: Db, enterprise_id: int, org_id: int) -> list[AuditEntry]:
    """Changes to the enterprise profile and its reports, newest first."""
    report_ids = select(cast(Report.id, String)).where(Report.enterprise_id == enterprise_id)
    return list(
        db.scalars(
            select(AuditEntry)
            .where(
                or_(
                    (AuditEntry.entity_type == "industry_enterprises")
                    & (AuditEntry.entity_id == str(enterprise_id)),
                    (AuditEntry.entity_type == "organisations") & (AuditEntry.entity_id == str(org_id)),
                    (AuditEntry.entity_type == "industry_reports") & AuditEntry.entity_id.in_(report_ids),
                )
            )
            .order_by(AuditEntry.id.desc())
            .limit(30)
        )
    )


@router.get("/enterprises/{enterprise_id}")
def enterprise(
    request: Request, db: Db, principal: PagePrincipal, enterprise_id: RowId, history: bool = False
) -> Response:
    found = registry.get_enterprise(db, principal, enterprise_id)
    figures = reports.yearly_figures(db, found.id)
    return render(
        request,
        "industry/enterprise.html",
        {
            "e": found,
            "figures": figures,
            "flagged": {f.year for f in figures if reports.flagged_for_key_support(f)},
            "reports": reports.list_reports(db, found, include_history=history),
            "show_history": history,
            "period_of": reports.report_period,
            "can_file": reports.can_file_for(principal, found),
            "changes": _history(db, found.id, found.org_id),
            "changed_fields": changed_fields,
            "key_support_note": reports.KEY_SUPPORT_NOTE,
            "figures_chart": charts.enterprise_figures(figures),
        },
    )


def _owed_periods(db: Db, enterprise: Any) -> list[tuple[str, bool]]:
    """The closed periods the enterprise has not filed, oldest first, each with whether it is overdue."""
    on = today()
    found = owed_reports(db, [enterprise.id], on=on).get(enterprise.id)
    if not found:
        return []
    kind, starts = found
    return [(period_label(kind, start), report_deadline(kind, start) < on) for start in starts]


def _report_form(
    request: Request,
    db: Db,
    e: Any,
    values: dict[str, Any],
    errors: dict[str, str],
    *,
    correcting: bool,
    status: int = 200,
) -> Response:
    return render(
        request,
        "industry/report_form.html",
        {
            "e": e,
            "values": values,
            "errors": errors,
            "fields": REPORT_FIELDS,
            "correcting": correcting,
            "owed": [] if correcting else _owed_periods(db, e),
        },
        status_code=status,
    )


def _filed_periods(db: Db, enterprise: Any) -> set[str]:
    return {reports.report_period(r) for r in reports.list_reports(db, enterprise)}


@router.get("/enterprises/{enterprise_id}/report")
def report_form(
    request: Request, db: Db, principal: PagePrincipal, enterprise_id: RowId, period: str | None = None
) -> Response:
    found = registry.get_enterprise(db, principal, enterprise_id)
    values: dict[str, Any] = {"period": period or ""}
    current = None
    if period:  # correcting: start from the current figures
        current = next(
            (r for r in reports.list_reports(db, found) if reports.report_period(r) == period), None
        )
        if current is not None:
            values.update({name: getattr(current, name) for name in REPORT_FIELDS})
    return _report_form(request, db, found, values, {}, correcting=current is not None)


@router.post("/enterprises/{enterprise_id}/report")
def file_report(
    request: Request, db: Db, principal: PagePrincipal, enterprise_id: RowId, values: FormFields
) -> Response:
    found = registry.get_enterprise(db, principal, enterprise_id)
    correcting = values.get("period", "") in _filed_periods(db, found)
    payload = {k: v for k, v in values.items() if v.strip() != ""}
    data, errors = validate_form(ReportIn, payload)
    if data is not None:
        try:
            reports.file_report(db, principal, found, data)
        except AvbaseError as exc:
            errors = {exc.field or "form": _(exc.message, **exc.params)}
        else:
            done = "corrected" if correcting else "filed"
            return RedirectResponse(
                f"/industry/enterprises/{found.id}?{done}={quote(data.period)}", status_code=303
            )
    return _report_form(request, db, found, values, errors, correcting=correcting, status=422)


# --- imports -----------------------------------------------------------------------------------------


@router.get("/imports")
def imports(request: Request, db: Db, principal: PagePrincipal) -> Response:
    from avbase.core.jobs import service as jobs

    recent = list(
        db.scalars(
            select(Job)
            .where(Job.kind == IMPORT_JOB, jobs.visible_to(principal))
            .order_by(Job.id.desc())
            .limit(15)
        )
    )
    return render(
        request,
        "industry/imports.html",
        {
            "kinds": KINDS,
            "jobs": recent,
            "errors": {},
            "has_errors": lambda j: rejection_file(j.id).exists(),
            "templates": import_templates.list_templates(db, principal),
            "units": UNIT_LABELS,
        },
    )


@router.post("/imports", max_body_size=upload_body(get_settings().import_max_mb << 20))
def upload(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    kind: str = Form(...),
    file: UploadFile = File(...),
) -> Response:
    job = queue_import(db, principal, kind=kind, upload=file)
    return RedirectResponse(f"/jobs/{job.id}", status_code=303)


@router.post("/imports/preview", max_body_size=upload_body(get_settings().import_max_mb << 20))
def upload_for_preview(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    form: RawForm,
    kind: str = Form(...),
    file: UploadFile = File(...),
) -> Response:
    """Keeps the upload and shows what its import would do; nothing is written until the user confirms."""
    token = stage_import(principal, kind=kind, upload=file)
    options = ImportOptions(
        sheet=_text(form, "sheet"),
        template=_text(form, "template"),
        unit=_text(form, "unit"),
        use_formula_values=bool(form.get("use_formula_values")),
    )
    return _preview_page(request, db, principal, token, options)


@router.post("/imports/staged/{token}")
def confirm_staged(request: Request, db: Db, principal: PagePrincipal, token: str, form: RawForm) -> Response:
    """Checks the file again with the mapping as the user left it, or imports it with that mapping."""
    titles = [str(t) for t in form.getlist("title")]
    targets = [str(f) for f in form.getlist("field")]
    options = ImportOptions(
        sheet=_text(form, "sheet"),
        unit=_text(form, "unit"),
        mapping=dict(zip(titles, targets, strict=False)),
        use_formula_values=bool(form.get("use_formula_values")),
        save_as=_text(form, "save_as"),
        source=_text(form, "source"),
    )
    if form.get("action") == "import":
        job = queue_staged(db, principal, token, options)
        return RedirectResponse(f"/jobs/{job.id}", status_code=303)
    return _preview_page(request, db, principal, token, options)


def _text(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value.strip()[:200] or None if isinstance(value, str) else None


def _preview_page(
    request: Request, db: Db, principal: Principal, token: str, options: ImportOptions
) -> Response:
    from avbase.industry.import_fields import VOCABULARIES
    from avbase.kit.sheets import sheet_names

    path, kind, file_name = staged_import(principal, token)
    context: dict[str, Any] = {
        "token": token,
        "kind": kind,
        "file_name": file_name,
        "options": options,
        "units": UNIT_LABELS,
        "fields": [(spec.key, spec.titles[0]) for spec in VOCABULARIES[kind].fields],
        "field_titles": {spec.key: spec.titles[0] for spec in VOCABULARIES[kind].fields},
        "match_labels": {match.value: label for match, label in MATCH_LABELS.items()},
        "shown": None,
        "failure": None,
    }
    try:
        shown = preview(db, principal, kind, path, options=options, file_name=file_name)
        context["shown"] = shown
        context["sheets"] = list(shown.table.sheets)
    except AvbaseError as exc:
        context["failure"] = _(exc.message, **exc.params)
        context["sheets"] = sheet_names(path)
    finally:
        db.rollback()  # a preview writes nothing
    status = 200 if context["shown"] is not None else 422
    return render(request, "industry/import_preview.html", context, status_code=status)


@router.post("/import-templates/{template_id}/delete")
def delete_import_template(db: Db, principal: PagePrincipal, template_id: RowId) -> Response:
    import_templates.delete_template(db, principal, template_id)
    return RedirectResponse("/industry/imports", status_code=303)


@router.get("/imports/{job_id}/errors.csv")
def rejection_report(db: Db, principal: PagePrincipal, job_id: RowId) -> Response:
    job = get_job(db, principal, job_id)
    path = rejection_file(job.id)
    if job.kind != IMPORT_JOB or not path.is_file():
        raise NotFound("This import has no rejection report.")
    return FileResponse(path, media_type="text/csv", filename=f"rejected-rows-{job.id}.csv")


# --- composite index ---------------------------------------------------------------------------------


@router.get("/index")
def index_page(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    definition: str | None = None,
    period: str | None = None,
) -> Response:
    registry.require_monitor(principal)
    definitions = index_service.list_definitions(db)
    if not definitions:
        raise NotFound("No index definition is loaded yet.")
    names = [d.name for d in definitions]
    own = jurisdiction_prefix(principal.region_code)
    first_loaded = min(definitions, key=lambda d: d.id)
    default = next((d for d in definitions if d.region_prefix.startswith(own[:2])), first_loaded)
    found = next((d for d in definitions if d.name == definition), default)
    chosen = _int(period, latest_year(db))
    run = index_run_out(found, index_service.compute_run(db, principal, found, chosen, reuse=True))
    zh = get_locale() == "zh_Hans"
    pillar_names = {p["key"]: p["name_zh"] if zh else p["name_en"] for p in found.pillars}

    def scenario_label(name: str) -> str:
        change, _sep, pillar = name.partition(":")
        if change == "without":
            return _("Without {pillar}", pillar=pillar_names.get(pillar, pillar))
        if change == "double":
            return _("{pillar} weight doubled", pillar=pillar_names.get(pillar, pillar))
        return _("Equal pillar weights")

    return render(
        request,
        "industry/index.html",
        {
            "definitions": definitions,
            "names": names,
            "d": found,
            "period": chosen,
            "run": run,
            "sensitivity": sensitivity_out(db, found, chosen),
            "index_chart": charts.index_bars(run, pillar_names),
            "pillar_names": pillar_names,
            "indicator_labels": {key: item.label for key, item in INDICATORS.items()},
            "indicator_units": {key: item.unit for key, item in INDICATORS.items()},
            "scenario_label": scenario_label,
            "series": index_series_context(db, found, chosen),
        },
    )


SUB_INDEX_TITLES = {
    UnitLevel.city: N_("City sub-index"),
    UnitLevel.county: N_("County sub-index"),
    UnitLevel.park: N_("Park sub-index"),
    UnitLevel.province: N_("Province sub-index"),
}


def pillar_names_of(definition: IndexDefinition) -> dict[str, str]:
    zh = get_locale() == "zh_Hans"
    return {p["key"]: p["name_zh"] if zh else p["name_en"] for p in definition.pillars}


def index_series_context(db: Db, definition: IndexDefinition, period: int) -> dict[str, Any] | None:
    """The index page's series section, for base-period definitions only: the headline series with its
    pillars, contributions and method changes, and each sub-index ranked in ``period`` with its
    sensitivity."""
    if not index_series.has_series(definition):
        return None
    names = pillar_names_of(definition)
    headline = index_series.index_series(db, definition)
    if not headline.periods:
        return None
    chosen = period if period in headline.periods else headline.periods[-1]
    points = headline.units[0].points if headline.units else []
    changes = [(r.period, r.version) for r in headline.results if r.period in headline.method_changes]
    subs = []
    for level in index_series.levels(definition)[1:]:
        view = index_series.index_series(db, definition, level)
        rows = index_series.ranking(view, chosen)
        title = _(SUB_INDEX_TITLES[level])
        subs.append(
            {
                "level": level,
                "title": title,
                "rows": rows,
                "sensitivity": index_series.sensitivity_at(db, view, chosen),
                "chart": charts.sub_index_lines(
                    sorted(
                        view.units, key=lambda u: next((r.rank or 0 for r in rows if r.unit == u.unit), 0)
                    ),
                    title,
                ),
            }
        )
    return {
        "view": headline,
        "period": chosen,
        "points": points,
        "point": next((p for p in points if p.period == chosen), None),
        "changes": changes,
        "pillar_names": names,
        "chart": charts.index_series_lines(points, names, changes, definition.base_period),
        "contributions_chart": charts.contribution_bars(points, names, changes),
        "subs": subs,
        "scenario_label": lambda name: scenario_label_of(name, names),
    }


# --- 赛马 ranking ------------------------------------------------------------------------------------


def _ranking(db: Db, principal: Principal, scheme: str | None, group: str | None, period: str | None,
             region: str | None) -> tuple[Any, str, int, str, list[ranking.RankRow]]:  # fmt: skip
    schemes = ranking.list_schemes(db)
    if not schemes:
        raise NotFound("No ranking scheme is loaded yet.")
    found = next((s for s in schemes if s.name == scheme), schemes[0])
    chosen_group = group if group else Cluster.content.value
    prefix = registry.monitor_prefix(principal, region if region and region.isdigit() else None)
    chosen = _int(period, latest_year(db, prefix))
    rows = ranking.rank(db, found, group=chosen_group, period=chosen, region_prefix=prefix)
    return found, chosen_group, chosen, prefix, rows


@router.get("/rankings")
def rankings(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    scheme: str | None = None,
    group: str | None = None,
    period: str | None = None,
    region: str | None = None,
) -> Response:
    found, chosen_group, chosen, prefix, rows = _ranking(db, principal, scheme, group, period, region)
    up, down = ranking.movers(rows)
    return render(
        request,
        "industry/rankings.html",
        {
            "schemes": ranking.list_schemes(db),
            "s": found,
            "group": chosen_group,
            "groups": _groups(found.group_by),
            "period": chosen,
            "region": prefix,
            "out": ranking_out(found, chosen_group, chosen, prefix, rows[:50]),
            "total": len(rows),
            "up": up,
            "down": down,
            "metric_labels": ranking.METRIC_LABELS,
            "coverage": coverage.coverage(db, chosen, prefix),
        },
    )


def _groups(group_by: str) -> list[tuple[str, str]]:
    from avbase.core.i18n import label

    if group_by == "tier":
        return [(t.value, label(t)) for t in Tier]
    return [(c.value, label(c)) for c in Cluster]


@router.get("/rankings/export.xlsx")
def rankings_export(
    db: Db,
    principal: PagePrincipal,
    scheme: str | None = None,
    group: str | None = None,
    period: str | None = None,
    region: str | None = None,
) -> Response:
    found, chosen_group, chosen, _prefix, rows = _ranking(db, principal, scheme, group, period, region)
    body, name = ranking_file(found, chosen_group, chosen, rows)
    return attachment(body, media_type=XLSX_MEDIA_TYPE, name=name)


# --- parks and projects ------------------------------------------------------------------------------


@router.get("/parks")
def parks(request: Request, db: Db, principal: PagePrincipal) -> Response:
    found = registry.list_parks(db, principal)
    assessed = [park.id for park in found if registry.may_see_evaluations(principal, park)]
    latest: dict[int, ParkEvaluation] = {}
    for item in db.scalars(
        select(ParkEvaluation)
        .where(ParkEvaluation.park_id.in_(assessed))
        .order_by(ParkEvaluation.year, ParkEvaluation.version)
    ):
        latest[item.park_id] = item
    return render(
        request,
        "industry/parks.html",
        {
            "parks": found,
            "counts": registry.park_enterprise_counts(db),
            "latest": latest,
            "can_evaluate": principal.role in STEWARDS,
            "year": latest_year(db),
        },
    )


@router.post("/parks/evaluate")
def evaluate_parks(db: Db, principal: PagePrincipal, form: RawForm) -> Response:
    year = _int(str(form.get("year") or ""), latest_year(db))
    prefix = registry.monitor_prefix(principal, None)
    evaluation.evaluate_parks(db, principal, year=year, region_prefix=prefix)
    return RedirectResponse("/industry/parks", status_code=303)


@router.get("/parks/{park_id}")
def park(request: Request, db: Db, principal: PagePrincipal, park_id: RowId) -> Response:
    found: Park = registry.get_park(db, principal, park_id)
    members = registry.list_enterprises(db, principal, PageRequest(per_page=50), park_id=found.id)
    overseer = registry.may_see_evaluations(principal, found)
    shown = evaluation.history(db, found.id) if overseer else []
    status = reporting.park_reporting(db, principal, found, on=today()) if overseer else []
    return render(
        request,
        "industry/park.html",
        {
            "p": found,
            "evaluations": shown,
            "members": members,
            "reporting": status,
            "late": sum(1 for row in status if row.overdue),
            "may_remind": principal.is_admin or found.operator_org_id == principal.org_id,
            "indicators": INDICATORS,
            "reminded": request.query_params.get("reminded"),
        },
    )


@router.post("/parks/{park_id}/remind")
def remind_park_enterprises(db: Db, principal: PagePrincipal, park_id: RowId) -> Response:
    found: Park = registry.get_park(db, principal, park_id)
    count = reporting.remind_late(db, principal, found, on=today())
    db.commit()
    return RedirectResponse(f"/industry/parks/{found.id}?reminded={count}#reporting", status_code=303)


@router.get("/projects")
def projects(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    page: int = 1,
    sort: str | None = None,
    year: str | None = None,
    tier: str | None = None,
) -> Response:
    chosen_tier = tier if tier in ProjectTier.__members__ else None
    chosen_year = _int(year, 0, 0) or None
    result = registry.list_projects(
        db,
        principal,
        PageRequest.parse(page, 20, sort or "-year_selected"),
        year=chosen_year,
        tier=chosen_tier,
    )
    return render(
        request,
        "industry/projects.html",
        {"page": result, "year": chosen_year, "tier": chosen_tier, "tiers": list(ProjectTier)},
    )


@router.get("/projects/{project_id}")
def project(request: Request, db: Db, principal: PagePrincipal, project_id: RowId) -> Response:
    found = registry.get_project(db, principal, project_id)
    return render(
        request,
        "industry/project.html",
        {
            "pr": found,
            "overdue": {m.id for m in registry.overdue_milestones(found, on=today())},
            "can_edit": principal.role in (Role.admin, Role.authority_officer),
            "errors": {},
            "values": {},
        },
    )


@router.post("/projects/{project_id}/milestones")
def add_milestone(
    request: Request, db: Db, principal: PagePrincipal, project_id: RowId, values: FormFields
) -> Response:
    values = {k: v for k, v in (values).items() if k in ("title", "due_on")}
    data, errors = validate_form(MilestoneIn, values)
    if data is not None:
        registry.add_milestone(db, principal, project_id, data)
        return RedirectResponse(f"/industry/projects/{project_id}", status_code=303)
    found = registry.get_project(db, principal, project_id)
    return render(
        request,
        "industry/project.html",
        {"pr": found, "overdue": set(), "can_edit": True, "errors": errors, "values": values},
        status_code=422,
    )


@router.post("/milestones/{milestone_id}/done")
def milestone_done(db: Db, principal: PagePrincipal, milestone_id: RowId) -> Response:
    milestone = registry.complete_milestone(db, principal, milestone_id, done_on=today())
    return RedirectResponse(f"/industry/projects/{milestone.project_id}", status_code=303)


# The bulletins (指数发布) live in their own module; their routes hang under /industry/bulletins.
from avbase.industry import bulletin_pages  # noqa: E402

router.include_router(bulletin_pages.router)
