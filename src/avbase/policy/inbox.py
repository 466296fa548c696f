"""Policy's part of the inbox: reviews waiting on an officer's unit, applications returned to (or still
drafted by) the applicant, selection rounds to score or to enter; and an officer's or applicant's figures."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Role
from avbase.core.accounts.principal import Principal
from avbase.core.i18n import N_, _, get_locale, label
from avbase.core.inbox import InboxItem, KeyFigure, Urgency, figure_provider, item_provider
from avbase.policy.applications import waiting_reviews
from avbase.policy.books import committed_total
from avbase.policy.models import (
    Application,
    ApplicationState,
    Budget,
    RoundEntry,
    RoundExpert,
    RoundScore,
    RoundState,
    SelectionRound,
)
from avbase.policy.rounds import takes_entries_from

REVIEW_OVERDUE = "policy.review_overdue"
REVIEW_PENDING = "policy.review_pending"
APPLICATION_RETURNED = "policy.application_returned"
APPLICATION_DRAFT = "policy.application_draft"
ROUND_TO_SCORE = "policy.round_to_score"
ROUND_OPEN = "policy.round_open"
APPLICANTS = (Role.enterprise_staff, Role.park_operator)
ROUND_WARNING_DAYS = 30  # an open round's deadline this close is "due" rather than "upcoming"


def _review_items(session: Session, principal: Principal, on: date) -> list[InboxItem]:
    items = []
    for review in waiting_reviews(session, principal):
        application = review.application
        overdue = review.due_on is not None and review.due_on < on
        items.append(
            InboxItem(
                key=f"policy.review:{review.id}",
                kind=REVIEW_OVERDUE if overdue else REVIEW_PENDING,
                domain="policy",
                title=(
                    _("Review overdue: {item}", item=application.item)
                    if overdue
                    else _("Decide the application: {item}", item=application.item)
                ),
                detail=review.unit,
                link=f"/policy/applications/{application.id}",
                urgency=Urgency.overdue if overdue else Urgency.due,
                due_on=review.due_on,
            )
        )
    return items


def _applicant_items(session: Session, principal: Principal) -> list[InboxItem]:
    items = []
    for application in session.scalars(
        select(Application)
        .where(
            Application.org_id == principal.org_id,
            Application.state.in_([ApplicationState.returned, ApplicationState.draft]),
        )
        .order_by(Application.id)
    ):
        returned = application.state is ApplicationState.returned
        items.append(
            InboxItem(
                key=f"policy.application:{application.id}:{application.state.value}",
                kind=APPLICATION_RETURNED if returned else APPLICATION_DRAFT,
                domain="policy",
                title=(
                    _("Application returned for changes: {item}", item=application.item)
                    if returned
                    else _("Finish and submit the draft: {item}", item=application.item)
                ),
                detail=application.measure.title_zh
                if get_locale() == "zh_Hans"
                else application.measure.title_en,
                link=f"/policy/applications/{application.id}",
                urgency=Urgency.due if returned else Urgency.upcoming,
            )
        )
    return items


def _round_items(session: Session, principal: Principal, on: date) -> list[InboxItem]:
    items = []
    scored = select(func.count()).where(
        RoundScore.user_id == principal.user_id, RoundScore.entry_id == RoundEntry.id
    )
    panels = session.scalars(
        select(SelectionRound)
        .join(RoundExpert, RoundExpert.round_id == SelectionRound.id)
        .where(RoundExpert.user_id == principal.user_id, SelectionRound.state == RoundState.scoring)
    )
    for selection in panels:
        unscored = session.scalar(
            select(func.count())
            .select_from(RoundEntry)
            .where(RoundEntry.round_id == selection.id, scored.scalar_subquery() == 0)
        )
        if unscored:
            items.append(
                InboxItem(
                    key=f"policy.round_score:{selection.id}",
                    kind=ROUND_TO_SCORE,
                    domain="policy",
                    title=_("Score {count} entries: {round}", count=unscored, round=selection.title),
                    link=f"/policy/rounds/{selection.id}",
                    urgency=Urgency.due,
                )
            )
    if principal.role in (*APPLICANTS, Role.creator):
        entered = select(RoundEntry.round_id).where(RoundEntry.org_id == principal.org_id)
        for selection in session.scalars(
            select(SelectionRound).where(
                SelectionRound.state == RoundState.open,
                SelectionRound.deadline >= on,
                SelectionRound.id.not_in(entered),
            )
        ):
            if not takes_entries_from(selection, principal.region_code):
                continue
            close = selection.deadline - on <= timedelta(days=ROUND_WARNING_DAYS)
            items.append(
                InboxItem(
                    key=f"policy.round_open:{selection.id}",
                    kind=ROUND_OPEN,
                    domain="policy",
                    title=_("Open for entries: {round}", round=selection.title),
                    link=f"/policy/rounds/{selection.id}",
                    urgency=Urgency.due if close else Urgency.upcoming,
                    due_on=selection.deadline,
                )
            )
    return items


@item_provider(
    "policy",
    kinds={
        REVIEW_OVERDUE: N_("Overdue reviews of applications"),
        REVIEW_PENDING: N_("Applications waiting for your unit's decision"),
        APPLICATION_RETURNED: N_("Applications returned for changes"),
        APPLICATION_DRAFT: N_("Draft applications not yet submitted"),
        ROUND_TO_SCORE: N_("Selection rounds to score"),
        ROUND_OPEN: N_("Selection rounds open for entries"),
    },
)
def policy_items(session: Session, principal: Principal, on: date) -> list[InboxItem]:
    items = _round_items(session, principal, on)
    if principal.role is Role.authority_officer:
        items += _review_items(session, principal, on)
    if principal.role in APPLICANTS:
        items += _applicant_items(session, principal)
    return items


def budget_use(session: Session, principal: Principal, on: date) -> tuple[int, Decimal, Decimal] | None:
    """(year, committed, budget) over every measure budgeted in the latest year up to ``on``."""
    year = session.scalar(select(func.max(Budget.year)).where(Budget.year <= on.year))
    if year is None:
        return None
    budgets = list(session.scalars(select(Budget).where(Budget.year == year)))
    total = sum((b.amount for b in budgets), Decimal(0))
    committed = sum((committed_total(session, b.measure_id, year) for b in budgets), Decimal(0))
    return year, committed, total


@figure_provider("policy")
def policy_figures(session: Session, principal: Principal, on: date) -> list[KeyFigure]:
    if principal.role is Role.authority_officer:
        waiting = waiting_reviews(session, principal)
        overdue = sum(1 for r in waiting if r.due_on is not None and r.due_on < on)
        figures = [
            KeyFigure(
                _("Waiting for your unit"),
                str(len(waiting)),
                "/policy/applications",
                hint=_("{count} overdue", count=overdue),
                testid="waiting-reviews",
            )
        ]
        use = budget_use(session, principal, on)
        if use is not None and use[2]:
            year, committed, total = use
            figures.append(
                KeyFigure(
                    _("Budget used {year}", year=year),
                    f"{(committed / total * 100).quantize(Decimal('0.1'))}%",
                    "/policy/reports",
                    hint=_(
                        "{committed} of {total} yuan committed",
                        committed=f"{committed:,.0f}",
                        total=f"{total:,.0f}",
                    ),
                    testid="budget-use",
                )
            )
        return figures
    if principal.role in APPLICANTS:
        states = Counter(
            session.scalars(select(Application.state).where(Application.org_id == principal.org_id))
        )
        return [
            KeyFigure(
                _("Applications"),
                str(sum(states.values())),
                "/policy/applications",
                hint=" · ".join(f"{label(state)} {count}" for state, count in sorted(states.items())),
                testid="applications",
            )
        ]
    return []
