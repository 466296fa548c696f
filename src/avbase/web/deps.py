"""Request dependencies: database session, who is asking, CSRF, locale."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.types import ASGIApp, Receive, Scope, Send

from avbase.core.accounts import service as accounts
from avbase.core.accounts.models import Role, User, WebSession
from avbase.core.accounts.principal import Principal
from avbase.core.audit import Actor
from avbase.core.errors import AvbaseError, Forbidden, Unauthenticated
from avbase.core.i18n import negotiate, reset_locale, set_locale

SESSION_COOKIE = "avbase_session"
CSRF_COOKIE = "avbase_csrf"
LOCALE_COOKIE = "avbase_locale"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class LoginRequired(AvbaseError):
    """A page needs a signed-in user; answered with a redirect to the login page."""

    status_code = 401


class CsrfFailed(AvbaseError):
    status_code = 403


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def get_db(request: Request) -> Iterator[Session]:
    """One session per request, committed when the handler returns, rolled back when it raises."""
    session: Session = request.app.state.sessionmaker()
    session.info["actor"] = Actor(name="anonymous", ip=client_ip(request))
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


Db = Annotated[Session, Depends(get_db, scope="function")]


@dataclass
class Auth:
    """Who made the request. ``user`` is live in the request's session; the rest are plain values that stay
    readable after the session closes (error pages render then)."""

    user: User | None
    principal: Principal | None
    csrf_token: str | None
    via: str | None  # "session", "token" or None
    credential: accounts.Credential  # which session or token, by id


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def get_auth(request: Request, db: Db) -> Auth:
    user: User | None = None
    web_session: WebSession | None = None
    via: str | None = None
    credential = accounts.Credential()
    token = _bearer(request)
    if token:
        found = accounts.resolve_api_token(db, token)
        if found is None:
            raise Unauthenticated("The API token is not valid.")
        user, api_token = found
        via, credential = "token", accounts.Credential(token_id=api_token.id)
    elif cookie := request.cookies.get(SESSION_COOKIE):
        resolved = accounts.resolve_session(db, cookie)
        if resolved:
            user, web_session = resolved
            via, credential = "session", accounts.Credential(session_id=web_session.id)
    principal = Principal.of(user) if user else None
    if user is not None:
        db.info["actor"] = Actor(name=user.username, user_id=user.id, ip=client_ip(request))
    auth = Auth(user, principal, web_session.csrf_token if web_session else None, via, credential)
    request.state.auth = auth
    return auth


AuthDep = Annotated[Auth, Depends(get_auth)]


def anonymous_csrf_token(request: Request) -> str:
    """Double-submit token for forms shown before login (login, language switch)."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token:
        token = getattr(request.state, "new_csrf", None) or secrets.token_urlsafe(24)
        request.state.new_csrf = token
    return token


async def check_csrf(request: Request, auth: Auth) -> None:
    """Cookie-authenticated writes must echo the CSRF token in a header (htmx) or form field."""
    if request.method not in UNSAFE_METHODS or auth.via == "token":
        return
    sent = request.headers.get("x-csrf-token")
    if sent is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        sent = value if isinstance(value, str) else None
    expected = auth.csrf_token or request.cookies.get(CSRF_COOKIE)
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfFailed("The form has expired. Reload the page and try again.")


async def page_auth(request: Request, auth: AuthDep) -> Principal:
    """Pages: a signed-in principal, or a redirect to login; and CSRF on writes."""
    if auth.principal is None:
        raise LoginRequired("Please sign in.")
    await check_csrf(request, auth)
    return auth.principal


async def api_auth(request: Request, auth: AuthDep) -> Principal:
    if auth.principal is None:
        raise Unauthenticated("Authentication required: send a Bearer token or sign in.")
    await check_csrf(request, auth)
    return auth.principal


async def csrf_checked(request: Request, auth: AuthDep) -> Auth:
    """Forms shown before login (login, language switch): the double-submit CSRF check, and who is asking."""
    await check_csrf(request, auth)
    return auth


CheckedAuth = Annotated[Auth, Depends(csrf_checked)]
PagePrincipal = Annotated[Principal, Depends(page_auth)]
ApiPrincipal = Annotated[Principal, Depends(api_auth)]


def require_roles(principal: Principal, *roles: Role) -> None:
    if principal.role not in roles:
        raise Forbidden("You do not have permission for this page.")


class LocaleMiddleware:
    """Sets the request's locale: ?lang=, then the locale cookie, then Accept-Language."""

    def __init__(self, app: ASGIApp, default: str) -> None:
        self.app = app
        self.default = default

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        locale = negotiate(
            requested=request.query_params.get("lang"),
            stored=request.cookies.get(LOCALE_COOKIE),
            accept_language=request.headers.get("accept-language"),
            default=self.default,
        )
        token = set_locale(locale)
        scope.setdefault("state", {})["locale"] = locale
        try:
            await self.app(scope, receive, send)
        finally:
            reset_locale(token)
