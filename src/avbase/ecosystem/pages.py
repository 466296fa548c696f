"""Web pages of the ecosystem: contests (task page, submissions with live scoring, leaderboards)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from avbase.core.accounts.principal import STEWARDS, Principal
from avbase.core.errors import AvbaseError
from avbase.core.i18n import _
from avbase.core.jobs import Job
from avbase.ecosystem import contests
from avbase.ecosystem.api import MAX_FILE, read_upload
from avbase.ecosystem.metrics import METRICS
from avbase.ecosystem.models import Contest, ContestState
from avbase.settings import get_settings
from avbase.web.deps import Db, PagePrincipal
from avbase.web.forms import FormFields
from avbase.web.limits import upload_body
from avbase.web.schemas import RowId
from avbase.web.templating import add_template_dir, render

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
        )
    except AvbaseError as exc:
        db.rollback()
        # A fault inside the truth file (videos["a"].fps) is shown beside the file field.
        key = exc.field if exc.field in values else "truth" if exc.field else "form"
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
