"""Joint review's part of the inbox: works waiting for a department's decision (overdue after their due
date), works waiting to be routed in an officer's jurisdiction, and returned works for their owner."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.principal import Principal
from avbase.core.i18n import N_, _
from avbase.core.inbox import InboxItem, Urgency, item_provider
from avbase.review import joint
from avbase.review.models import AWAITING_VERSION, ReviewWork, WorkDepartment, WorkState

WORK_TO_DECIDE = "review.work_to_decide"
WORK_OVERDUE = "review.work_overdue"
WORK_TO_ROUTE = "review.work_to_route"
WORK_RETURNED = "review.work_returned"


def _link(work: ReviewWork) -> str:
    return f"/review/works/{work.id}"


def department_items(session: Session, principal: Principal, on: date) -> list[InboxItem]:
    """Works routed to the principal's department whose current version it has not decided yet."""
    if principal.role not in joint.DEPARTMENT_ROLES:
        return []
    rows = session.execute(
        select(ReviewWork, WorkDepartment)
        .join(WorkDepartment, WorkDepartment.work_id == ReviewWork.id)
        .where(WorkDepartment.org_id == principal.org_id, ReviewWork.state.in_(joint.OPEN_STATES))
        .order_by(ReviewWork.id)
    ).all()
    items = []
    for work, department in rows:
        if department.decided_version == work.version:
            continue
        overdue = joint.is_overdue(work, on)
        items.append(
            InboxItem(
                key=f"review.work:{work.id}:{department.unit}",
                kind=WORK_OVERDUE if overdue else WORK_TO_DECIDE,
                domain="review",
                title=(
                    _("Joint review overdue: {title}", title=work.title)
                    if overdue
                    else _("Decide on the work: {title}", title=work.title)
                ),
                detail=f"{department.unit} · v{work.version}",
                link=_link(work),
                urgency=Urgency.overdue if overdue else Urgency.due,
                due_on=work.due_on,
            )
        )
    return items


def routing_items(session: Session, principal: Principal, on: date) -> list[InboxItem]:
    if not principal.is_authority:
        return []
    waiting = session.scalars(
        joint.visible_works(principal).where(ReviewWork.state == WorkState.submitted).order_by(ReviewWork.id)
    )
    return [
        InboxItem(
            key=f"review.route:{work.id}",
            kind=WORK_TO_ROUTE,
            domain="review",
            title=_("Route the work to departments: {title}", title=work.title),
            link=_link(work),
            urgency=Urgency.overdue if joint.is_overdue(work, on) else Urgency.due,
            due_on=work.due_on,
        )
        for work in waiting
    ]


def owner_items(session: Session, principal: Principal) -> list[InboxItem]:
    if principal.is_authority or principal.is_admin:
        return []
    returned = session.scalars(
        select(ReviewWork)
        .where(ReviewWork.org_id == principal.org_id, ReviewWork.state.in_(AWAITING_VERSION))
        .order_by(ReviewWork.id)
    )
    return [
        InboxItem(
            key=f"review.returned:{work.id}:{work.version}",
            kind=WORK_RETURNED,
            domain="review",
            title=_("Passed with changes, send the changed version: {title}", title=work.title),
            detail=f"v{work.version}",
            link=_link(work),
            urgency=Urgency.due,
        )
        for work in returned
        if principal.owns(work.org_id)
    ]


@item_provider(
    "review",
    kinds={
        WORK_TO_DECIDE: N_("Works waiting for your department's decision"),
        WORK_OVERDUE: N_("Joint reviews past their due date"),
        WORK_TO_ROUTE: N_("Works waiting to be routed to departments"),
        WORK_RETURNED: N_("Your works passed with changes, waiting for the changed version"),
    },
)
def review_items(session: Session, principal: Principal, on: date) -> list[InboxItem]:
    return [
        *department_items(session, principal, on),
        *routing_items(session, principal, on),
        *owner_items(session, principal),
    ]
