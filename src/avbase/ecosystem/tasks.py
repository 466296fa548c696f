"""Jobs of the ecosystem: scoring a contest submission."""

from __future__ import annotations

from typing import Any

from avbase.core.db import session_scope
from avbase.core.jobs import JobContext, job_handler
from avbase.ecosystem.contests import SCORE_JOB, score_submission


@job_handler(SCORE_JOB)
def score(context: JobContext) -> dict[str, Any]:
    """Scores in one transaction: a run that dies half-way leaves nothing, and the worker runs it again."""
    context.progress(0.1, "reading the submission")
    with session_scope(context.engine) as session:
        submission = score_submission(session, int(context.payload["submission"]))
        result = {"submission": submission.id, "public_score": submission.public_score}
    context.progress(1.0, "scored")
    return result
