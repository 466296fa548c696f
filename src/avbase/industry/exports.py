"""Excel exports: reports (headers an import accepts back) and 赛马 rankings.

Workbooks are written in openpyxl's write-only mode, row by row, so a large export never holds every cell
object in memory; money cells are numbers in yuan with two decimals.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session

from avbase.core.accounts.models import Organisation
from avbase.core.accounts.principal import Principal
from avbase.core.i18n import _, label
from avbase.industry.models import Enterprise, RankingScheme, Report
from avbase.industry.ranking import METRIC_LABELS, RankRow
from avbase.industry.schemas import period_label
from avbase.kit.cells import append_row

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REPORT_COLUMNS = (
    ("统一社会信用代码", "credit_code"),
    ("企业名称", "name"),
    ("行政区划代码", "region_code"),
    ("期间", "period"),
    ("视听内容生产收入", "revenue_content"),
    ("视听电子产品收入", "revenue_electronics"),
    ("视听文化服务收入", "revenue_services"),
    ("研发费用", "rnd_expense"),
    ("出口额", "exports"),
    ("投资额", "investment"),
    ("从业人员", "employees"),
    ("作品数", "titles"),
    ("内容时长", "content_hours"),
    ("版本", "version"),
    ("备注", "note"),
)
MONEY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.00%"
RATIO_METRICS = {"revenue_growth", "rnd_intensity", "export_share"}  # shares read as percentages
BATCH = 5000


def _header(sheet: Any, titles: Sequence[str]) -> None:
    cells = []
    for title in titles:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        cells.append(cell)
    append_row(sheet, cells)


def _save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def report_rows(
    session: Session, principal: Principal, *, year: int | None = None, region_prefix: str = ""
) -> Iterable[Sequence[Any]]:
    """Current reports of the enterprises the principal may see, in keyset-paged batches."""
    stmt = (
        select(
            Report,
            Enterprise.credit_code,
            Organisation.name,
            Organisation.region_code,
        )
        .join(Enterprise, Enterprise.id == Report.enterprise_id)
        .join(Organisation, Organisation.id == Report.org_id)
        .where(
            Report.is_current,
            Report.org_id.in_(principal.visible_org_ids()),
            Organisation.region_code.startswith(region_prefix),
        )
    )
    if year is not None:
        stmt = stmt.where(Report.period_start >= date(year, 1, 1), Report.period_start < date(year + 1, 1, 1))
    last_id = 0
    while True:
        batch = session.execute(stmt.where(Report.id > last_id).order_by(Report.id).limit(BATCH)).all()
        if not batch:
            return
        for report, credit_code, name, region_code in batch:
            yield (
                credit_code,
                name,
                region_code,
                period_label(report.period_kind, report.period_start),
                report.revenue_content,
                report.revenue_electronics,
                report.revenue_services,
                report.rnd_expense,
                report.exports,
                report.investment,
                report.employees,
                report.titles,
                report.content_hours,
                report.version,
                report.note or "",
            )
        last_id = batch[-1][0].id
        session.expunge_all()


def reports_workbook(
    session: Session, principal: Principal, *, year: int | None = None, region_prefix: str = ""
) -> bytes:
    """The reports as an .xlsx whose header row ``avbase industry import reports`` reads back."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("reports")
    _header(sheet, [title for title, _key in REPORT_COLUMNS])
    money_columns = range(4, 10)
    for row in report_rows(session, principal, year=year, region_prefix=region_prefix):
        cells: list[Any] = list(row)
        for index in money_columns:
            cell = WriteOnlyCell(sheet, value=row[index])
            cell.number_format = MONEY_FORMAT
            cells[index] = cell
        append_row(sheet, cells)
    return _save(book)


def ranking_file(
    scheme: RankingScheme, group: str, period: int, rows: Sequence[RankRow]
) -> tuple[bytes, str]:
    """The ranking as an .xlsx and its file name."""
    title = f"{scheme.title} · {label(group)} · {period}"
    body = ranking_workbook(title, rows, [m["key"] for m in scheme.metrics])
    return body, f"{scheme.name}-{group}-{period}.xlsx"


def ranking_workbook(title: str, rows: Sequence[RankRow], metric_keys: Sequence[str]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("ranking")
    append_row(sheet, [title])
    _header(
        sheet,
        [
            _("Rank"),
            _("Name"),
            _("Score"),
            _("Previous rank"),
            _("Rank change"),
            *[_(METRIC_LABELS.get(k, k)) for k in metric_keys],
        ],
    )
    for row in rows:
        metrics = []
        for key in metric_keys:
            cell = WriteOnlyCell(sheet, value=row.metrics.get(key))
            cell.number_format = PERCENT_FORMAT if key in RATIO_METRICS else MONEY_FORMAT
            metrics.append(cell)
        append_row(
            sheet, [row.rank, row.name, round(row.score, 2), row.previous_rank, row.movement, *metrics]
        )
    return _save(book)
