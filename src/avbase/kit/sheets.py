"""Reading the spreadsheets people actually have: title and note rows, units, two-row headers, other names.

A government form rarely starts with its header in row 1. This module finds the header among the first rows
(the row that names the required columns), reads a header split over two merged rows, takes the money unit
from a unit row (``单位：万元``) or a header (``营业收入（万元）``) and scales money to yuan exactly, matches
column titles it does not know to fields by synonyms and similarity (for the user to confirm), and tells
total and subtotal rows (``合计``, ``小计``) from data, checking them against the rows above.

It is pure: cells in, dataclasses out, no database and no web, so every import (enterprises, reports,
parks, projects, and statements later) reads through the same code. Problems carry an English msgid and
parameters; the caller translates them.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from avbase.core.errors import AvbaseError
from avbase.core.i18n import N_
from avbase.kit.text import decode_text

FieldKind = Literal["text", "money", "percent", "number"]
FEN = Decimal("0.01")
HEADER_SEARCH_ROWS = 20  # a form's title, unit and note rows sit above its header, never this many
SIMILARITY_FLOOR = 0.6  # below this a title is left unmatched rather than guessed

MONEY_UNITS = {
    "元": Decimal(1),
    "千元": Decimal(1_000),
    "万元": Decimal(10_000),
    "百万元": Decimal(1_000_000),
    "亿元": Decimal(100_000_000),
    "yuan": Decimal(1),
}
UNIT_LABELS = ("元", "千元", "万元", "百万元", "亿元")
_UNIT_WORD = r"(亿元|百万元|万元|千元|元|yuan)"
# 单位：万元 / 金额单位: 亿元 / 单位：人民币万元
_UNIT_ROW = re.compile(r"单位\s*[:：]?\s*(?:人民币)?\s*" + _UNIT_WORD)
# 营业收入（万元） / Revenue (yuan)
_UNIT_IN_TITLE = re.compile(r"[（(]\s*(?:单位\s*[:：]?\s*)?(?:人民币)?\s*" + _UNIT_WORD + r"\s*[)）]")
_PERCENT_IN_TITLE = re.compile(r"[（(]\s*%\s*[)）]|％|%")
# Words a units row under a header holds, one per column (万元, 人, 个, 小时, %).
_UNIT_CELL = re.compile(r"^(?:计量单位|单位)?\s*[:：]?\s*(亿元|百万元|万元|千元|元|人|个|部|小时|%|％)?$")
# A total row says so in one of its first cells: 合计, 全市合计, 小计, 总计：, Total.
_TOTAL_LABEL = re.compile(r"^.{0,6}?(合计|总计|共计|total)$")
_SUBTOTAL_LABEL = re.compile(r"^.{0,6}?(小计|subtotal)$")
# A note names itself before a colon (注：, 填表人：, 说明1：) or is a footnote (注1., *).
_NOTE_LABEL = re.compile(
    r"^(?:\*|注[0-9一二三四五六七八九十]*[、.．:：]|"
    r"(?:注|说明|填表说明|填报说明|备注|填表人|填报人|制表人|负责人|单位负责人|统计负责人|审核人|联系人|"
    r"联系电话|报出日期|note|notes)[0-9]*[:：])"
)
BLANK_MARKS = {"", "-", "—", "－", "/", "——"}


# --- what the caller knows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """A field an import stores, with the titles that name it exactly and the words that suggest it."""

    key: str
    titles: tuple[str, ...]
    synonyms: tuple[str, ...] = ()
    kind: FieldKind = "text"
    required: bool = False


@dataclass(frozen=True)
class Vocabulary:
    """The fields of one kind of import. ``patterns`` name families of fields (``planned_2025``)."""

    fields: tuple[FieldSpec, ...]
    patterns: tuple[tuple[re.Pattern[str], FieldKind], ...] = ()
    # Titles read but never stored: a serial-number column, the context columns of an export.
    ignored: frozenset[str] = frozenset()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(spec.key for spec in self.fields if spec.required)

    def spec(self, key: str) -> FieldSpec | None:
        return next((spec for spec in self.fields if spec.key == key), None)

    def kind_of(self, key: str) -> FieldKind:
        if found := self.spec(key):
            return found.kind
        for pattern, kind in self.patterns:
            if pattern.match(key):
                return kind
        return "text"

    def is_field(self, key: str) -> bool:
        return self.spec(key) is not None or any(pattern.match(key) for pattern, _ in self.patterns)


class Match(StrEnum):
    """How a column came to its field; only ``guessed`` and ``unmatched`` need the user's word."""

    known = "known"  # the title is one the import knows (the export writes these)
    mapped = "mapped"  # a saved template or the user's confirmed mapping says so
    guessed = "guessed"  # similar to a field's name or synonym: to be confirmed
    unmatched = "unmatched"  # like nothing: to be mapped or ignored
    ignored = "ignored"  # read and left out on purpose


