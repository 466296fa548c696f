"""Algorithm contests (马栏山杯): tasks with hidden truth, teams, submissions scored by a job, leaderboards.

A submission is read against the task's truth before anything is stored: a malformed file is refused with
the item and field at fault and uses no try. A stored submission is scored by a job (``ecosystem.score``)
on the public and the private part of the test items; the daily limit counts only submissions whose
scoring has not failed, so a failed or lost run (retried by the worker) is never held against anyone.

A task with hidden inputs also accepts code (``sandbox``): a ``.py`` or ``.zip`` whose ``predict`` is run
on the inputs by the scoring job, its output then read and scored exactly like a prediction file. Code that
does not compile is malformed (no try used); code that runs and fails (a timeout, too much memory, an
exception, output the metric refuses) is the participant's: it uses a try and says why.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.core import storage
from avbase.core.accounts.models import User
from avbase.core.accounts.principal import STEWARDS, Principal, require_steward
from avbase.core.db import utcnow
from avbase.core.errors import AvbaseError, Conflict, Forbidden, NotFound, RateLimited
from avbase.core.i18n import N_
from avbase.core.jobs import Job, JobState, enqueue
from avbase.ecosystem import sandbox
from avbase.ecosystem.metrics import Malformed, Metric, get_metric, load_json
from avbase.ecosystem.metrics.base import entries, where
from avbase.ecosystem.models import Contest, ContestState, ContestTask, Standing, Submission, Team, TeamMember
from avbase.kit.dates import today
from avbase.settings import get_settings

SCORE_JOB = "ecosystem.score"
OPERATOR = "operator"  # the participant key of the platform operator at the command line


# --- contests and tasks -------------------------------------------------------------------------------


def _read_truth(metric: Metric, raw: bytes) -> dict[str, Any]:
    return metric.read_truth(load_json(raw))


def _check_share(public_share: float, items: int) -> None:
    if not 0 < public_share < 1:
        raise AvbaseError(N_("The public share must be between 0 and 1."), field="public_share")
    if items < 2:
        raise AvbaseError(
            N_("The truth needs at least two test items to split them into a public and a private part."),
            field="truth",
        )


def _keep_truth(raw: bytes, name: str) -> str:
    staging = get_settings().var_dir / "uploads"
    staging.mkdir(parents=True, exist_ok=True)
    path = staging / f".truth-{secrets.token_hex(6)}"
    path.write_bytes(raw)
    sha256, _ = storage.keep(path)
    return sha256


def create_contest(
    session: Session,
    principal: Principal,
    *,
    title: str,
    metric: str,
    truth: bytes,
    truth_name: str,
    public_share: float,
    daily_limit: int,
    deadline: datetime | None = None,
    description: str = "",
    task_title: str | None = None,
    inputs: bytes | None = None,
    inputs_name: str = "inputs.json",
) -> Contest:
    """A contest with its first task. The truth is read with the metric first: nothing is kept when it
    cannot be scored against."""
    require_steward(principal)
    if not title.strip():
        raise AvbaseError(N_("A title is needed."), field="title")
    if daily_limit < 1:
        raise AvbaseError(N_("The daily limit must be at least 1."), field="daily_limit")
    if deadline is not None and deadline.tzinfo is None:
        deadline = deadline.replace(tzinfo=UTC)  # a deadline without a zone is read as UTC
    contest = Contest(
        title=title.strip(),
        description=description,
        deadline=deadline,
        daily_limit=daily_limit,
        org_id=principal.org_id or None,
        created_by_id=principal.user_id or None,
    )
    session.add(contest)
    session.flush()
    add_task(
        session,
        principal,
        contest,
        title=task_title or title.strip(),
        metric=metric,
        truth=truth,
        truth_name=truth_name,
        public_share=public_share,
        inputs=inputs,
        inputs_name=inputs_name,
    )
    return contest


def add_task(
    session: Session,
    principal: Principal,
    contest: Contest,
    *,
    title: str,
    metric: str,
    truth: bytes,
    truth_name: str,
    public_share: float,
    inputs: bytes | None = None,
    inputs_name: str = "inputs.json",
) -> ContestTask:
    """A task; with ``inputs`` (the hidden test inputs, JSON) it accepts code submissions too."""
    require_organiser(principal, contest)
    chosen = get_metric(metric)
    read = _read_truth(chosen, truth)
    _check_share(public_share, len(read))
    if inputs is not None:
        _check_inputs(chosen, load_json(inputs), read)
    task = ContestTask(
        contest_id=contest.id,
        title=title,
        metric=chosen.name,
        truth_sha256=_keep_truth(truth, truth_name),
        truth_name=truth_name[:200],
        items=len(read),
        public_share=public_share,
        split_seed=secrets.randbelow(2**31),
        inputs_sha256=_keep_truth(inputs, inputs_name) if inputs is not None else None,
        inputs_name=inputs_name[:200] if inputs is not None else None,
    )
    session.add(task)
    session.flush()
    session.refresh(contest)
    return task


def _check_inputs(metric: Metric, data: Any, truth: dict[str, Any]) -> None:
    """Inputs name exactly the truth's items, under the same top-level key: ``{"videos": {NAME: {…}}}``.
    A fault is named inside the inputs file (``inputs.videos["a"]``)."""
    try:
        found = entries(data, metric.collection, truth=truth)
    except Malformed as exc:
        params = {key: value for key, value in exc.params.items() if key != "field"}
        raise Malformed(exc.message, field=f"inputs.{exc.params['field']}", **params) from exc
    missing = sorted(set(truth) - set(found))
    if missing:
        raise Malformed(N_("{field} is missing."), field=f"inputs.{where(metric.collection, missing[0])}")


def is_organiser(principal: Principal, contest: Contest) -> bool:
    """The platform administrator, the operator at the command line, and the stewards of the organising
    organisation."""
    if principal.is_admin:
        return True
    return principal.role in STEWARDS and contest.org_id == principal.org_id


def require_organiser(principal: Principal, contest: Contest) -> None:
    if not is_organiser(principal, contest):
        raise Forbidden(N_("Only the contest's organisers may do this."))


def list_contests(session: Session) -> list[Contest]:
    """Contests are public to every signed-in user: the open ones first, the newest first."""
    return list(session.scalars(select(Contest).order_by(Contest.state.desc(), Contest.id.desc())))


def get_contest(session: Session, contest_id: int) -> Contest:
    contest = session.get(Contest, contest_id)
    if contest is None:
        raise NotFound(N_("Contest not found."))
    return contest


def get_task(contest: Contest, task_id: int | None) -> ContestTask:
    if not contest.tasks:
        raise NotFound(N_("The contest has no task yet."))
    if task_id is None:
        return contest.tasks[0]
    for task in contest.tasks:
        if task.id == task_id:
            return task
    raise NotFound(N_("The contest has no task {task}."), field="task", task=task_id)


def task_contest_id(session: Session, task_id: int) -> int:
    task = session.get(ContestTask, task_id)
    if task is None:
        raise NotFound(N_("Contest not found."))
    return task.contest_id


def public_items(task: ContestTask, items: list[str]) -> set[str]:
    """The task's public test items: a fixed random part (``public_share`` of them, at least one and never
    all), the same every time for the same truth."""
    shuffled = sorted(items)
    random.Random(task.split_seed).shuffle(shuffled)
    count = min(max(round(task.public_share * len(shuffled)), 1), len(shuffled) - 1)
    return set(shuffled[:count])


def close_contest(session: Session, principal: Principal, contest_id: int) -> Contest:
    contest = get_contest(session, contest_id)
    require_organiser(principal, contest)
    if contest.state is ContestState.closed:
        raise Conflict(N_("The contest is already closed."))
    contest.state, contest.closed_at = ContestState.closed, utcnow()
    session.flush()
    return contest


def accepting(contest: Contest) -> bool:
    return contest.state is ContestState.open and (contest.deadline is None or utcnow() < contest.deadline)


# --- teams --------------------------------------------------------------------------------------------


def team_of(session: Session, contest_id: int, user_id: int) -> Team | None:
    if not user_id:
        return None
    return session.scalar(
        select(Team)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(TeamMember.contest_id == contest_id, TeamMember.user_id == user_id)
    )


def teams(session: Session, contest_id: int) -> list[Team]:
    return list(session.scalars(select(Team).where(Team.contest_id == contest_id).order_by(Team.name)))


def _has_submitted(session: Session, contest: Contest, participant: str) -> bool:
    task_ids = [task.id for task in contest.tasks]
    return bool(
        session.scalar(
            select(Submission.id).where(
                Submission.task_id.in_(task_ids), Submission.participant == participant
            )
        )
    )


def create_team(session: Session, principal: Principal, contest_id: int, name: str) -> Team:
    """A team of the contest, with its founder as first member."""
    contest = get_contest(session, contest_id)
    _check_can_join(session, principal, contest)
    name = name.strip()
    if not name:
        raise AvbaseError(N_("A team needs a name."), field="name")
    if session.scalar(select(Team.id).where(Team.contest_id == contest.id, Team.name == name)):
        raise Conflict(N_("A team of this contest is already called {name}."), field="name", name=name)
    team = Team(contest_id=contest.id, name=name)
    session.add(team)
    session.flush()
    session.add(TeamMember(team_id=team.id, contest_id=contest.id, user_id=principal.user_id))
    session.flush()
    return team


def join_team(session: Session, principal: Principal, team_id: int) -> Team:
    team = session.get(Team, team_id)
    if team is None:
        raise NotFound(N_("Team not found."))
    contest = get_contest(session, team.contest_id)
    _check_can_join(session, principal, contest)
    session.add(TeamMember(team_id=team.id, contest_id=contest.id, user_id=principal.user_id))
    session.flush()
    return team


def _check_can_join(session: Session, principal: Principal, contest: Contest) -> None:
    if not principal.user_id:
        raise Forbidden(N_("Teams are made of users; sign in as one (--as)."))
    if not accepting(contest):
        raise Conflict(N_("The contest is closed."))
    if team_of(session, contest.id, principal.user_id) is not None:
        raise Conflict(N_("You are already in a team of this contest."))
    if _has_submitted(session, contest, f"user:{principal.user_id}"):
        # Tries already made alone would otherwise not count against the team's limit.
        raise Conflict(N_("You have already submitted on your own in this contest."))


# --- submissions --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Participant:
    key: str
    label: str
    user_id: int | None
    team_id: int | None


def participant_of(session: Session, principal: Principal, contest: Contest) -> Participant:
    if not principal.user_id:
        return Participant(OPERATOR, OPERATOR, None, None)
    team = team_of(session, contest.id, principal.user_id)
    if team is not None:
        return Participant(f"team:{team.id}", team.name, principal.user_id, team.id)
    return Participant(f"user:{principal.user_id}", principal.display_name, principal.user_id, None)


def day_start() -> datetime:
    """When today began where the platform's users are (the daily limit resets at local midnight)."""
    zone = ZoneInfo(get_settings().timezone)
    return datetime.combine(today(), time(), tzinfo=zone)


