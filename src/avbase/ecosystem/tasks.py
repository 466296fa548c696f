"""Jobs of the ecosystem: scoring a contest submission."""

from __future__ import annotations

from typing import Any

from avbase.core.db import session_scope
from avbase.core.jobs import JobContext, job_handler
from avbase.ecosystem.contests import SCORE_JOB, code_run, score_submission


@job_handler(SCORE_JOB)
def score(context: JobContext) -> dict[str, Any]:
    """Scores in one transaction: a run that dies half-way leaves nothing, and the worker runs it again.
    A code submission's code runs before it, outside any transaction (it may take a minute); a failure to
    start it is ours and the job's (retried), whatever the code itself does is the participant's."""
    submission_id = int(context.payload["submission"])
    context.progress(0.1, "reading the submission")
    with session_scope(context.engine) as session:
        run = code_run(session, submission_id)
    outcome = None
    if run is not None:
        context.progress(0.2, "running the code")
        outcome = run.execute()
    with session_scope(context.engine) as session:
        submission = score_submission(session, submission_id, outcome)
        result = {
            "submission": submission.id,
            "public_score": submission.public_score,
            "failure": submission.failure,
        }
    context.progress(1.0, "scored")
    return result