@dataclass(frozen=True)
class Unit:
    label: str
    factor: Decimal


YUAN = Unit("元", Decimal(1))


@dataclass(frozen=True)
class Column:
    index: int  # 0-based
    title: str  # as read; two header rows joined with "/"
    field: str | None
    match: Match
    unit: Unit | None = None  # from this column's own header; else the sheet's unit applies
    percent: bool = False
    score: float = 1.0
    alternatives: tuple[str, ...] = ()  # other fields the title resembles, best first

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass(frozen=True)
class Problem:
    row: int
    column: str  # the field, or the column letter where no field is mapped
    msgid: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class DataRow:
    number: int  # the spreadsheet's row number
    values: dict[str, Any]  # field → value: money as Decimal yuan, percentages as Decimal fractions


@dataclass(frozen=True)
class TotalRow:
    number: int
    kind: Literal["total", "subtotal"]
    checked: int  # how many columns were compared
    rows: int  # how many data rows it sums


@dataclass
class Table:
    """A sheet read for one import: where its header is, how its columns map, its rows and its problems."""

    sheet: str
    sheets: tuple[str, ...]
    header_rows: tuple[int, ...]
    unit: Unit
    unit_source: Literal["default", "row", "given"]
    columns: tuple[Column, ...]
    rows: list[DataRow]
    totals: list[TotalRow]
    skipped: list[int]  # title, unit and note rows
    problems: list[Problem]

    @property
    def mapping(self) -> dict[str, str]:
        """Title → field ('' for a column left out), as a template stores it."""
        return {
            normalise_title(c.title): c.field or ""
            for c in self.columns
            if c.title and c.match is not Match.known
        }

    @property
    def unconfirmed(self) -> list[Column]:
        return [c for c in self.columns if c.match in (Match.guessed, Match.unmatched)]


# --- reading cells ---------------------------------------------------------------------------------------


@dataclass
class Grid:
    """One sheet's cells as read: values by row (row 1 first), formulas and merged ranges."""

    name: str
    rows: list[list[Any]]
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col), 1-based → "=A1+B1"
    merges: list[tuple[int, int, int, int]] = field(
        default_factory=list
    )  # min_row, min_col, max_row, max_col

    def cell(self, row: int, col: int) -> Any:
        if 1 <= row <= len(self.rows) and 1 <= col <= len(self.rows[row - 1]):
            return self.rows[row - 1][col - 1]
        return None


def column_letter(index: int) -> str:
    """0-based column index → A, B, …, Z, AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def is_excel(path: Path) -> bool:
    return path.suffix.lower() in (".xlsx", ".xlsm")


def sheet_names(path: Path) -> list[str]:
    if not is_excel(path):
        return ["CSV"]
    book = _open_book(path, data_only=True)
    try:
        return [str(name) for name in book.sheetnames]
    finally:
        book.close()


def read_grid(path: Path, sheet: str | None = None, *, max_rows: int | None = None) -> Grid:
    """The cells of a CSV file (UTF-8 or GB18030) or of one sheet of an .xlsx (the first by default)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return _read_csv(path, max_rows)
    if is_excel(path):
        return _read_xlsx(path, sheet, max_rows)
    raise AvbaseError(
        "Unsupported file type {suffix}: use .csv or .xlsx.", field="file", suffix=suffix or "?"
    )


