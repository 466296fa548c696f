"""The FastAPI application: pages, REST API under /api/v1, static files, error handling."""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine, text
from sqlalchemy.exc import DataError
from starlette.exceptions import HTTPException as StarletteHTTPException

from avbase import __version__
from avbase.core.db import get_engine, session_factory
from avbase.core.errors import AvbaseError
from avbase.core.i18n import N_, _
from avbase.settings import get_settings
from avbase.web.deps import LocaleMiddleware, LoginRequired
from avbase.web.limits import DEFAULT_MAX_BODY, ExplainTooLarge
from avbase.web.security import SecurityHeadersMiddleware
from avbase.web.templating import render
from avbase.web.validation import field_errors, reject_nul_characters

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def _error_page(
    request: Request, status: int, message: str, errors: list[dict[str, str]] | None = None
) -> Response:
    return render(
        request,
        "error.html",
        {"status": status, "message": message, "errors": errors or []},
        status_code=status,
    )


def error_response(request: Request, status: int, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message, "errors": []}, status_code=status)
    return _error_page(request, status, message)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, exc: LoginRequired) -> Response:
        target = "/login?next=" + quote(
            str(request.url.path) + ("?" + request.url.query if request.url.query else "")
        )
        if request.headers.get("hx-request") == "true":
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(AvbaseError)
    async def avbase_error(request: Request, exc: AvbaseError) -> Response:
        message = _(exc.message, **exc.params)
        errors = [{"field": exc.field, "message": message}] if exc.field else []
        if _wants_json(request):
            return JSONResponse({"detail": message, "errors": errors}, status_code=exc.status_code)
        return _error_page(request, exc.status_code, message, errors)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        errors = field_errors(exc.errors())
        message = _("Some fields are not valid.")
        if _wants_json(request):
            return JSONResponse({"detail": message, "errors": errors}, status_code=422)
        return _error_page(request, 422, message, errors)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        messages = {
            404: N_("Page not found."),
            405: N_("Method not allowed."),
            413: N_("The upload is too large."),
        }
        message = _(messages.get(exc.status_code, N_("The request could not be handled.")))
        if _wants_json(request):
            return JSONResponse(
                {"detail": message, "errors": []},
                status_code=exc.status_code,
                headers=getattr(exc, "headers", None),
            )
        return _error_page(request, exc.status_code, message)

    @app.exception_handler(OverflowError)
    @app.exception_handler(DataError)
    async def unstorable(request: Request, exc: Exception) -> Response:
        # Only a request's own values reach the database this way (a number beyond its integers, a NUL in a
        # text field of a form a route reads itself): the caller's mistake, told as such, not a 500.
        log.info("refused a value the database cannot store on %s: %s", request.url.path, exc)
        return error_response(
            request, 422, _("A value is out of range or contains characters that cannot be stored.")
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        message = _("Something went wrong on our side. The error has been logged.")
        if _wants_json(request):
            return JSONResponse({"detail": message, "errors": []}, status_code=500)
        return _error_page(request, 500, message)


def create_app(engine: Engine | None = None, *, run_worker: bool | None = None) -> FastAPI:
    settings = get_settings()
    engine = engine or get_engine()
    in_process_worker = settings.worker_in_process if run_worker is None else run_worker

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        from avbase.search.analysis import warm_up

        threading.Thread(target=warm_up, name="avbase-search-warm-up", daemon=True).start()
        stop = None
        if in_process_worker:
            from avbase.core.jobs.worker import start_background_worker

            _threads, stop = start_background_worker(engine)
        yield
        if stop is not None:
            stop.set()

    app = FastAPI(
        title="avbase API",
        version=__version__,
        description="REST API of avbase, the digital base for an audio-visual industry cluster. "
        "Authenticate with `Authorization: Bearer <token>` (create tokens on the account page).",
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        lifespan=lifespan,
        dependencies=[Depends(reject_nul_characters)],
    )
    app.state.engine = engine
    app.state.sessionmaker = session_factory(engine)
    app.add_middleware(
        ExplainTooLarge, explain=lambda request: error_response(request, 413, _("The upload is too large."))
    )
    app.add_middleware(LocaleMiddleware, default=settings.default_locale)
    app.add_middleware(SecurityHeadersMiddleware)
    install_error_handlers(app)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/healthz", tags=["system"], summary="Liveness and database check")
    def healthz() -> dict[str, str]:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__, "database": engine.dialect.name}

    from avbase.chain import api as chain_api
    from avbase.chain import pages as chain_pages
    from avbase.chain import production_web
    from avbase.ecosystem import api as ecosystem_api
    from avbase.ecosystem import pages as ecosystem_pages
    from avbase.industry import api as industry_api
    from avbase.industry import pages as industry_pages
    from avbase.media import api as media_api
    from avbase.media import pages as media_pages
    from avbase.policy import api as policy_api
    from avbase.policy import pages as policy_pages
    from avbase.review import api as review_api
    from avbase.review import pages as review_pages
    from avbase.rights import api as rights_api
    from avbase.rights import pages as rights_pages
    from avbase.search import api as search_api
    from avbase.search import pages as search_pages
    from avbase.web import accounts_api, accounts_pages, audit_api, audit_pages, jobs_api, jobs_pages
    from avbase.web import inbox as inbox_pages
    from avbase.web import pages as core_pages

    page_routers = (
        core_pages.router,
        inbox_pages.router,
        accounts_pages.router,
        jobs_pages.router,
        audit_pages.router,
        industry_pages.router,
        policy_pages.router,
        media_pages.router,
        search_pages.router,
        *production_web.page_routers(),
        chain_pages.router,
        ecosystem_pages.router,
        review_pages.router,
        rights_pages.router,
    )
    for router in page_routers:
        app.include_router(router, include_in_schema=False, max_body_size=DEFAULT_MAX_BODY)
    for router in (
        accounts_api.router,
        inbox_pages.api_router,
        jobs_api.router,
        audit_api.router,
        industry_api.router,
        policy_api.router,
        media_api.router,
        search_api.router,
        *production_web.api_routers(),
        chain_api.router,
        ecosystem_api.router,
        review_api.router,
        rights_api.router,
    ):
        app.include_router(router, prefix="/api/v1", max_body_size=DEFAULT_MAX_BODY)
    return app