def tries_today(session: Session, task: ContestTask, participant: str) -> int:
    """Submissions that count against today's limit: every one since local midnight whose scoring has
    not failed (a failed or cancelled run is the platform's fault, not the participant's)."""
    return int(
        session.scalar(
            select(func.count(Submission.id))
            .outerjoin(Job, Job.id == Submission.job_id)
            .where(
                Submission.task_id == task.id,
                Submission.participant == participant,
                Submission.created_at >= day_start(),
                (Job.id.is_(None)) | (Job.state.not_in([JobState.failed, JobState.cancelled])),
            )
        )
        or 0
    )


def submit(
    session: Session,
    principal: Principal,
    contest_id: int,
    *,
    data: bytes,
    file_name: str,
    task_id: int | None = None,
    note: str = "",
) -> Submission:
    """Checks the file against the task's truth, then the daily limit, then keeps it and queues its
    scoring (the job runs after the caller commits)."""
    contest = get_contest(session, contest_id)
    task = get_task(contest, task_id)
    if not accepting(contest):
        raise Conflict(N_("The contest is closed to submissions."))
    code = sandbox.is_code(file_name)
    if code:
        if not task.accepts_code:
            raise Malformed(N_("{field}: this task takes prediction files (JSON), not code."), field="file")
        sandbox.read_code(data, file_name)  # code that does not compile stops here and uses no try
    else:
        metric = get_metric(task.metric)
        truth = _read_truth(metric, storage.path_of(task.truth_sha256).read_bytes())
        metric.read_submission(load_json(data), truth)  # a malformed file stops here and uses no try
    who = participant_of(session, principal, contest)
    used = tries_today(session, task, who.key)
    if used >= contest.daily_limit:
        raise RateLimited(
            N_("The daily limit of {limit} submissions is used up; more can be sent after midnight."),
            field="file",
            limit=contest.daily_limit,
        )
    submission = Submission(
        task_id=task.id,
        participant=who.key,
        user_id=who.user_id,
        team_id=who.team_id,
        file_sha256=_keep_truth(data, file_name),
        file_name=Path(file_name).name[:200] or "submission.json",
        note=note[:200],
        code=code,
    )
    session.add(submission)
    session.flush()
    queue_scoring(session, principal, submission)
    return submission


