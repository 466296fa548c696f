"""Reconciliation: a counterparty's statement against one's own expected figures, every discrepancy exact.

Lines are keyed by (title, period, metric). Kinds:

- ``duplicate``: a statement line repeated exactly (same key, quantity and amount) — double counting; the
  difference is what the repeats add. Repeats are left out before the comparison below.
- ``amount_differs`` / ``quantity_differs``: both sides have the key and its sums differ (statement minus
  expected);
- ``missing``: expected, not on the statement (difference: minus the expected amount);
- ``unexpected``: on the statement, not expected (difference: its amount).

Nothing that agrees to the fen is listed. The comparison runs in DuckDB (exact DECIMAL arithmetic), so a
million lines take about a second; bad input (a non-number, a bad period, a missing column) is refused with
its file, row and column.
"""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from avbase.chain.settlement.statements import METRIC_NAMES, STATEMENTS, period_of
from avbase.core.errors import AvbaseError
from avbase.kit.sheets import is_excel, normalise_title, read_table
from avbase.kit.text import decode_text

KINDS = ("duplicate", "amount_differs", "quantity_differs", "missing", "unexpected")


class BadStatement(AvbaseError):
    status_code = 422


@dataclass(frozen=True)
class Discrepancy:
    title: str
    period: str
    metric: str
    kind: str
    difference: Decimal  # amount (yuan), or quantity for quantity_differs
    statement_amount: Decimal | None
    expected_amount: Decimal | None
    statement_quantity: Decimal | None
    expected_quantity: Decimal | None
    count: int = 1  # duplicate: how many times the line is repeated

    def to_json(self) -> dict[str, Any]:
        def text(value: Decimal | None) -> str | None:
            return None if value is None else f"{value:f}"

        return {
            "title": self.title,
            "period": self.period,
            "metric": self.metric,
            "kind": self.kind,
            "difference": text(self.difference),
            "statement_amount": text(self.statement_amount),
            "expected_amount": text(self.expected_amount),
            "statement_quantity": text(self.statement_quantity),
            "expected_quantity": text(self.expected_quantity),
            "count": self.count,
        }


@dataclass(frozen=True)
class Result:
    statement_lines: int
    expected_lines: int
    discrepancies: list[Discrepancy]

    def to_json(self) -> dict[str, Any]:
        return {
            "statement_lines": self.statement_lines,
            "expected_lines": self.expected_lines,
            "discrepancies": [d.to_json() for d in self.discrepancies],
        }


def _header_field(title: str) -> str | None:
    key = normalise_title(title)
    for spec in STATEMENTS.fields:
        if key in {normalise_title(t) for t in (spec.key, *spec.titles, *spec.synonyms)}:
            return spec.key
    return None


@contextmanager
def _as_utf8_csv(path: Path, *, force_decode: bool = False) -> Iterator[Path]:
    """DuckDB reads UTF-8 CSV; an Excel file, or a CSV with a byte order mark or (``force_decode``) in
    another encoding, is written out as one first."""
    if is_excel(path):
        table = read_table(path, STATEMENTS)
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / "statement.csv"
            with out.open("w", encoding="utf-8") as stream:
                stream.write("title,period,metric,quantity,amount\n")
                for row in table.rows:
                    cells = [
                        row.values.get(k, "") for k in ("title", "period", "metric", "quantity", "amount")
                    ]
                    cells[1] = _period_cell(cells[1])
                    stream.write(",".join(_csv_cell(c) for c in cells) + "\n")
            yield out
        return
    with path.open("rb") as stream:
        head = stream.read(3)
    if head != b"\xef\xbb\xbf" and not force_decode:
        yield path
        return
    text, _encoding, _ = decode_text(path.read_bytes())
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "statement.csv"
        out.write_text(text.lstrip("\ufeff"), encoding="utf-8")
        yield out


def _period_cell(value: Any) -> str:
    try:
        return period_of(value)
    except ValueError:
        return str(value)


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


def _load(con: duckdb.DuckDBPyConnection, name: str, path: Path, label: str) -> int:
    """The file as table ``name`` (title, period, metric, quantity, amount) in file order; refuses the first
    bad row with its number and column."""
    try:
        return _load_utf8(con, name, path, label, force_decode=False)
    except duckdb.InvalidInputException as exc:
        if "unicode" not in str(exc).lower() and "utf" not in str(exc).lower():
            raise BadStatement(
                "{file}: not a readable CSV file: {reason}",
                field=label,
                file=path.name,
                reason=str(exc).splitlines()[0],
            ) from exc
    return _load_utf8(con, name, path, label, force_decode=True)  # GB18030, Big5, UTF-16 …


