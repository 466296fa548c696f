"""The server never blocks its event loop: database work runs in the thread pool, so one request waiting for
a lock does not stall the others."""

from __future__ import annotations

import inspect
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from avbase.app import create_app
from avbase.core.db import make_engine
from avbase.web import deps, forms, uploads, validation
from tests.media.synthetic import hevc_clip
from tests.web.conftest import LiveServer

# Coroutines that only read the request (headers, form, body) and touch no database.
REQUEST_READERS = {
    deps.check_csrf,
    deps.page_auth,
    deps.api_auth,
    deps.csrf_checked,
    forms.read_form,
    forms.form_values,
    uploads.request_body,
    validation.reject_nul_characters,
}


def _async_calls(dependant: Dependant) -> Iterator[Any]:
    if dependant.call is not None and (
        inspect.iscoroutinefunction(dependant.call) or inspect.isasyncgenfunction(dependant.call)
    ):
        yield dependant.call
    for child in dependant.dependencies:
        yield from _async_calls(child)


def _api_routes(routes: list[Any]) -> Iterator[APIRoute]:
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif (included := getattr(route, "original_router", None)) is not None:
            yield from _api_routes(included.routes)


def test_no_route_runs_on_the_event_loop() -> None:
    """Every handler is a plain function (FastAPI runs it in the thread pool); the only coroutines in a
    route's dependencies are the request readers above."""
    app = create_app(make_engine("sqlite://"), run_worker=False)
    routes = list(_api_routes(app.routes))
    assert len(routes) > 100
    on_loop = [
        f"{route.path} {call.__qualname__}"
        for route in routes
        for call in _async_calls(route.dependant)
        if call not in REQUEST_READERS
    ]
    assert on_loop == []


def test_an_upload_waiting_for_the_database_lock_does_not_stall_the_server(
    live_server: LiveServer, tmp_path: Path
) -> None:
    base, database, auth = live_server
    clip = hevc_clip(tmp_path / "clip.mp4", transfer="arib-std-b67")
    results: dict[str, int] = {}

    def upload() -> None:
        with httpx.Client(base_url=base, headers=auth, timeout=60) as client, clip.open("rb") as body:
            results["upload"] = client.post("/api/v1/media/assets", files={"file": body}).status_code

    def write() -> None:
        with httpx.Client(base_url=base, headers=auth, timeout=60) as client:
            created = client.post(
                "/api/v1/organisations",
                json={"name": "Beside", "kind": "enterprise", "region_code": "330106"},
            )
            results["write"] = created.status_code

    # Another process holds SQLite's write lock: both requests must wait for it, in the thread pool.
    blocker = sqlite3.connect(database, timeout=1)
    blocker.execute("BEGIN IMMEDIATE")
    workers = [threading.Thread(target=upload), threading.Thread(target=write)]
    for worker in workers:
        worker.start()
    try:
        for worker in workers:
            worker.join(1.0)
        assert all(worker.is_alive() for worker in workers)  # both are waiting for the lock
        with httpx.Client(base_url=base, timeout=3) as client:
            health = client.get("/healthz")  # a blocked event loop would time out here
        assert health.status_code == 200
        assert all(worker.is_alive() for worker in workers)  # the lock was still held meanwhile
    finally:
        blocker.rollback()
        blocker.close()
    for worker in workers:
        worker.join(30)
    assert results == {"upload": 202, "write": 201}
