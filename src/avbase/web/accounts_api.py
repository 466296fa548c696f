"""REST routes for organisations, users, the current user and API tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Response

from avbase.core.accounts import service
from avbase.core.accounts.models import OrgKind, Role, User
from avbase.core.accounts.schemas import (
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    TokenCreated,
    TokenIn,
    TokenOut,
    UserIn,
    UserOut,
    UserPatch,
)
from avbase.kit.pagination import MAX_PER_PAGE, PageRequest
from avbase.web.deps import ApiPrincipal, AuthDep, Db
from avbase.web.schemas import ErrorOut, PageOut, RowId, page_out

router = APIRouter(
    tags=["accounts"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)

PageNo = Annotated[int, Query(ge=1, le=1_000_000)]
PerPage = Annotated[int, Query(ge=1, le=MAX_PER_PAGE)]
Search = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00-\x1f]*$")]


@router.get("/me", response_model=UserOut, summary="The signed-in user")
def me(db: Db, principal: ApiPrincipal) -> User:
    return service.get_user(db, principal, principal.user_id)


@router.get("/organisations", response_model=PageOut[OrganisationOut], summary="Organisations you may see")
def list_organisations(
    db: Db,
    principal: ApiPrincipal,
    page: PageNo = 1,
    per_page: PerPage = 20,
    sort: Annotated[str | None, Query(pattern=r"^-?(name|kind|region_code|created_at)$")] = None,
    q: Search = None,
    kind: OrgKind | None = None,
) -> PageOut[OrganisationOut]:
    result = service.list_organisations(
        db, principal, PageRequest.parse(page, per_page, sort), search=q, kind=kind
    )
    return page_out(result, OrganisationOut)


@router.post(
    "/organisations",
    response_model=OrganisationOut,
    status_code=201,
    responses={409: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)
def create_organisation(data: OrganisationIn, db: Db, principal: ApiPrincipal) -> OrganisationOut:
    return OrganisationOut.model_validate(service.create_organisation(db, principal, data))


@router.get("/organisations/{org_id}", response_model=OrganisationOut, responses={404: {"model": ErrorOut}})
def get_organisation(org_id: RowId, db: Db, principal: ApiPrincipal) -> OrganisationOut:
    return OrganisationOut.model_validate(service.get_organisation(db, principal, org_id))


@router.patch(
    "/organisations/{org_id}",
    response_model=OrganisationOut,
    responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}},
)
def update_organisation(
    org_id: RowId, data: OrganisationPatch, db: Db, principal: ApiPrincipal
) -> OrganisationOut:
    return OrganisationOut.model_validate(service.update_organisation(db, principal, org_id, data))


@router.delete(
    "/organisations/{org_id}", status_code=204, responses={404: {"model": ErrorOut}, 409: {"model": ErrorOut}}
)
def delete_organisation(org_id: RowId, db: Db, principal: ApiPrincipal) -> Response:
    service.delete_organisation(db, principal, org_id)
    return Response(status_code=204)


@router.get("/users", response_model=PageOut[UserOut], summary="Users of organisations you may see")
def list_users(
    db: Db,
    principal: ApiPrincipal,
    page: PageNo = 1,
    per_page: PerPage = 20,
    sort: Annotated[str | None, Query(pattern=r"^-?(username|display_name|role|created_at)$")] = None,
    q: Search = None,
    role: Role | None = None,
) -> PageOut[UserOut]:
    return page_out(
        service.list_users(db, principal, PageRequest.parse(page, per_page, sort), search=q, role=role),
        UserOut,
    )


@router.post(
    "/users",
    response_model=UserOut,
    status_code=201,
    responses={409: {"model": ErrorOut}, 404: {"model": ErrorOut}},
)
def create_user(data: UserIn, db: Db, principal: ApiPrincipal) -> UserOut:
    return UserOut.model_validate(service.create_user(db, principal, data))


@router.get("/users/{user_id}", response_model=UserOut, responses={404: {"model": ErrorOut}})
def get_user(user_id: RowId, db: Db, principal: ApiPrincipal) -> UserOut:
    return UserOut.model_validate(service.get_user(db, principal, user_id))


@router.patch("/users/{user_id}", response_model=UserOut, responses={404: {"model": ErrorOut}})
def update_user(user_id: RowId, data: UserPatch, db: Db, principal: ApiPrincipal, auth: AuthDep) -> UserOut:
    """Changing one's own password needs ``current_password``; it ends the user's other sessions and
    revokes their other tokens (an administrator's reset of another user's password ends all of them)."""
    return UserOut.model_validate(service.update_user(db, principal, user_id, data, keeping=auth.credential))


@router.get("/tokens", response_model=list[TokenOut], summary="Your API tokens")
def list_tokens(db: Db, principal: ApiPrincipal) -> list[TokenOut]:
    return [
        TokenOut.model_validate(token) for token in service.list_api_tokens(db, user_id=principal.user_id)
    ]


@router.post("/tokens", response_model=TokenCreated, status_code=201)
def create_token(data: TokenIn, db: Db, principal: ApiPrincipal) -> TokenCreated:
    user = db.get(User, principal.user_id)
    assert user is not None
    secret, token = service.create_api_token(db, user=user, data=data)
    return TokenCreated(token=secret, **TokenOut.model_validate(token).model_dump())


@router.delete("/tokens/{token_id}", status_code=204, responses={404: {"model": ErrorOut}})
def revoke_token(token_id: RowId, db: Db, principal: ApiPrincipal) -> Response:
    service.revoke_api_token(db, user_id=principal.user_id, token_id=token_id)
    return Response(status_code=204)
