from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict

from avbase.core.audit_views import service
from avbase.kit.pagination import MAX_PER_PAGE, PageRequest
from avbase.web.deps import ApiPrincipal, Db
from avbase.web.schemas import ErrorOut, PageOut, page_out

router = APIRouter(
    tags=["audit"], responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}}
)


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_id: int | None
    actor_name: str
    ip: str | None
    action: str
    entity_type: str
    entity_id: str | None
    org_id: int | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None


Text = Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00-\x1f]*$")]


@router.get("/audit", response_model=PageOut[AuditOut], summary="The audit log (administrators)")
def list_audit(
    db: Db,
    principal: ApiPrincipal,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 50,
    sort: Annotated[str | None, Query(pattern=r"^-?(at|actor_name|action|entity_type)$")] = "-at",
    actor: Text = None,
    action: Text = None,
    entity_type: Text = None,
    entity_id: Text = None,
    since: date | None = None,
    until: date | None = None,
) -> PageOut[AuditOut]:
    result = service.list_audit(
        db,
        principal,
        PageRequest.parse(page, per_page, sort),
        actor=actor,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        since=since,
        until=until,
    )
    return page_out(result, AuditOut)