def queue_scoring(session: Session, principal: Principal | None, submission: Submission) -> Job:
    job = enqueue(
        session,
        kind=SCORE_JOB,
        title=N_("Score a contest submission"),
        payload={"submission": submission.id},
        principal=principal if principal and principal.user_id else None,
    )
    submission.job_id = job.id
    session.flush()
    return job


def get_submission(session: Session, principal: Principal, submission_id: int) -> Submission:
    """A participant sees their own (or their team's) submissions; organisers see every one."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound(N_("Submission not found."))
    task = session.get(ContestTask, submission.task_id)
    assert task is not None
    contest = get_contest(session, task.contest_id)
    if (
        not is_organiser(principal, contest)
        and submission.participant != participant_of(session, principal, contest).key
    ):
        raise NotFound(N_("Submission not found."))
    return submission


def retry_scoring(session: Session, principal: Principal, submission_id: int) -> Job:
    """Organisers run a failed scoring again."""
    submission = get_submission(session, principal, submission_id)
    task = session.get(ContestTask, submission.task_id)
    assert task is not None
    require_organiser(principal, get_contest(session, task.contest_id))
    if state_of(session, submission) != "failed":
        raise Conflict(N_("Only a submission whose scoring failed is scored again."))
    return queue_scoring(session, principal, submission)


def state_of(session: Session, submission: Submission) -> str:
    """scored, scoring (queued or running), failed (on our side) or code_failed (the participant's code
    failed: it used a try)."""
    if submission.public_score is not None:
        return "scored"
    if submission.failure is not None:
        return "code_failed"
    job = session.get(Job, submission.job_id) if submission.job_id else None
    if job is None or job.state in (JobState.failed, JobState.cancelled):
        return "failed"
    return "scoring"


def submissions_of(session: Session, principal: Principal, contest: Contest) -> list[Submission]:
    """The principal's own (or their team's) submissions to the contest, newest first."""
    who = participant_of(session, principal, contest)
    return list(
        session.scalars(
            select(Submission)
            .where(Submission.task_id.in_([t.id for t in contest.tasks]), Submission.participant == who.key)
            .order_by(Submission.id.desc())
        )
    )


def failures(session: Session, principal: Principal, contest: Contest) -> list[tuple[Submission, Job]]:
    """For organisers: submissions whose scoring failed, with the failed job (its error and log)."""
    require_organiser(principal, contest)
    return [
        (row[0], row[1])
        for row in session.execute(
            select(Submission, Job)
            .join(Job, Job.id == Submission.job_id)
            .where(
                Submission.task_id.in_([t.id for t in contest.tasks]),
                Submission.public_score.is_(None),
                Job.state.in_([JobState.failed, JobState.cancelled]),
            )
            .order_by(Submission.id.desc())
        )
    ]


# --- scoring ------------------------------------------------------------------------------------------


def code_limits() -> sandbox.Limits:
    settings = get_settings()
    return sandbox.Limits(
        seconds=settings.contest_code_seconds, memory_bytes=settings.contest_code_memory_mb << 20
    )


def code_run(session: Session, submission_id: int) -> sandbox.Run | None:
    """What running a code submission's ``predict`` on its task's hidden inputs needs (None for a
    prediction file or one scored already). The scoring job executes it between two transactions."""
    submission = session.get(Submission, submission_id)
    if submission is None or not submission.code or submission.scored_at is not None:
        return None
    task = session.get(ContestTask, submission.task_id)
    assert task is not None and task.inputs_sha256 is not None
    files = sandbox.read_code(storage.path_of(submission.file_sha256).read_bytes(), submission.file_name)
    inputs = storage.path_of(task.inputs_sha256).read_bytes()
    # Belt and braces beside the guard's allow-list: the store and the database never open to the code.
    settings = get_settings()
    return sandbox.Run(files, inputs, code_limits(), denied=[settings.var_dir, settings.store_dir])


def score_submission(
    session: Session, submission_id: int, outcome: sandbox.Outcome | None = None
) -> Submission:
    """Scores one submission on the public and private items and updates the participant's standing. A
    code submission is run first unless its ``outcome`` is given; its failure is recorded instead of a
    score."""
    submission = session.get(Submission, submission_id)
    if submission is None:
        raise NotFound(N_("Submission not found."))
    if submission.scored_at is not None:
        return submission  # scored already (a run repeated after its commit): the standing counts it once
    task = session.get(ContestTask, submission.task_id)
    assert task is not None
    metric = get_metric(task.metric)
    truth = _read_truth(metric, storage.path_of(task.truth_sha256).read_bytes())
    if submission.code:
        if outcome is None:
            run = code_run(session, submission.id)
            assert run is not None
            outcome = run.execute()
        if outcome.reason is not None:
            return _record_failure(session, submission, {"reason": outcome.reason, "detail": outcome.detail})
        try:
            found = metric.read_submission(outcome.predictions, truth)
        except Malformed as exc:
            # The same check a prediction file meets at the door; here it is the code's output at fault.
            failure = {"reason": "output", "detail": "", "message": exc.message, "params": exc.params}
            return _record_failure(session, submission, failure)
    else:
        found = metric.read_submission(load_json(storage.path_of(submission.file_sha256).read_bytes()), truth)
    public = public_items(task, metric.items(truth))
    private = [name for name in metric.items(truth) if name not in public]
    public_result = metric.score(truth, found, sorted(public))
    private_result = metric.score(truth, found, private)
    submission.public_score = public_result.value
    submission.private_score = private_result.value
    submission.details = {"public": public_result.details, "private": private_result.details}
    submission.scored_at = utcnow()
    session.flush()
    _update_standing(session, task, metric, submission)
    return submission


FAILURE_REASONS = {
    "timeout": N_("Your code was stopped at the time limit ({detail})."),
    "memory": N_("Your code used more memory than allowed: {detail}."),
    "error": N_("Your code failed: {detail}"),
    "output": N_("What predict returned was refused: {detail}"),
}


def failure_text(failure: dict[str, Any], translate: Callable[..., str]) -> str:
    """The participant's failure as they read it, in their language (``translate`` is ``_``)."""
    detail = failure.get("detail", "")
    if failure.get("message"):  # refused by the metric: its own message names the item and field
        detail = translate(failure["message"], **failure.get("params", {}))
    reason = FAILURE_REASONS.get(failure.get("reason", ""), FAILURE_REASONS["error"])
    return translate(reason, detail=detail)


