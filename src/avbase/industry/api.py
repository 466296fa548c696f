"""REST routes of the industry module: registry, reports, imports, KPIs, index, 赛马 ranking, exports.

Money is in yuan as decimal strings; rates are fractions (0.05 is 5 %).
"""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Path, Query, Response, UploadFile

from avbase.core.errors import AvbaseError, Forbidden, NotFound
from avbase.industry import (
    bulletins,
    evaluation,
    import_templates,
    index_series,
    index_service,
    kpi,
    ranking,
    registry,
    reports,
)
from avbase.industry.exports import XLSX_MEDIA_TYPE, ranking_file, reports_workbook
from avbase.industry.imports import KINDS, ImportOptions, preview
from avbase.industry.models import Cluster, IndexBulletin, ProjectTier, Tier, UnitLevel
from avbase.industry.schemas import (
    BulletinIn,
    BulletinOut,
    DrilldownRowOut,
    EnterpriseIn,
    EnterpriseOut,
    EnterprisePatch,
    FiledOut,
    ImportPreviewOut,
    ImportQueuedOut,
    ImportTemplateIn,
    ImportTemplateOut,
    IndexRunOut,
    IndexSeriesOut,
    KpiOut,
    KpiRowOut,
    MilestoneDone,
    MilestoneIn,
    MilestoneOut,
    MoneyUnit,
    ParkEvaluationOut,
    ParkIn,
    ParkOut,
    ProjectIn,
    ProjectOut,
    ProjectPatch,
    RankingOut,
    ReportIn,
    ReportOut,
    SensitivityOut,
    YearlyFigureOut,
)
from avbase.industry.tasks import queue_import, stored_for_preview
from avbase.industry.views import index_run_out, index_series_out, ranking_out, sensitivity_out
from avbase.kit.pagination import MAX_PER_PAGE, PageRequest
from avbase.settings import get_settings
from avbase.web.deps import ApiPrincipal, AuthDep, Db
from avbase.web.downloads import attachment
from avbase.web.limits import upload_body
from avbase.web.schemas import ErrorOut, PageOut, RowId, page_out

router = APIRouter(
    prefix="/industry",
    tags=["industry"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)

PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE)]
Search = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00-\x1f]*$")]
Region = Annotated[str | None, Query(pattern=r"^\d{2,6}$", description="GB/T 2260 code or prefix")]
Year = Annotated[int, Query(ge=1949, le=2100)]
DefinitionName = Annotated[str, Path(pattern=r"^[a-z0-9_-]{2,60}$")]
SchemeName = Annotated[str, Path(pattern=r"^[a-z0-9_-]{2,60}$")]
Group = Annotated[
    str, Query(max_length=40, pattern=r"^[A-Za-z0-9_]+$", description="cluster, category or tier")
]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}}


# --- enterprises -------------------------------------------------------------------------------------


@router.get("/enterprises", response_model=PageOut[EnterpriseOut], summary="Enterprises you may see")
def list_enterprises(
    db: Db,
    principal: ApiPrincipal,
    page: PageNo = 1,
    per_page: PerPage = 20,
    sort: Annotated[str | None, Query(pattern=r"^-?(name|region_code|cluster|tier|credit_code)$")] = None,
    q: Search = None,
    cluster: Cluster | None = None,
    tier: Tier | None = None,
    park_id: Annotated[int | None, Query(ge=1, le=2**31)] = None,
    region: Region = None,
) -> PageOut[EnterpriseOut]:
    result = registry.list_enterprises(
        db,
        principal,
        PageRequest.parse(page, per_page, sort),
        search=q,
        cluster=cluster,
        tier=tier,
        park_id=park_id,
        region_prefix=region,
    )
    return PageOut[EnterpriseOut](
        items=[registry.enterprise_out(e) for e in result.items],
        total=result.total,
        page=result.page,
        per_page=result.per_page,
        pages=result.pages,
    )


@router.post(
    "/enterprises", response_model=EnterpriseOut, status_code=201, responses={409: {"model": ErrorOut}}
)
def create_enterprise(data: EnterpriseIn, db: Db, principal: ApiPrincipal) -> EnterpriseOut:
    return registry.enterprise_out(registry.create_enterprise(db, principal, data))


@router.get("/enterprises/{enterprise_id}", response_model=EnterpriseOut, responses=NOT_FOUND)
def get_enterprise(enterprise_id: RowId, db: Db, principal: ApiPrincipal) -> EnterpriseOut:
    return registry.enterprise_out(registry.get_enterprise(db, principal, enterprise_id))


