"""REST routes of joint review under /api/v1/review/works: submit, route, comment, decide, resubmit, the
diff between versions and the consolidated opinion as a PDF."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel, Field

from avbase.review import joint, opinion
from avbase.web.deps import ApiPrincipal, Db
from avbase.web.pdf import pdf_response
from avbase.web.schemas import ErrorOut, RowId

router = APIRouter(prefix="/works", responses={403: {"model": ErrorOut}, 404: {"model": ErrorOut}})


class WorkIn(BaseModel):
    title: str = Field(min_length=1, max_length=300)
    asset_ids: list[int] = Field(min_length=1, max_length=100)
    due_on: date | None = None
    note: str = Field(default="", max_length=4000)


class RouteIn(BaseModel):
    lead: str = Field(min_length=1, max_length=100)
    co: list[str] = Field(default_factory=list, max_length=20)


class CommentIn(BaseModel):
    asset_id: int
    seconds: float = Field(ge=0)
    text: str = Field(min_length=1, max_length=4000)
    unit: str | None = Field(default=None, max_length=100)


class ResolvedIn(BaseModel):
    resolved: bool = True


class DecisionIn(BaseModel):
    decision: str = Field(pattern="^(pass|pass_with_changes|reject)$")
    reasons: str = Field(default="", max_length=4000)
    # pass_with_changes: the changes to make, one an item (without them, each line of the reasons)
    changes: list[str] = Field(default_factory=list, max_length=50)
    unit: str | None = Field(default=None, max_length=100)


class DoneIn(BaseModel):
    done: bool = True


class ChangeStateIn(BaseModel):
    state: str = Field(pattern="^(asked|done|not_made)$")
    # not_made: why (the owner's explanation, or that it was not needed); required
    note: str = Field(default="", max_length=4000)


class VersionIn(BaseModel):
    asset_ids: list[int] = Field(min_length=1, max_length=100)
    note: str = Field(default="", max_length=4000)


@router.get("", summary="The works you may see: your own, those routed to your department")
def list_works(db: Db, principal: ApiPrincipal, state: str | None = None) -> list[dict[str, Any]]:
    return [joint.work_json(db, work) for work in joint.works(db, principal, state=state)]


@router.post("", status_code=201, summary="Submit a work (your organisation's assets) for joint review")
def submit(data: WorkIn, db: Db, principal: ApiPrincipal) -> dict[str, Any]:
    work = joint.submit(db, principal, title=data.title, asset_ids=data.asset_ids, due_on=data.due_on,
                        note=data.note)  # fmt: skip
    return joint.work_json(db, work)


@router.get("/{work_id}", summary="A work with its departments, comments and versions")
def get_work(work_id: RowId, db: Db, principal: ApiPrincipal) -> dict[str, Any]:
    work = joint.get_work(db, principal, work_id)
    data = joint.work_json(db, work)
    data["comments"] = [joint.comment_json(row) for row in joint.comments(db, work)]
    data["versions"] = [{"version": row.version, "asset_ids": row.asset_ids, "note": row.note,
                         "decisions": row.decisions} for row in joint.versions(db, work)]  # fmt: skip
    return data


@router.post("/{work_id}/route", summary="Route the work to a lead and co-reviewing departments (units)")
def route(work_id: RowId, data: RouteIn, db: Db, principal: ApiPrincipal) -> dict[str, Any]:
    joint.route(db, principal, work_id, lead=data.lead, co=data.co)
    return joint.work_json(db, joint.get_work(db, principal, work_id))


@router.post("/{work_id}/comments", status_code=201, summary="A comment at a time of one asset")
def comment(work_id: RowId, data: CommentIn, db: Db, principal: ApiPrincipal) -> dict[str, Any]:
    row = joint.add_comment(db, principal, work_id, asset_id=data.asset_id, seconds=data.seconds,
                            text=data.text, unit=data.unit)  # fmt: skip
    return joint.comment_json(row)


@router.post("/comments/{comment_id}/resolved", summary="Mark a comment resolved (or open again)")
def resolve(comment_id: RowId, data: ResolvedIn, db: Db, principal: ApiPrincipal) -> dict[str, Any]:
    return joint.comment_json(joint.set_resolved(db, principal, comment_id, data.resolved))


@router.post("/{work_id}/decision", summary="Your department's decision on the current version")
def decide(work_id: RowId, data: DecisionIn, db: Db, principal: ApiPrincipal) -> dict[str, Any]:
    joint.decide(db, principal, work_id, decision=data.decision, reasons=data.reasons, changes=data.changes,
                 unit=data.unit)  # fmt: skip
    return joint.work_json(db, joint.get_work(db, principal, work_id))


@router.post("/changes/{change_id}/done", summary="Tick off a listed change as made in the next version")
def change_done(change_id: RowId, data: DoneIn, db: Db, principal: ApiPrincipal) -> dict[str, Any]:
    return joint.change_json(joint.set_change_done(db, principal, change_id, data.done))


@router.post(
    "/changes/{change_id}/state",
    responses={409: {"model": ErrorOut}},
    summary="Settle a listed change on the next version: done, not_made (with the reason) or asked again",
)
def change_state(change_id: RowId, data: ChangeStateIn, db: Db, principal: ApiPrincipal) -> dict[str, Any]:
    return joint.change_json(joint.set_change_state(db, principal, change_id, data.state, data.note))


@router.post("/{work_id}/versions", status_code=201, summary="Send a work passed with changes as version N+1")
def resubmit(work_id: RowId, data: VersionIn, db: Db, principal: ApiPrincipal) -> dict[str, Any]:
    joint.resubmit(db, principal, work_id, asset_ids=data.asset_ids, note=data.note)
    return joint.work_json(db, joint.get_work(db, principal, work_id))


@router.get("/{work_id}/diff", summary="What changed between two versions: findings fixed and new, comments")
def diff(
    work_id: RowId, db: Db, principal: ApiPrincipal, old: int | None = None, new: int | None = None
) -> dict[str, Any]:
    work = joint.get_work(db, principal, work_id)
    return joint.diff_json(joint.diff(db, work, old, new))


@router.get("/{work_id}/opinion.pdf", response_class=Response, summary="The consolidated opinion (审查意见)")
def opinion_pdf(work_id: RowId, db: Db, principal: ApiPrincipal) -> Response:
    work = joint.get_work(db, principal, work_id)
    return pdf_response(opinion.render(db, work), opinion.file_name(work))