def _read_csv(path: Path, max_rows: int | None) -> Grid:
    text, _encoding, _marked = decode_text(path.read_bytes())
    rows: list[list[Any]] = []
    for values in csv.reader(io.StringIO(text)):
        rows.append(list(values))
        if max_rows is not None and len(rows) >= max_rows:
            break
    return Grid("CSV", rows)


def _open_book(path: Path, *, data_only: bool) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise AvbaseError(
            "The Excel file cannot be read: {error}", field="file", error=str(exc)[:200]
        ) from exc


def _read_xlsx(path: Path, sheet: str | None, max_rows: int | None) -> Grid:
    from openpyxl.utils.cell import range_boundaries

    book = _open_book(path, data_only=True)
    try:
        if sheet is not None and sheet not in book.sheetnames:
            raise AvbaseError(
                "The workbook has no sheet {sheet}; its sheets are {sheets}.",
                field="sheet",
                sheet=sheet,
                sheets="、".join(book.sheetnames),
            )
        worksheet = book[sheet] if sheet is not None else book.worksheets[0]
        # Read-only sheets know neither merged ranges nor, alongside cached values, formulas: both come
        # from the sheet's XML, whose path openpyxl keeps.
        with zipfile.ZipFile(path) as archive:
            xml = archive.read(worksheet._worksheet_path)
        merges = [
            tuple(range_boundaries(ref.decode()))
            for ref in re.findall(rb'<mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"', xml)
        ]
        rows = [list(values) for values in _limited(worksheet.iter_rows(values_only=True), max_rows)]
        name = str(worksheet.title)
    finally:
        book.close()
    formulas: dict[tuple[int, int], str] = {}
    if re.search(rb"<f[\s>/]", xml):  # a second pass only for the workbooks that hold formulas
        with_formulas = _open_book(path, data_only=False)
        try:
            texts = with_formulas[name].iter_rows(values_only=True)
            for number, values in enumerate(_limited(texts, max_rows), start=1):
                for col, value in enumerate(values, start=1):
                    if isinstance(value, str) and value.startswith("="):
                        formulas[(number, col)] = value
        finally:
            with_formulas.close()
    return Grid(name, rows, formulas, [(r0, c0, r1, c1) for c0, r0, c1, r1 in merges])


def _limited(rows: Iterable[Sequence[Any]], max_rows: int | None) -> Iterator[Sequence[Any]]:
    for count, row in enumerate(rows, start=1):
        yield row
        if max_rows is not None and count >= max_rows:
            return


# --- titles and matching ---------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip().lstrip("\ufeff")


def normalise_title(title: str) -> str:
    """A title as a template keys it: full-width folded, no line breaks or spaces, lower case."""
    folded = unicodedata.normalize("NFKC", title)
    return re.sub(r"\s+", "", folded).lower()


def _bare(title: str) -> str:
    """A title for comparing: without its unit, punctuation or numbering (一、 1.)."""
    text = normalise_title(title)
    text = _UNIT_IN_TITLE.sub("", unicodedata.normalize("NFKC", text))
    text = re.sub(r"^(?:[0-9]+|[一二三四五六七八九十]+)[、.．)]", "", text)
    return re.sub(r"[()（）:：*、,，.。%％\[\]【】_\-]", "", text)


def _similarity(title: str, term: str) -> float:
    if not title or not term:
        return 0.0
    if title == term:
        return 1.0
    if len(term) >= 2 and term in title:
        # A longer shared part says more: 研发投入 in 研发投入合计 beats 投入 in it.
        return 0.7 + 0.3 * len(term) / len(title)
    if len(title) >= 2 and title in term:
        return 0.6 + 0.3 * len(title) / len(term)
    return difflib.SequenceMatcher(None, title, term).ratio()


