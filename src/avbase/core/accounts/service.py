"""Accounts logic: login, sessions, tokens, organisations and users. No HTTP, no commit."""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, delete, func, select, update
from sqlalchemy.orm import Session

from avbase.core import audit
from avbase.core.accounts.models import ApiToken, LoginAttempt, Organisation, User, WebSession
from avbase.core.accounts.passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from avbase.core.accounts.principal import Principal
from avbase.core.accounts.schemas import OrganisationIn, OrganisationPatch, TokenIn, UserIn, UserPatch
from avbase.core.db import utcnow
from avbase.core.errors import Conflict, Forbidden, NotFound, RateLimited, Unauthenticated
from avbase.kit.pagination import Page, PageRequest, paginate
from avbase.settings import get_settings

TOKEN_PREFIX = "avb_"  # noqa: S105 (a prefix, not a secret)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


# --- login and sessions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Throttle:
    """Failures of one key allowed before waiting, and the waits after: ``first_wait`` seconds, doubling with
    each further failure, at most ``longest_wait``."""

    free_failures: int
    first_wait: float
    longest_wait: float

    def wait(self, failures: int) -> float:
        if failures < self.free_failures:
            return 0.0
        return min(self.first_wait * 2.0 ** (failures - self.free_failures), self.longest_wait)


def _failures(session: Session, *conditions: Any) -> tuple[int, datetime | None]:
    """Failed logins matching ``conditions`` in the window, since the last success that matches them."""
    since = utcnow() - timedelta(minutes=get_settings().login_window_minutes)
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(*conditions, LoginAttempt.succeeded.is_(True))
    )
    if last_success is not None and last_success > since:
        since = last_success
    count, last = session.execute(
        select(func.count(), func.max(LoginAttempt.at)).where(
            *conditions, LoginAttempt.succeeded.is_(False), LoginAttempt.at > since
        )
    ).one()
    return count or 0, last


def _wait_before_login(session: Session, *, username: str, ip: str | None) -> float:
    """Seconds this client must wait before it may try this account again (0: now).

    Failures are counted per account and client, per client across accounts, and per account across
    clients, each with growing waits rather than a lock: someone guessing a password from one address slows
    down only themselves, and the account's owner, from their own address, is never locked out."""
    settings = get_settings()
    window = settings.login_window_minutes * 60.0
    allowed = settings.login_max_failures
    keys: list[tuple[tuple[Any, ...], Throttle]] = [
        ((LoginAttempt.username == username, LoginAttempt.ip == ip), Throttle(allowed, 15.0, window)),
        ((LoginAttempt.ip == ip,), Throttle(allowed * 4, 15.0, window)),
        # Many clients against one account: short waits only, which its owner can sit out.
        ((LoginAttempt.username == username,), Throttle(allowed * 10, 1.0, 30.0)),
    ]
    longest = 0.0
    now = utcnow()
    for conditions, throttle in keys:
        if ip is None and len(conditions) == 2:
            continue
        count, last = _failures(session, *conditions)
        if last is not None and (wait := throttle.wait(count)):
            longest = max(longest, wait - (now - last).total_seconds())
    return max(0.0, longest)


def authenticate(session: Session, *, username: str, password: str, ip: str | None) -> User:
    """Check a password login. After repeated failures the client waits longer before each try
    (see :func:`_wait_before_login`)."""
    username = username.strip().lower()
    wait = _wait_before_login(session, username=username, ip=ip)
    if wait > 0:
        raise RateLimited("Too many failed logins. Try again in {seconds} seconds.", seconds=math.ceil(wait))
    user = session.scalar(select(User).where(User.username == username))
    ok = verify_password(user.password_hash if user else DUMMY_HASH, password)
    ok = ok and user is not None and user.is_active
    session.add(LoginAttempt(username=username, ip=ip, succeeded=ok))
    if not ok or user is None:
        audit.record(
            session,
            action="login_failed",
            entity_type="users",
            note=username,
            actor=audit.Actor(name=username, ip=ip),
        )
        raise Unauthenticated("Wrong username or password.")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    audit.record(
        session,
        action="login",
        entity_type="users",
        entity_id=user.id,
        org_id=user.org_id,
        actor=audit.Actor(name=user.username, user_id=user.id, ip=ip),
    )
    return user


def start_session(session: Session, *, user: User, ip: str | None, user_agent: str | None) -> str:
    """Create a web session; returns the cookie secret (only its hash is stored)."""
    secret = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            token_hash=_digest(secret),
            csrf_token=secrets.token_urlsafe(24),
            user_id=user.id,
            expires_at=utcnow() + timedelta(hours=get_settings().session_hours),
            ip=ip,
            user_agent=(user_agent or "")[:300],
        )
    )
    return secret


