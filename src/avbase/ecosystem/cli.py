"""``avbase contest …``: algorithm contests from the command line.

``submit`` scores the file at once (the scoring job runs in this process) and prints the public score; it
exits 2 on a malformed file or past the daily limit, with the reason, and 1 when scoring failed.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from avbase.core.db import get_engine, session_scope
from avbase.core.errors import AvbaseError
from avbase.core.i18n import N_, _
from avbase.ecosystem import contests
from avbase.ecosystem.models import Contest, Submission
from avbase.kit.output import emit_json, emit_table

contest_app = typer.Typer(help="Algorithm contests (马栏山杯).", no_args_is_help=True)
Json = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
AsUser = Annotated[
    str | None, typer.Option("--as", help="Act as this user (default: the platform operator).")
]


def contest_json(contest: Contest) -> dict[str, Any]:
    return {
        "id": contest.id,
        "title": contest.title,
        "state": contest.state.value,
        "deadline": contest.deadline.isoformat() if contest.deadline else None,
        "daily_limit": contest.daily_limit,
        "tasks": [
            {
                "id": task.id,
                "title": task.title,
                "metric": task.metric,
                "items": task.items,
                "public_share": task.public_share,
                "accepts_code": task.accepts_code,
            }
            for task in contest.tasks
        ],
    }


def submission_json(session: Any, submission: Submission, *, closed: bool) -> dict[str, Any]:
    return {
        "id": submission.id,
        "task": submission.task_id,
        "participant": submission.participant,
        "state": contests.state_of(session, submission),
        "public_score": submission.public_score,
        "private_score": submission.private_score if closed else None,
        "job": submission.job_id,
        "code": submission.code,
        "failure": contests.failure_text(submission.failure, _) if submission.failure else None,
        "created_at": submission.created_at.isoformat(),
    }


@contest_app.command("create")
def create_command(
    title: Annotated[str, typer.Option(help="The contest's title.")],
    metric: Annotated[str, typer.Option(help="shot-f1, copy-segment-f1, ocr-cer, loudness-mae, …")],
    truth: Annotated[
        Path, typer.Option(exists=True, dir_okay=False, readable=True, help="Hidden truth (JSON).")
    ],
    public_share: Annotated[
        float, typer.Option(help="Share of test items scored on the public board.")
    ] = 0.5,
    daily_limit: Annotated[int, typer.Option(help="Scored submissions per participant a day.")] = 3,
    deadline: Annotated[
        datetime | None, typer.Option(help="Last moment for submissions (UTC, ISO 8601).")
    ] = None,
    inputs: Annotated[
        Path | None,
        typer.Option(
            exists=True,
            dir_okay=False,
            readable=True,
            help="Hidden test inputs (JSON) handed to code submissions' predict(inputs); with them the "
            "task accepts code.",
        ),
    ] = None,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Create a contest with one task."""
    from datetime import UTC

    from avbase.industry.cli import principal_for

    with session_scope(get_engine()) as session:
        principal = principal_for(session, as_user)
        contest = contests.create_contest(
            session,
            principal,
            title=title,
            metric=metric,
            truth=truth.read_bytes(),
            truth_name=truth.name,
            public_share=public_share,
            daily_limit=daily_limit,
            deadline=deadline.replace(tzinfo=deadline.tzinfo or UTC) if deadline else None,
            inputs=inputs.read_bytes() if inputs else None,
            inputs_name=inputs.name if inputs else "inputs.json",
        )
        out = contest_json(contest)
    if json_out:
        emit_json(out)
    else:
        typer.echo(_("Contest #{id} created: {title}.", id=out["id"], title=out["title"]))


@contest_app.command("submit")
def submit_command(
    contest_id: Annotated[int, typer.Argument(help="The contest's id.")],
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    task: Annotated[int | None, typer.Option(help="The task (default: the contest's first).")] = None,
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Submit a prediction file, or code (.py, or .zip with main.py) where the task accepts it; it is
    scored (run) here and its public score printed."""
    from avbase.core.jobs.worker import Worker
    from avbase.industry.cli import principal_for

    engine = get_engine()
    with session_scope(engine) as session:
        principal = principal_for(session, as_user)
        submission = contests.submit(
            session, principal, contest_id, data=file.read_bytes(), file_name=file.name, task_id=task
        )
        submission_id, job_id = submission.id, submission.job_id
    Worker(engine).run_until_idle(only=job_id)
    with session_scope(engine) as session:
        found = session.get(Submission, submission_id)
        assert found is not None
        out = submission_json(session, found, closed=False)
    if out["state"] == "code_failed":
        raise AvbaseError(N_("{failure} This submission used a try."), failure=out["failure"])
    if out["state"] != "scored":
        raise AvbaseError(N_("Scoring failed; the organisers see why. This submission uses no try."))
    if json_out:
        emit_json(out)
    else:
        typer.echo(_("Submission #{id}: public score {score:.4f}.", id=out["id"], score=out["public_score"]))


@contest_app.command("close")
def close_command(
    contest_id: Annotated[int, typer.Argument(help="The contest's id.")],
    as_user: AsUser = None,
    json_out: Json = False,
) -> None:
    """Close the contest: no more submissions; the private scores and final leaderboard are shown."""
    from avbase.industry.cli import principal_for

    with session_scope(get_engine()) as session:
        contest = contests.close_contest(session, principal_for(session, as_user), contest_id)
        out = contest_json(contest)
    emit_json(out) if json_out else typer.echo(_("Contest #{id} is closed.", id=contest_id))


@contest_app.command("leaderboard")
def leaderboard_command(
    contest_id: Annotated[int, typer.Argument(help="The contest's id.")],
    private: Annotated[bool, typer.Option("--private", help="The final board (once closed).")] = False,
    task: Annotated[int | None, typer.Option(help="The task (default: the contest's first).")] = None,
    json_out: Json = False,
) -> None:
    """The leaderboard: each participant's best submission by public score (or its private score)."""
    with session_scope(get_engine()) as session:
        contest = contests.get_contest(session, contest_id)
        rows = contests.leaderboard(session, contest, task_id=task, private=private)
        title = contest.title
    if json_out:
        emit_json({"contest": contest_id, "private": private, "rows": [row.to_json() for row in rows]})
        return
    emit_table(
        _("Leaderboard of {title}", title=title),
        [_("Rank"), _("Participant"), _("Score"), _("Entries")],
        [
            [row.rank, row.participant, "—" if row.score is None else f"{row.score:.4f}", row.entries]
            for row in rows
        ],
    )


@contest_app.command("list")
def list_command(json_out: Json = False) -> None:
    """Every contest, the open ones first."""
    with session_scope(get_engine()) as session:
        out = [contest_json(contest) for contest in contests.list_contests(session)]
    if json_out:
        emit_json(out)
        return
    emit_table(
        _("Contests"),
        [_("Contest"), _("Title"), _("State"), _("Metric")],
        [[c["id"], c["title"], c["state"], ", ".join(t["metric"] for t in c["tasks"])] for c in out],
    )
