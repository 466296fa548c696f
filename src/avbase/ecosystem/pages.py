"""Web pages of the ecosystem: contests (task page, submissions with live scoring, leaderboards)."""

from __future__ import annotations

import platform
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response

from avbase.core.accounts.principal import STEWARDS, Principal
from avbase.core.accounts.service import organisation_names
from avbase.core.errors import AvbaseError
from avbase.core.i18n import _, get_locale
from avbase.core.jobs import Job
from avbase.ecosystem import contests, dataservice, experts, profiles, resources, talent
from avbase.ecosystem.api import MAX_FILE, RESOURCE_FILE, read_upload
from avbase.ecosystem.disclosure import TOTAL
from avbase.ecosystem.metrics import METRICS
from avbase.ecosystem.models import Contest, ContestState
from avbase.industry.exports import XLSX_MEDIA_TYPE
from avbase.kit.filetypes import safe_name
from avbase.kit.regions import region_name
from avbase.settings import get_settings
from avbase.web.deps import Db, PagePrincipal
from avbase.web.downloads import attachment
from avbase.web.forms import FormFields
from avbase.web.limits import upload_body
from avbase.web.schemas import RowId
from avbase.web.templating import add_template_dir, render
from avbase.web.uploads import save_upload

router = APIRouter(prefix="/ecosystem")
add_template_dir(Path(__file__).resolve().parent / "templates")
BOARD_ROWS = 100  # rows of a leaderboard shown on the task page; the full board has its own page

FORMATS = {
    "shot-f1": '{"videos": {"clip-001": {"cuts": [4.12, 9.88]}}}',
    "copy-segment-f1": '{"queries": {"q-001": {"matches": [{"work": "W-17", "start": 12.0, "end": 30.5}]}}}',
    "ocr-cer": '{"images": {"frame-001": {"text": "马栏山视频文创园"}}}',
    "loudness-mae": '{"clips": {"clip-001": {"loudness": -23.4}}}',
    "classification-accuracy": '{"items": {"clip-001": {"label": "documentary"}}}',
}
# What hidden inputs look like (anything per item, named as in the truth), for the code contract.
INPUT_FORMATS = {
    "shot-f1": '{"videos": {"clip-001": {"fps": 25, ...}}}',
    "copy-segment-f1": '{"queries": {"q-001": {...}}}',
    "ocr-cer": '{"images": {"frame-001": {...}}}',
    "loudness-mae": '{"clips": {"clip-001": {...}}}',
    "classification-accuracy": '{"items": {"clip-001": {...}}}',
}


def _error_text(exc: AvbaseError) -> str:
    return _(exc.message, **exc.params)


@router.get("")
def home() -> Response:
    return RedirectResponse("/ecosystem/contests", status_code=303)


@router.get("/contests")
def contest_list(request: Request, db: Db, principal: PagePrincipal) -> Response:
    return _list_page(request, db, principal)