@router.patch(
    "/enterprises/{enterprise_id}",
    response_model=EnterpriseOut,
    responses={**NOT_FOUND, 409: {"model": ErrorOut}},
)
def update_enterprise(
    enterprise_id: RowId, data: EnterprisePatch, db: Db, principal: ApiPrincipal
) -> EnterpriseOut:
    return registry.enterprise_out(registry.update_enterprise(db, principal, enterprise_id, data))


@router.get(
    "/enterprises/{enterprise_id}/reports",
    response_model=list[ReportOut],
    responses=NOT_FOUND,
    summary="The enterprise's reports (with superseded versions when history=true)",
)
def list_reports(
    enterprise_id: RowId,
    db: Db,
    principal: ApiPrincipal,
    history: bool = False,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
) -> list[ReportOut]:
    enterprise = registry.get_enterprise(db, principal, enterprise_id)
    found = reports.list_reports(db, enterprise, include_history=history, year=year)
    return [reports.report_out(report) for report in found]


@router.post(
    "/enterprises/{enterprise_id}/reports",
    response_model=FiledOut,
    status_code=201,
    responses=NOT_FOUND,
    summary="File a period's figures; a second filing for a period is a versioned correction (needs a note)",
)
def file_report(enterprise_id: RowId, data: ReportIn, db: Db, principal: ApiPrincipal) -> FiledOut:
    enterprise = registry.get_enterprise(db, principal, enterprise_id)
    filed = reports.file_report(db, principal, enterprise, data)
    return FiledOut(report=reports.report_out(filed.report), corrected_version=filed.corrected_version)


@router.get(
    "/enterprises/{enterprise_id}/figures",
    response_model=list[YearlyFigureOut],
    responses=NOT_FOUND,
    summary="Yearly figures derived from the reports, with the ZJ 11 key-support flag",
)
def yearly_figures(enterprise_id: RowId, db: Db, principal: ApiPrincipal) -> list[YearlyFigureOut]:
    enterprise = registry.get_enterprise(db, principal, enterprise_id)
    return [reports.figure_out(figure) for figure in reports.yearly_figures(db, enterprise.id)]


# --- parks and projects ------------------------------------------------------------------------------


@router.get("/parks", response_model=list[ParkOut])
def list_parks(db: Db, principal: ApiPrincipal, region: Region = None) -> list[ParkOut]:
    return [ParkOut.model_validate(park) for park in registry.list_parks(db, principal, region_prefix=region)]


@router.post("/parks", response_model=ParkOut, status_code=201, responses={409: {"model": ErrorOut}})
def create_park(data: ParkIn, db: Db, principal: ApiPrincipal) -> ParkOut:
    return ParkOut.model_validate(registry.create_park(db, principal, data))


@router.get("/parks/{park_id}", response_model=ParkOut, responses=NOT_FOUND)
def get_park(park_id: RowId, db: Db, principal: ApiPrincipal) -> ParkOut:
    return ParkOut.model_validate(registry.get_park(db, principal, park_id))


@router.get("/projects", response_model=PageOut[ProjectOut], summary='"146" projects')
def list_projects(
    db: Db,
    principal: ApiPrincipal,
    page: PageNo = 1,
    per_page: PerPage = 20,
    sort: Annotated[str | None, Query(pattern=r"^-?(name|year_selected|tier|planned_total)$")] = None,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    tier: ProjectTier | None = None,
) -> PageOut[ProjectOut]:
    return page_out(
        registry.list_projects(db, principal, PageRequest.parse(page, per_page, sort), year=year, tier=tier),
        ProjectOut,
    )


@router.post("/projects", response_model=ProjectOut, status_code=201, responses=NOT_FOUND)
def create_project(data: ProjectIn, db: Db, principal: ApiPrincipal) -> ProjectOut:
    return ProjectOut.model_validate(registry.create_project(db, principal, data))


@router.get("/projects/{project_id}", response_model=ProjectOut, responses=NOT_FOUND)
def get_project(project_id: RowId, db: Db, principal: ApiPrincipal) -> ProjectOut:
    return ProjectOut.model_validate(registry.get_project(db, principal, project_id))


@router.patch(
    "/projects/{project_id}", response_model=ProjectOut, responses={**NOT_FOUND, 409: {"model": ErrorOut}}
)
def update_project(project_id: RowId, data: ProjectPatch, db: Db, principal: ApiPrincipal) -> ProjectOut:
    return ProjectOut.model_validate(registry.update_project(db, principal, project_id, data))


