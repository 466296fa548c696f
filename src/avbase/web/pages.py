"""Pages that belong to no domain: login, language switch, dashboard, component patterns."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import func, select

from avbase.core.accounts import service as accounts
from avbase.core.accounts.models import Organisation, Role, User
from avbase.core.audit import AuditEntry
from avbase.core.errors import AvbaseError
from avbase.core.i18n import LOCALES, N_, _
from avbase.kit.dates import today
from avbase.settings import get_settings
from avbase.web.deps import (
    LOCALE_COOKIE,
    SESSION_COOKIE,
    AuthDep,
    CheckedAuth,
    Db,
    PagePrincipal,
    client_ip,
)
from avbase.web.templating import render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    # Only local paths: an open redirect after login would help phishing.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, auth: AuthDep, next: str | None = None) -> Response:
    if auth.principal is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(request, "login.html", {"next": _safe_next(next), "errors": {}, "username": ""})


@router.post("/login")
def login(
    request: Request,
    db: Db,
    auth: CheckedAuth,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    errors: dict[str, str] = {}
    if not username.strip():
        errors["username"] = _("This field is required.")
    if not password:
        errors["password"] = _("This field is required.")
    if not errors:
        try:
            user = accounts.authenticate(db, username=username, password=password, ip=client_ip(request))
        except AvbaseError as exc:
            errors["form"] = _(exc.message, **exc.params)
            # Keep the failed attempt on record even though the login is refused.
            db.commit()
            return render(
                request,
                "login.html",
                {"next": _safe_next(next), "errors": errors, "username": username},
                status_code=exc.status_code,
            )
        secret = accounts.start_session(
            db, user=user, ip=client_ip(request), user_agent=request.headers.get("user-agent")
        )
        response = RedirectResponse(_safe_next(next), status_code=303)
        settings = get_settings()
        response.set_cookie(
            SESSION_COOKIE,
            secret,
            httponly=True,
            samesite="lax",
            secure=settings.cookies_https_only,
            max_age=settings.session_hours * 3600,
        )
        if user.locale and not request.cookies.get(LOCALE_COOKIE):
            response.set_cookie(LOCALE_COOKIE, user.locale, samesite="lax", max_age=365 * 86400)
        return response
    return render(
        request,
        "login.html",
        {"next": _safe_next(next), "errors": errors, "username": username},
        status_code=422,
    )


@router.post("/logout")
def logout(request: Request, db: Db, principal: PagePrincipal) -> Response:
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        accounts.end_session(db, cookie)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


@router.post("/-/locale")
def switch_locale(
    request: Request,
    db: Db,
    auth: CheckedAuth,
    locale: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/",
) -> Response:
    chosen = locale if locale in LOCALES else get_settings().default_locale
    if auth.user is not None and auth.user.locale != chosen:
        auth.user.locale = chosen
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(LOCALE_COOKIE, chosen, samesite="lax", max_age=365 * 86400)
    return response


# A newcomer's everyday tasks per role, as links on the home page, so nobody has to guess a URL.
ROLE_TASKS: dict[Role, list[tuple[str, str]]] = {
    Role.admin: [(N_("Load or change organisations and users"), "/organisations"),
                 (N_("Watch the jobs"), "/jobs"), (N_("Read the audit log"), "/audit")],
    Role.authority_officer: [(N_("Monitor the industry against the targets"), "/industry"),
                             (N_("Review applications for support"), "/policy/applications"),
                             (N_("Assign responsible units"), "/policy/routes"),
                             (N_("Read and publish the index"), "/industry/index")],
    Role.park_operator: [(N_("See which enterprises have not reported"), "/industry/parks"),
                         (N_("Import the park's reports"), "/industry/imports")],
    Role.enterprise_staff: [(N_("File a statistics report"), "/industry/enterprises"),
                            (N_("Apply for support"), "/policy"),
                            (N_("Upload and search your media"), "/media"),
                            (N_("Settle revenue with partners"), "/chain")],
    Role.reviewer: [(N_("Check programmes in the review queue"), "/review"),
                    (N_("Maintain the sensitive-term packs"), "/review/packs"),
                    (N_("Search the material you may see"), "/search")],
    Role.creator: [(N_("Enter an algorithm contest"), "/ecosystem/contests"),
                   (N_("Publish a dataset, model or app"), "/ecosystem/resources"),
                   (N_("Deposit a script in the exchange"), "/scripts"),
                   (N_("Upload and search your media"), "/media")],
}  # fmt: skip


@router.get("/")
def dashboard(request: Request, db: Db, principal: PagePrincipal) -> Response:
    """The workbench (工作台): what needs the principal today in every module, and their role's figures."""
    from avbase.core import inbox
    from avbase.core.health import platform_health
    from avbase.core.jobs import service as jobs

    on = today()
    items = inbox.collect(db, principal, on=on)
    context: dict[str, object] = {
        "items": items,
        "overdue": sum(1 for item in items if item.urgency is inbox.Urgency.overdue),
        "figures": inbox.figures(db, principal, on=on),
        "today": on,
        "jobs": jobs.recent_jobs(db, principal, limit=6),
        "tasks": ROLE_TASKS.get(principal.role, []),
    }
    if principal.is_admin:
        context["health"] = platform_health(db)
        context["recent_audit"] = list(db.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(8)))
        context["org_count"] = db.scalar(select(func.count()).select_from(Organisation))
        context["user_count"] = db.scalar(select(func.count()).select_from(User))
    return render(request, "dashboard.html", context)


@router.get("/-/patterns")
def patterns(request: Request, principal: PagePrincipal) -> Response:
    """Every UI component on one page, so the style sheet is reviewed as a whole."""
    return render(request, "patterns.html", {"errors": {"name": _("This field is required.")}})