def match_title(
    title: str, vocabulary: Vocabulary, mapping: Mapping[str, str]
) -> tuple[str | None, Match, float, tuple[str, ...]]:
    """The field a header title names, how it was found, the score and the runner-up fields."""
    key = normalise_title(title)
    if not key:
        return None, Match.ignored, 1.0, ()
    if key in mapping:
        mapped = mapping[key]
        return (mapped or None), (Match.mapped if mapped else Match.ignored), 1.0, ()
    parts = [part for part in title.split("/") if part.strip()]
    exact = {normalise_title(t) for spec in vocabulary.fields for t in (spec.key, *spec.titles)}
    for candidate in (key, normalise_title(parts[-1]) if parts else key):
        bare = _UNIT_IN_TITLE.sub("", candidate)
        for spec in vocabulary.fields:
            if bare in (normalise_title(t) for t in (spec.key, *spec.titles)):
                return spec.key, Match.known, 1.0, ()
        if vocabulary.is_field(bare) and bare not in exact:
            return bare, Match.known, 1.0, ()
    if key in vocabulary.ignored or _bare(title) in vocabulary.ignored:
        return None, Match.ignored, 1.0, ()
    # The whole title (营业收入/视听内容) and its last part (视听内容) are compared with every term; the
    # upper part alone is not, as it names the group the columns under it share.
    candidates = {_bare(title), _bare(parts[-1]) if parts else _bare(title)}
    scores: list[tuple[float, int, str]] = []
    for order, spec in enumerate(vocabulary.fields):
        terms = [_bare(t) for t in (*spec.titles, *spec.synonyms)]
        best = max(_similarity(c, t) for c in candidates for t in terms)
        scores.append((best, -order, spec.key))
    scores.sort(reverse=True)
    best_score, _order, best_key = scores[0]
    others = tuple(key for score, _o, key in scores[1:4] if score >= SIMILARITY_FLOOR)
    if best_score < SIMILARITY_FLOOR:
        return None, Match.unmatched, best_score, tuple(k for s, _o, k in scores[:3])
    return best_key, Match.guessed, best_score, others


def _columns(titles: Sequence[str], vocabulary: Vocabulary, mapping: Mapping[str, str]) -> list[Column]:
    columns = []
    for index, title in enumerate(titles):
        field_key, how, score, others = match_title(title, vocabulary, mapping)
        unit_match = _UNIT_IN_TITLE.search(unicodedata.normalize("NFKC", title))
        unit = None
        if unit_match:
            unit = Unit(unit_match.group(1), MONEY_UNITS[unit_match.group(1)])
        percent = bool(_PERCENT_IN_TITLE.search(title))
        columns.append(Column(index, title, field_key, how, unit, percent, score, others))
    # A guess may not take a field another column names exactly or has a better claim to.
    taken: dict[str, int] = {}
    for column in sorted(columns, key=lambda c: (c.match is Match.guessed, -c.score)):
        if column.field is None:
            continue
        if column.field in taken and column.match is Match.guessed:
            columns[column.index] = Column(
                column.index,
                column.title,
                None,
                Match.unmatched,
                column.unit,
                column.percent,
                column.score,
                (column.field, *column.alternatives),
            )
        else:
            taken.setdefault(column.field, column.index)
    return columns


# --- finding the header ----------------------------------------------------------------------------------


def _row_texts(grid: Grid, row: int) -> list[str]:
    return [_text(v) for v in grid.rows[row - 1]] if 1 <= row <= len(grid.rows) else []


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _is_unit_row(grid: Grid, row: int) -> bool:
    texts = [t for t in _row_texts(grid, row) if t]
    return bool(texts) and all(_UNIT_CELL.match(normalise_title(t)) for t in texts)


def _merged_start(grid: Grid, row: int, col: int) -> tuple[int, int] | None:
    for r0, c0, r1, c1 in grid.merges:
        if r0 <= row <= r1 and c0 <= col <= c1:
            return r0, c0
    return None


