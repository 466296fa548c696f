"""The ecosystem's part of the inbox: access requests waiting for a resource's publisher, failed scoring runs
for a contest's organisers; and a creator's or developer's figures on their home page."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.principal import Principal
from avbase.core.i18n import N_, _
from avbase.core.inbox import InboxItem, KeyFigure, Urgency, figure_provider, item_provider
from avbase.core.jobs import Job, JobState
from avbase.ecosystem import contests, resources
from avbase.ecosystem.models import AccessRequest, Contest, ContestTask, RequestState, Resource, Submission

ACCESS_REQUEST = "ecosystem.access_request"
SCORING_FAILED = "ecosystem.scoring_failed"


@item_provider(
    "ecosystem",
    kinds={
        ACCESS_REQUEST: N_("Requests for your shared resources"),
        SCORING_FAILED: N_("Failed contest scoring runs"),
    },
)
def ecosystem_items(session: Session, principal: Principal, on: date) -> list[InboxItem]:
    items = []
    for request, resource in session.execute(
        select(AccessRequest, Resource)
        .join(Resource, Resource.id == AccessRequest.resource_id)
        .where(AccessRequest.state == RequestState.pending)
        .order_by(AccessRequest.id)
        .limit(200)
    ):
        if resources.can_manage(principal, resource):
            items.append(
                InboxItem(
                    key=f"ecosystem.request:{request.id}",
                    kind=ACCESS_REQUEST,
                    domain="ecosystem",
                    title=_("Access requested: {title}", title=resource.title),
                    link=f"/ecosystem/resources/{resource.id}",
                    urgency=Urgency.due,
                )
            )
    failed = session.execute(
        select(Submission.id, Contest)
        .join(ContestTask, ContestTask.id == Submission.task_id)
        .join(Contest, Contest.id == ContestTask.contest_id)
        .join(Job, Job.id == Submission.job_id)
        .where(Submission.public_score.is_(None), Job.state == JobState.failed)
        .limit(200)
    )
    for submission_id, contest in failed:
        if contests.is_organiser(principal, contest):
            items.append(
                InboxItem(
                    key=f"ecosystem.scoring:{submission_id}",
                    kind=SCORING_FAILED,
                    domain="ecosystem",
                    title=_(
                        "Scoring failed: {contest}, submission #{id}", contest=contest.title, id=submission_id
                    ),
                    link=f"/ecosystem/submissions/{submission_id}",
                    urgency=Urgency.due,
                )
            )
    return items


@figure_provider("ecosystem")
def ecosystem_figures(session: Session, principal: Principal, on: date) -> list[KeyFigure]:
    if not principal.user_id:
        return []
    shared, downloads = session.execute(
        select(func.count(Resource.id), func.coalesce(func.sum(Resource.downloads), 0)).where(
            Resource.publisher_id == principal.user_id
        )
    ).one()
    entered = session.scalar(select(func.count(Submission.id)).where(Submission.user_id == principal.user_id))
    if not shared and not entered:
        return []
    return [
        KeyFigure(_("Resources you share"), str(shared), "/ecosystem/resources", testid="eco-shared"),
        KeyFigure(_("Their downloads"), str(downloads), f"/ecosystem/people/{principal.user_id}"),
        KeyFigure(_("Contest submissions"), str(entered or 0), "/ecosystem/contests"),
    ]
