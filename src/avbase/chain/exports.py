"""Excel exports of the chain: balances, a run's statements, a reconciliation's discrepancies."""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence

from openpyxl import Workbook

from avbase.kit.cells import append_row


def workbook(sheet_name: str, title: str, header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_name)
    append_row(sheet, [title])
    append_row(sheet, list(header))
    for row in rows:
        append_row(sheet, list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