@router.post(
    "/projects/{project_id}/milestones", response_model=MilestoneOut, status_code=201, responses=NOT_FOUND
)
def add_milestone(project_id: RowId, data: MilestoneIn, db: Db, principal: ApiPrincipal) -> MilestoneOut:
    return MilestoneOut.model_validate(registry.add_milestone(db, principal, project_id, data))


@router.post(
    "/milestones/{milestone_id}/done",
    response_model=MilestoneOut,
    responses={**NOT_FOUND, 409: {"model": ErrorOut}},
)
def complete_milestone(
    milestone_id: RowId, data: MilestoneDone, db: Db, principal: ApiPrincipal
) -> MilestoneOut:
    return MilestoneOut.model_validate(
        registry.complete_milestone(db, principal, milestone_id, done_on=data.done_on)
    )


# --- imports and exports -----------------------------------------------------------------------------


Kind = Literal["enterprises", "reports", "parks", "projects"]
MappingForm = Annotated[
    str | None,
    Form(
        max_length=20_000,
        description='JSON object: header title → field ("" leaves the column out), as the preview shows them',
    ),
]


def _options(
    template: str | None,
    sheet: str | None,
    unit: str | None,
    mapping: str | None,
    accept_guesses: bool,
    use_formula_values: bool,
) -> ImportOptions:
    parsed: object = {}
    if mapping:
        try:
            parsed = json.loads(mapping)
        except ValueError:
            parsed = None
        if not isinstance(parsed, dict) or not all(isinstance(v, str) for v in parsed.values()):
            raise AvbaseError("The mapping must be a JSON object of title → field.", field="mapping")
    return ImportOptions(
        sheet=sheet or None,
        template=template or None,
        mapping={str(k): v for k, v in parsed.items()} if isinstance(parsed, dict) else {},
        accept_guesses=accept_guesses,
        use_formula_values=use_formula_values,
        unit=unit or None,
    )


@router.post(
    "/imports/{kind}",
    response_model=ImportQueuedOut,
    status_code=202,
    summary="Upload a CSV or Excel file; it is imported by a job (all rows or none). Follow /jobs/{job_id}",
    max_body_size=upload_body(get_settings().import_max_mb << 20),
)
def upload_import(
    kind: Kind,
    db: Db,
    principal: ApiPrincipal,
    file: Annotated[UploadFile, File(description=".csv or .xlsx")],
    template: Annotated[str | None, Form(max_length=80, description="A saved template's name")] = None,
    sheet: Annotated[str | None, Form(max_length=100)] = None,
    unit: Annotated[MoneyUnit | None, Form(description="Money unit where the sheet names none")] = None,
    mapping: MappingForm = None,
    accept_guesses: Annotated[bool, Form(description="Take columns matched by similarity")] = False,
    use_formula_values: Annotated[bool, Form(description="Use formula cells' saved results")] = False,
) -> ImportQueuedOut:
    assert kind in KINDS
    options = _options(template, sheet, unit, mapping, accept_guesses, use_formula_values)
    job = queue_import(db, principal, kind=kind, upload=file, options=options)
    return ImportQueuedOut(job_id=job.id, kind=kind, file_name=str(job.payload["file_name"]))


@router.post(
    "/imports/{kind}/preview",
    response_model=ImportPreviewOut,
    summary="Read and check a file as its import would, writing nothing: mapping, unit, first rows, problems",
    max_body_size=upload_body(get_settings().import_max_mb << 20),
)
def preview_import(
    kind: Kind,
    db: Db,
    principal: ApiPrincipal,
    file: Annotated[UploadFile, File(description=".csv or .xlsx")],
    template: Annotated[str | None, Form(max_length=80)] = None,
    sheet: Annotated[str | None, Form(max_length=100)] = None,
    unit: Annotated[MoneyUnit | None, Form()] = None,
    mapping: MappingForm = None,
    accept_guesses: Annotated[bool, Form()] = False,
    use_formula_values: Annotated[bool, Form()] = False,
) -> ImportPreviewOut:
    options = _options(template, sheet, unit, mapping, accept_guesses, use_formula_values)
    with stored_for_preview(principal, kind=kind, upload=file) as (path, name):
        shown = preview(db, principal, kind, path, options=options, file_name=name)
    db.rollback()  # a preview writes nothing
    return ImportPreviewOut.model_validate(shown.to_json())


