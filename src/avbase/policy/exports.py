"""The award report as an Excel workbook: the grouping named in words, amounts as numbers with separators,
the share of the budget used as a percentage, a region by its name with its code beside it."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from avbase.core.i18n import N_, _
from avbase.kit.cells import append_row
from avbase.policy.reports import AwardRow

GROUPINGS = {"measure": N_("by measure"), "unit": N_("by lead unit"), "region": N_("by region")}
FIRST_COLUMN = {"measure": N_("Measure"), "unit": N_("Lead unit"), "region": N_("City")}
YUAN = "#,##0.00"


def grouping_label(by: str) -> str:
    return _(GROUPINGS[by]) if by in GROUPINGS else by


def award_workbook(year: int, by: str, rows: Sequence[AwardRow]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Award reports")[:31])
    append_row(sheet, [_("Support awards {year} by {by}", year=year, by=grouping_label(by))])
    header = [_(FIRST_COLUMN.get(by, "Name"))]
    if by == "region":
        header.append(_("Region code"))
    header += [
        _("Applications filed"),
        _("Approved"),
        _("Committed"),
        _("Paid"),
        _("Budget"),
        _("Budget used"),
    ]
    append_row(sheet, header)
    for row in rows:
        cells: list[Any] = [row.name]
        if by == "region":
            cells.append(row.key)
        used = float(row.committed / row.budget) if row.budget else None
        cells += [
            row.applications,
            _number(sheet, row.approved, YUAN),
            _number(sheet, row.committed, YUAN),
            _number(sheet, row.disbursed, YUAN),
            _number(sheet, row.budget, YUAN),
            _number(sheet, used, "0.0%"),
        ]
        append_row(sheet, cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _number(sheet: Any, value: object, number_format: str) -> WriteOnlyCell | None:
    if value is None:
        return None
    cell = WriteOnlyCell(sheet, value=value)
    cell.number_format = number_format
    return cell
