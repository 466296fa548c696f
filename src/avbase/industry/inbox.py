"""Industry's part of the inbox: the periodic reports an enterprise owes, and monitoring figures.

An enterprise's reporting frequency is the period kind of its latest filing (month, quarter or year; a
quarter when it has never filed). A period is due once it has closed and overdue ``report_due_days`` after
its end; every closed period after the latest filing is owed.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation, Role
from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal, jurisdiction_prefix
from avbase.core.i18n import N_, _, get_locale, label
from avbase.core.inbox import InboxItem, KeyFigure, Urgency, figure_provider, item_provider
from avbase.industry import kpi
from avbase.industry.models import Enterprise, Park, ParkEvaluation, PeriodKind, Report, Target
from avbase.industry.schemas import period_end, period_label
from avbase.kit.money import in_yi
from avbase.settings import get_settings

REPORT_DUE = "industry.report_due"
REPORT_OVERDUE = "industry.report_overdue"
PARK_UNREPORTED = "industry.park_unreported"
JURISDICTION_UNREPORTED = "industry.jurisdiction_unreported"
PARK_REMINDER = "industry.park_reminder"  # sent by a park's operator (industry/reporting.py), not collected
MONTHS = {PeriodKind.month: 1, PeriodKind.quarter: 3, PeriodKind.year: 12}


def _period_start(on: date, kind: PeriodKind) -> date:
    month = on.month - (on.month - 1) % MONTHS[kind]
    return date(on.year, month, 1)


def report_deadline(kind: PeriodKind, start: date) -> date:
    """The last day to file the period starting ``start``."""
    last_day = period_end(kind, start) - timedelta(days=1)
    return last_day + timedelta(days=get_settings().report_due_days)


def unfiled_periods(kind: PeriodKind, last_filed: date | None, *, on: date) -> list[date]:
    """The starts of closed periods after ``last_filed`` (the current year's, for one that never filed)."""
    start = period_end(kind, last_filed) if last_filed else date(on.year, 1, 1)
    current = _period_start(on, kind)
    owed = []
    while start < current:
        owed.append(start)
        start = period_end(kind, start)
    return owed


def latest_filings(session: Session, enterprise_ids: object) -> dict[int, tuple[PeriodKind, date]]:
    """Each enterprise's reporting frequency and last filed period, in two queries whatever their number."""
    last = (
        select(Report.enterprise_id, func.max(Report.period_start).label("start"))
        .where(Report.is_current, Report.enterprise_id.in_(enterprise_ids))  # type: ignore[arg-type]
        .group_by(Report.enterprise_id)
        .subquery()
    )
    rows = session.execute(
        select(Report.enterprise_id, Report.period_kind, Report.period_start).join(
            last, (last.c.enterprise_id == Report.enterprise_id) & (last.c.start == Report.period_start)
        )
    )
    return {enterprise_id: (kind, start) for enterprise_id, kind, start in rows}


def owed_reports(
    session: Session, enterprise_ids: list[int], *, on: date
) -> dict[int, tuple[PeriodKind, list[date]]]:
    filings = latest_filings(session, enterprise_ids)
    owed: dict[int, tuple[PeriodKind, list[date]]] = {}
    for enterprise_id in enterprise_ids:
        kind, last = filings.get(enterprise_id, (PeriodKind.quarter, None))
        periods = unfiled_periods(kind, last, on=on)
        if periods:
            owed[enterprise_id] = (kind, periods)
    return owed


def _own_enterprise(session: Session, principal: Principal) -> Enterprise | None:
    if principal.role in READ_ONLY_ROLES or principal.role is not Role.enterprise_staff:
        return None
    return session.scalar(select(Enterprise).where(Enterprise.org_id == principal.org_id))


def _park_members(session: Session, principal: Principal) -> list[int]:
    return list(
        session.scalars(
            select(Enterprise.id)
            .join(Park, Park.id == Enterprise.park_id)
            .where(Park.operator_org_id == principal.org_id)
        )
    )


@item_provider(
    "industry",
    kinds={
        REPORT_OVERDUE: N_("Overdue periodic reports"),
        REPORT_DUE: N_("Periodic reports due"),
        PARK_UNREPORTED: N_("Park enterprises that have not reported"),
        JURISDICTION_UNREPORTED: N_("Enterprises in your jurisdiction that have not reported"),
        PARK_REMINDER: N_("Reminders from your park"),
    },
)
def industry_items(session: Session, principal: Principal, on: date) -> list[InboxItem]:
    items: list[InboxItem] = []
    enterprise = _own_enterprise(session, principal)
    if enterprise is not None:
        found = owed_reports(session, [enterprise.id], on=on).get(enterprise.id)
        for start in found[1] if found else []:
            kind = found[0] if found else PeriodKind.quarter
            deadline = report_deadline(kind, start)
            overdue = deadline < on
            items.append(
                InboxItem(
                    key=f"industry.report:{enterprise.id}:{kind.value}:{start.isoformat()}",
                    kind=REPORT_OVERDUE if overdue else REPORT_DUE,
                    domain="industry",
                    title=_("File the statistics report for {period}", period=period_label(kind, start)),
                    detail=enterprise.organisation.name,
                    link=f"/industry/enterprises/{enterprise.id}/report",
                    urgency=Urgency.overdue if overdue else Urgency.due,
                    due_on=deadline,
                )
            )
    if principal.role in (Role.park_operator, Role.authority_officer):
        park = principal.role is Role.park_operator
        members = _park_members(session, principal) if park else _jurisdiction_members(session, principal)
        late = _late(session, members, on)
        if late:
            title = (
                _(
                    "{count} of the park's {total} enterprises are late with their reports",
                    count=late,
                    total=len(members),
                )
                if park
                else _(
                    "{count} of the {total} enterprises in your jurisdiction are late with their reports",
                    count=late,
                    total=len(members),
                )
            )
            items.append(
                InboxItem(
                    # One a week: a standing reminder, not a new e-mail every day.
                    key=f"industry.unreported:{principal.org_id}:{on.year}-W{on.isocalendar().week}",
                    kind=PARK_UNREPORTED if park else JURISDICTION_UNREPORTED,
                    domain="industry",
                    title=title,
                    link="/industry/parks" if park else "/industry/enterprises",
                    urgency=Urgency.overdue,
                )
            )
    return items


def _jurisdiction_members(session: Session, principal: Principal) -> list[int]:
    return list(
        session.scalars(
            select(Enterprise.id)
            .join(Organisation, Organisation.id == Enterprise.org_id)
            .where(principal.visible_orgs())
        )
    )


def _late(session: Session, enterprise_ids: list[int], on: date) -> int:
    owed = owed_reports(session, enterprise_ids, on=on)
    return sum(1 for kind, periods in owed.values() if report_deadline(kind, periods[0]) < on)


def _percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'))}%"


def _target_figures(session: Session, principal: Principal, on: date) -> list[KeyFigure]:
    """Progress against the 2027 targets that cover the principal's jurisdiction, in the last full year."""
    prefix = "" if principal.is_admin else jurisdiction_prefix(principal.region_code)
    covering = [
        scheme
        for scheme, region in session.execute(select(Target.scheme, Target.region_prefix).distinct())
        if prefix.startswith(region) or principal.is_admin
    ]
    if not covering:
        return []
    rows = kpi.kpi_rows(session, scheme=sorted(covering)[0], year=on.year - 1)
    english = get_locale() == "en"
    return [
        KeyFigure(
            label=row.target.label_en if english else row.target.label_zh,
            value=_percent(row.progress),
            hint=_(
                "{year}, target {target} in {target_year}",
                year=row.year,
                target=_target_text(row.target),
                target_year=row.target.target_year,
            ),
            link="/industry",
            testid=f"target-{row.target.key}",
        )
        for row in rows[:4]
    ]


def _target_text(target: Target) -> str:
    if target.unit == "yuan":
        return _("{amount} yi yuan", amount=in_yi(target.value))
    return str(target.value.quantize(Decimal(1)))


def _reporting_figure(
    session: Session, principal: Principal, enterprise_ids: list[int], on: date
) -> KeyFigure:
    late = _late(session, enterprise_ids, on)
    return KeyFigure(
        label=_("Late with reports"),
        value=f"{late} / {len(enterprise_ids)}",
        hint=_("enterprises past a reporting deadline"),
        link="/industry/enterprises",
        testid="late-reporters",
    )


@figure_provider("industry")
def industry_figures(session: Session, principal: Principal, on: date) -> list[KeyFigure]:
    if principal.role is Role.authority_officer:
        figures = _target_figures(session, principal, on)
        ids = _jurisdiction_members(session, principal)
        return [*figures, _reporting_figure(session, principal, ids, on)]
    if principal.role is Role.park_operator:
        members = _park_members(session, principal)
        figures = [
            KeyFigure(
                _("Enterprises in the park"), str(len(members)), "/industry/parks", testid="park-members"
            ),
            _reporting_figure(session, principal, members, on),
        ]
        evaluation = session.scalar(
            select(ParkEvaluation)
            .join(Park, Park.id == ParkEvaluation.park_id)
            .where(Park.operator_org_id == principal.org_id)
            .order_by(ParkEvaluation.year.desc(), ParkEvaluation.version.desc())
            .limit(1)
        )
        if evaluation is not None:
            figures.append(
                KeyFigure(
                    _("Park evaluation {year}", year=evaluation.year),
                    f"{evaluation.score:.1f}",
                    f"/industry/parks/{evaluation.park_id}",
                    hint=label(evaluation.recommendation),
                    testid="park-evaluation",
                )
            )
        return figures
    enterprise = _own_enterprise(session, principal)
    if enterprise is not None:
        owed = owed_reports(session, [enterprise.id], on=on).get(enterprise.id)
        return [
            KeyFigure(
                _("Reports to file"),
                str(len(owed[1]) if owed else 0),
                f"/industry/enterprises/{enterprise.id}",
                hint=enterprise.organisation.name,
                testid="reports-to-file",
            )
        ]
    return []
