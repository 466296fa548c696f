"""Periodic reports: filing, versioned corrections, and the yearly figures derived from them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation
from avbase.core.accounts.principal import READ_ONLY_ROLES, Principal
from avbase.core.db import utcnow
from avbase.core.errors import AvbaseError, Forbidden, NotFound
from avbase.core.i18n import N_
from avbase.industry.models import Enterprise, PeriodKind, Report, YearlyFigure
from avbase.industry.schemas import (
    ReportIn,
    ReportOut,
    YearlyFigureOut,
    parse_period,
    period_end,
    period_label,
)
from avbase.kit.dates import today

FLOWS = ("revenue_content", "revenue_electronics", "revenue_services", "rnd_expense", "exports", "investment")
MONTHS_IN = {PeriodKind.year: 12, PeriodKind.quarter: 3, PeriodKind.month: 1}
KEY_SUPPORT_RND_SHARE = Decimal("0.05")
# ZJ 11: 研发费用占营业收入比重高于5%


def check_period_closed(kind: PeriodKind, start: date, *, on: date | None = None) -> None:
    if period_end(kind, start) > (on or today()):
        raise AvbaseError(
            "The period {period} has not ended yet; figures are filed after it closes.",
            field="period",
            period=period_label(kind, start),
        )


def can_file_for(principal: Principal, enterprise: Enterprise) -> bool:
    return principal.can_edit(enterprise.organisation)


def may_file_reports(principal: Principal) -> bool:
    """For enterprises the principal can see: :func:`can_file_for` without loading each organisation."""
    return principal.role not in READ_ONLY_ROLES


@dataclass(frozen=True)
class Filed:
    report: Report
    corrected_version: int | None  # the version this filing replaced, if it was a correction


def file_report(
    session: Session, principal: Principal, enterprise: Enterprise, data: ReportIn, *, on: date | None = None
) -> Filed:
    """Files one period's figures; if the period has a report already, this is a new, audited version."""
    if not can_file_for(principal, enterprise):
        raise Forbidden("You may not file reports for this enterprise.")
    kind, start = parse_period(data.period)
    check_period_closed(kind, start, on=on)
    previous = session.scalar(
        select(Report)
        .where(
            Report.enterprise_id == enterprise.id,
            Report.period_kind == kind,
            Report.period_start == start,
            Report.is_current,
        )
        .with_for_update()
    )
    if previous is not None:
        if not data.note:
            raise AvbaseError("A correction needs a note that says why.", field="note")
        previous.is_current = False
        session.flush()
    report = Report(
        enterprise_id=enterprise.id,
        org_id=enterprise.org_id,
        period_kind=kind,
        period_start=start,
        version=previous.version + 1 if previous else 1,
        submitted_by_id=principal.user_id or None,
        **data.model_dump(exclude={"period"}),
    )
    session.add(report)
    session.flush()
    refresh_yearly_figures(session, [(enterprise.id, start.year)])
    return Filed(report, previous.version if previous else None)


def list_reports(
    session: Session, enterprise: Enterprise, *, include_history: bool = False, year: int | None = None
) -> list[Report]:
    stmt = select(Report).where(Report.enterprise_id == enterprise.id)
    if not include_history:
        stmt = stmt.where(Report.is_current)
    if year:
        stmt = stmt.where(Report.period_start >= date(year, 1, 1), Report.period_start < date(year + 1, 1, 1))
    return list(
        session.scalars(stmt.order_by(Report.period_start.desc(), Report.period_kind, Report.version.desc()))
    )


def get_report(session: Session, principal: Principal, report_id: int) -> Report:
    report = session.get(Report, report_id)
    if report is None or not principal.can_read(report.enterprise.organisation):
        raise NotFound("Report not found.")
    return report


def report_period(report: Report) -> str:
    return period_label(report.period_kind, report.period_start)


# --- bulk filing (imports) ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BulkRow:
    enterprise_id: int
    org_id: int
    kind: PeriodKind
    start: date
    values: dict[str, Any]


def file_reports_bulk(
    session: Session, rows: Sequence[BulkRow], *, submitted_by_id: int | None, batch: str
) -> tuple[int, int]:
    """Inserts many reports in a few statements; returns (new, corrections). Rows are validated already."""
    keys = {(row.enterprise_id, row.kind.value, row.start) for row in rows}
    existing: dict[tuple[int, str, date], tuple[int, int]] = {}
    enterprise_ids = sorted({row.enterprise_id for row in rows})
    # Only the periods in the file: an enterprise with years of monthly reports has hundreds of others.
    starts = sorted({row.start for row in rows})
    for chunk in _chunks(enterprise_ids, 500):
        for report_id, enterprise_id, kind, start, version in session.execute(
            select(
                Report.id, Report.enterprise_id, Report.period_kind, Report.period_start, Report.version
            ).where(Report.enterprise_id.in_(chunk), Report.period_start.in_(starts), Report.is_current)
        ):
            key = (enterprise_id, PeriodKind(kind).value, start)
            if key in keys:
                existing[key] = (report_id, version)
    superseded = [report_id for report_id, _ in existing.values()]
    for chunk in _chunks(superseded, 500):
        session.execute(update(Report).where(Report.id.in_(chunk)).values(is_current=False))
    now = utcnow()
    payload = [
        {
            "enterprise_id": row.enterprise_id,
            "org_id": row.org_id,
            "period_kind": row.kind,
            "period_start": row.start,
            "version": existing.get((row.enterprise_id, row.kind.value, row.start), (0, 0))[1] + 1,
            "is_current": True,
            "submitted_by_id": submitted_by_id,
            "import_batch": batch,
            "submitted_at": now,
            **row.values,
        }
        for row in rows
    ]
    for chunk in _chunks(payload, 2000):
        session.execute(insert(Report), chunk)
    refresh_yearly_figures(session, {(row.enterprise_id, row.start.year) for row in rows})
    return len(rows) - len(existing), len(existing)


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for offset in range(0, len(items), size):
        yield items[offset : offset + size]