def _continues_header(grid: Grid, row: int) -> bool:
    """Whether ``row + 1`` is a second header row under ``row`` (营业收入 over 内容 | 电子 | 服务)."""
    top, below = _row_texts(grid, row), _row_texts(grid, row + 1)
    if not any(below) or any(_is_number(v) for v in grid.rows[row] if row < len(grid.rows)):
        return False
    if _is_unit_row(grid, row + 1):
        return False
    if any(r0 == row and (r1 > r0 or c1 > c0) for r0, c0, r1, c1 in grid.merges):
        return True
    # A CSV keeps no merges: the second row names columns only under a blank run of the first.
    width = max(len(top), len(below))
    top += [""] * (width - len(top))
    below += [""] * (width - len(below))
    under_blank = [c for c in range(width) if below[c] and not top[c]]
    if not under_blank:
        return False
    return all(not top[c] or (c + 1 < width and not top[c + 1]) for c in range(width) if below[c])


def _header_titles(grid: Grid, row: int, two_rows: bool) -> list[str]:
    top = _row_texts(grid, row)
    if not two_rows:
        return top
    below = _row_texts(grid, row + 1)
    width = max(len(top), len(below))
    top += [""] * (width - len(top))
    below += [""] * (width - len(below))
    titles = []
    parent = ""
    for col in range(width):
        start = _merged_start(grid, row, col + 1)
        if top[col]:
            parent = top[col]
        elif start is not None and start[0] == row:
            parent = top[start[1] - 1]
        elif not below[col]:
            parent = ""
        upper = top[col] or (parent if below[col] else "")
        if upper and below[col] and upper != below[col]:
            titles.append(f"{upper}/{below[col]}")
        else:
            titles.append(upper or below[col])
    return titles


@dataclass(frozen=True)
class _Header:
    row: int
    two_rows: bool
    columns: list[Column]


def _find_header(grid: Grid, vocabulary: Vocabulary, mapping: Mapping[str, str]) -> _Header | None:
    required = set(vocabulary.required)
    for row in range(1, min(len(grid.rows), HEADER_SEARCH_ROWS) + 1):
        if sum(1 for t in _row_texts(grid, row) if t) < 2:
            continue  # a title or unit row
        two_rows = _continues_header(grid, row)
        columns = _columns(_header_titles(grid, row, two_rows), vocabulary, mapping)
        named = {c.field for c in columns if c.field}
        if required <= named and (required or len(named) >= 2):
            return _Header(row, two_rows, columns)
    return None


def locate(
    path: Path,
    vocabulary: Vocabulary,
    mapping: Mapping[str, str] | None = None,
    *,
    sheet: str | None = None,
) -> str:
    """The sheet that holds the data: the one named, or the only one whose first rows name the columns."""
    names = sheet_names(path)
    if sheet is not None or len(names) == 1:
        return sheet if sheet is not None else names[0]
    found = [
        name
        for name in names
        if _find_header(read_grid(path, name, max_rows=HEADER_SEARCH_ROWS + 2), vocabulary, mapping or {})
    ]
    if len(found) == 1:
        return found[0]
    if not found:
        raise AvbaseError(
            "No sheet names the columns {columns} in its first rows; the sheets are {sheets}.",
            field="sheet",
            columns=", ".join(vocabulary.required),
            sheets="、".join(names),
        )
    raise AvbaseError(
        "Several sheets hold these columns: {sheets}. Choose one.", field="sheet", sheets="、".join(found)
    )