def _list_page(
    request: Request,
    db: Db,
    principal: Principal,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    return render(
        request,
        "ecosystem/contests.html",
        {
            "contests": contests.list_contests(db),
            "can_create": principal.role in STEWARDS,
            "metrics": METRICS,
            "errors": errors or {},
            "values": values or {"public_share": "0.5", "daily_limit": "3"},
        },
        status_code=status,
    )


@router.post("/contests", max_body_size=upload_body(MAX_FILE))
def create(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    title: str = Form(""),
    metric: str = Form(""),
    public_share: str = Form("0.5"),
    daily_limit: str = Form("3"),
    deadline: str = Form(""),
    description: str = Form(""),
    truth: UploadFile = File(...),
    inputs: UploadFile | None = File(None),
) -> Response:
    values = {"title": title, "metric": metric, "public_share": public_share, "daily_limit": daily_limit,
              "deadline": deadline, "description": description}  # fmt: skip
    try:
        share = _number(public_share, "public_share", float)
        limit = int(_number(daily_limit, "daily_limit", int))
        contest = contests.create_contest(
            db,
            principal,
            title=title,
            metric=metric,
            truth=read_upload(truth),
            truth_name=truth.filename or "truth.json",
            public_share=share,
            daily_limit=limit,
            deadline=_end_of_day(deadline),
            description=description,
            inputs=read_upload(inputs) if inputs is not None and inputs.filename else None,
            inputs_name=(inputs.filename if inputs is not None else None) or "inputs.json",
        )
    except AvbaseError as exc:
        db.rollback()
        # A fault inside the truth file (videos["a"].fps) is shown beside the file field, one inside the
        # inputs (inputs.videos["a"]) beside theirs.
        key = exc.field if exc.field in values else "truth" if exc.field else "form"
        if exc.field and exc.field.startswith("inputs"):
            key = "inputs"
        return _list_page(request, db, principal, {key: _error_text(exc)}, values, exc.status_code)
    return RedirectResponse(f"/ecosystem/contests/{contest.id}", status_code=303)


def _number(text: str, field: str, kind: type[float] | type[int]) -> float:
    try:
        return kind(text.strip())
    except ValueError:
        raise AvbaseError("Enter a number.", field=field) from None


def _end_of_day(text: str) -> datetime | None:
    """A deadline date means the end of that day where the platform's users are."""
    if not text.strip():
        return None
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise AvbaseError("Enter a date as YYYY-MM-DD.", field="deadline") from None
    zone = ZoneInfo(get_settings().timezone)
    return datetime.combine(day, time(23, 59, 59), tzinfo=zone).astimezone(UTC)


def _contest_page(
    request: Request,
    db: Db,
    principal: Principal,
    contest: Contest,
    task_id: int | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    task = contests.get_task(contest, task_id)
    organiser = contests.is_organiser(principal, contest)
    who = contests.participant_of(db, principal, contest)
    closed = contest.state is ContestState.closed
    board = contests.leaderboard(db, contest, task_id=task.id, private=closed, limit=BOARD_ROWS)
    mine = [s for s in contests.submissions_of(db, principal, contest) if s.task_id == task.id]
    return render(
        request,
        "ecosystem/contest.html",
        {
            "contest": contest,
            "task": task,
            "metric": METRICS[task.metric],
            "example": FORMATS.get(task.metric, ""),
            "input_example": INPUT_FORMATS.get(task.metric, ""),
            "code_seconds": f"{get_settings().contest_code_seconds:g}",
            "code_mb": get_settings().contest_code_memory_mb,
            "python_version": platform.python_version(),
            "organiser": organiser,
            "accepting": contests.accepting(contest),
            "closed": closed,
            "board": board,
            "board_size": contests.board_size(db, contest, task_id=task.id),
            "mine": mine,
            "states": {s.id: contests.state_of(db, s) for s in mine},
            "tries_left": max(contest.daily_limit - contests.tries_today(db, task, who.key), 0),
            "participant": who,
            "team": contests.team_of(db, contest.id, principal.user_id),
            "teams": contests.teams(db, contest.id),
            "failures": contests.failures(db, principal, contest) if organiser else [],
            "errors": errors or {},
        },
        status_code=status,
    )


@router.get("/contests/{contest_id}")
def contest_page(
    request: Request, db: Db, principal: PagePrincipal, contest_id: RowId, task: int | None = None
) -> Response:
    return _contest_page(request, db, principal, contests.get_contest(db, contest_id), task)


@router.post("/contests/{contest_id}/submit", max_body_size=upload_body(MAX_FILE))
def submit(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    contest_id: RowId,
    task: int | None = Form(None),
    note: str = Form(""),
    file: UploadFile = File(...),
) -> Response:
    try:
        submission = contests.submit(
            db,
            principal,
            contest_id,
            data=read_upload(file),
            file_name=file.filename or "submission.json",
            task_id=task,
            note=note,
        )
    except AvbaseError as exc:
        db.rollback()
        message = _error_text(exc)
        return _contest_page(
            request,
            db,
            principal,
            contests.get_contest(db, contest_id),
            task,
            {"file": message},
            exc.status_code,
        )
    return RedirectResponse(f"/ecosystem/submissions/{submission.id}", status_code=303)


@router.get("/submissions/{submission_id}")
def submission_page(request: Request, db: Db, principal: PagePrincipal, submission_id: RowId) -> Response:
    submission = contests.get_submission(db, principal, submission_id)
    contest = contests.get_contest(db, contests.task_contest_id(db, submission.task_id))
    job = db.get(Job, submission.job_id) if submission.job_id else None
    partial = request.headers.get("hx-request") == "true"
    return render(
        request,
        "ecosystem/_submission.html" if partial else "ecosystem/submission.html",
        {
            "s": submission,
            "contest": contest,
            "job": job,
            "state": contests.state_of(db, submission),
            "failure": contests.failure_text(submission.failure, _) if submission.failure else "",
            "closed": contest.state is ContestState.closed,
            "organiser": contests.is_organiser(principal, contest),
        },
    )


@router.post("/submissions/{submission_id}/rescore")
def rescore(db: Db, principal: PagePrincipal, submission_id: RowId) -> Response:
    contests.retry_scoring(db, principal, submission_id)
    return RedirectResponse(f"/ecosystem/submissions/{submission_id}", status_code=303)


@router.post("/contests/{contest_id}/close")
def close(db: Db, principal: PagePrincipal, contest_id: RowId) -> Response:
    contests.close_contest(db, principal, contest_id)
    return RedirectResponse(f"/ecosystem/contests/{contest_id}", status_code=303)


@router.post("/contests/{contest_id}/teams")
def create_team(
    request: Request, db: Db, principal: PagePrincipal, contest_id: RowId, values: FormFields
) -> Response:
    try:
        contests.create_team(db, principal, contest_id, values.get("name", ""))
    except AvbaseError as exc:
        db.rollback()
        contest = contests.get_contest(db, contest_id)
        return _contest_page(
            request, db, principal, contest, None, {"team": _error_text(exc)}, exc.status_code
        )
    return RedirectResponse(f"/ecosystem/contests/{contest_id}", status_code=303)


@router.post("/teams/{team_id}/join")
def join_team(request: Request, db: Db, principal: PagePrincipal, team_id: RowId) -> Response:
    team = contests.join_team(db, principal, team_id)
    return RedirectResponse(f"/ecosystem/contests/{team.contest_id}", status_code=303)


@router.get("/contests/{contest_id}/leaderboard")
def leaderboard(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    contest_id: RowId,
    private: bool = False,
    task: int | None = None,
    page: int = 1,
) -> Response:
    contest = contests.get_contest(db, contest_id)
    chosen = contests.get_task(contest, task)
    total = contests.board_size(db, contest, task_id=chosen.id)
    pages = max((total + BOARD_ROWS - 1) // BOARD_ROWS, 1)
    page = min(max(page, 1), pages)
    rows = contests.leaderboard(
        db, contest, task_id=chosen.id, private=private, offset=(page - 1) * BOARD_ROWS, limit=BOARD_ROWS
    )
    return render(
        request,
        "ecosystem/leaderboard.html",
        {"contest": contest, "task": chosen, "rows": rows, "private": private,
         "metric": METRICS[chosen.metric], "page": page, "pages": pages, "total": total},
    )  # fmt: skip


# --- shared resources ---------------------------------------------------------------------------------


def _resources_page(
    request: Request,
    db: Db,
    principal: Principal,
    kind: str | None = None,
    q: str | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    status: int = 200,
) -> Response:
    found = resources.list_resources(db, kind=kind or None, query=q)
    return render(
        request,
        "ecosystem/resources.html",
        {
            "resources": found,
            "org_names": organisation_names(db, (r.org_id for r in found)),
            "kinds": resources.KIND_LABELS,
            "kind": kind or "",
            "q": q or "",
            "my_assets": _my_assets(db, principal),
            "errors": errors or {},
            "values": values or {"access": "open", "licence": "CC-BY-4.0", "version": "1.0"},
        },
        status_code=status,
    )


def _my_assets(db: Db, principal: Principal) -> list[tuple[int, str]]:
    """The library assets the principal's organisation may share (the newest 200)."""
    from avbase.media.models import Asset
    from avbase.media.service import visible_assets

    if principal.is_admin or not principal.owns(principal.org_id):
        return []
    query = (
        visible_assets(principal).where(Asset.org_id == principal.org_id).order_by(Asset.id.desc()).limit(200)
    )
    return [(asset.id, asset.title) for asset in db.scalars(query)]


@router.get("/resources")
def resource_list(
    request: Request, db: Db, principal: PagePrincipal, kind: str | None = None, q: str | None = None
) -> Response:
    return _resources_page(request, db, principal, kind, q)


@router.post("/resources", max_body_size=upload_body(RESOURCE_FILE))
def resource_publish(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    kind: str = Form(""),
    title: str = Form(""),
    description: str = Form(""),
    licence: str = Form(""),
    access: str = Form("open"),
    keywords: str = Form(""),
    landing_url: str = Form(""),
    version: str = Form("1.0"),
    file: UploadFile | None = File(None),
) -> Response:
    values = {"kind": kind, "title": title, "description": description, "licence": licence, "access": access,
              "keywords": keywords, "landing_url": landing_url, "version": version}  # fmt: skip
    try:
        made = resources.publish(
            db, principal, kind=kind, title=title, description=description, licence=licence, access=access,
            keywords=keywords.replace("，", ",").split(","), landing_url=landing_url,
        )  # fmt: skip
        if file is not None and file.filename:
            saved = save_upload(file, get_settings().var_dir / "uploads", max_bytes=RESOURCE_FILE)
            try:
                resources.add_version(
                    db, principal, made.id, version=version, files=[(saved, safe_name(file.filename))]
                )
            finally:
                saved.unlink(missing_ok=True)
    except AvbaseError as exc:
        db.rollback()
        key = exc.field if exc.field in values else "form"
        return _resources_page(
            request, db, principal, None, None, {key: _error_text(exc)}, values, exc.status_code
        )
    return RedirectResponse(f"/ecosystem/resources/{made.id}", status_code=303)


@router.post("/resources/from-asset")
def resource_from_asset(request: Request, db: Db, principal: PagePrincipal, values: FormFields) -> Response:
    try:
        made = resources.publish_media_asset(
            db, principal, int(values.get("asset") or 0), licence=values.get("licence", ""),
            access=values.get("access", "open"),
        )  # fmt: skip
    except AvbaseError as exc:
        db.rollback()
        return _resources_page(
            request, db, principal, errors={"asset": _error_text(exc)}, status=exc.status_code
        )
    return RedirectResponse(f"/ecosystem/resources/{made.id}", status_code=303)


def _resource_page(
    request: Request,
    db: Db,
    principal: Principal,
    resource_id: int,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    resource = resources.get_resource(db, resource_id)
    pending = resources.pending_requests(db, principal, resource)
    mean, count = resources.rating_of(db, resource.id)
    return render(
        request,
        "ecosystem/resource.html",
        {
            "r": resource,
            "kinds": resources.KIND_LABELS,
            "org_name": organisation_names(db, [resource.org_id]).get(resource.org_id, ""),
            "manager": resources.can_manage(principal, resource),
            "may_download": resources.may_download(db, principal, resource),
            "my_request": resources.my_request(db, principal, resource),
            "pending": pending,
            "requesters": _user_names(db, [p.user_id for p in pending]),
            "rating": mean,
            "ratings": count,
            "errors": errors or {},
        },
        status_code=status,
    )


def _user_names(db: Db, ids: list[int]) -> dict[int, str]:
    from sqlalchemy import select

    from avbase.core.accounts.models import User

    if not ids:
        return {}
    return {
        user_id: name
        for user_id, name in db.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    }


@router.get("/resources/{resource_id}")
def resource_page(request: Request, db: Db, principal: PagePrincipal, resource_id: RowId) -> Response:
    return _resource_page(request, db, principal, resource_id)


@router.post("/resources/{resource_id}/versions", max_body_size=upload_body(RESOURCE_FILE))
def resource_version(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    resource_id: RowId,
    version: str = Form(""),
    notes: str = Form(""),
    file: UploadFile = File(...),
) -> Response:
    try:
        saved = save_upload(file, get_settings().var_dir / "uploads", max_bytes=RESOURCE_FILE)
        try:
            resources.add_version(
                db,
                principal,
                resource_id,
                version=version,
                notes=notes,
                files=[(saved, safe_name(file.filename))],
            )
        finally:
            saved.unlink(missing_ok=True)
    except AvbaseError as exc:
        db.rollback()
        return _resource_page(
            request, db, principal, resource_id, {"version": _error_text(exc)}, exc.status_code
        )
    return RedirectResponse(f"/ecosystem/resources/{resource_id}", status_code=303)


@router.post("/resources/{resource_id}/request")
def resource_request(
    request: Request, db: Db, principal: PagePrincipal, resource_id: RowId, values: FormFields
) -> Response:
    try:
        resources.request_access(db, principal, resource_id, purpose=values.get("purpose", ""))
    except AvbaseError as exc:
        db.rollback()
        return _resource_page(
            request, db, principal, resource_id, {"purpose": _error_text(exc)}, exc.status_code
        )
    return RedirectResponse(f"/ecosystem/resources/{resource_id}", status_code=303)


@router.post("/requests/{request_id}/decide")
def request_decide(db: Db, principal: PagePrincipal, request_id: RowId, values: FormFields) -> Response:
    decided = resources.decide(
        db, principal, request_id, approve=values.get("decision") == "approve", remark=values.get("note", "")
    )
    return RedirectResponse(f"/ecosystem/resources/{decided.resource_id}", status_code=303)


@router.post("/resources/{resource_id}/rate")
def resource_rate(
    request: Request, db: Db, principal: PagePrincipal, resource_id: RowId, values: FormFields
) -> Response:
    try:
        resources.rate(db, principal, resource_id, int(values.get("stars") or 0))
    except AvbaseError as exc:
        db.rollback()
        return _resource_page(
            request, db, principal, resource_id, {"stars": _error_text(exc)}, exc.status_code
        )
    return RedirectResponse(f"/ecosystem/resources/{resource_id}", status_code=303)


@router.get("/files/{file_id}")
def resource_file(db: Db, principal: PagePrincipal, file_id: RowId) -> Response:
    found = resources.download(db, principal, file_id)
    db.commit()  # the download is counted and audited before the bytes go out
    return FileResponse(found.path, media_type=found.media_type, filename=found.name)


@router.get("/resources.jsonld")
def resource_dcat(request: Request, db: Db, principal: PagePrincipal) -> Response:
    return JSONResponse(
        resources.dcat_catalogue(db, str(request.base_url).rstrip("/")), media_type="application/ld+json"
    )


# --- industry data service ----------------------------------------------------------------------------


def _data_page(
    request: Request,
    db: Db,
    principal: Principal,
    year: int | None,
    measure: str,
    region: str,
    new_key: str | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    years = dataservice.years(db)
    chosen = year if year in years else (years[-1] if years else None)
    result = dataservice.statistics(db, year=chosen, measure=measure, region=region) if chosen else None
    steward = principal.role in STEWARDS
    return render(
        request,
        "ecosystem/data.html",
        {
            "years": years,
            "year": chosen,
            "measure": measure,
            "region": region,
            "measures": dataservice.MEASURE_LABELS,
            "units": dataservice.UNIT_LABELS,
            "clusters": dataservice.CLUSTERS,
            "result": result,
            "total": TOTAL,
            "region_name": lambda code: region_name(code, get_locale()),
            "keys": dataservice.list_keys(db, principal) if steward else [],
            "steward": steward,
            "new_key": new_key,
            "errors": errors or {},
        },
        status_code=status,
    )


@router.get("/data")
def data_page(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    year: int | None = None,
    measure: str = "revenue_total",
    region: str = "",
) -> Response:
    return _data_page(request, db, principal, year, measure, region)


@router.get("/data.xlsx")
def data_workbook(
    db: Db, principal: PagePrincipal, year: int, measure: str = "revenue_total", region: str = ""
) -> Response:
    result = dataservice.statistics(db, year=year, measure=measure, region=region)
    return attachment(
        dataservice.workbook(result), media_type=XLSX_MEDIA_TYPE, name=f"industry-{measure}-{year}.xlsx"
    )


@router.post("/api-keys")
def api_key_create(request: Request, db: Db, principal: PagePrincipal, values: FormFields) -> Response:
    try:
        secret, _key = dataservice.create_key(
            db, principal, holder=values.get("holder", ""), contact=values.get("contact", ""),
            daily_quota=int(_number(values.get("daily_quota", "1000"), "daily_quota", int)),
        )  # fmt: skip
    except AvbaseError as exc:
        db.rollback()
        return _data_page(
            request,
            db,
            principal,
            None,
            "revenue_total",
            "",
            None,
            {"key": _error_text(exc)},
            exc.status_code,
        )
    return _data_page(request, db, principal, None, "revenue_total", "", secret)


@router.post("/api-keys/{key_id}/revoke")
def api_key_revoke(db: Db, principal: PagePrincipal, key_id: RowId) -> Response:
    dataservice.revoke_key(db, principal, key_id)
    return RedirectResponse("/ecosystem/data#api-keys", status_code=303)


# --- developers and creators, experts, talent ---------------------------------------------------------


def _this_year() -> str:
    from avbase.kit.dates import today

    return str(today().year)


def _rounds_open(db: Db, principal: Principal) -> list[Any]:
    from avbase.policy import rounds

    return rounds.open_rounds_run_by(db, principal)


@router.get("/people")
def people(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    period: str | None = None,
    scheme: str | None = None,
    by: profiles.Level = "people",
) -> Response:
    chosen = profiles.parse_period(period or _this_year())
    ranking_scheme = profiles.scheme(db, scheme)
    rows = profiles.ranking(db, chosen, ranking_scheme, by)
    return render(
        request,
        "ecosystem/people.html",
        {
            "period": chosen,
            "scheme": ranking_scheme,
            "formula": profiles.formula(ranking_scheme),
            "indicators": profiles.INDICATORS,
            "rows": rows,
            "by": by,
            "org_names": organisation_names(db, (r.org_id for r in rows)),
            "steward": principal.role in STEWARDS,
            "rounds": _rounds_open(db, principal) if principal.role in STEWARDS else [],
        },
    )


@router.post("/people/nominate")
def people_nominate(db: Db, principal: PagePrincipal, values: FormFields) -> Response:
    period = profiles.parse_period(values.get("period", ""))
    round_id = int(_number(values.get("round", "0"), "round", int))
    profiles.nominate(
        db,
        principal,
        round_id=round_id,
        period=period,
        ranking_scheme=profiles.scheme(db, values.get("scheme")),
        top=int(_number(values.get("top", "3"), "top", int)),
        by="organisations" if values.get("by") == "organisations" else "people",
    )
    return RedirectResponse(f"/policy/rounds/{round_id}", status_code=303)


@router.get("/people/{user_id}")
def person(request: Request, db: Db, principal: PagePrincipal, user_id: RowId) -> Response:
    found = profiles.profile(db, user_id)
    return render(
        request,
        "ecosystem/person.html",
        {
            **found,
            "kinds": resources.KIND_LABELS,
            "org_name": organisation_names(db, [found["user"].org_id]).get(found["user"].org_id, ""),
            "expert": experts.of_user(db, user_id),
        },
    )


def _experts_page(
    request: Request,
    db: Db,
    principal: Principal,
    field: str | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    found = experts.list_experts(db, field=field)
    return render(
        request,
        "ecosystem/experts.html",
        {
            "experts": found,
            "names": _user_names(db, [e.user_id for e in found]),
            "org_names": organisation_names(db, (o for e in found for o in e.conflicts)),
            "fields": experts.fields(db),
            "field": field or "",
            "steward": principal.role in STEWARDS,
            "rounds": _rounds_open(db, principal) if principal.role in STEWARDS else [],
            "errors": errors or {},
        },
        status_code=status,
    )


@router.get("/experts")
def expert_list(request: Request, db: Db, principal: PagePrincipal, field: str | None = None) -> Response:
    return _experts_page(request, db, principal, field)


@router.post("/experts")
def expert_register(request: Request, db: Db, principal: PagePrincipal, values: FormFields) -> Response:
    from sqlalchemy import select

    from avbase.core.accounts.models import User

    try:
        user_id = db.scalar(select(User.id).where(User.username == values.get("username", "").strip()))
        if user_id is None:
            raise AvbaseError("No user is called {name}.", field="username", name=values.get("username", ""))
        experts.register(
            db,
            principal,
            user_id=user_id,
            title=values.get("title", ""),
            affiliation=values.get("affiliation", ""),
            fields=values.get("fields", "").replace("，", ",").split(","),
            conflicts=[
                int(x)
                for x in values.get("conflicts", "").replace("，", ",").split(",")
                if x.strip().isdigit()
            ],
        )
    except AvbaseError as exc:
        db.rollback()
        return _experts_page(request, db, principal, None, {"expert": _error_text(exc)}, exc.status_code)
    return RedirectResponse("/ecosystem/experts", status_code=303)


@router.post("/experts/panel")
def expert_panel(request: Request, db: Db, principal: PagePrincipal, values: FormFields) -> Response:
    try:
        round_id = int(_number(values.get("round", "0"), "round", int))
        experts.draw_panel(
            db,
            principal,
            round_id,
            field=values.get("field", ""),
            size=int(_number(values.get("size", "3"), "size", int)),
        )
    except AvbaseError as exc:
        db.rollback()
        return _experts_page(request, db, principal, None, {"panel": _error_text(exc)}, exc.status_code)
    return RedirectResponse(f"/policy/rounds/{round_id}", status_code=303)


def _talent_page(
    request: Request,
    db: Db,
    principal: Principal,
    field: str | None,
    region: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    rows = talent.directory(db, field=field or None, region_prefix=region)
    return render(
        request,
        "ecosystem/talent.html",
        {
            "rows": rows,
            "field": field or "",
            "region": region,
            "levels": talent.LEVELS,
            "region_name": lambda code: region_name(code, get_locale()),
            "can_post": principal.role in talent.POSTERS,
            "mine": talent.mine(db, principal) if principal.role in talent.POSTERS else [],
            "errors": errors or {},
        },
        status_code=status,
    )


@router.get("/talent")
def talent_page(
    request: Request, db: Db, principal: PagePrincipal, field: str | None = None, region: str = ""
) -> Response:
    return _talent_page(request, db, principal, field, region)


@router.get("/talent.xlsx")
def talent_workbook(db: Db, principal: PagePrincipal, field: str | None = None, region: str = "") -> Response:
    rows = talent.directory(db, field=field or None, region_prefix=region)
    return attachment(talent.workbook(rows), media_type=XLSX_MEDIA_TYPE, name="talent-directory.xlsx")


@router.post("/talent")
def talent_post(request: Request, db: Db, principal: PagePrincipal, values: FormFields) -> Response:
    try:
        talent.post(
            db,
            principal,
            role=values.get("role", ""),
            field=values.get("field", ""),
            level=values.get("level", ""),
            count=int(_number(values.get("count", "1"), "count", int)),
            region_code=values.get("region_code") or None,
            note=values.get("note", ""),
        )
    except AvbaseError as exc:
        db.rollback()
        return _talent_page(
            request, db, principal, None, "", {exc.field or "form": _error_text(exc)}, exc.status_code
        )
    return RedirectResponse("/ecosystem/talent", status_code=303)


@router.post("/talent/{demand_id}/close")
def talent_close(db: Db, principal: PagePrincipal, demand_id: RowId) -> Response:
    talent.close(db, principal, demand_id)
    return RedirectResponse("/ecosystem/talent", status_code=303)