@router.get(
    "/import-templates",
    response_model=list[ImportTemplateOut],
    summary="Your organisation's saved column mappings for imports",
)
def list_import_templates(
    db: Db, principal: ApiPrincipal, kind: Kind | None = None
) -> list[ImportTemplateOut]:
    return [
        ImportTemplateOut.model_validate(t) for t in import_templates.list_templates(db, principal, kind=kind)
    ]


@router.post(
    "/import-templates",
    response_model=ImportTemplateOut,
    status_code=201,
    summary="Save a column mapping for a source organisation's forms (replaces one of the same name)",
)
def save_import_template(data: ImportTemplateIn, db: Db, principal: ApiPrincipal) -> ImportTemplateOut:
    saved = import_templates.save_template(db, principal, **data.model_dump())
    return ImportTemplateOut.model_validate(saved)


@router.delete(
    "/import-templates/{template_id}",
    status_code=204,
    responses={404: {"model": ErrorOut}},
    summary="Delete one of your organisation's import templates",
)
def delete_import_template(template_id: RowId, db: Db, principal: ApiPrincipal) -> Response:
    import_templates.delete_template(db, principal, template_id)
    return Response(status_code=204)


@router.get(
    "/exports/reports.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}},
    summary="Current reports of the enterprises you may see, as Excel (headers an import reads back)",
)
def export_reports(
    db: Db,
    principal: ApiPrincipal,
    year: Annotated[int | None, Query(ge=1949, le=2100)] = None,
    region: Region = None,
) -> Response:
    body = reports_workbook(db, principal, year=year, region_prefix=region or "")
    return attachment(body, media_type=XLSX_MEDIA_TYPE, name=f"reports-{year or 'all'}.xlsx")


# --- monitoring --------------------------------------------------------------------------------------


@router.get("/kpi", response_model=KpiOut, summary="Current values against the targets (e.g. ZJ 2027)")
def kpi_view(db: Db, principal: ApiPrincipal, year: Year, scheme: str = "zj2024") -> KpiOut:
    registry.require_monitor(principal)
    rows = kpi.kpi_rows(db, scheme=scheme[:40], year=year)
    if not rows:
        raise NotFound("No targets in scheme {scheme}.", field="scheme", scheme=scheme[:40])
    return KpiOut(scheme=scheme, year=year, targets=[KpiRowOut(**row.to_json()) for row in rows])


@router.get("/drilldown", response_model=list[DrilldownRowOut], summary="Indicators by city, county or park")
def drilldown(
    db: Db,
    principal: ApiPrincipal,
    year: Year,
    by: Literal["city", "county", "park"] = "city",
    region: Region = None,
) -> list[DrilldownRowOut]:
    prefix = registry.monitor_prefix(principal, region)
    rows = kpi.drilldown(db, region_prefix=prefix, year=year, by=UnitLevel(by).value)
    return [
        DrilldownRowOut(
            unit=row["unit"],
            name=row["name"],
            indicators={k: v for k, v in row.items() if k not in ("unit", "name")},
        )
        for row in rows
    ]


@router.get("/index/{definition}", response_model=IndexRunOut, responses=NOT_FOUND)
def index_view(
    definition: DefinitionName,
    db: Db,
    principal: ApiPrincipal,
    period: Year,
) -> IndexRunOut:
    """The composite index for a period, every value explained by its inputs; stored runs are reused
    while the inputs are unchanged (same input digest)."""
    registry.require_monitor(principal)
    found = index_service.latest_definition(db, definition)
    run = index_service.compute_run(db, principal, found, period, reuse=True)
    return index_run_out(found, run)


@router.get("/index/{definition}/sensitivity", response_model=SensitivityOut, responses=NOT_FOUND)
def index_sensitivity(
    definition: DefinitionName, db: Db, principal: ApiPrincipal, period: Year
) -> SensitivityOut:
    registry.require_monitor(principal)
    found = index_service.latest_definition(db, definition)
    return sensitivity_out(db, found, period)


@router.get("/index/{definition}/series", response_model=IndexSeriesOut, responses=NOT_FOUND)
def index_series_view(
    definition: DefinitionName, db: Db, principal: ApiPrincipal, level: UnitLevel | None = None
) -> IndexSeriesOut:
    """A base-period index over every period with data, at the headline level or a sub-index level: each
    unit's composite and pillars, the change and each pillar's part of it, the definition version of
    each point."""
    registry.require_monitor(principal)
    found = index_service.latest_definition(db, definition)
    return index_series_out(index_series.index_series(db, found, level))


