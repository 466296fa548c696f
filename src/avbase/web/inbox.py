"""The bell and the notification pages, and the inbox and notifications in the API."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from avbase.core import inbox
from avbase.core.accounts.models import User
from avbase.core.errors import AvbaseError
from avbase.core.i18n import _
from avbase.core.notifications import service as notifications
from avbase.core.notifications.models import Delivery, Notification
from avbase.kit.dates import today
from avbase.web.deps import ApiPrincipal, Db, PagePrincipal
from avbase.web.forms import FormFields
from avbase.web.schemas import RowId
from avbase.web.templating import render

router = APIRouter()
api_router = APIRouter(tags=["inbox"])


def _kinds() -> list[tuple[str, str]]:
    inbox.load_providers()
    return sorted(inbox.ITEM_KINDS.items())


@router.get("/notifications")
def notification_list(request: Request, db: Db, principal: PagePrincipal) -> Response:
    return render(
        request,
        "notifications/list.html",
        {"notifications": notifications.recent(db, principal.user_id), "kinds": dict(_kinds())},
    )


@router.post("/notifications/read-all")
def read_all(db: Db, principal: PagePrincipal) -> Response:
    notifications.mark_all_read(db, principal)
    return RedirectResponse("/notifications", status_code=303)


@router.post("/notifications/{notification_id}/open")
def open_notification(db: Db, principal: PagePrincipal, notification_id: RowId) -> Response:
    """Marks it read and goes where it is acted on."""
    found = notifications.mark_read(db, principal, notification_id)
    target = found.link if found.link.startswith("/") and not found.link.startswith("//") else "/"
    return RedirectResponse(target, status_code=303)


def _preferences_page(
    request: Request, db: Db, principal: PagePrincipal, errors: dict[str, str], status_code: int = 200
) -> Response:
    return render(
        request,
        "notifications/preferences.html",
        {
            "kinds": _kinds(),
            "chosen": notifications.preferences(db, principal.user_id),
            "deliveries": list(Delivery),
            "errors": errors,
            "has_email": bool(db.scalar(select(User.email).where(User.id == principal.user_id))),
        },
        status_code=status_code,
    )


@router.get("/notifications/preferences")
def preferences_form(request: Request, db: Db, principal: PagePrincipal) -> Response:
    return _preferences_page(request, db, principal, {})


@router.post("/notifications/preferences")
def save_preferences(request: Request, db: Db, principal: PagePrincipal, form: FormFields) -> Response:
    errors: dict[str, str] = {}
    for kind, _label in _kinds():
        if kind in form:
            try:
                notifications.set_preference(db, principal, kind=kind, delivery=form[kind])
            except AvbaseError as exc:
                errors[kind] = _(exc.message, **exc.params)
    if errors:
        db.rollback()
        return _preferences_page(request, db, principal, errors, status_code=422)
    return RedirectResponse("/notifications/preferences?saved=1", status_code=303)


# --- API ---------------------------------------------------------------------------------------------


def _notification_out(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "title": n.title,
        "detail": n.detail,
        "link": n.link,
        "urgency": n.urgency,
        "due_on": n.due_on,
        "created_at": n.created_at,
        "read": n.read_at is not None,
        "email": n.email_state.value,
    }


@api_router.get("/inbox")
def api_inbox(db: Db, principal: ApiPrincipal) -> dict[str, Any]:
    """What needs the caller now, across every module (the items of their home page)."""
    items = inbox.collect(db, principal, on=today())
    return {"user": principal.username, "items": [item.to_json() for item in items]}


@api_router.get("/notifications")
def api_notifications(db: Db, principal: ApiPrincipal) -> dict[str, Any]:
    return {
        "unread": notifications.unread_count(db, principal.user_id),
        "items": [_notification_out(n) for n in notifications.recent(db, principal.user_id)],
    }


@api_router.post("/notifications/{notification_id}/read")
def api_read(db: Db, principal: ApiPrincipal, notification_id: RowId) -> dict[str, Any]:
    return _notification_out(notifications.mark_read(db, principal, notification_id))