def _record_failure(session: Session, submission: Submission, failure: dict[str, Any]) -> Submission:
    submission.failure = failure
    submission.scored_at = utcnow()
    session.flush()
    return submission


def _label(session: Session, submission: Submission) -> str:
    if submission.team_id is not None:
        team = session.get(Team, submission.team_id)
        return team.name if team else submission.participant
    if submission.user_id is not None:
        user = session.get(User, submission.user_id)
        return user.display_name if user else submission.participant
    return OPERATOR


def sort_key(metric: Metric, score: float | None) -> float | None:
    """A score as an ascending sort key: the best first whichever way the metric counts."""
    if score is None:
        return None
    return -score if metric.higher_is_better else score


def _update_standing(session: Session, task: ContestTask, metric: Metric, submission: Submission) -> None:
    assert submission.public_score is not None
    standing = session.scalar(
        select(Standing)
        .where(Standing.task_id == task.id, Standing.participant == submission.participant)
        .with_for_update()
    )
    if standing is None:
        session.add(
            Standing(
                task_id=task.id,
                participant=submission.participant,
                label=_label(session, submission),
                submission_id=submission.id,
                public_score=submission.public_score,
                private_score=submission.private_score,
                public_key=sort_key(metric, submission.public_score),
                private_key=sort_key(metric, submission.private_score),
                submitted_at=submission.created_at,
            )
        )
        session.flush()
        return
    standing.entries += 1
    new_key = sort_key(metric, submission.public_score)
    assert new_key is not None
    # Strictly better only: on a tie the earlier submission keeps the place.
    if new_key < standing.public_key:
        standing.submission_id = submission.id
        standing.public_score = submission.public_score
        standing.private_score = submission.private_score
        standing.public_key = new_key
        standing.private_key = sort_key(metric, submission.private_score)
        standing.submitted_at = submission.created_at
    session.flush()


