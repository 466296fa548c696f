"""Where the work of an analysis step runs. ``local`` (the default) runs it in the worker process; ``ray``
sends it to a Ray cluster (``ray_address``; empty starts a local Ray instance) and waits for the result. The
step functions are pure and their results plain data, so both give the same answer. On a cluster every
node must see ``var_dir`` at the same path (a shared file system), since steps read the stored file and
write derived files there."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from avbase.settings import get_settings

T = TypeVar("T")
I = TypeVar("I")  # noqa: E741


def run_step(work: Callable[[I], T], given: I) -> T:
    settings = get_settings()
    if settings.executor == "ray":
        return _on_ray(work, given, settings.ray_address)
    return work(given)


def _on_ray(work: Callable[[I], T], given: I, address: str) -> T:
    import ray  # imported late: only clusters need it

    if not ray.is_initialized():
        ray.init(address=address or None, include_dashboard=False, log_to_driver=False)
    remote: Any = ray.remote(_call)
    result: T = ray.get(remote.remote(work, given))
    return result


def _call(work: Callable[[I], T], given: I) -> T:
    return work(given)
