"""REST routes of the ecosystem under ``/api/v1/ecosystem``: contests, submissions, leaderboards."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from sqlalchemy.orm import Session

from avbase.core.jobs import Job
from avbase.ecosystem import contests
from avbase.ecosystem.models import ContestState, Submission
from avbase.ecosystem.schemas import (
    BoardRowOut,
    ContestOut,
    FailureOut,
    LeaderboardOut,
    SubmissionOut,
    TeamIn,
    TeamOut,
)
from avbase.web.deps import ApiPrincipal, Db
from avbase.web.limits import upload_body
from avbase.web.schemas import ErrorOut, RowId
from avbase.web.uploads import with_upload

router = APIRouter(
    prefix="/ecosystem",
    tags=["ecosystem"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}}
CONFLICT: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}, 409: {"model": ErrorOut}}
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
    summary="Submit a prediction file; it is scored by a job (poll the submission for its public score)",
    max_body_size=upload_body(MAX_FILE),
)
def submit(
    contest_id: RowId,
    db: Db,
    principal: ApiPrincipal,
    file: Annotated[UploadFile, File(description="Predictions (JSON, the metric's format).")],
    task: Annotated[int | None, Form(ge=1)] = None,
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
    task: Annotated[int | None, Query(ge=1)] = None,
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
