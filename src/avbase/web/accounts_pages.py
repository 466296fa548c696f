"""Organisation, user and account pages."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from avbase.core.accounts import service
from avbase.core.accounts.models import OrgKind, Role, User
from avbase.core.accounts.schemas import OrganisationIn, OrganisationPatch, TokenIn, UserIn, UserPatch
from avbase.core.audit import AuditEntry
from avbase.core.errors import AvbaseError, Forbidden
from avbase.core.i18n import _
from avbase.kit.pagination import PageRequest
from avbase.kit.regions import REGIONS
from avbase.web.deps import AuthDep, Db, PagePrincipal, require_roles
from avbase.web.forms import FormFields
from avbase.web.schemas import RowId
from avbase.web.templating import render
from avbase.web.validation import validate_form

router = APIRouter()


def _service_errors(exc: AvbaseError) -> dict[str, str]:
    return {exc.field or "form": _(exc.message, **exc.params)}


def _org_form(
    request: Request,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    org_id: int | None,
    managers: list[Any],
    status: int = 200,
) -> Response:
    return render(
        request,
        "accounts/org_form.html",
        {
            "values": values,
            "errors": errors,
            "org_id": org_id,
            "kinds": list(OrgKind),
            "regions": sorted(REGIONS.values(), key=lambda r: r.code),
            "managers": managers,
        },
        status_code=status,
    )


def _managers(db: Db, principal: PagePrincipal) -> list[Any]:
    page = service.list_organisations(db, principal, PageRequest(per_page=200), kind=OrgKind.park_operator)
    return list(page.items)


@router.get("/organisations")
def organisations(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    page: int = 1,
    per_page: int = 20,
    sort: str | None = None,
    q: str | None = None,
    kind: OrgKind | None = None,
) -> Response:
    result = service.list_organisations(
        db, principal, PageRequest.parse(page, per_page, sort), search=q, kind=kind
    )
    template = (
        "accounts/_org_table.html" if request.headers.get("hx-request") == "true" else "accounts/orgs.html"
    )
    return render(
        request,
        template,
        {
            "page": result,
            "q": q or "",
            "kind": kind,
            "kinds": list(OrgKind),
            "can_create": principal.is_admin or principal.is_authority,
        },
    )


@router.get("/organisations/new")
def new_organisation(request: Request, db: Db, principal: PagePrincipal) -> Response:
    return _org_form(
        request,
        values={"region_code": principal.region_code},
        errors={},
        org_id=None,
        managers=_managers(db, principal),
    )


@router.post("/organisations/new")
def create_organisation(request: Request, db: Db, principal: PagePrincipal, values: FormFields) -> Response:
    data, errors = validate_form(OrganisationIn, values)
    if data is not None:
        try:
            org = service.create_organisation(db, principal, data)
        except AvbaseError as exc:
            errors = _service_errors(exc)
        else:
            return RedirectResponse(f"/organisations/{org.id}", status_code=303)
    return _org_form(
        request, values=values, errors=errors, org_id=None, managers=_managers(db, principal), status=422
    )


@router.get("/organisations/{org_id}")
def organisation(request: Request, db: Db, principal: PagePrincipal, org_id: RowId) -> Response:
    org = service.get_organisation(db, principal, org_id)
    users = service.list_users(db, principal, PageRequest(per_page=50))
    members = [user for user in users.items if user.org_id == org.id]
    return render(
        request,
        "accounts/org_detail.html",
        {
            "org": org,
            "members": members,
            "can_edit": principal.can_edit(org),
            "manager": db.get(type(org), org.managed_by_id) if org.managed_by_id else None,
        },
    )


@router.get("/organisations/{org_id}/edit")
def edit_organisation(request: Request, db: Db, principal: PagePrincipal, org_id: RowId) -> Response:
    org = service.get_organisation(db, principal, org_id)
    values = {
        key: getattr(org, key) for key in ("name", "kind", "region_code", "managed_by_id", "contact_email")
    }
    values["kind"] = org.kind.value
    return _org_form(request, values=values, errors={}, org_id=org.id, managers=_managers(db, principal))


@router.post("/organisations/{org_id}/edit")
def update_organisation(
    request: Request, db: Db, principal: PagePrincipal, org_id: RowId, values: FormFields
) -> Response:
    data, errors = validate_form(OrganisationPatch, values)
    if data is not None:
        try:
            service.update_organisation(db, principal, org_id, data)
        except AvbaseError as exc:
            db.rollback()
            errors = _service_errors(exc)
        else:
            return RedirectResponse(f"/organisations/{org_id}", status_code=303)
    return _org_form(
        request, values=values, errors=errors, org_id=org_id, managers=_managers(db, principal), status=422
    )


# --- users --------------------------------------------------------------------------------------------


@router.get("/users")
def users(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    page: int = 1,
    per_page: int = 20,
    sort: str | None = None,
    q: str | None = None,
    role: Role | None = None,
) -> Response:
    require_roles(principal, Role.admin, Role.authority_officer, Role.park_operator)
    result = service.list_users(db, principal, PageRequest.parse(page, per_page, sort), search=q, role=role)
    template = (
        "accounts/_user_table.html" if request.headers.get("hx-request") == "true" else "accounts/users.html"
    )
    return render(request, template, {"page": result, "q": q or "", "role": role, "roles": list(Role)})


def _user_form(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    *,
    values: dict[str, Any],
    errors: dict[str, str],
    user_id: RowId | None,
    status: int = 200,
) -> Response:
    orgs = service.list_organisations(db, principal, PageRequest(per_page=200, sort="name"))
    return render(
        request,
        "accounts/user_form.html",
        {
            "values": values,
            "errors": errors,
            "user_id": user_id,
            "roles": list(Role),
            "orgs": orgs.items,
        },
        status_code=status,
    )


@router.get("/users/new")
def new_user(request: Request, db: Db, principal: PagePrincipal) -> Response:
    require_roles(principal, Role.admin)
    return _user_form(
        request, db, principal, values={"role": Role.enterprise_staff.value}, errors={}, user_id=None
    )


@router.post("/users/new")
def create_user(request: Request, db: Db, principal: PagePrincipal, values: FormFields) -> Response:
    require_roles(principal, Role.admin)
    data, errors = validate_form(UserIn, values)
    if data is not None:
        try:
            service.create_user(db, principal, data)
        except AvbaseError as exc:
            errors = _service_errors(exc)
        else:
            return RedirectResponse("/users?sort=-created_at", status_code=303)
    values.pop("password", None)
    return _user_form(request, db, principal, values=values, errors=errors, user_id=None, status=422)


@router.get("/users/{user_id}/edit")
def edit_user(request: Request, db: Db, principal: PagePrincipal, user_id: RowId) -> Response:
    require_roles(principal, Role.admin)
    user = service.get_user(db, principal, user_id)
    values = {
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "role": user.role.value,
        "org_id": user.org_id,
        "is_active": user.is_active,
    }
    return _user_form(request, db, principal, values=values, errors={}, user_id=user.id)


@router.post("/users/{user_id}/edit")
def update_user(
    request: Request, db: Db, principal: PagePrincipal, user_id: RowId, form: FormFields
) -> Response:
    require_roles(principal, Role.admin)
    values: dict[str, Any] = dict(form)
    submitted: dict[str, Any] = {
        key: values[key] for key in ("display_name", "email", "role", "password") if key in values
    }
    submitted["is_active"] = "is_active" in values
    data, errors = validate_form(UserPatch, submitted)
    if data is not None:
        try:
            service.update_user(db, principal, user_id, data)
        except AvbaseError as exc:
            db.rollback()
            errors = _service_errors(exc)
        else:
            return RedirectResponse("/users", status_code=303)
    user = service.get_user(db, principal, user_id)
    values.update(username=user.username, org_id=user.org_id, is_active=submitted["is_active"])
    values.pop("password", None)
    return _user_form(request, db, principal, values=values, errors=errors, user_id=user_id, status=422)


# --- own account --------------------------------------------------------------------------------------


def _account(
    request: Request,
    db: Db,
    principal: PagePrincipal,
    *,
    errors: dict[str, str] | None = None,
    new_token: str | None = None,
    notice: str | None = None,
    status: int = 200,
) -> Response:
    from sqlalchemy import select

    tokens = service.list_api_tokens(db, user_id=principal.user_id)
    logins = db.scalars(
        select(AuditEntry)
        .where(AuditEntry.actor_id == principal.user_id, AuditEntry.action == "login")
        .order_by(AuditEntry.id.desc())
        .limit(5)
    ).all()
    return render(
        request,
        "accounts/account.html",
        {
            "tokens": tokens,
            "errors": errors or {},
            "new_token": new_token,
            "notice": notice,
            "logins": logins,
            "user": db.get(User, principal.user_id),
        },
        status_code=status,
    )


@router.get("/account")
def account(request: Request, db: Db, principal: PagePrincipal) -> Response:
    return _account(request, db, principal)


@router.post("/account/tokens")
def create_token(request: Request, db: Db, principal: PagePrincipal, values: FormFields) -> Response:
    data, errors = validate_form(TokenIn, values)
    if data is None:
        return _account(
            request, db, principal, errors={f"token_{k}": v for k, v in errors.items()}, status=422
        )
    user = db.get(User, principal.user_id)
    assert user is not None
    secret, _token = service.create_api_token(db, user=user, data=data)
    return _account(request, db, principal, new_token=secret)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, db: Db, principal: PagePrincipal, token_id: RowId) -> Response:
    service.revoke_api_token(db, user_id=principal.user_id, token_id=token_id)
    return RedirectResponse("/account", status_code=303)


@router.post("/account/password")
def change_password(
    request: Request, db: Db, principal: PagePrincipal, auth: AuthDep, values: FormFields
) -> Response:
    current = values.get("current_password", "")
    data, errors = validate_form(
        UserPatch, {"password": values.get("new_password", ""), "current_password": current}
    )
    if data is None:
        return _account(
            request, db, principal, errors={"new_password": errors.get("password", "")}, status=422
        )
    try:  # the service checks the current password (once: argon2 is slow on purpose)
        service.update_user(db, principal, principal.user_id, data, keeping=auth.credential)
    except Forbidden as refused:
        message = _(refused.message, **refused.params)
        return _account(request, db, principal, errors={"current_password": message}, status=422)
    return _account(request, db, principal, notice=_("Your password has been changed."))