# --- yearly figures ----------------------------------------------------------------------------------


def refresh_yearly_figures(session: Session, keys: Iterable[tuple[int, int]]) -> None:
    """Rebuilds the yearly figures of the given (enterprise, year) pairs from their current reports."""
    columns = [getattr(Report, name) for name in (*FLOWS, "employees", "titles", "content_hours")]
    wanted = sorted(set(keys))
    for chunk in _chunks(wanted, 1000):
        chunk_keys = set(chunk)
        by_key: dict[tuple[int, int], list[Any]] = defaultdict(list)
        years = sorted({year for _, year in chunk})
        rows = session.execute(
            select(Report.enterprise_id, Report.period_kind, Report.period_start, *columns).where(
                Report.enterprise_id.in_(sorted({enterprise_id for enterprise_id, _ in chunk})),
                Report.is_current,
                Report.period_start >= date(years[0], 1, 1),
                Report.period_start < date(years[-1] + 1, 1, 1),
            )
        )
        for row in rows:
            key = (row.enterprise_id, row.period_start.year)
            if key in chunk_keys:
                by_key[key].append(row)
        regions = dict(
            session.execute(
                select(Enterprise.id, Organisation.region_code)
                .join(Organisation, Organisation.id == Enterprise.org_id)
                .where(Enterprise.id.in_(sorted({enterprise_id for enterprise_id, _ in chunk})))
            ).all()
        )
        # One DELETE per year with a plain IN list: SQLite answers it from the primary key, whereas a
        # row-value IN over (enterprise, year) pairs scans the whole table.
        by_year: dict[int, list[int]] = defaultdict(list)
        for enterprise_id, year in chunk:
            by_year[year].append(enterprise_id)
        for year, ids in by_year.items():
            session.execute(
                delete(YearlyFigure).where(YearlyFigure.year == year, YearlyFigure.enterprise_id.in_(ids))
            )
        figures = [
            yearly_figure(enterprise_id, year, by_key[(enterprise_id, year)]) for enterprise_id, year in chunk
        ]
        if present := [
            {**figure, "region_code": regions[figure["enterprise_id"]]}
            for figure in figures
            if figure is not None
        ]:
            session.execute(insert(YearlyFigure), present)


def yearly_figure(enterprise_id: int, year: int, reports: Sequence[Any]) -> dict[str, Any] | None:
    """The year's figures: the annual report, else the quarterly ones summed, else the monthly ones."""
    for kind in (PeriodKind.year, PeriodKind.quarter, PeriodKind.month):
        chosen = sorted(
            (r for r in reports if PeriodKind(r.period_kind) is kind), key=lambda r: r.period_start
        )
        if chosen:
            break
    else:
        return None
    sums = {name: sum((getattr(r, name) for r in chosen), Decimal(0)) for name in FLOWS}
    return {
        "enterprise_id": enterprise_id,
        "year": year,
        "basis": kind,
        "months_covered": MONTHS_IN[kind] * len(chosen),
        **sums,
        "revenue_total": sums["revenue_content"] + sums["revenue_electronics"] + sums["revenue_services"],
        "employees": chosen[-1].employees,
        "titles": sum(r.titles for r in chosen),
        "content_hours": sum(r.content_hours for r in chosen),
    }


def yearly_figures(session: Session, enterprise_id: int) -> list[YearlyFigure]:
    return list(
        session.scalars(
            select(YearlyFigure)
            .where(YearlyFigure.enterprise_id == enterprise_id)
            .order_by(YearlyFigure.year)
        )
    )


def flagged_for_key_support(figure: YearlyFigure) -> bool:
    """ZJ 11: R&D expense above 5 % of revenue puts the enterprise on the key support list."""
    return figure.revenue_total > 0 and figure.rnd_expense > figure.revenue_total * KEY_SUPPORT_RND_SHARE


KEY_SUPPORT_NOTE = N_("R&D expense above 5 % of revenue: flagged for the key support list (ZJ 11).")


def report_out(report: Report) -> ReportOut:
    return ReportOut.model_validate(
        {
            **{column: getattr(report, column) for column in ReportOut.model_fields if column != "period"},
            "period": report_period(report),
        }
    )


def figure_out(figure: YearlyFigure) -> YearlyFigureOut:
    out = YearlyFigureOut.model_validate(figure)
    out.key_support = flagged_for_key_support(figure)
    return out
