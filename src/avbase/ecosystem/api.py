"""REST routes of the ecosystem under ``/api/v1/ecosystem``: contests, submissions, leaderboards."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Header, Query, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.orm import Session

from avbase.core.i18n import _
from avbase.core.jobs import Job
from avbase.ecosystem import contests, dataservice, experts, profiles, resources, talent
from avbase.ecosystem.models import ContestState, Submission
from avbase.ecosystem.schemas import (
    AccessRequestIn,
    AccessRequestOut,
    ApiKeyIn,
    ApiKeyMadeOut,
    ApiKeyOut,
    AssetShareIn,
    BoardRowOut,
    ContestOut,
    DecisionIn,
    DirectoryRowOut,
    ExpertIn,
    ExpertOut,
    FailureOut,
    LeaderboardOut,
    NominateIn,
    PanelIn,
    RankedOut,
    RankingOut,
    ResourceIn,
    ResourceOut,
    StatisticRow,
    StatisticsOut,
    SubmissionOut,
    TalentIn,
    TalentOut,
    TeamIn,
    TeamOut,
)
from avbase.kit.filetypes import safe_name
from avbase.kit.pagination import MAX_ROW_ID
from avbase.settings import get_settings
from avbase.web.deps import ApiPrincipal, Db
from avbase.web.limits import upload_body
from avbase.web.schemas import ErrorOut, RowId
from avbase.web.uploads import save_upload, with_upload

router = APIRouter(
    prefix="/ecosystem",
    tags=["ecosystem"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}}
CONFLICT: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}, 409: {"model": ErrorOut}}
RESOURCE_FILE = 2 << 30  # a dataset or model file, up to 2 GiB
MAX_FILE = 64 << 20  # a prediction or truth file of 10,000 videos is a few MB


def read_upload(upload: UploadFile) -> bytes:
    return with_upload(upload, MAX_FILE, lambda path, _name: path.read_bytes())


def submission_out(session: Session, submission: Submission) -> SubmissionOut:
    task = submission.task_id
    contest = contests.get_contest(session, contests.task_contest_id(session, task))
    return SubmissionOut(
        id=submission.id,
        task=task,
        participant=submission.participant,
        state=contests.state_of(session, submission),
        public_score=submission.public_score,
        private_score=submission.private_score if contest.state is ContestState.closed else None,
        job=submission.job_id,
        code=submission.code,
        failure=contests.failure_text(submission.failure, _) if submission.failure else None,
        created_at=submission.created_at,
    )


@router.get("/contests", response_model=list[ContestOut], summary="Every contest, the open ones first")
def list_contests(db: Db, principal: ApiPrincipal) -> list[ContestOut]:
    return [ContestOut.model_validate(contest) for contest in contests.list_contests(db)]


@router.post(
    "/contests",
    response_model=ContestOut,
    status_code=201,
    summary="Create a contest with its first task and hidden truth (organisers: administrators, authorities)",
    max_body_size=upload_body(MAX_FILE),
)
def create_contest(
    db: Db,
    principal: ApiPrincipal,
    title: Annotated[str, Form(min_length=1, max_length=200)],
    metric: Annotated[str, Form(max_length=40)],
    truth: Annotated[UploadFile, File(description="The hidden truth (JSON, the metric's format).")],
    public_share: Annotated[float, Form(gt=0, lt=1)] = 0.5,
    daily_limit: Annotated[int, Form(ge=1, le=1000)] = 3,
    deadline: Annotated[datetime | None, Form()] = None,
    description: Annotated[str, Form(max_length=5000)] = "",
    inputs: Annotated[
        UploadFile | None,
        File(description="Hidden test inputs (JSON) for code submissions; with them the task accepts code."),
    ] = None,
) -> ContestOut:
    contest = contests.create_contest(
        db,
        principal,
        title=title,
        metric=metric,
        truth=read_upload(truth),
        truth_name=truth.filename or "truth.json",
        public_share=public_share,
        daily_limit=daily_limit,
        deadline=deadline,
        description=description,
        inputs=read_upload(inputs) if inputs is not None else None,
        inputs_name=(inputs.filename if inputs is not None else None) or "inputs.json",
    )
    return ContestOut.model_validate(contest)


@router.get("/contests/{contest_id}", response_model=ContestOut, responses=NOT_FOUND)
def get_contest(contest_id: RowId, db: Db, principal: ApiPrincipal) -> ContestOut:
    return ContestOut.model_validate(contests.get_contest(db, contest_id))


@router.post("/contests/{contest_id}/close", response_model=ContestOut, responses=CONFLICT)
def close_contest(contest_id: RowId, db: Db, principal: ApiPrincipal) -> ContestOut:
    return ContestOut.model_validate(contests.close_contest(db, principal, contest_id))


@router.post(
    "/contests/{contest_id}/submissions",
    response_model=SubmissionOut,
    status_code=202,
    responses={**CONFLICT, 429: {"model": ErrorOut}},
    summary="Submit a prediction file, or code (.py, .zip with main.py) where the task accepts it; it is "
    "scored by a job (poll the submission for its public score)",
    max_body_size=upload_body(MAX_FILE),
)
def submit(
    contest_id: RowId,
    db: Db,
    principal: ApiPrincipal,
    file: Annotated[
        UploadFile,
        File(description="Predictions (JSON, the metric's format), or code: a .py or a .zip with main.py."),
    ],
    task: Annotated[int | None, Form(ge=1, le=MAX_ROW_ID)] = None,
    note: Annotated[str, Form(max_length=200)] = "",
) -> SubmissionOut:
    submission = contests.submit(
        db,
        principal,
        contest_id,
        data=read_upload(file),
        file_name=file.filename or "submission.json",
        task_id=task,
        note=note,
    )
    return submission_out(db, submission)


@router.get("/contests/{contest_id}/submissions", response_model=list[SubmissionOut], responses=NOT_FOUND)
def my_submissions(contest_id: RowId, db: Db, principal: ApiPrincipal) -> list[SubmissionOut]:
    contest = contests.get_contest(db, contest_id)
    return [submission_out(db, s) for s in contests.submissions_of(db, principal, contest)]


@router.get("/submissions/{submission_id}", response_model=SubmissionOut, responses=NOT_FOUND)
def get_submission(submission_id: RowId, db: Db, principal: ApiPrincipal) -> SubmissionOut:
    return submission_out(db, contests.get_submission(db, principal, submission_id))


@router.post("/submissions/{submission_id}/rescore", response_model=SubmissionOut, responses=CONFLICT)
def rescore(submission_id: RowId, db: Db, principal: ApiPrincipal) -> SubmissionOut:
    contests.retry_scoring(db, principal, submission_id)
    return submission_out(db, contests.get_submission(db, principal, submission_id))


@router.get("/contests/{contest_id}/leaderboard", response_model=LeaderboardOut, responses=CONFLICT)
def leaderboard(
    contest_id: RowId,
    db: Db,
    principal: ApiPrincipal,
    private: bool = False,
    task: Annotated[int | None, Query(ge=1, le=MAX_ROW_ID)] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> LeaderboardOut:
    contest = contests.get_contest(db, contest_id)
    chosen = contests.get_task(contest, task)
    rows = contests.leaderboard(
        db, contest, task_id=chosen.id, private=private, offset=(page - 1) * per_page, limit=per_page
    )
    return LeaderboardOut(
        contest=contest.id,
        task=chosen.id,
        private=private,
        total=contests.board_size(db, contest, task_id=chosen.id),
        page=page,
        per_page=per_page,
        rows=[BoardRowOut(**row._asdict()) for row in rows],
    )


@router.get("/contests/{contest_id}/failures", response_model=list[FailureOut], responses=NOT_FOUND)
def failures(contest_id: RowId, db: Db, principal: ApiPrincipal) -> list[FailureOut]:
    contest = contests.get_contest(db, contest_id)
    return [failure_out(s, job) for s, job in contests.failures(db, principal, contest)]


def failure_out(submission: Submission, job: Job) -> FailureOut:
    return FailureOut(
        submission=submission.id,
        participant=submission.participant,
        job=job.id,
        error=job.error,
        attempts=job.attempts,
    )


@router.post("/contests/{contest_id}/teams", response_model=TeamOut, status_code=201, responses=CONFLICT)
def create_team(contest_id: RowId, data: TeamIn, db: Db, principal: ApiPrincipal) -> TeamOut:
    return TeamOut.model_validate(contests.create_team(db, principal, contest_id, data.name))


@router.post("/teams/{team_id}/join", response_model=TeamOut, responses=CONFLICT)
def join_team(team_id: RowId, db: Db, principal: ApiPrincipal) -> TeamOut:
    return TeamOut.model_validate(contests.join_team(db, principal, team_id))


# --- shared resources ---------------------------------------------------------------------------------


@router.get("/resources", response_model=list[ResourceOut], summary="The shared resource catalogue")
def list_resources(
    db: Db,
    principal: ApiPrincipal,
    kind: Annotated[str | None, Query(pattern=r"^[a-z_]{2,20}$")] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
) -> list[ResourceOut]:
    return [ResourceOut.model_validate(r) for r in resources.list_resources(db, kind=kind, query=q)]


@router.post("/resources", response_model=ResourceOut, status_code=201, summary="Publish a resource")
def publish_resource(data: ResourceIn, db: Db, principal: ApiPrincipal) -> ResourceOut:
    made = resources.publish(db, principal, **data.model_dump())
    return ResourceOut.model_validate(made)


@router.post("/resources/from-asset", response_model=ResourceOut, status_code=201, responses=NOT_FOUND)
def share_asset(data: AssetShareIn, db: Db, principal: ApiPrincipal) -> ResourceOut:
    made = resources.publish_media_asset(
        db, principal, data.asset_id, licence=data.licence, access=data.access
    )
    return ResourceOut.model_validate(made)


@router.get("/resources/{resource_id}", response_model=ResourceOut, responses=NOT_FOUND)
def get_resource(resource_id: RowId, db: Db, principal: ApiPrincipal) -> ResourceOut:
    return ResourceOut.model_validate(resources.get_resource(db, resource_id))


@router.post(
    "/resources/{resource_id}/versions",
    response_model=ResourceOut,
    status_code=201,
    responses=CONFLICT,
    max_body_size=upload_body(RESOURCE_FILE),
)
def add_version(
    resource_id: RowId,
    db: Db,
    principal: ApiPrincipal,
    version: Annotated[str, Form(min_length=1, max_length=40)],
    file: Annotated[UploadFile, File()],
    notes: Annotated[str, Form(max_length=5000)] = "",
) -> ResourceOut:
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
    return ResourceOut.model_validate(resources.get_resource(db, resource_id))


@router.post(
    "/resources/{resource_id}/requests", response_model=AccessRequestOut, status_code=201, responses=CONFLICT
)
def request_access(
    resource_id: RowId, data: AccessRequestIn, db: Db, principal: ApiPrincipal
) -> AccessRequestOut:
    return AccessRequestOut.model_validate(
        resources.request_access(db, principal, resource_id, purpose=data.purpose)
    )


@router.post("/requests/{request_id}/decide", response_model=AccessRequestOut, responses=CONFLICT)
def decide_request(request_id: RowId, data: DecisionIn, db: Db, principal: ApiPrincipal) -> AccessRequestOut:
    return AccessRequestOut.model_validate(
        resources.decide(db, principal, request_id, approve=data.approve, remark=data.note)
    )


@router.get("/files/{file_id}", responses=NOT_FOUND, summary="Download a resource file (counted and audited)")
def download_file(file_id: RowId, db: Db, principal: ApiPrincipal) -> FileResponse:
    found = resources.download(db, principal, file_id)
    db.commit()
    return FileResponse(found.path, media_type=found.media_type, filename=found.name)


@router.get("/dcat", summary="The catalogue as DCAT (JSON-LD)")
def dcat(request: Request, db: Db, principal: ApiPrincipal) -> JSONResponse:
    return JSONResponse(
        resources.dcat_catalogue(db, str(request.base_url).rstrip("/")), media_type="application/ld+json"
    )


# --- industry data service ----------------------------------------------------------------------------

RULE = (
    "Cells on fewer than 3 enterprises, or more than 85 % from one enterprise, are withheld (primary); "
    "further cells are withheld so that no total gives a withheld cell away (secondary)."
)


def statistics_out(db: Session, year: int, measure: str, region: str) -> StatisticsOut:
    result = dataservice.statistics(db, year=year, measure=measure, region=region)
    rows = [StatisticRow(**row) for row in dataservice.rows_json(result)]
    return StatisticsOut(year=year, measure=measure, rule=RULE, rows=rows)


Measure = Annotated[
    str, Query(pattern=r"^[a-z_]{3,30}$", description="revenue_total, rnd_expense, employees, …")
]
Year = Annotated[int, Query(ge=2000, le=2100)]
RegionPrefix = Annotated[str, Query(pattern=r"^(\d{2}|\d{4})?$", description="Province (43) or city (4301)")]


@router.get("/statistics", response_model=StatisticsOut, summary="Aggregated industry statistics (signed in)")
def statistics(
    db: Db, principal: ApiPrincipal, year: Year, measure: Measure = "revenue_total", region: RegionPrefix = ""
) -> StatisticsOut:
    return statistics_out(db, year, measure, region)


@router.get(
    "/open/statistics",
    response_model=StatisticsOut,
    responses={429: {"model": ErrorOut}},
    summary="Aggregated industry statistics for outside users (X-API-Key; each call counts to its quota)",
)
def open_statistics(
    db: Db,
    year: Year,
    measure: Measure = "revenue_total",
    region: RegionPrefix = "",
    x_api_key: Annotated[str | None, Header()] = None,
) -> StatisticsOut:
    dataservice.use_key(db, x_api_key)
    return statistics_out(db, year, measure, region)


@router.get("/open/years", response_model=list[int], summary="Years with statistics (X-API-Key)")
def open_years(db: Db, x_api_key: Annotated[str | None, Header()] = None) -> list[int]:
    dataservice.use_key(db, x_api_key)
    return dataservice.years(db)


@router.post(
    "/api-keys", response_model=ApiKeyMadeOut, status_code=201, summary="Issue an API key (stewards)"
)
def create_api_key(data: ApiKeyIn, db: Db, principal: ApiPrincipal) -> ApiKeyMadeOut:
    secret, key = dataservice.create_key(
        db, principal, holder=data.holder, contact=data.contact, daily_quota=data.daily_quota
    )
    return ApiKeyMadeOut(**ApiKeyOut.model_validate(key).model_dump(), key=secret)


@router.post("/api-keys/{key_id}/revoke", response_model=ApiKeyOut, responses=CONFLICT)
def revoke_api_key(key_id: RowId, db: Db, principal: ApiPrincipal) -> ApiKeyOut:
    return ApiKeyOut.model_validate(dataservice.revoke_key(db, principal, key_id))


# --- developers and creators, experts, talent ---------------------------------------------------------


@router.get(
    "/rankings",
    response_model=RankingOut,
    summary="Developers and creators (people or organisations) ranked for a period",
)
def ranking(
    db: Db,
    principal: ApiPrincipal,
    period: Annotated[str, Query(pattern=r"^\d{4}(-[Qq][1-4])?$")],
    scheme: Annotated[str | None, Query(max_length=40)] = None,
    by: profiles.Level = "people",
) -> RankingOut:
    chosen = profiles.scheme(db, scheme)
    rows = profiles.ranking(db, profiles.parse_period(period), chosen, by)
    return RankingOut(
        period=period.upper(),
        by=by,
        scheme=chosen.key,
        weights=chosen.weights,
        formula=[f"{weight:.0%} × {_(msgid)}" for weight, msgid in profiles.formula(chosen)],
        rows=[RankedOut(**row.to_json()) for row in rows],
    )


@router.post(
    "/rankings/nominate", response_model=list[int], summary="Put the top-ranked forward to a policy round"
)
def nominate(data: NominateIn, db: Db, principal: ApiPrincipal) -> list[int]:
    return profiles.nominate(
        db,
        principal,
        round_id=data.round_id,
        period=profiles.parse_period(data.period),
        ranking_scheme=profiles.scheme(db, data.scheme),
        top=data.top,
        by=data.by,
    )


@router.get("/experts", response_model=list[ExpertOut], summary="The expert think tank")
def list_experts(
    db: Db, principal: ApiPrincipal, field: Annotated[str | None, Query(max_length=60)] = None
) -> list[ExpertOut]:
    return [ExpertOut.model_validate(e) for e in experts.list_experts(db, field=field)]


@router.post("/experts", response_model=ExpertOut, status_code=201, responses=CONFLICT)
def register_expert(data: ExpertIn, db: Db, principal: ApiPrincipal) -> ExpertOut:
    return ExpertOut.model_validate(experts.register(db, principal, **data.model_dump()))


@router.post(
    "/experts/panel", response_model=list[ExpertOut], responses=CONFLICT, summary="Draw a round's panel"
)
def draw_panel(data: PanelIn, db: Db, principal: ApiPrincipal) -> list[ExpertOut]:
    drawn = experts.draw_panel(db, principal, data.round_id, field=data.field, size=data.size)
    return [ExpertOut.model_validate(e) for e in drawn]


@router.post("/talent", response_model=TalentOut, status_code=201, summary="Post a talent demand")
def post_talent(data: TalentIn, db: Db, principal: ApiPrincipal) -> TalentOut:
    return TalentOut.model_validate(talent.post(db, principal, **data.model_dump()))


@router.get(
    "/talent/directory", response_model=list[DirectoryRowOut], summary="人才引进需求名录 by field and city"
)
def talent_directory(
    db: Db,
    principal: ApiPrincipal,
    field: Annotated[str | None, Query(max_length=60)] = None,
    region: RegionPrefix = "",
) -> list[DirectoryRowOut]:
    return [DirectoryRowOut(**vars(row)) for row in talent.directory(db, field=field, region_prefix=region)]


@router.get("/people/{user_id}", responses=NOT_FOUND, summary="A developer's or creator's profile")
def person(user_id: RowId, db: Db, principal: ApiPrincipal) -> dict[str, Any]:
    found = profiles.profile(db, user_id)
    return {
        "user": user_id,
        "name": found["user"].display_name,
        "org_id": found["user"].org_id,
        "downloads": found["downloads"],
        "resources": [
            {"id": r.id, "kind": r.kind.value, "title": r.title, "downloads": r.downloads,
             "rating": found["ratings"].get(r.id)}
            for r in found["resources"]
        ],
        "contests": [vars(result) for result in found["contests"]],
    }  # fmt: skip
