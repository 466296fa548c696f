"""Contests: scoring as a job on a fixed public/private split, daily limits, teams, failed runs,
leaderboards; on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from avbase.core import storage
from avbase.core.accounts.models import Organisation, OrgKind, Role, User
from avbase.core.accounts.principal import Principal
from avbase.core.errors import Conflict, Forbidden, RateLimited
from avbase.core.jobs import Job, JobState
from avbase.core.jobs.worker import Worker
from avbase.ecosystem import contests
from avbase.ecosystem.metrics import Malformed
from avbase.ecosystem.models import Contest, Submission

# Four videos with one cut each at 1 s (25 fps).
TRUTH = {"videos": {name: {"fps": 25, "cuts": [1.0]} for name in "abcd"}}


def as_bytes(data: Any) -> bytes:
    return json.dumps(data).encode()


def cuts(found: dict[str, list[float]]) -> bytes:
    return as_bytes({"videos": {name: {"cuts": times} for name, times in found.items()}})


@pytest.fixture
def officer(make_org: Callable[..., Organisation], make_user: Callable[..., User]) -> Principal:
    return Principal.of(
        make_user(role=Role.authority_officer, org=make_org(kind=OrgKind.authority, region_code="430000"))
    )


def make_contest(
    db: Session, officer: Principal, *, metric: str = "shot-f1", truth: Any = TRUTH, limit: int = 3
) -> Contest:
    contest = contests.create_contest(
        db, officer, title="马栏山杯 镜头分割", metric=metric, truth=as_bytes(truth), truth_name="truth.json",
        public_share=0.5, daily_limit=limit,
    )  # fmt: skip
    db.commit()
    return contest


def person(make_user: Callable[..., User], role: Role = Role.creator) -> Principal:
    return Principal.of(make_user(role=role))


def test_a_submission_is_scored_by_a_job_and_the_private_score_shows_after_closing(
    db: Session, clean_engine: Engine, officer: Principal, make_user: Callable[..., User]
) -> None:
    contest = make_contest(db, officer)
    task = contest.tasks[0]
    public = contests.public_items(task, list("abcd"))
    assert len(public) == 2 and contests.public_items(task, list("dcba")) == public  # fixed for the contest
    creator = person(make_user)
    submission = contests.submit(
        db, creator, contest.id, data=cuts({"a": [1.0], "b": [1.04]}), file_name="p.json"
    )
    db.commit()
    assert contests.state_of(db, submission) == "scoring"
    assert Worker(clean_engine).run_until_idle() >= 1
    db.expire_all()
    # Found cuts in a and b only (each a hit); on the public part, true 2, found h, hits h: F1 2h/(2+h).
    hits = len(public & {"a", "b"})
    assert submission.public_score == pytest.approx(2 * hits / (2 + hits))
    private_hits = 2 - hits
    assert submission.private_score == pytest.approx(2 * private_hits / (2 + private_hits))
    board = contests.leaderboard(db, contest)
    assert [(row.rank, row.participant, row.score) for row in board] == [
        (1, "Test User", submission.public_score)
    ]
    with pytest.raises(Conflict):
        contests.leaderboard(db, contest, private=True)
    with pytest.raises(Forbidden):
        contests.close_contest(db, creator, contest.id)
    contests.close_contest(db, officer, contest.id)
    db.commit()
    assert contests.leaderboard(db, contest, private=True)[0].score == submission.private_score
    with pytest.raises(Conflict):
        contests.submit(db, creator, contest.id, data=cuts({"a": [1.0]}), file_name="late.json")


def test_a_malformed_file_uses_no_try_and_the_daily_limit_refuses_the_next(
    db: Session, officer: Principal, make_user: Callable[..., User]
) -> None:
    contest = make_contest(db, officer, limit=2)
    creator = person(make_user)
    with pytest.raises(Malformed) as refused:
        contests.submit(
            db, creator, contest.id, data=b'{"videos": {"a": {"cuts": [1, "x"]}}}', file_name="bad.json"
        )
    assert refused.value.field == 'videos["a"].cuts[1]'
    db.rollback()
    assert db.scalar(select(func.count(Submission.id))) == 0
    for n in range(2):
        contests.submit(db, creator, contest.id, data=cuts({"a": [n]}), file_name=f"{n}.json")
        db.commit()
    with pytest.raises(RateLimited) as limited:
        contests.submit(db, creator, contest.id, data=cuts({"a": [3.0]}), file_name="3.json")
    assert limited.value.params["limit"] == 2
    # Someone else has their own tries.
    contests.submit(db, person(make_user), contest.id, data=cuts({"a": [3.0]}), file_name="3.json")


def test_a_failed_scoring_run_is_retried_never_counted_and_shown_to_organisers(
    db: Session, clean_engine: Engine, officer: Principal, make_user: Callable[..., User]
) -> None:
    contest = make_contest(db, officer, limit=1)
    creator = person(make_user)
    data = cuts({"c": [1.0], "d": [0.96]})
    submission = contests.submit(db, creator, contest.id, data=data, file_name="p.json")
    db.commit()
    storage.path_of(submission.file_sha256).unlink()  # the stored file is lost: every attempt fails
    Worker(clean_engine).run_until_idle()
    db.expire_all()
    job = db.get(Job, submission.job_id)
    assert job is not None and job.state is JobState.failed and job.attempts == job.max_attempts == 3
    assert contests.state_of(db, submission) == "failed"
    task = contest.tasks[0]
    assert contests.tries_today(db, task, f"user:{creator.user_id}") == 0
    assert [s.id for s, _ in contests.failures(db, officer, contest)] == [submission.id]
    from avbase.core import inbox
    from avbase.kit.dates import today

    kinds = [item.kind for item in inbox.collect(db, officer, on=today())]
    assert "ecosystem.scoring_failed" in kinds
    assert "ecosystem.scoring_failed" not in [i.kind for i in inbox.collect(db, creator, on=today())]
    with pytest.raises(Forbidden):
        contests.failures(db, creator, contest)
    with pytest.raises(Forbidden):
        contests.retry_scoring(db, creator, submission.id)
    # The organiser restores the file and scores it again; the participant's try is spent only now.
    storage.path_of(submission.file_sha256).parent.mkdir(parents=True, exist_ok=True)
    storage.path_of(submission.file_sha256).write_bytes(data)
    contests.retry_scoring(db, officer, submission.id)
    db.commit()
    Worker(clean_engine).run_until_idle()
    db.expire_all()
    assert contests.state_of(db, submission) == "scored" and contests.failures(db, officer, contest) == []
    assert contests.tries_today(db, task, f"user:{creator.user_id}") == 1


def test_a_team_shares_one_limit_and_one_row_and_the_board_follows_the_metric_direction(
    db: Session, clean_engine: Engine, officer: Principal, make_user: Callable[..., User]
) -> None:
    truth = {"clips": {name: {"loudness": -23.0} for name in "abcd"}}
    contest = make_contest(db, officer, metric="loudness-mae", truth=truth, limit=2)
    first, second, solo = person(make_user), person(make_user), person(make_user)
    team = contests.create_team(db, first, contest.id, "芒果算法队")
    contests.join_team(db, second, team.id)
    db.commit()

    def clips(value: float) -> bytes:
        return as_bytes({"clips": {name: {"loudness": value} for name in "abcd"}})

    contests.submit(db, first, contest.id, data=clips(-24.0), file_name="1.json")  # MAE 1 LU
    contests.submit(db, second, contest.id, data=clips(-23.5), file_name="2.json")  # MAE 0.5 LU
    db.commit()
    with pytest.raises(RateLimited):
        contests.submit(db, second, contest.id, data=clips(-23.0), file_name="3.json")
    db.rollback()
    contests.submit(db, solo, contest.id, data=clips(-26.0), file_name="s.json")  # MAE 3 LU
    db.commit()
    Worker(clean_engine).run_until_idle()
    board = contests.leaderboard(db, contest)
    assert [(row.rank, row.participant, row.score, row.entries) for row in board] == [
        (1, "芒果算法队", 0.5, 2),
        (2, "Test User", 3.0, 1),
    ]
    with pytest.raises(Conflict):
        contests.join_team(db, solo, team.id)  # already submitted alone
