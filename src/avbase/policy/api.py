"""REST routes of the policy module: the measures catalogue, quotes and parameter amendments."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from avbase.industry.reports import today
from avbase.policy import service
from avbase.policy.rules import RuleKind
from avbase.policy.schemas import MeasureOut, ParameterIn, ParameterOut, QuoteIn, QuoteOut
from avbase.policy.views import quote_out
from avbase.web.deps import ApiPrincipal, Db
from avbase.web.schemas import ErrorOut

router = APIRouter(
    prefix="/policy",
    tags=["policy"],
    responses={401: {"model": ErrorOut}, 403: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
MeasureId = Annotated[str, Path(pattern=r"^[a-z0-9.\-]{3,80}$", description="e.g. hn2023.4.rnd-center")]
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"model": ErrorOut}}


@router.get("/measures", response_model=list[MeasureOut], summary="Every measure of the loaded documents")
def list_measures(
    db: Db,
    principal: ApiPrincipal,
    document: Annotated[str | None, Query(pattern=r"^[a-z0-9]{2,20}$")] = None,
    kind: RuleKind | None = None,
    q: Annotated[str | None, Query(max_length=100, pattern=r"^[^\x00-\x1f]*$")] = None,
) -> list[MeasureOut]:
    found = service.list_measures(db, document=document, kind=kind.value if kind else None, search=q)
    return [MeasureOut.model_validate(m) for m in found]


@router.get("/measures/{measure_id}", response_model=MeasureOut, responses=NOT_FOUND)
def get_measure(measure_id: MeasureId, db: Db, principal: ApiPrincipal) -> MeasureOut:
    return MeasureOut.model_validate(service.get_measure(db, measure_id))


@router.post(
    "/measures/{measure_id}/quote",
    response_model=QuoteOut,
    responses=NOT_FOUND,
    summary="What the measure gives for these facts as of a date, with the trace (eligible or the reason)",
)
def quote(measure_id: MeasureId, data: QuoteIn, db: Db, principal: ApiPrincipal) -> QuoteOut:
    return quote_out(service.quote(db, measure_id, data.facts, on=data.on or today()))


@router.post(
    "/measures/{measure_id}/parameters",
    response_model=ParameterOut,
    status_code=201,
    responses={**NOT_FOUND, 409: {"model": ErrorOut}},
    summary="Amend a cap, rate or threshold from a date on (earlier dates keep the earlier value)",
)
def amend(measure_id: MeasureId, data: ParameterIn, db: Db, principal: ApiPrincipal) -> ParameterOut:
    parameter = service.amend_parameter(
        db,
        principal,
        measure_id,
        name=data.name,
        value=data.value,
        effective_from=data.effective_from,
        note=data.note,
    )
    return ParameterOut.model_validate(parameter)