def _load_utf8(
    con: duckdb.DuckDBPyConnection, name: str, path: Path, label: str, *, force_decode: bool
) -> int:
    with _as_utf8_csv(path, force_decode=force_decode) as csv_path:
        try:
            raw = con.read_csv(str(csv_path), header=True, all_varchar=True)
        except duckdb.InvalidInputException:
            raise
        except duckdb.Error as exc:
            raise BadStatement(
                "{file}: not a readable CSV file: {reason}",
                field=label,
                file=path.name,
                reason=str(exc).splitlines()[0],
            ) from exc
        fields: dict[str, str] = {}
        for column in raw.columns:
            field = _header_field(column)
            if field and field not in fields:
                fields[field] = column
        for required in ("title", "period", "metric", "amount"):
            if required not in fields:
                raise BadStatement(
                    "{file}: no column holds {column}.", field=label, file=path.name, column=required
                )
        metric = "CASE m " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in METRIC_NAMES.items())
        metric += " ELSE lower(replace(m, ' ', '_')) END"
        names = {
            "table": name,
            **(STATEMENT_GROUPING if name == "statement" else EXPECTED_GROUPING),
            "metric_case": metric,
            "period_pattern": PERIOD,
            **{key: _quoted(fields[key]) if key in fields else "NULL" for key in LINE_FIELDS},
        }
        # The fast path lets the CSV reader parse the numbers; a cell it cannot parse sends the file down
        # the slow path, which reads every cell as text to name the row and column.
        types = {column: "VARCHAR" for column in raw.columns}
        if "quantity" in fields:
            types[fields["quantity"]] = "DECIMAL(18, 4)"
        types[fields["amount"]] = "DECIMAL(18, 6)"
        try:
            con.execute(FAST_LINES.format(**names), [str(csv_path), types])
            clean = not con.execute(FAST_CHECK.format(**names)).fetchall() and all(
                _PERIOD_TEXT.fullmatch(period or "")
                for (period,) in con.execute(f"SELECT DISTINCT period FROM {name}_lines").fetchall()  # noqa: S608
            )
        except duckdb.Error:
            clean = False
        if not clean:
            con.register(f"{name}_raw", raw)
            con.execute(LOAD.format(**names))
            con.unregister(f"{name}_raw")
            found = con.execute(BAD_ROW.replace("{table}", name)).fetchall()
            if found:
                raise BadStatement(
                    "{file}, row {row}, column {column}: not valid.",
                    field=label,
                    file=path.name,
                    row=found[0][0],
                    column=found[0][1],
                )
            con.execute(SLOW_LINES.format(**names))
    count = con.execute(f"SELECT sum(n) FROM {name}_lines").fetchall()[0]  # noqa: S608
    return int(count[0] or 0)


_PERIOD_TEXT = re.compile(r"\d{4}-\d{2}(-\d{2})?")
LINE_FIELDS = ("title", "period", "metric", "quantity", "amount")


