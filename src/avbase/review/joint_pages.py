"""Joint review pages under /review/works: the list, the submit form, the joint review page (player with
time-coded comments, routing, department decisions, a new version, the diff) and the opinion PDF."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core import routing
from avbase.core.accounts.models import Organisation, User
from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal
from avbase.core.errors import AvbaseError, Forbidden
from avbase.core.i18n import _
from avbase.media.models import Asset, AssetState
from avbase.review import joint, opinion
from avbase.review.models import AWAITING_VERSION, ReviewWork
from avbase.web.deps import Db, PagePrincipal
from avbase.web.forms import RawForm
from avbase.web.pdf import pdf_response
from avbase.web.schemas import RowId
from avbase.web.templating import render

router = APIRouter(prefix="/works")


def _may_submit(principal: Principal) -> bool:
    return principal.role not in READ_ONLY_ROLES and not principal.is_authority


def _own_assets(db: Session, principal: Principal) -> list[Asset]:
    return list(
        db.scalars(
            select(Asset)
            .where(Asset.org_id == principal.org_id, Asset.state == AssetState.ready)
            .order_by(Asset.id.desc())
            .limit(500)
        )
    )


def _error(exc: AvbaseError) -> dict[str, str]:
    if exc.status_code in (403, 404):
        raise exc
    return {exc.field or "form": _(exc.message, **exc.params)}


def _names(db: Session, user_ids: set[int]) -> dict[int, str]:
    return dict(db.execute(select(User.id, User.display_name).where(User.id.in_(user_ids))).all())


def _ids(values: list[Any]) -> list[int]:
    try:
        return [int(value) for value in values if str(value).strip()]
    except ValueError:
        raise AvbaseError("Choose the assets from the list.", field="asset_ids") from None


@router.get("")
def works(request: Request, db: Db, principal: PagePrincipal, state: str | None = None) -> Response:
    rows = joint.works(db, principal, state=state or None)
    owners = dict(db.execute(select(Organisation.id, Organisation.name)
                             .where(Organisation.id.in_({row.org_id for row in rows}))).all())  # fmt: skip
    return render(request, "review/works.html", {
        "rows": rows, "owners": owners, "today": date.today(), "state": state or "",
        "states": joint.STATE_LABELS, "may_submit": _may_submit(principal), "is_overdue": joint.is_overdue,
    })  # fmt: skip


@router.get("/new")
def new_work(request: Request, db: Db, principal: PagePrincipal) -> Response:
    return _new_page(request, db, principal, {}, {})


def _new_page(request: Request, db: Session, principal: Principal, values: dict[str, Any],
              errors: dict[str, str]) -> Response:  # fmt: skip
    if not _may_submit(principal):
        raise Forbidden("Only a work's owner organisation submits it for review.")
    return render(request, "review/work_new.html",
                  {"assets": _own_assets(db, principal), "values": values, "errors": errors},
                  status_code=422 if errors else 200)  # fmt: skip


@router.post("")
def submit(request: Request, db: Db, principal: PagePrincipal, form: RawForm) -> Response:
    values: dict[str, Any] = {
        "title": str(form.get("title", "")),
        "due_on": str(form.get("due_on", "")),
        "asset_ids": form.getlist("asset_ids"),
        "note": str(form.get("note", "")),
    }
    try:
        due = date.fromisoformat(values["due_on"]) if values["due_on"] else None
    except ValueError:
        return _new_page(request, db, principal, values, {"due_on": _("Give the date as YYYY-MM-DD.")})
    try:
        work = joint.submit(db, principal, title=values["title"], asset_ids=_ids(values["asset_ids"]),
                            due_on=due, note=values["note"])  # fmt: skip
    except AvbaseError as exc:
        return _new_page(request, db, principal, values, _error(exc))
    return RedirectResponse(f"/review/works/{work.id}", status_code=303)


def _page(
    request: Request,
    db: Session,
    principal: Principal,
    work: ReviewWork,
    *,
    asset_id: int | None = None,
    errors: dict[str, str] | None = None,
) -> Response:
    version = joint.version_of(db, work)
    assets = joint.assets_of(db, version)
    shown = next((asset for asset in assets if asset.id == asset_id), assets[0] if assets else None)
    departments = joint.departments(db, work)
    mine = [row for row in joint.my_departments(db, principal, work)]
    owner = db.get(Organisation, work.org_id)
    assert owner is not None
    ids = {work.org_id, *(row.org_id for row in departments)}
    orgs = dict(db.execute(select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())
    comments = joint.comments(db, work)
    diff = joint.diff(db, work) if work.version > 1 else None
    findings = {asset.id: joint.findings_of_asset(db, asset.id) for asset in assets}
    may_route = joint.can_route(principal, work, owner)
    changes_to_check = joint.changes_to_check(db, work)
    context = {
        "work": work,
        "current": version,
        "versions": joint.versions(db, work),
        "assets": assets,
        "asset": shown,
        "fps": joint.frame_rate(shown) if shown else joint.DEFAULT_FPS,
        "departments": departments,
        "mine": mine if work.state in joint.OPEN_STATES else [],
        "owner": owner,
        "orgs": orgs,
        "comments": comments,
        "current_comments": [row for row in comments if row.version == work.version],
        "earlier_comments": [row for row in comments if row.version < work.version],
        "diff": diff,
        "findings": findings,
        "may_route": may_route,
        "units": sorted(routing.routes(db, joint.SCOPE)) if may_route else [],
        "may_resolve": joint.is_owner(principal, work) and not principal.is_authority,
        "may_resubmit": work.state in AWAITING_VERSION
        and joint.is_owner(principal, work)
        and not principal.is_authority,
        "own_assets": _own_assets(db, principal) if work.state in AWAITING_VERSION else [],
        "changes_asked": joint.changes_asked(db, work, work.version),
        "changes_to_check": changes_to_check,
        "may_tick": {
            row.id
            for row in changes_to_check
            if work.state in joint.OPEN_STATES
            and any(d.org_id == row.org_id and d.unit == row.unit for d in mine)
        },
        "checked_by": _names(db, {row.checked_by_id for row in changes_to_check if row.checked_by_id}),
        "change_labels": joint.CHANGE_LABELS,
        "states": joint.STATE_LABELS,
        "decisions": joint.DECISION_LABELS,
        "overdue": joint.is_overdue(work, date.today()),
        "errors": errors or {},
        "my_org": principal.org_id,
    }
    return render(request, "review/work.html", context, status_code=422 if errors else 200)


@router.get("/{work_id}")
def work_page(
    request: Request, db: Db, principal: PagePrincipal, work_id: RowId, asset: int | None = None
) -> Response:
    return _page(request, db, principal, joint.get_work(db, principal, work_id), asset_id=asset)


def _act(
    request: Request, db: Session, principal: Principal, work_id: int, action: Any, anchor: str = ""
) -> Response:
    try:
        action()
    except AvbaseError as exc:
        errors = _error(exc)
        db.rollback()
        return _page(request, db, principal, joint.get_work(db, principal, work_id), errors=errors)
    return RedirectResponse(f"/review/works/{work_id}{anchor}", status_code=303)


@router.post("/{work_id}/route")
def route(request: Request, db: Db, principal: PagePrincipal, work_id: RowId, form: RawForm) -> Response:
    lead = str(form.get("lead", ""))
    co = [str(unit) for unit in form.getlist("co")]
    return _act(
        request, db, principal, work_id, lambda: joint.route(db, principal, work_id, lead=lead, co=co)
    )


@router.post("/{work_id}/comments")
def comment(request: Request, db: Db, principal: PagePrincipal, work_id: RowId, form: RawForm) -> Response:
    def add() -> None:
        try:
            asset_id = int(str(form.get("asset_id", "")))
        except ValueError:
            raise AvbaseError("Choose the asset.", field="asset_id") from None
        try:
            seconds = float(str(form.get("seconds", "")).replace(",", "."))
        except ValueError:
            raise AvbaseError("Give the time in seconds.", field="seconds") from None
        joint.add_comment(db, principal, work_id, asset_id=asset_id, seconds=seconds,
                          text=str(form.get("text", "")), unit=str(form.get("unit", "")) or None)  # fmt: skip

    return _act(request, db, principal, work_id, add)


@router.post("/comments/{comment_id}/resolved")
def resolve(db: Db, principal: PagePrincipal, comment_id: RowId, form: RawForm) -> Response:
    row = joint.set_resolved(db, principal, comment_id, str(form.get("resolved", "1")) == "1")
    return RedirectResponse(f"/review/works/{row.work_id}#comment-{row.id}", status_code=303)


@router.post("/{work_id}/decision")
def decide(request: Request, db: Db, principal: PagePrincipal, work_id: RowId, form: RawForm) -> Response:
    changes = str(form.get("changes", "")).splitlines()
    return _act(request, db, principal, work_id, lambda: joint.decide(
        db, principal, work_id, decision=str(form.get("decision", "")), reasons=str(form.get("reasons", "")),
        changes=changes, unit=str(form.get("unit", "")) or None))  # fmt: skip


@router.post("/changes/{change_id}/done")
def change_done(db: Db, principal: PagePrincipal, change_id: RowId, form: RawForm) -> Response:
    row = joint.set_change_done(db, principal, change_id, str(form.get("done", "1")) == "1")
    return RedirectResponse(f"/review/works/{row.work_id}#changes", status_code=303)


@router.post("/changes/{change_id}/state")
def change_state(
    request: Request, db: Db, principal: PagePrincipal, change_id: RowId, form: RawForm
) -> Response:
    """Settles a change: made, not made with the reason, or open again; a refusal is shown on the page."""
    work_id = joint.get_change(db, principal, change_id).work_id
    state, note = str(form.get("state", "")), str(form.get("note", ""))

    def settle() -> None:
        joint.set_change_state(db, principal, change_id, state, note)

    return _act(request, db, principal, work_id, settle, anchor="#changes")


@router.post("/{work_id}/versions")
def resubmit(request: Request, db: Db, principal: PagePrincipal, work_id: RowId, form: RawForm) -> Response:
    note = str(form.get("note", ""))
    chosen = form.getlist("asset_ids")

    def send() -> None:
        joint.resubmit(db, principal, work_id, asset_ids=_ids(chosen), note=note)

    return _act(request, db, principal, work_id, send)


@router.get("/{work_id}/opinion.pdf")
def opinion_pdf(db: Db, principal: PagePrincipal, work_id: RowId) -> Response:
    work = joint.get_work(db, principal, work_id)
    return pdf_response(opinion.render(db, work), opinion.file_name(work))