def resolve_session(session: Session, secret: str) -> tuple[User, WebSession] | None:
    # One round trip: the session, its user and (joined eagerly) the user's organisation.
    row = session.execute(
        select(WebSession, User)
        .join(User, User.id == WebSession.user_id)
        .where(WebSession.token_hash == _digest(secret))
    ).first()
    if row is None:
        return None
    web_session, user = row
    if web_session.expires_at <= utcnow() or not user.is_active:
        return None
    return user, web_session


def end_session(session: Session, secret: str) -> None:
    web_session = session.scalar(select(WebSession).where(WebSession.token_hash == _digest(secret)))
    if web_session is not None:
        audit.record(session, action="logout", entity_type="users", entity_id=web_session.user_id)
        session.delete(web_session)


# --- API tokens ---------------------------------------------------------------------------------------


def create_api_token(session: Session, *, user: User, data: TokenIn) -> tuple[str, ApiToken]:
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user_id=user.id,
        name=data.name,
        token_hash=_digest(secret),
        prefix=secret[:12],
        expires_at=utcnow() + timedelta(days=data.expires_days) if data.expires_days else None,
    )
    session.add(token)
    session.flush()
    return secret, token


def resolve_api_token(session: Session, secret: str) -> tuple[User, ApiToken] | None:
    row = session.execute(
        select(ApiToken, User)
        .join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == _digest(secret))
    ).first()
    if row is None:
        return None
    token, user = row
    now = utcnow()
    if token.revoked_at is not None or (token.expires_at and token.expires_at <= now) or not user.is_active:
        return None
    # At most one write a minute per token: a write on every API request would serialise readers on SQLite.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        token.last_used_at = now
    return user, token


def list_api_tokens(session: Session, *, user_id: int) -> list[ApiToken]:
    return list(
        session.scalars(select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc()))
    )