# --- leaderboards -------------------------------------------------------------------------------------


class BoardRow(NamedTuple):
    rank: int
    participant: str
    score: float | None
    entries: int
    submission: int
    submitted_at: datetime

    def to_json(self) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "participant": self.participant,
            "score": self.score,
            "entries": self.entries,
            "submission": self.submission,
            "submitted_at": self.submitted_at.isoformat(),
        }


def _check_board(contest: Contest, private: bool) -> None:
    if private and contest.state is not ContestState.closed:
        raise Conflict(N_("The private leaderboard is shown once the contest is closed."), field="private")


def leaderboard(
    session: Session,
    contest: Contest,
    *,
    task_id: int | None = None,
    private: bool = False,
    offset: int = 0,
    limit: int | None = None,
) -> list[BoardRow]:
    """Each participant once, by the public score of their best submission (the earliest on a tie), from
    rank ``offset + 1`` on (``limit`` rows, or all). The private board — open only once the contest is
    closed — ranks the same submissions by their private score: a participant's final entry is the one
    the public board chose. One read of the standings' order index."""
    _check_board(contest, private)
    task = get_task(contest, task_id)
    key = Standing.private_key if private else Standing.public_key
    score = Standing.private_score if private else Standing.public_score
    query = (
        select(Standing.label, score, Standing.entries, Standing.submission_id, Standing.submitted_at)
        .where(Standing.task_id == task.id)
        .order_by(key, Standing.submitted_at, Standing.id)
        .offset(offset)
    )
    if limit is not None:
        query = query.limit(limit)
    return [BoardRow(rank, *row) for rank, row in enumerate(session.execute(query).all(), offset + 1)]


def board_size(session: Session, contest: Contest, *, task_id: int | None = None) -> int:
    task = get_task(contest, task_id)
    return int(session.scalar(select(func.count(Standing.id)).where(Standing.task_id == task.id)) or 0)


def seconds_left(contest: Contest) -> float | None:
    if contest.deadline is None:
        return None
    return max((contest.deadline - utcnow()) / timedelta(seconds=1), 0.0)
