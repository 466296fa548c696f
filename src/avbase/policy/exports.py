"""The award report as an Excel workbook."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook

from avbase.core.i18n import _
from avbase.kit.cells import append_row
from avbase.policy.reports import AwardRow


def award_workbook(title: str, rows: Sequence[AwardRow]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("awards")
    append_row(sheet, [title])
    append_row(
        sheet,
        [_("Key"), _("Name"), _("Applications filed"), _("Approved"), _("Committed"), _("Paid"), _("Budget")],
    )
    for row in rows:
        append_row(
            sheet,
            [row.key, row.name, row.applications, row.approved, row.committed, row.disbursed, row.budget],
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