def _quoted(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


PERIOD = "'\\d{4}-\\d{2}(-\\d{2})?'"
# One pass over the file: the typed values, and the text kept only where it does not convert (to name it).
LOAD = """
CREATE OR REPLACE TEMP TABLE {table} AS
SELECT title, period, {metric_case} AS metric, coalesce(quantity, 0) AS quantity, amount,
       CASE WHEN coalesce(title, '') = '' THEN 'title'
            WHEN NOT regexp_full_match(coalesce(period, ''), {period_pattern}) THEN 'period'
            WHEN coalesce(m, '') = '' THEN 'metric'
            WHEN quantity_text IS NOT NULL AND quantity IS NULL THEN 'quantity'
            WHEN amount IS NULL OR (contains(amount_text, '.')
                 AND length(amount_text) - strpos(amount_text, '.') > 2) THEN 'amount' END AS bad
FROM (
    SELECT title, period, m, quantity_text, amount_text,
           TRY_CAST(quantity_text AS DECIMAL(18, 4)) AS quantity,
           TRY_CAST(amount_text AS DECIMAL(18, 2)) AS amount
    FROM (
        SELECT trim({title}) AS title, trim({period}) AS period, trim({metric}) AS m,
               nullif(replace(trim({quantity}), ',', ''), '') AS quantity_text,
               replace(trim({amount}), ',', '') AS amount_text
        FROM {table}_raw))
"""
# The fast path: the CSV reader parses the numbers and the lines are grouped as they are read (exact
# repeats counted in n). Anything odd (a cell the reader cannot parse, a blank or padded text, a bad
# period, a third decimal) sends the file down the slow path, which names the row and column.
FAST_LINES = """
CREATE OR REPLACE TEMP TABLE {table}_lines AS
SELECT title, period, {metric_case} AS metric, {group_values}, count(*) AS n,
       bool_or(amount IS NULL OR amount <> round(amount, 2)) AS odd
FROM (SELECT {title} AS title, {period} AS period, {metric} AS m, coalesce({quantity}, 0) AS quantity,
             {amount} AS amount
      FROM read_csv($1, header = true, columns = $2))
GROUP BY title, period, m{group_keys}
"""
FAST_CHECK = """
SELECT 1 FROM {table}_lines
WHERE odd OR coalesce(title, '') = '' OR title <> trim(title) OR coalesce(metric, '') = ''
   OR metric <> trim(metric)
LIMIT 1
"""
SLOW_LINES = """
CREATE OR REPLACE TEMP TABLE {table}_lines AS
SELECT title, period, metric, {group_values}, count(*) AS n FROM {table}
GROUP BY title, period, metric{group_keys}
"""
# The statement keeps each distinct line (to find exact repeats); the expected figures only their sums.
STATEMENT_GROUPING = {"group_values": "quantity, amount", "group_keys": ", quantity, amount"}
EXPECTED_GROUPING = {"group_values": "sum(quantity) AS quantity, sum(amount) AS amount", "group_keys": ""}
BAD_ROW = "SELECT rowid + 2, bad FROM {table} WHERE bad IS NOT NULL ORDER BY rowid LIMIT 1"
# Exact repeats (same key, quantity and amount) counted once; what they add is the duplicate's difference.
COMPARE = """
WITH lines AS (SELECT * FROM statement_lines),
duplicates AS (
    SELECT title, period, metric, 'duplicate' AS kind, amount * (n - 1) AS difference,
           amount AS s_amount, NULL::DECIMAL(18, 2) AS e_amount,
           quantity AS s_quantity, NULL::DECIMAL(18, 4) AS e_quantity, n - 1 AS count
    FROM lines WHERE n > 1
),
s AS (
    SELECT title, period, metric, sum(quantity) AS q, sum(amount) AS a FROM lines
    GROUP BY title, period, metric
),
e AS (
    SELECT title, period, metric, quantity AS q, amount AS a FROM expected_lines
),
joined AS MATERIALIZED (
    SELECT coalesce(s.title, e.title) AS title, coalesce(s.period, e.period) AS period,
           coalesce(s.metric, e.metric) AS metric, s.q AS sq, s.a AS sa, e.q AS eq, e.a AS ea
    FROM s FULL OUTER JOIN e ON s.title = e.title AND s.period = e.period AND s.metric = e.metric
    WHERE s.title IS NULL OR e.title IS NULL OR s.a <> e.a OR s.q <> e.q
)
SELECT title, period, metric, 'missing', -ea, sa, ea, sq, eq, 1 FROM joined WHERE sa IS NULL
UNION ALL SELECT title, period, metric, 'unexpected', sa, sa, ea, sq, eq, 1 FROM joined WHERE ea IS NULL
UNION ALL SELECT title, period, metric, 'amount_differs', sa - ea, sa, ea, sq, eq, 1 FROM joined
    WHERE sa IS NOT NULL AND ea IS NOT NULL AND sa <> ea
UNION ALL SELECT title, period, metric, 'quantity_differs', sq - eq, sa, ea, sq, eq, 1 FROM joined
    WHERE sa IS NOT NULL AND ea IS NOT NULL AND sq <> eq
UNION ALL SELECT * FROM duplicates
ORDER BY 1, 2, 3, 4
"""


def reconcile_files(statement: Path, expected: Path) -> Result:
    """Every discrepancy between a counterparty's statement and one's expected figures."""
    con = duckdb.connect()
    try:
        statement_lines = _load(con, "statement", statement, "statement")
        expected_lines = _load(con, "expected", expected, "expected")
        rows = con.execute(COMPARE).fetchall()
    finally:
        con.close()
    return Result(statement_lines, expected_lines, [_discrepancy(row) for row in rows])


def _discrepancy(row: tuple[Any, ...]) -> Discrepancy:
    title, period, metric, kind, difference, sa, ea, sq, eq, count = row

    def dec(value: Any, places: str) -> Decimal | None:
        return None if value is None else Decimal(value).quantize(Decimal(places))

    return Discrepancy(
        title=unicodedata.normalize("NFC", title),
        period=period,
        metric=metric,
        kind=kind,
        difference=Decimal(difference).normalize()
        if kind == "quantity_differs"
        else Decimal(difference).quantize(Decimal("0.01")),
        statement_amount=dec(sa, "0.01"),
        expected_amount=dec(ea, "0.01"),
        statement_quantity=None if sq is None else Decimal(sq).normalize(),
        expected_quantity=None if eq is None else Decimal(eq).normalize(),
        count=int(count),
    )