# --- values ----------------------------------------------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    """A number cell or text as an exact Decimal; floats through their shortest repr, never Decimal(float)."""
    if _is_number(value):
        return Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(",", "").replace(" ", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def money(value: Any, unit: Unit) -> Decimal | Any:
    """A money cell in ``unit`` as yuan, rounded half-up to the fen; text that is no number comes back
    unchanged for the field's own check to name."""
    number = _decimal(value)
    if number is None:
        return value
    return (number * unit.factor).quantize(FEN, rounding=ROUND_HALF_UP)


def percentage(value: Any, header_says_percent: bool) -> Decimal | Any:
    """``12.5%`` is 0.125 always; a bare 12.5 is 0.125 under a header that says %, else it is 12.5."""
    text = unicodedata.normalize("NFKC", str(value)).strip() if isinstance(value, str) else None
    if text is not None and text.endswith("%"):
        number = _decimal(text[:-1])
        return value if number is None else number / 100
    number = _decimal(value)
    if number is None:
        return value
    return number / 100 if header_says_percent else number


def _convert(value: Any, kind: FieldKind, column: Column, unit: Unit) -> Any:
    if isinstance(value, str) and value.strip() in BLANK_MARKS and kind != "text":
        return None
    if value is None:
        return None
    if kind == "money":
        return money(value, column.unit or unit)
    if kind == "percent":
        return percentage(value, column.percent)
    if kind == "text":
        if isinstance(value, datetime | date):
            return value
        return _text(value)
    return value


def _label(value: Any) -> str:
    return _text(value).replace(" ", "").replace("\u3000", "").lower()


def _row_kind(texts: Sequence[str], values: Sequence[Any]) -> Literal["total", "subtotal", "note"] | None:
    words = [_label(t) for t in texts if t][:3]
    for word in words:
        bare = re.sub(r"[（(].*?[)）]|[:：]", "", word)
        if _SUBTOTAL_LABEL.match(bare):
            return "subtotal"
        if _TOTAL_LABEL.match(bare):
            return "total"
    filled = [v for v in values if v not in (None, "")]
    if filled and all(isinstance(v, str) for v in filled) and _NOTE_LABEL.match(words[0]):
        return "note"
    return None


# --- the table -------------------------------------------------------------------------------------------


def read_table(
    path: Path,
    vocabulary: Vocabulary,
    *,
    mapping: Mapping[str, str] | None = None,
    sheet: str | None = None,
    unit: str | None = None,
    use_formula_values: bool = False,
) -> Table:
    """Reads the data sheet of ``path`` for ``vocabulary``: header, columns, unit, rows, totals, problems."""
    names = sheet_names(path)
    chosen = locate(path, vocabulary, mapping, sheet=sheet)
    grid = read_grid(path, chosen if is_excel(path) else None)
    header = _find_header(grid, vocabulary, mapping or {})
    if header is None:
        raise AvbaseError(
            "No header row in the first {count} rows names the columns {columns}.",
            field="file",
            count=HEADER_SEARCH_ROWS,
            columns=", ".join(vocabulary.required),
        )
    header_rows = (header.row, header.row + 1) if header.two_rows else (header.row,)
    skipped = [r for r in range(1, header.row) if any(_row_texts(grid, r))]
    sheet_unit, source = _sheet_unit(grid, header, unit)
    columns = list(header.columns)
    first_data = header_rows[-1] + 1
    if _is_unit_row(grid, first_data):  # a row of units under the header, one per column
        for index, text in enumerate(_row_texts(grid, first_data)):
            if index < len(columns) and (found := _UNIT_CELL.match(normalise_title(text))):
                word = found.group(1) or ""
                old = columns[index]
                if word in MONEY_UNITS:
                    columns[index] = Column(
                        old.index, old.title, old.field, old.match, Unit(word, MONEY_UNITS[word]),
                        old.percent, old.score, old.alternatives,
                    )  # fmt: skip
                elif word in ("%", "％"):
                    columns[index] = Column(
                        old.index, old.title, old.field, old.match, old.unit, True, old.score,
                        old.alternatives,
                    )  # fmt: skip
        skipped.append(first_data)
        first_data += 1
    table = Table(
        sheet=grid.name,
        sheets=tuple(names),
        header_rows=header_rows,
        unit=sheet_unit,
        unit_source=source,
        columns=tuple(columns),
        rows=[],
        totals=[],
        skipped=skipped,
        problems=[],
    )
    _read_body(grid, table, vocabulary, first_data, use_formula_values)
    return table


def _sheet_unit(
    grid: Grid, header: _Header, given: str | None
) -> tuple[Unit, Literal["default", "row", "given"]]:
    if given:
        if given not in MONEY_UNITS:
            raise AvbaseError(
                "Unknown unit {unit}: use 元, 千元, 万元, 百万元 or 亿元.", field="unit", unit=given
            )
        return Unit(given, MONEY_UNITS[given]), "given"
    # 单位：万元 sits in a row of its own above the header, or in a corner of the title row.
    for row in range(1, header.row):
        for text in _row_texts(grid, row):
            if found := _UNIT_ROW.search(normalise_title(text)):
                word = found.group(1)
                return Unit(word, MONEY_UNITS[word]), "row"
    return YUAN, "default"


def _read_body(
    grid: Grid, table: Table, vocabulary: Vocabulary, first: int, use_formula_values: bool
) -> None:
    columns = [c for c in table.columns if c.field]
    kinds = {c.field: vocabulary.kind_of(c.field) for c in columns if c.field}
    summed = [c for c in columns if kinds[c.field or ""] in ("money", "number")]
    # Running sums since the last subtotal and since the last total, for checking them.
    since_subtotal: dict[str, Decimal] = {}
    since_total: dict[str, Decimal] = {}
    rows_since = [0, 0]
    for number in range(first, len(grid.rows) + 1):
        raw = grid.rows[number - 1]
        texts = [_text(v) for v in raw]
        if not any(texts):
            continue
        kind = _row_kind(texts, raw)
        if kind == "note" or (kind is None and _is_note_merge(grid, number, texts)):
            table.skipped.append(number)
            continue
        values: dict[str, Any] = {}
        for column in columns:
            key = column.field or ""
            value = raw[column.index] if column.index < len(raw) else None
            formula = grid.formulas.get((number, column.index + 1))
            if formula is not None:
                cell = f"{column.letter}{number}"
                if value is None:
                    table.problems.append(
                        Problem(
                            number,
                            key,
                            N_(
                                "Cell {cell} holds the formula {formula} without a saved result: open the "
                                "file in Excel and save it, or type the value."
                            ),
                            {"cell": cell, "formula": formula[:80]},
                        )
                    )
                    continue
                if not use_formula_values:
                    table.problems.append(
                        Problem(
                            number,
                            key,
                            N_(
                                "Cell {cell} holds the formula {formula}: import with formula results "
                                "allowed to use its saved value {value}, or type the value."
                            ),
                            {"cell": cell, "formula": formula[:80], "value": _text(value)},
                        )
                    )
                    continue
            values[key] = _convert(value, kinds[key], column, table.unit)
        if kind is not None:
            sums = since_subtotal if kind == "subtotal" else since_total
            count = rows_since[0] if kind == "subtotal" else rows_since[1]
            _check_total(table, number, values, summed, sums, count)
            table.totals.append(TotalRow(number, kind, sum(1 for c in summed if c.field in values), count))
            since_subtotal.clear()
            rows_since[0] = 0
            if kind == "total":
                since_total.clear()
                rows_since[1] = 0
            continue
        for column in summed:
            amount = values.get(column.field or "")
            if isinstance(amount, Decimal | int | float) and not isinstance(amount, bool):
                exact = _decimal(amount) or Decimal(0)
                for sums in (since_subtotal, since_total):
                    sums[column.field or ""] = sums.get(column.field or "", Decimal(0)) + exact
        rows_since[0] += 1
        rows_since[1] += 1
        table.rows.append(DataRow(number, values))


def _is_note_merge(grid: Grid, row: int, texts: Sequence[str]) -> bool:
    """A single text merged across three or more columns is a note, not an enterprise."""
    filled = [t for t in texts if t]
    if len(filled) != 1:
        return False
    return any(r0 <= row <= r1 and c1 - c0 >= 2 for r0, c0, r1, c1 in grid.merges)


def _check_total(
    table: Table,
    number: int,
    values: Mapping[str, Any],
    summed: Sequence[Column],
    sums: Mapping[str, Decimal],
    count: int,
) -> None:
    for column in summed:
        key = column.field or ""
        stated = values.get(key)
        if stated is None or stated == "":
            continue
        total = _decimal(stated)
        if total is None:
            continue  # not a number: the row is skipped, nothing to compare
        expected = sums.get(key, Decimal(0))
        if total != expected:
            table.problems.append(
                Problem(
                    number,
                    key,
                    N_("The total {total} is not the sum of the {count} rows above it ({sum})."),
                    {"total": f"{total:,}", "sum": f"{expected:,}", "count": count},
                )
            )
