"""Durable background jobs stored in the database, run by ``avbase worker`` or the in-process worker."""

from avbase.core.jobs.models import Job, JobState
from avbase.core.jobs.registry import JobCancelled, JobContext, job_handler
from avbase.core.jobs.service import cancel_job, enqueue, get_job, list_jobs, pending

__all__ = [
    "Job",
    "JobCancelled",
    "JobContext",
    "JobState",
    "cancel_job",
    "enqueue",
    "get_job",
    "job_handler",
    "list_jobs",
    "pending",
]