def _bulletin_out(db: Db, bulletin: IndexBulletin, *, content: bool = False) -> BulletinOut:
    return BulletinOut(
        id=bulletin.id,
        series=bulletin.series,
        period=bulletin.period,
        title=bulletin.title,
        status=bulletin.status.value,
        published_at=bulletin.published_at,
        snapshot_digest=bulletin.snapshot_digest,
        content=bulletins.content(db, bulletin) if content else None,
    )


@router.get("/bulletins", response_model=list[BulletinOut])
def bulletin_list(db: Db, auth: AuthDep) -> list[BulletinOut]:
    """指数发布: published bulletins for anyone (no token needed); drafts for those who may publish them."""
    return [_bulletin_out(db, b) for b in bulletins.list_bulletins(db, auth.principal)]


@router.get("/bulletins/{bulletin_id}", response_model=BulletinOut, responses=NOT_FOUND)
def bulletin_view(db: Db, auth: AuthDep, bulletin_id: RowId) -> BulletinOut:
    """A bulletin with its content: the frozen snapshot once published (anyone), the live draft otherwise."""
    return _bulletin_out(db, bulletins.get_bulletin(db, auth.principal, bulletin_id), content=True)


@router.post("/bulletins", response_model=BulletinOut, status_code=201)
def bulletin_create(data: BulletinIn, db: Db, principal: ApiPrincipal) -> BulletinOut:
    bulletin = bulletins.create_draft(db, principal, series_name=data.series, period=data.period)
    return _bulletin_out(db, bulletin)


@router.post("/bulletins/{bulletin_id}/publish", response_model=BulletinOut, responses=NOT_FOUND)
def bulletin_publish(db: Db, principal: ApiPrincipal, bulletin_id: RowId) -> BulletinOut:
    """Freezes the bulletin's series points and content and makes it public; audited."""
    bulletin = bulletins.publish(db, principal, bulletins.get_bulletin(db, principal, bulletin_id))
    return _bulletin_out(db, bulletin)


@router.get(
    "/rankings/{scheme}.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX_MEDIA_TYPE: {}}}, **NOT_FOUND},
)
def ranking_export(
    scheme: SchemeName,
    db: Db,
    principal: ApiPrincipal,
    group: Group,
    period: Year,
    region: Region = None,
) -> Response:
    prefix = registry.monitor_prefix(principal, region)
    found = ranking.get_scheme(db, scheme)
    rows = ranking.rank(db, found, group=group, period=period, region_prefix=prefix)
    body, name = ranking_file(found, group, period, rows)
    return attachment(body, media_type=XLSX_MEDIA_TYPE, name=name)


@router.get("/rankings/{scheme}", response_model=RankingOut, responses=NOT_FOUND)
def ranking_view(
    scheme: SchemeName,
    db: Db,
    principal: ApiPrincipal,
    group: Group,
    period: Year,
    region: Region = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
) -> RankingOut:
    prefix = registry.monitor_prefix(principal, region)
    found = ranking.get_scheme(db, scheme)
    rows = ranking.rank(db, found, group=group, period=period, region_prefix=prefix)
    return ranking_out(found, group, period, prefix, rows[:limit])


@router.post(
    "/parks/evaluations",
    response_model=list[ParkEvaluationOut],
    status_code=201,
    summary="Evaluate every park of a region for a year (a new version each run; earlier ones are kept)",
)
def evaluate_parks(
    db: Db,
    principal: ApiPrincipal,
    year: Year,
    region: Region = None,
    apply_status: Annotated[
        bool, Query(description="Also set each park's status from its recommendation")
    ] = False,
) -> list[ParkEvaluationOut]:
    prefix = registry.monitor_prefix(principal, region)
    done = evaluation.evaluate_parks(
        db, principal, year=year, region_prefix=prefix, apply_status=apply_status
    )
    return [ParkEvaluationOut.model_validate(item) for item in done]


@router.get("/parks/{park_id}/evaluations", summary="The park's yearly evaluations, newest first")
def park_evaluations(park_id: RowId, db: Db, principal: ApiPrincipal) -> list[ParkEvaluationOut]:
    park = registry.get_park(db, principal, park_id)
    if not registry.may_see_evaluations(principal, park):
        raise Forbidden("A park's evaluation is for the authorities over it and its operator.")
    return [ParkEvaluationOut.model_validate(e) for e in evaluation.history(db, park_id)]
