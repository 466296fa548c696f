"""Cells of the spreadsheets and CSV files avbase writes: text a user typed stays text.

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to Excel, WPS and
LibreOffice, so an enterprise called ``=cmd|' /C calc'!A0`` would run a command on the reader's machine
(OWASP, "CSV Injection"). Every export goes through this module: an Excel cell holding text is stored as
text (the exact string, which an import reads back unchanged), and CSV text that would start a formula gets
a leading apostrophe, which spreadsheet programs show as text.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO, Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_text(value: object) -> object:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class CsvWriter:
    """``csv.writer`` whose text cells never start a formula."""

    def __init__(self, handle: IO[str]) -> None:
        self._writer = csv.writer(handle)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([csv_text(value) for value in row])


def text_cell(sheet: Any, value: object) -> Cell:
    """A write-only cell; a string is stored as a string even when it looks like a formula."""
    cell = value if isinstance(value, Cell) else WriteOnlyCell(sheet, value=value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    return cell


def append_row(sheet: Any, row: Iterable[object]) -> None:
    """Appends a row to a write-only sheet, its text cells stored as text."""
    sheet.append([text_cell(sheet, value) if isinstance(value, str | Cell) else value for value in row])