def revoke_api_token(session: Session, *, user_id: int, token_id: int) -> ApiToken:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        raise NotFound("Token not found.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
    return token


# --- organisations ------------------------------------------------------------------------------------

ORG_SORTS = {
    "name": Organisation.name,
    "kind": Organisation.kind,
    "region_code": Organisation.region_code,
    "created_at": Organisation.created_at,
}


def organisations_query(
    principal: Principal, *, search: str | None = None, kind: str | None = None
) -> Select[Organisation]:
    stmt = select(Organisation).where(principal.visible_orgs())
    if search:
        stmt = stmt.where(Organisation.name.contains(search.strip()))
    if kind:
        stmt = stmt.where(Organisation.kind == kind)
    return stmt


def list_organisations(
    session: Session,
    principal: Principal,
    request: PageRequest,
    *,
    search: str | None = None,
    kind: str | None = None,
) -> Page[Organisation]:
    stmt = organisations_query(principal, search=search, kind=kind)
    return paginate(session, stmt, request, ORG_SORTS, Organisation.id)


def organisation_names(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Names for display of organisations already known to be visible (one query)."""
    wanted = set(ids)
    if not wanted:
        return {}
    rows = session.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted)))
    return {int(org_id): str(name) for org_id, name in rows}


def get_organisation(session: Session, principal: Principal, org_id: int) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None or not principal.can_read(org):
        raise NotFound("Organisation not found.")
    return org


def _check_org_unique(session: Session, name: str, exclude_id: int | None = None) -> None:
    stmt = select(Organisation.id).where(Organisation.name == name)
    if exclude_id is not None:
        stmt = stmt.where(Organisation.id != exclude_id)
    if session.scalar(stmt) is not None:
        raise Conflict("An organisation with this name already exists.", field="name")


def _check_manager(session: Session, principal: Principal, manager_id: int | None) -> None:
    if manager_id is None:
        return
    manager = session.get(Organisation, manager_id)
    if manager is None or not principal.can_read(manager):
        raise NotFound("Organisation not found.", field="managed_by_id")


def create_organisation(session: Session, principal: Principal, data: OrganisationIn) -> Organisation:
    if not (principal.is_admin or principal.is_authority):
        raise Forbidden("Only administrators and authority officers can register organisations.")
    org = Organisation(**data.model_dump())
    if not principal.can_read(org):
        raise Forbidden("The region is outside your jurisdiction.", field="region_code")
    _check_org_unique(session, data.name)
    _check_manager(session, principal, data.managed_by_id)
    session.add(org)
    session.flush()
    return org


def update_organisation(
    session: Session, principal: Principal, org_id: int, data: OrganisationPatch
) -> Organisation:
    org = get_organisation(session, principal, org_id)
    if not principal.can_edit(org):
        raise Forbidden("You may not change this organisation.")
    changes = data.model_dump(exclude_unset=True)
    # Kind, region and manager decide who sees the organisation; only its overseers change them.
    if not (principal.is_admin or principal.is_authority):
        for field in ("kind", "region_code", "managed_by_id"):
            if field in changes and changes[field] != getattr(org, field):
                raise Forbidden(
                    "Only administrators and authority officers can change this field.", field=field
                )
    if "name" in changes and changes["name"] is None:
        del changes["name"]
    if changes.get("name"):
        _check_org_unique(session, changes["name"], exclude_id=org.id)
    _check_manager(session, principal, changes.get("managed_by_id"))
    for key, value in changes.items():
        if key in ("kind", "region_code") and value is None:
            continue
        setattr(org, key, value)
    if not principal.can_read(org):
        raise Forbidden("The region is outside your jurisdiction.", field="region_code")
    session.flush()
    return org


def delete_organisation(session: Session, principal: Principal, org_id: int) -> None:
    if not principal.is_admin:
        raise Forbidden("Only administrators can delete organisations.")
    org = get_organisation(session, principal, org_id)
    if session.scalar(select(func.count()).where(User.org_id == org.id)):
        raise Conflict("The organisation still has users; move or delete them first.")
    session.delete(org)
    session.flush()


# --- users --------------------------------------------------------------------------------------------

USER_SORTS = {
    "username": User.username,
    "display_name": User.display_name,
    "role": User.role,
    "last_login_at": User.last_login_at,
    "created_at": User.created_at,
}


def list_users(
    session: Session,
    principal: Principal,
    request: PageRequest,
    *,
    search: str | None = None,
    role: str | None = None,
) -> Page[User]:
    stmt = select(User).where(User.org_id.in_(principal.visible_org_ids()))
    if search:
        stmt = stmt.where(User.username.contains(search.strip().lower()) | User.display_name.contains(search))
    if role:
        stmt = stmt.where(User.role == role)
    return paginate(session, stmt, request, USER_SORTS, User.id)


def get_user(session: Session, principal: Principal, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None or not principal.can_read(user.organisation):
        raise NotFound("User not found.")
    return user


def create_user(session: Session, principal: Principal | None, data: UserIn) -> User:
    """Create a user. ``principal`` None means the operator's console (CLI, demo), which may do anything."""
    if principal is not None and not principal.is_admin:
        raise Forbidden("Only administrators can add users.")
    username = data.username.lower()
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("This username is taken.", field="username")
    if session.get(Organisation, data.org_id) is None:
        raise NotFound("Organisation not found.", field="org_id")
    user = User(
        username=username,
        display_name=data.display_name,
        email=data.email,
        password_hash=hash_password(data.password),
        role=data.role,
        org_id=data.org_id,
        locale=data.locale,
    )
    session.add(user)
    session.flush()
    return user


SELF_SERVICE_FIELDS = {"display_name", "email", "password", "current_password"}


@dataclass(frozen=True)
class Credential:
    """The web session or API token a request came with: a password change keeps it and ends the rest."""

    session_id: int | None = None
    token_id: int | None = None


def set_password(session: Session, user: User, password: str, *, keeping: Credential = Credential()) -> None:
    """A new password ends every other web session of the user and revokes their other API tokens: whoever
    held the old password, or a token made with it, is out."""
    user.password_hash = hash_password(password)
    others = delete(WebSession).where(WebSession.user_id == user.id)
    if keeping.session_id is not None:
        others = others.where(WebSession.id != keeping.session_id)
    ended = session.execute(others).rowcount  # type: ignore[attr-defined]
    tokens = update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if keeping.token_id is not None:
        tokens = tokens.where(ApiToken.id != keeping.token_id)
    revoked = session.execute(tokens.values(revoked_at=utcnow())).rowcount  # type: ignore[attr-defined]
    audit.record(
        session, action="password_changed", entity_type="users", entity_id=user.id, org_id=user.org_id,
        after={"sessions_ended": ended, "tokens_revoked": revoked},
    )  # fmt: skip


def update_user(
    session: Session,
    principal: Principal,
    user_id: int,
    data: UserPatch,
    *,
    keeping: Credential = Credential(),
) -> User:
    """Changes a user. One's own password needs the current one (``data.current_password``); an
    administrator resets another user's without it."""
    user = get_user(session, principal, user_id)
    is_self = user.id == principal.user_id
    changes = data.model_dump(exclude_unset=True)
    if not principal.is_admin and not (is_self and set(changes) <= SELF_SERVICE_FIELDS):
        raise Forbidden("Only administrators can change other users, roles and status.")
    demoting = changes.get("role", principal.role) is not principal.role
    if is_self and principal.is_admin and (changes.get("is_active") is False or demoting):
        raise Forbidden("You cannot lock yourself out: another administrator must do that.")
    password = changes.pop("password", None)
    current = changes.pop("current_password", None)
    if password:
        if is_self and not verify_password(user.password_hash, current or ""):
            raise Forbidden("The current password is wrong.", field="current_password")
        set_password(session, user, password, keeping=keeping if is_self else Credential())
    for key, value in changes.items():
        if value is not None or key == "email":
            setattr(user, key, value)
    session.flush()
    return user
