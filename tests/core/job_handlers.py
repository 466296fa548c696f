"""Job handlers used only by the tests (loaded in worker subprocesses through AVBASE_JOB_MODULES)."""

from __future__ import annotations

import time
from typing import Any

from avbase.core.errors import AvbaseError
from avbase.core.jobs.registry import JobContext, job_handler


@job_handler("test.count")
def count(ctx: JobContext) -> dict[str, Any]:
    """Counts to ``steps``, checkpointing after each step, so a crash resumes where it stopped."""
    steps = int(ctx.payload["steps"])
    start = int(ctx.checkpoint.get("done", 0))
    for step in range(start, steps):
        time.sleep(float(ctx.payload.get("sleep", 0)))
        ctx.save_checkpoint(done=step + 1)
        ctx.progress((step + 1) / steps, f"{step + 1}/{steps}")
    return {"done": steps, "resumed_from": start}


@job_handler("test.bad_input")
def bad_input(ctx: JobContext) -> None:
    raise AvbaseError("The file is not a media file.")


@job_handler("test.flaky")
def flaky(ctx: JobContext) -> dict[str, Any]:
    if ctx.attempt < int(ctx.payload["succeed_on"]):
        raise ConnectionError("storage unreachable")
    return {"attempt": ctx.attempt}
